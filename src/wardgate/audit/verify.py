"""Offline verification of a whole audit log; needs the signing public key, never a KEK.

The walk re-computes the hash chain from the genesis hash (or the signed anchor left by a purge), checks every
record's columns against its canonical bytes, every sealed record's segment and nonce counter (a counter that does
not go up within a segment is replayed content), and every stored or exported checkpoint: its signature, and the
chain's hash at its seq. A checkpoint past the end of the log means truncation. The report names the first bad
seq; quarantined rows are reported separately (exit code 3).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wardgate.audit.chain import Checkpoint, Head, RawCheckpoint, genesis_hash, parse_checkpoint
from wardgate.audit.crypto import unwrap_key
from wardgate.audit.errors import AuditError, AuditFormatError
from wardgate.audit.keyring import Keyring
from wardgate.audit.signing import TrustedKeys
from wardgate.audit.store import AuditStore, QuarantinedRow, parse_quarantine, parse_segment
from wardgate.audit.verify_walk import Problem, Walker


@dataclass(frozen=True, slots=True)
class VerifyReport:
    log_id: str | None
    records_checked: int
    checkpoints_checked: int
    first_seq: int | None
    last_seq: int | None
    anchor_seq: int | None
    unsigned_tail: int
    """Records after the last valid checkpoint: protected by the chain only until the next checkpoint."""
    quarantined: tuple[QuarantinedRow, ...]
    problem: Problem | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def exit_code(self) -> int:
        """0 intact, 1 integrity failure, 3 intact but with quarantined rows."""
        if self.problem is not None:
            return 1
        return 3 if self.quarantined else 0

    def to_json(self) -> dict[str, Any]:
        problem = self.problem
        return {
            "ok": self.ok,
            "log_id": self.log_id,
            "records_checked": self.records_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "anchor_seq": self.anchor_seq,
            "unsigned_tail": self.unsigned_tail,
            "quarantined": [{"seq": q.seq, "reason": q.reason, "raw_sha256": q.raw_sha256} for q in self.quarantined],
            "problem": None
            if problem is None
            else {"seq": problem.seq, "code": problem.code, "detail": problem.detail},
            "seconds": round(self.seconds, 3),
        }


@dataclass(slots=True)
class _Checks:
    """Valid checkpoints by seq, and the problems found in checkpoints themselves."""

    expected: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    valid: int = 0


def _raw_seq(raw: RawCheckpoint) -> int | None:
    return raw.seq if type(raw.seq) is int else None


def _check_checkpoint(cp: Checkpoint, source: str, log_id: str | None, keys: TrustedKeys, checks: _Checks) -> None:
    why = keys.check(cp)
    if why is None and cp.log_id != log_id:
        why = "belongs to another log"
    if why is not None:
        checks.problems.append(Problem(cp.seq, None, "bad_checkpoint", f"{source} checkpoint at seq {cp.seq}: {why}"))
        return
    checks.valid += 1
    checks.expected.setdefault(cp.seq, []).append((cp.hash, source))


def _checkpoints(store: AuditStore, exported: Sequence[Checkpoint], log_id: str | None, keys: TrustedKeys) -> _Checks:
    checks = _Checks()
    for raw in store.checkpoints():
        try:
            cp = parse_checkpoint(raw)
        except AuditFormatError as exc:
            checks.problems.append(Problem(_raw_seq(raw), None, "bad_checkpoint", f"stored checkpoint: {exc}"))
            continue
        _check_checkpoint(cp, "stored", log_id, keys, checks)
    for cp in exported:
        _check_checkpoint(cp, "exported", log_id, keys, checks)
    return checks


def _anchor(store: AuditStore, log_id: str | None, keys: TrustedKeys) -> tuple[Head | None, Problem | None]:
    """The verified start of the chain after a purge (``None`` when the log was never purged)."""
    raw = store.anchor()
    if raw is None:
        return None, None
    seq = _raw_seq(raw)
    at = None if seq is None else seq + 1
    try:
        anchor = parse_checkpoint(raw)
    except AuditFormatError as exc:
        return None, Problem(at, None, "bad_anchor", f"the purge anchor is damaged: {exc}")
    why = keys.check(anchor) or (None if anchor.log_id == log_id else "belongs to another log")
    if why is not None:
        return None, Problem(at, None, "bad_anchor", f"the purge anchor at seq {anchor.seq}: {why}")
    return Head(anchor.seq, bytes.fromhex(anchor.hash)), None


def _segment_state(store: AuditStore, keyring: Keyring | None) -> tuple[set[str], set[str]]:
    """Segment ids stored, and (with a keyring) those whose data key does not unwrap."""
    known: set[str] = set()
    broken: set[str] = set()
    for raw in store.segments():
        try:
            segment = parse_segment(raw)
        except AuditFormatError:
            continue
        known.add(segment.segment_id)
        if keyring is not None:
            try:
                unwrap_key(segment, keyring)
            except AuditError:
                broken.add(segment.segment_id)
    return known, broken


def _quarantine_problems(rows: Sequence[QuarantinedRow], notices: dict[int, str], last: int) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[int] = set()
    for row in rows:
        seen.add(row.seq)
        if hashlib.sha256(row.raw_body).hexdigest() != row.raw_sha256:
            problems.append(Problem(row.seq, None, "quarantine_altered", f"quarantined row {row.seq} was altered"))
        elif notices.get(row.seq) != row.raw_sha256:
            detail = f"quarantined row {row.seq} has no matching notice in the chain"
            problems.append(Problem(row.seq, None, "quarantine_unrecorded", detail))
    for seq in sorted(set(notices) - seen):
        if seq <= last:
            problems.append(Problem(seq, None, "quarantine_missing", f"the quarantined row {seq} was removed"))
    return problems


def _quarantined(store: AuditStore) -> tuple[list[QuarantinedRow], list[Problem]]:
    rows: list[QuarantinedRow] = []
    problems: list[Problem] = []
    for raw in store.quarantined():
        try:
            rows.append(parse_quarantine(raw))
        except AuditFormatError as exc:
            seq = raw.seq if type(raw.seq) is int else None
            problems.append(Problem(seq, None, "quarantine_altered", f"quarantine row: {exc}"))
    return rows, problems


def _first(problems: Iterable[Problem | None]) -> Problem | None:
    found = [p for p in problems if p is not None]
    if not found:
        return None
    return min(found, key=lambda p: (p.seq is None, p.seq if p.seq is not None else 0))


def verify(
    store: AuditStore,
    *,
    exported: Sequence[Checkpoint] = (),
    trusted_keys: Iterable[bytes] | None = None,
    keyring: Keyring | None = None,
) -> VerifyReport:
    """Walk the whole log. ``trusted_keys`` pins the checkpoint signers (default: the keys the store lists).

    With a ``keyring`` every segment's wrapped data key is also checked (it unwraps under its KEK).
    """
    started = time.perf_counter()
    log_id = store.log_id()
    keys = TrustedKeys.of(store.signing_keys() if trusted_keys is None else trusted_keys)
    anchor, anchor_problem = _anchor(store, log_id, keys)
    checks = _checkpoints(store, exported, log_id, keys)
    known, broken = _segment_state(store, keyring)
    base = anchor or Head(0, genesis_hash(log_id or ""))
    walker = Walker(base, anchor is not None, checks.expected, known, broken)
    problem = None if anchor_problem is not None else walker.walk(store.iter_records())
    rows, problems = _quarantined(store)
    if problem is None and anchor_problem is None:
        problems += walker.after_walk() + _quarantine_problems(rows, walker.notices, walker.last)
    if log_id is None:
        problems.append(Problem(None, None, "no_log_id", "the store has no log id"))
    first = _first([anchor_problem, problem, *checks.problems, *problems])
    checked = [seq for seq in checks.expected if seq <= walker.last]
    return VerifyReport(
        log_id=log_id,
        records_checked=walker.count,
        checkpoints_checked=checks.valid,
        first_seq=walker.first_seq,
        last_seq=walker.last if walker.count else None,
        anchor_seq=anchor.seq if anchor is not None else None,
        unsigned_tail=walker.last - max([base.seq, *checked]),
        quarantined=tuple(rows),
        problem=first,
        seconds=time.perf_counter() - started,
    )
