"""Embedded default store: one SQLite file in the data directory (WAL mode)."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from wardgate.config.models import Limits
from wardgate.errors import StorageError
from wardgate.storage.base import KeyRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    owner TEXT,
    team TEXT,
    role TEXT NOT NULL,
    allowed_models TEXT NOT NULL,
    allowed_tools TEXT NOT NULL,
    limits TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    revoked_at TEXT,
    previous_hash TEXT,
    previous_valid_until TEXT,
    metadata TEXT NOT NULL DEFAULT '{}'
);
"""

_COLUMNS = (
    "key_id, secret_hash, name, owner, team, role, allowed_models, allowed_tools, limits, created_at, "
    "expires_at, disabled, revoked_at, previous_hash, previous_valid_until, metadata"
)


_PLACEHOLDERS = ", ".join("?" * 16)
_INSERT = f"INSERT INTO api_keys ({_COLUMNS}) VALUES ({_PLACEHOLDERS})"  # noqa: S608 - constants only
_REPLACE = f"REPLACE INTO api_keys ({_COLUMNS}) VALUES ({_PLACEHOLDERS})"  # noqa: S608 - constants only
_GET = f"SELECT {_COLUMNS} FROM api_keys WHERE key_id = ?"  # noqa: S608 - constants only
_LIST = f"SELECT {_COLUMNS} FROM api_keys ORDER BY created_at, key_id"  # noqa: S608 - constants only


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _to_row(r: KeyRecord) -> tuple[object, ...]:
    return (
        r.key_id,
        r.secret_hash,
        r.name,
        r.owner,
        r.team,
        r.role,
        json.dumps(list(r.allowed_models)),
        json.dumps(list(r.allowed_tools)),
        r.limits.model_dump_json(exclude_none=True) if r.limits is not None else None,
        _ts(r.created_at),
        _ts(r.expires_at),
        int(r.disabled),
        _ts(r.revoked_at),
        r.previous_hash,
        _ts(r.previous_valid_until),
        json.dumps(r.metadata),
    )


def _from_row(row: sqlite3.Row) -> KeyRecord:
    created = _dt(row["created_at"])
    if created is None:  # pragma: no cover - NOT NULL column
        raise StorageError("api_keys row without created_at")
    return KeyRecord(
        key_id=row["key_id"],
        secret_hash=row["secret_hash"],
        name=row["name"],
        owner=row["owner"],
        team=row["team"],
        role=row["role"],
        allowed_models=tuple(json.loads(row["allowed_models"])),
        allowed_tools=tuple(json.loads(row["allowed_tools"])),
        limits=Limits.model_validate_json(row["limits"]) if row["limits"] else None,
        created_at=created,
        expires_at=_dt(row["expires_at"]),
        disabled=bool(row["disabled"]),
        revoked_at=_dt(row["revoked_at"]),
        previous_hash=row["previous_hash"],
        previous_valid_until=_dt(row["previous_valid_until"]),
        metadata=json.loads(row["metadata"]),
    )


class SqliteStore:
    """A :class:`~wardgate.storage.base.KeyStore` on a local SQLite file.

    Point lookups by primary key take microseconds, so they run inline; the lock makes the one connection safe to
    share between the event loop and worker threads.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # before connecting: SQLite gives the -wal/-shm files the database file's mode
        try:
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            self._conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open SQLite store at {path}: {type(exc).__name__}") from exc
        self._lock = threading.Lock()

    def add_key(self, record: KeyRecord) -> None:
        with self._lock:
            try:
                self._conn.execute(_INSERT, _to_row(record))
            except sqlite3.IntegrityError as exc:
                raise StorageError("key id already exists") from exc

    def get_key(self, key_id: str) -> KeyRecord | None:
        with self._lock:
            row = self._conn.execute(_GET, (key_id,)).fetchone()
        return _from_row(row) if row is not None else None

    def list_keys(self) -> list[KeyRecord]:
        with self._lock:
            rows = self._conn.execute(_LIST).fetchall()
        return [_from_row(row) for row in rows]

    def replace_key(self, record: KeyRecord) -> None:
        with self._lock:
            cur = self._conn.execute(_REPLACE, _to_row(record))
            if cur.rowcount == 0:  # pragma: no cover - REPLACE always writes
                raise StorageError("key not found")

    def close(self) -> None:
        with self._lock:
            self._conn.close()
