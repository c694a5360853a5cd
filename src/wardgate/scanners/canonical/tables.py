"""Character facts for canonicalization: invisible characters, scripts, emoji, confusables, common English words.

Sources of facts (tables written by hand, no code copied):

* Invisible and bidi characters: the Unicode Character Database (``Default_Ignorable_Code_Point``, ``Bidi_Control``,
  ``Variation_Selector``) and UTS #55 / the "Trojan Source" report for the bidi overrides and isolates.
* Homoglyphs: Unicode's ``confusables.txt`` (UTS #39), restricted to Greek and Cyrillic letters whose prototype is a
  single Latin letter. Where the prototype is the skeleton letter ``l`` for an I-shaped capital (Cyrillic U+0406,
  Greek U+0399) we fold to ``I`` instead: detectors lower-case, and ``ignore`` is what an attacker spells with it.
* Emoji ranges: the blocks that hold ``Emoji_Presentation`` characters (UTS #51); joining scripts: the scripts whose
  orthography uses ZWJ/ZWNJ (Arabic and its relatives, the Indic scripts, Myanmar, Khmer, Mongolian).

Ranges are stored as flat tuples of boundaries (see :func:`bounds`) and turned into regex classes by ``patterns``.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from types import MappingProxyType

ZERO_WIDTH = "unicode.zero_width"
BIDI_CONTROL = "unicode.bidi_control"
VARIATION_SELECTOR = "unicode.variation_selector"
TAG_CHARS = "unicode.tag_chars"

# Character classes (regex class bodies) of the invisible characters, by finding kind.
ZERO_WIDTH_CLASS = "\\u00ad\\u180e\\u200b-\\u200f\\u2060-\\u2064\\ufeff"
BIDI_CLASS = "\\u061c\\u202a-\\u202e\\u2066-\\u2069"
VARIATION_CLASS = "\\ufe00-\\ufe0f\\U000e0100-\\U000e01ef"
TAG_CLASS = "\\U000e0000-\\U000e007f"
INVISIBLE_CLASS = ZERO_WIDTH_CLASS + BIDI_CLASS + VARIATION_CLASS + TAG_CLASS
INVISIBLE = re.compile(f"[{INVISIBLE_CLASS}]")
TAG_FIRST = 0xE0000
BLACK_FLAG = "\U0001f3f4"


def bounds(*ranges: tuple[int, int]) -> tuple[int, ...]:
    """Sorted inclusive ranges as a flat tuple of boundaries: ``cp`` is inside iff ``bisect_right`` is odd."""
    return tuple(bound for lo, hi in ranges for bound in (lo, hi + 1))


def ranges_class(flat: tuple[int, ...]) -> str:
    """A regex class body for boundaries made by :func:`bounds`."""
    return "".join(f"\\U{flat[i]:08x}-\\U{flat[i + 1] - 1:08x}" for i in range(0, len(flat), 2))


def inside(cp: int, flat: tuple[int, ...]) -> bool:
    return bisect_right(flat, cp) % 2 == 1


# Latin, Greek and Cyrillic: the scripts whose combining marks are stripped and whose look-alikes are folded.
LGC = bounds(
    (0x00C0, 0x024F),
    (0x0250, 0x02AF),
    (0x0370, 0x03FF),
    (0x0400, 0x052F),
    (0x1C80, 0x1C8F),
    (0x1D00, 0x1DBF),
    (0x1E00, 0x1FFF),
    (0x2C60, 0x2C7F),
    (0x2DE0, 0x2DFF),
    (0xA640, 0xA69F),
    (0xA720, 0xA7FF),
    (0xAB30, 0xAB6F),
)
_LATIN = bounds((0x00C0, 0x024F), (0x0250, 0x02AF), (0x1D00, 0x1DBF), (0x1E00, 0x1EFF), (0xA720, 0xA7FF))
RTL = bounds((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFC), (0x10800, 0x10FFF), (0x1E800, 0x1EFFF))
JOINING_SCRIPTS = bounds(
    (0x0600, 0x08FF), (0x0900, 0x0DFF), (0x1000, 0x109F), (0x1780, 0x18AF), (0xA840, 0xA87F), (0xFB50, 0xFDFF)
)
EMOJI = bounds(
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x21AA),
    (0x231A, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
    (0xFE0F, 0xFE0F),
    (0x1F000, 0x1FAFF),
)
"""Emoji characters, VS16 and the emoji blocks: the neighbours that make ZWJ and VS16 legitimate."""
CJK = bounds((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x323AF))
DIACRITIC_BLOCKS = bounds((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
"""Blocks of combining diacritics used for zalgo/diacritic evasion."""


def is_strip_base(ch: str) -> bool:
    """Combining marks after this character are stripped: any ASCII character, or a Latin/Greek/Cyrillic letter."""
    return ch.isascii() or (ch.isalpha() and inside(ord(ch), LGC))


def is_extender(ch: str) -> bool:
    """Characters that attach to the preceding one: combining marks and Hangul medial/final jamo."""
    cp = ord(ch)
    return unicodedata.category(ch)[0] == "M" or 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF


# Latin letter -> Greek and Cyrillic letters that render like it (confusables.txt facts, see module docstring).
_LOOKALIKES = {
    "A": "\u0391\u0410",  # Greek Alpha, Cyrillic A
    "a": "\u03b1\u0430",  # Greek alpha, Cyrillic a
    "B": "\u0392\u0412",  # Greek Beta, Cyrillic Ve
    "b": "\u042c",  # Cyrillic Soft Sign
    "C": "\u03f9\u0421",  # Greek capital lunate sigma, Cyrillic Es
    "c": "\u03f2\u0441",  # Greek lunate sigma, Cyrillic es
    "d": "\u0501",  # Cyrillic komi de
    "E": "\u0395\u0415",  # Greek Epsilon, Cyrillic Ie
    "e": "\u0435\u04bd",  # Cyrillic ie, Cyrillic abkhasian che
    "G": "\u050c",  # Cyrillic Komi Sje
    "H": "\u0397\u041d",  # Greek Eta, Cyrillic En
    "h": "\u04bb",  # Cyrillic shha
    "I": "\u0399\u0406",  # Greek Iota, Cyrillic Byelorussian-Ukrainian I
    "i": "\u03b9\u0456\u04cf",  # Greek iota, Cyrillic byelorussian-ukrainian i, Cyrillic small palochka
    "J": "\u037f\u0408",  # Greek Yot, Cyrillic Je
    "j": "\u03f3\u0458",  # Greek yot, Cyrillic je
    "K": "\u039a\u041a",  # Greek Kappa, Cyrillic Ka
    "l": "\u04c0",  # Cyrillic Palochka
    "M": "\u039c\u041c",  # Greek Mu, Cyrillic Em
    "N": "\u039d",  # Greek Nu
    "O": "\u039f\u041e",  # Greek Omicron, Cyrillic O
    "o": "\u03bf\u03c3\u043e",  # Greek omicron, Greek sigma, Cyrillic o
    "P": "\u03a1\u0420",  # Greek Rho, Cyrillic Er
    "p": "\u03c1\u0440",  # Greek rho, Cyrillic er
    "q": "\u051b",  # Cyrillic qa
    "r": "\u0433",  # Cyrillic ghe
    "S": "\u0405",  # Cyrillic Dze
    "s": "\u0455",  # Cyrillic dze
    "T": "\u03a4\u0422",  # Greek Tau, Cyrillic Te
    "u": "\u03c5",  # Greek upsilon
    "V": "\u0474",  # Cyrillic Izhitsa
    "v": "\u03bd\u0475",  # Greek nu, Cyrillic izhitsa
    "W": "\u051c",  # Cyrillic We
    "w": "\u0461\u051d",  # Cyrillic omega, Cyrillic we
    "X": "\u03a7\u0425",  # Greek Chi, Cyrillic Ha
    "x": "\u0445",  # Cyrillic ha
    "Y": "\u03a5\u0423\u04ae",  # Greek Upsilon, Cyrillic U, Cyrillic Straight U
    "y": "\u03b3\u0443\u04af",  # Greek gamma, Cyrillic u, Cyrillic straight u
    "Z": "\u0396",  # Greek Zeta
}
CONFUSABLES: MappingProxyType[int, str] = MappingProxyType(
    {ord(lookalike): latin for latin, lookalikes in _LOOKALIKES.items() for lookalike in lookalikes}
)
CONFUSABLE_CLASS = "".join(map(chr, CONFUSABLES))
LATIN_CLASS = "A-Za-z" + ranges_class(_LATIN)
MIXED_SCRIPT_HINT = re.compile(f"[{CONFUSABLE_CLASS}](?:(?<=[{LATIN_CLASS}][{CONFUSABLE_CLASS}])|(?=[{LATIN_CLASS}]))")
"""A look-alike right next to a Latin letter: where a mixed-script word shows itself (pure Cyrillic never hits)."""

# ~150 frequent English words plus the vocabulary of prompt injection, for the ROT13 plausibility test.
_COMMON_WORDS_TEXT = """
    a about above after again against all also always an and answer any anything are as ask at back be because been
    before below between but by can code command could data delete did disregard do does don each even every
    everything execute first for forget from give go good had has have he her here him his how i if ignore in
    information instead instructions instruction into is it its just key know let like make may me message mode more
    most must my new no not nothing now of on only or other our out output over password people please previous
    print prior prompt reveal rules say secret see send she should show so some system take tell than that the their
    them then there these they this those time to token up us use user was we were what when which who will with
    would write you your
"""
COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
)
ROT13_COMMON_WORDS = frozenset(word.translate(ROT13) for word in COMMON_WORDS)
"""Words whose ROT13 is a common word: counting these in a text counts the common words of its ROT13."""
