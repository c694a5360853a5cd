"""Run ASGI apps under real uvicorn on loopback ports, in a background thread (no fixed sleeps)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from wardgate.types import ASGIApp


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    """A loopback port nobody listens on now (bound, then closed): for a server started later, or a refused call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until(predicate: Any, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.005)


@contextmanager
def serve_in_thread(app: ASGIApp, config: uvicorn.Config | None = None, **kwargs: Any) -> Iterator[int]:
    """Serve ``app`` on a free 127.0.0.1 port; yields the port; stops the server on exit."""
    sock = free_socket()
    port = sock.getsockname()[1]
    cfg = config or uvicorn.Config(app, log_level="warning", lifespan=kwargs.pop("lifespan", "on"), **kwargs)
    server = uvicorn.Server(cfg)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), what="server start")
        if not server.started:
            raise RuntimeError("server failed to start")
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
