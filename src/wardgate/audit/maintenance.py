"""Retention purge (up to a signed checkpoint, which becomes the anchor) and KEK rewrap."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wardgate.audit.chain import Checkpoint, Head, link, parse_checkpoint, text
from wardgate.audit.crypto import unwrap_key, wrap_key
from wardgate.audit.errors import AuditError, AuditFormatError
from wardgate.audit.keyring import Keyring
from wardgate.audit.signing import TrustedKeys
from wardgate.audit.store import AuditStore, AuditTransaction, parse_segment

_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class PurgeResult:
    anchor_seq: int | None
    """The checkpoint the log now starts from; ``None`` when nothing could be purged."""
    deleted: int


@dataclass(frozen=True, slots=True)
class RewrapResult:
    rewrapped: int
    unchanged: int


def _chain_to(tx: AuditTransaction, base: Head, seq: int) -> str | None:
    """The chain's hash at ``seq`` recomputed from ``base``; ``None`` if a record is missing or out of place."""
    prev, expected = base.hash, base.seq + 1
    while expected <= seq:
        rows = tx.records_between(expected, min(seq, expected + _CHUNK - 1))
        if not rows:
            return None
        for row in rows:
            if row.seq != expected or not isinstance(row.body, bytes):
                return None
            prev = link(prev, row.body)
            try:
                if text(row.hash, "hash") != prev.hex():
                    return None
            except AuditFormatError:
                return None
            expected += 1
    return prev.hex()


def _valid_checkpoint(tx: AuditTransaction, seq: int, log_id: str | None, keys: TrustedKeys) -> Checkpoint | None:
    raw = tx.checkpoint_at(seq)
    if raw is None:
        return None
    try:
        checkpoint = parse_checkpoint(raw)
    except AuditFormatError:
        return None
    if keys.check(checkpoint) is not None or checkpoint.log_id != log_id:
        return None
    return checkpoint


def purge(store: AuditStore, before: float, trusted_keys: Iterable[bytes] | None = None) -> PurgeResult:
    """Delete records older than ``before`` (Unix seconds), cutting at the newest signed checkpoint that allows it.

    The checkpoint at the cut is kept as the anchor, so the rest of the chain still verifies from it. The records
    up to the cut must re-chain to that checkpoint, or nothing is deleted.
    """
    keys = TrustedKeys.of(store.signing_keys() if trusted_keys is None else trusted_keys)
    log_id = store.log_id()
    with store.transaction() as tx:
        base = tx.base()
        keep_from = tx.first_seq_at_or_after(before)
        upper = keep_from - 1 if keep_from is not None else tx.head().seq
        for seq in reversed(tx.checkpoint_seqs_before(upper + 1)):
            if seq <= base.seq:
                break
            checkpoint = _valid_checkpoint(tx, seq, log_id, keys)
            if checkpoint is None:
                continue
            if _chain_to(tx, base, seq) != checkpoint.hash:
                raise AuditError(f"purge refused: the records up to seq {seq} do not verify against its checkpoint")
            return PurgeResult(seq, tx.purge_through(checkpoint))
    return PurgeResult(None, 0)


def rewrap(store: AuditStore, keyring: Keyring) -> RewrapResult:
    """Re-wrap every segment's data key under the active KEK, so older KEKs can be retired."""
    kek_id, kek = keyring.active()
    rewrapped = unchanged = 0
    for raw in store.segments():
        segment = parse_segment(raw)
        if segment.kek_id == kek_id:
            unchanged += 1
            continue
        data_key = unwrap_key(segment, keyring)
        fresh = wrap_key(data_key, segment.segment_id, kek_id, kek, segment.created)
        if store.replace_wrapping(segment, fresh):
            rewrapped += 1
        else:
            unchanged += 1  # changed concurrently; a second run picks it up if it still needs it
    return RewrapResult(rewrapped, unchanged)
