"""The alerting service the application holds: detector, webhook notifier and the bucket-closing ticker.

The request path calls :meth:`AlertService.observe` (synchronous, cheap); alerts it raises are logged and queued
for the webhook. A background task closes buckets once per bucket period so block and injection rates are judged
even when a subject goes quiet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping

from wardgate.alerts.config import AlertsConfig
from wardgate.alerts.detector import AnomalyDetector
from wardgate.alerts.model import Alert, AlertCounts, Observation
from wardgate.alerts.webhook import DeliveryStats, Sleep, WebhookNotifier

log = logging.getLogger("wardgate.alerts")

TICK_SLACK_SECONDS = 0.05
"""Ticks run this long after a bucket boundary, so a clock read at the boundary lands in the new bucket."""
TICK_SLICE = 1000
"""Buckets closed per slice (a few milliseconds) before the ticker yields to the event loop."""


class AlertService:
    def __init__(
        self,
        config: AlertsConfig,
        *,
        clock: Callable[[], float] = time.time,
        env: Mapping[str, str] | None = None,
        sleep: Sleep = asyncio.sleep,
        on_alert: Callable[[Alert], None] | None = None,
    ) -> None:
        """``on_alert`` is called for every alert raised (for example to bump a metric), before it is queued; it
        runs on the request path and must not raise."""
        self.detector = AnomalyDetector(config, clock)
        self.notifier = (
            WebhookNotifier(config.webhook, env=env, clock=clock, sleep=sleep)
            if config.enabled and config.webhook is not None
            else None
        )
        self._enabled = config.enabled
        self._sleep = sleep
        self._on_alert = on_alert
        self._ticker: asyncio.Task[None] | None = None

    def observe(self, obs: Observation) -> None:
        """Account one finished request. Never raises for alerting reasons and never waits."""
        self._emit(self.detector.observe(obs))

    def tick(self) -> None:
        """Close the buckets that have ended (the background ticker calls this once per bucket)."""
        self._emit(self.detector.tick())

    def counts(self) -> AlertCounts:
        return self.detector.counts()

    def delivery(self) -> DeliveryStats | None:
        return self.notifier.stats() if self.notifier is not None else None

    async def start(self) -> None:
        if not self._enabled or self._ticker is not None:
            return
        if self.notifier is not None:
            await self.notifier.start()
        self._ticker = asyncio.create_task(self._tick_forever(), name="wardgate-alert-ticker")

    async def aclose(self) -> None:
        ticker, self._ticker = self._ticker, None
        if ticker is not None:
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
        if self.notifier is not None:
            await self.notifier.aclose()

    def _emit(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            log.warning(
                "anomaly alert",
                extra={
                    "fields": {
                        "subject_kind": alert.subject.kind,
                        "subject": alert.subject.id,
                        "signal": alert.signal.value,
                        "observed": round(alert.observed, 3),
                        "baseline": round(alert.baseline, 3),
                        "suppressed": alert.suppressed,
                    }
                },
            )
            if self._on_alert is not None:
                self._on_alert(alert)
            if self.notifier is not None:
                self.notifier.notify(alert)

    async def _tick_forever(self) -> None:
        while True:
            await self._sleep(self.detector.seconds_to_next_bucket() + TICK_SLACK_SECONDS)
            try:
                self._emit(self.detector.tick(limit=TICK_SLICE))
                while self.detector.due():
                    await asyncio.sleep(0)  # let requests run between slices
                    self._emit(self.detector.tick(limit=TICK_SLICE))
            except Exception as exc:  # noqa: BLE001 - the ticker task's boundary: a bug must not stop later ticks
                log.error("alert ticker: unexpected %s", type(exc).__name__)
