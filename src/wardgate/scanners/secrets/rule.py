"""One provider rule as data: an RE2 pattern, the literal keywords that gate it, and how much to trust a match."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PATTERN_CHARS = 512
MAX_KEYWORDS = 16
MAX_KEYWORD_CHARS = 64
MAX_EXTRA_RULES = 256
SPAN_GROUP = "secret"
"""A pattern may capture the secret itself in ``(?P<secret>...)``; the finding's span is that group, else the whole
match. Built-in rules use it to leave out boundary characters and context such as ``aws_secret_access_key =``."""

_ID = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")


@dataclass(frozen=True, slots=True)
class Rule:
    """A secret format. ``id`` becomes the finding kind ``secret.<id>``.

    ``keywords`` are lowercase literals, at least one of which appears (case-insensitively) in any text the pattern
    can match; the rule is skipped when none is present. An empty tuple runs the rule on every text (allowed only
    for built-in rules). ``min_entropy`` is the Shannon entropy in bits per character the matched secret needs.
    """

    id: str
    pattern: str
    keywords: tuple[str, ...]
    min_entropy: float = 0.0
    score: float = 0.9
    family: str = "custom"

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"rule id {self.id!r} must match {_ID.pattern}")
        if not 0 < len(self.pattern) <= MAX_PATTERN_CHARS:
            raise ValueError(f"rule {self.id}: pattern must be 1..{MAX_PATTERN_CHARS} characters")
        if len(self.keywords) > MAX_KEYWORDS:
            raise ValueError(f"rule {self.id}: at most {MAX_KEYWORDS} keywords")
        for keyword in self.keywords:
            if not 2 <= len(keyword) <= MAX_KEYWORD_CHARS or keyword != keyword.lower():
                raise ValueError(f"rule {self.id}: keywords must be lowercase, 2..{MAX_KEYWORD_CHARS} characters")
        if not 0.0 <= self.min_entropy <= 8.0:
            raise ValueError(f"rule {self.id}: min_entropy must be in [0, 8]")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"rule {self.id}: score must be in [0, 1]")

    @property
    def kind(self) -> str:
        return f"secret.{self.id}"


END = r"(?:[^0-9A-Za-z_\-]|$)"
"""The token ends here: not followed by another token character (consumed, so spans use the ``secret`` group)."""
END_B64 = r"(?:[^0-9A-Za-z_\-+/=]|$)"
ASSIGN = r"""[A-Za-z0-9_.\-]{0,24}["']?\s{0,8}(?::=|=>|=|:)\s{0,8}["']?"""
"""The rest of a key name, an optional closing quote, ``=``/``:``/``:=``/``=>``, an optional opening quote."""


def token(
    rule_id: str,
    body: str,
    keywords: tuple[str, ...],
    *,
    family: str,
    score: float = 0.95,
    min_entropy: float = 3.0,
    end: str = END,
) -> Rule:
    """A self-identifying token (``ghp_...``): starts at a word boundary, spans exactly ``body``."""
    return Rule(rule_id, rf"\b(?P<{SPAN_GROUP}>{body}){end}", keywords, min_entropy, score, family)


def assigned(
    rule_id: str,
    key: str,
    value: str,
    keywords: tuple[str, ...],
    *,
    family: str,
    score: float = 0.85,
    min_entropy: float = 3.0,
    end: str = END,
) -> Rule:
    """A value without a distinctive prefix, recognised by the name it is assigned to (``datadog_api_key = ...``);
    ``key`` matches case-insensitively, the span is the value only."""
    pattern = rf"(?i:{key}){ASSIGN}(?P<{SPAN_GROUP}>{value}){end}"
    return Rule(rule_id, pattern, keywords, min_entropy, score, family)
