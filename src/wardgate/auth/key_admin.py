"""Key lifecycle: create, rotate, revoke, disable. Shared by the CLI and the admin REST API."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from wardgate.auth.keys import format_key, hash_key, new_key_id, new_secret
from wardgate.config.models import Limits
from wardgate.errors import NotFoundError
from wardgate.storage.base import KeyRecord, KeyStore


@dataclass(frozen=True, slots=True)
class KeySpec:
    name: str
    role: str = "user"
    owner: str | None = None
    team: str | None = None
    allowed_models: tuple[str, ...] = ("*",)
    allowed_tools: tuple[str, ...] = ()
    limits: Limits | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A freshly issued key: ``key`` is the plaintext, shown once and never stored."""

    record: KeyRecord
    key: str

    def __repr__(self) -> str:
        return f"IssuedKey(key_id={self.record.key_id!r}, key=<redacted>)"


class KeyAdmin:
    def __init__(self, store: KeyStore, server_secret: bytes) -> None:
        self._store = store
        self._secret = server_secret

    def create(self, spec: KeySpec, now: datetime | None = None) -> IssuedKey:
        key_id, secret = new_key_id(), new_secret()
        record = KeyRecord(
            key_id=key_id,
            secret_hash=hash_key(self._secret, key_id, secret),
            name=spec.name,
            owner=spec.owner,
            team=spec.team,
            role=spec.role,
            allowed_models=spec.allowed_models,
            allowed_tools=spec.allowed_tools,
            limits=spec.limits,
            created_at=now or datetime.now(UTC),
            expires_at=spec.expires_at,
        )
        self._store.add_key(record)
        return IssuedKey(record, format_key(key_id, secret))

    def get(self, key_id: str) -> KeyRecord:
        record = self._store.get_key(key_id)
        if record is None:
            raise NotFoundError("No such key.", code="key_not_found")
        return record

    def list(self) -> list[KeyRecord]:
        return self._store.list_keys()

    def revoke(self, key_id: str, now: datetime | None = None) -> KeyRecord:
        record = self.get(key_id)
        if record.revoked_at is None:
            record = dataclasses.replace(record, revoked_at=now or datetime.now(UTC))
            self._store.replace_key(record)
        return record

    def set_disabled(self, key_id: str, disabled: bool) -> KeyRecord:
        record = dataclasses.replace(self.get(key_id), disabled=disabled)
        self._store.replace_key(record)
        return record

    def rotate(self, key_id: str, grace_seconds: int = 0, now: datetime | None = None) -> IssuedKey:
        """Issue a new secret for the same key id; the old one stays valid for ``grace_seconds``."""
        record = self.get(key_id)
        if record.revoked_at is not None:
            raise NotFoundError("No such key.", code="key_not_found")
        now = now or datetime.now(UTC)
        secret = new_secret()
        rotated = dataclasses.replace(
            record,
            secret_hash=hash_key(self._secret, key_id, secret),
            previous_hash=record.secret_hash if grace_seconds > 0 else None,
            previous_valid_until=now + timedelta(seconds=grace_seconds) if grace_seconds > 0 else None,
        )
        self._store.replace_key(rotated)
        return IssuedKey(rotated, format_key(key_id, secret))


def describe(record: KeyRecord, now: datetime | None = None) -> dict[str, object]:
    """A JSON-able view of a key for listings (no hash, no secret)."""
    now = now or datetime.now(UTC)
    if record.revoked_at is not None:
        status = "revoked"
    elif record.disabled:
        status = "disabled"
    elif record.expires_at is not None and record.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return {
        "id": record.key_id,
        "name": record.name,
        "owner": record.owner,
        "team": record.team,
        "role": record.role,
        "allowed_models": list(record.allowed_models),
        "allowed_tools": list(record.allowed_tools),
        "limits": record.limits.model_dump(exclude_none=True) if record.limits else None,
        "created_at": record.created_at.isoformat(),
        "expires_at": record.expires_at.isoformat() if record.expires_at else None,
        "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
        "status": status,
    }
