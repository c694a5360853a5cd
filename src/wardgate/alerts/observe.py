"""Turn one finished model request into the anomaly detector's :class:`Observation` (ids and counts, no content)."""

from __future__ import annotations

from wardgate.alerts.model import Observation
from wardgate.context import RequestContext

_BLOCKED = frozenset({"request_blocked", "response_blocked"})


def observation(ctx: RequestContext) -> Observation:
    principal = ctx.principal
    guard = ctx.guard
    injection = False
    if guard is not None:
        hits = (*guard.input_decision.hits, *guard.output_decision.hits)
        injection = any(hit.rule == "injection" for hit in hits)
    return Observation(
        key_id=principal.subject if principal is not None else None,
        team=principal.team if principal is not None else None,
        tokens=ctx.usage.total_tokens if ctx.usage is not None else 0,
        blocked=ctx.error_code in _BLOCKED,
        injection_hit=injection,
    )
