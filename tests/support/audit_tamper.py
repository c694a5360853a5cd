"""Mutations for the audit tamper harness. Each takes a connection to a fresh copy of the database and returns the
seq that ``verify`` must name as the first bad one (``None``: not applicable here, pick another)."""

from __future__ import annotations

import json
import random
import sqlite3
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from wardgate.audit.chain import link
from wardgate.audit.record import canonical_json

RECORD_COLUMNS = ("seq", "time", "kind", "record_id", "body", "hash")
CHECKPOINT_COLUMNS = ("seq", "log_id", "hash", "time", "key_id", "signature")
SEGMENT_COLUMNS = ("segment_id", "kek_id", "wrapped", "created")


@dataclass(frozen=True)
class Base:
    """What the harness knows about the untouched log."""

    rows: list[tuple[int, float, str, str, str, str]]
    sealed: list[int]
    """Seqs of records with sealed content."""
    segment_first: dict[str, int]
    """Segment id -> first seq sealed under it."""
    checkpoints: list[int]
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def head(self) -> int:
        return len(self.rows)


def flip(value: object, rng: random.Random) -> object | None:
    """``value`` with one random bit flipped, as the same SQLite type (``None`` if that gives an invalid value)."""
    if isinstance(value, int):
        flipped = value ^ (1 << rng.randrange(64))
        return flipped - (1 << 64) if flipped >= 1 << 63 else flipped
    if isinstance(value, float):
        (bits,) = struct.unpack("<Q", struct.pack("<d", value))
        (out,) = struct.unpack("<d", struct.pack("<Q", bits ^ (1 << rng.randrange(64))))
        return None if out != out else out  # NaN would be stored as NULL
    if not isinstance(value, str | bytes) or not value:
        return None
    raw = value.encode() if isinstance(value, str) else value
    data = bytearray(raw)
    data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    if isinstance(value, str):
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(data)  # not UTF-8 any more: written back as a BLOB
    return bytes(data)


def _update(conn: sqlite3.Connection, table: str, column: str, key: str, key_value: object, value: object) -> bool:
    try:
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (value, key_value))
    except sqlite3.IntegrityError:
        return False
    return True


def _read(conn: sqlite3.Connection, table: str, column: str, key: str, key_value: object) -> object:
    conn.text_factory = bytes if column not in ("seq",) else str
    try:
        return conn.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", (key_value,)).fetchone()[0]
    finally:
        conn.text_factory = str


