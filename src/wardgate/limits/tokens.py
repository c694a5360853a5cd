"""Offline token estimates, taken before the upstream call and corrected from its ``usage`` afterwards.

No tokenizer is downloaded: for BPE tokenizers of the GPT family English text averages about four UTF-8 bytes per
token, which is close enough to admit or refuse a request; the real count replaces it once the upstream answers.
"""

from __future__ import annotations

import json
import math
from typing import Any

_PER_MESSAGE = 4
_PER_REQUEST = 3
_PER_IMAGE = 85


def estimate_text(text: str) -> int:
    if not text:
        return 0
    return math.ceil(len(text.encode("utf-8", "surrogatepass")) / 4)


def _content_tokens(content: Any) -> int:
    if isinstance(content, str):
        return estimate_text(content)
    if isinstance(content, list):
        total = 0
        for part in content:
            if isinstance(part, dict):
                if part.get("type") == "text" and isinstance(part.get("text"), str):
                    total += estimate_text(part["text"])
                elif part.get("type") in ("image_url", "input_image"):
                    total += _PER_IMAGE
                else:
                    total += estimate_text(json.dumps(part))
        return total
    return 0


def estimate_chat(body: dict[str, Any]) -> int:
    total = _PER_REQUEST
    for message in body.get("messages", ()):
        if not isinstance(message, dict):
            continue
        total += _PER_MESSAGE + _content_tokens(message.get("content"))
        if "tool_calls" in message:
            total += estimate_text(json.dumps(message["tool_calls"]))
    if "tools" in body:
        total += estimate_text(json.dumps(body["tools"]))
    return total


def estimate_embedding_input(value: Any) -> int:
    if isinstance(value, str):
        return estimate_text(value)
    if isinstance(value, list):
        if all(isinstance(item, int) for item in value):
            return len(value)
        return sum(estimate_embedding_input(item) for item in value)
    return 0
