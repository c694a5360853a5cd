"""Cancel a request's work when its client disconnects (so the upstream call is cancelled too)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from wardgate.http import ClientDisconnected
from wardgate.types import Receive

T = TypeVar("T")


async def cancel_on_disconnect(receive: Receive, work: Awaitable[T]) -> T:
    """Await ``work`` in this task; a watcher task cancels it if ``receive`` reports ``http.disconnect`` first.

    Call only after the request body has been read in full: from then on ``receive`` waits for a disconnect.
    One extra task per request (the watcher), none for the work itself.
    """
    task = asyncio.current_task()
    if task is None:  # pragma: no cover - always inside a task under an ASGI server
        return await work
    gone = False

    async def watch() -> None:
        nonlocal gone
        message = await receive()
        if message.get("type") == "http.disconnect":
            gone = True
            task.cancel()

    watcher = asyncio.create_task(watch())
    try:
        return await work
    except asyncio.CancelledError:
        if gone:
            task.uncancel()
            raise ClientDisconnected from None
        raise
    finally:
        watcher.cancel()