def _text_or_blob(value: object) -> object:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def flip_record(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    seq = rng.randint(1, base.head)
    column = rng.choice(RECORD_COLUMNS)
    value = _read(conn, "records", column, "seq", seq)
    new = flip(value, rng)
    if new is None:
        return None
    if column == "seq" and isinstance(new, int) and 1 <= new <= base.head:
        return None  # would collide with another record
    new = _text_or_blob(new) if column in ("kind", "record_id", "body", "hash") else new
    return seq if _update(conn, "records", column, "seq", seq, new) else None


def flip_checkpoint(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    seq = rng.choice(base.checkpoints)
    column = rng.choice(CHECKPOINT_COLUMNS)
    new = flip(_read(conn, "checkpoints", column, "seq", seq), rng)
    if new is None or (column == "seq" and new in base.checkpoints):
        return None
    new = _text_or_blob(new) if column in ("log_id", "hash", "key_id") else new
    if not _update(conn, "checkpoints", column, "seq", seq, new):
        return None
    return new if column == "seq" and isinstance(new, int) else seq


def flip_segment(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    segment = rng.choice(sorted(base.segment_first))
    column = rng.choice(SEGMENT_COLUMNS)
    new = flip(_read(conn, "segments", column, "segment_id", segment), rng)
    if new is None:
        return None
    new = _text_or_blob(new) if column in ("segment_id", "kek_id") else new
    return base.segment_first[segment] if _update(conn, "segments", column, "segment_id", segment, new) else None


def flip_meta(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    log_id = conn.execute("SELECT value FROM meta WHERE key = 'log_id'").fetchone()[0]
    conn.execute("UPDATE meta SET value = ? WHERE key = 'log_id'", (_text_or_blob(flip(log_id, rng)),))
    return 1


def flip_signing_key(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    (key,) = conn.execute("SELECT public_key FROM signing_keys").fetchone()
    conn.execute("UPDATE signing_keys SET public_key = ?", (flip(key, rng),))
    return min(base.checkpoints)


def delete_rows(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    first = rng.randint(1, base.head - 1)
    last = min(base.head - 1, first + rng.randrange(5))
    conn.execute("DELETE FROM records WHERE seq BETWEEN ? AND ?", (first, last))
    return first


def _shift_from(conn: sqlite3.Connection, seq: int) -> None:
    conn.execute("UPDATE records SET seq = -seq WHERE seq >= ?", (seq,))
    conn.execute("UPDATE records SET seq = 1 - seq WHERE seq < 0")


def _insert(conn: sqlite3.Connection, row: tuple[object, ...]) -> None:
    conn.execute("INSERT INTO records (seq, time, kind, record_id, body, hash) VALUES (?, ?, ?, ?, ?, ?)", row)


def _forged_body(seq: int, rng: random.Random) -> str:
    fields = {"request_id": f"forged-{rng.randrange(10**6)}", "status": 200}
    return canonical_json(
        {"fields": fields, "kind": "request", "record_id": "f" * 32, "seq": seq, "time": 1.0e9, "v": 1}
    )


def insert_forged(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    """A made-up record; with ``chained`` the attacker also computes its hash correctly."""
    seq = rng.randint(1, base.head + 1)
    chained = seq <= base.head and rng.random() < 0.5
    body = _forged_body(seq, rng)
    if chained:
        prev = bytes.fromhex(base.rows[seq - 2][5]) if seq > 1 else bytes.fromhex(str(base.extra["genesis"]))
        digest = link(prev, body.encode()).hex()
    else:
        digest = rng.randbytes(32).hex()
    _shift_from(conn, seq)
    _insert(conn, (seq, 1.0e9, "request", "f" * 32, body, digest))
    if chained and seq not in base.checkpoints:
        return seq + 1  # a well-chained forgery shows at the record it pushed aside ...
    return seq  # ... unless a checkpoint covers its seq


def insert_copy(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    seq = rng.randint(1, base.head + 1)
    source = rng.choice([row for row in base.rows if row[0] != seq])
    _shift_from(conn, seq)
    _insert(conn, (seq, *source[1:]))
    return seq


def reorder(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    first, second = sorted(rng.sample(range(1, base.head + 1), 2))
    conn.execute("UPDATE records SET seq = -1 WHERE seq = ?", (first,))
    conn.execute("UPDATE records SET seq = ? WHERE seq = ?", (first, second))
    conn.execute("UPDATE records SET seq = ? WHERE seq = -1", (second,))
    return first


def truncate(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    keep = rng.randrange(base.head)
    conn.execute("DELETE FROM records WHERE seq > ?", (keep,))
    if rng.random() < 0.5:  # the attacker also removes the stored checkpoints that would give it away
        conn.execute("DELETE FROM checkpoints WHERE seq > ?", (keep,))
    return keep + 1


def replay_verbatim(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    start = rng.randint(1, base.head)
    rows = base.rows[start - 1 : start - 1 + rng.randint(1, 10)]
    for offset, row in enumerate(rows, 1):
        _insert(conn, (base.head + offset, *row[1:]))
    return base.head + 1


def replay_over(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    length = rng.randint(1, 8)
    source, target = rng.sample(range(1, base.head - length + 2), 2)
    conn.execute("DELETE FROM records WHERE seq BETWEEN ? AND ?", (target, target + length - 1))
    for offset in range(length):
        _insert(conn, (target + offset, *base.rows[source - 1 + offset][1:]))
    return target


def replay_rechained(conn: sqlite3.Connection, base: Base, rng: random.Random) -> int | None:
    """Old sealed records re-numbered and re-chained at the end: the chain holds, the nonce counters do not."""
    start = rng.choice(base.sealed)
    prev = bytes.fromhex(base.rows[-1][5])
    for offset, row in enumerate(base.rows[start - 1 : start - 1 + rng.randint(1, 6)], 1):
        seq = base.head + offset
        data = json.loads(row[4])
        data["seq"] = seq
        body = canonical_json(data)
        prev = link(prev, body.encode())
        _insert(conn, (seq, row[1], row[2], row[3], body, prev.hex()))
    return base.head + 1


MUTATIONS: dict[str, Callable[[sqlite3.Connection, Base, random.Random], int | None]] = {
    "flip_record": flip_record,
    "flip_checkpoint": flip_checkpoint,
    "flip_segment": flip_segment,
    "flip_meta": flip_meta,
    "flip_signing_key": flip_signing_key,
    "delete_rows": delete_rows,
    "insert_forged": insert_forged,
    "insert_copy": insert_copy,
    "reorder": reorder,
    "truncate": truncate,
    "replay_verbatim": replay_verbatim,
    "replay_over": replay_over,
    "replay_rechained": replay_rechained,
}
WEIGHTS = {"flip_record": 6, "flip_checkpoint": 2, "flip_segment": 2, "flip_meta": 1, "flip_signing_key": 1}
