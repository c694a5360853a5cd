"""Alert webhooks over real HTTP: an aiohttp server on a free loopback port receives what the notifier POSTs."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from support.servers import free_port, free_socket
from wardgate.alerts import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Alert,
    AlertsConfig,
    AlertService,
    Observation,
    Signal,
    Subject,
    WebhookNotifier,
    sign,
)
from wardgate.alerts.config import WebhookConfig

SECRET = "webhook-signing-key-for-tests"
TOKEN = "T000-B000-pretend-slack-token"
T0 = 1_700_000_040.0


Step = tuple[int, dict[str, str]] | None
"""A scripted answer: status and headers, or ``None`` to never answer."""
OK: Step = (200, {})


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next scripted response (the last one repeats)."""

    port: int
    script: list[Step] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str = f"/hooks/{TOKEN}") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append(Received(dict(request.headers), await request.read()))
        step = self.script.pop(0) if len(self.script) > 1 else (self.script[0] if self.script else OK)
        if step is None:  # hang until the test ends: the client's timeout has to fire
            await self.release.wait()
            return web.Response(status=504)
        status, headers = step
        return web.Response(status=status, headers=headers)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    sock = free_socket()
    state = Receiver(port=sock.getsockname()[1])
    app = web.Application()
    app.router.add_post("/{tail:.*}", state.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield state
    finally:
        state.release.set()
        await runner.cleanup()


def _hook(receiver: Receiver, **overrides: Any) -> WebhookConfig:
    return WebhookConfig.model_validate({"url": receiver.url(), "backoff_seconds": 0.5, **overrides})


class RecordingSleep:
    """Backoff delays are recorded, not waited for."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def _alert(i: int = 0) -> Alert:
    return Alert(Subject("key", f"k{i}"), Signal.TOKENS, 61_000.0, 20_000.0, 40_000.0, 8.0, T0, 60)


async def _drain(notifier: WebhookNotifier) -> None:
    async with asyncio.timeout(10):
        await notifier.join()


async def _deliver_one(notifier: WebhookNotifier) -> None:
    """Start the notifier, hand it one alert, wait until it is delivered or given up, and stop it."""
    await notifier.start()
    try:
        notifier.notify(_alert())
        await _drain(notifier)
    finally:
        await notifier.aclose()


async def test_one_signed_slack_post_per_alert(receiver: Receiver) -> None:
    clock_now = [T0]
    config = AlertsConfig.model_validate(
        {"per_team": False, "webhook": {"url": receiver.url(), "hmac_secret_env": "ALERT_KEY"}}
    )
    service = AlertService(config, clock=lambda: clock_now[0], env={"ALERT_KEY": SECRET})
    await service.start()
    try:
        for minute in range(61):  # warm-up
            clock_now[0] = T0 + minute * 60
            for key in ("k1", "k2"):
                service.observe(Observation(key, "ops", 500, False, False, tools=("search",)))
        clock_now[0] += 60
        service.observe(Observation("k1", "ops", 500, False, False, tools=("shell_exec",)))
        service.observe(Observation("k1", "ops", 500, False, False, tools=("another_new_tool",)))  # cool-down
        service.observe(Observation("k2", "ops", 500, False, False, domains=("exfil.example.net",)))
        assert service.notifier is not None
        await _drain(service.notifier)
    finally:
        await service.aclose()

    assert len(receiver.received) == 2  # one POST per alert; the cooled-down one is not sent
    texts = []
    for request in receiver.received:
        payload = json.loads(request.body)
        assert set(payload) == {"text", "blocks"}
        assert payload["blocks"][0]["text"] == {"type": "mrkdwn", "text": payload["text"]}
        assert request.headers["Content-Type"] == "application/json"
        timestamp = request.headers[TIMESTAMP_HEADER]
        assert int(timestamp) == int(clock_now[0])
        expected = sign(SECRET.encode(), timestamp, request.body)
        assert hmac.compare_digest(request.headers[SIGNATURE_HEADER], expected)
        assert SECRET not in request.body.decode()
        texts.append(payload["text"])
    assert "key `k1` new_tool" in texts[0] and "`shell_exec`" in texts[0]
    assert "key `k2` new_domain" in texts[1] and "`exfil.example.net`" in texts[1]
    assert service.delivery() == service.notifier.stats()
    assert (service.notifier.stats().sent, service.notifier.stats().failed) == (2, 0)


async def test_unsigned_when_no_secret_is_configured(receiver: Receiver) -> None:
    notifier = WebhookNotifier(_hook(receiver), env={})
    await _deliver_one(notifier)
    (request,) = receiver.received
    assert SIGNATURE_HEADER not in request.headers
    assert TIMESTAMP_HEADER not in request.headers


async def test_failing_webhook_is_retried_then_dropped_without_raising(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.script = [(500, {}), (500, {}), (500, {}), OK]
    sleep = RecordingSleep()
    notifier = WebhookNotifier(_hook(receiver, max_attempts=3), env={}, sleep=sleep)
    await notifier.start()
    try:
        with caplog.at_level(logging.WARNING, logger="wardgate.alerts"):
            assert notifier.notify(_alert(1))
            await _drain(notifier)
        assert len(receiver.received) == 3
        assert sleep.delays == [0.5, 1.0]
        assert notifier.stats().failed == 1
        notifier.notify(_alert(2))  # the webhook has recovered: the next alert goes through at once
        await _drain(notifier)
    finally:
        await notifier.aclose()
    assert len(receiver.received) == 4
    stats = notifier.stats()
    assert (stats.sent, stats.failed, stats.retries, stats.dropped) == (1, 1, 2, 0)
    assert "HTTP 500" in caplog.text
    assert TOKEN not in caplog.text and "127.0.0.1" not in caplog.text


async def test_rate_limited_webhook_honours_retry_after(receiver: Receiver) -> None:
    receiver.script = [(429, {"Retry-After": "7"}), OK]
    sleep = RecordingSleep()
    notifier = WebhookNotifier(_hook(receiver, max_backoff_seconds=5), env={}, sleep=sleep)
    await _deliver_one(notifier)
    assert sleep.delays == [5.0]  # asked for 7 s, capped at the configured maximum
    assert (notifier.stats().sent, len(receiver.received)) == (1, 2)


@pytest.mark.parametrize(
    "response",
    [
        pytest.param((404, {}), id="not-found"),
        pytest.param((302, {"Location": "http://127.0.0.1:9/steal"}), id="redirect"),
    ],
)
async def test_final_statuses_are_not_retried(receiver: Receiver, response: Step) -> None:
    receiver.script = [response]
    notifier = WebhookNotifier(_hook(receiver), env={}, sleep=RecordingSleep())
    await _deliver_one(notifier)
    assert len(receiver.received) == 1
    assert (notifier.stats().failed, notifier.stats().retries) == (1, 0)


async def test_slow_webhook_times_out_and_is_retried(receiver: Receiver) -> None:
    receiver.script = [None, OK]
    sleep = RecordingSleep()
    notifier = WebhookNotifier(_hook(receiver, timeout_seconds=0.2), env={}, sleep=sleep)
    await _deliver_one(notifier)
    assert len(receiver.received) == 2
    assert (notifier.stats().sent, notifier.stats().retries) == (1, 1)


async def test_unreachable_webhook_is_counted_not_raised() -> None:
    port = free_port()  # nothing listens here
    config = WebhookConfig.model_validate({"url": f"http://127.0.0.1:{port}/hook", "max_attempts": 2})
    notifier = WebhookNotifier(config, env={}, sleep=RecordingSleep())
    await _deliver_one(notifier)
    assert (notifier.stats().failed, notifier.stats().retries) == (1, 1)


async def test_shutdown_delivers_what_is_queued(receiver: Receiver) -> None:
    notifier = WebhookNotifier(_hook(receiver), env={})
    await notifier.start()
    for i in range(5):
        notifier.notify(_alert(i))
    await notifier.aclose()
    assert len(receiver.received) == 5
    assert notifier.stats().sent == 5
