"""``create_app``: the gateway as one ASGI application.

A request reads as a straight line in :meth:`Gateway._handle`: route → authenticate → authorize the role →
handler (parse → model allowlist → limits → upstream → respond) → access log. Errors raised anywhere on the way
become the OpenAI error envelope here, once; an error after the response has started is already turned into a
terminal stream event by the relay.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import time
from pathlib import Path

from wardgate.alerts.observe import observation
from wardgate.alerts.service import AlertService
from wardgate.audit.request_event import request_event
from wardgate.audit.trail import AuditTrail
from wardgate.auth.authenticate import Authenticator, TokenVerifier
from wardgate.auth.jwt import JwtVerifier
from wardgate.auth.key_admin import KeyAdmin
from wardgate.auth.principal import Permission
from wardgate.config.models import GatewayConfig
from wardgate.context import RequestContext, RequestIds
from wardgate.errors import GatewayError, InternalError, PermissionDeniedError, ServiceUnavailableError
from wardgate.guardrails.engine import ScanEngine
from wardgate.guardrails.pipeline import Guardrails
from wardgate.http import ClientDisconnected, Request, send_error
from wardgate.limits.memory import MemoryLimiter
from wardgate.proxy.upstreams import UpstreamPool
from wardgate.response_gate import ResponseGate
from wardgate.router import Router
from wardgate.scanners.registry import ScannerSet
from wardgate.services import Services
from wardgate.storage.base import KeyStore
from wardgate.storage.cache import CachedKeyStore
from wardgate.storage.sqlite import SqliteStore
from wardgate.telemetry.metrics import GatewayMetrics
from wardgate.types import Receive, Scope, Send

log = logging.getLogger("wardgate.access")
errlog = logging.getLogger("wardgate.errors")


class Gateway:
    def __init__(self, services: Services, jwt: object | None = None) -> None:
        self.services = services
        self.router = Router()
        self._ids = RequestIds()
        self._closers: list[object] = [jwt] if jwt is not None else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._handle(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx = RequestContext(Request.from_scope(scope), self._ids.next())
        gate = ResponseGate(send, ctx, hold=False)
        audit = self.services.audit
        audited = audit is not None
        try:
            route, ctx.path_params = self.router.match(ctx.request.method, ctx.request.path)
            ctx.route = route.path
            # Health probes are the only unaudited route: unauthenticated, no content, and polled every few seconds.
            audited = audit is not None and route.permission is not None
            gate.hold = audit is not None and audited and audit.holds_responses
            if route.permission is not None:
                await self._authorize(ctx, route.permission)
            await route.handler(self.services, ctx, receive, gate)
        except GatewayError as exc:
            ctx.error_code = exc.code
            if not gate.started:
                await send_error(gate, exc)
        except ClientDisconnected:
            ctx.error_code = "client_disconnected"
            ctx.status = ctx.status or 499
        except Exception as exc:  # noqa: BLE001 - the one boundary that turns a bug into a 500, without content
            ctx.error_code = "internal_error"
            errlog.error("unhandled %s in %s", type(exc).__name__, ctx.request.path, exc_info=exc)
            if not gate.started:
                await send_error(gate, InternalError("Internal error.", code="internal_error"))
        finally:
            ctx.timings["total"] = ctx.elapsed()
            if audited:
                await self._audit(ctx, gate)
            _access_log(ctx)
            if self.services.metrics is not None:
                self.services.metrics.observe(ctx)
            if self.services.alerts is not None and ctx.principal is not None and ctx.model is not None:
                self.services.alerts.observe(observation(ctx))

    async def _audit(self, ctx: RequestContext, gate: ResponseGate) -> None:
        """Write the request's audit record, then let the held end of the response go (or replace it with a 503)."""
        audit = self.services.audit
        if audit is None:  # pragma: no cover - only called when an audit log is configured
            return
        try:
            content = ctx.capture.content() if ctx.capture is not None else None
            await audit.append(request_event(ctx, audit.policy_version, content))
        except Exception as exc:  # noqa: BLE001 - any failure to record must withhold the answer (fail closed)
            errlog.error("audit record not written (%s) for request %s", type(exc).__name__, ctx.request_id)
            ctx.error_code = "audit_unavailable"
            if gate.hold:
                await gate.fail(ServiceUnavailableError("The audit log is unavailable.", code="audit_unavailable"))
            return
        await gate.release()

    async def _authorize(self, ctx: RequestContext, permission: Permission) -> None:
        started = time.perf_counter()
        headers = ctx.request.headers
        principal = await self.services.authenticator.authenticate(headers.get("authorization"), headers.get("api-key"))
        ctx.timings["auth"] = time.perf_counter() - started
        ctx.principal = principal
        if not principal.can(permission):
            raise PermissionDeniedError("This credential's role may not use this route.", code="role_not_allowed")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self._startup()
                except Exception as exc:  # noqa: BLE001 - reported to the server, which refuses to start
                    await send({"type": "lifespan.startup.failed", "message": type(exc).__name__})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _startup(self) -> None:
        svc = self.services
        await svc.upstreams.start()
        if svc.alerts is not None:
            await svc.alerts.start()
        # Load detectors now, so no request pays for it.
        if svc.guardrails is not None:
            svc.guardrails.engine.scanners.warm()
        if svc.audit is not None:
            svc.audit.warm()

    async def _shutdown(self) -> None:
        svc = self.services
        await svc.upstreams.close()
        if svc.alerts is not None:
            await svc.alerts.aclose()
        if svc.guardrails is not None:
            svc.guardrails.engine.close()
        for closer in self._closers:
            aclose = getattr(closer, "aclose", None)
            if aclose is not None:
                await aclose()
        if svc.audit is not None:
            await svc.audit.aclose()  # last: drains the queue and signs a checkpoint at the head
        svc.store.close()


