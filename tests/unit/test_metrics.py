"""Metric mapping: synthetic request contexts in, bounded label values and exact counts out."""

from __future__ import annotations

from typing import Any

import prometheus_client
import pytest

from wardgate.auth.principal import Principal
from wardgate.config.guardrails import Action, GuardrailsConfig, Mode
from wardgate.config.loader import parse_config
from wardgate.config.models import GatewayConfig
from wardgate.context import RequestContext
from wardgate.guardrails.pipeline import GuardState
from wardgate.guardrails.policy import resolve
from wardgate.http import Request
from wardgate.limits.base import Usage
from wardgate.policy.decide import Decision, Hit
from wardgate.router import Router
from wardgate.telemetry import labels
from wardgate.telemetry.labels import CappedValues
from wardgate.telemetry.metrics import GatewayMetrics

CHAT = "/v1/chat/completions"
SECRETISH = "sk-live-0123456789abcdefSECRETVALUE"


def config(**extra: Any) -> GatewayConfig:
    base: dict[str, Any] = {
        "upstreams": {"main": {"base_url": "http://upstream.invalid/v1", "passthrough": True}},
        "models": [{"name": "gpt-alias", "upstream": "main"}],
        "pricing": {
            "priced-model": {"input_per_1k": 1, "output_per_1k": 2},
            "glob-*": {"input_per_1k": 1, "output_per_1k": 1},
        },
    }
    base.update(extra)
    return parse_config(base)


@pytest.fixture
def metrics() -> GatewayMetrics:
    return GatewayMetrics(config(), process_metrics=False)


def ctx(
    path: str = CHAT,
    *,
    method: str = "POST",
    status: int = 200,
    code: str | None = None,
    model: str | None = None,
    principal: Principal | None = None,
    usage: Usage | None = None,
    guard: GuardState | None = None,
    timings: dict[str, float] | None = None,
    upstream: str | None = None,
) -> RequestContext:
    out = RequestContext(Request(method, path, {}, None), request_id="test")
    out.status, out.error_code, out.model, out.principal = status, code, model, principal
    out.usage, out.guard, out.upstream = usage, guard, upstream
    out.timings.update(timings or {})
    return out


def value(metrics: GatewayMetrics, name: str, **label_values: str) -> float:
    found = metrics.registry.get_sample_value(name, label_values)
    return 0.0 if found is None else found


def total(metrics: GatewayMetrics, name: str) -> float:
    return sum(
        sample.value for family in metrics.registry.collect() for sample in family.samples if sample.name == name
    )


def principal(subject: str = "0123456789abcdef", team: str | None = "red") -> Principal:
    return Principal(subject, "key", "user", team, ("*",))


def hit(rule: str, action: Action, mode: Mode = "enforce", kind: str | None = None) -> Hit:
    return Hit(rule, kind or f"{rule}.X", action, mode, 0.9, 0, 0, 1, "placeholder")


def guard(input_decision: Decision | None = None, output_decision: Decision | None = None) -> GuardState:
    state = GuardState(resolve(GuardrailsConfig(), CHAT, None))
    if input_decision is not None:
        state.input_decision = input_decision
    if output_decision is not None:
        state.output_decision = output_decision
    return state


# --- labels -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        pytest.param(200, None, "ok", id="ok"),
        pytest.param(400, "request_blocked", "blocked", id="input-blocked"),
        pytest.param(200, "response_blocked", "blocked", id="blocked-mid-stream"),
        pytest.param(401, "invalid_api_key", "unauthenticated", id="401"),
        pytest.param(403, "role_not_allowed", "forbidden", id="403"),
        pytest.param(404, "route_not_found", "not_found", id="404"),
        pytest.param(405, "method_not_allowed", "not_found", id="405"),
        pytest.param(429, "rate_limit_exceeded", "rate_limited", id="limiter-429"),
        pytest.param(429, "upstream_rate_limited", "upstream_error", id="upstream-429"),
        pytest.param(502, "upstream_unavailable", "upstream_error", id="502"),
        pytest.param(200, "upstream_stream_interrupted", "upstream_error", id="stream-cut"),
        pytest.param(413, "request_too_large", "invalid_request", id="413"),
        pytest.param(400, "invalid_json", "invalid_request", id="400"),
        pytest.param(499, "client_disconnected", "client_disconnected", id="gone"),
        pytest.param(500, "internal_error", "internal_error", id="500"),
        pytest.param(503, None, "internal_error", id="503-no-code"),
    ],
)
def test_outcome(status: int, code: str | None, expected: str) -> None:
    assert labels.outcome(status, code) == expected
    assert expected in labels.OUTCOMES


@pytest.mark.parametrize(
    ("status", "expected"), [(200, "2xx"), (302, "3xx"), (404, "4xx"), (499, "4xx"), (504, "5xx"), (0, "none")]
)
def test_status_class(status: int, expected: str) -> None:
    assert labels.status_class(status) == expected


