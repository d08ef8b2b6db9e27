"""JSON log lines, one object per line, with request fields and secrets scrubbed."""

import logging
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec

# Set per request by the HTTP layer: a callable giving the fields of every line of that request.
log_context: ContextVar[Callable[[], Mapping[str, object]] | None] = ContextVar(
    "log_context", default=None
)

_SENSITIVE_KEY = re.compile(
    r"pass(word)?|secret|token|authorization|cookie|api[_-]?key|private|credential", re.I
)
_SCRUBBERS = (
    # JSON Web Tokens (three base64url parts, the first one a JSON header).
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (
        re.compile(
            r"(?i)\b(password|passwd|secret|token|api[_-]?key|authorization)"
            r"(\"?\s*[:=]\s*\"?)([^\s\"&,;]+)"
        ),
        r"\1\2[redacted]",
    ),
    # Signed URL parameters (S3 SigV4 and our own upload/download tokens).
    (
        re.compile(
            r"(?i)([?&](X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|sig|token)=)[^&\s]+"
        ),
        r"\1[redacted]",
    ),
)
# Attributes every record has, plus uvicorn's ANSI-coloured duplicate of its message.
_RESERVED = frozenset(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}


def scrub(text: str) -> str:
    """Remove anything that looks like a credential from free text."""
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


def _clean(key: str, value: object) -> object:
    if _SENSITIVE_KEY.search(key):
        return "[redacted]"
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {str(k): _clean(str(k), v) for k, v in value.items()}
    if isinstance(value, int | float | bool) or value is None:
        return value
    return scrub(str(value))


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, request fields, extras."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        context = log_context.get()
        if context is not None:
            line.update({k: v for k, v in context().items() if v is not None})
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_") and value is not None:
                line[key] = _clean(key, value)
        if record.exc_info:
            line["exception"] = scrub("".join(traceback.format_exception(*record.exc_info)))
        return msgspec.json.encode(line).decode()


def configure_logging(level: str = "INFO", *, stream: Any = None) -> None:
    """Send every logger's records, as JSON lines, to ``stream`` (standard output by default)."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The servers' own access logs are replaced by ours; their other records go through the handler.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
