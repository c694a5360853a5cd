"""The long-lived collaborators a request handler needs, built once by :func:`wardgate.app.create_app`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wardgate.auth.authenticate import Authenticator
from wardgate.auth.key_admin import KeyAdmin
from wardgate.config.models import GatewayConfig
from wardgate.limits.base import Limiter
from wardgate.proxy.upstreams import UpstreamPool
from wardgate.storage.base import KeyStore

if TYPE_CHECKING:
    from wardgate.alerts.service import AlertService
    from wardgate.audit.trail import AuditTrail
    from wardgate.guardrails.pipeline import Guardrails
    from wardgate.telemetry.metrics import GatewayMetrics


@dataclass(frozen=True, slots=True)
class Services:
    config: GatewayConfig
    store: KeyStore
    authenticator: Authenticator
    limiter: Limiter
    upstreams: UpstreamPool
    keys: KeyAdmin
    guardrails: Guardrails | None = None
    metrics: GatewayMetrics | None = None
    audit: AuditTrail | None = None
    alerts: AlertService | None = None
