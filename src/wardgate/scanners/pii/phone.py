"""PHONE_NUMBER through ``phonenumbers`` (Google's libphonenumber): ``PhoneNumberMatcher`` over default regions.

The library finds and validates the numbers. Written by hand here: picking the windows it runs on, the scores and
the de-duplication across regions.

* Windows: the matcher parses every candidate once per region, which is the cost. It runs only on short windows
  around digit clusters of five or more digits (a linear regex), with a few characters of margin on each side, so
  prose costs one regex pass and each number one matcher run per region (one run in all when the window's numbers
  start with ``+`` and a country code). Unbroken runs of more than 17 digits are skipped: no phone number is that
  long. Digit soup ("1 1 1 1 …") is the worst case, tens of milliseconds per KB inside the library: bound it with
  the body size limit and the scanner timeout.
* Leniency ``VALID`` by default. When a phone word ("phone", "tel", "Telefon", "téléphone" …) is in or near the
  window, it is matched with ``POSSIBLE`` instead and each match graded with ``is_valid_number``, so a number of
  a plausible length that no region's metadata accepts (fictional 555 numbers, made-up examples) is found too.
* Scores: valid in international form (``+``/``00``) 0.85; valid national form with separators 0.7; valid but a
  bare digit run, or grouped like a US SSN (3-2-4), 0.45 (an order number or an id is as likely); valid but under
  seven digits 0.3 (a postcode or a house number is as likely); possible but not valid 0.4 (dropped under seven
  digits); a phone word nearby adds 0.15. So bare digits and merely possible numbers reach the default threshold
  (0.5) only next to a phone word, and short local numbers not at all.
* Overlapping matches from different regions: the best-scoring one is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from wardgate.scanners.base import Finding
from wardgate.scanners.pii.overlap import best_non_overlapping
from wardgate.scanners.pii.recognizer import ContextWords

DEFAULT_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL")
KIND = "pii.PHONE_NUMBER"

INTERNATIONAL, NATIONAL, BARE, POSSIBLE, SHORT = 0.85, 0.7, 0.45, 0.4, 0.3
CONTEXT = ContextWords.of(
    "phone", "phone number", "tel", "tél", "telephone", "mobile", "cell", "fax", "call", "whatsapp", "sms",
    "telefon", "telefonnummer", "handy", "rufnummer", "téléphone", "portable", "teléfono", "móvil", "telefono",
    "cellulare", "telefoonnummer", "mobiel", "office", "desk", "landline", "hotline", "dial", "contact", "anrufen",
    "ruf", "appelez", "appeler", "llámame", "llamar", "chiama", "chiamami", "bel", "bellen",
    boost=0.15,
)  # fmt: skip

# A run of digits and the separators phone numbers are written with, starting and ending on a digit.
_CLUSTER = re.compile(r"(?<![0-9])[0-9](?:[0-9 \t\u00a0().\-/]*[0-9])?")
_MIN_DIGITS = 5
_MAX_UNBROKEN_DIGITS = 17  # libphonenumber's longest national significant number
_SHORT = 7  # fewer digits than this: a short local number, a postcode or a house number as likely
_MARGIN_BEFORE, _MARGIN_AFTER = 6, 10  # room for a leading "+" and a trailing extension ("x123", "ext. 45")
_SEPARATORS = frozenset(" \t\u00a0().-/")
_SSN_SHAPE = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}")  # no default region groups its numbers 3-2-4


@dataclass(frozen=True, slots=True)
class Window:
    """``text[start:end]`` holds candidate numbers; ``international`` when each is written with ``+``."""

    start: int
    end: int
    international: bool


def _could_hold_a_number(cluster: str) -> bool:
    digits = sum(ch.isdigit() for ch in cluster)
    if digits < _MIN_DIGITS:
        return False
    # An unbroken run of more digits than a national number can have is an id, a hash, an IBAN's tail.
    return not (digits > _MAX_UNBROKEN_DIGITS and cluster.isdigit() and not cluster.startswith("00"))


def _windows(text: str) -> Iterator[Window]:
    """Merged windows around digit clusters that could hold a phone number."""
    current: Window | None = None
    for cluster in _CLUSTER.finditer(text):
        if not _could_hold_a_number(cluster.group()):
            continue
        start, end = max(0, cluster.start() - _MARGIN_BEFORE), min(len(text), cluster.end() + _MARGIN_AFTER)
        # Only "+" is region-independent: "00" is the international prefix in Europe, not in the US ("011").
        international = cluster.start() > 0 and text[cluster.start() - 1] == "+"
        if current is not None and start <= current.end:
            current = Window(current.start, max(current.end, end), current.international and international)
            continue
        if current is not None:
            yield current
        current = Window(start, end, international)
    if current is not None:
        yield current


def _base_score(raw: str, number: phonenumbers.PhoneNumber) -> float:
    """The score before context; 0.0 drops the match."""
    short = sum(ch.isdigit() for ch in raw) < _SHORT
    if not phonenumbers.is_valid_number(number):
        return 0.0 if short else POSSIBLE
    if raw.startswith(("+", "00")):
        return INTERNATIONAL
    if short:
        return SHORT
    if _SSN_SHAPE.fullmatch(raw) or not any(ch in _SEPARATORS for ch in raw):
        return BARE
    return NATIONAL


class PhoneRecognizer:
    """PHONE_NUMBER for numbers in international form and in the national forms of ``regions``."""

    name = "phone"
    entities = frozenset({"PHONE_NUMBER"})
    install_hint = ""

    def __init__(self, regions: tuple[str, ...] = DEFAULT_REGIONS) -> None:
        self.regions = regions

    def available(self) -> bool:
        return True

    def find(self, text: str) -> Iterator[Finding]:
        hits: list[Finding] = []
        for window in _windows(text):
            hits.extend(self._scan_window(text, window))
        return iter(best_non_overlapping(hits))

    def _scan_window(self, text: str, window: Window) -> Iterator[Finding]:
        lo, hi = window.start, window.end
        leniency = Leniency.POSSIBLE if CONTEXT.around(text, lo, hi) else Leniency.VALID
        # A number written with its country code parses the same whatever the default region.
        regions = self.regions[:1] if window.international else self.regions
        for region in regions:
            for match in PhoneNumberMatcher(text[lo:hi], region, leniency=leniency):
                base = _base_score(match.raw_string, match.number)
                if base > 0.0:
                    start, end = lo + match.start, lo + match.end
                    yield Finding(KIND, start, end, CONTEXT.score(base, text, start, end))
