"""The writer: group commit, several writers on one file, durability modes, failures, torn tails."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from support.audit_logs import append_all, audit_config, build_log, keyring, open_store, request_event
from wardgate.audit import (
    AUDIT_DB,
    AuditClosedError,
    AuditConfig,
    AuditError,
    AuditEvent,
    AuditLog,
    AuditOverloadedError,
    AuditStore,
    AuditTransaction,
    RecordQuery,
    SqliteAuditStore,
    verify,
)
from wardgate.audit.signing import Signer
from wardgate.errors import StorageError

ROOT = Path(__file__).resolve().parents[2]


class GatedStore:
    """Delegates to a real store; counts write transactions and can hold them at a gate or make them fail."""

    def __init__(self, inner: SqliteAuditStore) -> None:
        self.inner = inner
        self.transactions = 0
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.fail = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    @contextmanager
    def _tx(self) -> Iterator[AuditTransaction]:
        self.entered.set()
        if not self.gate.wait(10):
            raise TimeoutError("gate never opened")
        if self.fail:
            raise sqlite3.OperationalError("disk I/O error")
        self.transactions += 1
        with self.inner.transaction() as tx:
            yield tx

    def transaction(self) -> AbstractContextManager[AuditTransaction]:
        return self._tx()


def _gated(tmp_path: Path, config: AuditConfig) -> tuple[AuditLog, GatedStore]:
    store = GatedStore(SqliteAuditStore.open(tmp_path / AUDIT_DB))
    signer = Signer.load_or_create(tmp_path / "signing.key")
    inner: AuditStore = store  # type: ignore[assignment]
    log = AuditLog(inner, config, signer, keyring())
    log.start()
    return log, store


def _verified(data_dir: Path) -> int:
    store = open_store(data_dir)
    try:
        report = verify(store)
    finally:
        store.close()
    assert report.ok, report.problem
    return report.records_checked


async def test_concurrent_appends_get_consecutive_seqs_in_few_commits(tmp_path: Path) -> None:
    log, store = _gated(tmp_path, audit_config(max_batch_records=256))
    try:
        store.gate.clear()  # hold the writer so the appends pile up
        tasks = [asyncio.ensure_future(log.append(request_event(i, f"p{i}"))) for i in range(1000)]
        await asyncio.sleep(0)
        store.gate.set()
        seqs = await asyncio.gather(*tasks)
    finally:
        await log.aclose()
    assert sorted(s for s in seqs if s is not None) == list(range(1, 1001))
    assert store.transactions <= 12  # 1000 records in batches of at most 256 (+ start-up and the final checkpoint)
    assert _verified(tmp_path) == 1000


def test_append_sync_returns_the_seq(tmp_path: Path) -> None:
    with AuditLog.open(audit_config("none"), tmp_path) as log:
        assert [log.append_sync(request_event(i)) for i in range(3)] == [1, 2, 3]
    assert _verified(tmp_path) == 3


async def test_async_durability_returns_before_the_write(tmp_path: Path) -> None:
    log, store = _gated(tmp_path, audit_config(durability="async"))
    store.gate.clear()
    results = await append_all(log, [request_event(i) for i in range(50)])
    assert results == [None] * 50
    store.gate.set()
    await log.aclose()  # close drains the queue
    assert _verified(tmp_path) == 50


def test_a_full_queue_refuses_instead_of_growing(tmp_path: Path) -> None:
    log, store = _gated(tmp_path, audit_config(durability="async", queue_max_records=1))
    try:
        store.entered.clear()
        store.gate.clear()
        asyncio.run(log.append(request_event(0)))
        assert store.entered.wait(5)  # the writer holds the first record at the gate
        asyncio.run(log.append(request_event(1)))  # queued
        with pytest.raises(AuditOverloadedError):
            asyncio.run(log.append(request_event(2)))
    finally:
        store.gate.set()
        log.close()
    assert _verified(tmp_path) == 2


async def test_a_failed_commit_reaches_every_waiter(tmp_path: Path) -> None:
    log, store = _gated(tmp_path, audit_config())
    store.fail = True
    try:
        with pytest.raises(StorageError, match="OperationalError"):
            await log.append(request_event(1, "secret prompt"))
        assert log.failed_records == 1
        store.fail = False
        assert await log.append(request_event(2, "next")) == 1  # the writer carries on; nothing was half-written
    finally:
        await log.aclose()


def test_append_after_close_is_refused(tmp_path: Path) -> None:
    log = AuditLog.open(audit_config("none"), tmp_path)
    log.close()
    log.close()  # idempotent
    with pytest.raises(AuditClosedError):
        log.append_sync(request_event(1))


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(AuditEvent("request", {"bad": {1, 2}}), id="set-in-fields"),
        pytest.param(AuditEvent("request", {"x": float("nan")}), id="nan"),
        pytest.param(AuditEvent("bogus", {}), id="kind"),  # type: ignore[arg-type]
        pytest.param(AuditEvent("request", {}, {"prompt": object()}), id="content"),
        pytest.param(AuditEvent("request", {}, record_id=""), id="record-id"),
        pytest.param(AuditEvent("request", {}, time=float("inf")), id="time"),
    ],
)
def test_invalid_events_fail_for_the_caller_only(event: AuditEvent, tmp_path: Path) -> None:
    with AuditLog.open(audit_config(), tmp_path, keyring=keyring()) as log:
        with pytest.raises(AuditError) as info:
            log.append_sync(event)
        assert "object at" not in str(info.value)
        assert log.append_sync(request_event(1)) == 1


def test_checkpoints_every_n_and_on_close(tmp_path: Path) -> None:
    build_log(tmp_path, 23, config=audit_config("none", checkpoint_every_records=10))
    store = open_store(tmp_path)
    try:
        seqs = [cp.seq for cp in store.checkpoints()]
    finally:
        store.close()
    assert seqs == [10, 20, 23]


def test_two_writers_in_one_process_make_one_chain(tmp_path: Path) -> None:
    config = audit_config("none")
    first, second = AuditLog.open(config, tmp_path), AuditLog.open(config, tmp_path)

    def write(log: AuditLog, tag: str) -> None:
        for i in range(200):
            log.append_sync(request_event(i, subject=tag))

    threads = [threading.Thread(target=write, args=(log, tag)) for log, tag in ((first, "a"), (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    first.close()
    second.close()
    assert _verified(tmp_path) == 400


_CHILD = """
import sys
from pathlib import Path
from wardgate.audit import AuditConfig, AuditEvent, AuditLog
with AuditLog.open(AuditConfig(checkpoint_every_records=7), Path(sys.argv[1])) as log:
    for i in range(int(sys.argv[2])):
        log.append_sync(AuditEvent("admin", {"actor": "child", "action": "x", "i": i}))
