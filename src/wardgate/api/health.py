"""Liveness and readiness probes (no authentication, no detail that helps an attacker)."""

from __future__ import annotations

from wardgate.context import RequestContext
from wardgate.errors import StorageError
from wardgate.http import send_json
from wardgate.services import Services
from wardgate.types import Receive, Send


async def healthz(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    await send_json(send, 200, {"status": "ok"})


async def readyz(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    checks = {"storage": True, "upstreams": svc.upstreams.started}
    try:
        svc.store.get_key("0" * 16)
    except StorageError:
        checks["storage"] = False
    ready = all(checks.values())
    await send_json(send, 200 if ready else 503, {"status": "ready" if ready else "not_ready", "checks": checks})
