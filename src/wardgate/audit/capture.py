"""``ContentCapture``: the prompt and answer text of one request, collected for its audit record.

Created per request only when the audit log captures content (``audit.capture`` is ``redacted`` or ``encrypted``);
lives on the request context and dies with it. Collects the request's texts as they arrived (role and text) and
the answer as it left for the client (message content, refusals and tool-call arguments; streamed deltas are joined
per choice). Bounded: past ``limit_chars`` in all, further text is counted but not kept.
"""

from __future__ import annotations

import json
from typing import Any

from wardgate.guardrails.texts import Located
from wardgate.types import JSONObject


class ContentCapture:
    __slots__ = ("_answers", "_kept", "_prompt", "_tools", "dropped_chars", "limit_chars")

    def __init__(self, limit_chars: int = 1_000_000) -> None:
        self.limit_chars = limit_chars
        self.dropped_chars = 0
        self._kept = 0
        self._prompt: list[JSONObject] = []
        self._answers: dict[int, list[str]] = {}
        self._tools: dict[tuple[int, int], list[str]] = {}

    def _keep(self, text: str) -> str | None:
        if self._kept + len(text) > self.limit_chars:
            self.dropped_chars += len(text)
            return None
        self._kept += len(text)
        return text

    def prompt(self, texts: list[Located]) -> None:
        for located in texts:
            text = self._keep(located.text)
            if text is not None:
                self._prompt.append({"role": located.role, "text": text})

    def embedding_input(self, value: Any) -> None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str):
                text = self._keep(item)
                if text is not None:
                    self._prompt.append({"role": "input", "text": text})

    def answer_body(self, body: JSONObject) -> None:
        """A non-streamed chat answer, as sent to the client."""
        choices = body.get("choices")
        for index, choice in enumerate(choices if isinstance(choices, list) else []):
            message = choice.get("message") if isinstance(choice, dict) else None
            if isinstance(message, dict):
                self._message_part(index, message)

    def stream_payload(self, payload: bytes) -> None:
        """One data payload of a streamed answer, as sent to the client."""
        try:
            chunk = json.loads(payload)
        except ValueError:
            return
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        for position, choice in enumerate(choices if isinstance(choices, list) else []):
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", position)
            delta = choice.get("delta")
            if isinstance(delta, dict):
                self._message_part(index if isinstance(index, int) else position, delta)

    def _message_part(self, index: int, part: dict[str, Any]) -> None:
        for field in ("content", "refusal"):
            value = part.get(field)
            if isinstance(value, str) and value:
                kept = self._keep(value)
                if kept is not None:
                    self._answers.setdefault(index, []).append(kept)
        calls = part.get("tool_calls")
        for position, call in enumerate(calls if isinstance(calls, list) else []):
            function = call.get("function") if isinstance(call, dict) else None
            arguments = function.get("arguments") if isinstance(function, dict) else None
            if isinstance(arguments, str) and arguments:
                slot = call.get("index", position) if isinstance(call, dict) else position
                kept = self._keep(arguments)
                if kept is not None:
                    self._tools.setdefault((index, slot if isinstance(slot, int) else position), []).append(kept)

    def content(self) -> JSONObject:
        answers: list[JSONObject] = [
            {"choice": i, "text": "".join(parts)} for i, parts in sorted(self._answers.items())
        ]
        tools: list[JSONObject] = [
            {"choice": i, "call": k, "arguments": "".join(parts)} for (i, k), parts in sorted(self._tools.items())
        ]
        out: JSONObject = {"prompt": self._prompt, "answer": answers, "tool_calls": tools}
        if self.dropped_chars:
            out["dropped_chars"] = self.dropped_chars
        return out
