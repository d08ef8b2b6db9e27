"""Subscriptions, their changes and watch progress to BSON documents and back.

``studio_id`` is a native UUID; ``user_id`` and ``actor_id`` too (or the text of an internal
tool's ``service:...`` identity, as asset owners); dates are BSON dates; statuses are their
string values. None of these has a single natural id: MongoDB gives each document an ObjectId,
and each collection's unique index is its key (``indexes``). Optional fields are stored as null
rather than left out, so every document of a collection has the same shape.

Progress names its episode and series by the ids the port gives (text): a canonical UUID is
stored as a native UUID, anything else as the text given, so every id reads back exactly as it
was written. Positions and durations are always doubles (SQLite's REAL).
"""

import uuid

from adapters.persistence.mongo.shared.codec import (
    Document,
    from_principal,
    from_uuid,
    lookup_uuid,
    optional_utc,
    to_principal,
    to_uuid,
    utc,
)
from domain.playback.progress import WatchProgress
from domain.shared.ids import StudioId, UserId
from domain.subscriptions.model import Subscription, SubscriptionChange, SubscriptionStatus


def to_reference(text: str) -> uuid.UUID | str:
    """An episode or series id: native when it is a UUID in canonical text, else the text."""
    key = lookup_uuid(text)
    return key if key is not None and str(key) == text else text


def from_reference(value: uuid.UUID | str) -> str:
    return str(value)


def user_scope(studio_id: StudioId, user_id: UserId) -> Document | None:
    """The filter naming one user's documents; None when the studio names no valid id."""
    tenant = lookup_uuid(studio_id)
    return None if tenant is None else {"studio_id": tenant, "user_id": to_principal(user_id)}


def subscription_to_doc(subscription: Subscription) -> Document:
    return {
        "studio_id": to_uuid(subscription.studio_id),
        "user_id": to_principal(subscription.user_id),
        "status": subscription.status.value,
        "plan": subscription.plan,
        "current_period_end": subscription.current_period_end,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
        "revision": subscription.revision,
    }


def subscription_from_doc(doc: Document) -> Subscription:
    return Subscription(
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        user_id=UserId(from_principal(doc["user_id"])),
        status=SubscriptionStatus(doc["status"]),
        plan=doc["plan"],
        current_period_end=optional_utc(doc.get("current_period_end")),
        created_at=utc(doc["created_at"]),
        updated_at=utc(doc["updated_at"]),
        revision=doc["revision"],
    )


def change_to_doc(change: SubscriptionChange, *, seq: int) -> Document:
    """``seq`` places the change in its user's history: the subscription revision it made."""
    return {
        "studio_id": to_uuid(change.studio_id),
        "user_id": to_principal(change.user_id),
        "seq": seq,
        "actor_id": to_principal(change.actor_id),
        "at": change.at,
        "from_status": None if change.from_status is None else change.from_status.value,
        "to_status": change.to_status.value,
        "plan": change.plan,
        "current_period_end": change.current_period_end,
    }


def change_from_doc(doc: Document) -> SubscriptionChange:
    from_status = doc.get("from_status")
    return SubscriptionChange(
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        user_id=UserId(from_principal(doc["user_id"])),
        actor_id=UserId(from_principal(doc["actor_id"])),
        at=utc(doc["at"]),
        from_status=None if from_status is None else SubscriptionStatus(from_status),
        to_status=SubscriptionStatus(doc["to_status"]),
        plan=doc["plan"],
        current_period_end=optional_utc(doc.get("current_period_end")),
    )


def progress_to_doc(progress: WatchProgress) -> Document:
    return {
        "studio_id": to_uuid(progress.studio_id),
        "user_id": to_principal(progress.user_id),
        "episode_id": to_reference(progress.episode_id),
        "series_id": to_reference(progress.series_id),
        "episode_number": progress.episode_number,
        "position": float(progress.position),
        "duration": float(progress.duration),
        "completed": progress.completed,
        "watched_at": progress.watched_at,
    }


def progress_from_doc(doc: Document) -> WatchProgress:
    return WatchProgress(
        studio_id=StudioId(from_uuid(doc["studio_id"])),
        user_id=UserId(from_principal(doc["user_id"])),
        episode_id=from_reference(doc["episode_id"]),
        series_id=from_reference(doc["series_id"]),
        episode_number=doc["episode_number"],
        position=float(doc["position"]),
        duration=float(doc["duration"]),
        completed=doc["completed"],
        watched_at=utc(doc["watched_at"]),
    )


def series_progress_to_doc(progress: WatchProgress) -> Document:
    """The latest entry of a series, per user: which episode, observed when."""
    return {
        "studio_id": to_uuid(progress.studio_id),
        "user_id": to_principal(progress.user_id),
        "series_id": to_reference(progress.series_id),
        "episode_id": to_reference(progress.episode_id),
        "watched_at": progress.watched_at,
    }
