"""System-prompt leak guard: the canary token, and long runs copied from the system prompt.

``system_prompt_leak.canary`` (score 1.0)
    The per-request canary appears in the answer: verbatim, in any case, reversed, with up to three spaces,
    zero-width characters or punctuation between its characters, or inside a base64 / hex / percent-encoded run.
    When the canary ends in a long random part (``wg-canary-<16 hex>``) that part alone counts too.

``system_prompt_leak.overlap`` (score rises with how much was copied)
    Word 8-grams of the answer that also occur in the system prompt, after normalising case, whitespace,
    punctuation and compatibility forms. Hits are merged into regions (spans in the answer). A region scores from
    its own length in words (8 → 0.3, 25 → 0.5, 100+ → 0.95) and from the fraction of the prompt the answer
    reproduces as a whole (30 % → 0.5, 80 % → 1.0), whichever is higher. One generic sentence shared with a long,
    specific prompt therefore stays well below 0.5. A prompt under 12 words leaks only when the answer contains all
    of it. Reversed word order, reversed text, char-spaced copies (``Y o u  a r e …``) and base64/hex-encoded
    copies are checked too.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from wardgate.scanners.base import Finding
from wardgate.scanners.output.context import AnswerContext
from wardgate.scanners.output.decoding import DecodedRun, decoded_runs

CANARY = "system_prompt_leak.canary"
OVERLAP = "system_prompt_leak.overlap"

GRAM = 8
SHORT_PROMPT_WORDS = 12
_MIN_SHORT_WORDS = 3
_MIN_SHORT_CHARS = 15
_MERGE_GAP = 4
_CHAR_GRAM = 32
_MIN_CANARY_CORE = 12

_INVISIBLE_CHARS = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_INVISIBLE = str.maketrans("", "", _INVISIBLE_CHARS)
_TOKEN = re.compile(r"[\w" + _INVISIBLE_CHARS + r"]+")
_SPACED_RUN = re.compile(r"(?:[^\W_][^\w\n]{1,6}){24,}[^\W_]")
_CANARY_SEPARATORS = re.compile(r"[\s" + _INVISIBLE_CHARS + r"._*`'\"|,:;/\\-]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_CANARY_CORE = re.compile(r"[A-Za-z0-9]+")


def leak_findings(text: str, actx: AnswerContext) -> list[Finding]:
    findings: list[Finding] = []
    runs: list[DecodedRun] | None = None
    if actx.canary:
        runs = decoded_runs(text)
        findings += _canary_findings(text, actx.canary, runs)
    prompts = [prompt for prompt in actx.system_prompts if prompt.strip()]
    if prompts:
        runs = decoded_runs(text) if runs is None else runs
        words, spans = _tokens(text)
        for prompt in prompts:
            findings += _overlap_findings(text, words, spans, runs, _prompt_index(prompt))
    return findings


# --- canary -------------------------------------------------------------------------------------------------------


def _canary_findings(text: str, canary: str, runs: Sequence[DecodedRun]) -> list[Finding]:
    """The canary, its reversal or its random core, with any separators or invisible characters in between.

    A plain substring search over a squeezed copy of the text (separators dropped, ASCII lower-cased): no regex is
    compiled per canary, and every request has a new one.
    """
    forms = _canary_forms(canary)
    squeezed, runs_at = _squeeze(text)
    findings: list[Finding] = []
    for form in forms:
        at = squeezed.find(form)
        while at >= 0:
            findings.append(Finding(CANARY, _original(runs_at, at), _original(runs_at, at + len(form) - 1) + 1, 1.0))
            at = squeezed.find(form, at + 1)
    findings += [Finding(CANARY, run.start, run.end, 1.0) for run in runs
                 if any(form in _squeeze(run.text)[0] for form in forms)]  # fmt: skip
    return findings


def _canary_forms(canary: str) -> tuple[str, ...]:
    forms = {canary, canary[::-1]}
    for core in _CANARY_CORE.findall(canary):
        if len(core) >= _MIN_CANARY_CORE and core != canary:
            forms |= {core, core[::-1]}
    squeezed = {_squeeze(form)[0] for form in forms}
    return tuple(sorted(form for form in squeezed if form))


def _squeeze(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` without separators, ASCII lower-cased, and ``(squeezed_start, original_start)`` per kept run."""
    pieces: list[str] = []
    runs_at: list[tuple[int, int]] = []
    pos = length = 0
    for gap in _CANARY_SEPARATORS.finditer(text):
        if gap.start() > pos:
            runs_at.append((length, pos))
            pieces.append(text[pos : gap.start()])
            length += gap.start() - pos
        pos = gap.end()
    if pos < len(text):
        runs_at.append((length, pos))
        pieces.append(text[pos:])
    return "".join(pieces).translate(_ASCII_LOWER), runs_at


def _original(runs_at: list[tuple[int, int]], index: int) -> int:
    run = bisect.bisect_right(runs_at, (index, 1 << 62)) - 1
    squeezed_start, original_start = runs_at[run]
    return original_start + index - squeezed_start


# --- overlap ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PromptIndex:
    words: tuple[str, ...]
    gram: int
    """8, or the whole prompt's length for a short prompt (0: too short to ever count as leaked)."""
    grams: Mapping[tuple[str, ...], tuple[int, ...]]
    alnum: str
    """The prompt's letters and digits, case-folded: the reference for char-spaced copies."""


@dataclass(frozen=True, slots=True)
class _Region:
    start: int
    end: int
    covered: int
    """Words of the answer inside the region that belong to a copied n-gram."""


