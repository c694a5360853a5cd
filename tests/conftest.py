"""Shared fixtures: a fake upstream and the gateway, both over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support.fake_upstream import FakeUpstream
from support.servers import serve_in_thread
from wardgate.app import Gateway, create_app
from wardgate.auth.key_admin import KeySpec
from wardgate.config.loader import parse_config


@dataclass
class Upstream:
    app: FakeUpstream
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@dataclass
class RunningGateway:
    gateway: Gateway
    port: int
    upstream: Upstream

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def key(self, **spec: Any) -> str:
        spec.setdefault("name", "test")
        return self.gateway.services.keys.create(KeySpec(**spec)).key


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    app = FakeUpstream()
    with serve_in_thread(app, lifespan="off") as port:
        yield Upstream(app, port)


GatewayFactory = Callable[..., RunningGateway]


@pytest.fixture
def gateway_factory(upstream: Upstream, tmp_path: Path) -> Iterator[GatewayFactory]:
    stack: list[Any] = []

    def start(config: dict[str, Any] | None = None, timeouts: dict[str, float] | None = None) -> RunningGateway:
        cfg: dict[str, Any] = {
            "storage": {"data_dir": str(tmp_path / f"data{len(stack)}")},
            "upstreams": {
                "fake": {"base_url": upstream.base_url, "passthrough": True, "timeouts": timeouts or {}},
            },
            "models": [{"name": "alias-model", "upstream": "fake", "upstream_model": "mock-large"}],
        }
        cfg.update(config or {})
        gateway = create_app(parse_config(cfg))
        ctx = serve_in_thread(gateway, timeout_graceful_shutdown=5)
        port = ctx.__enter__()
        stack.append(ctx)
        return RunningGateway(gateway, port, upstream)

    yield start
    for ctx in reversed(stack):
        ctx.__exit__(None, None, None)


@pytest.fixture
def gateway(gateway_factory: GatewayFactory) -> RunningGateway:
    return gateway_factory()
