"""The scanner contract: what a scanner sees, what it returns.

Every scanner returns :class:`Finding` objects — ``(kind, start, end, score)`` with ``score`` in ``[0, 1]`` and
offsets as Python string indices into the text it was given. ``kind`` is a stable dotted id whose first part is the
category: ``pii.EMAIL_ADDRESS``, ``secret.AWS_ACCESS_KEY``, ``injection.override``, ``unicode.tag_chars``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["system", "developer", "user", "assistant", "tool"]
Direction = Literal["input", "output"]


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    start: int
    end: int
    score: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score out of [0, 1] for {self.kind}")
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span for {self.kind}")
        if "." not in self.kind:
            raise ValueError("kind must be '<category>.<type>'")

    @property
    def category(self) -> str:
        return self.kind.split(".", 1)[0]

    @property
    def type(self) -> str:
        return self.kind.split(".", 1)[1]


@dataclass(frozen=True, slots=True)
class ScanContext:
    role: Role = "user"
    direction: Direction = "input"

    @property
    def untrusted(self) -> bool:
        """Tool results and documents: content the caller did not write, with stricter thresholds."""
        return self.role == "tool"


@dataclass(frozen=True, slots=True)
class ScanResult:
    scanner: str
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    """Exception type name or ``"timeout"`` — never the exception message (it may quote the input)."""


class Scanner(Protocol):
    name: str

    def scan(self, text: str, ctx: ScanContext) -> list[Finding]: ...
