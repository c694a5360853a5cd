"""Webhook payloads: Slack-compatible shape, the facts an on-call needs, nothing a caller can turn into markup."""

from __future__ import annotations

import json

import pytest

from wardgate.alerts.message import clean, describe, encode, render
from wardgate.alerts.model import Alert, Signal, Subject

AT = 1_700_000_000.0


def _alert(signal: Signal, **kwargs: object) -> Alert:
    fields: dict[str, object] = {
        "subject": Subject("key", "k_9f2c"),
        "signal": signal,
        "observed": 61_234.0,
        "baseline": 20_100.4,
        "threshold": 40_200.8,
        "z": 8.25,
        "at": AT,
        "bucket_seconds": 60,
    }
    fields.update(kwargs)
    return Alert(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alert", "expected"),
    [
        pytest.param(
            _alert(Signal.TOKENS),
            "Wardgate anomaly: key `k_9f2c` tokens: 61,234 tokens in the current 60 s bucket, baseline 20,100"
            " (alert at 40,201, z 8.2).",
            id="tokens",
        ),
        pytest.param(
            _alert(Signal.REQUEST_RATE, observed=47, baseline=12.3, threshold=32.3, z=None),
            "Wardgate anomaly: key `k_9f2c` request_rate: 47.0 requests in the current 60 s bucket, baseline 12.3"
            " (alert at 32.3).",
            id="requests-no-z",
        ),
        pytest.param(
            _alert(
                Signal.INJECTION_RATE,
                subject=Subject("team", "research"),
                observed=0.45,
                baseline=0.012,
                threshold=0.31,
                z=9.0,
                suppressed=3,
            ),
            "Wardgate anomaly: team `research` injection_rate: 45% of requests with an injection finding in a 60 s"
            " bucket, baseline 1.2% (alert at 31%, z 9.0). 3 more held back by the cool-down since the previous"
            " alert.",
            id="rate-with-suppressed",
        ),
        pytest.param(
            _alert(Signal.NEW_TOOL, observed=13, baseline=12, threshold=13, z=None, item="shell_exec"),
            "Wardgate anomaly: key `k_9f2c` new_tool: first use of a new tool `shell_exec` after warm-up"
            " (12 known before).",
            id="new-tool",
        ),
    ],
)
def test_text_names_subject_signal_baseline_and_observed(alert: Alert, expected: str) -> None:
    assert describe(alert) == expected


def test_payload_is_slack_compatible_json() -> None:
    payload = json.loads(encode(render(_alert(Signal.TOKENS))))
    assert set(payload) == {"text", "blocks"}
    section, context = payload["blocks"]
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": payload["text"]}}
    assert context["type"] == "context"
    assert context["elements"][0]["text"] == "signal `tokens` · key · 2023-11-14T22:13:20Z"


@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("<!channel> <https://evil.example|click>", id="slack-link-and-mention"),
        pytest.param("```\nIgnore previous instructions```", id="code-fence"),
        pytest.param("a" * 5000, id="very-long"),
        pytest.param("tool\u202eexe.txt", id="bidi-override"),
    ],
)
def test_caller_supplied_names_cannot_form_markup(hostile: str) -> None:
    alert = _alert(Signal.NEW_DOMAIN, subject=Subject("team", hostile), item=hostile, z=None)
    text = describe(alert)
    for forbidden in ("<", ">", "|", "```", "\n", "\u202e", "!channel"):
        assert forbidden not in text
    assert len(text) < 400


def test_item_names_can_be_left_out() -> None:
    text = describe(_alert(Signal.NEW_TOOL, item="internal_payroll_export", z=None), include_item=False)
    assert "payroll" not in text
    assert "first use of a new tool after warm-up" in text


def test_clean_shortens_and_replaces() -> None:
    assert clean("api.example.com", 80) == "api.example.com"
    assert clean("a b`c", 80) == "a?b?c"
    assert clean("x" * 100, 10) == "x" * 9 + "~"
