"""The values that cross the alerting boundary: what a finished request reports, and what an alert says.

None of them carries prompt text, keys or secrets: a subject is a key id or a team name, a signal is a fixed name,
and the only free text is a tool name or exfiltration domain, which the alert message sanitises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Signal(StrEnum):
    """What was anomalous. The value is stable: it is a metric label and part of the webhook text."""

    REQUEST_RATE = "request_rate"
    """Requests per bucket."""
    TOKENS = "tokens"
    """Prompt plus completion tokens per bucket."""
    BLOCK_RATE = "block_rate"
    """Fraction of the bucket's requests that a guardrail blocked."""
    INJECTION_RATE = "injection_rate"
    """Fraction of the bucket's requests with a prompt-injection finding (blocked or not)."""
    NEW_TOOL = "new_tool"
    """A tool name never seen for the subject, after its warm-up."""
    NEW_DOMAIN = "new_domain"
    """An exfiltration domain never seen for the subject, after its warm-up."""


COUNT_SIGNALS = (Signal.REQUEST_RATE, Signal.TOKENS)
RATE_SIGNALS = (Signal.BLOCK_RATE, Signal.INJECTION_RATE)
NOVELTY_SIGNALS = (Signal.NEW_TOOL, Signal.NEW_DOMAIN)

SubjectKind = Literal["key", "team"]


@dataclass(frozen=True, slots=True)
class Subject:
    """Whose baseline: one API key (by id, never the secret) or one team."""

    kind: SubjectKind
    id: str


@dataclass(frozen=True, slots=True)
class Observation:
    """One finished request, as the request path reports it to :meth:`AnomalyDetector.observe`."""

    key_id: str | None
    team: str | None
    tokens: int
    blocked: bool
    injection_hit: bool
    tools: tuple[str, ...] = ()
    """Tool (function) names the request declared or the answer called."""
    domains: tuple[str, ...] = ()
    """Link or image hosts the exfiltration guard found in the answer."""
    time: float | None = None
    """Seconds since the epoch; ``None``: the detector's clock."""


@dataclass(frozen=True, slots=True)
class Alert:
    """One anomaly, after the cool-down let it through.

    For count signals ``observed`` and ``baseline`` are per-bucket amounts (requests, tokens); for rate signals they
    are fractions in [0, 1]; for novelty signals they are the number of distinct names known after and before.
    """

    subject: Subject
    signal: Signal
    observed: float
    baseline: float
    threshold: float
    """The smallest observed value that would have alerted."""
    z: float | None
    """Standard deviations above the baseline (count and rate signals); ``None`` for novelty."""
    at: float
    """When it was raised (seconds since the epoch)."""
    bucket_seconds: int
    item: str | None = None
    """The new tool name or domain (novelty signals only), as the request reported it."""
    suppressed: int = 0
    """Alerts for the same subject and signal that the cool-down held back since the previous one."""


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """Counters for metrics export. Keys are :class:`Signal` values; every signal is present."""

    raised: Mapping[str, int] = field(default_factory=dict)
    suppressed: Mapping[str, int] = field(default_factory=dict)
    """Held back by the cool-down."""
    subjects: int = 0
    """Subjects tracked now."""
    evicted: int = 0
    """Subjects forgotten because the cap was reached (least recently seen first)."""
