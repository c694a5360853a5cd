"""``POST /v1/embeddings``."""

from __future__ import annotations

import time

from wardgate.api.validate import authorize_model, require_model
from wardgate.audit.capture import ContentCapture
from wardgate.context import RequestContext
from wardgate.disconnect import cancel_on_disconnect
from wardgate.errors import BadRequestError
from wardgate.guardrails.texts import embedding_texts, scannable_embedding_input
from wardgate.http import json_bytes, parse_json_object, read_body
from wardgate.limits.tokens import estimate_embedding_input
from wardgate.proxy.forward import post_json
from wardgate.services import Services
from wardgate.types import Headers, Receive, Send
from wardgate.usage import usage_from_body


async def embeddings(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    raw = await read_body(receive, ctx.request, svc.config.server.max_body_bytes)
    body = parse_json_object(raw)
    ctx.model = model = require_model(body)
    if "input" not in body or not isinstance(body["input"], str | list):
        raise BadRequestError("'input' must be a string or an array.", code="invalid_input", param="input")
    principal = ctx.require_principal()
    route = authorize_model(principal, model, svc.upstreams)
    ctx.upstream = route.upstream.name
    if svc.audit is not None and svc.audit.captures:
        ctx.capture = ContentCapture()
        ctx.capture.embedding_input(body["input"])
    lease = await svc.limiter.acquire(principal, estimate_embedding_input(body["input"]))
    try:
        if svc.guardrails is not None:
            if not scannable_embedding_input(body):
                raise BadRequestError(
                    "Token-id input cannot be scanned; send text.", code="unscannable_input", param="input"
                )
            ctx.guard = svc.guardrails.start("/v1/embeddings", principal)
            await svc.guardrails.inspect_input(ctx.guard, body, embedding_texts(body))
        unchanged = route.upstream_model == model and (ctx.guard is None or not ctx.guard.modified)
        body["model"] = route.upstream_model
        request = raw if unchanged else json_bytes(body)
        started = time.perf_counter()
        answer = await cancel_on_disconnect(receive, post_json(route.upstream, "/embeddings", request, ctx.request_id))
        ctx.timings["upstream"] = time.perf_counter() - started
        ctx.usage = usage_from_body(answer.body, model, svc.config.pricing)
        payload = answer.raw
        response_headers: Headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            *answer.headers,
            *[(k.encode(), v.encode()) for k, v in lease.headers().items()],
        ]
        await lease.release(ctx.usage)  # settled before the client can see the response complete
        await send({"type": "http.response.start", "status": 200, "headers": response_headers})
        await send({"type": "http.response.body", "body": payload})
    finally:
        await lease.release(ctx.usage)
