"""Run the scanners over canonicalized texts: spans mapped back to the original, errors captured, time bounded.

Small inputs are scanned on the event loop (a thread hop costs more than the scan); larger ones go to a bounded
worker pool with the policy's timeout. A scanner that raises or times out is recorded by name and error type —
never the message, which may quote the input — and the policy decides (fail closed by default).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from wardgate.policy.decide import ScannedText
from wardgate.scanners.base import Finding, Role, ScanContext
from wardgate.scanners.canonical import canonicalize
from wardgate.scanners.registry import ScannerSet

log = logging.getLogger("wardgate.guardrails")


@dataclass(frozen=True, slots=True)
class TextItem:
    index: int
    role: Role
    text: str


def scan_one(scanners: ScannerSet, item: TextItem, categories: Collection[str], ctx: ScanContext) -> ScannedText:
    """Canonicalize, run each requested scanner on every segment, map findings back to the original text."""
    view = canonicalize(item.text)
    findings: list[Finding] = list(view.findings)
    errors: list[str] = []
    for category in categories:
        try:
            scanner = scanners.get(category)
            for segment in view.segments:
                for f in scanner.scan(segment.text, ctx):
                    start, end = segment.to_original(f.start, f.end)
                    findings.append(Finding(f.kind, start, end, f.score))
        except Exception as exc:  # noqa: BLE001 - the one boundary that records a scanner failure
            errors.append(f"{category}:{type(exc).__name__}")
            log.warning("scanner failed", extra={"scanner": category, "error": type(exc).__name__})
    return ScannedText(item.index, item.role, tuple(_dedupe(findings)), tuple(errors))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    best: dict[tuple[str, int, int], Finding] = {}
    for f in findings:
        key = (f.kind, f.start, f.end)
        if key not in best or best[key].score < f.score:
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.start, f.end, f.kind))


class ScanEngine:
    def __init__(self, scanners: ScannerSet, timeout: float, inline_chars: int, workers: int = 2) -> None:
        self.scanners = scanners
        self._timeout = timeout
        self._inline = inline_chars
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wardgate-scan")
        self._slots = asyncio.Semaphore(workers * 4)

    async def scan(
        self, items: Sequence[TextItem], categories_for: dict[str, tuple[str, ...]], direction: str
    ) -> list[ScannedText]:
        """Scan every item; ``categories_for`` maps a role to the scanner categories its rules need."""
        total = sum(len(item.text) for item in items)
        jobs = [(item, categories_for.get(item.role, ())) for item in items]
        if total <= self._inline:
            return [scan_one(self.scanners, item, cats, ScanContext(item.role, direction)) for item, cats in jobs]  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()
        async with self._slots:
            future = loop.run_in_executor(self._pool, self._scan_all, jobs, direction)
            try:
                return await asyncio.wait_for(future, self._timeout)
            except TimeoutError:
                log.warning("scan timed out", extra={"chars": total})
                return [
                    ScannedText(
                        item.index, item.role, (), tuple(f"{c}:timeout" for c in cats) or ("canonical:timeout",)
                    )
                    for item, cats in jobs
                ]

    def _scan_all(self, jobs: list[tuple[TextItem, tuple[str, ...]]], direction: str) -> list[ScannedText]:
        return [scan_one(self.scanners, item, cats, ScanContext(item.role, direction)) for item, cats in jobs]  # type: ignore[arg-type]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
