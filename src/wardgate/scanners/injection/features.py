"""Hashed n-gram features shared by training and inference (the one implementation of both).

A text is canonicalized (NFKC, case-folded, invisible characters removed, homoglyphs and leetspeak undone inside
mixed words, spaced-out letters joined, whitespace collapsed) and turned into the sorted, de-duplicated indices of
its hashed features:

* character n-grams (``char_min``..``char_max``) inside word boundaries: the canonical text is padded with spaces and
  an n-gram may start or end on a space but never contain one inside (scikit-learn's ``char_wb``); n-grams with no
  letter or digit (pure punctuation) are left out;
* word uni- and bi-grams over ``\\w+`` tokens.

Each feature has the value ``1 / sqrt(k)`` for ``k`` indices (binary, L2-normalized), so a linear model's score is
``bias + sum(weights[indices]) / sqrt(k)``. Hashing uses fixed 64-bit arithmetic (no Python ``hash``, which is
salted per process), so indices are identical across processes, platforms and Python versions.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

IndexArray = npt.NDArray[np.int64]

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\U000e0000-\U000e007f]"
)
_WHITESPACE = re.compile(r"\s+")
_SPACED_LETTERS = re.compile(r"(?<!\w)(?:\w[ .\-_*·]){2,}\w(?!\w)")
_SPACED_SEPARATORS = re.compile(r"[ .\-_*·]")
_NON_LATIN_LOOKALIKE = re.compile("[\u0370-\u03ff\u0400-\u04ff]")
# Whole words (anchored at their start) that contain a digit, "@" or "$"; anchoring keeps this linear in long words.
_LEET_CANDIDATE = re.compile(r"(?<![\w@$])(?=[\w@$]*[0-9@$])[\w@$]+")
_WORD = re.compile(r"\w+")
_HAS_LATIN = re.compile(r"[a-z]")

# Cyrillic and Greek letters that render like Latin ones; applied only inside words that also hold Latin letters, so
# real Russian or Greek text keeps its script.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ո": "n", "ս": "u",
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    }
)  # fmt: skip
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})

FEATURE_VERSION = 1
"""Bump whenever canonicalization or hashing changes: old model files then refuse to load instead of misbehaving."""

# ASCII letters and digits; every non-ASCII code point also counts as "word-ish". An n-gram made only of spaces and
# ASCII punctuation (". ", "?", "!!") is dropped: in the public sets such n-grams mostly encode how each corpus
# happened to punctuate (benign questions without a final period), not whether a text is an attack.
_ASCII_WORDISH = np.array([chr(i).isalnum() for i in range(128)], dtype=bool)

_U64 = np.uint64
_PRIME = _U64(0x100000001B3)
_MIX1 = _U64(0xBF58476D1CE4E5B9)
_MIX2 = _U64(0x94D049BB133111EB)
_GOLDEN = 0x9E3779B97F4A7C15
_SPACE = _U64(32)
_WORD_UNI_SEED = _U64(0xA5A5A5A5A5A5A5A5)
_WORD_BI_SEED = _U64(0x5A5A5A5A5A5A5A5A)


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Hashing parameters; stored in the model file so inference always matches training."""

    n_bits: int = 20
    char_min: int = 2
    char_max: int = 5
    word_bigrams: bool = True
    version: int = FEATURE_VERSION

    @property
    def dim(self) -> int:
        return 1 << self.n_bits

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        cfg = cls(
            n_bits=int(data["n_bits"]),
            char_min=int(data["char_min"]),
            char_max=int(data["char_max"]),
            word_bigrams=bool(data["word_bigrams"]),
            version=int(data["version"]),
        )
        if cfg.version != FEATURE_VERSION:
            raise ValueError(f"feature version {cfg.version} is not supported (expected {FEATURE_VERSION})")
        if not (8 <= cfg.n_bits <= 24 and 1 <= cfg.char_min <= cfg.char_max <= 8):
            raise ValueError("feature config out of range")
        return cfg


