"""The detector on generated traffic: seeded random, an injected clock, hours of simulated one-minute buckets."""

from __future__ import annotations

import math
import random
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from wardgate.alerts.config import AlertsConfig
from wardgate.alerts.detector import AnomalyDetector
from wardgate.alerts.model import Alert, Observation, Signal, Subject

T0 = 1_700_000_040.0  # a bucket boundary
MINUTE = 60.0
HOUR = 60


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Profile:
    """One key's traffic: Poisson arrivals, long-tailed token counts, a few blocks and injection hits."""

    key: str
    rate: float  # requests per minute, before the daily swing
    tokens: float = 800.0  # median tokens per request
    sigma: float = 0.7  # log-normal spread of tokens per request
    block_p: float = 0.02
    injection_p: float = 0.01
    team: str | None = None
    tools: tuple[str, ...] = ("search", "calculator")


Tweak = Callable[[Profile, int], Profile]


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _request(rng: random.Random, p: Profile) -> Observation:
    blocked = rng.random() < p.block_p
    return Observation(
        key_id=p.key,
        team=p.team,
        tokens=int(rng.lognormvariate(math.log(p.tokens), p.sigma)),
        blocked=blocked,
        injection_hit=rng.random() < p.injection_p,
        tools=(rng.choice(p.tools),) if p.tools and rng.random() < 0.3 else (),
    )


def simulate(
    detector: AnomalyDetector,
    clock: FakeClock,
    rng: random.Random,
    profiles: list[Profile],
    minutes: range,
    tweak: Tweak | None = None,
) -> list[Alert]:
    """Realistic noise: a daily swing of ±40 %, minute-to-minute burstiness (gamma, cv 0.2), Poisson arrivals."""
    alerts: list[Alert] = []
    for minute in minutes:
        swing = 1 + 0.4 * math.sin(2 * math.pi * minute / 1440)
        start = T0 + minute * MINUTE
        for base in profiles:
            profile = tweak(base, minute) if tweak else base
            count = _poisson(rng, profile.rate * swing * rng.gammavariate(25, 1 / 25))
            for offset in sorted(rng.random() * MINUTE for _ in range(count)):
                clock.now = start + offset
                alerts += detector.observe(_request(rng, profile))
        clock.now = start + MINUTE
        alerts += detector.tick()
    return alerts


def _detector(**overrides: object) -> tuple[AnomalyDetector, FakeClock]:
    clock = FakeClock()
    return AnomalyDetector(AlertsConfig.model_validate(overrides), clock), clock


def _signals(alerts: list[Alert]) -> Counter[tuple[str, Signal]]:
    return Counter((f"{a.subject.kind}:{a.subject.id}", a.signal) for a in alerts)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_steady_noisy_traffic_raises_nothing(seed: int) -> None:
    detector, clock = _detector()
    profiles = [
        Profile("k-quiet", rate=0.5, team="research"),
        Profile("k-small", rate=4, sigma=1.0, team="research"),
        Profile("k-busy", rate=25, team="research"),
        Profile("k-batch", rate=70, tokens=300, sigma=0.5),
    ]
    alerts = simulate(detector, clock, random.Random(seed), profiles, range(14 * HOUR))
    assert alerts == [], _signals(alerts)
    assert detector.counts().suppressed == dict.fromkeys(Signal.__members__.values(), 0)


def _after(start: int, change: Callable[[Profile], Profile]) -> Tweak:
    return lambda p, minute: change(p) if minute >= start and p.key == "k1" else p


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_tripled_token_use_raises_exactly_one_tokens_alert(seed: int) -> None:
    detector, clock = _detector()
    rng = random.Random(seed)
    profiles = [Profile("k1", rate=20), Profile("k2", rate=20)]
    assert simulate(detector, clock, rng, profiles, range(3 * HOUR)) == []
    tweak = _after(3 * HOUR, lambda p: replace(p, tokens=p.tokens * 3))
    alerts = simulate(detector, clock, rng, profiles, range(3 * HOUR, 3 * HOUR + 45), tweak)
    assert _signals(alerts) == {("key:k1", Signal.TOKENS): 1}
    (alert,) = alerts
    assert alert.at - (T0 + 3 * HOUR * MINUTE) < 10 * MINUTE  # raised within minutes, mid-bucket
    assert alert.observed >= alert.threshold >= 2 * alert.baseline
    assert detector.counts().raised[Signal.TOKENS] == 1
    assert detector.counts().suppressed[Signal.TOKENS] >= 1  # the rest of the surge was held back


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_key_that_starts_hitting_injection_rules_raises_exactly_one(seed: int) -> None:
    detector, clock = _detector()
    rng = random.Random(seed)
    profiles = [Profile("k1", rate=15), Profile("k2", rate=15)]
    assert simulate(detector, clock, rng, profiles, range(3 * HOUR)) == []
    tweak = _after(3 * HOUR, lambda p: replace(p, injection_p=0.5))  # monitor mode: hits are not blocked
    alerts = simulate(detector, clock, rng, profiles, range(3 * HOUR, 3 * HOUR + 45), tweak)
    assert _signals(alerts) == {("key:k1", Signal.INJECTION_RATE): 1}
    assert alerts[0].baseline < 0.05 <= 0.3 <= alerts[0].observed


