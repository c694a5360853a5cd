"""``GET /metrics``: the gateway's Prometheus metrics, for auditors and admins (``Permission.READ_AUDIT``)."""

from __future__ import annotations

import asyncio

from wardgate.context import RequestContext
from wardgate.errors import NotFoundError
from wardgate.http import send_bytes
from wardgate.services import Services
from wardgate.types import Receive, Send


async def serve_metrics(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    metrics = svc.metrics
    if metrics is None:
        raise NotFoundError("Unknown route.", code="route_not_found")
    # Rendering walks every series (and reads /proc for the process metrics): off the event loop.
    body = await asyncio.to_thread(metrics.render)
    await send_bytes(send, 200, body, metrics.content_type.encode(), {"cache-control": "no-store"})
