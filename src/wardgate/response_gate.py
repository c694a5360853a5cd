"""``ResponseGate``: wraps ``send`` so a response is complete at the client only after its audit record is durable.

The acknowledgement rule (``audit.durability: sync``): the bytes that complete a response — the whole of a JSON
answer, or the ``data: [DONE]`` event and everything after it in a stream — are held here until the request's
audit record has been committed; then :meth:`release` sends them. If the record cannot be written, :meth:`fail`
replaces them with an error (a 503 envelope if nothing was sent yet, else a terminal stream error event), so a client
never receives a complete answer that the audit log does not have. Everything else passes straight through, so a
stream's tokens are not delayed.
"""

from __future__ import annotations

import re

from wardgate.context import RequestContext
from wardgate.errors import GatewayError, envelope_bytes
from wardgate.http import send_error
from wardgate.types import Message, Send

_DONE = re.compile(rb"(?m)^data: ?\[DONE\]\r?$")


class ResponseGate:
    """Adds the request id header, records the status, and (when ``hold``) holds the response's completing bytes."""

    __slots__ = ("_held", "_holding", "_pending_start", "_sent_start", "ctx", "hold", "send", "started")

    def __init__(self, send: Send, ctx: RequestContext, hold: bool) -> None:
        self.send = send
        self.ctx = ctx
        self.hold = hold
        self.started = False
        """A response start was produced (the error boundary must not produce a second one)."""
        self._pending_start: Message | None = None
        self._sent_start = False
        self._holding = False
        self._held: list[Message] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.ctx.status = message["status"]
            message["headers"] = [*message.get("headers", ()), (b"x-request-id", self.ctx.request_id.encode())]
            if self.hold:
                self._pending_start = message
                return
            self._sent_start = True
            await self.send(message)
            return
        if self.hold and (self._holding or _completes(message)):
            self._holding = True
            self._held.append(message)
            return
        await self._send_start()
        await self.send(message)

    async def release(self) -> None:
        """The audit record is durable: send what was held."""
        await self._send_start()
        held, self._held = self._held, []
        for message in held:
            await self.send(message)

    async def fail(self, exc: GatewayError) -> None:
        """The audit record could not be written: the held completion is dropped and the client gets ``exc``."""
        self._held = []
        if not self._sent_start:
            self._pending_start = None
            self.started = False
            self.ctx.status = exc.status
            await send_error(self, exc)
            await self.release()
            return
        event = b"data: " + envelope_bytes(exc) + b"\n\n"
        await self.send({"type": "http.response.body", "body": event, "more_body": False})

    async def _send_start(self) -> None:
        if self._pending_start is not None:
            start, self._pending_start = self._pending_start, None
            self._sent_start = True
            await self.send(start)


def _completes(message: Message) -> bool:
    if not message.get("more_body", False):
        return True
    body = message.get("body", b"")
    return b"[DONE]" in body and _DONE.search(body) is not None