def _access_log(ctx: RequestContext) -> None:
    principal = ctx.principal
    log.info(
        "request",
        extra={
            "fields": {
                "request_id": ctx.request_id,
                "method": ctx.request.method,
                "path": ctx.request.path,
                "status": ctx.status,
                "code": ctx.error_code,
                "subject": principal.subject if principal else None,
                "team": principal.team if principal else None,
                "model": ctx.model,
                "upstream": ctx.upstream,
                "prompt_tokens": ctx.usage.prompt_tokens if ctx.usage else None,
                "completion_tokens": ctx.usage.completion_tokens if ctx.usage else None,
                "duration_ms": round(ctx.timings.get("total", 0.0) * 1000, 3),
                "upstream_ms": round(ctx.timings.get("upstream", 0.0) * 1000, 3),
            }
        },
    )


def load_server_secret(config: GatewayConfig, data_dir: Path) -> bytes:
    """The HMAC key for API-key hashes: from config/env, else generated once into the data directory (0600)."""
    if config.auth.server_secret is not None:
        return config.auth.server_secret.get_secret_value().encode()
    path = data_dir / "server.secret"
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode()


def open_store(config: GatewayConfig, data_dir: Path | None = None) -> tuple[KeyStore, bytes]:
    directory = data_dir or config.storage.data_dir
    store = CachedKeyStore(SqliteStore(directory / "wardgate.db"), config.auth.key_cache_seconds)
    return store, load_server_secret(config, directory)


def create_app(config: GatewayConfig, data_dir: Path | None = None, jwt: TokenVerifier | None = None) -> Gateway:
    """Build the gateway. ``data_dir`` overrides ``storage.data_dir``; ``jwt`` overrides ``auth.jwt``."""
    store, secret = open_store(config, data_dir)
    if jwt is None and config.auth.jwt is not None:
        jwt = JwtVerifier(config.auth.jwt)
    metrics = GatewayMetrics(config)
    scanners = ScannerSet()
    services = Services(
        config=config,
        store=store,
        authenticator=Authenticator(store, secret, jwt),
        limiter=MemoryLimiter(config.limits.default_key, config.limits.teams),
        upstreams=UpstreamPool(config),
        keys=KeyAdmin(store, secret),
        guardrails=build_guardrails(config, secret, scanners),
        metrics=metrics,
        audit=AuditTrail.open(config, data_dir or config.storage.data_dir, scanners),
        alerts=AlertService(config.alerts, on_alert=lambda alert: metrics.alert(alert.signal))
        if config.alerts.enabled
        else None,
    )
    return Gateway(services, jwt)


def build_guardrails(config: GatewayConfig, secret: bytes, scanners: ScannerSet) -> Guardrails | None:
    rails = config.guardrails
    if not rails.enabled:
        return None

    engine = ScanEngine(scanners, rails.scanner_timeout_seconds, rails.inline_scan_chars)
    hash_key = hmac.new(secret, b"wardgate-redaction-hash-v1", hashlib.sha256).digest()
    return Guardrails(rails, engine, hash_key)
