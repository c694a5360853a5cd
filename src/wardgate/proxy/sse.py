"""Incremental server-sent-events handling: split a byte stream into events, read usage out of them.

Only events are parsed that can carry ``usage`` (a cheap substring test first), so relaying a stream costs one
buffer split per chunk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wardgate.errors import UpstreamError

DONE = b"[DONE]"


@dataclass(frozen=True, slots=True)
class StreamUsage:
    prompt_tokens: int
    completion_tokens: int


class EventSplitter:
    """Feed raw bytes, get complete events (each ends with a blank line). The buffer is bounded."""

    def __init__(self, max_event_bytes: int = 1 << 20) -> None:
        self._buf = b""
        self._max = max_event_bytes

    def feed(self, chunk: bytes) -> list[bytes]:
        buf = self._buf + chunk
        if b"\r" in buf:
            buf = buf.replace(b"\r\n", b"\n")
        events: list[bytes] = []
        start = 0
        while True:
            end = buf.find(b"\n\n", start)
            if end < 0:
                break
            events.append(buf[start : end + 2])
            start = end + 2
        self._buf = buf[start:]
        if len(self._buf) > self._max:
            raise UpstreamError("The upstream sent an oversized stream event.", code="upstream_invalid_response")
        return events

    def rest(self) -> bytes:
        return self._buf


def event_data(event: bytes) -> bytes | None:
    """The joined ``data:`` payload of one event, or ``None`` if it has none (comments, keep-alives)."""
    parts = [line[5:].lstrip(b" ") for line in event.split(b"\n") if line.startswith(b"data:")]
    if not parts:
        return None
    return b"\n".join(parts)


def is_done(event: bytes) -> bool:
    return event_data(event) == DONE


def parse_usage(data: bytes) -> tuple[StreamUsage | None, bool]:
    """``(usage, usage_only)`` for one event payload; ``usage_only`` marks the extra chunk with no choices."""
    if b'"usage"' not in data:
        return None, False
    try:
        obj: Any = json.loads(data)
    except ValueError:
        return None, False
    if not isinstance(obj, dict) or not isinstance(obj.get("usage"), dict):
        return None, False
    usage = obj["usage"]
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None, False
    return StreamUsage(prompt, completion), not obj.get("choices")
