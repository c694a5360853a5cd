"""The storage seam: what the audit log needs from a database, as Protocols.

A backend gives a write transaction that holds the log's single write lock for its whole duration (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR UPDATE`` on a head row), so several processes or replicas can
append to one log: each reads the head inside its transaction and chains its batch from there. Reads return rows
exactly as stored (:class:`RawRecord`, ``object`` columns) because the verifier must survive any corruption.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from wardgate.audit.chain import Checkpoint, Head, RawCheckpoint, integer, real, text
from wardgate.audit.crypto import SegmentKey
from wardgate.audit.errors import AuditFormatError


@dataclass(frozen=True, slots=True)
class RawRecord:
    seq: object
    time: object
    kind: object
    record_id: object
    body: object
    hash: object


@dataclass(frozen=True, slots=True)
class NewRecord:
    seq: int
    time: float
    kind: str
    record_id: str
    body: str
    """Canonical JSON (ASCII)."""
    hash: str
    """Hex SHA-256 of the chain at ``seq``."""


@dataclass(frozen=True, slots=True)
class RawSegment:
    segment_id: object
    kek_id: object
    wrapped: object
    created: object


def parse_segment(raw: RawSegment) -> SegmentKey:
    wrapped = raw.wrapped
    if not isinstance(wrapped, bytes) or len(wrapped) != 12 + 32 + 16:
        raise AuditFormatError("segment wrapped key has the wrong length")
    return SegmentKey(
        segment_id=text(raw.segment_id, "segment id"),
        kek_id=text(raw.kek_id, "segment kek id"),
        wrapped=wrapped,
        created=real(raw.created, "segment created"),
    )


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    """A tail row the writer could not trust, moved aside with its raw bytes."""

    seq: int
    quarantined_at: float
    reason: str
    raw_sha256: str
    raw_body: bytes


@dataclass(frozen=True, slots=True)
class RawQuarantine:
    seq: object
    quarantined_at: object
    reason: object
    raw_sha256: object
    raw_body: object


def parse_quarantine(raw: RawQuarantine) -> QuarantinedRow:
    body = raw.raw_body if isinstance(raw.raw_body, bytes) else b""
    return QuarantinedRow(
        seq=integer(raw.seq, "quarantine seq"),
        quarantined_at=real(raw.quarantined_at, "quarantine time"),
        reason=text(raw.reason, "quarantine reason"),
        raw_sha256=text(raw.raw_sha256, "quarantine sha256"),
        raw_body=body,
    )


@dataclass(frozen=True, slots=True)
class RecordQuery:
    """Filters for :meth:`AuditStore.search`; ``None`` means no filter. Times are Unix seconds, ``until`` exclusive."""

    since: float | None = None
    until: float | None = None
    kinds: tuple[str, ...] = ()
    subject: str | None = None
    team: str | None = None
    model: str | None = None
    status: str | None = None
    """Matches ``fields.status`` (compared as text) or ``fields.outcome``."""
    request_id: str | None = None
    after_seq: int = 0
    limit: int | None = None
    newest_first: bool = False


class AuditTransaction(Protocol):
    def head(self) -> Head:
        """The last record's seq and stored hash; :meth:`base` when there are no records."""
        ...

    def base(self) -> Head:
        """Where the chain starts: the anchor after a purge, else seq 0 and the genesis hash."""
        ...

    def last_records(self, count: int) -> list[RawRecord]:
        """The last ``count`` records, oldest first."""
        ...

    def insert_records(self, records: Sequence[NewRecord]) -> None: ...

    def add_checkpoints(self, checkpoints: Sequence[Checkpoint]) -> None:
        """Store signed checkpoints; one already stored for the same seq is kept."""
        ...

    def latest_checkpoint_seq(self) -> int: ...

    def add_segments(self, segments: Sequence[SegmentKey]) -> None: ...

    def quarantine(self, record: RawRecord, seq: int, reason: str, at: float) -> QuarantinedRow:
        """Move ``record`` (stored at ``seq``) out of the chain into quarantine, keeping its raw bytes."""
        ...

    def first_seq_at_or_after(self, time: float) -> int | None:
        """The lowest seq whose time is at or after ``time``."""
        ...

    def checkpoint_at(self, seq: int) -> RawCheckpoint | None: ...

    def checkpoint_seqs_before(self, seq: int) -> list[int]:
        """Seqs of stored checkpoints below ``seq``, ascending."""
        ...

    def records_between(self, first: int, last: int) -> list[RawRecord]:
        """Records with ``first <= seq <= last``, ascending."""
        ...

    def purge_through(self, anchor: Checkpoint) -> int:
        """Delete records, checkpoints and quarantine rows up to ``anchor.seq``; store ``anchor``; return count."""
        ...


class AuditStore(Protocol):
    def log_id(self) -> str | None:
        """The log's random id; ``None`` if the store holds no log."""
        ...

    def transaction(self) -> AbstractContextManager[AuditTransaction]: ...

    def register_signing_key(self, public_raw: bytes) -> None: ...

    def signing_keys(self) -> list[bytes]: ...

    def iter_records(self, after_seq: int | None = None) -> Iterator[RawRecord]:
        """Every record in seq order (from the lowest stored seq when ``after_seq`` is ``None``)."""
        ...

    def search(self, query: RecordQuery) -> Iterator[RawRecord]: ...

    def checkpoints(self) -> list[RawCheckpoint]: ...

    def anchor(self) -> RawCheckpoint | None: ...

    def segments(self) -> list[RawSegment]: ...

    def replace_wrapping(self, old: SegmentKey, new: SegmentKey) -> bool:
        """Swap a segment's wrapped key if it is still ``old``; ``False`` if someone else changed it first."""
        ...

    def quarantined(self) -> list[RawQuarantine]: ...

    def close(self) -> None: ...
