"""The embedded audit store: ``audit.db`` in the data directory (SQLite, WAL).

Every write runs in ``BEGIN IMMEDIATE``, which takes SQLite's single write lock before the head is read, so
processes sharing the file (the server and the CLI) each chain from the true head. ``sync`` durability sets
``synchronous=FULL`` (the WAL is fsynced at every commit). ``temp_store=MEMORY`` keeps SQLite from spilling to temp
files and ``secure_delete`` overwrites purged rows. Text is read back as raw bytes so corrupted rows still come out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from wardgate.audit import sqlite_schema as sql
from wardgate.audit.chain import Checkpoint, Head, RawCheckpoint, genesis_hash, hex_digest, integer, text
from wardgate.audit.crypto import SegmentKey
from wardgate.audit.errors import AuditFormatError
from wardgate.audit.store import (
    NewRecord,
    QuarantinedRow,
    RawQuarantine,
    RawRecord,
    RawSegment,
    RecordQuery,
)
from wardgate.errors import StorageError

_PAGE = 2000
AUDIT_DB = "audit.db"


def _record(row: tuple[object, ...]) -> RawRecord:
    return RawRecord(*row)


def _checkpoint(row: tuple[object, ...]) -> RawCheckpoint:
    return RawCheckpoint(*row)


def _checkpoint_row(cp: Checkpoint) -> tuple[object, ...]:
    return (cp.seq, cp.log_id, cp.hash, cp.time, cp.key_id, cp.signature)


def _head(row: tuple[object, ...]) -> Head:
    digest = hex_digest(text(row[1], "head hash"), "head hash")
    return Head(integer(row[0], "head seq"), bytes.fromhex(digest))


def _raw_bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else repr(value).encode()


class _Transaction:
    """One ``BEGIN IMMEDIATE`` transaction (implements :class:`~wardgate.audit.store.AuditTransaction`)."""

    def __init__(self, conn: sqlite3.Connection, log_id: str) -> None:
        self._conn = conn
        self._log_id = log_id

    def head(self) -> Head:
        row = self._conn.execute(sql.HEAD).fetchone()
        return _head(row) if row is not None else self.base()

    def base(self) -> Head:
        row = self._conn.execute(sql.ANCHOR_HEAD).fetchone()
        return _head(row) if row is not None else Head(0, genesis_hash(self._log_id))

    def last_records(self, count: int) -> list[RawRecord]:
        rows = self._conn.execute(sql.LAST_RECORDS, (count,)).fetchall()
        return [_record(row) for row in reversed(rows)]

    def insert_records(self, records: Sequence[NewRecord]) -> None:
        self._conn.executemany(
            sql.INSERT_RECORD, [(r.seq, r.time, r.kind, r.record_id, r.body, r.hash) for r in records]
        )

    def add_checkpoints(self, checkpoints: Sequence[Checkpoint]) -> None:
        self._conn.executemany(sql.INSERT_CHECKPOINT, [_checkpoint_row(cp) for cp in checkpoints])

    def latest_checkpoint_seq(self) -> int:
        row = self._conn.execute("SELECT max(seq) FROM checkpoints").fetchone()
        return int(row[0]) if row and isinstance(row[0], int) else 0

    def add_segments(self, segments: Sequence[SegmentKey]) -> None:
        rows = [(s.segment_id, s.kek_id, s.wrapped, s.created) for s in segments]
        self._conn.executemany(sql.INSERT_SEGMENT, rows)

    def quarantine(self, record: RawRecord, seq: int, reason: str, at: float) -> QuarantinedRow:
        body = _raw_bytes(record.body)
        digest = hashlib.sha256(body).hexdigest()
        columns = {
            "seq": repr(record.seq),
            "time": repr(record.time),
            "kind": _raw_bytes(record.kind).hex(),
            "record_id": _raw_bytes(record.record_id).hex(),
            "hash": _raw_bytes(record.hash).hex(),
        }
        self._conn.execute(sql.INSERT_QUARANTINE, (seq, at, reason, digest, body, json.dumps(columns)))
        self._conn.execute("DELETE FROM records WHERE seq = ?", (seq,))
        return QuarantinedRow(seq, at, reason, digest, body)

    def first_seq_at_or_after(self, time: float) -> int | None:
        row = self._conn.execute("SELECT min(seq) FROM records WHERE time >= ?", (time,)).fetchone()
        return int(row[0]) if row and isinstance(row[0], int) else None

    def checkpoint_at(self, seq: int) -> RawCheckpoint | None:
        row = self._conn.execute(sql.CHECKPOINT_AT, (seq,)).fetchone()
        return _checkpoint(row) if row is not None else None

    def checkpoint_seqs_before(self, seq: int) -> list[int]:
        rows = self._conn.execute("SELECT seq FROM checkpoints WHERE seq < ? ORDER BY seq", (seq,)).fetchall()
        return [int(row[0]) for row in rows]

    def records_between(self, first: int, last: int) -> list[RawRecord]:
        return [_record(row) for row in self._conn.execute(sql.BETWEEN, (first, last)).fetchall()]

    def purge_through(self, anchor: Checkpoint) -> int:
        deleted = self._conn.execute("DELETE FROM records WHERE seq <= ?", (anchor.seq,)).rowcount
        self._conn.execute("DELETE FROM checkpoints WHERE seq < ?", (anchor.seq,))
        self._conn.execute("DELETE FROM quarantine WHERE seq <= ?", (anchor.seq,))
        self._conn.execute(sql.SET_ANCHOR, _checkpoint_row(anchor))
        return int(deleted)


class SqliteAuditStore:
    """:class:`~wardgate.audit.store.AuditStore` on one SQLite file. One connection, guarded by a lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        durability: Literal["sync", "async"] = "sync",
        busy_timeout: float = 30.0,
    ) -> SqliteAuditStore:
        """Open ``path``; with ``create`` make the file (0600), the schema and the log id if they are missing."""
        if not create and not path.exists():
            raise StorageError(f"no audit log at {path}")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch(mode=0o600, exist_ok=True)
                path.chmod(0o600)  # before connecting: SQLite gives the -wal/-shm files the database file's mode
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            conn.text_factory = bytes
            conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            conn.execute("PRAGMA synchronous=" + ("FULL" if durability == "sync" else "NORMAL"))
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute("PRAGMA secure_delete=ON")
            if create:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(sql.SCHEMA)
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('log_id', ?)", (os.urandom(16).hex(),))
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open audit store at {path}: {type(exc).__name__}") from exc
        return cls(conn, path)

    @property
    def path(self) -> Path:
        return self._path

    def _fetch(self, query: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return self._conn.execute(query, params).fetchall()
            except sqlite3.Error as exc:
                raise StorageError(f"audit store read failed ({type(exc).__name__})") from exc

    def log_id(self) -> str | None:
        try:
            rows = self._fetch("SELECT value FROM meta WHERE key = 'log_id'")
        except StorageError:
            return None
        if not rows:
            return None
        value = rows[0][0]
        # A damaged id is still returned (never a crash): it no longer derives the genesis hash, which verify reports.
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        log_id = self.log_id()
        if log_id is None:
            raise AuditFormatError("the audit store has no log id")
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(f"audit store write lock failed ({type(exc).__name__})") from exc
            try:
                yield _Transaction(self._conn, log_id)
                self._conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full)
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StorageError(f"audit store write failed ({type(exc).__name__})") from exc
                raise

    def register_signing_key(self, public_raw: bytes) -> None:
        with self._lock:
            try:
                self._conn.execute("INSERT OR IGNORE INTO signing_keys (public_key) VALUES (?)", (public_raw,))
            except sqlite3.Error as exc:
                raise StorageError(f"audit store write failed ({type(exc).__name__})") from exc

    def signing_keys(self) -> list[bytes]:
        return [row[0] for row in self._fetch("SELECT public_key FROM signing_keys") if isinstance(row[0], bytes)]

    def iter_records(self, after_seq: int | None = None) -> Iterator[RawRecord]:
        rows = self._fetch(sql.FIRST_PAGE, (_PAGE,)) if after_seq is None else self._fetch(sql.PAGE, (after_seq, _PAGE))
        while rows:
            yield from (_record(row) for row in rows)
            last = rows[-1][0]
            if len(rows) < _PAGE or not isinstance(last, int):
                return
            rows = self._fetch(sql.PAGE, (last, _PAGE))

    def search(self, query: RecordQuery) -> Iterator[RawRecord]:
        clauses: list[str] = [sql.SEARCH_SELECT]
        params: list[object] = [query.after_seq]
        for name, fragment in sql.SEARCH_FILTERS.items():
            value = getattr(query, name)
            if value is not None:
                clauses.append(fragment)
                params.extend([value] * fragment.count("?"))
        if query.kinds:
            clauses.append("kind IN (" + ", ".join("?" * len(query.kinds)) + ")")
            params.extend(query.kinds)
        statement = " AND ".join(clauses) + (" ORDER BY seq DESC" if query.newest_first else " ORDER BY seq")
        if query.limit is not None:
            statement += " LIMIT ?"
            params.append(query.limit)
        yield from (_record(row) for row in self._fetch(statement, params))

    def checkpoints(self) -> list[RawCheckpoint]:
        return [_checkpoint(row) for row in self._fetch(sql.CHECKPOINTS)]

    def anchor(self) -> RawCheckpoint | None:
        rows = self._fetch(sql.ANCHOR)
        return _checkpoint(rows[0]) if rows else None

    def segments(self) -> list[RawSegment]:
        return [RawSegment(*row) for row in self._fetch("SELECT segment_id, kek_id, wrapped, created FROM segments")]

    def replace_wrapping(self, old: SegmentKey, new: SegmentKey) -> bool:
        with self._lock:
            try:
                cur = self._conn.execute(
                    "UPDATE segments SET kek_id = ?, wrapped = ? WHERE segment_id = ? AND kek_id = ? AND wrapped = ?",
                    (new.kek_id, new.wrapped, old.segment_id, old.kek_id, old.wrapped),
                )
            except sqlite3.Error as exc:
                raise StorageError(f"audit store write failed ({type(exc).__name__})") from exc
            return cur.rowcount == 1

    def quarantined(self) -> list[RawQuarantine]:
        return [RawQuarantine(*row) for row in self._fetch(sql.QUARANTINE)]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