def test_blocked_injections_raise_one_alert_per_signal() -> None:
    detector, clock = _detector()
    rng = random.Random(31)
    profiles = [Profile("k1", rate=15)]
    simulate(detector, clock, rng, profiles, range(3 * HOUR))
    tweak = _after(3 * HOUR, lambda p: replace(p, injection_p=0.6, block_p=0.6))
    alerts = simulate(detector, clock, rng, profiles, range(3 * HOUR, 4 * HOUR), tweak)
    assert _signals(alerts) == {("key:k1", Signal.INJECTION_RATE): 1, ("key:k1", Signal.BLOCK_RATE): 1}


def test_request_surge_raises_request_rate_mid_bucket() -> None:
    detector, clock = _detector()
    rng = random.Random(41)
    profiles = [Profile("k1", rate=10, team="ops")]
    simulate(detector, clock, rng, profiles, range(2 * HOUR))
    clock.now = T0 + 2 * HOUR * MINUTE + 1
    alerts: list[Alert] = []
    for _ in range(200):
        alerts += detector.observe(Observation("k1", "ops", tokens=800, blocked=False, injection_hit=False))
    assert {(a.subject.kind, a.signal) for a in alerts} == {
        (kind, signal) for kind in ("key", "team") for signal in (Signal.REQUEST_RATE, Signal.TOKENS)
    }
    request_alert = next(a for a in alerts if a.signal is Signal.REQUEST_RATE)
    assert request_alert.observed == math.ceil(request_alert.threshold)  # fired the moment it crossed


def test_one_huge_request_is_not_a_token_surge() -> None:
    detector, clock = _detector()
    rng = random.Random(51)
    simulate(detector, clock, rng, [Profile("k1", rate=3)], range(2 * HOUR))
    clock.now = T0 + 2 * HOUR * MINUTE + 1
    assert detector.observe(Observation("k1", None, tokens=1_000_000, blocked=False, injection_hit=False)) == []


def _warm(detector: AnomalyDetector, clock: FakeClock, key: str = "k1", team: str | None = None) -> None:
    for minute in range(HOUR + 1):
        clock.now = T0 + minute * MINUTE
        detector.observe(Observation(key, team, 500, False, False, tools=("search",), domains=("docs.example.com",)))


def _use(
    detector: AnomalyDetector,
    clock: FakeClock,
    at: float,
    *,
    tools: tuple[str, ...] = (),
    domains: tuple[str, ...] = (),
    team: str | None = None,
) -> list[Alert]:
    clock.now = at
    return detector.observe(Observation("k1", team, 500, False, False, tools=tools, domains=domains))


def test_new_tool_after_warm_up_raises_one() -> None:
    detector, clock = _detector()
    start = T0 + 10
    assert _use(detector, clock, start, tools=("calculator",)) == []  # during warm-up: learnt, not alerted
    _warm(detector, clock)
    now = T0 + (HOUR + 2) * MINUTE
    assert _use(detector, clock, now, tools=("search", "calculator")) == []
    alerts = _use(detector, clock, now + 1, tools=("search", "shell_exec"))
    assert [(a.signal, a.item, a.baseline) for a in alerts] == [(Signal.NEW_TOOL, "shell_exec", 2)]
    assert _use(detector, clock, now + 2, tools=("shell_exec",)) == []  # known now


def test_new_domain_is_normalised_before_comparison() -> None:
    detector, clock = _detector()
    _warm(detector, clock)
    now = T0 + (HOUR + 2) * MINUTE
    assert _use(detector, clock, now, domains=("Docs.Example.COM.",)) == []
    alerts = _use(detector, clock, now + 1, domains=("Exfil.Example.NET",))
    assert [(a.signal, a.item) for a in alerts] == [(Signal.NEW_DOMAIN, "exfil.example.net")]


def test_cooldown_suppresses_repeats_and_re_arms_after_it_expires() -> None:
    detector, clock = _detector(cooldown_seconds=1800)
    _warm(detector, clock)
    now = T0 + (HOUR + 2) * MINUTE
    assert len(_use(detector, clock, now, tools=("tool_a",))) == 1
    for i in range(50):  # a burst of new tools within the cool-down
        assert _use(detector, clock, now + 10 + 30 * i, tools=(f"burst_{i}",)) == []
    assert _use(detector, clock, now + 1799, tools=("tool_b",)) == []
    assert detector.counts().suppressed[Signal.NEW_TOOL] == 51
    (alert,) = _use(detector, clock, now + 1800, tools=("tool_c",))
    assert (alert.item, alert.suppressed) == ("tool_c", 51)
    assert detector.counts().raised[Signal.NEW_TOOL] == 2
    assert _use(detector, clock, now + 1801, domains=("new.example.org",)) != []  # other signals: own cool-down


