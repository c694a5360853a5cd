"""A bounded memory of names (tools, domains) one subject has used, least recently used forgotten first.

A forgotten name counts as new again if it comes back; with the cap well above the number of tools a key really
uses, that only happens to subjects that churn through names, and the cool-down limits them to one alert per period.
"""

from __future__ import annotations


def normalise_domain(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


class SeenSet:
    __slots__ = ("_cap", "_max_chars", "_names")

    def __init__(self, cap: int, max_chars: int) -> None:
        self._cap = cap
        self._max_chars = max_chars
        self._names: dict[str, None] = {}  # insertion order is recency order

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name[: self._max_chars] in self._names

    def add(self, name: str) -> bool:
        """Remember ``name`` as just used; true when it was not known."""
        name = name[: self._max_chars]
        known = self._names.pop(name, 0) is None
        self._names[name] = None
        if len(self._names) > self._cap:
            del self._names[next(iter(self._names))]
        return not known
