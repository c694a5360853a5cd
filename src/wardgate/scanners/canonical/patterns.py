"""Regexes built once, lazily, from :mod:`unicodedata` and the facts in :mod:`tables`.

Building them scans about 90,000 code points (tens of milliseconds), so it happens on the first non-ASCII text, not
at import. Every pattern starts with one character class, which lets the regex engine skip ahead in C; every repeat
is possessive, so nothing backtracks.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from wardgate.scanners.canonical import tables

STRIP_BASES = re.compile("[\\x00-\\x7f" + tables.ranges_class(tables.LGC) + "]")
"""Characters whose combining marks are stripped (a superset: any Latin/Greek/Cyrillic code point)."""

# Big blocks of NFKC-stable letters with nothing to strip: skipped when the attention table is built.
_STABLE = tables.bounds((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA000, 0xA48F), (0xAC00, 0xD7A3), (0xD800, 0xF8FF))
_SUPPLEMENTARY_SCAN = (range(0x10000, 0x20000), range(0x2F800, 0x2FA20), range(0xE0000, 0xE0200))
_SUPPLEMENTARY_GAP = 0x400
"""Supplementary attention characters are grouped into a few coarse ranges (gaps up to this size are bridged):
a character class with hundreds of astral ranges makes Python's regex engine many times slower on every text."""


def _class(cps: list[int]) -> str:
    """A regex character class body for sorted code points, as ranges."""
    parts: list[str] = []
    for lo, hi in _runs(cps, 1):
        parts.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
    return "".join(parts)


def _runs(cps: list[int], gap: int) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for cp in cps:
        if runs and cp - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    return runs


def _composing_seconds() -> set[int]:
    """Second characters of canonical pairs that NFC recomposes (the ``NFC_Quick_Check=Maybe`` characters)."""
    seconds: set[int] = set()
    for cp in range(0x00C0, 0x10000):
        ch = chr(cp)
        parts = unicodedata.decomposition(ch).split()
        if len(parts) == 2 and not parts[0].startswith("<") and unicodedata.normalize("NFC", ch) == ch:
            seconds.add(int(parts[1], 16))
    return seconds


def _needs_attention(cp: int, seconds: set[int]) -> bool:
    ch = chr(cp)
    if tables.INVISIBLE.match(ch):
        return False  # pass 1 removed the illegitimate ones; the rest pass through untouched
    if cp in seconds or 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:
        return True
    if unicodedata.normalize("NFKC", ch) != ch:
        return True
    if tables.inside(cp, tables.LGC) and unicodedata.normalize("NFD", ch) != ch:
        return True
    category = unicodedata.category(ch)
    if category == "Cn" or category[0] != "M":
        return False
    return unicodedata.combining(ch) != 0 or tables.inside(cp, tables.DIACRITIC_BLOCKS) or cp > 0xFFFF


@functools.cache
def attention() -> re.Pattern[str]:
    """Runs of characters that canonicalization may change; everything between runs is copied as is.

    *Core* characters always count: NFKC changes them, they compose with what precedes them, they are Latin/Greek/
    Cyrillic letters with diacritics, or combining diacritics. Invisible characters never count: the ones that reach
    this pass are legitimate and pass through untouched. *Script marks* (ccc 0, NFKC-stable, never composing: most
    Indic vowel signs) count only after an ASCII or Latin/Greek/Cyrillic character, where they would be zalgo. The
    continuation is looser than the start (a script mark after a core character joins the run); that only costs time.
    """
    seconds = _composing_seconds()
    core: list[int] = []
    script_marks: list[int] = []
    for cp in range(0x80, 0x10000):
        if tables.inside(cp, _STABLE):
            continue
        if _needs_attention(cp, seconds):
            core.append(cp)
        elif unicodedata.category(chr(cp))[0] == "M" and not tables.INVISIBLE.match(chr(cp)):
            script_marks.append(cp)
    astral = [cp for scan in _SUPPLEMENTARY_SCAN for cp in scan if _needs_attention(cp, seconds)]
    astral_class = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _runs(astral, _SUPPLEMENTARY_GAP))
    core_class, marks_class = _class(core) + astral_class, _class(script_marks)
    strip_bases = "\\x00-\\x7f" + tables.ranges_class(tables.LGC) + core_class
    candidates = core_class + marks_class
    return re.compile(f"[{candidates}](?<![^{strip_bases}][{marks_class}])[{candidates}]*+")


