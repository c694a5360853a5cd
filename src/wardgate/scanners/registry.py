"""The explicit scanner registry: one row per scanner. Adding a scanner is one module plus one row here.

Scanners are built lazily (models load on first use, never at import time), once per process, and are stateless
across requests: per-request state lives in the request context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wardgate.scanners.base import Scanner


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    category: str
    """The finding category the scanner produces; the policy rule of the same name governs it."""
    factory: Callable[[], Scanner]


def _injection() -> Scanner:
    from wardgate.scanners.injection.scanner import InjectionScanner

    return InjectionScanner()


def _pii() -> Scanner:
    from wardgate.scanners.pii.scanner import PiiScanner

    return PiiScanner()


def _secrets() -> Scanner:
    from wardgate.scanners.secrets.scanner import SecretScanner

    return SecretScanner()


REGISTRY: tuple[Entry, ...] = (
    Entry("injection", "injection", _injection),
    Entry("pii", "pii", _pii),
    Entry("secrets", "secret", _secrets),
)


class ScannerSet:
    """The process's scanner instances, created on first use."""

    def __init__(self, entries: tuple[Entry, ...] = REGISTRY) -> None:
        self._entries = {entry.category: entry for entry in entries}
        self._built: dict[str, Scanner] = {}

    def categories(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def get(self, category: str) -> Scanner:
        scanner = self._built.get(category)
        if scanner is None:
            scanner = self._built[category] = self._entries[category].factory()
        return scanner

    def warm(self) -> None:
        """Build every scanner and run it once now (at startup), so no request pays for loading tables or models."""
        from wardgate.scanners.base import ScanContext
        from wardgate.scanners.canonical import canonicalize

        canonicalize("warm-up é ѕ")
        for category in self._entries:
            self.get(category).scan("warm-up text: hello@example.com é", ScanContext())
