"""A local, deterministic, OpenAI-compatible model server as a plain ASGI application.

Used as the upstream of ``wardgate demo`` and of the tests. Routes:

* ``GET /v1/models`` and ``GET /v1/models/{id}``: the mock models;
* ``POST /v1/chat/completions``: canned answers, tool calls, JSON output, streaming (server-sent events);
* ``POST /v1/embeddings``: deterministic unit-norm vectors (``float`` or ``base64``).

Errors use the OpenAI envelope ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from wardgate.mock.replies import (
    build_reply,
    embedding_inputs,
    embedding_vector,
    encode_base64,
    message_text,
)
from wardgate.mock.stream import ChunkHeader, stream_chunks
from wardgate.types import ASGIApp, Headers, JSONObject, Receive, Scope, Send

MOCK_MODELS = ("mock-small", "mock-large", "mock-embed")
MODELS_CREATED = 1_700_000_000
OWNER = "wardgate-mock"
_ROUTES = {
    "/v1/models": "GET",
    "/v1/chat/completions": "POST",
    "/v1/embeddings": "POST",
}
_MODEL_PREFIX = "/v1/models/"


class MockHTTPError(Exception):
    """An error answered in the OpenAI envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: Headers | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.code = code
        self.param = param
        self.headers: Headers = headers or []

    def body(self) -> bytes:
        error = {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}
        return json.dumps({"error": error}).encode()


class _ClientGone(Exception):
    """The client disconnected before the request body was read."""


def create_mock_app(delay_per_chunk: float = 0.0) -> ASGIApp:
    """The mock model server; ``delay_per_chunk`` seconds are slept between streamed chunks."""
    return MockModelApp(delay_per_chunk=delay_per_chunk)


def model_object(model_id: str) -> JSONObject:
    return {"id": model_id, "object": "model", "created": MODELS_CREATED, "owned_by": OWNER}


