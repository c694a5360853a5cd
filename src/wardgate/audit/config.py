"""``AuditConfig``: the ``audit:`` section of the gateway config, as a frozen model with its bounds in the schema."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_ID = r"^[A-Za-z0-9_.-]{1,64}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KekSource(_Frozen):
    """One key-encryption key: 32 bytes written as 64 hex characters or base64, read from a file or an env var."""

    id: str = Field(pattern=_ID)
    file: Path | None = None
    env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")

    @model_validator(mode="after")
    def _one_source(self) -> KekSource:
        if (self.file is None) == (self.env is None):
            raise ValueError("set exactly one of file and env")
        return self


class AuditConfig(_Frozen):
    enabled: bool = True
    capture: Literal["none", "redacted", "encrypted"] = "none"
    """What happens to an event's ``content``: dropped, stored as given (already redacted), or sealed."""
    durability: Literal["sync", "async"] = "sync"
    """``sync``: ``append`` returns once the record is on disk (fsync). ``async``: once it is queued."""
    segment_max_records: int = Field(default=1_000_000, ge=1, le=2**20)
    """Sealed records per data key before a new segment (and key) starts."""
    checkpoint_every_records: int = Field(default=1000, ge=1, le=10_000_000)
    keks: tuple[KekSource, ...] = Field(default=(), max_length=64)
    active_kek: str | None = Field(default=None, pattern=_ID)
    """The KEK new segments are wrapped under."""
    signing_key_file: Path | None = None
    """Ed25519 checkpoint signing key (PEM). Default: ``audit_signing.key`` in the data directory, created 0600."""
    max_batch_records: int = Field(default=1024, ge=1, le=65_536)
    """Records the writer commits in one transaction at most (group commit)."""
    queue_max_records: int = Field(default=100_000, ge=1, le=10_000_000)
    """Queued records beyond which ``append`` fails with ``AuditOverloadedError`` instead of growing memory."""
    busy_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    """How long a write waits for another process holding the database lock."""

    def metadata_only(self) -> AuditConfig:
        """A copy for writers that never record content (CLI admin actions): no capture, so no KEK is needed."""
        return self.model_copy(update={"capture": "none", "keks": (), "active_kek": None})

    @model_validator(mode="after")
    def _keys_consistent(self) -> AuditConfig:
        ids = [kek.id for kek in self.keks]
        if len(ids) != len(set(ids)):
            raise ValueError("keks: duplicate id")
        if self.active_kek is not None and self.active_kek not in ids:
            raise ValueError("active_kek: not one of the configured keks")
        if self.capture == "encrypted" and self.active_kek is None:
            raise ValueError("capture 'encrypted' needs keks and active_kek")
        return self
