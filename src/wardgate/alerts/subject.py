"""One subject's state: the open bucket, its baselines, the names it has used, and its cool-downs.

Counts only grow within a bucket, so request and token alerts are decided as each request is added (against a
boundary fixed when the bucket opened) and fire mid-bucket; block and injection rates need the whole bucket and are
decided when it closes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from wardgate.alerts.baseline import CountBaseline, CountLimits, RateBaseline, RateLimits, ewma_alpha
from wardgate.alerts.config import AlertsConfig
from wardgate.alerts.model import Observation, Signal
from wardgate.alerts.novelty import SeenSet, normalise_domain

CLIP_SD = 4.0
"""After warm-up a bucket feeds the variance with at most this many standard deviations of deviation."""


@dataclass(frozen=True, slots=True)
class Params:
    """The configuration, pre-digested once for every subject."""

    alpha: float
    warmup: int
    requests: CountLimits
    tokens: CountLimits
    token_cap: float
    clip_sd: float
    rates: RateLimits
    signals: frozenset[Signal]
    cooldown: float
    max_seen: int
    max_chars: int

    @classmethod
    def from_config(cls, config: AlertsConfig) -> Params:
        return cls(
            alpha=ewma_alpha(config.half_life_buckets),
            warmup=config.warmup_buckets,
            requests=CountLimits(config.z_threshold, config.min_ratio, config.min_request_delta),
            tokens=CountLimits(config.z_threshold, config.min_ratio, config.min_token_delta),
            token_cap=config.token_request_cap,
            clip_sd=CLIP_SD,
            rates=RateLimits(config.z_threshold, config.min_rate_delta, config.min_rate_events, config.rate_floor),
            signals=config.signals,
            cooldown=config.cooldown_seconds,
            max_seen=config.max_seen_items,
            max_chars=config.max_item_chars,
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """An anomaly before the cool-down decides whether it becomes an alert."""

    signal: Signal
    observed: float
    baseline: float
    threshold: float
    z: float | None
    item: str | None = None


class SubjectState:
    __slots__ = (
        "age",
        "base_blocked",
        "base_injections",
        "base_requests",
        "base_tokens",
        "blocked",
        "bucket",
        "domains",
        "fired",
        "held",
        "injections",
        "last_alert",
        "limit_requests",
        "limit_tokens",
        "params",
        "requests",
        "token_cap",
        "tokens",
        "tools",
    )

    def __init__(self, params: Params, bucket: int) -> None:
        self.params = params
        self.bucket = bucket
        self.age = 0
        """Buckets closed (idle ones included) since the subject was first seen."""
        self.base_requests = CountBaseline(params.alpha)
        self.base_tokens = CountBaseline(params.alpha)
        self.base_blocked = RateBaseline(params.alpha)
        self.base_injections = RateBaseline(params.alpha)
        self.tools: SeenSet | None = None
        self.domains: SeenSet | None = None
        self.last_alert: dict[Signal, float] = {}
        self.held: dict[Signal, int] = {}
        self.fired: set[Signal] = set()
        """Count signals that already alerted in the open bucket."""
        self._open()

    @property
    def warm(self) -> bool:
        return self.age >= self.params.warmup

    def add(self, obs: Observation) -> list[Finding]:
        self.requests += 1
        self.tokens += min(max(obs.tokens, 0), self.token_cap)
        self.blocked += obs.blocked
        self.injections += obs.injection_hit
        found = self._count_findings()
        if obs.tools and Signal.NEW_TOOL in self.params.signals:
            self.tools = self.tools or SeenSet(self.params.max_seen, self.params.max_chars)
            found += self._novel(Signal.NEW_TOOL, self.tools, obs.tools)
        if obs.domains and Signal.NEW_DOMAIN in self.params.signals:
            self.domains = self.domains or SeenSet(self.params.max_seen, self.params.max_chars)
            found += self._novel(Signal.NEW_DOMAIN, self.domains, tuple(normalise_domain(d) for d in obs.domains))
        return found

    def advance(self, bucket: int) -> list[Finding]:
        """Close the open bucket if ``bucket`` is a later one, account for idle buckets between, open ``bucket``."""
        if bucket <= self.bucket:
            return []
        found = self._close()
        idle = bucket - self.bucket - 1
        self.base_requests.update_zeros(idle)
        self.base_tokens.update_zeros(idle)
        self.age += idle
        self.bucket = bucket
        self._open()
        return found

    def admit(self, signal: Signal, now: float) -> int | None:
        """Apply the cool-down: the number of alerts held back since the last one, or ``None`` to hold this one."""
        last = self.last_alert.get(signal)
        if last is not None and now - last < self.params.cooldown:
            self.held[signal] = self.held.get(signal, 0) + 1
            return None
        self.last_alert[signal] = now
        return self.held.pop(signal, 0)

    def names(self) -> int:
        """Tools and domains remembered."""
        return self.seen(Signal.NEW_TOOL) + self.seen(Signal.NEW_DOMAIN)

    def seen(self, signal: Signal) -> int:
        names = self.tools if signal is Signal.NEW_TOOL else self.domains
        return len(names) if names is not None else 0

    def _open(self) -> None:
        self.requests = self.blocked = self.injections = 0
        self.tokens = 0.0
        self.fired.clear()
        warm = self.warm
        self.limit_requests = self.base_requests.boundary(self.params.requests) if warm else math.inf
        # Tokens are judged in units of the subject's typical request: one request adds at most ``token_cap`` of
        # them, and a surge must amount to as many typical requests as the request-rate signal asks for.
        per_request = self.base_tokens.mean / self.base_requests.mean if self.base_requests.mean > 0 else 0.0
        floor = self.params.requests.min_delta * per_request
        self.limit_tokens = self.base_tokens.boundary(self.params.tokens, floor) if warm else math.inf
        self.token_cap = self.params.token_cap * per_request if warm and per_request > 0 else math.inf

    def _close(self) -> list[Finding]:
        found: list[Finding] = []
        rates = self.params.rates
        for signal, base, events in (
            (Signal.BLOCK_RATE, self.base_blocked, self.blocked),
            (Signal.INJECTION_RATE, self.base_injections, self.injections),
        ):
            if not (self.warm and base.is_anomalous(events, self.requests, rates)):
                base.update(events, self.requests)
                continue
            limit = base.boundary(self.requests, rates)  # a bisection: only for the rare anomalous bucket
            if signal in self.params.signals:
                score = base.score(events, self.requests, rates)
                found.append(Finding(signal, events / self.requests, base.rate, limit / self.requests, score))
            base.update(limit, self.requests)
        clip = self.params.clip_sd if self.warm else math.inf
        self.base_requests.update(self.requests, self.limit_requests, clip)
        self.base_tokens.update(self.tokens, self.limit_tokens, clip)
        self.age += 1
        return found

    def _count_findings(self) -> list[Finding]:
        found: list[Finding] = []
        for signal, base, value, limit in (
            (Signal.REQUEST_RATE, self.base_requests, self.requests, self.limit_requests),
            (Signal.TOKENS, self.base_tokens, self.tokens, self.limit_tokens),
        ):
            if value >= limit and signal not in self.fired and signal in self.params.signals:
                self.fired.add(signal)
                found.append(Finding(signal, value, base.mean, limit, base.z(value)))
        return found

    def _novel(self, signal: Signal, names: SeenSet, items: tuple[str, ...]) -> list[Finding]:
        found: list[Finding] = []
        for item in items:
            known = len(names)
            if names.add(item) and self.warm:
                found.append(Finding(signal, known + 1, known, known + 1, None, item[: self.params.max_chars]))
        return found
