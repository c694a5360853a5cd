"""SQL for the SQLite audit store (``audit.db``). Constants only; every value is bound as a parameter."""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_time ON records (time);
CREATE TABLE IF NOT EXISTS checkpoints (
    seq INTEGER PRIMARY KEY,
    log_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    time REAL NOT NULL,
    key_id TEXT NOT NULL,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS anchor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    log_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    time REAL NOT NULL,
    key_id TEXT NOT NULL,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    segment_id TEXT PRIMARY KEY,
    kek_id TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS signing_keys (public_key BLOB PRIMARY KEY);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seq INTEGER NOT NULL,
    quarantined_at REAL NOT NULL,
    reason TEXT NOT NULL,
    raw_sha256 TEXT NOT NULL,
    raw_body BLOB NOT NULL,
    raw_columns TEXT NOT NULL
);
"""

RECORD_COLUMNS = "seq, time, kind, record_id, body, hash"
CHECKPOINT_COLUMNS = "seq, log_id, hash, time, key_id, signature"

INSERT_RECORD = "INSERT INTO records (seq, time, kind, record_id, body, hash) VALUES (?, ?, ?, ?, ?, ?)"
INSERT_CHECKPOINT = f"INSERT OR IGNORE INTO checkpoints ({CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"  # noqa: S608
SET_ANCHOR = f"REPLACE INTO anchor (id, {CHECKPOINT_COLUMNS}) VALUES (1, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - constants
INSERT_SEGMENT = "INSERT OR IGNORE INTO segments (segment_id, kek_id, wrapped, created) VALUES (?, ?, ?, ?)"
INSERT_QUARANTINE = (
    "INSERT INTO quarantine (seq, quarantined_at, reason, raw_sha256, raw_body, raw_columns) VALUES (?, ?, ?, ?, ?, ?)"
)

HEAD = "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1"
ANCHOR_HEAD = "SELECT seq, hash FROM anchor WHERE id = 1"
LAST_RECORDS = f"SELECT {RECORD_COLUMNS} FROM records ORDER BY seq DESC LIMIT ?"  # noqa: S608 - constants only
PAGE = f"SELECT {RECORD_COLUMNS} FROM records WHERE seq > ? ORDER BY seq LIMIT ?"  # noqa: S608 - constants only
FIRST_PAGE = f"SELECT {RECORD_COLUMNS} FROM records ORDER BY seq LIMIT ?"  # noqa: S608 - constants only
BETWEEN = f"SELECT {RECORD_COLUMNS} FROM records WHERE seq BETWEEN ? AND ? ORDER BY seq"  # noqa: S608 - constants
CHECKPOINTS = f"SELECT {CHECKPOINT_COLUMNS} FROM checkpoints ORDER BY seq"  # noqa: S608 - constants only
CHECKPOINT_AT = f"SELECT {CHECKPOINT_COLUMNS} FROM checkpoints WHERE seq = ?"  # noqa: S608 - constants only
ANCHOR = f"SELECT {CHECKPOINT_COLUMNS} FROM anchor WHERE id = 1"  # noqa: S608 - constants only
QUARANTINE = "SELECT seq, quarantined_at, reason, raw_sha256, raw_body FROM quarantine ORDER BY id"

# Search: each filter is a fixed fragment with its own placeholders.
SEARCH_SELECT = f"SELECT {RECORD_COLUMNS} FROM records WHERE seq > ?"  # noqa: S608 - constants only
SEARCH_FILTERS: dict[str, str] = {
    "since": "time >= ?",
    "until": "time < ?",
    "subject": "json_extract(body, '$.fields.principal.subject') = ?",
    "team": "json_extract(body, '$.fields.principal.team') = ?",
    "model": "json_extract(body, '$.fields.model') = ?",
    "request_id": "json_extract(body, '$.fields.request_id') = ?",
    "status": "(CAST(json_extract(body, '$.fields.status') AS TEXT) = ? OR json_extract(body, '$.fields.outcome') = ?)",
}
