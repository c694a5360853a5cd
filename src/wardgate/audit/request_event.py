"""Build the audit events the gateway writes: one per request, one per admin action.

An event's ``fields`` hold metadata only — ids, the principal, route, model and upstream, the guardrail decisions
(rule, finding kind, span, score; never the text a span points at), the policy version, the latency breakdown, token
usage and cost, the outcome and the gateway version. Prompt and answer text travel separately in ``content`` and are
dropped, redacted or sealed by the audit log according to its capture mode.
"""

from __future__ import annotations

import hashlib
import json

from wardgate.audit.record import AuditEvent
from wardgate.auth.principal import Principal
from wardgate.config.guardrails import GuardrailsConfig
from wardgate.context import RequestContext
from wardgate.policy.decide import Decision
from wardgate.types import JSONObject
from wardgate.version import __version__

_STAGES = ("auth", "scan_input", "upstream", "scan_output", "total")


def policy_version(rails: GuardrailsConfig) -> str:
    """A stable hash of the guardrail policy in force (the same policy gives the same version on every replica)."""
    canonical = json.dumps(rails.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def principal_fields(principal: Principal | None) -> JSONObject | None:
    if principal is None:
        return None
    return {
        "subject": principal.subject,
        "kind": principal.kind,
        "role": principal.role,
        "team": principal.team,
        "name": principal.name,
    }


def decision_fields(decision: Decision) -> JSONObject:
    return {
        "action": decision.action,
        "would_action": decision.would_action,
        "failed_open": decision.failed_open,
        "errors": list(decision.errors),
        "hits": [
            {
                "rule": hit.rule,
                "kind": hit.kind,
                "action": hit.action,
                "mode": hit.mode,
                "score": round(hit.score, 4),
                "text": hit.text_index,
                "start": hit.start,
                "end": hit.end,
            }
            for hit in decision.hits
        ],
    }


def outcome(ctx: RequestContext) -> str:
    if ctx.error_code is not None:
        return ctx.error_code
    return "ok" if 200 <= ctx.status < 400 else f"http_{ctx.status}"


def request_event(ctx: RequestContext, policy: str, content: JSONObject | None = None) -> AuditEvent:
    """The audit event for one finished request (``content``: prompt and answer text, if captured)."""
    guard = ctx.guard
    usage = ctx.usage
    fields: JSONObject = {
        "request_id": ctx.request_id,
        "method": ctx.request.method,
        "route": ctx.route,
        "path": ctx.request.path if ctx.route is not None else None,
        "client": ctx.request.client,
        "principal": principal_fields(ctx.principal),
        "model": ctx.model,
        "upstream": ctx.upstream,
        "status": ctx.status,
        "outcome": outcome(ctx),
        "decisions": None
        if guard is None
        else {"input": decision_fields(guard.input_decision), "output": decision_fields(guard.output_decision)},
        "policy_version": policy,
        "timings_ms": {stage: round(ctx.timings[stage] * 1000, 3) for stage in _STAGES if stage in ctx.timings},
        "usage": None
        if usage is None
        else {
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "cost_usd": round(usage.cost_usd, 8),
        },
        "gateway_version": __version__,
    }
    return AuditEvent("request", fields, content)


def admin_event(
    actor: Principal | str, action: str, target: str | None, details: JSONObject | None = None
) -> AuditEvent:
    """An admin action (``key.create``, ``key.revoke``, ``key.rotate``, ``policy.change``, ``approval.decide`` …)."""
    who: JSONObject | None = principal_fields(actor) if isinstance(actor, Principal) else {"subject": actor}
    fields: JSONObject = {
        "actor": who,
        "action": action,
        "target": target,
        "details": details or {},
        "gateway_version": __version__,
    }
    return AuditEvent("admin", fields)
