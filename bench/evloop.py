"""One event-loop choice for every benchmark process (servers and load generator)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def uvloop_available() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (uvicorn picks it for wardgate too), else the stock asyncio loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on ``new_event_loop()`` (Ctrl-C handling included)."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(coro)
