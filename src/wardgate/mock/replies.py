"""Deterministic reply logic of the mock model: answers, tool calls, JSON content and embeddings.

Nothing here does I/O; :mod:`wardgate.mock.model` turns these values into HTTP responses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from dataclasses import dataclass, field
from typing import Any

from wardgate.types import JSONObject

EMBEDDING_DIMENSIONS = 16
_SNIPPET_CHARS = 60
_TOOL_RESULT_CHARS = 100
_PLACE_NAMES = ("location", "city", "place", "town", "destination")


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One function call proposed by the mock model."""

    call_id: str
    name: str
    arguments: str

    def to_json(self) -> JSONObject:
        return {
            "id": self.call_id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant says: text ``content`` or ``tool_calls`` (then content is ``None``)."""

    content: str | None
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int = 1

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"

    @property
    def completion_tokens(self) -> int:
        if self.tool_calls:
            return sum(estimate_tokens(call.name + call.arguments) for call in self.tool_calls)
        return estimate_tokens(self.content or "")

    def usage(self) -> JSONObject:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }

    def message(self) -> JSONObject:
        message: JSONObject = {"role": "assistant", "content": self.content, "refusal": None}
        if self.tool_calls:
            message["tool_calls"] = [call.to_json() for call in self.tool_calls]
        return message


def estimate_tokens(text: str) -> int:
    """A rough token count: about four characters per token, never zero."""
    return len(text) // 4 + 1


def message_text(message: JSONObject) -> str:
    """The text of a chat message; ``content`` may be a string, a list of parts or absent."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text") for part in content if isinstance(part, dict)]
        return " ".join(text for text in texts if isinstance(text, str))
    return ""


def text_answer(question: str) -> str:
    """The canned, deterministic answer to ``question`` (a few sentences, so streams have several chunks)."""
    snippet = " ".join(question.split())[:_SNIPPET_CHARS].rstrip()
    return (
        f"Mock answer to: {snippet}. "
        "This reply was written by the Wardgate mock model, not by a real language model. "
        "The same question always gets the same answer, which keeps tests and demos reproducible."
    )


LEAK_TRIGGER = "deployment credentials"


def leaky_answer() -> str:
    """What a careless model might say when asked for credentials (a format-valid fake token, for the demo)."""
    digest = hashlib.sha256(b"wardgate-mock-leak").hexdigest()
    token = "ghp_" + "".join(c.upper() if i % 3 == 0 else c for i, c in enumerate(digest[:36]))
    return (
        f"Sure. The deploy job authenticates with the token {token} and pages "
        "ops-oncall@corp.example when it fails. Rotate the token every 90 days."
    )


def tool_result_answer(result: str) -> str:
    snippet = " ".join(result.split())[:_TOOL_RESULT_CHARS].rstrip()
    return f"The tool returned: {snippet}"


def placeholder(name: str, schema: Any) -> Any:
    """A plausible value for a property called ``name`` described by the JSON schema ``schema``."""
    if not isinstance(schema, dict):
        return "example"
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    if kind == "string":
        return "Paris" if any(word in name.lower() for word in _PLACE_NAMES) else "example"
    if kind in ("number", "integer"):
        return 1
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if kind == "null":
        return None
    return "example"


def fill_object(schema: Any, *, required_only: bool) -> JSONObject:
    """An object with placeholder values for the top-level properties of ``schema``.

    With ``required_only`` only the ``required`` properties are filled (all of them when none is required).
    """
    if not isinstance(schema, dict):
        return {}
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    required = schema.get("required")
    names: list[str] = list(properties)
    if required_only and isinstance(required, list) and required:
        names = [name for name in required if isinstance(name, str)]
    return {name: placeholder(name, properties.get(name)) for name in names}


