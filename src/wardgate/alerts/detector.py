"""Anomaly detection per key and per team over fixed time buckets.

Method and defaults (all in :class:`~wardgate.alerts.config.AlertsConfig`), checked against simulated traffic with
Poisson arrivals, minute-to-minute burstiness, a daily swing and log-normal token counts (see the unit tests):

* **Buckets of 60 s**, aligned to the clock: short enough to alert within a minute or two of a surge, long enough
  that a key doing a few requests a minute has counts rather than mostly zeros. Idle buckets count as zero traffic
  (a rate per minute, not per active minute) and are applied in closed form when the subject comes back, so a
  request costs O(1) however long the subject was away.
* **EWMA mean and variance, half-life 60 buckets**, rather than a median/MAD over a window: the window would have to
  be kept per subject (memory), and for a key idle in most minutes its median and MAD are both zero. One hour of
  memory follows the daily cycle while one bad minute barely moves it. After warm-up a bucket feeds the variance
  with at most 4 σ of deviation, and an anomalous bucket moves the mean only up to the alert boundary and the
  variance not at all; otherwise the first minutes of a surge widen the variance enough to hide the rest of it.
  A lasting change of level is still learnt, over an hour or two.
* **Requests and tokens alert** as soon as the open bucket reaches all of ``mean + 6 σ``, ``2 × mean`` and
  ``mean +`` a floor (20 requests; for tokens the larger of 20 000 and 20 typical requests' worth). The z-score
  catches departures from a steady key; the ratio keeps a very regular key (σ ≈ 0) from alerting on a modest
  change; the floor keeps a key with a tiny baseline from alerting on a handful of requests. Six sigmas because
  per-minute sums are skewed and every key produces 1 440 buckets a day: on simulated steady traffic (four keys
  and their team) 4 σ gave one to five alerts a day, 5 σ one every few days, 6 σ one in 60 simulated days.
  One request adds at most 10 typical requests' worth of tokens, so one huge prompt is not a surge. Only
  increases alert: a drop in traffic is not a security event.
* **Block and injection-hit rates** are judged with the binomial likelihood ratio (see
  :func:`~wardgate.alerts.baseline.surprise`; the normal approximation alerts far too often for rare events)
  against the baseline rate floored at 1 %, and must also be 20 percentage points above the baseline with at least
  5 such requests in the bucket. They are decided when the bucket closes: on the subject's next request or on
  :meth:`AnomalyDetector.tick`.
* **Warm-up of 60 buckets** (one hour, idle minutes included) before a subject can alert at all: the variance needs
  a few dozen buckets before six sigmas mean something, and the tools and domains used in that hour become the
  known set. A subject that is evicted and comes back warms up again.
* **New tools and domains** alert on the first use of a name the subject has not used (within its bounded memory).
* **Cool-down** of one hour per (subject, signal): a surge gives one alert; the rest are counted as suppressed and
  the next alert says how many.
"""

from __future__ import annotations

import math
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator

from wardgate.alerts.config import AlertsConfig
from wardgate.alerts.model import Alert, AlertCounts, Observation, Signal, Subject
from wardgate.alerts.subject import Finding, Params, SubjectState


