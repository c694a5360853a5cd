"""``decide()``: map scan findings to one action per request under a rule set. Pure: no I/O, table-tested.

Each finding is matched to the rule of its category (``pii.EMAIL_ADDRESS`` → rule ``pii``). A rule applies only to
the message roles it lists and only above its score threshold (the detector's calibrated default unless the rule
sets one; tool results and documents use the stricter ``untrusted`` threshold). Enforced hits decide the action —
``block`` > ``redact`` > ``flag`` > ``allow``; monitor hits only say what would have happened. A scanner error
blocks unless ``fail_open`` is set, and then the decision says so, so it can be counted and logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from wardgate.config.guardrails import Action, Mode, Rule, Transform
from wardgate.scanners.base import Finding

_RANK: dict[Action, int] = {"allow": 0, "flag": 1, "redact": 2, "block": 3}
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class ScannedText:
    """The findings for one text of the request (a message, a tool-call argument string, the answer)."""

    index: int
    role: str
    findings: tuple[Finding, ...]
    errors: tuple[str, ...] = ()
    """Names of scanners that failed on this text (``"<scanner>:<ErrorType|timeout>"``)."""

    @property
    def untrusted(self) -> bool:
        return self.role == "tool"


@dataclass(frozen=True, slots=True)
class Hit:
    rule: str
    kind: str
    action: Action
    mode: Mode
    score: float
    text_index: int
    start: int
    end: int
    transform: Transform


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    """What is done: the strongest enforced hit (or ``block`` for a scanner failure when failing closed)."""
    would_action: Action
    """What enforce mode would have done, monitor hits included."""
    hits: tuple[Hit, ...] = ()
    errors: tuple[str, ...] = ()
    failed_open: bool = False

    @property
    def redactions(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.mode == "enforce" and h.action == "redact")

    @property
    def blocked_by(self) -> tuple[str, ...]:
        return tuple(sorted({h.rule for h in self.hits if h.mode == "enforce" and h.action == "block"}))


ALLOW = Decision("allow", "allow")


def _threshold(rule: Rule, category: str, untrusted: bool, defaults: Mapping[str, tuple[float, float]]) -> float:
    user_default, untrusted_default = defaults.get(category, (DEFAULT_THRESHOLD, DEFAULT_THRESHOLD))
    if untrusted:
        if rule.untrusted_min_score is not None:
            return rule.untrusted_min_score
        return min(untrusted_default, rule.min_score) if rule.min_score is not None else untrusted_default
    return rule.min_score if rule.min_score is not None else user_default


def _hits(
    text: ScannedText, rules: Mapping[str, Rule | None], defaults: Mapping[str, tuple[float, float]]
) -> list[Hit]:
    out: list[Hit] = []
    for finding in text.findings:
        rule = rules.get(finding.category)
        if rule is None or text.role not in rule.roles:
            continue
        if rule.types and finding.type not in rule.types:
            continue
        if finding.score < _threshold(rule, finding.category, text.untrusted, defaults):
            continue
        out.append(
            Hit(
                finding.category,
                finding.kind,
                rule.action,
                rule.mode,
                finding.score,
                text.index,
                finding.start,
                finding.end,
                rule.transform,
            )
        )
    return out


def decide(
    texts: Sequence[ScannedText],
    rules: Mapping[str, Rule | None],
    *,
    fail_open: bool = False,
    thresholds: Mapping[str, tuple[float, float]] | None = None,
) -> Decision:
    """One decision for a set of scanned texts. ``thresholds``: detector defaults ``(user, untrusted)``."""
    defaults = thresholds or {}
    hits = [hit for text in texts for hit in _hits(text, rules, defaults)]
    errors = tuple(err for text in texts for err in text.errors)
    enforced = max((_RANK[h.action] for h in hits if h.mode == "enforce"), default=0)
    would = max((_RANK[h.action] for h in hits), default=0)
    failed_open = False
    if errors:
        if fail_open:
            failed_open = True
        else:
            enforced = would = _RANK["block"]
    action = _action(enforced)
    return Decision(action, _action(max(would, enforced)), tuple(hits), errors, failed_open)


def _action(rank: int) -> Action:
    for action, value in _RANK.items():
        if value == rank:
            return action
    raise ValueError(rank)
