"""Building audit logs for tests: fixed KEKs, configs, events, and a filled log on disk."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from wardgate.audit import AUDIT_DB, AuditConfig, AuditEvent, AuditLog, Keyring, SqliteAuditStore

KEK_OLD = bytes(range(32))
KEK_NEW = bytes(range(100, 132))


def keyring(active: str = "k1", **keys: bytes) -> Keyring:
    return Keyring(keys or {"k1": KEK_OLD}, active)


def audit_config(capture: str = "encrypted", kek_ids: tuple[str, ...] = ("k1",), **over: Any) -> AuditConfig:
    """A config naming KEKs by env var; tests pass the :class:`Keyring` itself, so the env is never read."""
    keks = [{"id": kek_id, "env": f"TEST_AUDIT_KEK_{kek_id.upper()}"} for kek_id in kek_ids]
    data: dict[str, Any] = {"capture": capture, **over}
    if capture == "encrypted" or over.get("active_kek"):
        data.setdefault("keks", keks)
        data.setdefault("active_kek", kek_ids[0])
    return AuditConfig.model_validate(data)


def request_event(i: int, prompt: str | None = None, *, subject: str = "key-a", team: str = "red") -> AuditEvent:
    fields = {
        "request_id": f"req-{i}",
        "principal": {"subject": subject, "team": team},
        "model": "gpt-test" if i % 2 else "other-model",
        "status": 200 if i % 5 else 429,
        "findings": [{"kind": "pii.email", "start": 3, "end": 9, "score": 0.9}],
    }
    content = None if prompt is None else {"prompt": [{"role": "user", "text": prompt}], "answer": "ok"}
    return AuditEvent("request", fields, content, time=1_700_000_000.0 + i)


async def append_all(log: AuditLog, events: list[AuditEvent]) -> list[int | None]:
    return list(await asyncio.gather(*(log.append(event) for event in events)))


def build_log(
    data_dir: Path, count: int, *, config: AuditConfig | None = None, ring: Keyring | None = None, sealed_every: int = 3
) -> None:
    """A closed log of ``count`` request records; every ``sealed_every``-th carries content."""
    config = config or audit_config(checkpoint_every_records=50)
    events = [request_event(i, f"prompt number {i}" if i % sealed_every == 0 else None) for i in range(count)]
    log = AuditLog.open(config, data_dir, keyring=ring or keyring())
    try:
        asyncio.run(append_all(log, events))
    finally:
        log.close()


def open_store(data_dir: Path) -> SqliteAuditStore:
    return SqliteAuditStore.open(data_dir / AUDIT_DB, create=False)