class MockModelApp:
    """The ASGI callable behind :func:`create_mock_app`."""

    def __init__(self, *, delay_per_chunk: float = 0.0) -> None:
        if delay_per_chunk < 0:
            raise ValueError("delay_per_chunk must not be negative")
        self.delay_per_chunk = delay_per_chunk
        self._ids = itertools.count(1)
        self.last_prompt: str | None = None
        """The last user message this mock received (the demo shows what reached the "model")."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _run_lifespan(receive, send)
            return
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1000})
            return
        try:
            await self._dispatch(scope, receive, send)
        except MockHTTPError as error:
            await _send_bytes(send, error.status, error.body(), error.headers)
        except _ClientGone:
            return

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = str(scope.get("method", "GET")).upper()
        path = str(scope.get("path", "/"))
        if len(path) > 1:
            path = path.rstrip("/")
        allowed = "GET" if path.startswith(_MODEL_PREFIX) else _ROUTES.get(path)
        if allowed is None:
            raise MockHTTPError(404, f"Invalid URL ({method} {path})", code="unknown_url")
        if method != allowed:
            raise MockHTTPError(
                405,
                f"Method {method} not allowed for {path}; use {allowed}",
                code="method_not_allowed",
                headers=[(b"allow", allowed.encode())],
            )
        if path == "/v1/models":
            await _send_json(send, 200, {"object": "list", "data": [model_object(m) for m in MOCK_MODELS]})
        elif path.startswith(_MODEL_PREFIX):
            await self._retrieve_model(path[len(_MODEL_PREFIX) :], send)
        elif path == "/v1/embeddings":
            await self._embeddings(await _read_json(receive), send)
        else:
            await self._chat(await _read_json(receive), send)

    async def _retrieve_model(self, model_id: str, send: Send) -> None:
        if model_id not in MOCK_MODELS:
            raise MockHTTPError(404, f"The model '{model_id}' does not exist", code="model_not_found", param="model")
        await _send_json(send, 200, model_object(model_id))

    async def _chat(self, body: JSONObject, send: Send) -> None:
        model = _require_model(body)
        _validate_chat(body)
        users = [m for m in body["messages"] if isinstance(m, dict) and m.get("role") == "user"]
        self.last_prompt = message_text(users[-1]) if users else None
        reply = build_reply(body)
        completion_id = f"chatcmpl-mock-{next(self._ids)}"
        created = int(time.time())
        if body.get("stream") is True:
            options = body.get("stream_options")
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            header = ChunkHeader(completion_id, created, model, include_usage)
            await self._stream(send, stream_chunks(reply, header))
            return
        completion: JSONObject = {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": reply.message(),
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": reply.usage(),
            "system_fingerprint": None,
        }
        await _send_json(send, 200, completion)

    async def _stream(self, send: Send, chunks: list[JSONObject]) -> None:
        headers: Headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for position, chunk in enumerate(chunks):
            if position and self.delay_per_chunk:
                await asyncio.sleep(self.delay_per_chunk)
            event = f"data: {json.dumps(chunk)}\n\n".encode()
            await send({"type": "http.response.body", "body": event, "more_body": True})
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})

    async def _embeddings(self, body: JSONObject, send: Send) -> None:
        model = _require_model(body)
        if "input" not in body:
            raise MockHTTPError(
                400, "Missing required parameter: 'input'.", code="missing_required_parameter", param="input"
            )
        inputs = embedding_inputs(body["input"])
        if inputs is None:
            raise MockHTTPError(
                400,
                "'input' must be a non-empty string, list of strings, or list of token ids.",
                code="invalid_type",
                param="input",
            )
        encoding = body.get("encoding_format", "float")
        if encoding not in (None, "float", "base64"):
            raise MockHTTPError(
                400,
                "'encoding_format' must be 'float' or 'base64'.",
                code="invalid_value",
                param="encoding_format",
            )
        data: list[JSONObject] = []
        for index, (text, _tokens) in enumerate(inputs):
            vector = embedding_vector(text)
            encoded: Any = encode_base64(vector) if encoding == "base64" else vector
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(count for _text, count in inputs)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        await _send_json(send, 200, {"object": "list", "data": data, "model": model, "usage": usage})


def _require_model(body: JSONObject) -> str:
    model = body.get("model")
    if model is None:
        raise MockHTTPError(
            400, "Missing required parameter: 'model'.", code="missing_required_parameter", param="model"
        )
    if not isinstance(model, str) or not model:
        raise MockHTTPError(400, "'model' must be a non-empty string.", code="invalid_type", param="model")
    return model


def _validate_chat(body: JSONObject) -> None:
    messages = body.get("messages")
    if messages is None:
        raise MockHTTPError(
            400,
            "Missing required parameter: 'messages'.",
            code="missing_required_parameter",
            param="messages",
        )
    if not isinstance(messages, list) or not messages:
        raise MockHTTPError(400, "'messages' must be a non-empty array.", code="invalid_type", param="messages")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise MockHTTPError(
                400,
                f"'messages[{index}]' must be an object with a string 'role'.",
                code="invalid_type",
                param=f"messages[{index}]",
            )
    for name, kind, label in (("tools", list, "an array"), ("response_format", dict, "an object")):
        value = body.get(name)
        if value is not None and not isinstance(value, kind):
            raise MockHTTPError(400, f"'{name}' must be {label}.", code="invalid_type", param=name)
    if not isinstance(body.get("stream", False), bool | None):
        raise MockHTTPError(400, "'stream' must be a boolean.", code="invalid_type", param="stream")


async def _read_json(receive: Receive) -> JSONObject:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    try:
        body = json.loads(b"".join(chunks))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise MockHTTPError(400, "We could not parse the JSON body of your request.", code="invalid_json") from exc
    if not isinstance(body, dict):
        raise MockHTTPError(400, "The request body must be a JSON object.", code="invalid_json")
    return body


async def _send_json(send: Send, status: int, payload: JSONObject) -> None:
    await _send_bytes(send, status, json.dumps(payload).encode())


async def _send_bytes(send: Send, status: int, body: bytes, extra: Headers | None = None) -> None:
    headers: Headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _run_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
