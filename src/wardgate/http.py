"""Small HTTP helpers over raw ASGI: read a bounded body, parse JSON strictly, send JSON and errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wardgate.errors import BadRequestError, GatewayError, PayloadTooLargeError, envelope_bytes
from wardgate.types import Headers, JSONObject, Receive, Scope, Send


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    """Lower-cased names; the first value wins for repeated headers."""
    client: str | None

    @classmethod
    def from_scope(cls, scope: Scope) -> Request:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope.get("headers", ()):
            name = raw_name.decode("latin-1").lower()
            if name not in headers:
                headers[name] = raw_value.decode("latin-1")
        client = scope.get("client")
        return cls(scope["method"], scope["path"], headers, client[0] if client else None)


async def read_body(receive: Receive, request: Request, limit: int) -> bytes:
    """Read the whole request body, refusing early (413) once it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"Request body exceeds {limit} bytes.", code="request_too_large")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            raise PayloadTooLargeError(f"Request body exceeds {limit} bytes.", code="request_too_large")
        chunks.append(body)
        if not message.get("more_body", False):
            return b"".join(chunks)


class ClientDisconnected(Exception):
    """The client went away; there is nobody to answer."""


def parse_json_object(body: bytes) -> JSONObject:
    """Decode a JSON object body: invalid UTF-8, invalid JSON and non-objects are distinct 400s."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequestError("Request body is not valid UTF-8.", code="invalid_encoding") from None
    try:
        value: Any = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the decoder's stack allows
        raise BadRequestError("Request body is not valid JSON.", code="invalid_json") from None
    if not isinstance(value, dict):
        raise BadRequestError("Request body must be a JSON object.", code="invalid_request")
    return value


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _encode_headers(extra: dict[str, str] | None) -> Headers:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items()]


async def send_bytes(
    send: Send, status: int, body: bytes, content_type: bytes, headers: dict[str, str] | None = None
) -> None:
    raw = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *_encode_headers(headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def send_json(send: Send, status: int, value: Any, headers: dict[str, str] | None = None) -> None:
    await send_bytes(send, status, json_bytes(value), b"application/json", headers)


async def send_error(send: Send, exc: GatewayError) -> None:
    await send_bytes(send, exc.status, envelope_bytes(exc), b"application/json", exc.headers)
