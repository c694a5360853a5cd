"""Map upstream failures (aiohttp exceptions, HTTP statuses) to gateway errors with stable codes.

The upstream's body is never copied into the client's error: it may echo the prompt or carry provider details.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import aiohttp

from wardgate.errors import (
    BadRequestError,
    GatewayError,
    NotFoundError,
    RateLimitError,
    UpstreamError,
    UpstreamTimeoutError,
)

_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def from_exception(exc: BaseException) -> GatewayError:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return UpstreamTimeoutError("The upstream did not answer in time.", code="upstream_timeout")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return UpstreamError("The upstream is unreachable.", code="upstream_unavailable")
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ServerDisconnectedError):
        return UpstreamError("The upstream closed the connection early.", code="upstream_disconnected")
    return UpstreamError("The upstream request failed.", code="upstream_error")


def _safe(value: Any) -> str | None:
    return value if isinstance(value, str) and _SAFE_TOKEN.match(value) else None


def _upstream_code(body: bytes) -> tuple[str | None, str | None]:
    """The upstream's own error ``code`` and ``param`` if they are short identifiers (never its message)."""
    try:
        obj = json.loads(body)
    except ValueError:
        return None, None
    err = obj.get("error") if isinstance(obj, dict) else None
    if not isinstance(err, dict):
        return None, None
    return _safe(err.get("code")), _safe(err.get("param"))


def from_status(status: int, body: bytes, retry_after: str | None) -> GatewayError:
    code, param = _upstream_code(body)
    if status == 429:
        headers = {"retry-after": retry_after} if retry_after and retry_after.isdigit() else None
        return RateLimitError("The upstream is rate limiting.", code="upstream_rate_limited", headers=headers)
    if status in (401, 403):
        # The gateway's own upstream credential was refused: not the caller's fault.
        return UpstreamError("The gateway's upstream credential was rejected.", code="upstream_auth_failed")
    if status == 404:
        return NotFoundError("The upstream does not know this model or route.", code=code or "upstream_not_found")
    if 400 <= status < 500:
        return BadRequestError("The upstream rejected the request.", code=code or "upstream_bad_request", param=param)
    if status == 504:
        return UpstreamTimeoutError("The upstream timed out.", code="upstream_timeout")
    return UpstreamError("The upstream failed to answer.", code="upstream_error")