FAIL_CLOSED = Decision("block", "block", (), ("pii:timeout",))


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param(None, "not_scanned", id="no-guardrails"),
        pytest.param(guard(), "not_scanned", id="ended-before-scan"),
        pytest.param(guard(Decision("allow", "allow")), "allow", id="allow"),
        pytest.param(guard(Decision("flag", "flag", (hit("unicode", "flag"),))), "flag", id="flag"),
        pytest.param(
            guard(Decision("flag", "flag"), Decision("redact", "redact", (hit("pii", "redact"),))),
            "redact",
            id="answer-redacted",
        ),
        pytest.param(guard(Decision("block", "block", (hit("secret", "block"),))), "block", id="block"),
        pytest.param(guard(FAIL_CLOSED), "error", id="scanner-failed-closed"),
        pytest.param(guard(Decision("allow", "block", (hit("injection", "block", "monitor"),))), "allow", id="monitor"),
    ],
)
def test_request_decision(state: GuardState | None, expected: str) -> None:
    assert labels.request_decision(state) == expected
    assert expected in labels.DECISIONS


def test_capped_values_keep_the_first_n_and_reject_odd_values() -> None:
    overflows: list[int] = []
    capped = CappedValues(2, on_overflow=lambda: overflows.append(1))
    assert [capped(v) for v in ("a", "b", "a", "c", None, "b")] == ["a", "b", "a", "other", "none", "b"]
    assert len(overflows) == 1
    assert CappedValues(5)("bad\nvalue") == "other"
    assert CappedValues(5)("x" * 129) == "other"


def test_router_template() -> None:
    router = Router()
    assert router.template(CHAT) == CHAT
    assert router.template("/admin/v1/keys/0123456789abcdef/revoke") == "/admin/v1/keys/{key_id}/revoke"
    assert router.template("/admin/v1/keys/../../etc") is None
    assert router.template("/metrics") == "/metrics"


# --- metrics ----------------------------------------------------------------------------------------------------


def test_requests_by_route_template_model_and_outcome(metrics: GatewayMetrics) -> None:
    metrics.observe(ctx(model="gpt-alias"))
    metrics.observe(ctx(model="priced-model"))
    metrics.observe(ctx(model="glob-model"))
    metrics.observe(ctx(model=SECRETISH, status=404, code="model_not_found"))
    metrics.observe(ctx("/admin/v1/keys/0123456789abcdef", method="GET", status=404, code="key_not_found"))
    metrics.observe(ctx(f"/v1/{SECRETISH}", method="BREW", status=404, code="route_not_found"))
    name = "wardgate_requests_total"
    common = {"route": CHAT, "method": "POST", "outcome": "ok", "status_class": "2xx"}
    assert value(metrics, name, model="gpt-alias", **common) == 1
    assert value(metrics, name, model="priced-model", **common) == 1
    assert value(metrics, name, model="other", **common) == 1  # a glob in the price table is not a name
    assert value(metrics, name, route=CHAT, method="POST", model="other", outcome="not_found", status_class="4xx") == 1
    keys = {"route": "/admin/v1/keys/{key_id}", "method": "GET", "model": "none"}
    assert value(metrics, name, outcome="not_found", status_class="4xx", **keys) == 1
    unmatched = {"route": "unmatched", "method": "other", "model": "none"}
    assert value(metrics, name, outcome="not_found", status_class="4xx", **unmatched) == 1
    text = metrics.render().decode()
    assert SECRETISH not in text
    assert "0123456789abcdef" not in text  # a path parameter is never a label


def test_decisions_sum_to_requests(metrics: GatewayMetrics) -> None:
    contexts = [
        ctx(),
        ctx(status=401, code="missing_api_key"),
        ctx("/nowhere", status=404, code="route_not_found"),
        ctx(status=429, code="rate_limit_exceeded"),
        ctx(guard=guard(Decision("allow", "allow"))),
        ctx(status=400, code="request_blocked", guard=guard(Decision("block", "block", (hit("secret", "block"),)))),
        ctx(status=400, code="request_blocked", guard=guard(FAIL_CLOSED)),
        ctx(status=413, code="request_too_large", guard=guard()),
    ]
    for item in contexts:
        metrics.observe(item)
    assert total(metrics, "wardgate_request_decisions_total") == len(contexts)
    assert total(metrics, "wardgate_requests_total") == len(contexts)
    assert value(metrics, "wardgate_request_decisions_total", decision="not_scanned") == 5
    assert value(metrics, "wardgate_request_decisions_total", decision="block") == 1
    assert value(metrics, "wardgate_request_decisions_total", decision="error") == 1


def test_guardrail_rules_monitor_mode_findings_and_fail_open(metrics: GatewayMetrics) -> None:
    monitor = Decision("allow", "block", (hit("injection", "block", "monitor", "injection.override"),))
    redacted = Decision(
        "redact",
        "redact",
        (hit("pii", "redact", kind="pii.EMAIL_ADDRESS"), hit("pii", "redact", kind="pii.EMAIL_ADDRESS")),
        ("secrets:timeout",),
        failed_open=True,
    )
    metrics.observe(ctx(guard=guard(monitor, redacted)))
    stage = "wardgate_guardrail_decisions_total"
    assert value(metrics, stage, stage="input", action="allow", would_action="block") == 1
    assert value(metrics, stage, stage="output", action="redact", would_action="redact") == 1
    rules = "wardgate_guardrail_rule_hits_total"
    assert value(metrics, rules, stage="input", rule="injection", action="block", mode="monitor") == 1
    assert value(metrics, rules, stage="output", rule="pii", action="redact", mode="enforce") == 1  # once per request
    findings = "wardgate_guardrail_findings_total"
    assert value(metrics, findings, stage="output", kind="pii.EMAIL_ADDRESS") == 2
    assert value(metrics, findings, stage="input", kind="injection.override") == 1
    assert value(metrics, "wardgate_guardrail_failed_open_total", stage="output") == 1
    assert value(metrics, "wardgate_guardrail_failed_open_total", stage="input") == 0


