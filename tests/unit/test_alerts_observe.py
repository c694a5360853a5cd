"""What the request path hands the anomaly detector: ids and counts from the request context, no content."""

from __future__ import annotations

from wardgate.alerts.observe import observation
from wardgate.auth.principal import Principal
from wardgate.context import RequestContext
from wardgate.guardrails.pipeline import GuardState
from wardgate.http import Request
from wardgate.limits.base import Usage
from wardgate.policy.decide import Decision, Hit


def context(error: str | None = None, rule: str | None = None) -> RequestContext:
    ctx = RequestContext(Request("POST", "/v1/chat/completions", {}, None), "r1")
    ctx.principal = Principal("k1", "key", "user", "blue", ("*",))
    ctx.usage = Usage(30, 12, 0.0)
    ctx.error_code = error
    if rule is not None:
        hit = Hit(rule, f"{rule}.x", "block", "enforce", 0.99, 0, 0, 5, "placeholder")
        state = GuardState.__new__(GuardState)
        state.input_decision = Decision("block", "block", (hit,))
        state.output_decision = Decision("allow", "allow")
        ctx.guard = state
    return ctx


def test_allowed_request_counts_tokens_for_key_and_team() -> None:
    obs = observation(context())
    assert (obs.key_id, obs.team, obs.tokens, obs.blocked, obs.injection_hit) == ("k1", "blue", 42, False, False)


def test_injection_block_is_both_blocked_and_an_injection_hit() -> None:
    obs = observation(context("request_blocked", "injection"))
    assert obs.blocked and obs.injection_hit


def test_a_secret_block_is_not_an_injection_hit() -> None:
    obs = observation(context("request_blocked", "secret"))
    assert obs.blocked and not obs.injection_hit
