"""``SecretScanner``: credentials in prompts and answers, as ``secret.<ID>`` findings.

One scan: encode the text to UTF-8 once; find which keywords occur (one RE2 pass); run the provider rules and
structural detectors those keywords call for; pair AWS secret keys with key ids; resolve overlaps; map byte
offsets back to ``str`` indices.

Overlaps: one span, one finding. The most specific detector wins — a provider rule (``secret.GITHUB_PAT``) over a
structural one (``secret.PRIVATE_KEY``, ``secret.JWT``, ``secret.CONNECTION_STRING``) over a generic one
(``secret.GENERIC_ASSIGNMENT``, ``secret.AUTH_HEADER``, ``secret.BASIC_AUTH``); within a tier the longer span, then
the higher score, then table order.

Compiled state (patterns, keyword automaton) is immutable and built lazily on first use, never at import: the
built-in table once per process, a table with ``extra_rules`` in the constructor so a bad rule fails at startup.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from wardgate.scanners.base import Finding, ScanContext
from wardgate.scanners.secrets.companions import AwsSecretPairing
from wardgate.scanners.secrets.engine import RuleEngine
from wardgate.scanners.secrets.generic import ASSIGNMENT_ID, AUTH_HEADER_ID, BASIC_AUTH_ID, GenericDetector
from wardgate.scanners.secrets.private_keys import PRIVATE_KEY_ID, PrivateKeyDetector
from wardgate.scanners.secrets.rule import MAX_EXTRA_RULES, Rule
from wardgate.scanners.secrets.rules import BUILTIN_RULES
from wardgate.scanners.secrets.structured import CONNECTION_ID, JWT_ID, ConnectionStringDetector, JwtDetector
from wardgate.scanners.secrets.text import Encoded, Hit

DETECTOR_IDS = (PRIVATE_KEY_ID, JWT_ID, CONNECTION_ID, ASSIGNMENT_ID, AUTH_HEADER_ID, BASIC_AUTH_ID)
"""Finding ids produced by code detectors; a configured rule cannot reuse them."""


class Detector(Protocol):
    keywords: tuple[str, ...]

    def find(self, enc: Encoded, present: frozenset[str]) -> list[Hit]: ...


@dataclass(frozen=True, slots=True)
class _Compiled:
    engine: RuleEngine
    detectors: tuple[Detector, ...]
    aws: AwsSecretPairing

    def hits(self, enc: Encoded) -> list[Hit]:
        present = self.engine.keywords(enc.data)
        hits = self.engine.find(enc, present)
        hits.extend(self.aws.find(enc, hits))
        for detector in self.detectors:
            hits.extend(detector.find(enc, present))
        return hits


def _compile(extra_rules: Sequence[Rule]) -> _Compiled:
    detectors: tuple[Detector, ...] = (
        PrivateKeyDetector(),
        JwtDetector(),
        ConnectionStringDetector(),
        GenericDetector(),
    )
    keywords = [keyword for detector in detectors for keyword in detector.keywords]
    engine = RuleEngine((*BUILTIN_RULES, *extra_rules), keywords, DETECTOR_IDS)
    return _Compiled(engine, detectors, AwsSecretPairing())


@functools.cache
def _builtin() -> _Compiled:
    return _compile(())


def resolve_overlaps(hits: Sequence[Hit], size: int) -> list[Hit]:
    """Keep non-overlapping hits, most specific first (lower tier, then longer, then higher score), in text order.

    A byte map of claimed positions makes each check a C-level ``find`` over the hit's own span; hits of one
    detector never overlap each other, so the total work is linear in the text (times the number of detectors).
    """
    if len(hits) <= 1:
        return list(hits)
    claimed = bytearray(size)
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.tier, h.start - h.end, -h.score)):
        if claimed.find(1, hit.start, hit.end) != -1:
            continue
        claimed[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
        kept.append(hit)
    kept.sort(key=lambda h: h.start)
    return kept


class SecretScanner:
    """Detects credentials. ``extra_rules`` (at most 256, each with at least one keyword) extend the built-ins."""

    name = "secrets"

    def __init__(self, extra_rules: Sequence[Rule] = ()) -> None:
        if len(extra_rules) > MAX_EXTRA_RULES:
            raise ValueError(f"at most {MAX_EXTRA_RULES} extra secret rules")
        for rule in extra_rules:
            if not rule.keywords:
                raise ValueError(f"extra rule {rule.id} needs at least one keyword")
        self._compiled = _compile(extra_rules) if extra_rules else None

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._table().engine.rules

    def _table(self) -> _Compiled:
        return self._compiled if self._compiled is not None else _builtin()

    def scan(self, text: str, ctx: ScanContext) -> list[Finding]:
        """Findings in text order. ``ctx`` does not change detection: a credential is one in every role and
        direction; what to do about it (redact, block) is the policy's decision."""
        if not text:
            return []
        enc = Encoded.of(text)
        kept = resolve_overlaps(self._table().hits(enc), len(enc.data))
        offsets = enc.char_offsets([hit.start for hit in kept] + [hit.end for hit in kept])
        return [Finding(f"secret.{hit.rule_id}", offsets[hit.start], offsets[hit.end], hit.score) for hit in kept]