def test_stage_latency_and_gateway_overhead(metrics: GatewayMetrics) -> None:
    timings = {"auth": 0.0002, "scan_input": 0.001, "upstream": 0.5, "total": 0.503}
    metrics.observe(ctx(timings=timings))
    metrics.observe(ctx("/healthz", method="GET", timings={"total": 0.0001}))
    for stage, seconds in timings.items():
        assert value(metrics, "wardgate_stage_duration_seconds_count", route=CHAT, stage=stage) == 1
        assert value(metrics, "wardgate_stage_duration_seconds_sum", route=CHAT, stage=stage) == pytest.approx(seconds)
    overhead = "wardgate_gateway_overhead_seconds"
    assert value(metrics, f"{overhead}_sum", route=CHAT) == pytest.approx(0.003)
    assert value(metrics, f"{overhead}_bucket", route=CHAT, le="0.005") == 1
    assert value(metrics, f"{overhead}_count", route="/healthz") == 0  # nothing proxied, no overhead to report


def test_unknown_stage_names_are_capped() -> None:
    metrics = GatewayMetrics(config(), process_metrics=False)
    metrics.observe(ctx(timings={"Weird Stage!": 0.1, "total": 0.2}))
    assert value(metrics, "wardgate_stage_duration_seconds_count", route=CHAT, stage="other") == 1
    assert value(metrics, "wardgate_label_overflow_total", label="stage") == 1


def test_tokens_and_cost_by_key_and_team_with_a_cap() -> None:
    metrics = GatewayMetrics(config(), max_principals=2, process_metrics=False)
    for subject, team in (("k1", "red"), ("k2", "blue"), ("k3", "green"), ("k1", "red")):
        metrics.observe(ctx(principal=principal(subject, team), usage=Usage(10, 5, 0.25)))
    tokens = "wardgate_tokens_total"
    assert value(metrics, tokens, key_id="k1", team="red", kind="prompt") == 20
    assert value(metrics, tokens, key_id="k2", team="blue", kind="completion") == 5
    assert value(metrics, tokens, key_id="other", team="other", kind="prompt") == 10
    assert value(metrics, "wardgate_cost_usd_total", key_id="k1", team="red") == pytest.approx(0.5)
    assert value(metrics, "wardgate_label_overflow_total", label="key_id") == 1
    assert value(metrics, "wardgate_label_overflow_total", label="team") == 1
    assert total(metrics, tokens) == 4 * 15


def test_negative_upstream_usage_is_ignored(metrics: GatewayMetrics) -> None:
    metrics.observe(ctx(principal=principal(), usage=Usage(7, -3, -0.1)))
    assert value(metrics, "wardgate_tokens_total", key_id="0123456789abcdef", team="red", kind="prompt") == 7
    assert total(metrics, "wardgate_cost_usd_total") == 0


def test_upstream_errors_and_limiter_rejections(metrics: GatewayMetrics) -> None:
    metrics.observe(ctx(status=502, code="upstream_unavailable", upstream="main"))
    metrics.observe(ctx(status=429, code="upstream_rate_limited", upstream="main"))
    metrics.observe(ctx(status=429, code="budget_exceeded"))
    metrics.observe(ctx(status=429, code="concurrency_limit_exceeded"))
    metrics.observe(ctx(status=401, code="invalid_api_key"))
    errors = "wardgate_upstream_errors_total"
    assert value(metrics, errors, upstream="main", code="upstream_unavailable") == 1
    assert value(metrics, errors, upstream="main", code="upstream_rate_limited") == 1
    assert value(metrics, "wardgate_rate_limited_total", reason="budget_exceeded") == 1
    assert value(metrics, "wardgate_rate_limited_total", reason="concurrency_limit_exceeded") == 1
    assert total(metrics, "wardgate_rate_limited_total") == 2


def test_each_gateway_has_its_own_registry() -> None:
    first = GatewayMetrics(config())
    second = GatewayMetrics(config())
    first.observe(ctx())
    assert value(first, "wardgate_requests_total", route=CHAT, method="POST", model="none", outcome="ok",
                 status_class="2xx") == 1  # fmt: skip
    assert total(second, "wardgate_requests_total") == 0
    assert prometheus_client.REGISTRY.get_sample_value("wardgate_requests_total", {}) is None
    text = first.render().decode()
    assert "process_cpu_seconds_total" in text or "python_info" in text
    assert first.content_type.startswith("text/plain")
