"""National identifiers: US_SSN, UK_NINO, DE_TAX_ID, FR_NIR, ES_NIF, ES_NIE, IT_FISCAL_CODE, NL_BSN.

Validation comes from ``python-stdnum`` wherever it exists: ``stdnum.us.ssn`` (the SSA rules: no area 000, 666 or
9xx, no group 00, no serial 0000, and the known misused numbers), ``stdnum.de.idnr``, ``stdnum.fr.nir``,
``stdnum.es.dni``, ``stdnum.es.nie``, ``stdnum.it.codicefiscale`` and ``stdnum.nl.bsn``. stdnum has no UK National
Insurance number, so UK_NINO follows HMRC's published format rules, written by hand here: two prefix letters (not
D, F, I, Q, U or V; the second not O; not BG, GB, KN, NK, NT, TN or ZZ), six digits, a suffix A-D. The candidate
regexes, scores and context words are also written here. DE_TAX_ID, FR_NIR and NL_BSN are not Presidio entities;
they are named the way Presidio names its national ids.

Scores follow what the check proves. Check letters on a structured code (ES_NIF, ES_NIE, IT_FISCAL_CODE) and
FR_NIR's mod-97 key: 0.85-0.95. DE_TAX_ID's check digit plus its digit-repetition rule pass about one random
11-digit number in 4,000: 0.8. NL_BSN's 11-test passes one random 9-digit number in 11, and SSN and NINO have no
check at all: they are format hits (0.3-0.7) that reach certainty only next to a telling word ("BSN", "SSN",
"National Insurance" …), which adds 0.25-0.5. A bare digit run just after "order", "invoice", "ticket" … is
dropped unless such a word stands closer to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.us import ssn

from wardgate.scanners.pii.recognizer import (
    NUM_LEFT,
    NUM_RIGHT,
    ContextWords,
    PatternRecognizer,
    Rule,
    Verdict,
    digits_of,
    whole,
)

_ALNUM_LEFT = r"(?<![0-9A-Za-z])"
_ALNUM_RIGHT = r"(?![0-9A-Za-z])"

NUMBER_VETO = ContextWords.of(
    "order", "invoice", "tracking", "ticket", "reference", "ref", "booking", "confirmation", "shipment", "parcel",
    "serial", "sku", "part", "transaction", "bestellung", "bestellnummer", "rechnung", "commande", "facture",
    "pedido", "factura", "ordine", "fattura", "bestelling", "factuur",
    before=20, after=0,
)  # fmt: skip


def _numeric(body: str) -> re.Pattern[str]:
    return re.compile(NUM_LEFT + body + NUM_RIGHT)


def _code(body: str) -> re.Pattern[str]:
    return re.compile(_ALNUM_LEFT + body + _ALNUM_RIGHT, re.IGNORECASE)


def _on_digits(predicate: Callable[[str], bool], score: float) -> Callable[[str], Verdict | None]:
    return whole(lambda candidate: predicate(digits_of(candidate)), score)


# US_SSN: AAA-GG-SSSS (one consistent separator), or nine bare digits.
SSN_CONTEXT = ContextWords.of("ssn", "ssn#", "ss#", "social security", "social security number", boost=0.25)
US_SSN = (
    Rule("US_SSN", _numeric(r"[0-9]{3}-[0-9]{2}-[0-9]{4}"), _on_digits(ssn.is_valid, 0.7), SSN_CONTEXT),
    Rule("US_SSN", _numeric(r"[0-9]{3} [0-9]{2} [0-9]{4}"), _on_digits(ssn.is_valid, 0.55), SSN_CONTEXT),
    Rule("US_SSN", _numeric(r"[0-9]{9}"), _on_digits(ssn.is_valid, 0.3), SSN_CONTEXT, NUMBER_VETO),
)

# UK_NINO: format rules only (stdnum has no module for it).
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
NINO_CONTEXT = ContextWords.of(
    "nino", "national insurance", "national insurance number", "ni number", "ni no", "insurance number", boost=0.25
)


def check_nino(candidate: str) -> Verdict | None:
    return None if candidate[:2].upper() in _NINO_BAD_PREFIXES else Verdict(len(candidate), 0.65)


UK_NINO = (
    Rule(
        "UK_NINO",
        _code(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]"),
        check_nino,
        NINO_CONTEXT,
    ),
)

# DE_TAX_ID (Steuerliche Identifikationsnummer): 11 digits, first not 0, often written 2-3-3-3.
DE_CONTEXT = ContextWords.of(
    "steuer id", "steuerid", "steuer idnr", "idnr", "steuer identifikationsnummer", "steueridentifikationsnummer",
    "identifikationsnummer", "steuerliche identifikationsnummer", "tax id", "tin", "steuernummer",
    boost=0.15,
)  # fmt: skip
DE_TAX_ID = (
    Rule(
        "DE_TAX_ID", _numeric(r"[1-9][0-9](?: ?[0-9]{3}){3}"), _on_digits(idnr.is_valid, 0.8), DE_CONTEXT, NUMBER_VETO
    ),
)

# FR_NIR: sex, year, month, department (2A/2B for Corsica), commune, serial, key; spaces optional.
FR_CONTEXT = ContextWords.of(
    "nir", "insee", "sécurité sociale", "securite sociale", "numéro de sécurité sociale", "sécu", "carte vitale",
    "social security",
)  # fmt: skip
FR_NIR = (
    Rule(
        "FR_NIR",
        _code(r"[1-478] ?[0-9]{2} ?[0-9]{2} ?(?:[0-9]{2}|2[AB]) ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}"),
        whole(nir.is_valid, 0.9),
        FR_CONTEXT,
        NUMBER_VETO,
    ),
)

# ES_NIF (DNI, Spanish citizens) and ES_NIE (foreigners): a check letter over the digits.
ES_CONTEXT = ContextWords.of(
    "dni", "nif", "nie", "documento nacional de identidad", "número de identidad", "identificación", "extranjero"
)
ES_NIF = (Rule("ES_NIF", _code(r"[0-9]{8}[ -]?[A-Z]"), whole(dni.is_valid, 0.85), ES_CONTEXT),)
ES_NIE = (Rule("ES_NIE", _code(r"[XYZ][ -]?[0-9]{7}[ -]?[A-Z]"), whole(nie.is_valid, 0.9), ES_CONTEXT),)

# IT_FISCAL_CODE: 6 letters, birth year, month letter, day, place code, check letter. Digits may be replaced
# by letters L-V ("omocodia") when two people would otherwise share a code.
IT_CONTEXT = ContextWords.of("codice fiscale", "codicefiscale", "cod fisc", "c.f.", "cf", "fiscal code", "tax code")
_OMO = "[0-9LMNP-V]"
IT_FISCAL_CODE = (
    Rule(
        "IT_FISCAL_CODE",
        _code(rf"[A-Z]{{6}}{_OMO}{{2}}[ABCDEHLMPRST]{_OMO}{{2}}[A-Z]{_OMO}{{3}}[A-Z]"),
        whole(lambda c: codicefiscale.is_valid(c.upper()), 0.95),
        IT_CONTEXT,
    ),
)

# NL_BSN (burgerservicenummer): nine digits passing the 11-test, bare or written 1234.56.789.
NL_CONTEXT = ContextWords.of("bsn", "burgerservicenummer", "sofinummer", "sofi", "citizen service number", boost=0.5)
NL_BSN = (
    Rule("NL_BSN", _numeric(r"[0-9]{4}\.[0-9]{2}\.[0-9]{3}"), _on_digits(bsn.is_valid, 0.6), NL_CONTEXT),
    Rule("NL_BSN", _numeric(r"[0-9]{9}"), _on_digits(bsn.is_valid, 0.4), NL_CONTEXT, NUMBER_VETO),
)

RECOGNIZER = PatternRecognizer(
    "national_ids",
    US_SSN + UK_NINO + DE_TAX_ID + FR_NIR + ES_NIF + ES_NIE + IT_FISCAL_CODE + NL_BSN,
)
