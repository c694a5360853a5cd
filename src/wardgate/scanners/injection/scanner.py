"""Prompt-injection / jailbreak scanner: a rules-then-model cascade over sliding windows of the whole text.

1. The text is cut into overlapping windows (512 characters every 256 by default, from the model file); every
   character is scanned, so one instruction buried in the middle of a 50 KB document is seen.
2. Cheap rules run on the raw text (exact spans) and, where canonicalization changed something beyond case and
   whitespace (homoglyphs, leetspeak, invisible characters, spaced-out letters), on each window's canonical text.
3. The model always runs, on every window: rules alone do not generalize.
4. A rule hit adds a calibrated boost to the margin of the best window around it; all of it goes through the
   calibration fitted on dev, so every score is a probability in [0, 1].

Findings: at most one per kind (``injection.override``, ``.jailbreak``, ``.prompt_extraction``, ``.exfiltration``,
and ``.generic`` for model-only evidence), each on its highest-scoring span (the rule match, or the window), kept
when the score reaches ``floor``. The scanner does not decide: the policy compares scores with
:meth:`InjectionScanner.threshold`, which is stricter (lower) for untrusted content such as tool results.
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from wardgate.scanners.base import Finding, ScanContext
from wardgate.scanners.injection.features import canonical_feature_indices, canonicalize
from wardgate.scanners.injection.model import InjectionModel
from wardgate.scanners.injection.rules import match_rules
from wardgate.scanners.injection.windows import windows

GENERIC = "generic"
DEFAULT_FLOOR = 0.2
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One piece of evidence before calibration: a span, the model margin around it, and whether a rule fired."""

    kind: str
    start: int
    end: int
    margin: float
    rule_hit: bool


def candidates(model: InjectionModel, text: str) -> list[Candidate]:
    """All window and rule candidates for ``text``; raw rule hits come after windows."""
    meta = model.meta
    spans = windows(len(text), meta.window_size, meta.window_step)
    margins: list[float] = []
    out: list[Candidate] = []
    for start, end in spans:
        chunk = text[start:end]
        canon = canonicalize(chunk)
        margin = model.margin_of(canonical_feature_indices(canon, meta.features))
        margins.append(margin)
        out.append(Candidate(GENERIC, start, end, margin, False))
        if canon != _WHITESPACE.sub(" ", chunk.casefold()).strip():
            for kind in dict.fromkeys(hit.kind for hit in match_rules(canon)):
                out.append(Candidate(kind, start, end, margin, True))
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    for hit in match_rules(text):
        first = min(bisect.bisect_right(ends, hit.start), len(spans) - 1)
        last = max(bisect.bisect_left(starts, hit.end) - 1, first)
        out.append(Candidate(hit.kind, hit.start, hit.end, max(margins[first : last + 1]), True))
    return out


class InjectionScanner:
    """Detects prompt injection and jailbreak attempts. Thread-safe; the model loads on first use."""

    name = "injection"

    def __init__(
        self,
        model: InjectionModel | None = None,
        *,
        model_path: str | Path | None = None,
        floor: float = DEFAULT_FLOOR,
    ) -> None:
        if not 0.0 <= floor <= 1.0:
            raise ValueError("floor must be in [0, 1]")
        self._model = model
        self._model_path = model_path
        self._lock = threading.Lock()
        self.floor = floor

    @property
    def model(self) -> InjectionModel:
        model = self._model
        if model is None:
            with self._lock:
                if self._model is None:
                    self._model = InjectionModel.load(self._model_path)
                model = self._model
        return model

    def threshold(self, ctx: ScanContext) -> float:
        """The score at or above which the policy should treat a finding as an injection in this context."""
        meta = self.model.meta
        return meta.threshold_untrusted if ctx.untrusted else meta.threshold_user

    def _scored(self, text: str) -> list[tuple[float, Candidate]]:
        if not text.strip():
            return []
        cal = self.model.meta.calibration
        return [(cal.probability(c.margin, c.rule_hit), c) for c in candidates(self.model, text)]

    def score(self, text: str, ctx: ScanContext) -> float:
        """The highest calibrated score over all windows and rule hits (0.0 for blank text)."""
        return max((p for p, _ in self._scored(text)), default=0.0)

    def scan(self, text: str, ctx: ScanContext) -> list[Finding]:
        best: dict[str, tuple[float, Candidate]] = {}
        for p, cand in self._scored(text):
            if cand.kind not in best or p > best[cand.kind][0]:
                best[cand.kind] = (p, cand)
        generic = best.pop(GENERIC, None)
        if generic is not None and not any(
            p >= generic[0] and c.start < generic[1].end and generic[1].start < c.end for p, c in best.values()
        ):
            best[GENERIC] = generic
        findings = [
            Finding(f"injection.{kind}", cand.start, cand.end, min(max(p, 0.0), 1.0))
            for kind, (p, cand) in best.items()
            if p >= self.floor
        ]
        return sorted(findings, key=lambda f: (-f.score, f.start, f.kind))