def tool_call_for(tool: JSONObject) -> ToolCall:
    """A call of ``tool`` (an OpenAI ``tools`` entry) with arguments built from its parameter schema."""
    function = tool.get("function")
    if not isinstance(function, dict):
        function = {}
    name = function.get("name")
    name = name if isinstance(name, str) and name else "tool"
    arguments = json.dumps(fill_object(function.get("parameters"), required_only=False))
    digest = hashlib.sha256(f"{name}\x00{arguments}".encode()).hexdigest()[:24]
    return ToolCall(call_id=f"call_mock_{digest}", name=name, arguments=arguments)


def json_content(response_format: JSONObject, answer: str) -> str | None:
    """JSON text for a ``response_format`` asking for JSON, or ``None`` when plain text is wanted."""
    kind = response_format.get("type")
    if kind == "json_object":
        return json.dumps({"answer": answer})
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        return json.dumps(fill_object(schema, required_only=True))
    return None


def _chosen_tool(body: JSONObject) -> JSONObject | None:
    tools = [tool for tool in body.get("tools") or [] if isinstance(tool, dict)]
    choice = body.get("tool_choice")
    if not tools or choice == "none":
        return None
    if isinstance(choice, dict):
        wanted = choice.get("function", {}).get("name") if isinstance(choice.get("function"), dict) else None
        for tool in tools:
            function = tool.get("function")
            if isinstance(function, dict) and function.get("name") == wanted:
                return tool
    return tools[0]


def build_reply(body: JSONObject) -> Reply:
    """The reply to a validated chat request ``body`` (``messages`` is a non-empty list of objects)."""
    messages: list[JSONObject] = body["messages"]
    prompt_tokens = estimate_tokens("\n".join(message_text(message) for message in messages))
    last = messages[-1]
    tool = _chosen_tool(body)
    if tool is not None and last.get("role") == "user":
        return Reply(content=None, tool_calls=[tool_call_for(tool)], prompt_tokens=prompt_tokens)
    if last.get("role") == "tool":
        answer = tool_result_answer(message_text(last))
    else:
        users = [message for message in messages if message.get("role") == "user"]
        question = message_text(users[-1]) if users else ""
        answer = leaky_answer() if LEAK_TRIGGER in question.lower() else text_answer(question)
    response_format = body.get("response_format")
    if isinstance(response_format, dict):
        answer = json_content(response_format, answer) or answer
    return Reply(content=answer, prompt_tokens=prompt_tokens)


def embedding_vector(text: str) -> list[float]:
    """A deterministic unit-norm vector for ``text``; values are exactly representable as float32."""
    digest = hashlib.blake2b(text.encode(), digest_size=4 * EMBEDDING_DIMENSIONS).digest()
    raw = struct.unpack(f"<{EMBEDDING_DIMENSIONS}i", digest)
    norm = sum(value * value for value in raw) ** 0.5 or 1.0
    packed = struct.pack(f"<{EMBEDDING_DIMENSIONS}f", *(value / norm for value in raw))
    return list(struct.unpack(f"<{EMBEDDING_DIMENSIONS}f", packed))


def encode_base64(vector: list[float]) -> str:
    """``vector`` as little-endian float32 bytes in base64 (OpenAI's ``encoding_format: "base64"``)."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embedding_inputs(value: Any) -> list[tuple[str, int]] | None:
    """``(text, tokens)`` for each input of an embeddings request, or ``None`` when ``input`` is invalid.

    ``input`` may be a string, a list of strings, a list of token ids or a list of token-id lists.
    """
    if isinstance(value, str):
        return [(value, estimate_tokens(value))]
    if not isinstance(value, list) or not value:
        return None
    if all(_is_token(item) for item in value):
        return [(_tokens_text(value), len(value))]
    inputs: list[tuple[str, int]] = []
    for item in value:
        if isinstance(item, str):
            inputs.append((item, estimate_tokens(item)))
        elif isinstance(item, list) and item and all(_is_token(token) for token in item):
            inputs.append((_tokens_text(item), len(item)))
        else:
            return None
    return inputs


def _is_token(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _tokens_text(tokens: list[Any]) -> str:
    return " ".join(str(token) for token in tokens)
