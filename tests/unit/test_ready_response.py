"""``ready_json``: what the hottest reads send, built without Litestar's rendering."""

import asyncio
from typing import Any, cast

import msgspec
from litestar.response.base import ASGIResponse
from litestar.types import Scope

from entrypoints.http.envelope import Data, ReadyResponse, ready_json


class Thing(msgspec.Struct, rename="camel"):
    thing_id: str


def sent(response: ASGIResponse) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        messages.append(message)

    async def receive() -> Any:
        raise AssertionError("a response never reads the request")

    # A response reads nothing of its scope but the method (for HEAD): the rest is left out.
    scope = cast(Scope, {"type": "http", "method": "GET"})
    asyncio.run(response(scope, receive, send))
    return messages


def test_an_answer_is_sent_as_litestar_would_send_it() -> None:
    content = Data(data=Thing(thing_id="a1"))
    expected = ASGIResponse(
        body=msgspec.json.encode(content), headers={"ETag": '"3"'}, media_type="application/json"
    )
    assert sent(ready_json(content, headers={"ETag": '"3"'})) == sent(expected)
    assert sent(ready_json(content, headers={"ETag": '"3"'}))[0]["headers"] == [
        (b"etag", b'"3"'),
        (b"content-type", b"application/json"),
        (b"content-length", b"25"),  # {"data":{"thingId":"a1"}}
    ]


def test_an_answer_without_content_has_no_body_and_no_content_headers() -> None:
    messages = sent(ready_json(None, status_code=304, headers={"ETag": '"3"'}))
    assert messages == sent(ASGIResponse(status_code=304, headers={"ETag": '"3"'}))
    assert messages[0] == {
        "type": "http.response.start",
        "status": 304,
        "headers": [(b"etag", b'"3"')],
    }
    assert messages[1]["body"] == b""


def test_every_attribute_of_a_litestar_response_is_set() -> None:
    # ReadyResponse skips ASGIResponse.__init__: a slot a later Litestar adds must be set too.
    response = ready_json(Data(data=Thing(thing_id="a1")), headers={})
    assert isinstance(response, ReadyResponse)
    for slot in ASGIResponse.__slots__:
        getattr(response, slot)  # AttributeError when one is left unset
    assert response.encode_headers() == response.headers.headers
