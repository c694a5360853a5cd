"""Envelope encryption of record content with AES-256-GCM.

Each segment has a random 256-bit data key, wrapped by a KEK under associated data (segment id, KEK id, creation
time). A record's
nonce is the segment's counter (4 zero bytes, then the 64-bit big-endian counter), so a (data key, nonce) pair is
never used twice: the counter only goes up, a segment holds at most 2**20 records, and a writer never continues a
segment it did not create in this process. The record's associated data binds the ciphertext to the log, the
record id, its seq, kind and time, the segment, and the SHA-256 of its canonical ``fields``.
"""

from __future__ import annotations

import base64
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wardgate.audit.errors import AuditFormatError, AuditKeyError
from wardgate.audit.keyring import Keyring
from wardgate.audit.record import SealedBlob, canonical_json

_WRAP_DOMAIN = b"wardgate-audit-dek-v1\n"
_RECORD_DOMAIN = b"wardgate-audit-record-v1\n"
_NONCE_PREFIX = b"\x00\x00\x00\x00"
_WRAP_NONCE = 12


def record_nonce(counter: int) -> bytes:
    return _NONCE_PREFIX + struct.pack(">Q", counter)


@dataclass(frozen=True, slots=True)
class SegmentKey:
    """A segment's data key as stored: wrapped by ``kek_id``."""

    segment_id: str
    kek_id: str
    wrapped: bytes
    """12-byte random nonce followed by the AES-GCM ciphertext and tag of the data key."""
    created: float

    def wrapped_b64(self) -> str:
        return base64.b64encode(self.wrapped).decode("ascii")


def _wrap_aad(segment_id: str, kek_id: str, created: float) -> bytes:
    bound = {"created": float(created), "kek_id": kek_id, "segment": segment_id}
    return _WRAP_DOMAIN + canonical_json(bound).encode("ascii")


def wrap_key(data_key: bytes, segment_id: str, kek_id: str, kek: bytes, created: float) -> SegmentKey:
    nonce = os.urandom(_WRAP_NONCE)  # KEK wraps are few; a random nonce is safe here (record nonces are counters)
    wrapped = nonce + AESGCM(kek).encrypt(nonce, data_key, _wrap_aad(segment_id, kek_id, created))
    return SegmentKey(segment_id, kek_id, wrapped, created)


def unwrap_key(segment: SegmentKey, keyring: Keyring) -> bytes:
    kek = keyring.get(segment.kek_id)
    nonce, body = segment.wrapped[:_WRAP_NONCE], segment.wrapped[_WRAP_NONCE:]
    try:
        return AESGCM(kek).decrypt(nonce, body, _wrap_aad(segment.segment_id, segment.kek_id, segment.created))
    except (InvalidTag, ValueError):
        raise AuditKeyError(
            f"audit KEK {segment.kek_id!r} cannot unwrap the data key of segment {segment.segment_id} "
            "(wrong key, or the wrapped key was altered)"
        ) from None


@dataclass(frozen=True, slots=True)
class RecordBinding:
    """What a sealed record's associated data binds it to."""

    log_id: str
    record_id: str
    seq: int
    kind: str
    time: float
    fields_sha256: bytes

    def aad(self, segment_id: str) -> bytes:
        bound = {
            "fields_sha256": self.fields_sha256.hex(),
            "kind": self.kind,
            "log_id": self.log_id,
            "record_id": self.record_id,
            "segment": segment_id,
            "seq": self.seq,
            "time": float(self.time),
        }
        return _RECORD_DOMAIN + canonical_json(bound).encode("ascii")


class SegmentSealer:
    """The writer's current segment: a fresh data key and a counter that only goes up. Never persisted."""

    __slots__ = ("_aead", "_counter", "limit", "segment")

    def __init__(self, keyring: Keyring, limit: int, created: float) -> None:
        kek_id, kek = keyring.active()
        data_key = AESGCM.generate_key(bit_length=256)
        self.segment = wrap_key(data_key, os.urandom(16).hex(), kek_id, kek, created)
        self._aead = AESGCM(data_key)
        self._counter = 0
        self.limit = limit

    def __repr__(self) -> str:
        return f"SegmentSealer(segment={self.segment.segment_id!r}, used={self._counter})"

    @property
    def exhausted(self) -> bool:
        return self._counter >= self.limit

    def next_counter(self) -> int:
        if self._counter >= self.limit:
            raise AuditKeyError("audit segment is exhausted; a new segment is required")
        self._counter += 1
        return self._counter

    def seal(self, plaintext: bytes, binding: RecordBinding) -> SealedBlob:
        counter = self.next_counter()
        segment_id = self.segment.segment_id
        ciphertext = self._aead.encrypt(record_nonce(counter), plaintext, binding.aad(segment_id))
        return SealedBlob(segment_id, counter, ciphertext)


def open_sealed(blob: SealedBlob, data_key: bytes, binding: RecordBinding) -> bytes:
    if not 0 < blob.counter < 2**64:
        raise AuditFormatError("sealed counter out of range")
    try:
        return AESGCM(data_key).decrypt(record_nonce(blob.counter), blob.ciphertext, binding.aad(blob.segment))
    except InvalidTag:
        raise AuditKeyError(f"sealed content of record seq {binding.seq} failed authentication") from None
