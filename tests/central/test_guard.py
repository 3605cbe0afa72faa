"""The API's overload guard and error answers: 429 and 503 carry Retry-After, 413 for bodies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

from central.api.errors import Guard, error_response


def _run(guard: Guard, headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": "http", "method": "POST", "path": "/api/v1/decisions", "headers": headers}
    asyncio.run(guard(scope, receive, send))
    return sent


async def _app(scope: Any, receive: Any, send: Any) -> None:
    await error_response(418, "reached the app")(scope, receive, send)


def _status(sent: list[dict[str, Any]]) -> tuple[int, dict[bytes, bytes], Any]:
    start = sent[0]
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    return start["status"], dict(start["headers"]), body


def test_a_busy_process_answers_429_with_retry_after() -> None:
    guard = Guard(_app, max_concurrent=2)
    assert _status(_run(guard, []))[0] == 418
    guard.active = 2
    status, headers, body = _status(_run(guard, []))
    assert (status, headers[b"retry-after"], body["error"]["code"]) == (429, b"2", "busy")


def test_a_body_over_16_mib_is_refused_before_it_is_read() -> None:
    status, _, body = _status(_run(Guard(_app), [(b"content-length", b"16777217")]))
    assert (status, body["error"]["code"]) == (413, "too_large")
    status, _, _ = _status(_run(Guard(_app), [(b"content-length", b"-1")]))
    assert status == 413


def test_503_always_says_when_to_retry() -> None:
    answer = error_response(503, "the database is busy")
    assert answer.headers["retry-after"] == "2"
    assert json.loads(bytes(answer.body))["error"] == {
        "code": "unavailable",
        "message": "the database is busy",
    }
