"""The PII recognizers, listed explicitly: adding a family is one module plus one row here.

No discovery: nothing is imported by scanning folders or subclasses. The pattern recognizers are stateless and
shared; the NER recognizer holds a lazily loaded model, so each call builds a fresh one for its scanner.
"""

from __future__ import annotations

from wardgate.scanners.pii import crypto, email, financial, national_ids, network
from wardgate.scanners.pii.ner import NerRecognizer
from wardgate.scanners.pii.phone import PhoneRecognizer
from wardgate.scanners.pii.recognizer import Recognizer


def default_recognizers(*, use_ner: bool = False) -> tuple[Recognizer, ...]:
    """The built-in recognizers in a fixed order, plus the optional NER one when ``use_ner``."""
    recognizers: tuple[Recognizer, ...] = (
        email.RECOGNIZER,
        PhoneRecognizer(),
        financial.RECOGNIZER,
        crypto.RECOGNIZER,
        network.RECOGNIZER,
        national_ids.RECOGNIZER,
    )
    return (*recognizers, NerRecognizer()) if use_ner else recognizers


def supported_entities() -> frozenset[str]:
    """Every entity a scanner can report when all optional recognizers are available."""
    return frozenset().union(*(r.entities for r in default_recognizers(use_ner=True)))
