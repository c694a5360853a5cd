"""Audit log speed: ``verify`` over a 10^5-record log, and append throughput in sync and async durability.

    .venv/bin/python bench/audit_verify.py [--records 100000] [--rounds 3] [--sync-records 20000]

The log is built in a temp dir with request-shaped metadata; every third record carries content, sealed with
AES-256-GCM (``capture: encrypted``), and a signed checkpoint is written every 1,000 records. ``verify`` is timed
as wall and process CPU time (median of ``--rounds``; one core: the walk is single-threaded). Append throughput:
``sync`` with every append in flight at once (group commit: one fsync per batch) and one at a time (one fsync
per record), and ``async`` (returns once queued; the clock stops when ``close`` has drained the queue).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from wardgate.audit import AUDIT_DB, AuditConfig, AuditEvent, AuditLog, Keyring, SqliteAuditStore, verify


def _config(durability: str) -> AuditConfig:
    return AuditConfig.model_validate(
        {
            "capture": "encrypted",
            "durability": durability,
            "keks": [{"id": "k1", "env": "UNUSED_BENCH_KEK"}],
            "active_kek": "k1",
        }
    )


def _event(i: int) -> AuditEvent:
    fields = {
        "request_id": os.urandom(16).hex(),
        "principal": {"subject": f"key{i % 50:04d}", "team": f"team-{i % 7}", "kind": "key", "role": "user"},
        "route": "/v1/chat/completions",
        "model": "gpt-4o-mini",
        "upstream": "openai",
        "status": 200,
        "decision": {"action": "allow", "findings": [{"kind": "pii.email", "start": 10, "end": 27, "score": 0.98}]},
        "timings": {"auth": 0.0002, "scan_input": 0.0011, "upstream": 0.412, "total": 0.415},
        "usage": {"prompt_tokens": 120, "completion_tokens": 48},
        "gateway_version": "0.1.0",
    }
    content = {"prompt": [{"role": "user", "text": f"question {i} " * 20}], "answer": "an answer " * 20}
    return AuditEvent("request", fields, content if i % 3 == 0 else None)


async def _append_all(log: AuditLog, events: list[AuditEvent]) -> None:
    await asyncio.gather(*(log.append(event) for event in events))


async def _append_serial(log: AuditLog, events: list[AuditEvent]) -> None:
    for event in events:
        await log.append(event)


def _keyring() -> Keyring:
    return Keyring({"k1": os.urandom(32)}, "k1")


def _rate(directory: Path, durability: str, count: int, serial: bool = False) -> float:
    events = [_event(i) for i in range(count)]
    log = AuditLog.open(_config(durability), directory, keyring=_keyring())
    started = time.perf_counter()
    try:
        asyncio.run(_append_serial(log, events) if serial else _append_all(log, events))
    finally:
        log.close()
    return count / (time.perf_counter() - started)


def _build(directory: Path, count: int) -> None:
    log = AuditLog.open(_config("async"), directory, keyring=_keyring())
    try:
        for start in range(0, count, 10_000):
            asyncio.run(_append_all(log, [_event(i) for i in range(start, min(count, start + 10_000))]))
    finally:
        log.close()


def _verify_times(directory: Path, rounds: int) -> tuple[float, float, int]:
    walls: list[float] = []
    cpus: list[float] = []
    checked = 0
    for _ in range(rounds):
        store = SqliteAuditStore.open(directory / AUDIT_DB, create=False)
        started, started_cpu = time.perf_counter(), time.process_time()
        report = verify(store)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
        store.close()
        if not report.ok:
            raise SystemExit(f"verify failed: {report.problem}")
        checked = report.records_checked
    return statistics.median(walls), statistics.median(cpus), checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sync-records", type=int, default=20_000)
    parser.add_argument("--serial-records", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardgate-audit-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        _build(root / "log", args.records)
        built = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (root / "log").iterdir()) / 1e6
        wall, cpu, checked = _verify_times(root / "log", args.rounds)
        rows = [
            (f"build {args.records:,} records (async)", f"{built:.2f} s", f"{size:.1f} MB on disk"),
            (f"verify {checked:,} records (median of {args.rounds})", f"{wall:.2f} s", f"{cpu:.2f} s CPU"),
            ("verify rate", f"{checked / wall:,.0f} records/s", ""),
            ("append, sync, all in flight", f"{_rate(root / 's', 'sync', args.sync_records):,.0f} records/s", ""),
            (
                "append, sync, one at a time",
                f"{_rate(root / 'o', 'sync', args.serial_records, True):,.0f} records/s",
                "",
            ),
            ("append, async", f"{_rate(root / 'a', 'async', args.sync_records):,.0f} records/s", ""),
        ]
    print("| measurement | result | note |")
    print("|---|--:|---|")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")


if __name__ == "__main__":
    main()
