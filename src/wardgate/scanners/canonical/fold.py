"""Word-level canonicalization: join de-spaced letters, fold Greek/Cyrillic look-alikes inside Latin words."""

from __future__ import annotations

import re

from wardgate.scanners.canonical import tables
from wardgate.scanners.canonical.offsets import MapBuilder, OffsetMap

# Four or more single letters, each separated by exactly one space or punctuation character: "i g n o r e",
# "i.g.n.o.r.e", "i-g-n-o-r-e". Letters and separators are one character each, so the letters sit at even offsets.
_LETTER = r"[^\W\d_]"
_WORD_CHAR = r"[^\W_]"
_SEPARATOR = r"[ .\-_,*|/:;~+'\"`^=]"
DESPACED = re.compile(rf"(?<!{_WORD_CHAR}){_LETTER}(?:{_SEPARATOR}{_LETTER}(?!{_WORD_CHAR})){{3,}}")
# Letters 2 and 3 of any such run have a separator on both sides. Starting with a character class lets the regex
# engine skip ahead fast, so ordinary text costs one quick scan and the full pattern runs only when this hits.
_DESPACED_HINT = re.compile(f"{_SEPARATOR}{_LETTER}{_SEPARATOR}{_LETTER}{_SEPARATOR}")
_LETTERS = re.compile(_LETTER + "*+")
# A letter that is neither Latin nor a listed look-alike: its word is ordinary Greek/Cyrillic (or other) text.
_FOREIGN_LETTER = re.compile(f"[^\\W\\d_{tables.LATIN_CLASS}{tables.CONFUSABLE_CLASS}]")


def despace(text: str, offsets: OffsetMap) -> tuple[str, OffsetMap, list[tuple[int, int]]]:
    """Join de-spaced runs; return the new text, its map (composed with ``offsets``) and the runs' spans in ``text``."""
    runs = _despaced_runs(text)
    if not runs:
        return text, offsets, []
    builder = MapBuilder()
    parts: list[str] = []
    pos = 0
    for start, end in runs:
        parts.append(text[pos:start])
        offsets.copy_into(builder, pos, start)
        parts.append(text[start:end:2])
        origin = offsets.linear_origin(start, end)
        if origin is not None:
            builder.strided(origin, (end - start + 1) // 2, 2)
        else:
            for letter in range(start, end, 2):
                offsets.copy_into(builder, letter, letter + 1)
        pos = end
    parts.append(text[pos:])
    offsets.copy_into(builder, pos, len(text))
    return "".join(parts), builder.build(), runs


def _despaced_runs(text: str) -> list[tuple[int, int]]:
    """Spans of de-spaced runs. The full pattern is tried only where the cheap hint matched: the first hint inside
    a run starts at the separator just before or just after the run's first letter."""
    runs: list[tuple[int, int]] = []
    done = 0
    for hint in _DESPACED_HINT.finditer(text):
        at = hint.start()
        if at < done:
            continue
        for start in (at - 1, at + 1):
            match = DESPACED.match(text, start) if start >= done else None
            if match:
                runs.append(match.span())
                done = match.end()
                break
    return runs


def fold_homoglyphs(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Replace Greek/Cyrillic look-alikes with Latin letters in mixed-script words; one-for-one, offsets unchanged.

    A word is folded when a look-alike touches a Latin letter in it and every non-Latin letter has a Latin look-alike
    ("ignore" spelt with Cyrillic U+0456, U+043E, U+0435). Words wholly in Greek or Cyrillic are left alone.
    """
    if text.isascii():
        return text, []
    words: list[tuple[int, int]] = []
    hint = tables.MIXED_SCRIPT_HINT.search(text)
    while hint:
        start = at = hint.start()
        while start > 0 and text[start - 1].isalpha():
            start -= 1
        word = _LETTERS.match(text, at)
        end = word.end() if word else at + 1
        if not _FOREIGN_LETTER.search(text, start, end):
            words.append((start, end))
        hint = tables.MIXED_SCRIPT_HINT.search(text, end)
    if not words:
        return text, []
    parts: list[str] = []
    pos = 0
    for start, end in words:
        parts.append(text[pos:start])
        parts.append(text[start:end].translate(tables.CONFUSABLES))
        pos = end
    parts.append(text[pos:])
    return "".join(parts), words
