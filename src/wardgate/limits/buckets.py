"""A token bucket: capacity ``limit`` refilled evenly over one window (a minute for RPM/TPM)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(slots=True)
class TokenBucket:
    limit: int
    window_seconds: float
    level: float
    updated: float

    @classmethod
    def full(cls, limit: int, window_seconds: float, now: float) -> TokenBucket:
        return cls(limit, window_seconds, float(limit), now)

    @property
    def rate(self) -> float:
        return self.limit / self.window_seconds

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.level = min(float(self.limit), self.level + (now - self.updated) * self.rate)
            self.updated = now

    def wait_for(self, amount: float) -> float:
        """Seconds until ``amount`` can be taken (0 if it can be now). Assumes :meth:`refill` was called."""
        need = min(amount, float(self.limit)) - self.level
        return 0.0 if need <= 0 else need / self.rate

    def take(self, amount: float) -> None:
        """Take ``amount``; the level may go negative (debt from a usage correction)."""
        self.level -= amount

    def remaining(self) -> int:
        return max(0, math.floor(self.level))

    def seconds_to_full(self) -> float:
        return max(0.0, (self.limit - self.level) / self.rate)
