"""The state-store interface. The request path depends on this protocol only, never on a backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from wardgate.config.models import Limits


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A stored API key. ``secret_hash`` is the keyed hash; the plaintext secret is never stored."""

    key_id: str
    secret_hash: str
    name: str
    owner: str | None
    team: str | None
    role: str
    allowed_models: tuple[str, ...]
    allowed_tools: tuple[str, ...]
    limits: Limits | None
    created_at: datetime
    expires_at: datetime | None = None
    disabled: bool = False
    revoked_at: datetime | None = None
    previous_hash: str | None = None
    """After a rotation with a grace period, the old secret's hash stays valid until ``previous_valid_until``."""
    previous_valid_until: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"KeyRecord(key_id={self.key_id!r}, name={self.name!r}, role={self.role!r})"


class KeyStore(Protocol):
    def add_key(self, record: KeyRecord) -> None: ...

    def get_key(self, key_id: str) -> KeyRecord | None: ...

    def list_keys(self) -> list[KeyRecord]: ...

    def replace_key(self, record: KeyRecord) -> None:
        """Overwrite the stored record with the same ``key_id`` (revoke, disable, rotate)."""
        ...

    def close(self) -> None: ...
