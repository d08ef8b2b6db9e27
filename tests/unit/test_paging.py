"""The shared query vocabulary: page caps, sort allow-lists, signed cursors."""

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared.errors import InvalidInputError
from domain.shared.paging import (
    CursorCodec,
    Direction,
    KeysetWindow,
    Page,
    PageWindow,
    SortSpec,
    parse_sort,
    query_identity,
)

SECRET = b"k" * 32
USERS_BY_NAME = "users?role=artist&sort=name:asc"


def code_of(error: pytest.ExceptionInfo[InvalidInputError]) -> str:
    return error.value.code


@pytest.mark.parametrize(("page", "limit"), [(1, 1), (1, 100), (100, 100), (10_000, 1)])
def test_pages_within_the_caps(page: int, limit: int) -> None:
    assert PageWindow(page, limit).offset == (page - 1) * limit


@pytest.mark.parametrize(
    ("page", "limit", "code"),
    [
        (1, 0, "limit_out_of_range"),
        (1, 101, "limit_out_of_range"),
        (0, 20, "page_out_of_range"),
        (101, 100, "page_out_of_range"),  # 10,100 items deep: use a cursor
        (10_001, 1, "page_out_of_range"),
    ],
)
def test_pages_beyond_the_caps_are_refused(page: int, limit: int, code: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        PageWindow(page, limit)
    assert code_of(caught) == code


def test_keyset_window_limit_is_capped_too() -> None:
    with pytest.raises(InvalidInputError):
        KeysetWindow(limit=101)


def test_total_pages() -> None:
    assert Page(items=(), limit=20, page=1, total=0).total_pages == 1
    assert Page(items=(), limit=20, page=1, total=41).total_pages == 3
    assert Page(items=(), limit=20).total_pages is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, SortSpec("createdAt", Direction.DESC)),
        ("name", SortSpec("name", Direction.ASC)),
        ("name:desc", SortSpec("name", Direction.DESC)),
        ("email:asc", SortSpec("email", Direction.ASC)),
    ],
)
def test_sort_parsing(text: str | None, expected: SortSpec) -> None:
    default = SortSpec("createdAt", Direction.DESC)
    assert parse_sort(text, allowed=("name", "email", "createdAt"), default=default) == expected


@pytest.mark.parametrize("text", ["password", "name:sideways", "name;drop", "$where:asc"])
def test_sorts_outside_the_allow_list_are_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_sort(text, allowed=("name", "email"), default=SortSpec("name"))
    assert code_of(caught) == "sort_not_allowed"


keys = st.tuples(st.one_of(st.text(max_size=40), st.integers(0, 2**53)), st.uuids().map(str))


@given(key=keys)
def test_a_cursor_decodes_to_the_key_it_encodes(key: tuple[str | int, str]) -> None:
    codec = CursorCodec(SECRET)
    cursor = codec.encode(key, query=USERS_BY_NAME)
    assert cursor.isascii()
    assert "=" not in cursor
    assert codec.decode(cursor, query=USERS_BY_NAME) == key


@given(key=keys, position=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_tampered_cursor_is_refused(
    key: tuple[str | int, str], position: int, bit: int
) -> None:
    codec = CursorCodec(SECRET)
    cursor = codec.encode(key, query=USERS_BY_NAME)
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[position % len(raw)] ^= 1 << bit
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(InvalidInputError) as caught:
        codec.decode(forged, query=USERS_BY_NAME)
    assert code_of(caught) == "invalid_cursor"


def test_a_forged_position_without_the_secret_is_refused() -> None:
    payload = json.dumps([1, "0" * 16, "zzz", "00000000-0000-0000-0000-000000000000"]).encode()
    forged = base64.urlsafe_b64encode(payload + b"\0" * 16).decode()
    with pytest.raises(InvalidInputError):
        CursorCodec(SECRET).decode(forged, query=USERS_BY_NAME)


@pytest.mark.parametrize("garbage", ["", "!!!", "abc", "a" * 500, "é"])
def test_garbage_is_refused_cleanly(garbage: str) -> None:
    with pytest.raises(InvalidInputError):
        CursorCodec(SECRET).decode(garbage, query=USERS_BY_NAME)


def test_a_cursor_only_works_for_the_query_it_came_from() -> None:
    codec = CursorCodec(SECRET)
    cursor = codec.encode(("Ada", "0190-id"), query=USERS_BY_NAME)
    with pytest.raises(InvalidInputError):
        codec.decode(cursor, query="users?role=viewer&sort=name:asc")
    with pytest.raises(InvalidInputError):
        CursorCodec(b"x" * 32).decode(cursor, query=USERS_BY_NAME)


def test_query_identity_is_stable_and_ignores_absent_filters() -> None:
    sort = SortSpec("name", Direction.ASC)
    assert query_identity("users", {"role": "artist", "q": None}, sort) == USERS_BY_NAME
    assert query_identity("users", {"q": None, "role": "artist"}, sort) == USERS_BY_NAME


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        CursorCodec(b"short")
