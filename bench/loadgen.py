"""Load generator: aiohttp client phases with bounded count and time.

Phases (all against one chat-completions URL):

* ``sequential`` - c=1, N requests back to back on one keep-alive connection.
* ``open_loop`` - sends scheduled at fixed times (``rate`` req/s), never
  waiting for earlier answers, so a slow target's queueing shows up in its
  latency (no coordinated omission). Latency is timed from the actual send;
  the send lag (actual minus scheduled time, the load generator's own timer
  and scheduling jitter) is reported separately as ``send_lag_p99_ms``.
* ``closed_loop`` - ``concurrency`` workers for a fixed duration; throughput.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

REQUEST_BODY: dict[str, Any] = {
    "model": "bench-model",
    "messages": [{"role": "user", "content": "Say hello in one short sentence."}],
    "max_tokens": 16,
}
BODY_BYTES = json.dumps(REQUEST_BODY).encode()
MAX_ERROR_SAMPLES = 5


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    headers: dict[str, str]


@dataclass(frozen=True)
class LoadConfig:
    seq_requests: int
    seq_max_s: float
    rate: float
    rate_duration_s: float
    concurrency: int
    tput_duration_s: float
    warmup_s: float
    request_timeout_s: float = 10.0
    max_inflight: int = 512


@dataclass
class PhaseResult:
    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    send_lag_s: list[float] = field(default_factory=list)

    def record(self, latency_s: float, error: str | None) -> None:
        if error is None:
            self.latencies_s.append(latency_s)
            return
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(error)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_s)
        out: dict[str, Any] = {
            "ok": len(lat),
            "errors": self.errors,
            "elapsed_s": round(self.elapsed_s, 3),
            "rps": round(len(lat) / self.elapsed_s, 1) if self.elapsed_s > 0 else 0.0,
            "error_samples": self.error_samples,
        }
        for name, pct in (("p50_ms", 50.0), ("p90_ms", 90.0), ("p99_ms", 99.0), ("max_ms", 100.0)):
            out[name] = round(percentile(lat, pct) * 1000, 3) if lat else None
        out["mean_ms"] = round(sum(lat) / len(lat) * 1000, 3) if lat else None
        if self.send_lag_s:
            out["send_lag_p99_ms"] = round(percentile(sorted(self.send_lag_s), 99.0) * 1000, 3)
        return out


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted, non-empty list."""
    rank = max(1, math.ceil(pct / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


async def _request(session: aiohttp.ClientSession, ep: Endpoint, start: float) -> tuple[float, str | None]:
    """One POST; returns (seconds since ``start``, error or None)."""
    try:
        async with session.post(ep.url, data=BODY_BYTES, headers=ep.headers) as resp:
            data = await resp.read()
            if resp.status != 200:
                return time.perf_counter() - start, f"HTTP {resp.status}: {data[:200]!r}"
            if b'"choices"' not in data:
                return time.perf_counter() - start, f"unexpected body: {data[:200]!r}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    return time.perf_counter() - start, None


def _session(cfg: LoadConfig, limit: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=cfg.request_timeout_s)
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


async def sequential(ep: Endpoint, cfg: LoadConfig) -> PhaseResult:
    result = PhaseResult()
    async with _session(cfg, limit=1) as session:
        begin = time.perf_counter()
        deadline = begin + cfg.seq_max_s
        for _ in range(cfg.seq_requests):
            start = time.perf_counter()
            if start > deadline:
                break
            latency, error = await _request(session, ep, start)
            result.record(latency, error)
        result.elapsed_s = time.perf_counter() - begin
    return result


async def open_loop(ep: Endpoint, cfg: LoadConfig) -> PhaseResult:
    result = PhaseResult()
    total = int(cfg.rate * cfg.rate_duration_s)
    interval = 1.0 / cfg.rate
    pending: set[asyncio.Task[None]] = set()

    async def fire(session: aiohttp.ClientSession, scheduled: float) -> None:
        start = time.perf_counter()
        result.send_lag_s.append(start - scheduled)
        latency, error = await _request(session, ep, start)
        result.record(latency, error)

    async with _session(cfg, limit=cfg.max_inflight) as session:
        begin = time.perf_counter() + 0.01
        for i in range(total):
            scheduled = begin + i * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if len(pending) >= cfg.max_inflight:
                result.record(0.0, f"dropped: {cfg.max_inflight} requests already in flight")
                continue
            task = asyncio.create_task(fire(session, scheduled))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.wait(set(pending), timeout=cfg.request_timeout_s + 5.0)
        result.elapsed_s = time.perf_counter() - begin
    return result


async def closed_loop(ep: Endpoint, cfg: LoadConfig, duration_s: float | None = None) -> PhaseResult:
    result = PhaseResult()
    run_s = cfg.tput_duration_s if duration_s is None else duration_s

    async def worker(session: aiohttp.ClientSession, deadline: float) -> None:
        while True:
            start = time.perf_counter()
            if start >= deadline:
                return
            latency, error = await _request(session, ep, start)
            result.record(latency, error)

    async with _session(cfg, limit=cfg.concurrency) as session:
        begin = time.perf_counter()
        deadline = begin + run_s
        await asyncio.gather(*(worker(session, deadline) for _ in range(cfg.concurrency)))
        result.elapsed_s = time.perf_counter() - begin
    return result


async def probe(ep: Endpoint, cfg: LoadConfig) -> str | None:
    """One request; the error text, or None when the target answers correctly."""
    async with _session(cfg, limit=1) as session:
        _latency, error = await _request(session, ep, time.perf_counter())
        return error


async def settle(ep: Endpoint, cfg: LoadConfig, baseline_s: float, max_wait_s: float = 30.0) -> float:
    """After an overload, wait until the target has drained its backlog.

    Sends sequential requests until one answers within 3x ``baseline_s`` (the
    c=1 median), bounded by ``max_wait_s``; returns the seconds spent.
    """
    begin = time.perf_counter()
    threshold = max(3 * baseline_s, 0.005)
    async with _session(cfg, limit=1) as session:
        while time.perf_counter() - begin < max_wait_s:
            latency, error = await _request(session, ep, time.perf_counter())
            if error is None and latency <= threshold:
                break
    return time.perf_counter() - begin


async def run_phases(ep: Endpoint, cfg: LoadConfig) -> dict[str, PhaseResult]:
    """Warm-up, then the three measured phases in a fixed order.

    Between phases the target is given time to drain any backlog (``settle``)
    so an overloaded open-loop phase does not leak into the throughput phase.
    """
    await closed_loop(ep, cfg, duration_s=cfg.warmup_s)
    c1 = await sequential(ep, cfg)
    baseline = percentile(sorted(c1.latencies_s), 50.0) if c1.latencies_s else 0.01
    await settle(ep, cfg, baseline)
    rate = await open_loop(ep, cfg)
    await settle(ep, cfg, baseline)
    return {"c1": c1, "open_loop": rate, "c32": await closed_loop(ep, cfg)}
