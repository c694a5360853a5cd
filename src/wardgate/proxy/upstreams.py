"""Upstream registry: model aliases, credentials and one pooled aiohttp session per upstream."""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from wardgate.config.models import GatewayConfig, UpstreamConfig
from wardgate.errors import ConfigError, NotFoundError


@dataclass(slots=True)
class Upstream:
    name: str
    config: UpstreamConfig
    base_url: str
    api_key: str | None = field(repr=False)
    session: aiohttp.ClientSession | None = None

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def client(self) -> aiohttp.ClientSession:
        if self.session is None:
            raise RuntimeError("upstream sessions are not started")
        return self.session


@dataclass(frozen=True, slots=True)
class Route:
    upstream: Upstream
    upstream_model: str


def _read_api_key(name: str, cfg: UpstreamConfig) -> str | None:
    if cfg.api_key_env:
        value = os.environ.get(cfg.api_key_env)
        if not value:
            raise ConfigError(f"upstreams.{name}.api_key_env: environment variable {cfg.api_key_env} is not set")
        return value.strip()
    if cfg.api_key_file:
        try:
            return Path(cfg.api_key_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"upstreams.{name}.api_key_file: cannot read: {exc.strerror}") from None
    return None


def _ssl_context(cfg: UpstreamConfig) -> ssl.SSLContext | bool:
    if not cfg.verify_tls:
        return False
    ctx = ssl.create_default_context(cafile=str(cfg.ca_bundle) if cfg.ca_bundle else None)
    return ctx


class UpstreamPool:
    """Resolves client-facing model names to an upstream and owns the upstream HTTP sessions."""

    def __init__(self, config: GatewayConfig) -> None:
        self._upstreams = {
            name: Upstream(name, cfg, cfg.base_url.rstrip("/"), _read_api_key(name, cfg))
            for name, cfg in config.upstreams.items()
        }
        self._aliases = {
            alias.name: Route(self._upstreams[alias.upstream], alias.upstream_model or alias.name)
            for alias in config.models
        }
        self._passthrough = next((up for up in self._upstreams.values() if up.config.passthrough), None)

    async def start(self) -> None:
        for up in self._upstreams.values():
            if up.session is None:
                connector = aiohttp.TCPConnector(
                    limit=up.config.max_connections,
                    ssl=_ssl_context(up.config),
                    ttl_dns_cache=300,
                    enable_cleanup_closed=True,
                )
                # No library default timeouts: every call sets its own (a 5 s default would kill LLM streams).
                up.session = aiohttp.ClientSession(
                    connector=connector,
                    timeout=aiohttp.ClientTimeout(total=None),
                    auto_decompress=True,
                    skip_auto_headers=("User-Agent",),
                )

    async def close(self) -> None:
        for up in self._upstreams.values():
            if up.session is not None:
                await up.session.close()
                up.session = None

    @property
    def started(self) -> bool:
        return all(up.session is not None for up in self._upstreams.values())

    @property
    def passthrough(self) -> Upstream | None:
        return self._passthrough

    def alias_names(self) -> list[str]:
        return list(self._aliases)

    def resolve(self, model: str) -> Route:
        route = self._aliases.get(model)
        if route is not None:
            return route
        if self._passthrough is not None:
            return Route(self._passthrough, model)
        raise NotFoundError("The model does not exist or you do not have access to it.", code="model_not_found")
