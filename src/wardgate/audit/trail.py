"""``AuditTrail``: what the request path holds of the audit log (append, capture mode, acknowledgement rule)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from wardgate.audit.config import AuditConfig
from wardgate.audit.record import AuditEvent
from wardgate.audit.redaction import CATEGORIES, redact_content
from wardgate.audit.request_event import policy_version
from wardgate.audit.writer import AuditLog
from wardgate.config.models import GatewayConfig
from wardgate.scanners.registry import ScannerSet


class AuditTrail:
    def __init__(
        self, log: AuditLog, config: AuditConfig, policy: str, scanners: ScannerSet, inline_chars: int
    ) -> None:
        self.log = log
        self.config = config
        self.policy_version = policy
        self.captures = config.capture != "none"
        """Handlers collect prompt and answer text for the record."""
        self.holds_responses = config.durability == "sync"
        """A response completes at the client only after its record is durable."""
        self._scanners = scanners
        self._inline_chars = inline_chars

    @classmethod
    def open(cls, config: GatewayConfig, data_dir: Path, scanners: ScannerSet) -> AuditTrail | None:
        """``scanners``: the process's scanner set, shared with the guardrails (one copy of every detector)."""
        if not config.audit.enabled:
            return None
        log = AuditLog.open(config.audit, data_dir)
        policy = policy_version(config.guardrails)
        return cls(log, config.audit, policy, scanners, config.guardrails.inline_scan_chars)

    def warm(self) -> None:
        """Build the detectors that ``redacted`` capture runs, at startup rather than on the first request."""
        if self.config.capture == "redacted":
            for category in CATEGORIES:
                self._scanners.get(category)

    async def append(self, event: AuditEvent) -> None:
        # Captured text is redacted and encoded off the event loop once it is larger than what the guardrails
        # scan inline (the same bound: ``guardrails.inline_scan_chars``).
        large = event.content is not None and _size(event) > self._inline_chars
        if self.config.capture == "redacted" and event.content is not None:
            if large:
                content = await asyncio.to_thread(redact_content, event.content, self._scanners)
            else:
                content = redact_content(event.content, self._scanners)
            event = dataclasses.replace(event, content=content)
        await self.log.append(event, offload=large)

    async def aclose(self) -> None:
        await self.log.aclose()


def _size(event: AuditEvent) -> int:
    total = 0
    for value in (event.content or {}).values():
        for item in value if isinstance(value, list) else ():
            if isinstance(item, dict):
                total += sum(len(v) for v in item.values() if isinstance(v, str))
    return total
