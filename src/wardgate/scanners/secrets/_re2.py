"""A small typed facade over ``google-re2`` (module ``re2``), which ships no type information.

RE2 runs in time linear in the input whatever the pattern (no backtracking), which is why the secrets scanner uses
it on untrusted text. Everything here works on UTF-8 ``bytes``: the caller encodes a text once and every pattern
scans the same buffer, with offsets in bytes (see :mod:`.text` for the mapping back to ``str`` indices).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

try:
    import re2  # type: ignore[import-untyped]  # google-re2 has no stubs or py.typed marker
except ImportError as exc:  # pragma: no cover - exercised only without the dependency
    raise ImportError("the secrets scanner needs google-re2: pip install 'google-re2>=1.1'") from exc

Span = tuple[int, int]
MAX_MEM = 8 << 20
"""RE2's per-pattern memory budget (its default, 8 MiB): a pattern too large for it fails to compile, loudly; a
search whose DFA cache fills falls back to RE2's NFA, which is slower but still linear and exact."""


_UNANCHORED: Any = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)


class RegexError(ValueError):
    """A pattern RE2 cannot compile (syntax, or too large for the memory budget)."""


MAX_LITERAL_CHARS = 16384
"""Bound on the total size of a keyword set. Its DFA has at most one state per keyword character (the trie), so
``SET_MAX_MEM`` always holds every state: an RE2 ``Set`` has no NFA fallback and would report no match if it ran out."""
SET_MAX_MEM = 64 << 20


def _options(*, case_sensitive: bool = True, max_mem: int = MAX_MEM) -> Any:
    options = re2.Options()
    options.max_mem = max_mem
    options.log_errors = False
    options.case_sensitive = case_sensitive
    return options


def _raw_matcher(compiled: Any) -> Any:
    """The C-level ``RE2`` object behind a compiled pattern, whose ``Match(anchor, bytes, pos, endpos)`` returns
    every group's span in one call. The public ``search`` builds a generator and a match object per call, which
    triples the cost per match on match-dense input. Falls back to the public API if the wrapper's internals move
    (google-re2 is pinned in constraints.txt; a test covers both paths)."""
    raw = getattr(compiled, "_regexp", None)
    if raw is None or _UNANCHORED is None or not hasattr(raw, "Match"):
        return None
    return raw


class Regex:
    """One compiled pattern. ``finditer`` yields, per match, the byte span of every group (0 = whole match)."""

    __slots__ = ("_groups", "_names", "_raw", "_re")

    def __init__(self, pattern: str, *, fast: bool = True) -> None:
        try:
            self._re: Any = re2.compile(pattern, _options())
        except re2.error as exc:
            raise RegexError(f"invalid pattern: {exc}") from exc
        self._groups: int = self._re.groups
        self._names: dict[str, int] = dict(self._re.groupindex)
        self._raw: Any = _raw_matcher(self._re) if fast else None

    def group_index(self, name: str) -> int | None:
        return self._names.get(name)

    def finditer(self, data: bytes, resume_group: int = 0) -> Iterator[tuple[Span, ...]]:
        """Non-overlapping matches left to right; each search resumes where ``resume_group`` ended, so a trailing
        boundary character a pattern consumed can still be the leading boundary of the next match."""
        pos = 0
        size = len(data)
        while pos <= size:
            spans = self.search(data, pos)
            if spans is None:
                return
            yield spans
            resume = spans[resume_group][1]
            pos = max(resume if resume >= 0 else spans[0][1], pos + 1)

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> tuple[Span, ...] | None:
        if self._raw is not None:
            end = len(data) if endpos is None else min(endpos, len(data))
            if pos > end:
                return None
            spans: list[Span] = self._raw.Match(_UNANCHORED, data, pos, end)
            return None if spans[0][0] < 0 else tuple(spans)
        match = self._re.search(data, pos, endpos)
        if match is None:
            return None
        return tuple(match.span(i) for i in range(self._groups + 1))


class LiteralSet:
    """Case-insensitive literal keywords found in one pass (an RE2 ``Set`` of escaped literals).

    A set of literals compiles to an automaton no larger than the keywords' trie, and the total size is bounded, so
    its DFA cannot run out of memory on any input; the constructor still checks, once, that every keyword is
    reported when present, so a budget problem fails at startup instead of silently matching nothing.
    """

    __slots__ = ("_literals", "_set")

    def __init__(self, literals: Iterable[str]) -> None:
        self._literals: tuple[str, ...] = tuple(dict.fromkeys(lit.lower() for lit in literals))
        if sum(len(literal) for literal in self._literals) > MAX_LITERAL_CHARS:
            raise RegexError(f"keywords exceed {MAX_LITERAL_CHARS} characters in total")
        self._set: Any = re2.Set.SearchSet(_options(case_sensitive=False, max_mem=SET_MAX_MEM))
        try:
            for literal in self._literals:
                self._set.Add(re2.escape(literal))
            self._set.Compile()
        except re2.error as exc:
            raise RegexError(f"keyword set does not compile: {exc}") from exc
        probe = "\n".join(self._literals).encode("utf-8")
        if self._literals and len(self.present(probe)) != len(self._literals):
            raise RegexError("keyword set self-test failed")

    def present(self, data: bytes) -> frozenset[str]:
        if not self._literals:
            return frozenset()
        indices: list[int] | None = self._set.Match(data)
        return frozenset(self._literals[i] for i in indices or ())