def _normal(word: str) -> str:
    word = word.translate(_INVISIBLE)
    if not word.isascii():
        word = unicodedata.normalize("NFKC", word)
    return word.casefold()


def _tokens(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        word = word.lower() if word.isascii() else _normal(word)
        if word:
            words.append(word)
            spans.append(match.span())
    return words, spans


@lru_cache(maxsize=32)
def _prompt_index(prompt: str) -> _PromptIndex:
    words = tuple(_tokens(prompt)[0])
    if len(words) >= SHORT_PROMPT_WORDS:
        gram = GRAM
    elif len(words) >= _MIN_SHORT_WORDS and len("".join(words)) >= _MIN_SHORT_CHARS:
        gram = len(words)
    else:
        gram = 0
    grams: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(words) - gram + 1 if gram else 0):
        grams.setdefault(words[i : i + gram], []).append(i)
    alnum = "".join(char for char in "".join(words) if char.isalnum())
    return _PromptIndex(words, gram, {key: tuple(value) for key, value in grams.items()}, alnum)


def _overlap_findings(
    text: str, words: list[str], spans: list[tuple[int, int]], runs: Sequence[DecodedRun], index: _PromptIndex
) -> list[Finding]:
    if not index.gram:
        return []
    cover = bytearray(len(index.words))
    found: list[tuple[int, int, int]] = []  # (start, end, copied words) in the answer
    last = len(words) - 1
    for order in ("forward", "words_reversed", "text_reversed"):
        seq = words if order == "forward" else words[::-1]
        if order == "text_reversed":
            seq = [word[::-1] for word in seq]
        for region in _regions(seq, index, cover):
            first, final = region.start, region.end - 1
            if order != "forward":
                first, final = last - final, last - first
            found.append((spans[first][0], spans[final][1], region.covered))
    for run in runs:
        copied = sum(region.covered for region in _regions(_tokens(run.text)[0], index, cover))
        if copied:
            found.append((run.start, run.end, copied))
    spaced, spaced_fraction = _spaced_copies(text, index)
    found += spaced
    if not found:
        return []
    fraction = max(cover.count(1) / len(index.words), spaced_fraction)
    return [Finding(OVERLAP, start, end, _score(copied, fraction, index)) for start, end, copied in found]


def _regions(seq: Sequence[str], index: _PromptIndex, cover: bytearray) -> list[_Region]:
    """Merged regions of ``seq`` covered by prompt n-grams; marks the prompt words they copy in ``cover``."""
    gram = index.gram
    hits: list[int] = []
    seen: set[tuple[str, ...]] = set()
    for i in range(len(seq) - gram + 1):
        key = tuple(seq[i : i + gram])
        positions = index.grams.get(key)
        if positions is None:
            continue
        hits.append(i)
        if key not in seen:
            seen.add(key)
            for position in positions:
                cover[position : position + gram] = b"\x01" * gram
    return _merge(hits, gram)


def _merge(hits: Iterable[int], gram: int) -> list[_Region]:
    """Merge ascending n-gram hits (each covering ``gram`` items) that overlap or lie within a small gap."""
    regions: list[_Region] = []
    start = end = covered = -1
    for hit in hits:
        if start >= 0 and hit <= end + _MERGE_GAP:
            covered += max(0, hit + gram - max(hit, end))
            end = max(end, hit + gram)
            continue
        if start >= 0:
            regions.append(_Region(start, end, covered))
        start, end, covered = hit, hit + gram, gram
    if start >= 0:
        regions.append(_Region(start, end, covered))
    return regions


def _spaced_copies(text: str, index: _PromptIndex) -> tuple[list[tuple[int, int, int]], float]:
    """Char-spaced copies (``Y o u  a r e``): letter streams compared with 32-character shingles.

    Returns the regions (with an estimate of the words copied) and the fraction of the prompt's letters copied.
    """
    found: list[tuple[int, int, int]] = []
    copied_total = 0
    for run in _SPACED_RUN.finditer(text):
        letters = "".join(_normal(char) for char in run.group() if char.isalnum())
        if index.gram < GRAM:  # a short prompt leaks only whole
            copied = len(index.alnum) if index.alnum in letters else 0
        elif len(index.alnum) >= _CHAR_GRAM:
            shingles = _char_shingles(index.alnum)
            hits = [i for i in range(len(letters) - _CHAR_GRAM + 1) if letters[i : i + _CHAR_GRAM] in shingles]
            copied = sum(region.covered for region in _merge(hits, _CHAR_GRAM))
        else:
            copied = 0
        if copied:
            copied_total += copied
            found.append((run.start(), run.end(), max(1, copied // 5)))
    return found, min(1.0, copied_total / max(1, len(index.alnum)))


@lru_cache(maxsize=32)
def _char_shingles(alnum: str) -> frozenset[str]:
    return frozenset(alnum[i : i + _CHAR_GRAM] for i in range(len(alnum) - _CHAR_GRAM + 1))


def _score(covered: int, fraction: float, index: _PromptIndex) -> float:
    if index.gram < GRAM:  # a short prompt, copied whole
        return min(0.95, 0.5 + 0.04 * len(index.words))
    if covered < 25:
        by_run = 0.3 + 0.2 * max(0, covered - GRAM) / (25 - GRAM)
    else:
        by_run = 0.5 + 0.45 * min(1.0, (covered - 25) / 75)
    by_fraction = fraction / 0.3 * 0.5 if fraction < 0.3 else 0.5 + 0.5 * min(1.0, (fraction - 0.3) / 0.5)
    return round(min(1.0, max(by_run, by_fraction)), 4)
