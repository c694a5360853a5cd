"""Who is calling: the authenticated principal and what its role lets it do."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from wardgate.config.models import Limits


class Permission(Enum):
    PROXY = "proxy"
    """Call the model API (``/v1/*``)."""
    MANAGE = "manage"
    """Manage keys and policy (``/admin/*``)."""
    READ_AUDIT = "read_audit"
    """Read audit records and metrics."""


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    # Separation of duties: an admin key manages the gateway but is not a model-API credential.
    "user": frozenset({Permission.PROXY}),
    "admin": frozenset({Permission.MANAGE, Permission.READ_AUDIT}),
    "auditor": frozenset({Permission.READ_AUDIT}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    """Key id for API keys, ``sub`` claim for JWTs."""
    kind: Literal["key", "jwt"]
    role: str
    team: str | None
    allowed_models: tuple[str, ...]
    allowed_tools: tuple[str, ...] = ()
    limits: Limits | None = None
    name: str | None = None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    def may_use_model(self, model: str) -> bool:
        return any(fnmatch.fnmatchcase(model, pattern) for pattern in self.allowed_models)
