"""Prometheus metrics for one gateway: what happened to each request, in bounded labels, on its own registry.

:meth:`GatewayMetrics.observe` runs once per request, after the response, with the request's context. It reads only
the status, the gateway's error code, the route template, the guardrail decisions (actions, rule names, finding
kinds), stage timings, token usage and the principal's ids — never a body, a prompt, a header or a credential.

Label cardinality is bounded by construction:

* ``route`` is the router's template (``/admin/v1/keys/{key_id}``), never the raw path; unknown paths read
  ``unmatched``. ``method`` is one of the HTTP methods the gateway could serve, else ``other``.
* ``model`` is a configured alias or an exactly priced model name (the names an operator chose); any other name a
  client sends — passthrough models included — reads ``other``, so a client cannot mint series.
* ``key_id`` and ``team`` keep the first ``max_principals`` distinct values (default 1000) and read ``other``
  afterwards. First-come rather than top-k: a top-k needs per-key counts of its own and its labels would move
  between scrapes, which breaks ``rate()``; with first-come a series, once created, is stable for the process's
  life. Beyond the cap, usage still counts in the ``other`` series and ``wardgate_label_overflow_total`` says
  how often that happened, so an operator knows to raise the cap or to aggregate by team. Each gateway process
  picks its own first N; the cap bounds every process alike.
* ``rule``, ``action``, ``mode``, ``stage``, ``outcome``, ``decision`` and ``status_class`` are fixed vocabularies;
  finding ``kind`` and error ``code`` are the gateway's own constants, still capped (256 / 64) as a backstop.

The per-request cost is a handful of dict look-ups plus one ``inc``/``observe`` per series touched: label children
are bound once and kept in dicts keyed by their label tuple (bounded, since every label is).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Generic, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.metrics import MetricWrapperBase

from wardgate.auth.principal import Principal
from wardgate.config.guardrails import InputRules, OutputRules
from wardgate.config.models import GatewayConfig
from wardgate.context import RequestContext
from wardgate.guardrails.pipeline import GuardState
from wardgate.limits.base import Usage
from wardgate.policy.decide import ALLOW, Decision
from wardgate.router import Router
from wardgate.telemetry import labels
from wardgate.telemetry.labels import CappedValues, FixedValues

M = TypeVar("M", bound=MetricWrapperBase)

DEFAULT_MAX_PRINCIPALS = 1000
DURATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
_KIND = re.compile(r"[a-z_]{1,32}\.[A-Za-z0-9_]{1,64}")
_CODE = re.compile(r"[a-z0-9_]{1,64}")
_STAGE = re.compile(r"[a-z_]{1,32}")


class _Children(Generic[M]):
    """A metric's label children, bound on first use and kept by their label tuple."""

    __slots__ = ("_cache", "_metric")

    def __init__(self, metric: M) -> None:
        self._metric = metric
        self._cache: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        child = self._cache.get(values)
        if child is None:
            child = self._cache[values] = self._metric.labels(*values)
        return child


def _rule_names() -> set[str]:
    return {field.alias or name for model in (InputRules, OutputRules) for name, field in model.model_fields.items()}


def _model_names(config: GatewayConfig) -> set[str]:
    priced = {name for name in config.pricing if not any(c in name for c in "*?[")}
    return {alias.name for alias in config.models} | priced


