"""The limiter interface the request path uses; backends (in-memory, Redis) implement it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from wardgate.auth.principal import Principal


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Lease(Protocol):
    """Admission granted for one request: holds a concurrency slot until :meth:`release`."""

    def headers(self) -> dict[str, str]:
        """OpenAI-style ``x-ratelimit-*`` headers describing the key's standing."""
        ...

    async def release(self, usage: Usage | None) -> None:
        """Free the concurrency slot and correct token/cost accounting with the real usage."""
        ...


class Limiter(Protocol):
    async def acquire(self, principal: Principal, estimated_tokens: int) -> Lease:
        """Admit the request or raise :class:`~wardgate.errors.RateLimitError` (nothing is consumed then)."""
        ...
