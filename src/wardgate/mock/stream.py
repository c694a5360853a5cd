"""``chat.completion.chunk`` objects for streamed mock replies, in the order OpenAI sends them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wardgate.mock.replies import Reply
from wardgate.types import JSONObject

WORDS_PER_CHUNK = 3
ARGUMENT_CHARS_PER_CHUNK = 8
_WORD_RE = re.compile(r"\s*\S+\s*")


@dataclass(frozen=True, slots=True)
class ChunkHeader:
    """The fields every chunk of one streamed completion shares."""

    completion_id: str
    created: int
    model: str
    include_usage: bool

    def chunk(self, delta: JSONObject, finish_reason: str | None = None) -> JSONObject:
        chunk = self._base()
        chunk["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
        if self.include_usage:
            chunk["usage"] = None
        return chunk

    def usage_chunk(self, usage: JSONObject) -> JSONObject:
        chunk = self._base()
        chunk["choices"] = []
        chunk["usage"] = usage
        return chunk

    def _base(self) -> JSONObject:
        return {
            "id": self.completion_id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": None,
        }


def split_words(text: str, words: int = WORDS_PER_CHUNK) -> list[str]:
    """``text`` cut into pieces of ``words`` words each; joining the pieces gives ``text`` back exactly."""
    tokens = _WORD_RE.findall(text)
    if "".join(tokens) != text:  # whitespace-only text has no words
        tokens = [text] if text else []
    return ["".join(tokens[start : start + words]) for start in range(0, len(tokens), words)]


def split_chars(text: str, size: int = ARGUMENT_CHARS_PER_CHUNK) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


def _text_deltas(content: str) -> list[JSONObject]:
    deltas: list[JSONObject] = [{"role": "assistant", "content": "", "refusal": None}]
    deltas.extend({"content": piece} for piece in split_words(content))
    return deltas


def _tool_call_deltas(reply: Reply) -> list[JSONObject]:
    deltas: list[JSONObject] = []
    for index, call in enumerate(reply.tool_calls):
        header: JSONObject = {
            "index": index,
            "id": call.call_id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        delta: JSONObject = {"tool_calls": [header]}
        if index == 0:
            delta = {"role": "assistant", "content": None, "refusal": None, **delta}
        deltas.append(delta)
        deltas.extend(
            {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            for piece in split_chars(call.arguments)
        )
    return deltas


def stream_chunks(reply: Reply, header: ChunkHeader) -> list[JSONObject]:
    """All chunks of the streamed ``reply``: role, content or tool-call deltas, finish, usage if asked."""
    deltas = _tool_call_deltas(reply) if reply.tool_calls else _text_deltas(reply.content or "")
    chunks = [header.chunk(delta) for delta in deltas]
    chunks.append(header.chunk({}, reply.finish_reason))
    if header.include_usage:
        chunks.append(header.usage_chunk(reply.usage()))
    return chunks
