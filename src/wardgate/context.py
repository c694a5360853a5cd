"""Per-request state: created once per request, passed down explicitly, never stored globally."""

from __future__ import annotations

import itertools
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wardgate.auth.principal import Principal
from wardgate.http import Request
from wardgate.limits.base import Usage

if TYPE_CHECKING:
    from wardgate.audit.capture import ContentCapture
    from wardgate.guardrails.pipeline import GuardState


class RequestIds:
    """Request ids: a random per-process prefix and a counter (unique across replicas, no syscall per request).

    They label a request in logs, headers and audit records; they are not secrets and grant nothing.
    """

    __slots__ = ("_counter", "_prefix")

    def __init__(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


@dataclass(slots=True)
class RequestContext:
    request: Request
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    route: str | None = None
    """The matched route's path template (``/admin/v1/keys/{key_id}``); ``None`` when no route matched."""
    principal: Principal | None = None
    model: str | None = None
    upstream: str | None = None
    status: int = 0
    error_code: str | None = None
    usage: Usage | None = None
    guard: GuardState | None = None
    """Guardrail state for this request: resolved policy, its own placeholder vault, decisions."""
    capture: ContentCapture | None = None
    """Prompt and answer text for the audit record, collected only when the audit log captures content."""
    path_params: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent per stage: ``auth``, ``upstream``, ``total``."""

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("route requires an authenticated principal")
        return self.principal
