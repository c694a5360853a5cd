"""Turning events into chained (and, in ``encrypted`` mode, sealed) records inside a write transaction.

:func:`prepare` runs in the caller's thread: it validates the event and encodes its parts once. The writer thread
then calls :meth:`Chainer.build` with the head it read inside its transaction.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from wardgate.audit.chain import Checkpoint, Head, link
from wardgate.audit.crypto import RecordBinding, SegmentKey, SegmentSealer
from wardgate.audit.keyring import Keyring
from wardgate.audit.record import AuditEvent, SealedBlob, canonical_or_error, check_event, fields_digest, record_body
from wardgate.audit.signing import Signer
from wardgate.audit.store import NewRecord

Capture = Literal["none", "redacted", "encrypted"]


@dataclass(frozen=True, slots=True)
class Prepared:
    kind: str
    time: float
    record_id: str
    fields_json: str
    fields_sha256: bytes
    content_json: str | None
    seal: bool

    def __repr__(self) -> str:  # never print content
        return f"Prepared(kind={self.kind!r}, record_id={self.record_id!r}, seal={self.seal})"


def prepare(event: AuditEvent, capture: Capture) -> Prepared:
    check_event(event)
    fields_json = canonical_or_error(event.fields, "fields")
    content_json = None
    if event.content is not None and capture != "none":
        content_json = canonical_or_error(event.content, "content")
    return Prepared(
        kind=event.kind,
        time=float(event.time),
        record_id=event.record_id,
        fields_json=fields_json,
        fields_sha256=fields_digest(fields_json),
        content_json=content_json,
        seal=capture == "encrypted" and content_json is not None,
    )


@dataclass(frozen=True, slots=True)
class Batch:
    records: tuple[NewRecord, ...]
    checkpoints: tuple[Checkpoint, ...]
    segments: tuple[SegmentKey, ...]


class Chainer:
    """Chains, seals and checkpoints. Owned by one writer thread: its segment and counter are never shared."""

    def __init__(
        self, log_id: str, signer: Signer, keyring: Keyring | None, segment_max: int, checkpoint_every: int
    ) -> None:
        self._log_id = log_id
        self._signer = signer
        self._keyring = keyring
        self._segment_max = segment_max
        self._every = checkpoint_every
        self._sealer: SegmentSealer | None = None
        self._unregistered: list[SegmentKey] = []

    def _seal(self, item: Prepared, seq: int) -> SealedBlob:
        if self._keyring is None:
            raise RuntimeError("encrypted capture without a keyring")  # prevented by AuditLog's constructor
        if self._sealer is None or self._sealer.exhausted:
            self._sealer = SegmentSealer(self._keyring, self._segment_max, time.time())
            self._unregistered.append(self._sealer.segment)
        binding = RecordBinding(self._log_id, item.record_id, seq, item.kind, item.time, item.fields_sha256)
        return self._sealer.seal((item.content_json or "").encode("utf-8"), binding)

    def build(self, head: Head, items: Sequence[Prepared]) -> Batch:
        records: list[NewRecord] = []
        checkpoints: list[Checkpoint] = []
        prev, seq = head.hash, head.seq
        for item in items:
            seq += 1
            sealed = self._seal(item, seq) if item.seal else None
            body = record_body(
                seq=seq,
                kind=item.kind,
                time=item.time,
                record_id=item.record_id,
                fields_json=item.fields_json,
                content_json=None if item.seal else item.content_json,
                sealed=sealed,
            )
            prev = link(prev, body.encode("ascii"))
            records.append(NewRecord(seq, item.time, item.kind, item.record_id, body, prev.hex()))
            if seq % self._every == 0:
                checkpoints.append(self._signer.sign(self._log_id, seq, prev.hex(), time.time()))
        return Batch(tuple(records), tuple(checkpoints), tuple(self._unregistered))

    def committed(self) -> None:
        """The last built batch is durable: its new segments are registered."""
        self._unregistered.clear()