def _undo_homoglyphs(match: re.Match[str]) -> str:
    word = match.group(0)
    return word.translate(_HOMOGLYPHS) if _HAS_LATIN.search(word) else word


def _undo_leet(match: re.Match[str]) -> str:
    word = match.group(0)
    return word.translate(_LEET) if _HAS_LATIN.search(word) else word


def _join_spaced(match: re.Match[str]) -> str:
    return _SPACED_SEPARATORS.sub("", match.group(0))


def canonicalize(text: str) -> str:
    """Normalize text so that trivial obfuscations map onto the plain spelling."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).casefold()
    if _NON_LATIN_LOOKALIKE.search(text):
        text = _WORD.sub(_undo_homoglyphs, text)
    text = _LEET_CANDIDATE.sub(_undo_leet, text)
    text = _SPACED_LETTERS.sub(_join_spaced, text)
    return _WHITESPACE.sub(" ", text).strip()


def _mix(h: npt.NDArray[np.uint64], n_bits: int) -> IndexArray:
    """splitmix64 finalizer, then the top ``n_bits`` bits as the bucket."""
    h = h ^ (h >> _U64(30))
    h = h * _MIX1
    h = h ^ (h >> _U64(27))
    h = h * _MIX2
    h = h ^ (h >> _U64(31))
    return (h >> _U64(64 - n_bits)).astype(np.int64)


def _char_ngrams(canon: str, cfg: FeatureConfig) -> list[npt.NDArray[np.uint64]]:
    padded = f" {canon} "
    cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    length = cp.shape[0]
    spaces = np.concatenate(([0], np.cumsum(cp == _SPACE)))
    wordish = np.concatenate(([0], np.cumsum(np.where(cp < 128, _ASCII_WORDISH[np.minimum(cp, 127)], True))))
    out: list[npt.NDArray[np.uint64]] = []
    rolling = cp
    for n in range(2, cfg.char_max + 1):
        count = length - n + 1
        if count <= 0:
            break
        rolling = rolling[:count] * _PRIME + cp[n - 1 :]
        if n < cfg.char_min:
            continue
        interior = spaces[n - 1 : n - 1 + count] - spaces[1 : 1 + count]
        letters = wordish[n : n + count] - wordish[:count]
        keep = (interior == 0) & (letters > 0)
        out.append(rolling[keep] ^ _U64((_GOLDEN * n) & 0xFFFFFFFFFFFFFFFF))
    if cfg.char_min == 1:
        out.append(cp ^ _U64(_GOLDEN))
    return out


def _word_ngrams(canon: str, cfg: FeatureConfig) -> list[npt.NDArray[np.uint64]]:
    tokens = _WORD.findall(canon)
    if not tokens:
        return []
    hashes = np.fromiter((zlib.crc32(t.encode("utf-8")) for t in tokens), dtype=np.uint64, count=len(tokens))
    out = [hashes ^ _WORD_UNI_SEED]
    if cfg.word_bigrams and hashes.shape[0] > 1:
        out.append((hashes[:-1] * _PRIME + hashes[1:]) ^ _WORD_BI_SEED)
    return out


def feature_indices(text: str, cfg: FeatureConfig) -> IndexArray:
    """Sorted unique hashed feature indices of ``text`` (raw, not yet canonicalized)."""
    return canonical_feature_indices(canonicalize(text), cfg)


def canonical_feature_indices(canon: str, cfg: FeatureConfig) -> IndexArray:
    """Like :func:`feature_indices` for text already passed through :func:`canonicalize`."""
    if not canon:
        return np.zeros(0, dtype=np.int64)
    buckets = np.sort(_mix(np.concatenate(_char_ngrams(canon, cfg) + _word_ngrams(canon, cfg)), cfg.n_bits))
    distinct = np.empty(buckets.shape[0], dtype=bool)
    distinct[:1] = True
    np.not_equal(buckets[1:], buckets[:-1], out=distinct[1:])
    return buckets[distinct]
