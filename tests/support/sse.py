"""Read a complete server-sent-events body the way a client does: payloads, JSON chunks, joined deltas."""

from __future__ import annotations

import json
from typing import Any

DONE = "[DONE]"


def payloads(raw: bytes) -> list[str]:
    """The ``data:`` payloads of a complete SSE body, in order (``[DONE]`` included)."""
    out: list[str] = []
    for event in raw.decode().replace("\r\n", "\n").split("\n\n"):
        lines = [line[5:].lstrip() for line in event.split("\n") if line.startswith("data:")]
        if lines:
            out.append("\n".join(lines))
    return out


def chunks(raw: bytes) -> list[dict[str, Any]]:
    """Every JSON payload (chunks and a terminal error event), ``[DONE]`` left out."""
    out: list[dict[str, Any]] = []
    for payload in payloads(raw):
        if payload == DONE:
            continue
        value = json.loads(payload)
        assert isinstance(value, dict), payload
        out.append(value)
    return out


def content(raw: bytes) -> str:
    """The streamed answer text: every ``delta.content`` joined."""
    parts: list[str] = []
    for chunk in chunks(raw):
        for choice in chunk.get("choices") or ():
            piece = (choice.get("delta") or {}).get("content")
            if isinstance(piece, str):
                parts.append(piece)
    return "".join(parts)


def tool_arguments(raw: bytes) -> str:
    """The streamed arguments of the first tool call, joined."""
    parts: list[str] = []
    for chunk in chunks(raw):
        for choice in chunk.get("choices") or ():
            for call in (choice.get("delta") or {}).get("tool_calls") or ():
                if call.get("index", 0) == 0:
                    parts.append((call.get("function") or {}).get("arguments") or "")
    return "".join(parts)


def strings(raw: bytes) -> str:
    """Every string value of every payload, unescaped (a value written as ``\\uXXXX`` escapes in the bytes shows up)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for chunk in chunks(raw):
        walk(chunk)
    return "\n".join(found)


def terminal_error(raw: bytes) -> dict[str, Any] | None:
    """The ``error`` object of the stream's last event, when the stream ended with one."""
    events = payloads(raw)
    if not events or events[-1] == DONE:
        return None
    last = json.loads(events[-1])
    error = last.get("error") if isinstance(last, dict) else None
    return error if isinstance(error, dict) else None
