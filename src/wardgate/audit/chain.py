"""The hash chain and its signed checkpoints.

``hash(seq) = SHA-256(hash(seq - 1) || canonical_bytes(seq))`` with ``hash(0)`` derived from the log id. A checkpoint
``{log_id, seq, hash, time}`` is signed with Ed25519 so a verifier holding only the public key can tell that the
chain up to ``seq`` is the one the writer produced.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from wardgate.audit.errors import AuditFormatError
from wardgate.audit.record import canonical_json

_GENESIS_DOMAIN = b"wardgate-audit-genesis-v1\n"
_CHECKPOINT_DOMAIN = b"wardgate-audit-checkpoint-v1\n"


def genesis_hash(log_id: str) -> bytes:
    return hashlib.sha256(_GENESIS_DOMAIN + log_id.encode("utf-8")).digest()


def link(prev: bytes, body: bytes) -> bytes:
    return hashlib.sha256(prev + body).digest()


@dataclass(frozen=True, slots=True)
class Head:
    """The last stored record (``seq`` 0 and the genesis or anchor hash when there is none)."""

    seq: int
    hash: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    log_id: str
    seq: int
    hash: str
    """Hex SHA-256 of the chain at ``seq``."""
    time: float
    key_id: str
    signature: bytes

    def payload(self) -> bytes:
        return checkpoint_payload(self.log_id, self.seq, self.hash, self.time)

    def to_json(self, public_key: bytes | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "v": 1,
            "log_id": self.log_id,
            "seq": self.seq,
            "hash": self.hash,
            "time": self.time,
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }
        if public_key is not None:
            data["public_key"] = base64.b64encode(public_key).decode("ascii")
        return data


def checkpoint_payload(log_id: str, seq: int, hash_hex: str, time: float) -> bytes:
    body = canonical_json({"hash": hash_hex, "log_id": log_id, "seq": seq, "time": float(time)})
    return _CHECKPOINT_DOMAIN + body.encode("ascii")


@dataclass(frozen=True, slots=True)
class RawCheckpoint:
    """A checkpoint row exactly as stored; parse with :func:`parse_checkpoint`."""

    seq: object
    log_id: object
    hash: object
    time: object
    key_id: object
    signature: object


def text(value: object, what: str) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise AuditFormatError(f"{what} is not UTF-8") from None
    if isinstance(value, str):
        return value
    raise AuditFormatError(f"{what} is not text")


def integer(value: object, what: str) -> int:
    if type(value) is not int:
        raise AuditFormatError(f"{what} is not an integer")
    return value


def real(value: object, what: str) -> float:
    if type(value) is not float:
        raise AuditFormatError(f"{what} is not a real number")
    return value


def hex_digest(value: str, what: str) -> str:
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise AuditFormatError(f"{what} is not a hex SHA-256")
    return value


def parse_checkpoint(raw: RawCheckpoint) -> Checkpoint:
    signature = raw.signature
    if not isinstance(signature, bytes) or len(signature) != 64:
        raise AuditFormatError("checkpoint signature is not 64 bytes")
    return Checkpoint(
        log_id=text(raw.log_id, "checkpoint log id"),
        seq=integer(raw.seq, "checkpoint seq"),
        hash=hex_digest(text(raw.hash, "checkpoint hash"), "checkpoint hash"),
        time=real(raw.time, "checkpoint time"),
        key_id=text(raw.key_id, "checkpoint key id"),
        signature=signature,
    )


def checkpoint_from_json(line: str) -> tuple[Checkpoint, bytes | None]:
    """One exported JSONL line: the checkpoint and the public key it carries (if any)."""
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("v") != 1:
            raise AuditFormatError("not a version-1 checkpoint")
        key = data.get("public_key")
        raw = RawCheckpoint(
            seq=data["seq"],
            log_id=data["log_id"],
            hash=data["hash"],
            time=float(data["time"]),
            key_id=data["key_id"],
            signature=base64.b64decode(data["signature"], validate=True),
        )
        public = base64.b64decode(key, validate=True) if isinstance(key, str) else None
    except (ValueError, KeyError, TypeError):
        raise AuditFormatError("checkpoint line is malformed") from None
    return parse_checkpoint(raw), public
