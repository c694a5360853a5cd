"""Guardrail policy: which detectors run, on which roles, and what happens when they fire.

A rule maps a finding category (``injection``, ``pii``, ``secret``, ``unicode``, ``encoding``, ``output`` …) to an
action. ``mode: monitor`` is shadow mode: the decision records "would have blocked/redacted", nothing changes.
Overrides replace rules for requests that match a route, role, team or key.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Action = Literal["allow", "flag", "redact", "block"]
Mode = Literal["enforce", "monitor"]
Transform = Literal["placeholder", "mask", "hash", "remove"]
MessageRole = Literal["system", "developer", "user", "assistant", "tool"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Frozen):
    action: Action
    mode: Mode = "enforce"
    min_score: float | None = Field(default=None, ge=0, le=1)
    """Findings below this score are ignored (``None``: the detector's own calibrated threshold)."""
    untrusted_min_score: float | None = Field(default=None, ge=0, le=1)
    """Threshold for tool results and documents (``None``: the detector's stricter default)."""
    types: tuple[str, ...] = Field(default=(), max_length=200)
    """Restrict to these finding types (e.g. ``EMAIL_ADDRESS``); empty: every type of the category."""
    roles: tuple[MessageRole, ...] = ("system", "developer", "user", "assistant", "tool")
    transform: Transform = "placeholder"
    """How ``redact`` rewrites a span: reversible placeholder (restored in the answer), mask, keyed hash, remove."""


def _rules(**entries: Rule) -> dict[str, Rule]:
    return dict(entries)


class InputRules(_Frozen):
    injection: Rule | None = Rule(action="block", roles=("user", "tool"))
    pii: Rule | None = Rule(action="redact", transform="placeholder")
    secret: Rule | None = Rule(action="block")
    unicode: Rule | None = Rule(action="flag")
    encoding: Rule | None = Rule(action="flag")


class ExfiltrationRule(Rule):
    allowed_domains: tuple[str, ...] = Field(default=(), max_length=1000)
    """Link/image hosts that are left alone (suffix match: ``example.com`` covers ``docs.example.com``)."""


class DenyRule(Rule):
    words: tuple[str, ...] = Field(default=(), max_length=1000)
    patterns: tuple[str, ...] = Field(default=(), max_length=100)

    @model_validator(mode="after")
    def _bounded_patterns(self) -> DenyRule:
        if any(len(p) > 512 for p in self.patterns):
            raise ValueError("deny patterns are limited to 512 characters")
        return self


class OutputRules(_Frozen):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    pii: Rule | None = Rule(action="redact", transform="mask")
    secret: Rule | None = Rule(action="redact", transform="mask")
    system_prompt_leak: Rule | None = Rule(action="block")
    exfiltration: ExfiltrationRule | None = ExfiltrationRule(action="redact", transform="remove")
    schema_: Rule | None = Field(default=Rule(action="flag"), alias="schema")
    """Answers that are not valid JSON / do not match the requested ``response_format`` schema."""
    deny: DenyRule | None = None


class Match(_Frozen):
    routes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()


class Override(_Frozen):
    match: Match
    input: InputRules | None = None
    output: OutputRules | None = None
    fail_open: bool | None = None


class GuardrailsConfig(_Frozen):
    enabled: bool = True
    fail_open: bool = False
    """Scanner errors and timeouts block unless this is true; every fail-open is counted and logged."""
    scanner_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    max_scan_chars: int = Field(default=2_000_000, ge=1_000, le=50_000_000)
    """Longer inputs are refused (413) rather than scanned partially."""
    inline_scan_chars: int = Field(default=256, ge=0, le=1_000_000)
    """Smaller inputs are scanned on the event loop; larger ones in the worker pool, with the timeout.

    Scanning costs a few milliseconds per KB; above a few hundred characters that is more than the thread hop, and
    on the loop it would stall every other request."""
    stream_holdback_chars: int = Field(default=128, ge=16, le=65_536)
    input: InputRules = InputRules()
    output: OutputRules = OutputRules()
    overrides: tuple[Override, ...] = Field(default=(), max_length=1000)
