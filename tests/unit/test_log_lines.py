"""JSON log lines: the fast paths (scrub's first look, a time made once a second) change nothing."""

import io
import json
import logging
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.telemetry import logging as log_lines
from adapters.telemetry.logging import JsonFormatter, scrub

JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
# Pieces that make the scrubbers fire (or nearly), in any case, mixed into plain text.
FRAGMENTS = [
    JWT,
    "Bearer abc.def",
    "basic dXNlcjpwYXNz",
    "password=hunter2",
    'Passwd: "x"',
    "secret = s3",
    "TOKEN=t0k",
    "api_key=k",
    "API-KEY:v",
    "authorization=a",
    "?X-Amz-Signature=abc&x",
    "&x-amz-credential=c",
    "?sig=123",
    "&token=zz",
    "eyJ",
    "bear",
    "sig",
    "/auth/me",
    "GET",
    "127.0.0.1",
    " ",
    "=",
    "&",
    "?",
]


def scrubbed_the_long_way(text: str) -> str:
    for pattern, replacement in log_lines._SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=8))
def test_scrub_answers_as_the_four_substitutions_do(pieces: list[str]) -> None:
    text = "".join(pieces)
    for variant in (text, text.upper(), text.lower()):
        assert scrub(variant) == scrubbed_the_long_way(variant)


@pytest.mark.parametrize("fragment", FRAGMENTS[:14])
def test_each_kind_of_secret_is_still_scrubbed(fragment: str) -> None:
    assert scrub(f"before {fragment} after") != f"before {fragment} after"


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))
def test_the_time_is_what_isoformat_writes(created: float) -> None:
    formatter = JsonFormatter()
    expected = datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")
    assert formatter._time(created) == expected
    assert formatter._time(created) == expected  # and again, from the second it remembered


def test_a_line_carries_the_extras_and_redacts_sensitive_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.log_lines")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "GET %s %s",
            "/auth/me",
            200,
            extra={"status": 200, "took": 1.5, "flag": True, "nothing": None, "api_token": "x"},
        )
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["message"] == "GET /auth/me 200"
    assert (line["level"], line["logger"]) == ("warning", "tests.log_lines")
    assert (line["status"], line["took"], line["flag"]) == (200, 1.5, True)
    assert "nothing" not in line
    assert line["api_token"] == "[redacted]"


def _logger_with(stream: io.StringIO, name: str) -> tuple[logging.Logger, logging.Handler]:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, handler


ACCESS_FIELDS = {
    "method": "GET",
    "route": None,
    "path": "/nowhere/" + JWT,
    "status": 404,
    "error_code": "not_found",
    "duration_ms": 0.25,
    "client": "127.0.0.1",
}


def test_a_direct_line_is_the_line_logging_writes() -> None:
    direct_stream, logged_stream = io.StringIO(), io.StringIO()
    direct_logger, _ = _logger_with(direct_stream, "tests.direct")
    logged_logger, _ = _logger_with(logged_stream, "tests.logged")

    log_lines.DirectLines(direct_logger).write(logging.INFO, "GET /x 404", ACCESS_FIELDS)
    logged_logger.info("GET /x 404", extra=ACCESS_FIELDS)

    direct, logged = json.loads(direct_stream.getvalue()), json.loads(logged_stream.getvalue())
    assert direct_stream.getvalue().count("\n") == 1
    assert direct.pop("time")[:10] == logged.pop("time")[:10]
    assert (direct.pop("logger"), logged.pop("logger")) == ("tests.direct", "tests.logged")
    assert list(direct.items()) == list(logged.items())  # same keys, same order, same values
    assert direct["path"] == "/nowhere/[redacted-jwt]"
    assert "route" not in direct


def test_with_a_filter_or_a_second_handler_the_line_goes_through_logging() -> None:
    stream, other = io.StringIO(), io.StringIO()
    logger, handler = _logger_with(stream, "tests.fallback")
    seen: list[logging.LogRecord] = []

    def keep(record: logging.LogRecord) -> bool:
        seen.append(record)
        return True

    handler.addFilter(keep)
    log_lines.DirectLines(logger).write(logging.INFO, "GET /x 404", ACCESS_FIELDS)
    assert len(seen) == 1
    assert json.loads(stream.getvalue())["status"] == 404

    handler.removeFilter(keep)
    logger.addHandler(logging.StreamHandler(other))  # a plain-text second destination
    log_lines.DirectLines(logger).write(logging.INFO, "GET /x 404", ACCESS_FIELDS)
    assert other.getvalue() == "GET /x 404\n"
    assert stream.getvalue().count("\n") == 2
