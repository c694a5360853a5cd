"""The key-encryption keys (KEKs) that wrap segment data keys, read from files or environment variables."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path

from wardgate.audit.config import AuditConfig, KekSource
from wardgate.audit.errors import AuditKeyError
from wardgate.errors import ConfigError

KEK_BYTES = 32


def decode_kek(text: str) -> bytes | None:
    """32 bytes from 64 hex characters or base64; ``None`` if it is neither."""
    value = text.strip()
    if len(value) == 2 * KEK_BYTES:
        try:
            return bytes.fromhex(value)
        except ValueError:
            pass
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == KEK_BYTES else None


def _read(source: KekSource, where: str, env: Mapping[str, str]) -> bytes:
    if source.env is not None:
        value = env.get(source.env)
        origin = f"environment variable {source.env}"
        if value is None:
            raise ConfigError(f"{where}: {origin} is not set")
    else:
        path = source.file or Path()
        origin = f"file {path}"
        try:
            value = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            raise ConfigError(f"{where}: cannot read {origin}") from None
    key = decode_kek(value)
    if key is None:
        raise ConfigError(f"{where}: {origin} does not hold 32 bytes as 64 hex characters or base64")
    return key


class Keyring:
    """KEKs by id plus the active one. ``repr`` lists ids only."""

    __slots__ = ("_keys", "active_id")

    def __init__(self, keys: Mapping[str, bytes], active_id: str | None) -> None:
        for kek_id, key in keys.items():
            if len(key) != KEK_BYTES:
                raise ConfigError(f"audit KEK {kek_id!r} is not 32 bytes")
        if active_id is not None and active_id not in keys:
            raise ConfigError(f"audit active KEK {active_id!r} is not in the keyring")
        self._keys = dict(keys)
        self.active_id = active_id

    def __repr__(self) -> str:
        return f"Keyring(ids={sorted(self._keys)!r}, active={self.active_id!r})"

    @classmethod
    def from_config(cls, config: AuditConfig, env: Mapping[str, str] | None = None) -> Keyring:
        source_env = os.environ if env is None else env
        keys = {kek.id: _read(kek, f"audit.keks.{i}", source_env) for i, kek in enumerate(config.keks)}
        return cls(keys, config.active_kek)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def get(self, kek_id: str) -> bytes:
        key = self._keys.get(kek_id)
        if key is None:
            raise AuditKeyError(f"audit KEK {kek_id!r} is not in the keyring")
        return key

    def active(self) -> tuple[str, bytes]:
        if self.active_id is None:
            raise AuditKeyError("no active audit KEK is configured")
        return self.active_id, self._keys[self.active_id]
