"""Cancel a request's work when its client disconnects (so the upstream call is cancelled too)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

from wardgate.http import ClientDisconnected
from wardgate.types import Receive

T = TypeVar("T")


async def cancel_on_disconnect(receive: Receive, work: Awaitable[T]) -> T:
    """Run ``work``; if ``receive`` reports ``http.disconnect`` first, cancel it and raise ClientDisconnected.

    Call only after the request body has been read in full: from then on ``receive`` waits for a disconnect.
    """
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(receive())
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        if watcher.result().get("type") == "http.disconnect":
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise ClientDisconnected
        return await task
    finally:
        if not watcher.done():
            watcher.cancel()
        if not task.done():
            task.cancel()
