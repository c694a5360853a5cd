"""Pass 1: remove invisible characters (zero-width, bidi controls, variation selectors, tag characters).

Invisible characters are removed and reported unless they are part of ordinary writing (see
:func:`patterns.invisible_runs`): those are kept, so emoji sequences, Persian ZWNJ and Hebrew RLM stay intact. A
byte-order mark at the very start is file encoding and is dropped silently.

Text hidden in the removed characters is decoded: Unicode tag characters U+E0020-U+E007E spell ASCII, and runs of
variation selectors can carry bytes (VS1-16 = 0-15, VS17-256 = 16-255, the "emoji smuggling" trick). All such text in
one source becomes one hidden payload, so a message split across several runs is still read whole.

Everything here runs as regex scans plus one step per removed run, so a text salted with a zero-width character
after every letter stays linear and cheap. At most :data:`MAX_FINDINGS_PER_KIND` findings are kept per kind; the
last one then covers every later run of that kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wardgate.scanners.base import Finding
from wardgate.scanners.canonical import patterns, tables
from wardgate.scanners.canonical.offsets import OffsetMap

MAX_FINDINGS_PER_KIND = 64
_FLAG_TAGS = re.compile("[\U000e0020-\U000e007e]{1,7}\U000e007f")
_TAG_TO_ASCII = {
    cp: (chr(cp - tables.TAG_FIRST) if 0xE0020 <= cp <= 0xE007E else None) for cp in range(0xE0000, 0xE0080)
}
_SELECTOR_TO_BYTE = {0xFE00 + i: chr(i) for i in range(16)} | {0xE0100 + i: chr(16 + i) for i in range(240)}
_MIN_SELECTOR_BYTES = 4


@dataclass(frozen=True, slots=True)
class Hidden:
    """Text smuggled in invisible characters; the span covers the runs it was decoded from, in the source."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Stripped:
    text: str
    offsets: OffsetMap
    findings: tuple[Finding, ...]
    hidden: tuple[Hidden, ...]


def strip_invisible(src: str) -> Stripped:
    if src.isascii():
        return Stripped(src, OffsetMap.identity(len(src)), (), ())
    start = 1 if src.startswith("\ufeff") else 0
    removed: list[list[tuple[int, int]]] = [[(0, 1)]] if start else []
    findings: list[Finding] = []
    hidden: list[Hidden] = []
    for kind, pattern in patterns.invisible_runs():
        spans = [match.span() for match in pattern.finditer(src, start)]
        if kind == tables.TAG_CHARS:
            spans = [(s, e) for s, e in spans if not _is_flag(src, s, e)]
        if not spans:
            continue
        removed.append(spans)
        findings += _findings(kind, spans)
        text = _hidden_text(src, kind, spans)
        if text:
            hidden.append(Hidden(text, spans[0][0], spans[-1][1]))
    if not removed:
        return Stripped(src, OffsetMap.identity(len(src)), (), ())
    merged = removed[0] if len(removed) == 1 else sorted(span for spans in removed for span in spans)
    return Stripped(*_remove(src, merged), tuple(findings), tuple(hidden))


def _is_flag(src: str, start: int, end: int) -> bool:
    """A subdivision flag such as England's: U+1F3F4, tag letters, CANCEL TAG. Legitimate emoji."""
    return start > 0 and src[start - 1] == tables.BLACK_FLAG and _FLAG_TAGS.fullmatch(src, start, end) is not None


def _findings(kind: str, spans: list[tuple[int, int]]) -> list[Finding]:
    if len(spans) > MAX_FINDINGS_PER_KIND:
        rest = (spans[MAX_FINDINGS_PER_KIND - 1][0], spans[-1][1])
        spans = [*spans[: MAX_FINDINGS_PER_KIND - 1], rest]
    return [Finding(kind, start, end, 1.0) for start, end in spans]


def _hidden_text(src: str, kind: str, spans: list[tuple[int, int]]) -> str | None:
    if kind == tables.TAG_CHARS:
        return "".join(src[s:e] for s, e in spans).translate(_TAG_TO_ASCII) or None
    if kind != tables.VARIATION_SELECTOR:
        return None
    runs = "".join(src[s:e] for s, e in spans if e - s >= _MIN_SELECTOR_BYTES)
    if not runs:
        return None
    try:
        text = runs.translate(_SELECTOR_TO_BYTE).encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    return text if text.isprintable() else None


def _remove(src: str, removed: list[tuple[int, int]]) -> tuple[str, OffsetMap]:
    """``src`` without the sorted, disjoint spans ``removed``; built in bulk (one removal per letter is an attack)."""
    starts = [0, *(end for _, end in removed)]
    ends = [*(start for start, _ in removed), len(src)]
    kept = [(start, end) for start, end in zip(starts, ends, strict=True) if start < end]
    return "".join([src[start:end] for start, end in kept]), OffsetMap.from_kept(kept)
