"""The scanned text as UTF-8 bytes (what RE2 reads) plus the mapping of byte offsets back to ``str`` indices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

_ENCODING_ERRORS = "surrogatepass"
"""Lone surrogates (possible in a ``str`` decoded from JSON) encode to 3 bytes that RE2 never matches; decoding a
slice with the same handler gives back exactly one character each, so offsets stay exact."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One detection in byte offsets, before overlap resolution. ``tier``: 0 provider rule, 1 structural
    (private key, JWT, connection string), 2 generic assignment — lower tiers win overlaps."""

    rule_id: str
    start: int
    end: int
    score: float
    tier: int


@dataclass(frozen=True, slots=True)
class Encoded:
    text: str
    data: bytes = field(repr=False)

    @classmethod
    def of(cls, text: str) -> Encoded:
        return cls(text, text.encode("utf-8", _ENCODING_ERRORS))

    @property
    def ascii(self) -> bool:
        return len(self.data) == len(self.text)

    def value(self, start: int, end: int) -> str:
        """The text between two byte offsets."""
        return self.data[start:end].decode("utf-8", _ENCODING_ERRORS)

    def char_offsets(self, byte_offsets: Iterable[int]) -> dict[int, int]:
        """Map byte offsets (at character boundaries) to ``str`` indices, in one pass over the text."""
        wanted = sorted(set(byte_offsets))
        if self.ascii:
            return {b: b for b in wanted}
        result: dict[int, int] = {}
        prev_byte = 0
        prev_char = 0
        for offset in wanted:
            prev_char += len(self.data[prev_byte:offset].decode("utf-8", _ENCODING_ERRORS))
            prev_byte = offset
            result[offset] = prev_char
        return result
