"""Retention purge: cut at a signed checkpoint, keep it as the anchor, and still verify from there."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from support.audit_logs import audit_config, build_log, open_store
from wardgate.audit import AUDIT_DB, AuditError, AuditLog, VerifyReport, purge, verify
from wardgate.audit.chain import Checkpoint, checkpoint_from_json
from wardgate.audit.checkpoints import export_lines

T0 = 1_700_000_000.0  # request_event(i) has time T0 + i and lands at seq i + 1


def _log(tmp_path: Path, count: int = 333, capture: str = "none") -> Path:
    build_log(tmp_path, count, config=audit_config(capture, checkpoint_every_records=50))
    return tmp_path


def _purge(data_dir: Path, before: float) -> tuple[int | None, int]:
    store = open_store(data_dir)
    try:
        result = purge(store, before)
    finally:
        store.close()
    return result.anchor_seq, result.deleted


def _report(data_dir: Path, exported: Sequence[Checkpoint] = ()) -> VerifyReport:
    store = open_store(data_dir)
    try:
        return verify(store, exported=exported)
    finally:
        store.close()


def test_purge_cuts_at_the_last_checkpoint_before_the_cutoff(tmp_path: Path) -> None:
    data_dir = _log(tmp_path)
    assert _purge(data_dir, T0 + 120) == (100, 100)  # seq 121 is the first newer record; checkpoint 100 is below it
    report = _report(data_dir)
    assert report.ok, report.problem
    assert (report.anchor_seq, report.first_seq, report.last_seq) == (100, 101, 333)


def test_the_log_keeps_growing_and_verifying_after_a_purge(tmp_path: Path) -> None:
    data_dir = _log(tmp_path)
    store = open_store(data_dir)
    exported = [checkpoint_from_json(line)[0] for line in export_lines(store)]
    store.close()
    _purge(data_dir, T0 + 220)
    build_log(data_dir, 20, config=audit_config("none", checkpoint_every_records=50))
    assert _purge(data_dir, T0 + 260) == (250, 50)  # a second purge moves the anchor forward
    report = _report(data_dir, exported=exported)  # checkpoints from before the purge: older ones are skipped
    assert report.ok, report.problem
    assert report.records_checked == 333 - 250 + 20


def test_nothing_to_purge(tmp_path: Path) -> None:
    data_dir = _log(tmp_path, 40)  # no checkpoint below seq 41 except the close checkpoint at 40
    assert _purge(data_dir, T0 + 10) == (None, 0)
    assert _report(data_dir).records_checked == 40


def _sql(data_dir: Path, statement: str, *params: object) -> None:
    conn = sqlite3.connect(data_dir / AUDIT_DB)
    conn.execute(statement, params)
    conn.commit()
    conn.close()


def test_a_log_without_its_anchor_is_rejected(tmp_path: Path) -> None:
    data_dir = _log(tmp_path)
    _purge(data_dir, T0 + 120)
    _sql(data_dir, "DELETE FROM anchor")
    problem = _report(data_dir).problem
    assert problem is not None and (problem.seq, problem.code) == (1, "unanchored")


def test_a_forged_anchor_is_rejected(tmp_path: Path) -> None:
    data_dir = _log(tmp_path)
    _purge(data_dir, T0 + 120)
    _sql(data_dir, "UPDATE anchor SET hash = ?", "0" * 64)
    problem = _report(data_dir).problem
    assert problem is not None and (problem.seq, problem.code) == (101, "bad_anchor")


def test_a_purged_record_put_back_is_rejected(tmp_path: Path) -> None:
    data_dir = _log(tmp_path)
    conn = sqlite3.connect(data_dir / AUDIT_DB)
    old = conn.execute("SELECT * FROM records WHERE seq = 60").fetchone()
    conn.close()
    _purge(data_dir, T0 + 120)
    _sql(data_dir, "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", *old)
    problem = _report(data_dir).problem
    assert problem is not None and (problem.seq, problem.code) == (60, "unexpected_row")


def test_purge_refuses_when_the_records_do_not_verify(tmp_path: Path) -> None:
    data_dir = _log(tmp_path)
    _sql(data_dir, "UPDATE records SET hash = ? WHERE seq = 30", "0" * 64)
    with pytest.raises(AuditError, match="purge refused"):
        _purge(data_dir, T0 + 120)
    assert _report(data_dir).problem is not None
    store = open_store(data_dir)
    assert store.anchor() is None
    store.close()


def test_purged_content_is_gone_from_the_file(tmp_path: Path) -> None:
    data_dir = tmp_path
    build_log(data_dir, 120, config=audit_config("redacted", checkpoint_every_records=50), sealed_every=1)
    assert b'prompt number 7"' in (data_dir / AUDIT_DB).read_bytes()
    assert _purge(data_dir, T0 + 60) == (50, 50)
    with AuditLog.open(audit_config("none"), data_dir):  # a writer's connection checkpoints the WAL on close
        pass
    conn = sqlite3.connect(data_dir / AUDIT_DB)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    image = b"".join(p.read_bytes() for p in data_dir.iterdir() if p.name.startswith(AUDIT_DB))
    assert b'prompt number 7"' not in image  # secure_delete: the purged rows' bytes were overwritten
    assert b'prompt number 77"' in image
