"""Scan texts outside the request path (``wardgate scan``): one JSON verdict per input, streaming, in order.

Texts are scanned as the gateway scans them — canonicalized, every detector, mapped back to original offsets —
and decided under the input rules (user, system, tool texts) or the output rules (assistant texts). The injection
score reported is the detector's calibrated score for the whole text, also below the alert floor.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast, get_args

from wardgate.config.guardrails import GuardrailsConfig
from wardgate.guardrails import redact
from wardgate.guardrails.engine import TextItem, scan_one
from wardgate.guardrails.policy import resolve
from wardgate.guardrails.vault import Vault
from wardgate.policy.decide import decide
from wardgate.scanners.base import Role, ScanContext
from wardgate.scanners.injection.scanner import InjectionScanner
from wardgate.scanners.registry import REGISTRY, Entry, ScannerSet

_ROLES = frozenset(get_args(Role))


@dataclass(frozen=True, slots=True)
class BatchScanner:
    config: GuardrailsConfig
    scanners: ScannerSet
    injection: InjectionScanner

    @classmethod
    def create(cls, config: GuardrailsConfig) -> BatchScanner:
        injection = InjectionScanner(floor=0.0)  # report every score, not only those above the alert floor
        entries = tuple(Entry(e.name, e.category, (lambda: injection)) if e.category == "injection" else e
                        for e in REGISTRY)  # fmt: skip
        return cls(config, ScannerSet(entries), injection)

    def verdict(self, text: str, role: Role) -> dict[str, Any]:
        policy = resolve(self.config, "scan", None)
        rules = policy.output if role == "assistant" else policy.input
        categories = policy.categories_for(rules, self.scanners.categories())[role]
        scanned = scan_one(self.scanners, TextItem(0, role, text), categories, ScanContext(role))
        injection_score = max((f.score for f in scanned.findings if f.category == "injection"), default=0.0)
        decision = decide([scanned], rules, fail_open=policy.fail_open, thresholds=self._thresholds())
        threshold = self.injection.threshold(ScanContext(role))
        reported = [f for f in scanned.findings if f.category != "injection" or f.score >= 0.2]
        return {
            "verdict": decision.action,
            "injection": {"score": round(injection_score, 6), "detected": injection_score >= threshold},
            "findings": [
                {"category": f.category, "type": f.type, "start": f.start, "end": f.end, "score": round(f.score, 6)}
                for f in reported
            ],
            "redacted_text": redact.apply(text, decision.redactions, Vault(), b"wardgate-scan"),
        }

    def _thresholds(self) -> dict[str, tuple[float, float]]:
        user = self.injection.threshold(ScanContext("user"))
        return {"injection": (user, self.injection.threshold(ScanContext("tool")))}


def scan_lines(scanner: BatchScanner, lines: Iterable[str]) -> Iterator[str]:
    """One output line per input line, in order; a bad line yields an error object instead of stopping."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            yield json.dumps({"error": "empty_line", "line": number})
            continue
        try:
            item = json.loads(line)
        except ValueError:
            yield json.dumps({"error": "invalid_json", "line": number})
            continue
        text = item.get("text") if isinstance(item, dict) else None
        role = item.get("role", "user") if isinstance(item, dict) else None
        if not isinstance(text, str) or not isinstance(role, str) or role not in _ROLES:
            yield json.dumps({"error": "invalid_item", "line": number})
            continue
        yield json.dumps(scanner.verdict(text, cast(Role, role)), ensure_ascii=False)
