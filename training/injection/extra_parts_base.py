"""The shape of one language's sentence parts for :mod:`make_extra`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LangParts:
    templates: dict[str, list[str]]
    slots: dict[str, list[str]]
    pastes: list[str] = field(default_factory=list)
    separators: list[str] = field(default_factory=lambda: ["\n\n", "\n", " ", ":\n\n", "\n\n---\n"])
    paste_rate: dict[str, float] = field(default_factory=dict)
