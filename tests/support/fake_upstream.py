"""A fake OpenAI-compatible upstream: the built-in mock model plus recording and fault injection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from support import scripted
from wardgate.mock import create_mock_app
from wardgate.types import JSONObject, Message, Receive, Scope, Send


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        value = json.loads(self.body)
        assert isinstance(value, dict)
        return value


@dataclass
class FakeUpstream:
    """``fault`` picks the behaviour: ``None`` (normal), ``"500"``, ``"slow"``, ``"malformed"``, ``"cut_stream"``,
    ``"slow_stream"`` (stalls after the first chunk), ``"401"``, ``"429"``.

    Scripted chat answers (only without a fault; embeddings and other routes stay on the mock model): with ``reply``
    set the answer carries that content, with ``reply_tool_args`` set one tool call with those arguments, with
    ``echo`` the content is the last user message exactly as received, and with ``responder`` the content is what it
    returns for the received body. Streamed, the text comes in pieces of exactly ``chunk_chars`` characters (see
    :mod:`support.scripted`)."""

    fault: str | None = None
    delay: float = 5.0
    requests: list[Recorded] = field(default_factory=list)
    reply: str | None = None
    reply_tool_args: str | None = None
    chunk_chars: int = 4
    echo: bool = False
    responder: Callable[[JSONObject], str] | None = None
    finish_with_content: bool = False

    @property
    def scripted(self) -> bool:
        return self.reply is not None or self.reply_tool_args is not None or self.echo or self.responder is not None

    def reset(self) -> None:
        """Back to the plain mock model, with the record cleared (for module-scoped upstreams)."""
        self.fault = None
        self.reply = self.reply_tool_args = None
        self.chunk_chars = 4
        self.echo = self.finish_with_content = False
        self.responder = None
        self.requests.clear()

    def __post_init__(self) -> None:
        self._mock = create_mock_app()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append(Recorded(scope["method"], scope["path"], headers, body))
        if self.fault is None and self.scripted and scope["path"].endswith("/chat/completions"):
            await self._scripted(body, send)
        elif self.fault is None:
            await self._mock(scope, _replay(body), send)
        else:
            await self._faulty(scope, body, send)

    async def _scripted(self, raw: bytes, send: Send) -> None:
        body = json.loads(raw)
        content: str | None
        if self.responder is not None:
            content = self.responder(body)
        else:
            content = scripted.last_user_text(body) if self.echo else self.reply
        script = scripted.Script(content, self.reply_tool_args, self.chunk_chars, self.finish_with_content)
        if body.get("stream") is True:
            headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            for event in scripted.stream_events(body, script):
                await send({"type": "http.response.body", "body": event, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        payload = json.dumps(scripted.completion(body, script)).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})

    async def _faulty(self, scope: Scope, body: bytes, send: Send) -> None:
        fault = self.fault
        if fault in ("500", "401", "429"):
            payload = json.dumps({"error": {"message": "upstream secret detail sk-live-XYZ", "code": "boom"}})
            headers = [(b"content-type", b"application/json")]
            if fault == "429":
                headers.append((b"retry-after", b"7"))
            await send({"type": "http.response.start", "status": int(fault), "headers": headers})
            await send({"type": "http.response.body", "body": payload.encode()})
        elif fault == "slow":
            await asyncio.sleep(self.delay)
            await self._mock(scope, _replay(body), send)
        elif fault == "malformed":
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": b'{"id": "x", "choices": [ not json'})
        elif fault in ("cut_stream", "slow_stream"):
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]}
            )
            chunk = {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}, "finish_reason": None}],
            }
            await send(
                {"type": "http.response.body", "body": f"data: {json.dumps(chunk)}\n\n".encode(), "more_body": True}
            )
            if fault == "slow_stream":
                await asyncio.sleep(self.delay)
            raise RuntimeError("simulated upstream crash mid-stream")


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    return receive
