"""One upstream exchange: POST a JSON body, get back a JSON object or an open event stream.

Timeouts (from the upstream's config): ``connect`` for the TCP/TLS handshake, ``read`` for the whole non-streamed
answer (or the first byte of a stream), ``stream_idle`` between two stream chunks, ``total`` for everything.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from wardgate.errors import GatewayError, UpstreamError
from wardgate.proxy import errors as upstream_errors
from wardgate.proxy.headers import passed_back, upstream_request_headers
from wardgate.proxy.upstreams import Upstream
from wardgate.types import Headers, JSONObject

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_ERROR_BODY_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    body: JSONObject
    headers: Headers
    raw: bytes
    """The upstream's bytes, relayed as they are when nothing in ``body`` was changed."""


def _request_timeout(upstream: Upstream) -> aiohttp.ClientTimeout:
    t = upstream.config.timeouts
    return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=t.connect, sock_read=None)


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise UpstreamError("The upstream answer is too large.", code="upstream_response_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


async def _raise_for_status(resp: aiohttp.ClientResponse) -> None:
    if resp.status < 400:
        return
    try:
        body = await resp.content.read(_ERROR_BODY_BYTES)
    except (aiohttp.ClientError, TimeoutError):
        body = b""
    raise upstream_errors.from_status(resp.status, body, resp.headers.get("retry-after"))


async def post_json(upstream: Upstream, path: str, payload: bytes, request_id: str) -> JsonAnswer:
    return await _exchange(upstream, "POST", path, payload, request_id)


async def get_json(upstream: Upstream, path: str, request_id: str) -> JsonAnswer:
    return await _exchange(upstream, "GET", path, None, request_id)


async def _exchange(upstream: Upstream, method: str, path: str, payload: bytes | None, request_id: str) -> JsonAnswer:
    t = upstream.config.timeouts
    try:
        async with asyncio.timeout(min(t.read, t.total)):
            async with upstream.client().request(
                method,
                upstream.url(path),
                data=payload,
                headers=upstream_request_headers(upstream, request_id, streaming=False),
                timeout=_request_timeout(upstream),
                allow_redirects=False,
            ) as resp:
                await _raise_for_status(resp)
                raw = await _read_limited(resp, MAX_RESPONSE_BYTES)
                headers = passed_back(resp.headers)
    except GatewayError:
        raise
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise upstream_errors.from_exception(exc) from exc
    try:
        body: Any = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise UpstreamError("The upstream answered with invalid JSON.", code="upstream_invalid_response")
    return JsonAnswer(body, headers, raw)


@dataclass(slots=True)
class OpenStream:
    response: aiohttp.ClientResponse
    headers: Headers
    deadline: float
    """Loop time by which the whole stream must be over (``total`` timeout)."""
    idle: float


@asynccontextmanager
async def open_stream(upstream: Upstream, path: str, payload: bytes, request_id: str) -> AsyncIterator[OpenStream]:
    """Send a streaming request and yield once the upstream's 2xx headers are in (errors are mapped)."""
    t = upstream.config.timeouts
    loop = asyncio.get_running_loop()
    deadline = loop.time() + t.total
    try:
        async with asyncio.timeout(min(t.read, t.total)):
            resp = await upstream.client().post(
                upstream.url(path),
                data=payload,
                headers=upstream_request_headers(upstream, request_id, streaming=True),
                timeout=_request_timeout(upstream),
                allow_redirects=False,
            )
            try:
                await _raise_for_status(resp)
            except BaseException:
                resp.release()
                raise
    except GatewayError:
        raise
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise upstream_errors.from_exception(exc) from exc
    try:
        yield OpenStream(resp, passed_back(resp.headers), deadline, t.stream_idle)
    finally:
        resp.close()


async def next_chunk(stream: OpenStream) -> bytes:
    """The next bytes of the stream (``b""`` at its end), bounded by the idle and total timeouts."""
    loop = asyncio.get_running_loop()
    wait = min(stream.idle, stream.deadline - loop.time())
    try:
        if wait <= 0:
            raise TimeoutError
        async with asyncio.timeout(wait):
            return await stream.response.content.readany()
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError) as exc:
        # The stream had started: a dropped connection means the client got a truncated stream.
        raise UpstreamError("The upstream stream ended early.", code="upstream_stream_interrupted") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise upstream_errors.from_exception(exc) from exc
