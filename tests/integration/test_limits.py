"""Rate limits, budgets and concurrency caps enforced end to end over real HTTP.

Token accounting uses the upstream's real ``usage`` (the mock model's counts are larger than the gateway's
pre-call estimate for these prompts, which the tests check first, so a limiter that kept the estimate would fail).
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from conftest import GatewayFactory, RunningGateway
from wardgate.config.models import Limits
from wardgate.limits.periods import seconds_to_next_day
from wardgate.limits.tokens import estimate_chat

PROMPT = "hello from the limits suite"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def body(stream: bool = False, include_usage: bool = False, model: str = "mock-small") -> dict[str, Any]:
    out: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": PROMPT}]}
    if stream:
        out["stream"] = True
        if include_usage:
            out["stream_options"] = {"include_usage": True}
    return out


def chat(http: httpx.Client, gw: RunningGateway, key: str, **kwargs: Any) -> httpx.Response:
    return http.post(f"{gw.base_url}/chat/completions", json=body(**kwargs), headers={"authorization": f"Bearer {key}"})


def refused(resp: httpx.Response, code: str) -> int:
    """Assert a 429 with ``code`` in the OpenAI envelope; return its integer Retry-After."""
    assert resp.status_code == 429, resp.text
    error = resp.json()["error"]
    assert error["code"] == code
    assert error["type"] == "rate_limit_error"
    retry_after = resp.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    assert int(retry_after) >= 1
    return int(retry_after)


def stream_usage(raw: bytes) -> dict[str, Any] | None:
    usage = None
    for line in raw.decode().splitlines():
        if line.startswith("data: ") and line != "data: [DONE]":
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                usage = chunk["usage"]
    return usage


def real_usage(http: httpx.Client, gw: RunningGateway) -> int:
    """The upstream's total_tokens for :data:`PROMPT` (deterministic), checked to exceed the gateway's estimate."""
    resp = chat(http, gw, gw.key(name="probe"))
    assert resp.status_code == 200
    total = resp.json()["usage"]["total_tokens"]
    assert isinstance(total, int)
    assert estimate_chat(body()) * 2 < total, "the tests need real usage well above the estimate"
    return total


def test_requests_per_minute(gateway: RunningGateway, http: httpx.Client) -> None:
    key = gateway.key(limits=Limits(requests_per_minute=3))
    remaining: list[str] = []
    for stream in (False, True, False):
        resp = chat(http, gateway, key, stream=stream)
        assert resp.status_code == 200
        assert resp.headers["x-ratelimit-limit-requests"] == "3"
        assert resp.headers["x-ratelimit-reset-requests"].endswith("s")
        remaining.append(resp.headers["x-ratelimit-remaining-requests"])
    assert remaining == ["2", "1", "0"]
    fourth = chat(http, gateway, key)
    retry_after = refused(fourth, "rate_limit_exceeded")
    assert retry_after <= 20, "one request refills in 60/3 seconds"
    assert fourth.headers["x-ratelimit-limit-requests"] == "3"
    assert fourth.headers["x-ratelimit-remaining-requests"] == "0"
    assert len(gateway.upstream.app.requests) == 3
    # Another key is not affected.
    assert chat(http, gateway, gateway.key()).status_code == 200


def test_daily_token_budget_uses_real_usage(gateway: RunningGateway, http: httpx.Client) -> None:
    used = real_usage(http, gateway)
    key = gateway.key(limits=Limits(daily_tokens=used))
    first = chat(http, gateway, key)
    assert first.status_code == 200
    assert first.json()["usage"]["total_tokens"] == used
    before = seconds_to_next_day(datetime.now(UTC))
    second = chat(http, gateway, key)
    retry_after = refused(second, "budget_exceeded")
    assert retry_after <= math.ceil(before), "the budget resets at the next UTC midnight"
    assert retry_after >= math.ceil(before) - 5
    assert len(gateway.upstream.app.requests) == 2  # the probe and the first request


def test_tokens_per_minute(gateway: RunningGateway, http: httpx.Client) -> None:
    used = real_usage(http, gateway)
    estimate = estimate_chat(body())
    key = gateway.key(limits=Limits(tokens_per_minute=used))
    first = chat(http, gateway, key)
    assert first.status_code == 200
    assert first.headers["x-ratelimit-limit-tokens"] == str(used)
    assert first.headers["x-ratelimit-remaining-tokens"] == str(used - estimate)
    # The release corrected the bucket from the estimate to the real usage: it is now empty.
    second = chat(http, gateway, key)
    retry_after = refused(second, "token_rate_limit_exceeded")
    assert retry_after <= math.ceil(estimate * 60 / used) + 1
    assert second.headers["x-ratelimit-remaining-tokens"] == "0"


def test_cost_budget_uses_pricing_table(gateway_factory: GatewayFactory, http: httpx.Client) -> None:
    gw = gateway_factory({"pricing": {"mock-small": {"input_per_1k": 1.0, "output_per_1k": 2.0}}})
    probe = chat(http, gw, gw.key(name="probe")).json()["usage"]
    cost = (probe["prompt_tokens"] * 1.0 + probe["completion_tokens"] * 2.0) / 1000
    key = gw.key(limits=Limits(daily_cost_usd=cost * 1.5))
    assert chat(http, gw, key).status_code == 200
    assert chat(http, gw, key).status_code == 200  # 1.0x spent < 1.5x
    refused(chat(http, gw, key), "budget_exceeded")  # 2.0x spent
    # An unpriced model costs nothing, so a cost budget never stops it.
    free = gw.key(limits=Limits(daily_cost_usd=cost * 1.5))
    for _ in range(3):
        assert chat(http, gw, free, model="mock-large").status_code == 200


async def test_concurrent_request_cap(gateway: RunningGateway) -> None:
    key = gateway.key(limits=Limits(concurrent_requests=2))
    gateway.upstream.app.fault = "slow"
    gateway.upstream.app.delay = 1.0
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=10)) as client:

        async def one() -> httpx.Response:
            return await client.post(
                f"{gateway.base_url}/chat/completions", json=body(), headers={"authorization": f"Bearer {key}"}
            )

        responses = await asyncio.gather(one(), one(), one())
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 200, 429]
        rejected = next(r for r in responses if r.status_code == 429)
        refused(rejected, "concurrency_limit_exceeded")
        assert len(gateway.upstream.app.requests) == 2
        # Both slots were released.
        gateway.upstream.app.fault = None
        again = await asyncio.gather(one(), one())
        assert [r.status_code for r in again] == [200, 200]


TEAM_LIMITS = [
    pytest.param({"requests_per_minute": 2}, 2, "rate_limit_exceeded", id="rpm"),
    pytest.param({"daily_tokens": 1}, 1, "budget_exceeded", id="daily-tokens"),
    pytest.param({"tokens_per_minute": 30}, 1, "token_rate_limit_exceeded", id="tpm"),
]


@pytest.mark.parametrize(("limits", "allowed", "code"), TEAM_LIMITS)
def test_team_limits_are_shared_by_the_team_keys(
    gateway_factory: GatewayFactory, http: httpx.Client, limits: dict[str, int], allowed: int, code: str
) -> None:
    gw = gateway_factory({"limits": {"teams": {"red": limits}}})
    keys = [gw.key(name="a", team="red"), gw.key(name="b", team="red")]
    for index in range(allowed):
        assert chat(http, gw, keys[index % 2]).status_code == 200
    for key in keys:
        refused(chat(http, gw, key), code)
    assert len(gw.upstream.app.requests) == allowed
    # Other teams and team-less keys have their own (here: no) limits.
    assert chat(http, gw, gw.key(name="c", team="blue")).status_code == 200
    assert chat(http, gw, gw.key(name="d")).status_code == 200


def test_stream_usage_counts_toward_budget(gateway: RunningGateway, http: httpx.Client) -> None:
    probe = chat(http, gateway, gateway.key(name="probe"), stream=True, include_usage=True)
    usage = stream_usage(probe.content)
    assert usage is not None
    used = usage["total_tokens"]
    assert estimate_chat(body()) * 2 < used
    key = gateway.key(limits=Limits(daily_tokens=used))
    streamed = chat(http, gateway, key, stream=True)
    assert streamed.status_code == 200
    assert streamed.content.rstrip().endswith(b"data: [DONE]")
    assert stream_usage(streamed.content) is None, "the usage chunk the gateway asked for is not relayed"
    refused(chat(http, gateway, key), "budget_exceeded")
    refused(chat(http, gateway, key, stream=True), "budget_exceeded")