"""


def test_a_second_process_interleaves_into_the_same_chain(tmp_path: Path) -> None:
    config = audit_config("none", checkpoint_every_records=5)
    log = AuditLog.open(config, tmp_path)
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(tmp_path), "150"], cwd=ROOT)
    try:
        for i in range(150):
            log.append_sync(request_event(i))
        assert child.wait(60) == 0
    finally:
        log.close()
    assert _verified(tmp_path) == 300


def _corrupt_last(data_dir: Path, body: str | bytes, drop_checkpoint: bool) -> int:
    conn = sqlite3.connect(data_dir / AUDIT_DB)
    (last,) = conn.execute("SELECT max(seq) FROM records").fetchone()
    conn.execute("UPDATE records SET body = ? WHERE seq = ?", (body, last))
    if drop_checkpoint:  # as after a crash: the close-time checkpoint was never written
        conn.execute("DELETE FROM checkpoints WHERE seq = ?", (last,))
    conn.commit()
    conn.close()
    return int(last)


@pytest.mark.parametrize("body", [pytest.param('{"v":1,"seq"', id="torn-json"), pytest.param(b"\x00\xff", id="bytes")])
def test_a_torn_tail_is_quarantined_and_reported(body: str | bytes, tmp_path: Path) -> None:
    build_log(tmp_path, 30, config=audit_config("none", checkpoint_every_records=25))
    last = _corrupt_last(tmp_path, body, drop_checkpoint=True)
    with AuditLog.open(audit_config("none"), tmp_path) as log:
        assert [row.seq for row in log.quarantined] == [last]
        assert log.append_sync(request_event(99)) == last + 1
    store = open_store(tmp_path)
    try:
        report = verify(store)
        notices = list(store.search(RecordQuery(kinds=("system",))))
    finally:
        store.close()
    assert report.problem is None
    assert report.exit_code == 3
    assert [q.seq for q in report.quarantined] == [last]
    assert len(notices) == 1


def test_a_torn_tail_under_a_checkpoint_is_an_integrity_failure(tmp_path: Path) -> None:
    build_log(tmp_path, 30, config=audit_config("none", checkpoint_every_records=25))
    last = _corrupt_last(tmp_path, '{"v":1}', drop_checkpoint=False)
    AuditLog.open(audit_config("none"), tmp_path).close()
    store = open_store(tmp_path)
    try:
        report = verify(store)
    finally:
        store.close()
    assert report.exit_code == 1
    assert report.problem is not None and report.problem.seq == last


def test_the_database_and_signing_key_are_private(tmp_path: Path) -> None:
    AuditLog.open(audit_config("none"), tmp_path).close()
    assert (tmp_path / AUDIT_DB).stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "audit_signing.key").stat().st_mode & 0o777 == 0o600
