"""The explicit mapping functions round-trip every field (no server needed)."""

import uuid

from adapters.persistence.mongo.audit.mapping import audit_event_from_doc, audit_event_to_doc
from adapters.persistence.mongo.identity.mapping import (
    session_from_doc,
    session_to_doc,
    studio_from_doc,
    studio_to_doc,
    user_from_doc,
    user_to_doc,
    without_id,
)
from adapters.persistence.mongo.shared.codec import epoch_ms, from_epoch_ms
from adapters.persistence.mongo.shared.idempotency import (
    idempotency_record_from_doc,
    idempotency_record_to_doc,
)
from domain.identity.model import Role, StudioSettings
from tests.support import builders as make


def test_studios_round_trip_with_their_settings() -> None:
    studio = make.studio(
        settings=StudioSettings(
            self_signup_roles=frozenset({Role.ARTIST, Role.VIEWER}), free_episodes_per_series=0
        ),
        revision=7,
    )
    doc = studio_to_doc(studio)
    assert doc["_id"] == uuid.UUID(studio.id)
    assert doc["settings"]["self_signup_roles"] == ["artist", "viewer"]
    assert studio_from_doc(doc) == studio


def test_users_sessions_events_and_records_round_trip() -> None:
    studio = make.studio()
    user = make.user(studio, role=Role.ADMIN, active=False, revision=3)
    session = make.session(user, spent_hashes=("a", "b"), revoked_at=make.at(9))
    event = make.audit_event(studio, actor_id=user.id, details={"from": "a", "to": "b"})
    system_event = make.audit_event(studio, correlation_id=None, details={})
    record = make.idempotency_record(studio)
    assert user_from_doc(user_to_doc(user)) == user
    assert session_from_doc(session_to_doc(session)) == session
    assert audit_event_from_doc(audit_event_to_doc(event)) == event
    assert audit_event_from_doc(audit_event_to_doc(system_event)) == system_event
    assert idempotency_record_from_doc(idempotency_record_to_doc(record)) == record


def test_a_set_never_writes_the_immutable_id() -> None:
    studio = make.studio()
    doc = without_id(user_to_doc(make.user(studio)))
    assert "_id" not in doc
    assert doc["studio_id"] == uuid.UUID(studio.id)


def test_epoch_milliseconds_are_exact() -> None:
    instant = make.at(0.001)
    assert epoch_ms(instant) == int(make.T0.timestamp() * 1000) + 1
    assert from_epoch_ms(epoch_ms(instant)) == instant
