"""What the output guards know about the request an answer belongs to. One per request; never shared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MIN_CANARY_CHARS = 8


@dataclass(frozen=True, slots=True)
class AnswerContext:
    system_prompts: tuple[str, ...] = ()
    """The system/developer messages of the request."""
    canary: str | None = None
    """A per-request canary token the gateway placed in the system prompt (see ``new_canary``)."""
    schema: Mapping[str, Any] | None = None
    """JSON schema from ``response_format {"type": "json_schema", "json_schema": {"schema": ...}}``."""
    json_object: bool = False
    """``response_format {"type": "json_object"}``: the answer must be a JSON object."""
    allowed_domains: tuple[str, ...] = ()
    """Link/image hosts left alone: case-insensitive suffix match on a dot boundary."""
    deny_words: tuple[str, ...] = ()
    deny_patterns: tuple[str, ...] = ()
    """Regular expressions, at most 100 of at most 512 characters each."""

    def __post_init__(self) -> None:
        if self.canary is not None and (len(self.canary.strip()) < MIN_CANARY_CHARS or not self.canary.isprintable()):
            raise ValueError(f"a canary must be a single-line token of at least {MIN_CANARY_CHARS} characters")
