"""Torn-tail repair: on start, a last record that does not parse or does not chain is quarantined, not dropped.

Each quarantined row keeps its raw bytes in the quarantine table and is answered by a ``system`` record in the
chain (``event: tail_record_quarantined``, the seq, the SHA-256 of the raw body, the reason), so the repair itself
is on the record and ``verify`` reports it.
"""

from __future__ import annotations

import time

from wardgate.audit.chain import Head, hex_digest, link, text
from wardgate.audit.errors import AuditFormatError
from wardgate.audit.record import AuditEvent, parse_body
from wardgate.audit.store import AuditTransaction, QuarantinedRow, RawRecord

MAX_TAIL_REPAIR = 16
NOTICE_EVENT = "tail_record_quarantined"


def _predecessor_hash(rows: list[RawRecord], base: Head, seq: int) -> bytes | None:
    if seq == base.seq + 1:
        return base.hash
    if len(rows) < 2 or rows[-2].seq != seq - 1:
        return None  # a gap is not a torn tail; verify reports it
    try:
        return bytes.fromhex(hex_digest(text(rows[-2].hash, "hash"), "hash"))
    except AuditFormatError:
        return None


def tail_problem(record: RawRecord, prev: bytes) -> str | None:
    """Why a stored row does not hold as the successor of ``prev``; ``None`` if it does."""
    body = record.body
    if not isinstance(body, bytes):
        return "body is not text"
    try:
        stored = text(record.hash, "hash")
    except AuditFormatError:
        return "hash column is not text"
    if link(prev, body).hex() != stored:
        return "hash does not match the record"
    try:
        view = parse_body(body, stored)
        columns_match = (
            view.seq == record.seq
            and view.time == record.time
            and view.kind == text(record.kind, "kind")
            and view.record_id == text(record.record_id, "record id")
        )
    except AuditFormatError:
        return "record does not parse"
    return None if columns_match else "columns do not match the record"


def quarantine_torn_tail(tx: AuditTransaction) -> list[QuarantinedRow]:
    """Move untrustworthy rows off the end of the chain (at most :data:`MAX_TAIL_REPAIR`), newest first."""
    moved: list[QuarantinedRow] = []
    base = tx.base()
    for _ in range(MAX_TAIL_REPAIR):
        rows = tx.last_records(2)
        if not rows or type(rows[-1].seq) is not int:
            break
        seq = rows[-1].seq
        prev = _predecessor_hash(rows, base, seq)
        reason = tail_problem(rows[-1], prev) if prev is not None else None
        if reason is None:
            break
        moved.append(tx.quarantine(rows[-1], seq, reason, time.time()))
    return moved


def notice(row: QuarantinedRow) -> AuditEvent:
    fields = {"event": NOTICE_EVENT, "quarantined_seq": row.seq, "raw_sha256": row.raw_sha256, "reason": row.reason}
    return AuditEvent(kind="system", fields=fields)
