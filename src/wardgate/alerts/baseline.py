"""Per-bucket baselines: an exponentially weighted mean and variance for counts, a weighted rate for fractions.

Both start as plain running averages (weight ``1/n`` for the n-th bucket) and switch to the fixed EWMA weight once
``1/n`` falls below it, so the first buckets are not biased towards zero or towards the first value. Updates after
warm-up are clipped at the alert boundary ("winsorised"): an anomalous bucket moves the baseline only as far as a
just-not-anomalous one would, so a spike does not teach the baseline to expect spikes, while a lasting change of
level is still learnt, more slowly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def ewma_alpha(half_life_buckets: float) -> float:
    """The EWMA weight under which a bucket's influence halves after ``half_life_buckets`` buckets."""
    return 1.0 - math.pow(0.5, 1.0 / half_life_buckets)


@dataclass(frozen=True, slots=True)
class CountLimits:
    z: float
    min_ratio: float
    min_delta: float


@dataclass(slots=True)
class CountBaseline:
    """Mean and variance of an amount per bucket (requests, tokens); idle buckets count as zero."""

    alpha: float
    n: int = 0
    mean: float = 0.0
    var: float = 0.0

    def update(self, x: float, limit: float = math.inf, clip_sd: float = math.inf) -> None:
        """Add one bucket. At or above ``limit`` (the alert boundary) the mean moves as if ``x`` were ``limit`` and
        the variance stays; below it, the deviation that feeds the variance is clipped at ``clip_sd`` standard
        deviations. Either way a surge cannot widen the variance fast enough to hide the rest of itself."""
        weight = max(self.alpha, 1.0 / (self.n + 1))
        self.n = min(self.n + 1, self._switch())
        diff = min(x, limit) - self.mean
        self.mean += weight * diff
        if x < limit:
            bound = clip_sd * math.sqrt(max(self.var, 0.0))
            spread = min(abs(diff), bound) if bound > 0 else abs(diff)
            self.var = (1.0 - weight) * (self.var + weight * spread * spread)

    def update_zeros(self, k: int) -> None:
        """``k`` idle buckets in one step, in closed form (the same result as ``k`` calls of ``update(0)``)."""
        if k <= 0:
            return
        running = min(k, max(0, self._switch() - self.n))
        if running:
            # Combine the running mean/variance with ``running`` zero samples (pairwise-merge formula).
            total = self.n + running
            self.var = (self.n * self.var + self.n * running * self.mean**2 / total) / total
            self.mean = self.mean * self.n / total
            self.n = total
        rest = k - running
        if rest:
            decay = (1.0 - self.alpha) ** rest
            self.var = decay * (self.var + self.mean**2 * (1.0 - decay))
            self.mean *= decay

    def boundary(self, limits: CountLimits, min_delta: float = 0.0) -> float:
        """The smallest amount that is anomalous: far enough in standard deviations, ratio and absolute terms."""
        sd = math.sqrt(max(self.var, 0.0))
        delta = max(limits.min_delta, min_delta)
        return max(self.mean + limits.z * sd, self.mean * limits.min_ratio, self.mean + delta)

    def z(self, x: float) -> float | None:
        sd = math.sqrt(max(self.var, 0.0))
        return (x - self.mean) / sd if sd > 0 else None

    def _switch(self) -> int:
        """The bucket count from which the fixed weight ``alpha`` applies."""
        return max(1, math.ceil(1.0 / self.alpha - 1.0))


@dataclass(frozen=True, slots=True)
class RateLimits:
    z: float
    min_delta: float
    min_events: int
    floor: float


def surprise(events: float, requests: int, rate: float) -> float:
    """Signed root of the binomial log-likelihood ratio of ``events`` out of ``requests`` against ``rate``.

    Close to the usual z-score for large counts, but with the right tail for rare events: 5 blocks out of 20
    requests against a 2 % baseline scores 4.2 here while the normal approximation says 7.3, yet at 20 requests a
    minute such a bucket turns up every few weeks per key by chance alone.
    """
    if requests <= 0:
        return 0.0
    observed = min(max(events / requests, 0.0), 1.0)
    if observed <= rate:
        return 0.0
    div = observed * math.log(observed / rate)
    if observed < 1.0:
        div += (1.0 - observed) * math.log((1.0 - observed) / (1.0 - rate))
    return math.sqrt(max(2.0 * requests * div, 0.0))


@dataclass(slots=True)
class RateBaseline:
    """A fraction of requests (blocked, injection hit), as the ratio of two EWMAs; idle buckets change nothing."""

    alpha: float
    n: int = 0
    events: float = 0.0
    requests: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.requests if self.requests > 0 else 0.0

    def update(self, events: float, requests: int) -> None:
        if requests <= 0:
            return
        weight = max(self.alpha, 1.0 / (self.n + 1))
        self.n += 1
        self.events += weight * (events - self.events)
        self.requests += weight * (requests - self.requests)

    def score(self, events: int, requests: int, limits: RateLimits) -> float:
        return surprise(events, requests, max(self.rate, limits.floor))

    def is_anomalous(self, events: float, requests: int, limits: RateLimits) -> bool:
        if requests <= 0 or events < limits.min_events:
            return False
        if events / requests < self.rate + limits.min_delta:
            return False
        return surprise(events, requests, max(self.rate, limits.floor)) >= limits.z

    def boundary(self, requests: int, limits: RateLimits) -> float:
        """The smallest number of events out of ``requests`` that is anomalous (``requests + 1`` when none is)."""
        if not self.is_anomalous(requests, requests, limits):
            return float(requests + 1)
        low, high = 0.0, float(requests)
        for _ in range(40):
            mid = (low + high) / 2
            if self.is_anomalous(mid, requests, limits):
                high = mid
            else:
                low = mid
        return high
