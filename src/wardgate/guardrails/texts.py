"""Find every scannable text in an OpenAI chat body (with its role and where it lives), and write texts back.

Texts: each message's string content or text parts, assistant tool-call arguments, tool/function results. Tool
results are untrusted content (role ``tool``); so are ``function`` messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from wardgate.scanners.base import Role
from wardgate.types import JSONObject

Path = tuple[str | int, ...]

_ROLE_MAP: dict[str, Role] = {
    "system": "system",
    "developer": "developer",
    "user": "user",
    "assistant": "assistant",
    "tool": "tool",
    "function": "tool",
}


@dataclass(frozen=True, slots=True)
class Located:
    path: Path
    role: Role
    text: str


def chat_texts(body: JSONObject) -> list[Located]:
    out: list[Located] = []
    messages = body.get("messages")
    if not isinstance(messages, list):
        return out
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        role = _ROLE_MAP.get(str(message.get("role")), "user")
        content = message.get("content")
        if isinstance(content, str):
            out.append(Located(("messages", i, "content"), role, content))
        elif isinstance(content, list):
            for j, part in enumerate(content):
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    out.append(Located(("messages", i, "content", j, "text"), role, part["text"]))
        out.extend(_tool_call_texts(message.get("tool_calls"), ("messages", i, "tool_calls"), role))
    return out


def _tool_call_texts(calls: Any, base: Path, role: Role) -> list[Located]:
    out: list[Located] = []
    if not isinstance(calls, list):
        return out
    for k, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and isinstance(function.get("arguments"), str):
            out.append(Located((*base, k, "function", "arguments"), role, function["arguments"]))
    return out


def answer_texts(body: JSONObject) -> list[Located]:
    """Texts of a non-streamed chat answer: content, refusal, tool-call and legacy function-call arguments."""
    out: list[Located] = []
    choices = body.get("choices")
    if not isinstance(choices, list):
        return out
    for i, choice in enumerate(choices):
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            continue
        for field_name in ("content", "refusal"):
            if isinstance(message.get(field_name), str):
                out.append(Located(("choices", i, "message", field_name), "assistant", message[field_name]))
        out.extend(_tool_call_texts(message.get("tool_calls"), ("choices", i, "message", "tool_calls"), "assistant"))
        legacy = message.get("function_call")
        if isinstance(legacy, dict) and isinstance(legacy.get("arguments"), str):
            path = ("choices", i, "message", "function_call", "arguments")
            out.append(Located(path, "assistant", legacy["arguments"]))
    return out


def scannable_embedding_input(body: JSONObject) -> bool:
    """Token-id inputs cannot be scanned without the upstream's tokenizer; with guardrails on they are refused."""
    value = body.get("input")
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))


def embedding_texts(body: JSONObject) -> list[Located]:
    value = body.get("input")
    if isinstance(value, str):
        return [Located(("input",), "user", value)]
    if isinstance(value, list):
        return [Located(("input", i), "user", v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def put(body: JSONObject, path: Path, value: str) -> None:
    """Write ``value`` at ``path`` (which :func:`chat_texts` produced, so it exists)."""
    node: Any = body
    for step in path[:-1]:
        node = node[step]
    cast(Any, node)[path[-1]] = value
