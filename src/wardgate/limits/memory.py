"""In-process limiter: one state per scope (``key:<id>``, ``team:<name>``), checked all-or-nothing.

Everything between the checks and the commit runs without an ``await``, so on one event loop admission is atomic.
Replicas each keep their own counts; shared limits across replicas need the Redis backend.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from wardgate.auth.principal import Principal
from wardgate.config.models import Limits
from wardgate.errors import RateLimitError
from wardgate.limits import periods
from wardgate.limits.base import Usage
from wardgate.limits.buckets import TokenBucket

_MINUTE = 60.0


@dataclass(slots=True)
class _Budget:
    period: int = -1
    tokens: int = 0
    cost: float = 0.0

    def roll(self, period: int) -> None:
        if period != self.period:
            self.period, self.tokens, self.cost = period, 0, 0.0


@dataclass(slots=True)
class _ScopeState:
    limits: Limits
    requests: TokenBucket | None
    tokens: TokenBucket | None
    in_flight: int = 0
    day: _Budget = field(default_factory=_Budget)
    month: _Budget = field(default_factory=_Budget)


def _refuse(message: str, code: str, retry_after: float, headers: dict[str, str]) -> RateLimitError:
    headers = {**headers, "retry-after": str(max(1, math.ceil(retry_after)))}
    return RateLimitError(message, code=code, headers=headers)


def _duration(seconds: float) -> str:
    """OpenAI's reset format: ``1s``, ``6m0s``, ``1h2m3s``."""
    whole = max(0, math.ceil(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def _headers(state: _ScopeState) -> dict[str, str]:
    out: dict[str, str] = {}
    if state.requests is not None:
        out["x-ratelimit-limit-requests"] = str(state.requests.limit)
        out["x-ratelimit-remaining-requests"] = str(state.requests.remaining())
        out["x-ratelimit-reset-requests"] = _duration(state.requests.seconds_to_full())
    if state.tokens is not None:
        out["x-ratelimit-limit-tokens"] = str(state.tokens.limit)
        out["x-ratelimit-remaining-tokens"] = str(state.tokens.remaining())
        out["x-ratelimit-reset-tokens"] = _duration(state.tokens.seconds_to_full())
    return out


class MemoryLease:
    def __init__(self, limiter: MemoryLimiter, states: list[_ScopeState], estimated: int, headers: dict[str, str]):
        self._limiter = limiter
        self._states = states
        self._estimated = estimated
        self._headers = headers
        self._released = False

    def headers(self) -> dict[str, str]:
        return self._headers

    async def release(self, usage: Usage | None) -> None:
        if self._released:
            return
        self._released = True
        self._limiter.settle(self._states, self._estimated, usage)


class MemoryLimiter:
    def __init__(
        self,
        default_limits: Limits,
        team_limits: Mapping[str, Limits],
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._default = default_limits
        self._teams = dict(team_limits)
        self._clock = clock
        self._wall = wall_clock
        self._scopes: dict[str, _ScopeState] = {}

    def _state(self, scope: str, limits: Limits, now: float) -> _ScopeState:
        state = self._scopes.get(scope)
        if state is None or (state.limits is not limits and state.limits != limits):
            rpm, tpm = limits.requests_per_minute, limits.tokens_per_minute
            state = _ScopeState(
                limits=limits,
                requests=TokenBucket.full(rpm, _MINUTE, now) if rpm else None,
                tokens=TokenBucket.full(tpm, _MINUTE, now) if tpm else None,
                in_flight=state.in_flight if state is not None else 0,
            )
            self._scopes[scope] = state
        return state

    def _scopes_for(self, principal: Principal, now: float) -> list[_ScopeState]:
        states = [self._state(f"{principal.kind}:{principal.subject}", principal.limits or self._default, now)]
        if principal.team is not None and principal.team in self._teams:
            states.append(self._state(f"team:{principal.team}", self._teams[principal.team], now))
        return states

    async def acquire(self, principal: Principal, estimated_tokens: int) -> MemoryLease:
        now, wall = self._clock(), self._wall()
        states = self._scopes_for(principal, now)
        for state in states:
            for bucket in (state.requests, state.tokens):
                if bucket is not None:
                    bucket.refill(now)
        for state in states:
            self._check(state, estimated_tokens, wall, states[0])
        for state in states:
            if state.requests is not None:
                state.requests.take(1)
            if state.tokens is not None:
                state.tokens.take(estimated_tokens)
            state.in_flight += 1
        return MemoryLease(self, states, estimated_tokens, _headers(states[0]))

    def _check(self, state: _ScopeState, estimated: int, wall: datetime, key_state: _ScopeState) -> None:
        """Raise if ``state`` refuses; the refusal carries the key's ``x-ratelimit-*`` headers."""
        lim = state.limits
        if lim.concurrent_requests is not None and state.in_flight >= lim.concurrent_requests:
            raise _refuse("Too many concurrent requests.", "concurrency_limit_exceeded", 1, _headers(key_state))
        if state.requests is not None and (wait := state.requests.wait_for(1)) > 0:
            raise _refuse("Rate limit reached for requests.", "rate_limit_exceeded", wait, _headers(key_state))
        if state.tokens is not None and (wait := state.tokens.wait_for(estimated)) > 0:
            raise _refuse("Rate limit reached for tokens.", "token_rate_limit_exceeded", wait, _headers(key_state))
        state.day.roll(periods.day_key(wall))
        state.month.roll(periods.month_key(wall))
        for used, budget, monthly in (
            (state.day.tokens, lim.daily_tokens, False),
            (state.month.tokens, lim.monthly_tokens, True),
            (state.day.cost, lim.daily_cost_usd, False),
            (state.month.cost, lim.monthly_cost_usd, True),
        ):
            if budget is not None and used >= budget:
                left = periods.seconds_to_next_month(wall) if monthly else periods.seconds_to_next_day(wall)
                raise _refuse("Budget exhausted for this period.", "budget_exceeded", left, _headers(key_state))

    def settle(self, states: list[_ScopeState], estimated: int, usage: Usage | None) -> None:
        wall = self._wall()
        for state in states:
            state.in_flight = max(0, state.in_flight - 1)
            if usage is None:
                continue
            if state.tokens is not None:
                state.tokens.take(usage.total_tokens - estimated)
            state.day.roll(periods.day_key(wall))
            state.month.roll(periods.month_key(wall))
            for budget in (state.day, state.month):
                budget.tokens += usage.total_tokens
                budget.cost += usage.cost_usd
