"""Run the gateway under uvicorn: TLS/mTLS termination and graceful shutdown on SIGTERM.

On SIGTERM uvicorn stops accepting connections, lets in-flight requests and streams finish for up to
``server.shutdown_grace_seconds``, then runs the lifespan shutdown (upstream sessions and the store are closed).
"""

from __future__ import annotations

import math
import signal
import socket
import ssl
from pathlib import Path

import uvicorn

from wardgate.config.models import GatewayConfig
from wardgate.types import ASGIApp


def uvicorn_config(app: ASGIApp, config: GatewayConfig, port: int | None = None) -> uvicorn.Config:
    server = config.server
    tls: dict[str, object] = {}
    if server.tls is not None:
        tls = {"ssl_certfile": str(server.tls.cert_file), "ssl_keyfile": str(server.tls.key_file)}
        if server.tls.client_ca_file is not None:
            tls["ssl_ca_certs"] = str(server.tls.client_ca_file)
            tls["ssl_cert_reqs"] = ssl.CERT_REQUIRED if server.tls.require_client_cert else ssl.CERT_OPTIONAL
    return uvicorn.Config(
        app,
        host=server.host,
        port=server.port if port is None else port,
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=math.ceil(server.shutdown_grace_seconds),
        timeout_keep_alive=30,
        **tls,  # type: ignore[arg-type]
    )


def serve(app: ASGIApp, config: GatewayConfig, sock: socket.socket | None = None) -> None:
    """Block serving ``app`` until SIGINT/SIGTERM."""
    server = uvicorn.Server(uvicorn_config(app, config))
    # uvicorn re-raises a caught SIGTERM once its graceful shutdown is done; under the default disposition that kills
    # the process (status -15) after a clean drain. Route SIGTERM to the server instead, so ``serve`` returns.
    previous = signal.signal(signal.SIGTERM, server.handle_exit)
    try:
        server.run(sockets=[sock] if sock is not None else None)
    finally:
        signal.signal(signal.SIGTERM, previous)


def describe_url(config: GatewayConfig, port: int) -> str:
    scheme = "https" if config.server.tls is not None else "http"
    host = config.server.host
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only formatting a URL
        host = "127.0.0.1"
    return f"{scheme}://{host}:{port}"


def cert_paths_exist(config: GatewayConfig) -> list[Path]:
    tls = config.server.tls
    if tls is None:
        return []
    paths = [tls.cert_file, tls.key_file, *([tls.client_ca_file] if tls.client_ca_file else [])]
    return [p for p in paths if not p.exists()]
