"""HTTP phases for the guardrails benchmark: c=1 sequential, closed loop, and streamed c=1 with TTFB/TTLB.

Like ``loadgen.py`` (whose ``Endpoint``, ``PhaseResult`` and ``percentile`` it reuses) but with a request body
per phase, and a streaming client that times the first body byte, the first content delta and the last byte.
Every phase is bounded in request count and in time.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from loadgen import MAX_ERROR_SAMPLES, Endpoint, PhaseResult, percentile

REQUEST_TIMEOUT_S = 30.0
_CONTENT = re.compile(rb'"content":"[^"]')


def _session(limit: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, keepalive_timeout=60)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S))


async def _post(session: aiohttp.ClientSession, ep: Endpoint, body: bytes) -> tuple[float, str | None]:
    start = time.perf_counter()
    try:
        async with session.post(ep.url, data=body, headers=ep.headers) as resp:
            data = await resp.read()
            if resp.status != 200:
                return time.perf_counter() - start, f"HTTP {resp.status}: {data[:200]!r}"
            if b'"choices"' not in data:
                return time.perf_counter() - start, f"unexpected body: {data[:200]!r}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return time.perf_counter() - start, None


async def sequential(ep: Endpoint, body: bytes, requests: int, max_s: float) -> PhaseResult:
    result = PhaseResult()
    async with _session(limit=1) as session:
        begin = time.perf_counter()
        for _ in range(requests):
            if time.perf_counter() - begin > max_s:
                break
            result.record(*await _post(session, ep, body))
        result.elapsed_s = time.perf_counter() - begin
    return result


async def closed_loop(ep: Endpoint, body: bytes, concurrency: int, duration_s: float) -> PhaseResult:
    result = PhaseResult()

    async def worker(session: aiohttp.ClientSession, deadline: float) -> None:
        while time.perf_counter() < deadline:
            result.record(*await _post(session, ep, body))

    async with _session(limit=concurrency) as session:
        begin = time.perf_counter()
        await asyncio.gather(*(worker(session, begin + duration_s) for _ in range(concurrency)))
        result.elapsed_s = time.perf_counter() - begin
    return result


@dataclass
class StreamResult:
    ttfb_s: list[float] = field(default_factory=list)
    """First response body byte (the role chunk: guardrails release it at once)."""
    ttfc_s: list[float] = field(default_factory=list)
    """First non-empty content delta (guardrails hold back the first ``stream_holdback_chars``)."""
    ttlb_s: list[float] = field(default_factory=list)
    content_chars: list[int] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(text)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": len(self.ttlb_s), "errors": self.errors, "error_samples": self.error_samples}
        for name, values in (("ttfb", self.ttfb_s), ("ttfc", self.ttfc_s), ("ttlb", self.ttlb_s)):
            ordered = sorted(values)
            for pct in (50.0, 99.0):
                out[f"{name}_p{pct:.0f}_ms"] = round(percentile(ordered, pct) * 1000, 3) if ordered else None
        out["content_chars"] = sorted(set(self.content_chars))
        out["elapsed_s"] = round(self.elapsed_s, 3)
        return out


def content_chars(raw: bytes) -> int:
    """Characters of assistant content in an SSE body (checks nothing was redacted or cut)."""
    total = 0
    for event in raw.split(b"\n\n"):
        if not event.startswith(b"data: {"):
            continue
        for choice in json.loads(event[6:]).get("choices") or ():
            total += len((choice.get("delta") or {}).get("content") or "")
    return total


async def _stream_once(session: aiohttp.ClientSession, ep: Endpoint, body: bytes, out: StreamResult) -> None:
    start = time.perf_counter()
    first_byte = first_content = None
    pieces: list[bytes] = []
    try:
        async with session.post(ep.url, data=body, headers=ep.headers) as resp:
            async for piece in resp.content.iter_any():
                now = time.perf_counter()
                first_byte = first_byte or now
                if first_content is None and _CONTENT.search((pieces[-1][-16:] if pieces else b"") + piece):
                    first_content = now
                pieces.append(piece)
            last = time.perf_counter()
            status = resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        out.error(f"{type(exc).__name__}: {exc}")
        return
    raw = b"".join(pieces)
    if status != 200 or not raw.rstrip().endswith(b"data: [DONE]") or first_content is None:
        out.error(f"HTTP {status}: {raw[-200:]!r}")
        return
    out.ttfb_s.append((first_byte or last) - start)
    out.ttfc_s.append(first_content - start)
    out.ttlb_s.append(last - start)
    out.content_chars.append(content_chars(raw))


async def streamed(ep: Endpoint, body: bytes, requests: int, max_s: float) -> StreamResult:
    result = StreamResult()
    async with _session(limit=1) as session:
        begin = time.perf_counter()
        for _ in range(requests):
            if time.perf_counter() - begin > max_s:
                break
            await _stream_once(session, ep, body, result)
        result.elapsed_s = time.perf_counter() - begin
    return result