@functools.cache
def nonspacing_marks() -> re.Pattern[str]:
    """A run of nonspacing marks (variation selectors excluded): dropped in one step after a stripped base."""
    marks = [cp for cp in range(0x0300, 0x10000) if unicodedata.category(chr(cp)) == "Mn"]
    marks = [cp for cp in marks if not tables.INVISIBLE.match(chr(cp))]
    return re.compile(f"[{_class(marks)}]++")


@functools.cache
def cluster_tail(limit: int) -> re.Pattern[str]:
    """Up to ``limit`` characters that attach to a base: combining marks and Hangul medial/final jamo (never an
    invisible character, which pass 1 has judged and which stays put)."""
    marks = [
        cp
        for scan in (range(0x0300, 0x10000), *_SUPPLEMENTARY_SCAN)
        for cp in scan
        if unicodedata.category(chr(cp))[0] == "M" and not tables.INVISIBLE.match(chr(cp))
    ]
    jamo = "\\u1160-\\u11ff\\ud7b0-\\ud7ff"
    return re.compile(f"[{_class(marks)}{jamo}]{{0,{limit}}}+")


@functools.cache
def invisible_runs() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Per finding kind, runs of invisible characters that are *not* legitimate in their context.

    Legitimate, and so never matched: ZWJ between emoji; ZWJ/ZWNJ between letters of a joining script; LRM, RLM and
    ALM next to right-to-left text; a lone VS15/VS16 after an emoji, a digit, ``#`` or ``*``, or before the keycap
    mark; a lone ideographic variation selector after a CJK ideograph. (Flag tag sequences are checked by the caller.)
    """
    emoji = tables.ranges_class(tables.EMOJI)
    joining = _class(
        [
            cp
            for i in range(0, len(tables.JOINING_SCRIPTS), 2)
            for cp in range(tables.JOINING_SCRIPTS[i], tables.JOINING_SCRIPTS[i + 1])
            if unicodedata.category(chr(cp))[0] in "LM"
        ]
    )
    rtl, cjk = tables.ranges_class(tables.RTL), tables.ranges_class(tables.CJK)
    zero_width = (  # only ZWNJ, ZWJ, LRM and RLM can be legitimate: the first lookbehind rules the rest out fast
        f"[{tables.ZERO_WIDTH_CLASS}](?!(?<=[\\u200c-\\u200f])(?:"
        f"(?<=[{emoji}]\\u200d)(?=[{emoji}])"
        f"|(?<=[{joining}][\\u200c\\u200d])(?=[{joining}])"
        f"|(?<=[{rtl}][\\u200e\\u200f])|(?<=[\\u200e\\u200f])(?=[{rtl}])))"
    )
    bidi = f"[{tables.BIDI_CLASS}](?!(?<=[{rtl}]\\u061c))(?!(?<=\\u061c)(?=[{rtl}]))"
    variation = (
        f"[{tables.VARIATION_CLASS}](?:[{tables.VARIATION_CLASS}]++"
        f"|(?!(?<=[{emoji}0-9#*][\\ufe0e\\ufe0f]))(?!(?<=[\\ufe0e\\ufe0f])(?=\\u20e3))"
        f"(?!(?<=[{cjk}][\\U000e0100-\\U000e01ef])))"
    )
    return (
        (tables.ZERO_WIDTH, re.compile(f"{zero_width}(?:{zero_width})*+")),
        (tables.BIDI_CONTROL, re.compile(f"{bidi}(?:{bidi})*+")),
        (tables.VARIATION_SELECTOR, re.compile(variation)),
        (tables.TAG_CHARS, re.compile(f"[{tables.TAG_CLASS}]++")),
    )
