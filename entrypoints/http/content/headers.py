"""Headers of the content routes: ``ETag`` out, ``If-Match`` and ``Idempotency-Key`` in.

Unlike ``/assets``, no content route *requires* ``If-Match`` (the micro-drama front end never
sends it, so there is no 428 here): when it is sent it must name the current revision (412
``stale_revision`` otherwise); without it the change applies to whatever is current.
"""

from typing import Annotated

from litestar.params import HeaderParameter

from domain.content.model import Episode, Series
from domain.shared.errors import StaleRevisionError

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="if-match",
        max_length=100,
        description="Optional: the ETag this change is based on (412 when it is not current).",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="if-none-match", max_length=100, description="The ETag you hold: 304 if current."
    ),
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="idempotency-key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Send the same key again to get the first answer, not a second item.",
    ),
]


def etag_of(item: Series | Episode) -> dict[str, str]:
    return {"ETag": item.etag}


def expected_revision(if_match: str | None) -> int | None:
    """The revision ``If-Match`` names: None without the header or for ``*``; a value that
    cannot be an ETag of this API is 412, as a stale one is."""
    if if_match is None:
        return None
    value = if_match.strip()
    if value == "*":
        return None
    if value.startswith('"') and value.endswith('"') and value[1:-1].isdigit():
        return int(value[1:-1])
    raise StaleRevisionError("If-Match does not name a revision of this series or episode.")
