"""The mock model with a gate: every streamed answer holds after its first chunk until :meth:`release` is called.

Lets a test put many streams in a known state ("first chunk delivered, more to come") before acting, e.g. sending
SIGTERM to the gateway, instead of racing a timer.
"""

from __future__ import annotations

import asyncio
import threading

from wardgate.mock import create_mock_app
from wardgate.types import Message, Receive, Scope, Send


class GatedMock:
    def __init__(self, delay_per_chunk: float = 0.05) -> None:
        self._mock = create_mock_app(delay_per_chunk=delay_per_chunk)
        self._lock = threading.Lock()
        self._released = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._opened: asyncio.Event | None = None
        self.held = 0
        """Streams currently waiting at the gate."""

    def release(self) -> None:
        """Open the gate (from any thread); later streams pass without stopping."""
        with self._lock:
            self._released = True
            loop, opened = self._loop, self._opened
        if loop is not None and opened is not None and not loop.is_closed():
            loop.call_soon_threadsafe(opened.set)

    def _gate(self) -> asyncio.Event:
        with self._lock:
            if self._opened is None:
                self._loop = asyncio.get_running_loop()
                self._opened = asyncio.Event()
                if self._released:
                    self._opened.set()
            return self._opened

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._mock(scope, receive, send)
            return
        bodies = 0
        gate = self._gate()

        async def gated_send(message: Message) -> None:
            nonlocal bodies
            if message["type"] == "http.response.body" and message.get("more_body", False):
                bodies += 1
                if bodies == 2 and not gate.is_set():
                    self.held += 1
                    try:
                        await gate.wait()
                    finally:
                        self.held -= 1
            await send(message)

        await self._mock(scope, receive, gated_send)
