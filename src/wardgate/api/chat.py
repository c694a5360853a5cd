"""``POST /v1/chat/completions``: non-streamed and streamed, every unknown field passed through."""

from __future__ import annotations

import time

from wardgate.api.validate import authorize_model, check_chat, require_model
from wardgate.audit.capture import ContentCapture
from wardgate.context import RequestContext
from wardgate.disconnect import cancel_on_disconnect
from wardgate.guardrails.stream import StreamGuard
from wardgate.guardrails.texts import chat_texts
from wardgate.http import json_bytes, parse_json_object, read_body
from wardgate.limits.base import Usage
from wardgate.limits.pricing import cost_usd
from wardgate.limits.tokens import estimate_chat
from wardgate.proxy.forward import open_stream, post_json
from wardgate.proxy.relay import relay_events
from wardgate.proxy.upstreams import Route
from wardgate.services import Services
from wardgate.types import Headers, JSONObject, Message, Receive, Send
from wardgate.usage import usage_from_body

PATH = "/chat/completions"
ROUTE = "/v1/chat/completions"


async def chat_completions(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    raw = await read_body(receive, ctx.request, svc.config.server.max_body_bytes)
    body = parse_json_object(raw)
    ctx.model = model = require_model(body)
    check_chat(body, svc.config.server)
    principal = ctx.require_principal()
    route = authorize_model(principal, model, svc.upstreams)
    ctx.upstream = route.upstream.name
    if svc.audit is not None and svc.audit.captures:
        # Before the guardrails run: the record keeps the prompt as the caller sent it (sealed or redacted later).
        ctx.capture = ContentCapture()
        ctx.capture.prompt(chat_texts(body))
    estimated = estimate_chat(body)
    lease = await svc.limiter.acquire(principal, estimated)
    try:
        await _guard_input(svc, ctx, body)
    except BaseException:
        await lease.release(None)
        raise
    held: list[Message] = []

    async def send_until_last(message: Message) -> None:
        # The response's last message waits until the lease is settled: a client that sends its next request as
        # soon as this one completes must find the concurrency slot free and the real usage counted.
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            held.append(message)
        else:
            await send(message)

    try:
        # The caller's bytes go upstream unchanged unless something had to change (alias, redaction, canary).
        unchanged = route.upstream_model == model and (ctx.guard is None or not ctx.guard.modified)
        body["model"] = route.upstream_model
        headers = lease.headers()
        if body.get("stream") is True:
            work = _stream(svc, ctx, send_until_last, route, body, estimated, headers)
        else:
            payload = raw if unchanged else json_bytes(body)
            work = _complete(svc, ctx, send_until_last, route, payload, headers)
        await cancel_on_disconnect(receive, work)
    finally:
        await lease.release(ctx.usage)
    for message in held:
        await send(message)


async def _guard_input(svc: Services, ctx: RequestContext, body: JSONObject) -> None:
    if svc.guardrails is None:
        return
    ctx.guard = state = svc.guardrails.start(ROUTE, ctx.principal)
    texts = chat_texts(body)
    started = time.perf_counter()
    await svc.guardrails.inspect_input(state, body, texts)
    svc.guardrails.prepare_answer(state, body, texts)
    ctx.timings["scan_input"] = time.perf_counter() - started


async def _complete(
    svc: Services, ctx: RequestContext, send: Send, route: Route, request: bytes, headers: dict[str, str]
) -> None:
    started = time.perf_counter()
    answer = await post_json(route.upstream, PATH, request, ctx.request_id)
    ctx.timings["upstream"] = time.perf_counter() - started
    ctx.usage = usage_from_body(answer.body, ctx.model or "", svc.config.pricing)
    changed = False
    if svc.guardrails is not None and ctx.guard is not None:
        started = time.perf_counter()
        changed = await svc.guardrails.inspect_answer(ctx.guard, answer.body)
        ctx.timings["scan_output"] = time.perf_counter() - started
    payload = json_bytes(answer.body) if changed else answer.raw
    if ctx.capture is not None:
        ctx.capture.answer_body(answer.body)
    raw: Headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *answer.headers,
        *[(k.encode(), v.encode()) for k, v in headers.items()],
    ]
    await send({"type": "http.response.start", "status": 200, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


async def _stream(
    svc: Services,
    ctx: RequestContext,
    send: Send,
    route: Route,
    body: JSONObject,
    estimated: int,
    headers: dict[str, str],
) -> None:
    options = body.get("stream_options")
    client_wants_usage = isinstance(options, dict) and options.get("include_usage") is True
    if not client_wants_usage:
        # Ask for usage so budgets see real numbers; the extra chunk is not relayed to this client.
        body["stream_options"] = {**(options if isinstance(options, dict) else {}), "include_usage": True}
    started = time.perf_counter()
    async with open_stream(route.upstream, PATH, json_bytes(body), ctx.request_id) as stream:
        raw: Headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no"),
            *stream.headers,
            *[(k.encode(), v.encode()) for k, v in headers.items()],
        ]
        await send({"type": "http.response.start", "status": 200, "headers": raw})
        guard = None
        if svc.guardrails is not None and ctx.guard is not None:
            guard = StreamGuard(svc.guardrails, ctx.guard, svc.config.guardrails.stream_holdback_chars)
        result = await relay_events(
            stream,
            send,
            strip_usage=not client_wants_usage,
            transform=guard.on_event if guard else None,
            flush=guard.flush if guard else None,
            tap=ctx.capture.stream_payload if ctx.capture is not None else None,
        )
    ctx.timings["upstream"] = time.perf_counter() - started
    if result.error is not None:
        ctx.error_code = result.error.code
    prompt, completion = (
        (result.usage.prompt_tokens, result.usage.completion_tokens) if result.usage else (estimated, result.chunks)
    )
    ctx.usage = Usage(prompt, completion, cost_usd(ctx.model or "", prompt, completion, svc.config.pricing))
