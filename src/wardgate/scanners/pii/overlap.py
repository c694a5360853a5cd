"""Overlap resolution: of findings whose spans overlap, keep the best-scoring one.

Written by hand (a greedy interval selection, O(n log n)): highest score first, then the longer span, then the
earlier start; a finding is kept when it overlaps none already kept. So a card number is not also a phone number,
and the same phone number matched under two default regions is reported once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from wardgate.scanners.base import Finding


def _rank(finding: Finding) -> tuple[float, int, int, str]:
    return (-finding.score, finding.start - finding.end, finding.start, finding.kind)


def best_non_overlapping(findings: Iterable[Finding]) -> list[Finding]:
    """The kept findings, in text order. Empty spans are dropped."""
    starts: list[int] = []
    kept: list[Finding] = []
    for finding in sorted((f for f in findings if f.end > f.start), key=_rank):
        # Kept spans are disjoint, so sorted by start they are also sorted by end: check the two neighbours.
        i = bisect_left(starts, finding.start)
        if i > 0 and kept[i - 1].end > finding.start:
            continue
        if i < len(kept) and kept[i].start < finding.end:
            continue
        starts.insert(i, finding.start)
        kept.insert(i, finding)
    return kept
