"""TLS on both legs, with throwaway CAs from ``trustme``: the gateway terminating TLS (and mTLS) for clients, and
the gateway verifying an upstream's certificate (``ca_bundle`` / ``verify_tls``)."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import httpx2
import openai
import pytest
import trustme
import uvicorn

from conftest import GatewayFactory
from support.fake_upstream import FakeUpstream
from support.servers import serve_in_thread
from wardgate.app import create_app
from wardgate.auth.key_admin import KeySpec
from wardgate.config.loader import parse_config
from wardgate.server import uvicorn_config

CHAT: dict[str, Any] = {"model": "mock-small", "messages": [{"role": "user", "content": "hello over tls"}]}


@dataclass(frozen=True)
class Pki:
    """Files of one CA and a server certificate it issued for 127.0.0.1 and localhost."""

    ca: Any  # trustme.CA (untyped)
    ca_file: Path
    cert_file: Path
    key_file: Path

    def client_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx


def make_pki(directory: Path, name: str) -> Pki:
    ca = trustme.CA(organization_name=f"wardgate test {name}")
    issued = ca.issue_cert("127.0.0.1", "localhost")
    pki = Pki(ca, directory / f"{name}-ca.pem", directory / f"{name}-cert.pem", directory / f"{name}-key.pem")
    ca.cert_pem.write_to_path(str(pki.ca_file))
    issued.private_key_pem.write_to_path(str(pki.key_file))
    for index, blob in enumerate(issued.cert_chain_pems):
        blob.write_to_path(str(pki.cert_file), append=index > 0)
    return pki


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pki]:
    directory = tmp_path_factory.mktemp("pki")
    return {name: make_pki(directory, name) for name in ("server", "other", "clients", "upstream")}


@dataclass(frozen=True)
class TlsGateway:
    port: int
    key: str

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/v1"


TlsGatewayFactory = Callable[[dict[str, str]], TlsGateway]


@pytest.fixture
def tls_gateway_factory(tmp_path: Path) -> Iterator[TlsGatewayFactory]:
    """Start a gateway serving TLS via :func:`wardgate.server.uvicorn_config` (the config ``wardgate serve`` uses)."""
    upstream = FakeUpstream()
    stack: list[Any] = []

    def start(tls: dict[str, str]) -> TlsGateway:
        config = parse_config(
            {
                "server": {"tls": tls},
                "storage": {"data_dir": str(tmp_path / f"data{len(stack)}")},
                "upstreams": {"fake": {"base_url": f"http://127.0.0.1:{upstream_port}/v1", "passthrough": True}},
            }
        )
        app = create_app(config)
        ctx = serve_in_thread(app, config=uvicorn_config(app, config, port=0))
        port = ctx.__enter__()
        stack.append(ctx)
        return TlsGateway(port, app.services.keys.create(KeySpec(name="tls")).key)

    with serve_in_thread(upstream, lifespan="off") as upstream_port:
        yield start
        for ctx in reversed(stack):
            ctx.__exit__(None, None, None)


def server_tls(pki: Pki, client_ca: Pki | None = None) -> dict[str, str]:
    tls = {"cert_file": str(pki.cert_file), "key_file": str(pki.key_file)}
    if client_ca is not None:
        tls["client_ca_file"] = str(client_ca.ca_file)
    return tls


def sdk_chat(gw: TlsGateway, verify: ssl.SSLContext) -> str:
    with (
        httpx2.Client(verify=verify, timeout=10) as http_client,
        openai.OpenAI(base_url=gw.base_url, api_key=gw.key, max_retries=0, http_client=http_client) as client,
    ):
        answer = client.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "hi tls"}])
    return answer.choices[0].message.content or ""


def test_tls_with_trusted_ca(tls_gateway_factory: TlsGatewayFactory, certs: dict[str, Pki]) -> None:
    gw = tls_gateway_factory(server_tls(certs["server"]))
    assert "hi tls" in sdk_chat(gw, certs["server"].client_context())
    with httpx.Client(verify=certs["server"].client_context(), timeout=10) as http:
        resp = http.get(f"https://localhost:{gw.port}/healthz")
        assert resp.status_code == 200
        assert resp.extensions["http_version"] == b"HTTP/1.1"


def test_tls_with_untrusted_ca_fails(tls_gateway_factory: TlsGatewayFactory, certs: dict[str, Pki]) -> None:
    gw = tls_gateway_factory(server_tls(certs["server"]))
    with pytest.raises(openai.APIConnectionError) as info:
        sdk_chat(gw, certs["other"].client_context())
    assert isinstance(info.value.__cause__, httpx2.ConnectError)
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value.__cause__)
    with httpx.Client(verify=certs["other"].client_context(), timeout=10) as http, pytest.raises(httpx.ConnectError):
        http.get(f"https://127.0.0.1:{gw.port}/healthz")
    # Plain HTTP on the TLS port gets no answer from the gateway.
    with httpx.Client(timeout=10) as http, pytest.raises(httpx.TransportError):
        http.get(f"http://127.0.0.1:{gw.port}/healthz")


def client_cert_context(trust: Pki, issuer: Pki | None) -> ssl.SSLContext:
    ctx = trust.client_context()
    if issuer is not None:
        issuer.ca.issue_cert("client.example").configure_cert(ctx)
    return ctx


MTLS = [
    pytest.param(None, False, id="no-client-cert"),
    pytest.param("other", False, id="cert-from-another-ca"),
    pytest.param("clients", True, id="cert-from-client-ca"),
]


@pytest.mark.parametrize(("issuer", "ok"), MTLS)
def test_mutual_tls(
    tls_gateway_factory: TlsGatewayFactory, certs: dict[str, Pki], issuer: str | None, ok: bool
) -> None:
    gw = tls_gateway_factory(server_tls(certs["server"], client_ca=certs["clients"]))
    ctx = client_cert_context(certs["server"], certs[issuer] if issuer else None)
    if ok:
        assert "hi tls" in sdk_chat(gw, ctx)
        return
    # With TLS 1.3 the server checks the client certificate after the client's side of the handshake: the failure
    # shows up on connect or on the first read, but never as an HTTP answer.
    with httpx.Client(verify=ctx, timeout=10) as http, pytest.raises(httpx.TransportError):
        http.get(f"https://127.0.0.1:{gw.port}/healthz")
    with pytest.raises(openai.APIConnectionError):
        sdk_chat(gw, ctx)


@pytest.fixture
def tls_upstream(certs: dict[str, Pki]) -> Iterator[tuple[FakeUpstream, int]]:
    app = FakeUpstream()
    pki = certs["upstream"]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ssl_certfile=str(pki.cert_file), ssl_keyfile=str(pki.key_file)
    )
    with serve_in_thread(app, config=config) as port:
        yield app, port


UPSTREAM_TLS = [
    pytest.param("upstream", True, 200, None, id="ca-bundle-trusted"),
    pytest.param(None, True, 502, "upstream_unavailable", id="no-ca-bundle-untrusted"),
    pytest.param("other", True, 502, "upstream_unavailable", id="ca-bundle-of-another-ca"),
    pytest.param(None, False, 200, None, id="verify-tls-off"),
]


@pytest.mark.parametrize(("bundle", "verify", "status", "code"), UPSTREAM_TLS)
def test_upstream_tls(
    gateway_factory: GatewayFactory,
    tls_upstream: tuple[FakeUpstream, int],
    certs: dict[str, Pki],
    bundle: str | None,
    verify: bool,
    status: int,
    code: str | None,
) -> None:
    app, port = tls_upstream
    upstream: dict[str, Any] = {"base_url": f"https://localhost:{port}/v1", "passthrough": True, "verify_tls": verify}
    if bundle is not None:
        upstream["ca_bundle"] = str(certs[bundle].ca_file)
    gw = gateway_factory({"upstreams": {"secure": upstream}, "models": []})
    with httpx.Client(timeout=10) as http:
        resp = http.post(f"{gw.base_url}/chat/completions", json=CHAT, headers={"authorization": f"Bearer {gw.key()}"})
    assert resp.status_code == status, resp.text
    if code is None:
        assert "hello over tls" in resp.json()["choices"][0]["message"]["content"]
        assert len(app.requests) == 1
    else:
        assert resp.json()["error"]["code"] == code
        assert app.requests == [], "no request may be sent over an unverified connection"
        assert "CERTIFICATE" not in resp.text.upper()
