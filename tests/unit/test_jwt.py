"""JwtVerifier: signature, algorithm and claim checks, claim mapping, and JWKS loading/fetching."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import RSAAlgorithm

from support.jwt_tokens import DROP, PrivateKey, b64, make_claims, raw_token, sign_with, to_jwk
from wardgate.auth.jwt import REFETCH_INTERVAL, RETRY_AFTER_FAILURE, JwtVerifier
from wardgate.auth.principal import Principal
from wardgate.config.models import JwtClaims, JwtConfig
from wardgate.errors import AuthenticationError, ConfigError

ISSUER = "https://idp.example.test"
AUDIENCE = "wardgate"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_NEW = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
ED_KEY = ed25519.Ed25519PrivateKey.generate()


JWKS = {"keys": [to_jwk(RSA_KEY, "rsa-1"), to_jwk(EC_KEY, "ec-1"), to_jwk(ED_KEY, "ed-1")]}


def claims(**overrides: object) -> dict[str, Any]:
    return make_claims(ISSUER, AUDIENCE, **overrides)


def sign(
    payload: dict[str, Any] | None = None,
    key: PrivateKey = RSA_KEY,
    alg: str = "RS256",
    kid: str | None = "rsa-1",
) -> str:
    return sign_with(claims() if payload is None else payload, key, alg, kid)


def hs256_with_rsa_public_pem() -> str:
    pem = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = b64(json.dumps(claims()).encode())
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def tampered_payload() -> str:
    header, _, signature = sign().split(".")
    forged = b64(json.dumps(claims(sub="mallory", wardgate_role="admin")).encode())
    return f"{header}.{forged}.{signature}"


def config(**overrides: Any) -> JwtConfig:
    values: dict[str, Any] = {"jwks_url": "http://127.0.0.1:9/jwks", "issuer": ISSUER, "audience": AUDIENCE}
    values.update(overrides)
    return JwtConfig(**values)


def write_jwks(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
async def verifier(tmp_path: Path) -> AsyncIterator[JwtVerifier]:
    instance = JwtVerifier(config(jwks_url=None, jwks_file=write_jwks(tmp_path, JWKS)))
    yield instance
    await instance.aclose()


def now() -> int:
    return int(time.time())


REJECTED: list[Any] = [
    pytest.param(lambda: raw_token({"alg": "none", "kid": "rsa-1"}, claims()), "alg", id="alg-none"),
    pytest.param(lambda: raw_token({"alg": "none"}, claims()), "alg", id="alg-none-no-kid"),
    pytest.param(lambda: raw_token({"alg": "None", "kid": "rsa-1"}, claims()), "alg", id="alg-None-capitalised"),
    pytest.param(hs256_with_rsa_public_pem, "alg", id="hs256-with-rsa-public-pem"),
    pytest.param(lambda: sign(alg="RS384"), "alg", id="alg-not-in-allowlist-rs384"),
    pytest.param(lambda: sign(alg="PS256"), "alg", id="alg-not-in-allowlist-ps256"),
    pytest.param(lambda: sign(kid="ec-1"), "key", id="rs256-header-ec-key"),
    pytest.param(lambda: sign(key=EC_KEY, alg="ES256", kid="rsa-1"), "key", id="es256-header-rsa-key"),
    pytest.param(lambda: sign(key=ED_KEY, alg="EdDSA", kid="ec-1"), "key", id="eddsa-header-ec-key"),
    pytest.param(lambda: sign(claims(aud="someone-else")), "InvalidAudienceError", id="wrong-aud"),
    pytest.param(lambda: sign(claims(aud=["a", "b"])), "InvalidAudienceError", id="aud-list-without-us"),
    pytest.param(lambda: sign(claims(aud=DROP)), "missing claim aud", id="missing-aud"),
    pytest.param(lambda: sign(claims(iss="https://evil.example")), "InvalidIssuerError", id="wrong-iss"),
    pytest.param(lambda: sign(claims(iss=DROP)), "missing claim iss", id="missing-iss"),
    pytest.param(lambda: sign(claims(exp=now() - 120)), "ExpiredSignatureError", id="expired"),
    pytest.param(lambda: sign(claims(exp=DROP)), "missing claim exp", id="missing-exp"),
    pytest.param(lambda: sign(claims(exp="tomorrow")), "DecodeError", id="exp-not-a-number"),
    pytest.param(lambda: sign(claims(nbf=now() + 120)), "ImmatureSignatureError", id="future-nbf"),
    pytest.param(lambda: sign(claims(iat=now() + 120)), "ImmatureSignatureError", id="future-iat"),
    pytest.param(lambda: sign(claims(sub=DROP)), "missing claim sub", id="missing-sub"),
    pytest.param(lambda: sign(claims(sub="")), "subject", id="empty-sub"),
    pytest.param(lambda: sign(claims(sub=42)), "InvalidSubjectError", id="sub-not-a-string"),
    pytest.param(lambda: sign(claims(sub="x" * 1000)), "subject", id="sub-too-long"),
    pytest.param(tampered_payload, "InvalidSignatureError", id="bad-signature-payload-modified"),
    pytest.param(lambda: sign()[:-6] + "AAAAAA", "InvalidSignatureError", id="bad-signature-bytes"),
    pytest.param(lambda: sign(key=RSA_OTHER), "InvalidSignatureError", id="other-key-same-kid"),
    pytest.param(lambda: sign(kid="unknown"), "key", id="unknown-kid"),
    pytest.param(lambda: raw_token({"alg": "RS256", "kid": 7}, claims()), "InvalidTokenError", id="kid-not-a-string"),
    pytest.param(lambda: sign(kid=None), "key", id="no-kid-multi-key-jwks"),
    pytest.param(lambda: "garbage", "format", id="garbage"),
    pytest.param(lambda: "abc.def", "format", id="two-segments"),
    pytest.param(lambda: "a.b.c.d", "format", id="four-segments"),
    pytest.param(lambda: "!!!.@@@.###", "DecodeError", id="bad-base64"),
    pytest.param(lambda: f"{b64(b'not json')}.{b64(b'{}')}.", "DecodeError", id="header-not-json"),
    pytest.param(lambda: raw_token(["RS256"], claims()), "DecodeError", id="header-json-list"),
    pytest.param(lambda: sign().rsplit(".", 1)[0] + ".", "InvalidSignatureError", id="empty-signature"),
    pytest.param(lambda: "a" * 20_000 + ".b.c", "format", id="oversized-token"),
    pytest.param(lambda: sign(claims(wardgate_role="root")), "role", id="invalid-role"),
    pytest.param(lambda: sign(claims(wardgate_role=["admin"])), "role", id="role-not-a-string"),
    pytest.param(lambda: sign(claims(wardgate_team=5)), "team", id="team-not-a-string"),
    pytest.param(lambda: sign(claims(wardgate_models=7)), "models", id="models-not-list-or-string"),
    pytest.param(lambda: sign(claims(wardgate_models=["gpt-*", 3])), "models", id="models-list-with-non-string"),
]


@pytest.mark.parametrize(("make_token", "check"), REJECTED)
async def test_rejected_tokens_share_one_error(
    verifier: JwtVerifier, make_token: Callable[[], str], check: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="wardgate.auth.jwt")
    token = make_token()
    with pytest.raises(AuthenticationError) as info:
        await verifier.verify(token)
    assert (info.value.message, info.value.code, info.value.status) == (
        "Invalid bearer token.",
        "invalid_token",
        401,
    )
    assert f"bearer token rejected: check={check} kid=" in caplog.text
    assert token not in caplog.text
    assert "alice" not in caplog.text


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda: sign(), id="rs256"),
        pytest.param(lambda: sign(key=EC_KEY, alg="ES256", kid="ec-1"), id="es256"),
        pytest.param(lambda: sign(key=ED_KEY, alg="EdDSA", kid="ed-1"), id="eddsa"),
        pytest.param(lambda: sign(claims(exp=now() - 10)), id="expired-within-leeway"),
        pytest.param(lambda: sign(claims(nbf=now() + 10)), id="nbf-within-leeway"),
        pytest.param(lambda: sign(claims(iat=now() + 10)), id="iat-within-leeway"),
        pytest.param(lambda: sign(claims(aud=["other", AUDIENCE])), id="aud-list-with-us"),
        pytest.param(lambda: sign(claims(iat=DROP)), id="no-iat"),
    ],
)
async def test_valid_tokens(verifier: JwtVerifier, make_token: Callable[[], str]) -> None:
    principal = await verifier.verify(make_token())
    assert principal == Principal(subject="alice", kind="jwt", role="user", team=None, allowed_models=())
    assert principal.limits is None


@pytest.mark.parametrize(
    ("extra", "role", "team", "models"),
    [
        pytest.param({}, "auditor", None, ("default-*",), id="defaults-when-absent"),
        pytest.param({"wardgate_role": "admin"}, "admin", None, ("default-*",), id="role-admin"),
        pytest.param({"wardgate_role": "user"}, "user", None, ("default-*",), id="role-user"),
        pytest.param({"wardgate_team": "research"}, "auditor", "research", ("default-*",), id="team"),
        pytest.param({"wardgate_models": ["gpt-4*", "claude-*"]}, "auditor", None, ("gpt-4*", "claude-*"), id="ml"),
        pytest.param({"wardgate_models": " gpt-4o  o1-* "}, "auditor", None, ("gpt-4o", "o1-*"), id="models-str"),
        pytest.param({"wardgate_models": []}, "auditor", None, (), id="models-empty-list"),
    ],
)
async def test_claim_mapping(
    tmp_path: Path, extra: dict[str, Any], role: str, team: str | None, models: tuple[str, ...]
) -> None:
    cfg = config(
        jwks_url=None,
        jwks_file=write_jwks(tmp_path, JWKS),
        default_role="auditor",
        default_models=("default-*",),
    )
    verifier = JwtVerifier(cfg)
    principal = await verifier.verify(sign(claims(**extra)))
    assert (principal.subject, principal.kind, principal.role) == ("alice", "jwt", role)
    assert (principal.team, principal.allowed_models) == (team, models)


async def test_custom_claim_names(tmp_path: Path) -> None:
    names = JwtClaims(subject="email", role="roles", team="org", models="scope")
    cfg = config(jwks_url=None, jwks_file=write_jwks(tmp_path, JWKS), claims=names)
    token = sign(claims(email="a@example.test", roles="admin", org="ops", scope="gpt-4o"))
    principal = await JwtVerifier(cfg).verify(token)
    assert principal == Principal("a@example.test", "jwt", "admin", "ops", ("gpt-4o",))


async def test_no_kid_accepted_with_single_key_jwks(tmp_path: Path) -> None:
    path = write_jwks(tmp_path, {"keys": [to_jwk(EC_KEY, None)]})
    verifier = JwtVerifier(config(jwks_url=None, jwks_file=path))
    assert (await verifier.verify(sign(key=EC_KEY, alg="ES256", kid=None))).subject == "alice"


@pytest.mark.parametrize(
    ("alg", "accepted"),
    [pytest.param("RS512", True, id="declared-alg"), pytest.param("RS256", False, id="other-alg")],
)
async def test_jwk_declared_alg_must_match_header(tmp_path: Path, alg: str, accepted: bool) -> None:
    path = write_jwks(tmp_path, {"keys": [to_jwk(RSA_KEY, "rsa-1", alg="RS512")]})
    verifier = JwtVerifier(config(jwks_url=None, jwks_file=path, algorithms=("RS256", "RS512")))
    if accepted:
        assert (await verifier.verify(sign(alg=alg))).subject == "alice"
    else:
        with pytest.raises(AuthenticationError, match="Invalid bearer token"):
            await verifier.verify(sign(alg=alg))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="missing-file"),
        pytest.param("{not json", id="not-json"),
        pytest.param('{"keys": []}', id="empty-keys"),
        pytest.param('["keys"]', id="not-an-object"),
        pytest.param(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "h"}]}), id="only-hmac-key"),
        pytest.param(json.dumps({"keys": [to_jwk(EC_KEY, "e", alg="ES384")]}), id="alg-not-allowed"),
        pytest.param(json.dumps({"keys": [{**to_jwk(RSA_KEY, "r"), "use": "enc"}]}), id="encryption-key"),
        pytest.param(json.dumps({"keys": [RSAAlgorithm.to_jwk(RSA_KEY, as_dict=True)]}), id="private-key"),
    ],
)
def test_bad_jwks_file_is_config_error(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "jwks.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=r"jwks\.json"):
        JwtVerifier(config(jwks_url=None, jwks_file=path))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class JwksServer:
    def __init__(self) -> None:
        self.document: object = {"keys": [to_jwk(RSA_KEY, "rsa-1")]}
        self.status = 200
        self.hits = 0
        self.release: asyncio.Event | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.hits += 1
        if self.release is not None:
            await self.release.wait()
        return web.json_response(self.document, status=self.status)


@pytest.fixture
async def jwks_server() -> AsyncIterator[JwksServer]:
    server = JwksServer()
    app = web.Application()
    app.router.add_get("/jwks", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}/jwks"
    yield server
    if server.release is not None:
        server.release.set()
    await runner.cleanup()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def remote(jwks_server: JwksServer, clock: FakeClock) -> AsyncIterator[JwtVerifier]:
    instance = JwtVerifier(config(jwks_url=jwks_server.url, jwks_cache_seconds=300), clock=clock)
    yield instance
    await instance.aclose()


async def test_url_jwks_is_fetched_once_and_cached(
    remote: JwtVerifier, jwks_server: JwksServer, clock: FakeClock
) -> None:
    for _ in range(3):
        assert (await remote.verify(sign())).subject == "alice"
    assert jwks_server.hits == 1
    clock.now += 300
    await remote.verify(sign())
    assert jwks_server.hits == 2


async def test_concurrent_cold_verifications_share_one_fetch(remote: JwtVerifier, jwks_server: JwksServer) -> None:
    principals = await asyncio.gather(*(remote.verify(sign()) for _ in range(20)))
    assert {p.subject for p in principals} == {"alice"}
    assert jwks_server.hits == 1


async def test_key_rotation_new_kid_triggers_refetch(
    remote: JwtVerifier, jwks_server: JwksServer, clock: FakeClock
) -> None:
    await remote.verify(sign())
    jwks_server.document = {"keys": [to_jwk(RSA_KEY, "rsa-1"), to_jwk(RSA_NEW, "rsa-2")]}
    rotated = sign(key=RSA_NEW, kid="rsa-2")
    with pytest.raises(AuthenticationError, match="Invalid bearer token"):
        await remote.verify(rotated)  # the last fetch was under REFETCH_INTERVAL ago
    assert jwks_server.hits == 1
    clock.now += REFETCH_INTERVAL
    principals = await asyncio.gather(*(remote.verify(rotated) for _ in range(10)))
    assert {p.subject for p in principals} == {"alice"}  # all joined the one refetch
    assert jwks_server.hits == 2
    assert (await remote.verify(sign())).subject == "alice"  # the old key still works


async def test_unknown_kid_refetches_at_most_once_per_interval(
    remote: JwtVerifier, jwks_server: JwksServer, clock: FakeClock
) -> None:
    await remote.verify(sign())
    clock.now += REFETCH_INTERVAL
    tokens = [sign(kid=f"attacker-{n}") for n in range(50)]
    results = await asyncio.gather(*(remote.verify(token) for token in tokens), return_exceptions=True)
    assert all(isinstance(r, AuthenticationError) and r.code == "invalid_token" for r in results)
    for token in tokens:
        with pytest.raises(AuthenticationError, match="Invalid bearer token"):
            await remote.verify(token)
    assert jwks_server.hits == 2
    assert remote.fetch_count == 2


@pytest.mark.parametrize(
    ("status", "document"),
    [
        pytest.param(500, {"keys": []}, id="http-500"),
        pytest.param(200, {"keys": "nope"}, id="not-a-jwks"),
        pytest.param(200, {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}, id="no-usable-key"),
    ],
)
async def test_bad_idp_answer_is_idp_unavailable(
    remote: JwtVerifier, jwks_server: JwksServer, clock: FakeClock, status: int, document: object
) -> None:
    jwks_server.status, jwks_server.document = status, document
    with pytest.raises(AuthenticationError) as info:
        await remote.verify(sign())
    assert (info.value.message, info.value.code) == ("Identity provider unavailable.", "idp_unavailable")
    with pytest.raises(AuthenticationError, match="Identity provider unavailable"):
        await remote.verify(sign())  # retried too soon: no second fetch
    assert jwks_server.hits == 1
    jwks_server.status, jwks_server.document = 200, JWKS
    clock.now += RETRY_AFTER_FAILURE
    assert (await remote.verify(sign())).subject == "alice"
    assert jwks_server.hits == 2


async def test_unreachable_url_is_idp_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    verifier = JwtVerifier(config(jwks_url=f"http://127.0.0.1:{port}/jwks"))
    try:
        with pytest.raises(AuthenticationError) as info:
            await verifier.verify(sign())
        assert info.value.code == "idp_unavailable"
    finally:
        await verifier.aclose()


async def test_slow_idp_times_out(jwks_server: JwksServer) -> None:
    jwks_server.release = asyncio.Event()
    verifier = JwtVerifier(config(jwks_url=jwks_server.url, jwks_fetch_timeout_seconds=0.05))
    try:
        with pytest.raises(AuthenticationError) as info:
            await verifier.verify(sign())
        assert info.value.code == "idp_unavailable"
    finally:
        await verifier.aclose()


async def test_stale_keys_are_not_used_when_refresh_fails(
    remote: JwtVerifier, jwks_server: JwksServer, clock: FakeClock
) -> None:
    await remote.verify(sign())
    jwks_server.status = 503
    clock.now += 300
    with pytest.raises(AuthenticationError, match="Identity provider unavailable"):
        await remote.verify(sign())


async def test_aclose_is_idempotent(remote: JwtVerifier) -> None:
    await remote.verify(sign())
    await remote.aclose()
    await remote.aclose()
