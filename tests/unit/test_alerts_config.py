"""Alerting configuration: defaults, bounds in the schema, the webhook URL treated as a secret."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from wardgate.alerts import AlertsConfig, Signal, WebhookConfig

HOOK = "https://hooks.example.com/services/T000/B000/very-secret-token"


def test_defaults_watch_every_signal_without_a_webhook() -> None:
    config = AlertsConfig()
    assert config.enabled
    assert config.signals == frozenset(Signal)
    assert config.webhook is None
    assert config.bucket_seconds == 60
    assert config.warmup_buckets == 60


def test_yaml_shaped_mapping_is_accepted() -> None:
    config = AlertsConfig.model_validate(
        {
            "signals": ["tokens", "new_tool"],
            "cooldown_seconds": 600,
            "webhook": {"url": HOOK, "hmac_secret_env": "WARDGATE_ALERT_KEY", "max_attempts": 3},
        }
    )
    assert config.signals == {Signal.TOKENS, Signal.NEW_TOOL}
    assert config.webhook is not None
    assert config.webhook.url.get_secret_value() == HOOK
    assert HOOK not in repr(config)
    with pytest.raises(ValidationError):
        config.enabled = False


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"bucket_seconds": 1}, id="bucket-too-short"),
        pytest.param({"z_threshold": 0.5}, id="z-too-low"),
        pytest.param({"min_rate_delta": 0}, id="rate-delta-zero"),
        pytest.param({"max_subjects": 0}, id="no-subjects"),
        pytest.param({"max_seen_items": 10**9}, id="seen-too-many"),
        pytest.param({"signals": ["telepathy"]}, id="unknown-signal"),
        pytest.param({"cooldown": 5}, id="unknown-key"),
        pytest.param({"webhook": {"url": HOOK, "queue_size": 0}}, id="empty-queue"),
        pytest.param({"webhook": {"url": HOOK, "timeout_seconds": 0}}, id="no-timeout"),
        pytest.param({"webhook": {"url": HOOK, "max_attempts": 100}}, id="too-many-attempts"),
        pytest.param({"webhook": {"url": HOOK, "hmac_secret_env": "not a name"}}, id="bad-env-name"),
    ],
)
def test_out_of_bounds_values_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AlertsConfig.model_validate(bad)


@pytest.mark.parametrize("url", ["ftp://hooks.example.com/x", "hooks.example.com/secret-token", "https://a b/"])
def test_webhook_url_must_be_http_and_is_not_echoed(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        WebhookConfig.model_validate({"url": url})
    rendered = str(info.value.errors(include_input=False, include_url=False))
    assert "secret-token" not in rendered
    assert "http(s) URL" in rendered
