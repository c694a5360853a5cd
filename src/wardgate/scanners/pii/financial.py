"""CREDIT_CARD and IBAN_CODE: candidates by regex, validated with ``python-stdnum``.

* CREDIT_CARD: 12-19 digits, contiguous or in the printed groupings (4-4-4-4[-3], Amex 4-6-5, Diners 4-6-4) with
  one consistent separator. Valid when the Luhn check passes (``stdnum.luhn``) and the issuer prefix (IIN) allows
  that length. The IIN table is written by hand (stdnum has none); it is deliberately coarse, enough to reject
  Luhn-valid digit runs no network issues. A run of one repeated digit is rejected (it passes Luhn).
* IBAN_CODE: country code, two check digits and the BBAN, contiguous or in groups of four. Valid by
  ``stdnum.iban.validate`` (ISO 7064 mod 97-10, the country's length and BBAN structure, national check digits
  where stdnum knows them). Written by hand: retrying a grouped candidate without its trailing groups, for when
  a short word follows a full group ("BE71 0961 2345 6769 from").

Both have strong checksums: 0.95, and 1.0 next to a telling word.
"""

from __future__ import annotations

import re

from stdnum import iban, luhn

from wardgate.scanners.pii.recognizer import (
    NUM_LEFT,
    NUM_RIGHT,
    ContextWords,
    PatternRecognizer,
    Rule,
    Verdict,
    digits_of,
)

SCORE = 0.95

_ANY = frozenset(range(12, 20))
_LONG = frozenset(range(16, 20))
_DINERS = frozenset(range(14, 20))
# (lowest prefix, highest prefix, lengths): prefixes compare as strings of equal length.
_IIN: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("2200", "2204", _LONG),  # Mir
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),
    ("300", "305", _DINERS),  # Diners Club
    ("3095", "3095", _DINERS),
    ("36", "36", _DINERS),
    ("38", "39", _DINERS),
    ("35", "35", _LONG),  # JCB
    ("1800", "1800", frozenset({15})),  # JCB, 15-digit
    ("2131", "2131", frozenset({15})),
    ("50", "50", _ANY),  # Maestro
    ("56", "58", _ANY),
    ("0604", "0604", _ANY),
    ("6", "6", _ANY),  # Discover, UnionPay, Maestro, RuPay
)

_CARD = re.compile(
    NUM_LEFT + r"(?:"
    r"[0-9]{12,19}"
    r"|[0-9]{4}(?P<a>[ -])[0-9]{4}(?P=a)[0-9]{4}(?P=a)[0-9]{1,4}(?:(?P=a)[0-9]{1,3})?"
    r"|[0-9]{4}(?P<b>[ -])[0-9]{6}(?P=b)[0-9]{4,5}"
    r")" + NUM_RIGHT
)
CARD_CONTEXT = ContextWords.of(
    "card", "credit card", "debit card", "cc", "visa", "mastercard", "amex", "american express", "discover", "jcb",
    "maestro", "kreditkarte", "karte", "carte", "carte bancaire", "tarjeta", "carta", "creditcard", "kaart", "pan",
)  # fmt: skip


def _issuer_allows(number: str) -> bool:
    return any(low <= number[: len(low)] <= high and len(number) in lengths for low, high, lengths in _IIN)


def check_card(candidate: str) -> Verdict | None:
    number = digits_of(candidate)
    if len(set(number)) == 1 or not _issuer_allows(number) or not luhn.is_valid(number):
        return None
    return Verdict(len(candidate), SCORE)


_IBAN = re.compile(
    r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?:"
    r"[A-Za-z0-9]{11,30}"
    r"|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?"
    r"|(?:-[A-Za-z0-9]{4}){2,7}(?:-[A-Za-z0-9]{1,4})?"
    r")(?![0-9A-Za-z])"
)
IBAN_CONTEXT = ContextWords.of(
    "iban", "account", "bank", "transfer", "wire", "konto", "kontonummer", "überweisung", "compte", "virement", "rib",
    "cuenta", "transferencia", "conto", "bonifico", "rekening", "rekeningnummer",
)  # fmt: skip
_IBAN_MIN_LENGTH = 15  # Norway, the shortest IBAN


def check_iban(candidate: str) -> Verdict | None:
    """Validate ``candidate``, then its prefixes that end before a separator, longest first."""
    length = len(candidate)
    while length >= _IBAN_MIN_LENGTH:
        if iban.is_valid(candidate[:length]):
            return Verdict(length, SCORE)
        cut = max(candidate.rfind(" ", 0, length), candidate.rfind("-", 0, length))
        if cut <= 0:
            return None
        length = cut
    return None


RECOGNIZER = PatternRecognizer(
    "financial",
    (
        Rule("CREDIT_CARD", _CARD, check_card, CARD_CONTEXT),
        Rule("IBAN_CODE", _IBAN, check_iban, IBAN_CONTEXT),
    ),
)
