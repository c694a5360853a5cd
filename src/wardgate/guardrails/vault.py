"""Reversible placeholders for one request: ``<EMAIL_ADDRESS_1>`` goes upstream, the original comes back.

A vault belongs to one request context and dies with it: no process-wide mapping (one caller's values can never be
restored into another caller's answer) and nothing written to disk or logs. Numbering is by first appearance in
the conversation, and clients resend the conversation each turn, so the same value gets the same placeholder on
every turn of a conversation without storing anything.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"<([A-Z][A-Z0-9_]{0,40})_(\d{1,6})>")
MAX_ENTRIES = 10_000


class VaultFullError(Exception):
    """More distinct sensitive values in one request than the vault holds."""


class Vault:
    __slots__ = ("_by_placeholder", "_by_value", "_counters")

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counters: dict[str, int] = {}

    def __repr__(self) -> str:  # never show the values
        return f"Vault(entries={len(self._by_placeholder)})"

    def __len__(self) -> int:
        return len(self._by_placeholder)

    def placeholder(self, entity: str, value: str) -> str:
        key = (entity, value)
        existing = self._by_value.get(key)
        if existing is not None:
            return existing
        if len(self._by_placeholder) >= MAX_ENTRIES:
            raise VaultFullError
        number = self._counters.get(entity, 0) + 1
        self._counters[entity] = number
        token = f"<{entity}_{number}>"
        self._by_value[key] = token
        self._by_placeholder[token] = value
        return token

    def restore(self, text: str, json_escape: bool = False) -> str:
        """Replace every known placeholder in ``text``; unknown ones are left as they are."""
        if not self._by_placeholder or "<" not in text:
            return text

        def swap(match: re.Match[str]) -> str:
            value = self._by_placeholder.get(match.group(0))
            if value is None:
                return match.group(0)
            return _json_escape(value) if json_escape else value

        return _PLACEHOLDER.sub(swap, text)

    def could_be_partial(self, tail: str) -> int:
        """Length of a suffix of ``tail`` that may be the start of a placeholder (to hold back in streams)."""
        if not self._by_placeholder:
            return 0
        cut = tail.rfind("<")
        if cut < 0 or ">" in tail[cut:]:
            return 0
        suffix = tail[cut:]
        return len(suffix) if len(suffix) <= 48 and re.fullmatch(r"<[A-Z0-9_]*", suffix) else 0


def _json_escape(value: str) -> str:
    import json

    return json.dumps(value)[1:-1]
