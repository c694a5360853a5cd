"""``AuditTrail``: what the request path holds of the audit log (append, capture mode, acknowledgement rule)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from wardgate.audit.config import AuditConfig
from wardgate.audit.record import AuditEvent
from wardgate.audit.redaction import redact_content
from wardgate.audit.request_event import policy_version
from wardgate.audit.writer import AuditLog
from wardgate.config.models import GatewayConfig
from wardgate.scanners.registry import ScannerSet

INLINE_REDACT_CHARS = 2048
"""Captured text up to this size is redacted on the event loop; more goes to a worker thread."""


class AuditTrail:
    def __init__(self, log: AuditLog, config: AuditConfig, policy: str, scanners: ScannerSet | None = None) -> None:
        self.log = log
        self.config = config
        self.policy_version = policy
        self.captures = config.capture != "none"
        """Handlers collect prompt and answer text for the record."""
        self.holds_responses = config.durability == "sync"
        """A response completes at the client only after its record is durable."""
        self._scanners = scanners or ScannerSet()

    @classmethod
    def open(cls, config: GatewayConfig, data_dir: Path) -> AuditTrail | None:
        if not config.audit.enabled:
            return None
        return cls(AuditLog.open(config.audit, data_dir), config.audit, policy_version(config.guardrails))

    async def append(self, event: AuditEvent) -> None:
        if self.config.capture == "redacted" and event.content is not None:
            if _size(event) <= INLINE_REDACT_CHARS:
                content = redact_content(event.content, self._scanners)
            else:
                content = await asyncio.to_thread(redact_content, event.content, self._scanners)
            event = dataclasses.replace(event, content=content)
        await self.log.append(event)

    async def aclose(self) -> None:
        await self.log.aclose()


def _size(event: AuditEvent) -> int:
    total = 0
    for value in (event.content or {}).values():
        for item in value if isinstance(value, list) else ():
            if isinstance(item, dict):
                total += sum(len(v) for v in item.values() if isinstance(v, str))
    return total
