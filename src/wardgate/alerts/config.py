"""Alerting configuration, mounted at ``GatewayConfig.alerts``.

The defaults are explained in :mod:`wardgate.alerts.detector`. Memory is bounded by ``max_subjects`` (about 1.7 KB
each with a few tools and domains) and ``max_seen_total`` (about 100 B per remembered name): about 17 MB + 20 MB
at most with the defaults, whatever callers send.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from wardgate.alerts.model import Signal


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WebhookConfig(_Frozen):
    url: SecretStr
    """Where alerts are POSTed (Slack-compatible JSON). Secret: a Slack incoming-webhook URL is a credential."""
    hmac_secret_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=256)
    """Environment variable holding the key for the ``X-Wardgate-Signature`` header; unset: requests are unsigned."""
    timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    """Total time for one POST attempt (connect, send, response headers)."""
    max_attempts: int = Field(default=4, ge=1, le=10)
    """Attempts per alert; connection errors, timeouts, 429 and 5xx are retried, other statuses are not."""
    backoff_seconds: float = Field(default=1.0, gt=0, le=60)
    """Delay before the second attempt; doubles for each further one."""
    max_backoff_seconds: float = Field(default=30.0, gt=0, le=600)
    queue_size: int = Field(default=1000, ge=1, le=100_000)
    """Alerts waiting for delivery; when full, new alerts are dropped and counted."""
    drain_seconds: float = Field(default=5.0, ge=0, le=60)
    """On shutdown, how long queued alerts may still be delivered."""
    include_item_names: bool = True
    """Name the new tool or domain in the message (sanitised, shortened); false: only say that one appeared."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url.startswith(("http://", "https://")) or len(url) > 2048 or any(c.isspace() for c in url):
            raise ValueError("must be an http(s) URL of at most 2048 characters")
        return value


class AlertsConfig(_Frozen):
    enabled: bool = True
    """Detect anomalies (counted for metrics); alerts are POSTed only when ``webhook`` is set."""
    per_key: bool = True
    per_team: bool = True
    signals: frozenset[Signal] = frozenset(Signal)
    """Signals to alert on (all by default)."""
    bucket_seconds: int = Field(default=60, ge=5, le=3600)
    half_life_buckets: float = Field(default=60.0, ge=2, le=100_000)
    """How fast baselines forget: a bucket's weight halves after this many buckets."""
    warmup_buckets: int = Field(default=60, ge=1, le=100_000)
    """Buckets (idle ones included) a subject is watched before it can alert; tools seen meanwhile are known."""
    z_threshold: float = Field(default=6.0, ge=2, le=100)
    min_ratio: float = Field(default=2.0, ge=1, le=1000)
    """Request and token counts alert only at this multiple of the baseline or more."""
    min_request_delta: int = Field(default=20, ge=1, le=10_000_000)
    """... and at least this many requests per bucket above it."""
    min_token_delta: int = Field(default=20_000, ge=1, le=10_000_000_000)
    """... and at least this many tokens per bucket above it."""
    token_request_cap: float = Field(default=10.0, ge=1, le=10_000)
    """One request adds at most this many typical requests' worth of tokens (so one huge prompt is not a surge)."""
    min_rate_delta: float = Field(default=0.2, gt=0, le=1)
    """Block and injection rates alert only this far (absolute fraction) above the baseline or more."""
    min_rate_events: int = Field(default=5, ge=1, le=1_000_000)
    """... and with at least this many blocked (injection-hit) requests in the bucket."""
    rate_floor: float = Field(default=0.01, gt=0, lt=0.5)
    """A baseline rate below this is treated as this much when judging how surprising a bucket is."""
    cooldown_seconds: float = Field(default=3600.0, ge=0, le=30 * 86_400)
    """After an alert, the same subject and signal stay quiet this long (suppressed alerts are counted)."""
    max_subjects: int = Field(default=10_000, ge=1, le=1_000_000)
    """Keys and teams tracked; the least recently seen is forgotten (and warms up again if it comes back)."""
    max_seen_items: int = Field(default=256, ge=1, le=100_000)
    """Distinct tools (and, separately, domains) remembered per subject; least recently used forgotten first."""
    max_seen_total: int = Field(default=200_000, ge=1, le=100_000_000)
    """Tools and domains remembered over all subjects; beyond it the least recently seen subjects are forgotten."""
    max_item_chars: int = Field(default=256, ge=8, le=4096)
    """Longer tool names or domains are shortened to this before they are remembered."""
    webhook: WebhookConfig | None = None
