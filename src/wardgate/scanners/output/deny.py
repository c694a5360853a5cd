"""Deny-list guard: words and regular expressions the answer must not contain. Score 1.0.

``deny.word``
    Whole-word, case-insensitive, Unicode-aware: a match may not touch a letter, digit or underscore on either side
    (so ``c++`` and ``@admin`` work, and ``ass`` does not fire inside ``classic`` or ``straße`` inside ``straßen``).
    Whitespace inside a phrase matches any run of whitespace. Words compile into a prefix-trie regex. Words in
    scripts written without spaces (Chinese, Japanese, Thai …) match anywhere, as they have no word boundaries.
``deny.pattern``
    User regular expressions. When ``google-re2`` is installed they run on RE2 (linear time); otherwise on Python's
    ``re`` after a static check refuses nested quantifiers such as ``(a+)+``. Either way a pattern must compile under
    Python's ``re`` and may not use backreferences, lookaround, atomic groups or possessive quantifiers, or match the
    empty string. The engines still differ at the edges: nested quantifiers are refused only without RE2, Python-only
    syntax (``\\Z``, ``(?x)``, repeats over 1000) only with it, and under RE2 ``\\w``, ``\\d`` and ``\\b`` are ASCII.
    Install ``google-re2`` on every host for a policy to load and match the same way everywhere.

Compiled forms are cached per distinct tuple of words/patterns (a small LRU). Call :func:`compile_patterns` and
:func:`compile_words` when loading a policy to fail at startup rather than on the first answer.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Iterable, Iterator
from functools import lru_cache
from types import ModuleType
from typing import Any, Literal, Protocol

from wardgate.scanners.base import Finding
from wardgate.scanners.output.context import AnswerContext
from wardgate.scanners.output.regex_safety import unsafe_reason

WORD = "deny.word"
PATTERN = "deny.pattern"

MAX_PATTERNS = 100
MAX_PATTERN_CHARS = 512
MAX_WORDS = 1000
MAX_WORD_CHARS = 128
MAX_SPANS = 1000
"""Findings per kind and answer; matches past this are folded into the last finding (which over-covers)."""

Engine = Literal["auto", "re2", "re"]

_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class _Match(Protocol):
    def start(self) -> int: ...
    def end(self) -> int: ...


class Matcher(Protocol):
    """A compiled pattern: ``re.Pattern`` or an RE2 regexp (offsets are ``str`` indices for both)."""

    def finditer(self, string: str, /) -> Iterator[_Match]: ...


def deny_findings(text: str, actx: AnswerContext) -> list[Finding]:
    findings: list[Finding] = []
    if actx.deny_words:
        findings += _spans(WORD, compile_words(actx.deny_words), text)
    if actx.deny_patterns:
        findings += _spans(PATTERN, compile_patterns(actx.deny_patterns), text)
    return findings


def _spans(kind: str, matchers: Iterable[Matcher], text: str) -> list[Finding]:
    spans = sorted((m.start(), m.end()) for matcher in matchers for m in matcher.finditer(text) if m.end() > m.start())
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or len(merged) >= MAX_SPANS):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [Finding(kind, start, end, 1.0) for start, end in merged]


# --- words --------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def compile_words(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Regexes for all deny words (none when there are none). Raises ``ValueError`` past the bounds.

    Words in scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) match anywhere, since
    they have no word boundaries; all other words match whole.
    """
    if len(words) > MAX_WORDS:
        raise ValueError(f"at most {MAX_WORDS} deny words are allowed")
    spaced: dict[str, Any] = {}
    unspaced: dict[str, Any] = {}
    for number, word in enumerate(words, 1):
        if not isinstance(word, str) or not word.strip() or len(word) > MAX_WORD_CHARS:
            raise ValueError(f"deny word #{number} must be 1 to {MAX_WORD_CHARS} characters of text")
        node = unspaced if _UNSPACED.search(word) else spaced
        for part in _word_tokens(word.strip()):
            node = node.setdefault(part, {})
        node[""] = {}
    compiled = []
    if spaced:
        compiled.append(re.compile(r"(?<!\w)" + _trie_regex(spaced) + r"(?!\w)", re.IGNORECASE))
    if unspaced:
        compiled.append(re.compile(_trie_regex(unspaced), re.IGNORECASE))
    return tuple(compiled)


def _word_tokens(word: str) -> Iterator[str]:
    """Characters of a deny word, lower-cased one by one; a whitespace run becomes one ``" "`` token."""
    previous_space = False
    for char in word:
        if char.isspace():
            if not previous_space:
                yield " "
            previous_space = True
            continue
        previous_space = False
        lower = char.lower()
        yield lower if len(lower) == 1 else char


def _trie_regex(node: dict[str, Any]) -> str:
    """A regex matching the words of a trie; shared prefixes are written once, so matching stays cheap."""
    branches: list[str] = []
    for part in sorted(key for key in node if key):
        piece = r"\s+" if part == " " else re.escape(part)
        child = node[part]
        while len(child) == 1 and "" not in child:  # an unbranched chain: no group needed
            (part,) = child
            piece += r"\s+" if part == " " else re.escape(part)
            child = child[part]
        branches.append(piece + (_trie_regex(child) if any(child) else ""))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


# --- patterns -----------------------------------------------------------------------------------------------------


def compile_patterns(patterns: tuple[str, ...], engine: Engine = "auto") -> tuple[Matcher, ...]:
    """Compile user deny patterns once per distinct tuple; ``ValueError`` names the refused pattern by number."""
    if engine == "auto":
        engine = "re2" if _re2() is not None else "re"
    return _compile_patterns(patterns, engine)


@lru_cache(maxsize=32)
def _compile_patterns(patterns: tuple[str, ...], engine: Literal["re2", "re"]) -> tuple[Matcher, ...]:
    if len(patterns) > MAX_PATTERNS:
        raise ValueError(f"at most {MAX_PATTERNS} deny patterns are allowed")
    re2 = _re2() if engine == "re2" else None
    if engine == "re2" and re2 is None:
        raise ValueError("the RE2 engine was requested but google-re2 is not installed (pip install google-re2)")
    return tuple(_compile_one(number, pattern, re2) for number, pattern in enumerate(patterns, 1))


def _compile_one(number: int, pattern: str, re2: ModuleType | None) -> Matcher:
    if not isinstance(pattern, str) or not pattern or len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"deny pattern #{number} must be 1 to {MAX_PATTERN_CHARS} characters")
    reason = unsafe_reason(pattern, nested=re2 is None)
    if reason is not None:
        raise ValueError(f"deny pattern #{number} is refused: {reason} can make matching take exponential time")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compiled = re.compile(pattern)
    except (re.error, Warning, RecursionError, OverflowError) as exc:
        raise ValueError(f"deny pattern #{number} is not a valid regular expression") from exc
    if compiled.search("") is not None:
        raise ValueError(f"deny pattern #{number} matches the empty string")
    if re2 is None:
        return compiled
    options = re2.Options()
    options.log_errors = False
    try:
        matcher: Matcher = re2.compile(pattern, options)
    except re2.error as exc:
        raise ValueError(f"deny pattern #{number} is not supported by the RE2 engine") from exc
    return matcher


@lru_cache(maxsize=1)
def _re2() -> ModuleType | None:
    try:
        return importlib.import_module("re2")
    except ImportError:
        return None
