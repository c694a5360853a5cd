"""The alerting service and the notifier without a network: queueing, dropping, signing, the bucket ticker."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging

import pytest

from wardgate.alerts import Alert, AlertsConfig, AlertService, Observation, Signal, Subject, WebhookNotifier, sign
from wardgate.alerts.config import WebhookConfig
from wardgate.errors import ConfigError

T0 = 1_700_000_040.0
HOOK = "https://hooks.example.com/services/T000/B000/very-secret-token"


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def _alert(i: int = 0) -> Alert:
    return Alert(Subject("key", f"k{i}"), Signal.NEW_TOOL, 2, 1, 2, None, T0, 60, item="tool")


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    body = b'{"text":"x"}'
    expected = hmac.new(b"k3y", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(b"k3y", "1700000000", body) == f"sha256={expected}"


def test_signing_secret_comes_from_the_environment_and_must_exist() -> None:
    config = WebhookConfig.model_validate({"url": HOOK, "hmac_secret_env": "ALERT_KEY"})
    with pytest.raises(ConfigError) as info:
        WebhookNotifier(config, env={})
    assert "ALERT_KEY" in str(info.value)
    assert "very-secret-token" not in str(info.value)
    with pytest.raises(ConfigError):
        WebhookNotifier(config, env={"ALERT_KEY": ""})
    WebhookNotifier(config, env={"ALERT_KEY": "s3cret"})


async def test_notify_never_waits_and_drops_when_the_queue_is_full() -> None:
    notifier = WebhookNotifier(WebhookConfig.model_validate({"url": HOOK, "queue_size": 3}), env={})
    accepted = [notifier.notify(_alert(i)) for i in range(5)]
    assert accepted == [True, True, True, False, False]
    assert (notifier.stats().queued, notifier.stats().dropped) == (3, 2)
    await notifier.aclose()  # never started: what is queued is dropped, nothing raises
    assert (notifier.stats().queued, notifier.stats().dropped, notifier.stats().sent) == (0, 5, 0)
    assert notifier.notify(_alert()) is False
    assert notifier.stats().dropped == 6


def _warm(service: AlertService, clock: FakeClock) -> None:
    for minute in range(61):
        clock.now = T0 + minute * 60
        service.observe(Observation("k1", "ops", 500, False, False, tools=("search",)))


def test_observe_reports_alerts_to_the_callback_and_the_log(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    raised: list[Alert] = []
    service = AlertService(AlertsConfig(per_team=False), clock=clock, on_alert=raised.append)
    _warm(service, clock)
    assert service.notifier is None and service.delivery() is None
    with caplog.at_level(logging.WARNING, logger="wardgate.alerts"):
        service.observe(Observation("k1", "ops", 500, False, False, tools=("secret_exfil_tool",)))
    assert [(a.subject.id, a.signal) for a in raised] == [("k1", Signal.NEW_TOOL)]
    (record,) = caplog.records
    assert record.fields == {  # type: ignore[attr-defined]
        "subject_kind": "key",
        "subject": "k1",
        "signal": "new_tool",
        "observed": 2,
        "baseline": 1,
        "suppressed": 0,
    }
    assert service.counts().raised["new_tool"] == 1


async def test_ticker_closes_buckets_on_the_injected_clock() -> None:
    clock = FakeClock()
    permits: asyncio.Queue[None] = asyncio.Queue()
    delays: list[float] = []
    asked, alerted = asyncio.Event(), asyncio.Event()

    async def sleep(delay: float) -> None:
        delays.append(delay)
        asked.set()
        await permits.get()
        clock.now += delay

    raised: list[Alert] = []

    def on_alert(alert: Alert) -> None:
        raised.append(alert)
        alerted.set()

    service = AlertService(AlertsConfig(), clock=clock, sleep=sleep, on_alert=on_alert)
    _warm(service, clock)
    clock.now = T0 + 62 * 60 + 30
    for _ in range(10):
        service.observe(Observation("k1", None, 500, blocked=True, injection_hit=False))
    assert raised == []
    await service.start()
    try:
        async with asyncio.timeout(5):
            await asked.wait()
            assert delays == [pytest.approx(30.05)]
            permits.put_nowait(None)
            await alerted.wait()
    finally:
        await service.aclose()
    assert [(a.subject.id, a.signal) for a in raised] == [("k1", Signal.BLOCK_RATE)]


async def test_disabled_service_starts_nothing() -> None:
    service = AlertService(AlertsConfig.model_validate({"enabled": False, "webhook": {"url": HOOK}}))
    await service.start()
    service.observe(Observation("k1", None, 500, False, False))
    assert service.notifier is None
    assert service.counts().subjects == 0
    await service.aclose()


def test_public_surface_is_curated() -> None:
    import wardgate.alerts

    assert sorted(wardgate.alerts.__all__) == sorted(
        [
            "SIGNATURE_HEADER",
            "TIMESTAMP_HEADER",
            "Alert",
            "AlertCounts",
            "AlertService",
            "AlertsConfig",
            "AnomalyDetector",
            "DeliveryStats",
            "Observation",
            "Signal",
            "Subject",
            "WebhookConfig",
            "WebhookNotifier",
            "sign",
        ]
    )
    for name in wardgate.alerts.__all__:
        assert hasattr(wardgate.alerts, name)
