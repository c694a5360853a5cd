"""Serve an ASGI app with uvicorn in a background thread (used by the demo; tests have their own)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from wardgate.types import ASGIApp


@dataclass
class BackgroundServer:
    server: uvicorn.Server
    thread: threading.Thread
    port: int

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start_background(app: ASGIApp, host: str = "127.0.0.1", port: int = 0, timeout: float = 15.0) -> BackgroundServer:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="wardgate-demo")
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("demo server failed to start")
        time.sleep(0.01)
    return BackgroundServer(server, thread, sock.getsockname()[1])
