"""Pass 2: NFKC, and combining marks stripped from ASCII and Latin/Greek/Cyrillic letters (zalgo, diacritics).

Only the runs matched by :func:`patterns.attention` are looked at; the text between them is NFKC-stable and copied
in one slice. A run that holds no ASCII or Latin/Greek/Cyrillic character and is already NFKC (a virama on a
Devanagari consonant, an emoji sequence) is copied as well. Everything else goes one cluster (a base character and
at most :data:`MAX_CLUSTER` - 1 marks) at a time: CPython's normalizer reorders marks in quadratic time, so long mark
sequences are cut the way Unicode's Stream-Safe Text Format (UAX #15) cuts them. Marks after a stripped base are
dropped in one regex step, so zalgo costs no more than plain text.

Invisible characters that reach this pass were judged legitimate by pass 1 and are kept verbatim.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from wardgate.scanners.canonical import patterns, tables
from wardgate.scanners.canonical.offsets import MapBuilder, OffsetMap

MAX_CLUSTER = 32
_MAX_BULK_RUN = 1024
"""Longer runs are not checked with ``is_normalized`` in one go (bounded work per call)."""


@dataclass(frozen=True, slots=True)
class Normalized:
    text: str
    offsets: OffsetMap


@dataclass(slots=True)
class _Work:
    src: str
    out: list[str] = field(default_factory=list)
    builder: MapBuilder = field(default_factory=MapBuilder)
    memo: dict[tuple[str, bool], tuple[str, bool]] = field(default_factory=dict)
    """Per call: (cluster, strip) -> folded cluster. Texts reuse few distinct clusters (fullwidth, math letters)."""

    def keep(self, start: int, end: int) -> None:
        if start < end:
            self.out.append(self.src[start:end])
            self.builder.linear(start, end - start)


def normalize(src: str) -> Normalized:
    if src.isascii():  # NFKC-stable, nothing to strip
        return Normalized(src, OffsetMap.identity(len(src)))
    work = _Work(src)
    pos = 0
    for match in patterns.attention().finditer(src):
        start, end = match.span()
        if start > pos and tables.is_extender(src[start]):
            start -= 1  # the base character the marks attach to
        if end - start <= _MAX_BULK_RUN and _already_canonical(src, start, end):
            continue  # stays inside the next slice copied by keep()
        work.keep(pos, start)
        _run(work, start, end)
        pos = end
    work.keep(pos, len(src))
    return Normalized("".join(work.out), work.builder.build())


def _already_canonical(src: str, start: int, end: int) -> bool:
    """The run is NFKC and no ASCII or Latin/Greek/Cyrillic character carries marks in it (or, when the run starts
    with a mark, just before it)."""
    lead = start - 1 if start > 0 and tables.is_extender(src[start]) else start
    if patterns.STRIP_BASES.search(src, lead, end):
        return False
    return unicodedata.is_normalized("NFKC", src[start:end])


def _run(work: _Work, start: int, end: int) -> None:
    src = work.src
    strip = start > 0 and tables.is_strip_base(src[start - 1])
    marks = patterns.nonspacing_marks()
    tail = patterns.cluster_tail(MAX_CLUSTER - 1)
    i = start
    while i < end:
        if tables.INVISIBLE.match(src, i):
            work.keep(i, i + 1)  # legitimate (pass 1 removed the rest): kept verbatim, marks after it still strip
            i += 1
            continue
        dropped = marks.match(src, i, end) if strip else None
        if dropped:
            i = dropped.end()
            continue
        extent = tail.match(src, i + 1, end)
        j = extent.end() if extent else i + 1
        strip = _cluster(work, i, j, strip)
        i = j


def _cluster(work: _Work, start: int, end: int, strip: bool) -> bool:
    """Emit one base character with its marks; return whether marks after it are stripped."""
    piece = work.src[start:end]
    folded = work.memo.get((piece, strip))
    if folded is None:
        folded = work.memo[(piece, strip)] = fold_cluster(piece, strip)
    text = folded[0]
    if text == piece:
        work.keep(start, end)
    elif text:
        work.out.append(text)
        work.builder.block(start, end, len(text))
    return folded[1]


def fold_cluster(piece: str, strip: bool) -> tuple[str, bool]:
    """NFKC, then drop nonspacing marks that sit on an ASCII character or a Latin/Greek/Cyrillic letter."""
    text = unicodedata.normalize("NFKC", piece)
    if text.isascii():
        return text, True if text else strip
    kept: list[str] = []
    dropped = False
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.category(ch) == "Mn":
            if strip:
                dropped = True
                continue
        else:
            strip = tables.is_strip_base(ch)
        kept.append(ch)
    return (unicodedata.normalize("NFC", "".join(kept)) if dropped else text), strip
