"""The recognizer contract and the one generic recognizer most entity families are built from.

A recognizer finds spans of one or more entity types (Presidio's names: ``EMAIL_ADDRESS``, ``US_SSN`` …) and scores
them in ``[0, 1]``. Most families are a :class:`PatternRecognizer`: a precompiled, linear-time candidate regex per
:class:`Rule`, a ``check`` that validates a candidate (checksums come from ``python-stdnum``) and returns a
:class:`Verdict`, and :class:`ContextWords` that raise the score when a telling word sits nearby.

Written by hand here (no library does it in this shape): the context-word window and the rule/verdict plumbing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from wardgate.scanners.base import Finding

# A word counts as context when neither side touches a letter or digit ("client_ip" counts for "ip").
_WORD_LEFT = r"(?<![^\W_])"
_WORD_RIGHT = r"(?![^\W_])"


class Recognizer(Protocol):
    """Finds one family of PII. ``find`` yields findings whose ``kind`` is ``pii.<ENTITY>``."""

    @property
    def name(self) -> str: ...

    @property
    def entities(self) -> frozenset[str]: ...

    @property
    def install_hint(self) -> str:
        """What to install when :meth:`available` is false; empty for built-in recognizers."""
        ...

    def available(self) -> bool: ...

    def find(self, text: str) -> Iterator[Finding]: ...


@dataclass(frozen=True, slots=True)
class ContextWords:
    """Words that, found within ``before`` characters ahead of a span (or ``after`` behind it), add ``boost``."""

    pattern: re.Pattern[str] | None
    boost: float = 0.1
    before: int = 48
    after: int = 24

    @classmethod
    def of(cls, *words: str, boost: float = 0.1, before: int = 48, after: int = 24) -> ContextWords:
        """Compile ``words`` (case-insensitive, whole words; a space inside a word matches spaces, ``_`` or ``-``)."""
        alternatives = "|".join(r"[\s_-]{1,3}".join(map(re.escape, word.split())) for word in words)
        pattern = re.compile(f"{_WORD_LEFT}(?:{alternatives}){_WORD_RIGHT}", re.IGNORECASE) if words else None
        return cls(pattern, boost, before, after)

    def near(self, text: str, start: int, end: int) -> bool:
        if self.pattern is None:
            return False
        if self.pattern.search(text, max(0, start - self.before), start):
            return True
        return self.pattern.search(text, end, end + self.after) is not None

    def around(self, text: str, start: int, end: int) -> bool:
        """Like :meth:`near`, but a word inside ``[start, end)`` counts too (for windows holding candidates)."""
        lo, hi = max(0, start - self.before), min(len(text), end + self.after)
        return self.pattern is not None and self.pattern.search(text, lo, hi) is not None

    def last_before(self, text: str, start: int) -> int:
        """Where the last word ending before ``start`` (within ``before`` characters) ends; -1 when none."""
        last = -1
        if self.pattern is not None:
            for match in self.pattern.finditer(text, max(0, start - self.before), start):
                last = match.end()
        return last

    def score(self, base: float, text: str, start: int, end: int) -> float:
        """``base`` plus the boost when context is near, capped at 1.0."""
        return round(min(1.0, base + self.boost), 4) if self.near(text, start, end) else base


NO_CONTEXT = ContextWords(None, 0.0)


@dataclass(frozen=True, slots=True)
class Verdict:
    """A validated candidate: its length (a prefix of the regex match, at most all of it) and its base score."""

    length: int
    score: float


Check = Callable[[str], Verdict | None]
"""Validates one candidate string; ``None`` rejects it."""


def whole(predicate: Callable[[str], bool], score: float) -> Check:
    """A check that accepts the whole candidate with ``score`` when ``predicate`` holds."""

    def check(candidate: str) -> Verdict | None:
        return Verdict(len(candidate), score) if predicate(candidate) else None

    return check


@dataclass(frozen=True, slots=True)
class Rule:
    """One candidate shape of one entity: a linear-time regex, a validator, and the context that boosts it."""

    entity: str
    pattern: re.Pattern[str]
    check: Check
    context: ContextWords = NO_CONTEXT
    veto: ContextWords = NO_CONTEXT
    """Words just before a candidate that drop it ("version 1.2.3.4", "order 123456789") unless a ``context``
    word stands closer to it."""

    def vetoed(self, text: str, start: int) -> bool:
        vetoed_at = self.veto.last_before(text, start)
        return vetoed_at >= 0 and self.context.last_before(text, start) < vetoed_at


class PatternRecognizer:
    """Runs each :class:`Rule` over the text: candidates from the regex, kept when ``check`` accepts them."""

    def __init__(self, name: str, rules: tuple[Rule, ...]) -> None:
        self.name = name
        self.rules = rules
        self.entities = frozenset(rule.entity for rule in rules)
        self.install_hint = ""

    def available(self) -> bool:
        return True

    def find(self, text: str) -> Iterator[Finding]:
        for rule in self.rules:
            kind = f"pii.{rule.entity}"
            for match in rule.pattern.finditer(text):
                verdict = rule.check(match.group())
                if verdict is None or verdict.length <= 0:
                    continue
                start, end = match.start(), match.start() + verdict.length
                if rule.vetoed(text, start):
                    continue
                yield Finding(kind, start, end, rule.context.score(verdict.score, text, start, end))


def digits_of(candidate: str) -> str:
    """The ASCII digits of ``candidate``, separators dropped."""
    return "".join(ch for ch in candidate if "0" <= ch <= "9")


# Candidate boundaries shared by the numeric families: not glued to a letter, digit or another separator run.
NUM_LEFT = r"(?<![0-9A-Za-z])(?<![0-9A-Za-z][.,/-])"
NUM_RIGHT = r"(?![0-9A-Za-z])(?![.,/-][0-9A-Za-z])"
