"""S3's limits as plain functions: URL lifetimes, part plans, Content-Disposition, error codes."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from botocore.exceptions import ClientError

from adapters.storage.s3_rules import (
    MAX_PARTS,
    MAX_URL_SECONDS,
    MIB,
    content_disposition,
    is_incomplete_upload,
    is_missing_bucket,
    is_missing_object,
    is_unknown_upload,
    part_sizes,
    url_lifetime,
)


@pytest.mark.parametrize(
    ("expires_in", "seconds"),
    [
        (timedelta(minutes=15), 900),
        (timedelta(seconds=0), 1),
        (timedelta(seconds=-5), 1),
        (timedelta(milliseconds=1500), 2),  # never shorter than asked
        (timedelta(days=30), MAX_URL_SECONDS),
    ],
)
def test_url_lifetimes_stay_within_what_sigv4_allows(expires_in: timedelta, seconds: int) -> None:
    assert url_lifetime(expires_in) == seconds


def test_parts_have_the_part_size_and_the_last_one_holds_the_rest() -> None:
    assert part_sizes(12 * MIB + 3, 5 * MIB) == (5 * MIB, 5 * MIB, 2 * MIB + 3)


def test_an_exact_multiple_has_no_empty_last_part() -> None:
    assert part_sizes(10 * MIB, 5 * MIB) == (5 * MIB, 5 * MIB)


def test_a_file_smaller_than_a_part_is_one_part() -> None:
    assert part_sizes(7, 5 * MIB) == (7,)


def test_parts_grow_rather_than_exceed_ten_thousand() -> None:
    size = 200_000 * MIB + 1
    sizes = part_sizes(size, 5 * MIB)
    assert len(sizes) <= MAX_PARTS
    assert sum(sizes) == size
    assert sizes[0] % MIB == 0
    assert all(part == sizes[0] for part in sizes[:-1])


def test_an_empty_multipart_upload_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one byte"):
        part_sizes(0, 5 * MIB)


def test_an_inline_download_without_a_name_needs_no_header() -> None:
    assert content_disposition("inline", None) is None
    assert content_disposition("attachment", None) == "attachment"


def test_the_file_name_is_carried_exactly_and_as_an_ascii_stand_in() -> None:
    header = content_disposition("attachment", 'Épisode 1 "final"\\cut.mp4')
    assert header is not None
    disposition, plain, extended = header.split("; ")
    assert disposition == "attachment"
    assert plain == 'filename="Episode 1 _final__cut.mp4"'
    assert extended.startswith("filename*=UTF-8''")
    encoded = extended.removeprefix("filename*=UTF-8''")
    assert unquote(encoded) == 'Épisode 1 "final"\\cut.mp4'
    # RFC 5987: nothing but attr-chars and percent escapes (no space, quote or separator).
    assert all(char.isalnum() or char in "!#$&+-.^_`|~%" for char in encoded)


def test_a_name_with_no_ascii_letter_still_has_a_stand_in() -> None:
    assert content_disposition("inline", "动画.mp4") == (
        "inline; filename=\"download.mp4\"; filename*=UTF-8''%E5%8A%A8%E7%94%BB.mp4"
    )
    assert content_disposition("inline", "动画") == (
        "inline; filename=\"download\"; filename*=UTF-8''%E5%8A%A8%E7%94%BB"
    )


def test_control_characters_cannot_break_the_header() -> None:
    header = content_disposition("attachment", "a\r\nSet-Cookie: x=1")
    assert header is not None
    assert "\r" not in header
    assert "\n" not in header


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "..."}}, "Operation")


@pytest.mark.parametrize("code", ["404", "NoSuchKey", "NotFound"])
def test_a_missing_object_is_recognised_by_any_of_its_codes(code: str) -> None:
    # A HEAD has no body: botocore can only give the status as the code (DESIGN section 7).
    assert is_missing_object(_error(code))


def test_other_errors_are_not_taken_for_absence() -> None:
    assert not is_missing_object(_error("403"))
    assert not is_missing_object(_error("AccessDenied"))
    assert is_missing_bucket(_error("NoSuchBucket"))
    assert not is_missing_bucket(_error("AccessDenied"))


@pytest.mark.parametrize("code", ["InvalidPart", "InvalidPartOrder", "EntityTooSmall"])
def test_parts_that_do_not_make_a_file_mean_an_incomplete_upload(code: str) -> None:
    assert is_incomplete_upload(_error(code))
    assert not is_unknown_upload(_error(code))


def test_an_unknown_upload_id_is_told_apart() -> None:
    assert is_unknown_upload(_error("NoSuchUpload"))
    assert not is_incomplete_upload(_error("NoSuchUpload"))
