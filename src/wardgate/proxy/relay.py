"""Relay an upstream event stream to the client event by event, reading usage on the way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wardgate.errors import GatewayError, PolicyBlockedError, UpstreamError, envelope_bytes
from wardgate.proxy.forward import OpenStream, next_chunk
from wardgate.proxy.sse import DONE, EventSplitter, StreamUsage, event_data, parse_usage
from wardgate.types import Send


@dataclass(slots=True)
class RelayResult:
    usage: StreamUsage | None = None
    chunks: int = 0
    """Data events with a payload (about one token each in OpenAI streams)."""
    done: bool = False
    error: GatewayError | None = None


def error_event(exc: GatewayError) -> bytes:
    """A terminal OpenAI-style error event; the stream ends right after it."""
    return b"data: " + envelope_bytes(exc) + b"\n\n"


Transform = Callable[[bytes], list[bytes]]
"""Rewrites one data payload into zero or more payloads (the output guardrails); may raise a GatewayError."""
Flush = Callable[[], list[bytes]]
"""Payloads still held by the transform, released (after their final check) when the upstream fails mid-stream."""
Tap = Callable[[bytes], None]
"""Sees every data payload as it goes to the client (the audit log's content capture)."""


async def relay_events(
    stream: OpenStream,
    send: Send,
    strip_usage: bool,
    transform: Transform | None = None,
    flush: Flush | None = None,
    tap: Tap | None = None,
) -> RelayResult:
    """Forward complete events as they arrive. Mid-stream failures end the stream with an error event."""
    result = RelayResult()
    splitter = EventSplitter()
    try:
        while True:
            chunk = await next_chunk(stream)
            if not chunk:
                break
            out = _select(splitter.feed(chunk), result, strip_usage, transform, tap)
            if out:
                await send({"type": "http.response.body", "body": out, "more_body": True})
        if not result.done:
            raise UpstreamError("The upstream stream ended early.", code="upstream_stream_interrupted")
    except GatewayError as exc:
        result.error = exc
        tail = b""
        if flush is not None and not isinstance(exc, PolicyBlockedError):
            try:
                released = flush()
                tail = b"".join(b"data: " + payload + b"\n\n" for payload in released)
                if tap is not None:
                    for payload in released:
                        tap(payload)
            except GatewayError as blocked:
                result.error = blocked
        await send({"type": "http.response.body", "body": tail + error_event(result.error), "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    return result


def _select(
    events: list[bytes], result: RelayResult, strip_usage: bool, transform: Transform | None, tap: Tap | None
) -> bytes:
    out: list[bytes] = []
    for event in events:
        data = event_data(event)
        if data is None:
            out.append(event)
            continue
        if data == DONE:
            result.done = True
            out.append(event)
            continue
        result.chunks += 1
        usage, usage_only = parse_usage(data)
        if usage is not None:
            result.usage = usage
            if strip_usage and usage_only:
                continue
        if transform is None:
            out.append(event)
            if tap is not None:
                tap(data)
        else:
            payloads = transform(data)
            out.extend(b"data: " + payload + b"\n\n" for payload in payloads)
            if tap is not None:
                for payload in payloads:
                    tap(payload)
    return b"".join(out)
