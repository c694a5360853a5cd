"""Baseline arithmetic: closed-form idle buckets, boundaries, the binomial surprise score."""

from __future__ import annotations

import math
import random

import pytest

from wardgate.alerts.baseline import (
    CountBaseline,
    CountLimits,
    RateBaseline,
    RateLimits,
    ewma_alpha,
    surprise,
)

ALPHA = ewma_alpha(60)
COUNTS = CountLimits(z=6.0, min_ratio=2.0, min_delta=20.0)
RATES = RateLimits(z=6.0, min_delta=0.2, min_events=5, floor=0.01)


def test_alpha_halves_weight_after_half_life() -> None:
    assert (1 - ewma_alpha(60)) ** 60 == pytest.approx(0.5)


def _trained(samples: int, seed: int = 1) -> CountBaseline:
    rng = random.Random(seed)
    base = CountBaseline(ALPHA)
    for _ in range(samples):
        base.update(rng.uniform(5, 40))
    return base


@pytest.mark.parametrize("samples", [0, 1, 10, 86, 87, 300], ids=lambda n: f"after{n}")
@pytest.mark.parametrize("idle", [0, 1, 7, 80, 1000], ids=lambda k: f"idle{k}")
def test_idle_buckets_in_closed_form_match_one_by_one(samples: int, idle: int) -> None:
    stepwise, closed = _trained(samples), _trained(samples)
    for _ in range(idle):
        stepwise.update(0.0)
    closed.update_zeros(idle)
    assert closed.mean == pytest.approx(stepwise.mean, rel=1e-9, abs=1e-12)
    assert closed.var == pytest.approx(stepwise.var, rel=1e-9, abs=1e-12)
    assert closed.n == stepwise.n


def test_running_average_before_the_ewma_weight_takes_over() -> None:
    base = CountBaseline(ALPHA)
    for x in (10.0, 20.0, 30.0):
        base.update(x)
    assert base.mean == pytest.approx(20.0)
    assert base.var == pytest.approx(200.0 / 3)  # population variance of 10, 20, 30


def test_huge_idle_gap_is_cheap_and_decays_to_zero() -> None:
    base = _trained(200)
    base.update_zeros(10**12)
    assert base.mean == 0.0
    assert base.var == 0.0


def test_count_boundary_takes_the_strictest_condition() -> None:
    steady = CountBaseline(ALPHA, n=500, mean=100.0, var=4.0)  # sd 2: the ratio decides
    assert steady.boundary(COUNTS) == pytest.approx(200.0)
    noisy = CountBaseline(ALPHA, n=500, mean=100.0, var=400.0)  # sd 20: six sigmas decide
    assert noisy.boundary(COUNTS) == pytest.approx(220.0)
    tiny = CountBaseline(ALPHA, n=500, mean=1.0, var=1.0)  # tiny baseline: the absolute floor decides
    assert tiny.boundary(COUNTS) == pytest.approx(21.0)
    assert tiny.boundary(COUNTS, min_delta=50.0) == pytest.approx(51.0)


def test_anomalous_bucket_moves_mean_to_the_limit_only_and_keeps_the_variance() -> None:
    base = CountBaseline(ALPHA, n=500, mean=100.0, var=400.0)
    base.update(10_000.0, limit=220.0)
    assert base.mean == pytest.approx(100.0 + ALPHA * 120.0)
    assert base.var == 400.0


def test_large_normal_bucket_feeds_clipped_deviation_to_the_variance() -> None:
    clipped = CountBaseline(ALPHA, n=500, mean=100.0, var=100.0)
    clipped.update(190.0, limit=1000.0, clip_sd=4.0)  # 9 sd, fed as 4 sd
    assert clipped.var == pytest.approx((1 - ALPHA) * (100.0 + ALPHA * 40.0**2))


def test_surprise_matches_the_documented_example_and_is_one_sided() -> None:
    assert surprise(5, 20, 0.02) == pytest.approx(4.15, abs=0.01)
    assert surprise(0, 20, 0.02) == 0.0
    assert surprise(1, 100, 0.02) == 0.0
    assert surprise(5, 0, 0.02) == 0.0
    scores = [surprise(k, 50, 0.05) for k in range(3, 51)]
    assert scores == sorted(scores)
    assert math.isfinite(surprise(50, 50, 0.05))


def test_surprise_is_near_the_normal_z_for_large_counts() -> None:
    n, p = 100_000, 0.1
    sd = math.sqrt(n * p * (1 - p))
    assert surprise(n * p + 3 * sd, n, p) == pytest.approx(3.0, rel=0.02)


@pytest.mark.parametrize(
    ("rate", "requests"),
    [(0.0, 20), (0.02, 20), (0.05, 200), (0.3, 50), (0.02, 5)],
    ids=["zero-rate", "low", "many-requests", "high-rate", "few-requests"],
)
def test_rate_boundary_is_the_smallest_anomalous_count(rate: float, requests: int) -> None:
    base = RateBaseline(ALPHA, n=100, events=rate * 10, requests=10.0)
    limit = base.boundary(requests, RATES)
    assert base.is_anomalous(limit, requests, RATES)
    assert not base.is_anomalous(limit - 0.01, requests, RATES)
    assert limit >= RATES.min_events
    assert limit / requests >= base.rate + RATES.min_delta - 1e-9


def test_rate_boundary_when_nothing_could_alert() -> None:
    base = RateBaseline(ALPHA, n=100, events=0.0, requests=10.0)
    assert base.boundary(3, RATES) == 4.0  # fewer requests than min_events
    assert not base.is_anomalous(3, 3, RATES)


def test_rate_baseline_ignores_idle_buckets() -> None:
    base = RateBaseline(ALPHA)
    base.update(2, 20)
    base.update(0, 0)
    assert base.rate == pytest.approx(0.1)
    assert base.n == 1
