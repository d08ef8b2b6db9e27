"""JSON log lines, one object per line, with request fields and secrets scrubbed."""

import logging
import re
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
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
# Text none of the scrubbers above can change lacks all of these once lower-cased: one search
# instead of four substitutions for almost every value. Keep it in step with _SCRUBBERS. (It
# searches the lower-cased text: a case-insensitive alternation is 5-10 times slower, about
# 6 us a value, which made it the dearest part of an access line.)
_MAY_HOLD_SECRET = re.compile(
    r"eyj|bearer|basic|passw|secret|token|api[_-]?key|authorization|x-amz-|sig="
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
    if not _MAY_HOLD_SECRET.search(text.lower()):
        return text
    for pattern, replacement in _SCRUBBERS:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=1024)  # the same few field names come back on every line
def _is_sensitive_key(key: str) -> bool:
    return _SENSITIVE_KEY.search(key) is not None


def _clean(key: str, value: object) -> object:
    if _is_sensitive_key(key):
        return "[redacted]"
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, int | float):  # bool is an int
        return value
    if isinstance(value, Mapping):
        return {str(k): _clean(str(k), v) for k, v in value.items()}
    return scrub(str(value))


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, request fields, extras."""

    _second = -1
    _second_text = ""

    def _time(self, created: float) -> str:
        """``created`` in ISO 8601 (UTC, milliseconds); the date and time made once a second."""
        second = int(created)
        micros = round((created - second) * 1e6)  # as datetime.fromtimestamp rounds
        if micros >= 1_000_000:
            second, micros = second + 1, micros - 1_000_000
        if second != self._second:
            self._second_text = datetime.fromtimestamp(second, UTC).isoformat()[:19]
            self._second = second
        return f"{self._second_text}.{micros // 1000:03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        extras = {
            key: value
            for key, value in record.__dict__.items()
            if key not in _RESERVED and not key.startswith("_")
        }
        trace = None
        if record.exc_info:
            trace = "".join(traceback.format_exception(*record.exc_info))
        return self.line(
            record.created, record.levelname, record.name, record.getMessage(), extras, trace
        )

    def line(
        self,
        created: float,
        level_name: str,
        logger_name: str,
        message: str,
        extras: Mapping[str, object],
        exception: str | None = None,
        *,
        scrubbed: bool = False,
    ) -> str:
        """One JSON line: time, level, logger, message, the request's fields, ``extras``
        (secrets scrubbed unless the caller says it did that, ``None`` values left out), then
        the exception's traceback."""
        line: dict[str, Any] = {
            "time": self._time(created),
            "level": level_name.lower(),
            "logger": logger_name,
            "message": scrub(message),
        }
        context = log_context.get()
        if context is not None:
            line.update({k: v for k, v in context().items() if v is not None})
        if scrubbed:
            line.update({key: value for key, value in extras.items() if value is not None})
        else:
            for key, value in extras.items():
                if value is not None:
                    line[key] = _clean(key, value)
        if exception is not None:
            line["exception"] = scrub(exception)
        return msgspec.json.encode(line).decode()


class DirectLines:
    """Lines of one logger written straight to the JSON handler its records would reach.

    ``logging`` builds a ``LogRecord``, walks filters and handlers and takes the handler's lock
    around a formatter that copies the record's attributes back out: most of a 30-40 us access
    line, written on every request. When the logger's records would reach exactly one handler,
    a ``StreamHandler`` with a ``JsonFormatter`` and no filters (what ``configure_logging``
    sets up), ``write`` formats the same line with that formatter and writes it to that stream
    under the handler's lock, flushed as ``StreamHandler`` does. With any other configuration
    (tests capturing records, extra handlers or filters) it goes through ``logging`` instead.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def enabled(self, level: int) -> bool:
        return self.logger.isEnabledFor(level)

    def write(
        self, level: int, message: str, extras: Mapping[str, object], *, scrubbed: bool = False
    ) -> None:
        """Log ``message`` with ``extras``; callers check ``enabled`` first.

        ``scrubbed``: the caller vouches that no value (names included) can hold a secret:
        numbers, values of its own, and ``scrub``-ed text from outside.
        """
        handler = self._only_handler(level)
        if handler is not None and self._write_to(handler, level, message, extras, scrubbed):
            return
        self.logger.log(level, "%s", message, extra=dict(extras))

    def _write_to(
        self,
        handler: logging.StreamHandler[Any],
        level: int,
        message: str,
        extras: Mapping[str, object],
        scrubbed: bool,
    ) -> bool:
        formatter = handler.formatter
        assert isinstance(formatter, JsonFormatter)
        text = formatter.line(
            time.time(),
            logging.getLevelName(level),
            self.logger.name,
            message,
            extras,
            scrubbed=scrubbed,
        )
        handler.acquire()
        try:
            handler.stream.write(text + handler.terminator)
            handler.flush()
        except Exception:
            return False  # the logging path reports the failure, as it always did
        finally:
            handler.release()
        return True

    def _only_handler(self, level: int) -> logging.StreamHandler[Any] | None:
        if self.logger.filters:
            return None
        found: list[logging.Handler] = []
        current: logging.Logger | None = self.logger
        while current is not None:
            found.extend(current.handlers)
            if not current.propagate:
                break
            current = current.parent
        if len(found) != 1:
            return None
        handler = found[0]
        if (
            isinstance(handler, logging.StreamHandler)
            and isinstance(handler.formatter, JsonFormatter)
            and not handler.filters
            and handler.level <= level
        ):
            return handler
        return None


def configure_logging(level: str = "INFO", *, stream: Any = None) -> None:
    """Send every logger's records, as JSON lines, to ``stream`` (standard output by default)."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter())
    # What a JSON line never carries is not gathered for each record either (the logging
    # documentation's "Optimization" switches): caller's file and line, thread, process, task.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.logAsyncioTasks = False  # type: ignore[attr-defined]  # 3.12+, not in typeshed yet
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The servers' own access logs are replaced by ours; their other records go through the handler.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "litestar"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
