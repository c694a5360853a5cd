"""PiiScanner: runs the selected recognizers and resolves overlaps into one list of findings.

A finding's ``kind`` is ``pii.<ENTITY>`` with Presidio's entity names (``pii.EMAIL_ADDRESS``, ``pii.US_SSN`` …).
Recognizers that are unavailable (the optional NER one, without its extra) are skipped, and listed in
:attr:`PiiScanner.skipped` with their install hint, so the caller can say so at startup. Findings below
``min_score`` are dropped (format-only candidates without a telling word score below the default 0.5); of
overlapping findings the best-scoring one is kept, whatever the entity types.
"""

from __future__ import annotations

from wardgate.scanners.base import Finding, ScanContext
from wardgate.scanners.pii.overlap import best_non_overlapping
from wardgate.scanners.pii.recognizer import Recognizer
from wardgate.scanners.pii.registry import default_recognizers, supported_entities

DEFAULT_MIN_SCORE = 0.5


class PiiScanner:
    """Detects PII spans. ``entities=None`` means every supported entity; ``use_ner`` adds PERSON/LOCATION."""

    name = "pii"

    def __init__(
        self,
        entities: frozenset[str] | None = None,
        use_ner: bool = False,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
    ) -> None:
        known = supported_entities()
        if entities is not None and not entities <= known:
            unknown = ", ".join(sorted(entities - known))
            raise ValueError(f"unknown PII entities: {unknown}")
        if not 0.0 <= min_score <= 1.0:
            raise ValueError("min_score must be in [0, 1]")
        self.entities = known if entities is None else entities
        self.min_score = min_score
        selected = [r for r in default_recognizers(use_ner=use_ner) if r.entities & self.entities]
        self.recognizers: tuple[Recognizer, ...] = tuple(r for r in selected if r.available())
        self.skipped = tuple((r.name, r.install_hint) for r in selected if not r.available())
        """``(recognizer name, install hint)`` for each selected recognizer that is unavailable."""

    def scan(self, text: str, ctx: ScanContext) -> list[Finding]:
        """Findings in text order, non-overlapping, each with ``min_score <= score <= 1``."""
        candidates = [
            finding
            for recognizer in self.recognizers
            for finding in recognizer.find(text)
            if finding.score >= self.min_score and finding.type in self.entities
        ]
        return best_non_overlapping(candidates)
