"""The webhook body: Slack-compatible JSON (``text`` plus ``blocks``) naming subject, signal, baseline and observed.

Subject ids and tool/domain names come from callers, so they are reduced to a safe character set and shortened:
nothing in them can form Slack markup (links, mentions, code fences) or smuggle long text into the channel.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from wardgate.alerts.model import COUNT_SIGNALS, RATE_SIGNALS, Alert, Signal
from wardgate.types import JSONObject

_UNSAFE = re.compile(r"[^A-Za-z0-9._:@/+=-]")
MAX_ID_CHARS = 64
MAX_ITEM_CHARS = 80

_WHAT = {
    Signal.REQUEST_RATE: "requests",
    Signal.TOKENS: "tokens",
    Signal.BLOCK_RATE: "of requests blocked",
    Signal.INJECTION_RATE: "of requests with an injection finding",
    Signal.NEW_TOOL: "tool",
    Signal.NEW_DOMAIN: "exfiltration domain",
}


def clean(value: str, limit: int) -> str:
    """Keep a short, markup-free rendering of a caller-supplied name."""
    safe = _UNSAFE.sub("?", value)
    return safe if len(safe) <= limit else safe[: limit - 1] + "~"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def _z(alert: Alert) -> str:
    return f", z {alert.z:.1f}" if alert.z is not None else ""


def describe(alert: Alert, *, include_item: bool = True) -> str:
    """One line: who, which signal, observed against baseline."""
    who = f"{alert.subject.kind} `{clean(alert.subject.id, MAX_ID_CHARS)}`"
    what = _WHAT[alert.signal]
    window = f"{alert.bucket_seconds} s"
    if alert.signal in COUNT_SIGNALS:
        detail = (
            f"{_number(alert.observed)} {what} in the current {window} bucket, baseline {_number(alert.baseline)}"
            f" (alert at {_number(alert.threshold)}{_z(alert)})"
        )
    elif alert.signal in RATE_SIGNALS:
        detail = (
            f"{alert.observed:.0%} {what} in a {window} bucket, baseline {alert.baseline:.1%}"
            f" (alert at {alert.threshold:.0%}{_z(alert)})"
        )
    else:
        name = f" `{clean(alert.item, MAX_ITEM_CHARS)}`" if include_item and alert.item else ""
        detail = f"first use of a new {what}{name} after warm-up ({alert.baseline:.0f} known before)"
    text = f"Wardgate anomaly: {who} {alert.signal.value}: {detail}."
    if alert.suppressed:
        text += f" {alert.suppressed} more held back by the cool-down since the previous alert."
    return text


def render(alert: Alert, *, include_item: bool = True) -> JSONObject:
    """The webhook payload for ``alert``."""
    text = describe(alert, include_item=include_item)
    when = datetime.fromtimestamp(alert.at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    context = f"signal `{alert.signal.value}` · {alert.subject.kind} · {when}"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


def encode(payload: JSONObject) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
