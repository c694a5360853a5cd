"""Scripted chat answers for the fake upstream: fixed content, a tool call, or an echo of the last user message.

Streamed answers are cut into pieces of exactly ``chunk_chars`` characters (the last piece may be shorter), so a
value the test cares about (a placeholder, a secret, a leaked prompt) is split across chunks. The chunks are shaped
as OpenAI sends them: a role delta, the content (or tool-call) deltas, a finish chunk, a usage chunk when the
request asked for one, then ``[DONE]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wardgate.types import JSONObject

CALL_ID = "call_scripted_1"
TOOL_NAME = "lookup"


@dataclass(frozen=True, slots=True)
class Script:
    content: str | None = None
    """Text content of the answer (ignored when ``tool_args`` is set)."""
    tool_args: str | None = None
    """Arguments (a JSON string) of one tool call to ``lookup``."""
    chunk_chars: int = 4
    finish_with_content: bool = False
    """Streamed: the last content piece carries ``finish_reason`` itself (as some servers send it), no extra chunk."""


def last_user_text(body: JSONObject) -> str:
    """The last user message's content: a string, or its text parts joined."""
    messages = body.get("messages")
    for message in reversed(messages if isinstance(messages, list) else []):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _usage(body: JSONObject, completion: str) -> JSONObject:
    prompt = max(1, len(json.dumps(body.get("messages"))) // 4)
    done = max(1, len(completion) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}


def _message(script: Script) -> JSONObject:
    if script.tool_args is not None:
        call = {"id": CALL_ID, "type": "function", "function": {"name": TOOL_NAME, "arguments": script.tool_args}}
        return {"role": "assistant", "content": None, "tool_calls": [call]}
    return {"role": "assistant", "content": script.content or ""}


def completion(body: JSONObject, script: Script) -> JSONObject:
    """A non-streamed ``chat.completion`` carrying the scripted answer."""
    message = _message(script)
    finish = "tool_calls" if script.tool_args is not None else "stop"
    text = script.tool_args if script.tool_args is not None else script.content or ""
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": str(body.get("model", "scripted")),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": _usage(body, text),
    }


def pieces(text: str, size: int) -> list[str]:
    if size < 1:
        raise ValueError("chunk_chars must be at least 1")
    return [text[i : i + size] for i in range(0, len(text), size)]


def stream_events(body: JSONObject, script: Script) -> list[bytes]:
    """The SSE events (``data: ...\\n\\n``) of the streamed scripted answer, ``[DONE]`` included."""
    model = str(body.get("model", "scripted"))
    options = body.get("stream_options")
    include_usage = isinstance(options, dict) and options.get("include_usage") is True

    def chunk(delta: JSONObject, finish: str | None = None) -> JSONObject:
        out: JSONObject = {
            "id": "chatcmpl-scripted",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if include_usage:
            out["usage"] = None
        return out

    chunks: list[JSONObject] = []
    if script.tool_args is not None:
        header: dict[str, Any] = {"index": 0, "id": CALL_ID, "type": "function"}
        header["function"] = {"name": TOOL_NAME, "arguments": ""}
        chunks.append(chunk({"role": "assistant", "content": None, "tool_calls": [header]}))
        for piece in pieces(script.tool_args, script.chunk_chars):
            chunks.append(chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
        chunks.append(chunk({}, "tool_calls"))
        text = script.tool_args
    else:
        text = script.content or ""
        chunks.append(chunk({"role": "assistant", "content": ""}))
        chunks.extend(chunk({"content": piece}) for piece in pieces(text, script.chunk_chars))
        if script.finish_with_content and len(chunks) > 1:
            chunks[-1]["choices"][0]["finish_reason"] = "stop"
        else:
            chunks.append(chunk({}, "stop"))
    if include_usage:
        chunks.append(
            {
                "id": "chatcmpl-scripted",
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": model,
                "choices": [],
                "usage": _usage(body, text),
            }
        )
    events = [f"data: {json.dumps(c)}\n\n".encode() for c in chunks]
    events.append(b"data: [DONE]\n\n")
    return events