class AnomalyDetector:
    """Per-key and per-team baselines; :meth:`observe` is called once per finished request and is cheap."""

    def __init__(self, config: AlertsConfig, clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._params = Params.from_config(config)
        self._subjects: OrderedDict[Subject, SubjectState] = OrderedDict()
        self._pending: OrderedDict[Subject, None] = OrderedDict()
        """Subjects whose open bucket holds requests, oldest bucket first: the ones :meth:`tick` has to close."""
        self._raised: Counter[str] = Counter()
        self._suppressed: Counter[str] = Counter()
        self._evicted = 0
        self._names = 0
        """Tools and domains remembered over all subjects."""

    def __len__(self) -> int:
        return len(self._subjects)

    def observe(self, obs: Observation) -> list[Alert]:
        """Account one finished request; returns the alerts it raised (usually none).

        Not thread-safe: call it from one thread (the event loop's), as the request path does."""
        if not self._config.enabled:
            return []
        now = obs.time if obs.time is not None else self._clock()
        bucket = self._bucket(now)
        alerts: list[Alert] = []
        subjects = tuple(self._subjects_of(obs))
        for subject in subjects:
            state = self._state(subject, bucket)
            names = state.names()
            found = state.advance(bucket)
            found += state.add(obs)
            self._names += state.names() - names
            self._pending[subject] = None
            self._pending.move_to_end(subject)  # keeps the oldest open buckets first
            alerts.extend(self._admit(subject, state, found, now))
        self._trim(keep=subjects)
        return alerts

    def tick(self, now: float | None = None, limit: int | None = None) -> list[Alert]:
        """Close buckets that have ended by ``now`` (at most ``limit`` of them); returns the rate alerts raised.

        Call it about once a bucket (the alerting service does, in slices, between which the event loop runs);
        without it, a subject's bucket closes on its next request, so a key that bursts and goes quiet would be
        judged late. Costs O(closed buckets): subjects with nothing open are not visited.
        """
        if not self._config.enabled:
            return []
        now = self._clock() if now is None else now
        bucket = self._bucket(now)
        alerts: list[Alert] = []
        closed = 0
        while self._pending and (limit is None or closed < limit):
            subject = next(iter(self._pending))
            state = self._subjects[subject]
            if state.bucket >= bucket:
                break
            del self._pending[subject]
            alerts.extend(self._admit(subject, state, state.advance(bucket), now))
            closed += 1
        return alerts

    def due(self, now: float | None = None) -> bool:
        """True while some bucket that ended by ``now`` is still open (:meth:`tick` has work)."""
        if not self._pending:
            return False
        now = self._clock() if now is None else now
        return self._subjects[next(iter(self._pending))].bucket < self._bucket(now)

    def seconds_to_next_bucket(self, now: float | None = None) -> float:
        now = self._clock() if now is None else now
        size = self._config.bucket_seconds
        return (self._bucket(now) + 1) * size - now

    def counts(self) -> AlertCounts:
        """Alerts raised and suppressed per signal (every signal present), for metrics export."""
        return AlertCounts(
            raised={signal.value: self._raised[signal.value] for signal in Signal},
            suppressed={signal.value: self._suppressed[signal.value] for signal in Signal},
            subjects=len(self._subjects),
            evicted=self._evicted,
        )

    def seen_names(self, subject: Subject, signal: Signal) -> int:
        """How many distinct tools (``NEW_TOOL``) or domains (``NEW_DOMAIN``) are remembered for ``subject``."""
        state = self._subjects.get(subject)
        return state.seen(signal) if state is not None else 0

    def _bucket(self, now: float) -> int:
        return math.floor(now / self._config.bucket_seconds)

    def _subjects_of(self, obs: Observation) -> Iterator[Subject]:
        limit = self._config.max_item_chars
        if self._config.per_key and obs.key_id:
            yield Subject("key", obs.key_id[:limit])
        if self._config.per_team and obs.team:
            yield Subject("team", obs.team[:limit])

    def _state(self, subject: Subject, bucket: int) -> SubjectState:
        state = self._subjects.get(subject)
        if state is not None:
            self._subjects.move_to_end(subject)
            return state
        state = self._subjects[subject] = SubjectState(self._params, bucket)
        return state

    def _trim(self, keep: tuple[Subject, ...]) -> None:
        """Forget the least recently seen subjects while over the subject or remembered-name caps."""
        while len(self._subjects) > self._config.max_subjects or self._names > self._config.max_seen_total:
            oldest = next(iter(self._subjects))
            if oldest in keep:
                return
            self._names -= self._subjects.pop(oldest).names()
            self._pending.pop(oldest, None)
            self._evicted += 1

    def _admit(self, subject: Subject, state: SubjectState, found: list[Finding], now: float) -> Iterator[Alert]:
        for finding in found:
            held = state.admit(finding.signal, now)
            if held is None:
                self._suppressed[finding.signal.value] += 1
                continue
            self._raised[finding.signal.value] += 1
            yield Alert(
                subject=subject,
                signal=finding.signal,
                observed=finding.observed,
                baseline=finding.baseline,
                threshold=finding.threshold,
                z=finding.z,
                at=now,
                bucket_seconds=self._config.bucket_seconds,
                item=finding.item,
                suppressed=held,
            )
