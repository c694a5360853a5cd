"""decide(): findings + rules -> one action. Pure, so table-tested."""

from __future__ import annotations

import pytest

from wardgate.config.guardrails import Rule
from wardgate.policy.decide import ScannedText, decide
from wardgate.scanners.base import Finding

INJ = Finding("injection.override", 0, 10, 0.9)
WEAK_INJ = Finding("injection.generic", 0, 10, 0.3)
EMAIL = Finding("pii.EMAIL_ADDRESS", 3, 12, 0.99)
SSN = Finding("pii.US_SSN", 20, 31, 0.95)
KEY = Finding("secret.GITHUB_PAT", 0, 40, 1.0)
ZW = Finding("unicode.zero_width", 4, 5, 1.0)

RULES: dict[str, Rule | None] = {
    "injection": Rule(action="block", roles=("user", "tool")),
    "pii": Rule(action="redact"),
    "secret": Rule(action="block"),
    "unicode": Rule(action="flag"),
}
THRESHOLDS = {"injection": (0.5, 0.25)}


def text(role: str, *findings: Finding, errors: tuple[str, ...] = ()) -> ScannedText:
    return ScannedText(0, role, findings, errors)


@pytest.mark.parametrize(
    ("texts", "rules", "action", "would"),
    [
        pytest.param([text("user")], RULES, "allow", "allow", id="nothing-found"),
        pytest.param([text("user", INJ)], RULES, "block", "block", id="injection-blocks"),
        pytest.param([text("user", WEAK_INJ)], RULES, "allow", "allow", id="below-user-threshold"),
        pytest.param([text("tool", WEAK_INJ)], RULES, "block", "block", id="untrusted-stricter-threshold"),
        pytest.param([text("system", INJ)], RULES, "allow", "allow", id="role-not-covered"),
        pytest.param([text("user", EMAIL)], RULES, "redact", "redact", id="pii-redacts"),
        pytest.param([text("user", EMAIL, KEY)], RULES, "block", "block", id="block-beats-redact"),
        pytest.param([text("user", ZW)], RULES, "flag", "flag", id="flag"),
        pytest.param(
            [text("user", INJ)],
            {**RULES, "injection": Rule(action="block", mode="monitor")},
            "allow",
            "block",
            id="monitor-would-block",
        ),
        pytest.param(
            [text("user", EMAIL, SSN)],
            {**RULES, "pii": Rule(action="redact", types=("US_SSN",))},
            "redact",
            "redact",
            id="types-filter",
        ),
        pytest.param(
            [text("user", Finding("pii.EMAIL_ADDRESS", 0, 1, 0.4))],
            {**RULES, "pii": Rule(action="redact", min_score=0.5)},
            "allow",
            "allow",
            id="rule-min-score",
        ),
        pytest.param([text("user", EMAIL)], {**RULES, "pii": None}, "allow", "allow", id="rule-disabled"),
        pytest.param([text("user", errors=("pii:RuntimeError",))], RULES, "block", "block", id="error-fails-closed"),
    ],
)
def test_decide_table(texts: list[ScannedText], rules: dict[str, Rule | None], action: str, would: str) -> None:
    decision = decide(texts, rules, thresholds=THRESHOLDS)
    assert decision.action == action
    assert decision.would_action == would


def test_fail_open_is_explicit_and_reported() -> None:
    decision = decide([text("user", errors=("injection:timeout",))], RULES, fail_open=True, thresholds=THRESHOLDS)
    assert decision.action == "allow"
    assert decision.failed_open
    assert decision.errors == ("injection:timeout",)


def test_redactions_and_blockers_are_named() -> None:
    decision = decide([text("user", EMAIL, SSN)], RULES, thresholds=THRESHOLDS)
    assert [h.kind for h in decision.redactions] == ["pii.EMAIL_ADDRESS", "pii.US_SSN"]
    assert decide([text("user", KEY)], RULES).blocked_by == ("secret",)


def test_finding_validates_score_and_span() -> None:
    with pytest.raises(ValueError, match="score"):
        Finding("pii.X", 0, 1, 1.5)
    with pytest.raises(ValueError, match="span"):
        Finding("pii.X", 5, 1, 0.5)
