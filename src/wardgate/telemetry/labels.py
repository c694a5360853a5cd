"""Label values for the gateway's metrics, each from a fixed vocabulary, the configuration, or a capped set of ids.

Nothing here reads request content: a label is derived from the status, the gateway's own error code, the route
template, a configured name, or an id (key id, team), and every mapping has a bounded range.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from wardgate.guardrails.pipeline import GuardState
from wardgate.policy.decide import ALLOW

OTHER = "other"
NONE = "none"
UNMATCHED = "unmatched"

OUTCOMES = (
    "ok",
    "blocked",
    "unauthenticated",
    "forbidden",
    "not_found",
    "invalid_request",
    "rate_limited",
    "upstream_error",
    "client_disconnected",
    "internal_error",
    "error",
)
DECISIONS = ("allow", "flag", "redact", "block", "error", "not_scanned")
"""Exactly one per request. ``error``: a scanner failed and the policy failed closed. ``not_scanned``: the request
ended before its input was decided (401, 404, 429, no guardrails configured, …)."""
STAGES = ("input", "output")
STATUS_CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx", NONE)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_BLOCK_CODES = frozenset({"request_blocked", "response_blocked"})
_BY_STATUS = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "not_found",
    429: "rate_limited",
    499: "client_disconnected",
}
_RANK = {"allow": 0, "flag": 1, "redact": 2, "block": 3}
_SAFE_ID = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,127}")
"""Printable ASCII, at most 128 characters: anything else (control characters, odd encodings) reads ``other``."""


def status_class(status: int) -> str:
    return STATUS_CLASSES[status // 100 - 1] if 100 <= status < 600 else NONE


def method_label(method: str) -> str:
    return method if method in METHODS else OTHER


def outcome(status: int, code: str | None) -> str:
    """What became of the request, from its status and the gateway's error code (a fixed vocabulary)."""
    if code is None:
        return "ok" if status < 400 else _BY_STATUS.get(status, _by_class(status))
    if code in _BLOCK_CODES:
        return "blocked"
    if code.startswith("upstream"):
        return "upstream_error"
    if code == "client_disconnected":
        return "client_disconnected"
    return _BY_STATUS.get(status, _by_class(status))


def _by_class(status: int) -> str:
    if 400 <= status < 500:
        return "invalid_request"
    if status >= 500:
        return "internal_error"
    return "error"


def request_decision(guard: GuardState | None) -> str:
    """The request's one guardrail outcome: the strongest enforced action over input and answer."""
    if guard is None or guard.input_decision is ALLOW:
        return "not_scanned"  # ``ALLOW`` itself is the unset default; a real decision is always a new object
    decisions = (guard.input_decision, guard.output_decision)
    if any(d.action == "block" for d in decisions):
        # A block without an enforced blocking hit comes from a scanner failure under a fail-closed policy.
        return "block" if any(d.blocked_by for d in decisions) else "error"
    return max((d.action for d in decisions), key=_RANK.__getitem__)


class CappedValues:
    """The first ``limit`` distinct acceptable values label as themselves; any later new value reads ``other``."""

    __slots__ = ("_limit", "_on_overflow", "_pattern", "_seen")

    def __init__(
        self,
        limit: int,
        *,
        pattern: re.Pattern[str] = _SAFE_ID,
        known: Iterable[str] = (),
        on_overflow: Callable[[], None] | None = None,
    ) -> None:
        if limit < 0:
            raise ValueError("limit must be >= 0")
        self._limit = limit
        self._pattern = pattern
        self._seen = set(known)
        self._on_overflow = on_overflow

    def __call__(self, value: str | None) -> str:
        if value is None:
            return NONE
        if value in self._seen:
            return value
        if len(self._seen) < self._limit and self._pattern.fullmatch(value) is not None:
            self._seen.add(value)
            return value
        if self._on_overflow is not None:
            self._on_overflow()
        return OTHER


class FixedValues:
    """Values from a closed set (configured names, rule names) label as themselves; anything else reads ``other``."""

    __slots__ = ("_known",)

    def __init__(self, known: Iterable[str]) -> None:
        self._known = frozenset(known)

    def __call__(self, value: str | None) -> str:
        if value is None:
            return NONE
        return value if value in self._known else OTHER
