"""Identity values validate themselves."""

import uuid
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identity.errors import InvalidEmailError, InvalidSlugError
from domain.identity.model import (
    MAX_SPENT_HASHES,
    Role,
    StudioSettings,
    check_slug,
    normalize_email,
)
from domain.shared.errors import InvalidInputError
from domain.shared.ids import canonical_id
from tests.support import builders as make


@pytest.mark.parametrize(
    ("given", "stored"),
    [("Ada@Example.COM", "ada@example.com"), ("  bob@studio.io ", "bob@studio.io")],
)
def test_emails_are_stored_in_one_spelling(given: str, stored: str) -> None:
    assert normalize_email(given) == stored


@pytest.mark.parametrize(
    "bad", ["", "ada", "ada@", "@x.io", "a b@x.io", "ada@localhost", "a@@x.io"]
)
def test_not_an_email(bad: str) -> None:
    with pytest.raises(InvalidEmailError):
        normalize_email(bad)


def test_a_user_must_hold_a_normalized_email() -> None:
    with pytest.raises(InvalidEmailError):
        make.user(make.studio(), "Ada@Example.com")


@pytest.mark.parametrize("slug", ["demo", "moonlit-frames", "s2", "a" * 40])
def test_good_slugs(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize("slug", ["", "a", "Demo", "-demo", "demo-", "de--mo", "de mo", "a" * 41])
def test_bad_slugs(slug: str) -> None:
    with pytest.raises(InvalidSlugError):
        check_slug(slug)


def test_self_signup_never_grants_staff_roles() -> None:
    assert StudioSettings().self_signup_roles == {Role.VIEWER}
    for role in (Role.DIRECTOR, Role.PRODUCER, Role.ADMIN):
        with pytest.raises(InvalidInputError):
            StudioSettings(self_signup_roles=frozenset({Role.VIEWER, role}))


def test_a_session_remembers_a_bounded_number_of_spent_tokens() -> None:
    session = make.session(make.user(make.studio()))
    for n in range(MAX_SPENT_HASHES + 5):
        session = session.rotated(f"hash-{n}", at=make.at(n))
    assert len(session.spent_hashes) == MAX_SPENT_HASHES
    assert session.spent_hashes[0] == f"hash-{MAX_SPENT_HASHES + 3}"


def test_revoking_twice_keeps_the_first_instant() -> None:
    session = make.session(make.user(make.studio())).revoked(at=make.at(1))
    assert session.revoked(at=make.at(2)).revoked_at == make.at(1)
    assert not session.is_live(make.at(0))


def test_ids_are_canonical_uuid_text() -> None:
    assert canonical_id("0190B6A0-0000-7000-8000-000000000000") == (
        "0190b6a0-0000-7000-8000-000000000000"
    )
    with pytest.raises(InvalidInputError):
        canonical_id("../../etc/passwd")


@given(st.uuids(), st.sampled_from([str, lambda u: str(u).upper(), lambda u: u.hex]))
def test_every_spelling_of_an_id_has_one_canonical_form(
    value: uuid.UUID, spell: Callable[[uuid.UUID], str]
) -> None:
    assert canonical_id(spell(value)) == str(value)


@given(st.text(max_size=40))
def test_any_other_text_is_an_invalid_id_or_a_uuid(text: str) -> None:
    try:
        expected = str(uuid.UUID(text))
    except ValueError:
        with pytest.raises(InvalidInputError):
            canonical_id(text)
    else:
        assert canonical_id(text) == expected
