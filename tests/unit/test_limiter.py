"""``MemoryLimiter`` with injected clocks: refill, Retry-After, all-or-nothing admission, usage correction, periods."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import pytest

from wardgate.auth.principal import Principal
from wardgate.config.models import Limits
from wardgate.errors import RateLimitError
from wardgate.limits.base import Usage
from wardgate.limits.memory import MemoryLease, MemoryLimiter


@dataclass
class Clocks:
    mono: float = 1000.0
    wall: datetime = field(default_factory=lambda: datetime(2025, 3, 14, 12, 0, 0, tzinfo=UTC))

    def now(self) -> float:
        return self.mono

    def wall_now(self) -> datetime:
        return self.wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)


def key(limits: Limits | None = None, team: str | None = None, subject: str = "k1") -> Principal:
    return Principal(subject=subject, kind="key", role="user", team=team, allowed_models=("*",), limits=limits)


def limiter(clocks: Clocks, default: Limits | None = None, teams: dict[str, Limits] | None = None) -> MemoryLimiter:
    return MemoryLimiter(default or Limits(), teams or {}, clock=clocks.now, wall_clock=clocks.wall_now)


async def refusal(lim: MemoryLimiter, principal: Principal, estimated: int = 1) -> RateLimitError:
    with pytest.raises(RateLimitError) as info:
        await lim.acquire(principal, estimated)
    return info.value


async def test_requests_refill_over_time() -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(requests_per_minute=2))
    await lim.acquire(p, 1)
    await lim.acquire(p, 1)
    err = await refusal(lim, p)
    assert err.code == "rate_limit_exceeded"
    assert err.status == 429
    assert err.headers["retry-after"] == "30"  # one request refills every 60/2 seconds
    clocks.advance(29.9)
    await refusal(lim, p)
    clocks.advance(0.1)
    await lim.acquire(p, 1)
    await refusal(lim, p)
    clocks.advance(600)  # refill is capped at the limit
    lease = await lim.acquire(p, 1)
    assert lease.headers()["x-ratelimit-remaining-requests"] == "1"


@pytest.mark.parametrize(
    ("rpm", "elapsed", "expected"),
    [
        pytest.param(60, 0.0, "1", id="one-per-second"),
        pytest.param(60, 0.5, "1", id="partial-refill-rounds-up-to-1"),
        pytest.param(1, 0.0, "60", id="one-per-minute"),
        pytest.param(1, 59.2, "1", id="fraction-left-rounds-up"),
        pytest.param(7, 0.0, "9", id="ceil-of-60-over-7"),
    ],
)
async def test_retry_after_is_whole_seconds_rounded_up(rpm: int, elapsed: float, expected: str) -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(requests_per_minute=rpm))
    for _ in range(rpm):
        await lim.acquire(p, 1)
    clocks.advance(elapsed)
    err = await refusal(lim, p)
    assert err.headers["retry-after"] == expected
    assert err.headers["x-ratelimit-limit-requests"] == str(rpm)
    assert err.headers["x-ratelimit-remaining-requests"] == "0"


async def test_headers_describe_the_key_scope() -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(requests_per_minute=10, tokens_per_minute=1000))
    lease = await lim.acquire(p, 100)
    assert lease.headers() == {
        "x-ratelimit-limit-requests": "10",
        "x-ratelimit-remaining-requests": "9",
        "x-ratelimit-reset-requests": "6s",
        "x-ratelimit-limit-tokens": "1000",
        "x-ratelimit-remaining-tokens": "900",
        "x-ratelimit-reset-tokens": "6s",
    }
    unlimited = await lim.acquire(key(subject="free"), 100)
    assert unlimited.headers() == {}


async def test_token_rate_refuses_estimate_over_level() -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(tokens_per_minute=600))  # 10 tokens per second
    await lim.acquire(p, 550)
    err = await refusal(lim, p, 100)
    assert err.code == "token_rate_limit_exceeded"
    assert err.headers["retry-after"] == "5"  # 50 more tokens at 10/s
    await lim.acquire(p, 50)
    # An estimate above the whole limit waits only for a full bucket (it cannot ever fit otherwise).
    clocks.advance(60)
    await lim.acquire(p, 5000)


async def test_release_corrects_tokens_with_real_usage() -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(tokens_per_minute=100))
    lease = await lim.acquire(p, 10)
    assert lease.headers()["x-ratelimit-remaining-tokens"] == "90"
    await lease.release(Usage(prompt_tokens=30, completion_tokens=20, cost_usd=0.0))
    second = await lim.acquire(p, 10)
    assert second.headers()["x-ratelimit-remaining-tokens"] == "40"  # 100 - 50 real - 10 estimated
    await second.release(Usage(prompt_tokens=1, completion_tokens=1, cost_usd=0.0))  # over-estimate is refunded
    third = await lim.acquire(p, 10)
    assert third.headers()["x-ratelimit-remaining-tokens"] == "38"
    await third.release(None)  # no usage known: the estimate stands
    fourth = await lim.acquire(p, 10)
    assert fourth.headers()["x-ratelimit-remaining-tokens"] == "28"


async def test_usage_beyond_the_bucket_is_debt() -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(tokens_per_minute=60))  # 1 token per second
    lease = await lim.acquire(p, 10)
    await lease.release(Usage(prompt_tokens=100, completion_tokens=20, cost_usd=0.0))  # level 60 - 120 = -60
    err = await refusal(lim, p, 10)
    assert err.headers["retry-after"] == "70"
    assert err.headers["x-ratelimit-remaining-tokens"] == "0"
    clocks.advance(70)
    await lim.acquire(p, 10)


async def test_concurrency_slot_held_until_release() -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(concurrent_requests=2))
    first = await lim.acquire(p, 1)
    second = await lim.acquire(p, 1)
    err = await refusal(lim, p)
    assert err.code == "concurrency_limit_exceeded"
    assert err.headers["retry-after"] == "1"
    await first.release(None)
    await first.release(None)  # idempotent: frees one slot only
    third = await lim.acquire(p, 1)
    await refusal(lim, p)
    await second.release(None)
    await third.release(None)
    leases = [await lim.acquire(p, 1), await lim.acquire(p, 1)]
    assert all(isinstance(lease, MemoryLease) for lease in leases)


async def test_team_refusal_consumes_nothing_from_the_key() -> None:
    clocks = Clocks()
    lim = limiter(clocks, teams={"red": Limits(concurrent_requests=1)})
    p = key(Limits(requests_per_minute=10, tokens_per_minute=1000), team="red")
    held = await lim.acquire(p, 100)
    assert held.headers()["x-ratelimit-remaining-requests"] == "9"
    for _ in range(3):
        err = await refusal(lim, p, 100)
        assert err.code == "concurrency_limit_exceeded"
        assert err.headers["x-ratelimit-remaining-requests"] == "9"
    await held.release(None)
    lease = await lim.acquire(p, 100)
    # Only the two admitted requests were taken from the key's buckets; the three refusals took nothing.
    assert lease.headers()["x-ratelimit-remaining-requests"] == "8"
    assert lease.headers()["x-ratelimit-remaining-tokens"] == "800"


async def test_key_refusal_consumes_nothing_from_the_team() -> None:
    clocks = Clocks()
    lim = limiter(clocks, teams={"red": Limits(requests_per_minute=3)})
    tight = key(Limits(requests_per_minute=1), team="red", subject="tight")
    other = key(team="red", subject="other")
    await lim.acquire(tight, 1)
    for _ in range(5):
        assert (await refusal(lim, tight)).code == "rate_limit_exceeded"
    await lim.acquire(other, 1)
    await lim.acquire(other, 1)  # the team still had 2 of its 3
    assert (await refusal(lim, other)).code == "rate_limit_exceeded"


async def test_team_scope_is_shared_and_unknown_teams_unlimited() -> None:
    clocks = Clocks()
    lim = limiter(clocks, teams={"red": Limits(daily_tokens=100)})
    a, b = key(team="red", subject="a"), key(team="red", subject="b")
    lease = await lim.acquire(a, 1)
    await lease.release(Usage(80, 20, 0.0))
    assert (await refusal(lim, b)).code == "budget_exceeded"
    blue = key(team="blue", subject="c")
    for _ in range(3):
        lease = await lim.acquire(blue, 1)
        await lease.release(Usage(80, 20, 0.0))


async def test_default_limits_apply_to_keys_without_their_own() -> None:
    clocks = Clocks()
    lim = limiter(clocks, default=Limits(requests_per_minute=1))
    await lim.acquire(key(subject="x"), 1)
    await refusal(lim, key(subject="x"))
    await lim.acquire(key(subject="y"), 1)  # per key, not global
    own = key(Limits(requests_per_minute=5), subject="z")
    for _ in range(5):
        await lim.acquire(own, 1)


BUDGETS = [
    pytest.param(
        Limits(daily_tokens=100),
        Usage(60, 40, 0.0),
        datetime(2025, 3, 14, 23, 59, 30, tzinfo=UTC),
        30,
        id="daily-tokens-at-utc-midnight",
    ),
    pytest.param(
        Limits(daily_cost_usd=0.5),
        Usage(1, 1, 0.5),
        datetime(2025, 3, 14, 23, 0, 0, tzinfo=UTC),
        3600,
        id="daily-cost",
    ),
    pytest.param(
        Limits(monthly_tokens=1000),
        Usage(900, 100, 0.0),
        datetime(2025, 1, 31, 22, 0, 0, tzinfo=UTC),
        7200,
        id="monthly-tokens-at-month-end",
    ),
    pytest.param(
        Limits(monthly_cost_usd=2.0),
        Usage(1, 1, 2.5),
        datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC),
        1,
        id="monthly-cost-at-year-end",
    ),
    pytest.param(
        Limits(daily_tokens=10),
        Usage(5, 5, 0.0),
        datetime(2025, 3, 15, 1, 0, 0, tzinfo=timezone(timedelta(hours=2))),  # 23:00 UTC on the 14th
        3600,
        id="local-wall-clock-counts-in-utc",
    ),
]


@pytest.mark.parametrize(("limits", "usage", "start", "retry_after"), BUDGETS)
async def test_budgets_roll_over_at_utc_period_boundaries(
    limits: Limits, usage: Usage, start: datetime, retry_after: int
) -> None:
    clocks = Clocks(wall=start)
    lim = limiter(clocks)
    p = key(limits)
    lease = await lim.acquire(p, 1)
    await lease.release(usage)
    err = await refusal(lim, p)
    assert err.code == "budget_exceeded"
    assert err.headers["retry-after"] == str(retry_after)
    clocks.advance(retry_after - 0.5)
    assert (await refusal(lim, p)).headers["retry-after"] == "1"
    clocks.advance(0.5)  # exactly at the boundary: a new period
    lease = await lim.acquire(p, 1)
    await lease.release(usage)
    await refusal(lim, p)


async def test_budget_below_limit_admits_and_counts_every_request() -> None:
    clocks = Clocks()
    lim = limiter(clocks)
    p = key(Limits(daily_tokens=100))
    for _ in range(4):
        lease = await lim.acquire(p, 1000)  # the estimate does not count against budgets, real usage does
        await lease.release(Usage(20, 4, 0.0))
    lease = await lim.acquire(p, 1)  # 96 used
    await lease.release(Usage(3, 1, 0.0))
    await refusal(lim, p)  # 100 used


async def test_monthly_budget_survives_the_day_rollover() -> None:
    clocks = Clocks(wall=datetime(2025, 3, 14, 23, 0, tzinfo=UTC))
    lim = limiter(clocks)
    p = key(Limits(daily_tokens=1000, monthly_tokens=150))
    lease = await lim.acquire(p, 1)
    await lease.release(Usage(50, 50, 0.0))
    clocks.advance(3600)  # the 15th: daily budget is fresh, monthly is not
    lease = await lim.acquire(p, 1)
    await lease.release(Usage(50, 0, 0.0))
    err = await refusal(lim, p)
    assert err.code == "budget_exceeded"
    assert int(err.headers["retry-after"]) == int((datetime(2025, 4, 1, tzinfo=UTC) - clocks.wall).total_seconds())
