"""The record-by-record part of :func:`wardgate.audit.verify.verify`: one pass, stops at the first bad record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wardgate.audit.chain import Head, link, text
from wardgate.audit.errors import AuditFormatError
from wardgate.audit.record import RecordView, parse_body
from wardgate.audit.store import RawRecord
from wardgate.audit.tail import NOTICE_EVENT


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing wrong with a log. ``seq`` is the first bad seq; ``position`` the stored row index."""

    seq: int | None
    position: int | None
    code: str
    """Stable id: ``missing``, ``unanchored``, ``unexpected_row``, ``hash_mismatch``, ``bad_record``, ``replay`` …"""
    detail: str


def _columns_match(raw: RawRecord, view: RecordView, seq: int) -> None:
    if view.seq != seq:
        raise AuditFormatError(f"its body says seq {view.seq}")
    if raw.time != view.time:
        raise AuditFormatError("the time column does not match its body")
    if text(raw.kind, "kind column") != view.kind:
        raise AuditFormatError("the kind column does not match its body")
    if text(raw.record_id, "record id column") != view.record_id:
        raise AuditFormatError("the record id column does not match its body")


class Walker:
    """Re-computes the chain from ``base`` over rows in stored (seq) order."""

    def __init__(
        self,
        base: Head,
        anchored: bool,
        expected: dict[int, list[tuple[str, str]]],
        segments: set[str],
        broken_segments: set[str],
    ) -> None:
        self._base = base
        self._anchored = anchored
        self._prev = base.hash
        self._next = base.seq + 1
        self._expected = expected
        self._segments = segments
        self._broken = broken_segments
        self._counters: dict[str, int] = {}
        self.count = 0
        self.first_seq: int | None = None
        self.notices: dict[int, str] = {}
        """Quarantine notices found in the chain: quarantined seq -> SHA-256 of the raw row."""

    @property
    def last(self) -> int:
        return self._next - 1

    def walk(self, rows: Iterable[RawRecord]) -> Problem | None:
        for raw in rows:
            problem = self._step(raw)
            if problem is not None:
                return problem
        return None

    def _step(self, raw: RawRecord) -> Problem | None:
        position, seq = self.count, self._next
        problem = self._position(raw, position)
        if problem is not None:
            return problem
        body = raw.body
        if not isinstance(body, bytes):
            return Problem(seq, position, "bad_record", f"record {seq}: the body is not text")
        digest = link(self._prev, body)
        hex_digest = digest.hex()
        if raw.hash != hex_digest.encode("ascii"):
            detail = f"record {seq} does not chain from record {seq - 1} (altered, inserted, removed or reordered)"
            return Problem(seq, position, "hash_mismatch", detail)
        try:
            view = parse_body(body, hex_digest)
            _columns_match(raw, view, seq)
        except AuditFormatError as exc:
            return Problem(seq, position, "bad_record", f"record {seq}: {exc}")
        problem = self._sealed(view, position) or self._checkpoint(seq, hex_digest, position)
        if problem is not None:
            return problem
        self._note(view)
        if self.first_seq is None:
            self.first_seq = seq
        self._prev, self._next, self.count = digest, seq + 1, self.count + 1
        return None

    def _position(self, raw: RawRecord, position: int) -> Problem | None:
        seq, expected = raw.seq, self._next
        if type(seq) is not int:
            return Problem(expected, position, "bad_record", f"record {expected}: the seq column is not an integer")
        if seq == expected:
            return None
        if seq > expected:
            if position == 0 and not self._anchored:
                return Problem(1, 0, "unanchored", f"the log starts at seq {seq} without a signed anchor")
            return Problem(expected, position, "missing", f"record {expected} is missing (next stored seq is {seq})")
        detail = f"a row stored as seq {seq} is out of place (expected seq {expected})"
        return Problem(self._claimed(raw, seq), position, "unexpected_row", detail)

    @staticmethod
    def _claimed(raw: RawRecord, seq: int) -> int:
        """The seq a stray row's body claims, which names the record that was moved."""
        if isinstance(raw.body, bytes):
            try:
                return parse_body(raw.body, "").seq
            except AuditFormatError:
                pass
        return seq

    def _sealed(self, view: RecordView, position: int) -> Problem | None:
        blob = view.sealed
        if blob is None:
            return None
        seq = view.seq
        if blob.segment not in self._segments:
            return Problem(seq, position, "unknown_segment", f"record {seq} is sealed under an unknown segment")
        if blob.segment in self._broken:
            return Problem(seq, position, "bad_segment_key", f"record {seq}: its segment's data key does not unwrap")
        if blob.counter <= self._counters.get(blob.segment, 0):
            detail = f"record {seq} reuses nonce counter {blob.counter} of its segment (replayed content)"
            return Problem(seq, position, "replay", detail)
        self._counters[blob.segment] = blob.counter
        return None

    def _checkpoint(self, seq: int, hex_digest: str, position: int) -> Problem | None:
        for expected, source in self._expected.get(seq, ()):
            if expected != hex_digest:
                detail = f"{source} checkpoint at seq {seq} does not match the chain (records up to it were rewritten)"
                return Problem(seq, position, "checkpoint_mismatch", detail)
        return None

    def _note(self, view: RecordView) -> None:
        if view.kind == "system" and view.fields.get("event") == NOTICE_EVENT:
            seq, digest = view.fields.get("quarantined_seq"), view.fields.get("raw_sha256")
            if type(seq) is int and isinstance(digest, str):
                self.notices[seq] = digest

    def after_walk(self) -> list[Problem]:
        """Checkpoints the walk did not reach: past the end (truncation) or at the anchor."""
        problems: list[Problem] = []
        last = self.last
        for seq, entries in sorted(self._expected.items()):
            for expected, source in entries:
                if seq > last:
                    detail = f"{source} checkpoint at seq {seq}, but the log ends at seq {last} (truncated)"
                    problems.append(Problem(last + 1, None, "truncated", detail))
                elif seq == self._base.seq and expected != self._base.hash.hex():
                    detail = f"{source} checkpoint at seq {seq} does not match the purge anchor"
                    problems.append(Problem(seq, None, "checkpoint_mismatch", detail))
        return problems
