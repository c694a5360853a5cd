"""An upstream that streams chunks slowly and without end, and records how its client went away.

Used to prove that a client disconnecting from the gateway cancels the gateway's upstream request: the gateway
must close its upstream connection, which this app observes as an ``http.disconnect`` (or as its task being
cancelled, or its ``send`` failing).
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field

from wardgate.types import Receive, Scope, Send


@dataclass
class EndlessStreamUpstream:
    """``POST`` anything: headers, then one ``chat.completion.chunk`` every ``interval`` seconds, never ``[DONE]``."""

    interval: float = 0.05
    max_chunks: int = 2000
    started: threading.Event = field(default_factory=threading.Event)
    """Set once a stream has sent its first chunk."""
    gone: threading.Event = field(default_factory=threading.Event)
    """Set once the client went away (disconnect seen, task cancelled or send failed)."""
    how: list[str] = field(default_factory=list)
    chunks_sent: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                self._record("disconnect_before_body")
                return
            more = message.get("more_body", False)
        watcher = asyncio.ensure_future(self._watch(receive))
        try:
            await self._stream(send)
        except asyncio.CancelledError:
            self._record("cancelled")
            raise
        except OSError:
            self._record("send_failed")
        finally:
            watcher.cancel()

    async def _watch(self, receive: Receive) -> None:
        message = await receive()
        if message["type"] == "http.disconnect":
            self._record("disconnect")

    async def _stream(self, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index in range(self.max_chunks):
            if self.gone.is_set():
                return
            chunk = {
                "id": "endless",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "delta": {"content": f"w{index} "}, "finish_reason": None}],
            }
            await send(
                {"type": "http.response.body", "body": f"data: {json.dumps(chunk)}\n\n".encode(), "more_body": True}
            )
            self.chunks_sent += 1
            self.started.set()
            await asyncio.sleep(self.interval)
        await send({"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False})

    def _record(self, how: str) -> None:
        self.how.append(how)
        self.gone.set()
