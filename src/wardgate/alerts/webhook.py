"""Webhook delivery: a bounded queue drained by one background task, with timeouts, retries and backoff.

:meth:`WebhookNotifier.notify` never waits: it queues the alert or, when the queue is full, drops and counts it.
Each POST has a total timeout; connection errors, timeouts, 429 and 5xx are retried with exponential backoff
(a numeric ``Retry-After`` is honoured up to the backoff cap); other statuses, redirects included, are final.
Nothing about a failure is raised to the caller; failures are counted and logged by status or exception type,
never with the URL (a Slack webhook URL is a credential).

When a signing secret is configured every POST carries ``X-Wardgate-Timestamp`` (Unix seconds) and
``X-Wardgate-Signature: sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<body>`` under that secret. A receiver
recomputes it over the raw body, compares in constant time, and rejects old timestamps to stop replays.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import math
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import aiohttp

from wardgate.alerts.config import WebhookConfig
from wardgate.alerts.message import encode, render
from wardgate.alerts.model import Alert
from wardgate.errors import ConfigError

log = logging.getLogger("wardgate.alerts")

SIGNATURE_HEADER = "X-Wardgate-Signature"
TIMESTAMP_HEADER = "X-Wardgate-Timestamp"

Sleep = Callable[[float], Awaitable[None]]


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Wardgate-Signature`` value for ``body`` sent at ``timestamp``."""
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def load_signing_secret(config: WebhookConfig, env: Mapping[str, str]) -> bytes | None:
    """The HMAC key named by ``hmac_secret_env``; a missing or empty variable stops startup."""
    name = config.hmac_secret_env
    if name is None:
        return None
    value = env.get(name, "")
    if not value:
        raise ConfigError(f"alerts.webhook.hmac_secret_env: environment variable {name} is not set or empty")
    return value.encode()


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    sent: int
    failed: int
    """Given up on: retries exhausted or a final (non-retryable) status."""
    dropped: int
    """Never attempted: the queue was full, or the notifier was closing."""
    retries: int
    queued: int


@dataclass(frozen=True, slots=True)
class _Attempt:
    outcome: Literal["sent", "retry", "final"]
    reason: str
    """HTTP status or exception type; never a URL or body."""
    retry_after: float | None = None


class WebhookNotifier:
    """Sends alerts to one webhook. ``start()`` in the application's startup, ``aclose()`` in its shutdown."""

    def __init__(
        self,
        config: WebhookConfig,
        *,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._config = config
        self._secret = load_signing_secret(config, os.environ if env is None else env)
        self._clock = clock
        self._sleep = sleep
        self._queue: asyncio.Queue[Alert] = asyncio.Queue(maxsize=config.queue_size)
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closing = False
        self._sent = self._failed = self._dropped = self._retries = 0

    def notify(self, alert: Alert) -> bool:
        """Queue ``alert`` for delivery without waiting; false when it was dropped. Call on the event loop."""
        if self._closing:
            self._dropped += 1
            return False
        try:
            self._queue.put_nowait(alert)
        except asyncio.QueueFull:
            self._dropped += 1
            return False
        return True

    def stats(self) -> DeliveryStats:
        return DeliveryStats(self._sent, self._failed, self._dropped, self._retries, self._queue.qsize())

    async def start(self) -> None:
        if self._task is not None:
            return
        timeout = aiohttp.ClientTimeout(total=self._config.timeout_seconds)
        self._session = aiohttp.ClientSession(timeout=timeout, raise_for_status=False)
        self._task = asyncio.create_task(self._run(), name="wardgate-alert-webhook")

    async def join(self) -> None:
        """Wait until every queued alert has been sent or given up on (needs :meth:`start`)."""
        await self._queue.join()

    async def aclose(self) -> None:
        """Stop taking alerts, give queued ones up to ``drain_seconds``, then stop; never raises for delivery."""
        self._closing = True
        task, self._task = self._task, None
        if task is not None:
            try:
                async with asyncio.timeout(self._config.drain_seconds):
                    await self._queue.join()
            except TimeoutError:
                log.warning("alert webhook: %d alert(s) not delivered before shutdown", self._queue.qsize())
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
            self._dropped += 1
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        while True:
            alert = await self._queue.get()
            try:
                await self._deliver(alert)
            except asyncio.CancelledError:
                self._dropped += 1
                raise
            except Exception as exc:  # noqa: BLE001 - the delivery task's boundary: count, log the type, go on
                self._failed += 1
                log.error("alert webhook: unexpected %s", type(exc).__name__)
            finally:
                self._queue.task_done()

    async def _deliver(self, alert: Alert) -> None:
        body = encode(render(alert, include_item=self._config.include_item_names))
        for attempt in range(1, self._config.max_attempts + 1):
            result = await self._post(body)
            if result.outcome == "sent":
                self._sent += 1
                return
            if result.outcome == "final" or attempt == self._config.max_attempts:
                self._failed += 1
                log.warning(
                    "alert webhook: %s signal dropped after %d attempt(s): %s",
                    alert.signal.value,
                    attempt,
                    result.reason,
                )
                return
            self._retries += 1
            await self._sleep(self._backoff(attempt, result.retry_after))

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay = self._config.backoff_seconds * math.pow(2.0, attempt - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self._config.max_backoff_seconds)

    async def _post(self, body: bytes) -> _Attempt:
        session = self._session
        if session is None:
            return _Attempt("final", "not started")
        headers = {"Content-Type": "application/json", "User-Agent": "wardgate-alerts"}
        if self._secret is not None:
            timestamp = str(int(self._clock()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(self._secret, timestamp, body)
        url = self._config.url.get_secret_value()
        try:
            async with session.post(url, data=body, headers=headers, allow_redirects=False) as response:
                status = response.status
                retry_after = _seconds(response.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return _Attempt("retry", type(exc).__name__)
        if 200 <= status < 300:
            return _Attempt("sent", str(status))
        if status == 429 or status >= 500:
            return _Attempt("retry", f"HTTP {status}", retry_after)
        return _Attempt("final", f"HTTP {status}")


def _seconds(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
