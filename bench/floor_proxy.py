"""Bare pass-through proxy: the lower bound for any Python/aiohttp gateway.

One aiohttp.web server plus one shared aiohttp.ClientSession. It forwards the
request body to the upstream and returns the upstream body and status; no
auth, no parsing, no checks, no logging::

    python bench/floor_proxy.py --port 18001 --upstream http://127.0.0.1:18000
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from evloop import new_event_loop

UPSTREAM_KEY = web.AppKey("upstream", str)
SESSION_KEY = web.AppKey("session", aiohttp.ClientSession)


async def _session_ctx(app: web.Application) -> AsyncIterator[None]:
    connector = aiohttp.TCPConnector(limit=256, keepalive_timeout=60)
    async with aiohttp.ClientSession(connector=connector) as session:
        app[SESSION_KEY] = session
        yield


async def forward(request: web.Request) -> web.Response:
    session = request.app[SESSION_KEY]
    url = request.app[UPSTREAM_KEY] + request.rel_url.path_qs
    body = await request.read()
    headers = {"Content-Type": request.headers.get("Content-Type", "application/json")}
    async with session.request(request.method, url, data=body, headers=headers) as upstream:
        payload = await upstream.read()
        return web.Response(
            status=upstream.status,
            body=payload,
            content_type=upstream.content_type,
        )


def make_app(upstream: str) -> web.Application:
    app = web.Application()
    app[UPSTREAM_KEY] = upstream.rstrip("/")
    app.cleanup_ctx.append(_session_ctx)
    app.router.add_post("/v1/chat/completions", forward)
    app.router.add_get("/v1/models", forward)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="upstream origin, e.g. http://127.0.0.1:18000")
    args = parser.parse_args()
    app = make_app(args.upstream)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None, loop=new_event_loop())


if __name__ == "__main__":
    main()