def test_team_baseline_is_shared_by_its_keys() -> None:
    detector, clock = _detector()
    for key in ("k1", "k2"):
        _warm(detector, clock, key, team="ops")
    now = T0 + (HOUR + 2) * MINUTE
    first = _use(detector, clock, now, team="ops", tools=("deploy",))
    assert {(a.subject, a.signal) for a in first} == {
        (Subject("key", "k1"), Signal.NEW_TOOL),
        (Subject("team", "ops"), Signal.NEW_TOOL),
    }
    clock.now = now + 1
    second = detector.observe(Observation("k2", "ops", 500, False, False, tools=("deploy",)))
    assert [(a.subject, a.signal) for a in second] == [(Subject("key", "k2"), Signal.NEW_TOOL)]


def test_tick_closes_the_bucket_of_a_subject_that_went_quiet() -> None:
    detector, clock = _detector()
    _warm(detector, clock)
    clock.now = T0 + (HOUR + 2) * MINUTE
    for _ in range(10):
        assert detector.observe(Observation("k1", None, 500, blocked=True, injection_hit=True)) == []
    clock.now += MINUTE - 1
    assert detector.tick() == []  # the bucket is still open
    clock.now += 1
    assert {a.signal for a in detector.tick()} == {Signal.BLOCK_RATE, Signal.INJECTION_RATE}
    assert detector.tick() == []


def test_signals_can_be_switched_off() -> None:
    detector, clock = _detector(signals=["tokens"], per_team=False)
    _warm(detector, clock, team="ops")
    assert _use(detector, clock, T0 + (HOUR + 2) * MINUTE, team="ops", tools=("new",)) == []
    assert detector.seen_names(Subject("key", "k1"), Signal.NEW_TOOL) == 0  # not even remembered
    assert len(detector) == 1


def test_disabled_detector_does_nothing() -> None:
    detector, clock = _detector(enabled=False)
    _warm(detector, clock)
    assert len(detector) == 0
    assert detector.tick() == []


def test_clock_going_backwards_stays_in_the_open_bucket() -> None:
    detector, clock = _detector()
    _warm(detector, clock)
    assert _use(detector, clock, T0, tools=("search",)) == []
    assert detector.seconds_to_next_bucket(T0 + 15) == pytest.approx(45.0)


def test_memory_is_bounded_by_subject_and_name_caps() -> None:
    detector, clock = _detector(max_subjects=500, max_seen_items=16)
    tracemalloc.start()
    try:
        for i in range(3_000):
            clock.now = T0 + i
            detector.observe(Observation(f"k{i}", f"t{i % 700}", 100, False, False, tools=(f"tool{i % 40}",)))
        early, _ = tracemalloc.get_traced_memory()
        for i in range(3_000, 15_000):
            clock.now = T0 + i
            detector.observe(Observation(f"k{i}", f"t{i % 700}", 100, False, False, tools=(f"tool{i % 40}",)))
        late, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(detector) == 500
    assert detector.counts().evicted == 2 * 15_000 - 500  # every team comes back after it was evicted
    assert late < early * 1.2
    for i in range(50):
        clock.now += 1
        detector.observe(
            Observation("k-many", None, 100, False, False, tools=(f"tool-{i}",), domains=(f"d{i}.example",))
        )
    assert detector.seen_names(Subject("key", "k-many"), Signal.NEW_TOOL) == 16
    assert detector.seen_names(Subject("key", "k-many"), Signal.NEW_DOMAIN) == 16


def test_remembered_names_are_capped_over_all_subjects() -> None:
    detector, clock = _detector(max_seen_items=50, max_seen_total=120)
    for i in range(10):
        for j in range(30):
            clock.now += 1
            detector.observe(Observation(f"k{i}", None, 100, False, False, tools=(f"tool{j}",)))
    assert len(detector) == 4  # 4 × 30 names fit, older subjects were forgotten
    assert detector.counts().evicted == 6
    flood = [f"x{j}" for j in range(200)]
    clock.now += 1
    detector.observe(Observation("k-flood", None, 100, False, False, tools=tuple(flood)))
    assert detector.seen_names(Subject("key", "k-flood"), Signal.NEW_TOOL) == 50
    assert len(detector) == 3  # the flooding subject keeps its own (capped) names, the oldest others go


def test_tick_works_in_slices_and_only_visits_open_buckets() -> None:
    detector, clock = _detector()
    clock.now = T0 + 1
    for i in range(25):
        detector.observe(Observation(f"k{i}", None, 100, False, False))
    assert not detector.due()
    clock.now = T0 + MINUTE + 1
    detector.observe(Observation("k0", None, 100, False, False))  # k0's old bucket closes on its own request
    assert detector.due()
    detector.tick(limit=10)
    detector.tick(limit=10)
    assert detector.due()
    detector.tick(limit=10)
    assert not detector.due()  # 24 closed by ticks; k0's bucket is the current one
    clock.now += MINUTE
    assert detector.due()
    detector.tick()
    assert not detector.due()
    clock.now += 10 * MINUTE
    assert not detector.due()  # nothing open: idle subjects cost the ticker nothing
