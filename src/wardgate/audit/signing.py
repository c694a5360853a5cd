"""The Ed25519 key that signs checkpoints, and the set of public keys a verifier trusts."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wardgate.audit.chain import Checkpoint, checkpoint_payload
from wardgate.errors import ConfigError

DEFAULT_KEY_FILE = "audit_signing.key"


def key_id_of(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:16]


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Signer:
    """Signs checkpoints. The private key never leaves this object; ``repr`` shows the key id only."""

    __slots__ = ("_key", "key_id", "public_raw")

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_raw = _raw(key.public_key())
        self.key_id = key_id_of(self.public_raw)

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r})"

    @classmethod
    def load_or_create(cls, path: Path) -> Signer:
        """Read a PEM (PKCS#8) key; create it with mode 0600 if the file does not exist yet."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it first: use theirs
                return cls._load(path)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
        return cls._load(path)

    @classmethod
    def _load(cls, path: Path) -> Signer:
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError):
            raise ConfigError(f"{path}: cannot read the audit signing key (expected an Ed25519 PEM key)") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(f"{path}: the audit signing key is not an Ed25519 key")
        return cls(key)

    def sign(self, log_id: str, seq: int, hash_hex: str, time: float) -> Checkpoint:
        signature = self._key.sign(checkpoint_payload(log_id, seq, hash_hex, time))
        return Checkpoint(log_id, seq, hash_hex, float(time), self.key_id, signature)

    def public_pem(self) -> str:
        return public_pem(self.public_raw)


def public_pem(public_raw: bytes) -> str:
    key = Ed25519PublicKey.from_public_bytes(public_raw)
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_pem(path: Path) -> bytes:
    """Raw public key bytes from a PEM file (as printed by ``wardgate audit public-key``)."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError):
        raise ConfigError(f"{path}: cannot read the audit public key (expected an Ed25519 PEM key)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{path}: the audit public key is not an Ed25519 key")
    return _raw(key)


@dataclass(frozen=True, slots=True)
class TrustedKeys:
    """Public keys a verifier accepts checkpoint signatures from, by key id."""

    keys: dict[str, Ed25519PublicKey]

    @classmethod
    def of(cls, raws: Iterable[bytes]) -> TrustedKeys:
        keys: dict[str, Ed25519PublicKey] = {}
        for raw in raws:
            try:
                keys[key_id_of(raw)] = Ed25519PublicKey.from_public_bytes(raw)
            except ValueError:
                continue  # a garbled stored key simply is not trusted; checkpoints signed by it then fail
        return cls(keys)

    def check(self, checkpoint: Checkpoint) -> str | None:
        """``None`` if the signature is valid, else why not."""
        key = self.keys.get(checkpoint.key_id)
        if key is None:
            return "signed by an unknown key"
        try:
            key.verify(checkpoint.signature, checkpoint.payload())
        except InvalidSignature:
            return "bad signature"
        return None