class GatewayMetrics:
    """One gateway's metrics on its own :class:`CollectorRegistry` (several gateways in one process never mix)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(
        self,
        config: GatewayConfig,
        *,
        router: Router | None = None,
        max_principals: int = DEFAULT_MAX_PRINCIPALS,
        process_metrics: bool = True,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        if process_metrics:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)
        self._router = router or Router()
        self._define(self.registry)
        overflow = self._overflow
        self._model = FixedValues(_model_names(config))
        self._upstream = FixedValues(config.upstreams)
        self._rule = FixedValues(_rule_names())
        self._key = CappedValues(max_principals, on_overflow=overflow("key_id").inc)
        self._team = CappedValues(max_principals, on_overflow=overflow("team").inc)
        self._kind = CappedValues(256, pattern=_KIND, on_overflow=overflow("kind").inc)
        self._code = CappedValues(64, pattern=_CODE, on_overflow=overflow("code").inc)
        self._stage = CappedValues(32, pattern=_STAGE, on_overflow=overflow("stage").inc)

    def _define(self, reg: CollectorRegistry) -> None:
        def counter(name: str, doc: str, *names: str) -> _Children[Counter]:
            return _Children(Counter(name, doc, names, registry=reg))

        def histogram(name: str, doc: str, buckets: tuple[float, ...], *names: str) -> _Children[Histogram]:
            return _Children(Histogram(name, doc, names, registry=reg, buckets=buckets))

        self._requests = counter(
            "wardgate_requests", "Requests by route template, model, outcome and status class.",
            "route", "method", "model", "outcome", "status_class",
        )  # fmt: skip
        self._decisions = counter(
            "wardgate_request_decisions", "Exactly one guardrail outcome per request.", "decision"
        )
        self._stage_decisions = counter(
            "wardgate_guardrail_decisions", "Guardrail decisions per stage: the action taken and the action enforce "
            "mode would have taken (monitor-mode rules included).", "stage", "action", "would_action",
        )  # fmt: skip
        self._rule_hits = counter(
            "wardgate_guardrail_rule_hits", "Requests in which a rule fired, per stage, action and mode "
            "(mode=monitor: the action it would have taken).", "stage", "rule", "action", "mode",
        )  # fmt: skip
        self._findings = counter("wardgate_guardrail_findings", "Findings acted on, by kind.", "stage", "kind")
        self._failed_open = counter(
            "wardgate_guardrail_failed_open", "Scanner failures let through because the policy fails open.", "stage"
        )
        self._durations = histogram(
            "wardgate_stage_duration_seconds", "Time per request stage (auth, scans, upstream, total).",
            DURATION_BUCKETS, "route", "stage",
        )  # fmt: skip
        self._overhead = histogram(
            "wardgate_gateway_overhead_seconds", "Time the gateway adds to a proxied request (total minus upstream).",
            OVERHEAD_BUCKETS, "route",
        )  # fmt: skip
        self._tokens = counter("wardgate_tokens", "Tokens used, by key and team.", "key_id", "team", "kind")
        self._cost = counter(
            "wardgate_cost_usd", "Cost in USD from the price table, by key and team.", "key_id", "team"
        )
        self._upstream_errors = counter(
            "wardgate_upstream_errors", "Upstream failures by error code.", "upstream", "code"
        )
        self._rate_limited = counter("wardgate_rate_limited", "Requests refused by the gateway's limiter.", "reason")
        self._alerts = counter("wardgate_anomaly_alerts", "Anomaly alerts raised, by signal.", "signal")
        self._overflow = counter(
            "wardgate_label_overflow", "Label values folded into 'other' because a cardinality cap was reached.",
            "label",
        )  # fmt: skip

    def observe(self, ctx: RequestContext) -> None:
        """Record one finished request (called once, after its response)."""
        template = ctx.route if ctx.route is not None else self._router.template(ctx.request.path)
        route = labels.UNMATCHED if template is None else template
        self._requests(
            route,
            labels.method_label(ctx.request.method),
            self._model(ctx.model),
            labels.outcome(ctx.status, ctx.error_code),
            labels.status_class(ctx.status),
        ).inc()
        self._decisions(labels.request_decision(ctx.guard)).inc()
        if ctx.guard is not None:
            self._observe_guard(ctx.guard)
        self._observe_timings(route, ctx.timings)
        if ctx.usage is not None:
            self._observe_usage(ctx.principal, ctx.usage)
        if ctx.error_code is not None:
            self._observe_error(ctx.error_code, ctx.status, ctx.upstream)

    def alert(self, signal: str) -> None:
        """Count one anomaly alert (``signal`` is one of the detector's fixed signal names)."""
        self._alerts(signal).inc()

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)

    def _observe_guard(self, guard: GuardState) -> None:
        for stage, decision in (("input", guard.input_decision), ("output", guard.output_decision)):
            if decision is not ALLOW:  # the unset default: this stage did not run or decided nothing
                self._observe_decision(stage, decision)

    def _observe_decision(self, stage: str, decision: Decision) -> None:
        self._stage_decisions(stage, decision.action, decision.would_action).inc()
        if decision.failed_open:
            self._failed_open(stage).inc()
        fired = {(hit.rule, hit.action, hit.mode) for hit in decision.hits}
        for rule, action, mode in fired:
            self._rule_hits(stage, self._rule(rule), action, mode).inc()
        for hit in decision.hits:
            self._findings(stage, self._kind(hit.kind)).inc()

    def _observe_timings(self, route: str, timings: Mapping[str, float]) -> None:
        for stage, seconds in timings.items():
            self._durations(route, self._stage(stage)).observe(seconds)
        total = timings.get("total")
        upstream = timings.get("upstream")
        if total is not None and upstream is not None:
            self._overhead(route).observe(max(0.0, total - upstream))

    def _observe_usage(self, principal: Principal | None, usage: Usage) -> None:
        key = self._key(principal.subject if principal is not None else None)
        team = self._team(principal.team if principal is not None else None)
        if usage.prompt_tokens > 0:
            self._tokens(key, team, "prompt").inc(usage.prompt_tokens)
        if usage.completion_tokens > 0:
            self._tokens(key, team, "completion").inc(usage.completion_tokens)
        if usage.cost_usd > 0:
            self._cost(key, team).inc(usage.cost_usd)

    def _observe_error(self, code: str, status: int, upstream: str | None) -> None:
        if code.startswith("upstream"):
            self._upstream_errors(self._upstream(upstream), self._code(code)).inc()
        elif status == 429:
            self._rate_limited(self._code(code)).inc()
