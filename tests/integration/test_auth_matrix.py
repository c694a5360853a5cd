"""Authentication and authorization matrix over real HTTP: API keys and JWTs, every denial before the upstream.

Each case builds its credential against a fresh gateway, sends one request with the official ``openai`` SDK (or
with ``httpx`` / ``http.client`` where the SDK cannot express the header), and checks the status, the OpenAI error
envelope with its stable ``code``, that the presented credential is not echoed, and that the fake upstream saw no
request at all for a denied call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from conftest import GatewayFactory, RunningGateway, Upstream
from support.fake_upstream import FakeUpstream
from support.jwt_tokens import DROP, PrivateKey, b64, make_claims, raw_token, sign_with, to_jwk
from support.servers import serve_in_thread, wait_until
from wardgate.app import create_app
from wardgate.config.loader import parse_config

CHAT = "/v1/chat/completions"
ADMIN_KEYS = "/admin/v1/keys"
MESSAGES: Any = [{"role": "user", "content": "hello"}]
ENVELOPE_FIELDS = {"message", "type", "code", "param"}
ERROR_TYPES = {401: "authentication_error", 403: "permission_error"}


# --------------------------------------------------------------------------------------------------------------------
# One gateway per matrix (module scope): starting a server per case would dominate the runtime. Every case makes
# its own credentials, and the upstream's record is cleared before each case.
# --------------------------------------------------------------------------------------------------------------------


@contextmanager
def serve_gateway(upstream: Upstream, data_dir: Path, extra: dict[str, Any] | None = None) -> Iterator[RunningGateway]:
    cfg: dict[str, Any] = {
        "storage": {"data_dir": str(data_dir)},
        "upstreams": {"fake": {"base_url": upstream.base_url, "passthrough": True}},
        "models": [{"name": "alias-model", "upstream": "fake", "upstream_model": "mock-large"}],
    }
    cfg.update(extra or {})
    gateway = create_app(parse_config(cfg))
    with serve_in_thread(gateway, timeout_graceful_shutdown=5) as port:
        yield RunningGateway(gateway, port, upstream)


@pytest.fixture(scope="module")
def shared_upstream() -> Iterator[Upstream]:
    app = FakeUpstream()
    with serve_in_thread(app, lifespan="off") as port:
        yield Upstream(app, port)


@pytest.fixture(scope="module")
def key_gateway_module(shared_upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    with serve_gateway(shared_upstream, tmp_path_factory.mktemp("keys")) as gw:
        yield gw


@pytest.fixture(scope="module")
def jwt_gateway_module(shared_upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    directory = tmp_path_factory.mktemp("jwt")
    with serve_gateway(shared_upstream, directory / "data", {"auth": {"jwt": jwt_settings(directory)}}) as gw:
        yield gw


@pytest.fixture
def key_gateway(key_gateway_module: RunningGateway) -> RunningGateway:
    key_gateway_module.upstream.app.requests.clear()
    return key_gateway_module


@pytest.fixture
def jwt_gateway(jwt_gateway_module: RunningGateway) -> RunningGateway:
    jwt_gateway_module.upstream.app.requests.clear()
    return jwt_gateway_module


# --------------------------------------------------------------------------------------------------------------------
# Sending one attempt and checking the answer
# --------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One request. ``key`` goes through the SDK; ``headers`` (when not ``None``) through httpx as given."""

    key: str | None = None
    headers: dict[str, str] | None = None
    raw_authorization: str | None = None
    """Sent verbatim with ``http.client`` (for values httpx refuses to send, like trailing whitespace)."""
    path: str = CHAT
    model: str = "mock-small"
    secrets: tuple[str, ...] = ()
    """Strings that must never appear in the answer (the presented credential and its parts)."""


@dataclass(frozen=True)
class Outcome:
    status: int
    body: str
    sdk_code: str | None = None


def _chat_body(model: str) -> bytes:
    return json.dumps({"model": model, "messages": MESSAGES}).encode()


def send(gw: RunningGateway, attempt: Attempt) -> Outcome:
    if attempt.raw_authorization is not None:
        conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=30)
        try:
            headers = {"authorization": attempt.raw_authorization, "content-type": "application/json"}
            conn.request("POST", attempt.path, body=_chat_body(attempt.model), headers=headers)
            response = conn.getresponse()
            return Outcome(response.status, response.read().decode())
        finally:
            conn.close()
    if attempt.headers is not None or attempt.path != CHAT:
        headers = dict(attempt.headers or {})
        if attempt.key is not None:
            headers["authorization"] = f"Bearer {attempt.key}"
        with httpx.Client(base_url=gw.root, timeout=30) as http_client:
            if attempt.path == CHAT:
                answer = http_client.post(attempt.path, content=_chat_body(attempt.model), headers=headers)
            else:
                answer = http_client.get(attempt.path, headers=headers)
        return Outcome(answer.status_code, answer.text)
    assert attempt.key is not None
    client = openai.OpenAI(base_url=gw.base_url, api_key=attempt.key, max_retries=0, timeout=30)
    try:
        raw = client.chat.completions.with_raw_response.create(model=attempt.model, messages=MESSAGES)
    except openai.APIStatusError as exc:
        return Outcome(exc.status_code, exc.response.text, exc.code)
    finally:
        client.close()
    completion = raw.parse()
    assert completion.choices[0].message.content
    return Outcome(raw.status_code, raw.http_response.text)


def assert_denied(gw: RunningGateway, attempt: Attempt, outcome: Outcome, status: int, code: str) -> None:
    assert outcome.status == status, outcome.body
    body = json.loads(outcome.body)
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == ENVELOPE_FIELDS
    assert error["code"] == code
    assert error["type"] == ERROR_TYPES[status]
    assert isinstance(error["message"], str) and error["message"]
    assert error["param"] is None or isinstance(error["param"], str)
    if outcome.sdk_code is not None:
        assert outcome.sdk_code == code
    for secret in attempt.secrets:
        assert secret not in outcome.body, "the presented credential must not be echoed"
    assert gw.upstream.app.requests == [], "a denied request must never reach the upstream"


def key_id(key: str) -> str:
    return key.split("-")[1]


def key_secret(key: str) -> str:
    return key.split("-")[2]


def presented(key: str, **kwargs: Any) -> Attempt:
    return Attempt(key=key, secrets=(key, key_secret(key)) if key.count("-") == 2 else (key,), **kwargs)


# --------------------------------------------------------------------------------------------------------------------
# API keys
# --------------------------------------------------------------------------------------------------------------------

KeySetup = Callable[[RunningGateway], Attempt]


def _missing(gw: RunningGateway) -> Attempt:
    return Attempt(headers={})


def _empty_bearer(gw: RunningGateway) -> Attempt:
    return Attempt(headers={"authorization": "Bearer"})


def _blank_bearer(gw: RunningGateway) -> Attempt:
    return Attempt(raw_authorization="Bearer    ")


def _basic_scheme(gw: RunningGateway) -> Attempt:
    key = gw.key()
    value = base64.b64encode(f"user:{key}".encode()).decode()
    return Attempt(headers={"authorization": f"Basic {value}"}, secrets=(key, key_secret(key)))


def _basic_scheme_with_raw_key(gw: RunningGateway) -> Attempt:
    key = gw.key()
    return Attempt(headers={"authorization": f"Basic {key}"}, secrets=(key, key_secret(key)))


def _empty_api_key_header(gw: RunningGateway) -> Attempt:
    return Attempt(headers={"api-key": ""})


def _wrong_prefix(gw: RunningGateway) -> Attempt:
    key = gw.key()
    return presented("sk-" + key[3:])


def _short_secret(gw: RunningGateway) -> Attempt:
    return presented(gw.key()[:-1])


def _long_secret(gw: RunningGateway) -> Attempt:
    return presented(gw.key() + "A")


def _bad_chars(gw: RunningGateway) -> Attempt:
    key = gw.key()
    return presented(key[:-2] + "_!")


def _uppercase_id(gw: RunningGateway) -> Attempt:
    key = gw.key()
    return presented(f"wg-{key_id(key).upper()}-{key_secret(key)}")


def _extra_segment(gw: RunningGateway) -> Attempt:
    return presented(gw.key() + "-extra")


def _unknown_id(gw: RunningGateway) -> Attempt:
    key = gw.key()
    return presented(f"wg-{'0' * 16}-{key_secret(key)}")


def _wrong_secret(gw: RunningGateway) -> Attempt:
    key = gw.key()
    secret = key_secret(key)
    flipped = ("B" if secret[0] == "A" else "A") + secret[1:]
    return presented(f"wg-{key_id(key)}-{flipped}")


def _expired(gw: RunningGateway) -> Attempt:
    return presented(gw.key(expires_at=datetime.now(UTC) - timedelta(minutes=1)))


def _revoked(gw: RunningGateway) -> Attempt:
    key = gw.key()
    gw.gateway.services.keys.revoke(key_id(key))
    return presented(key)


def _revoked_wrong_secret(gw: RunningGateway) -> Attempt:
    """Without the right secret, a revoked key is indistinguishable from an unknown one."""
    key = gw.key()
    gw.gateway.services.keys.revoke(key_id(key))
    return presented(f"wg-{key_id(key)}-{'Z' * 40}")


def _disabled(gw: RunningGateway) -> Attempt:
    key = gw.key()
    gw.gateway.services.keys.set_disabled(key_id(key), True)
    return presented(key)


def _rotated_away(gw: RunningGateway) -> Attempt:
    key = gw.key()
    gw.gateway.services.keys.rotate(key_id(key))
    return presented(key)


def _old_secret_within_grace(gw: RunningGateway) -> Attempt:
    key = gw.key()
    gw.gateway.services.keys.rotate(key_id(key), grace_seconds=300)
    return presented(key)


def _old_secret_after_grace(gw: RunningGateway) -> Attempt:
    key = gw.key()
    gw.gateway.services.keys.rotate(key_id(key), grace_seconds=60, now=datetime.now(UTC) - timedelta(minutes=2))
    return presented(key)


def _admin_on_v1(gw: RunningGateway) -> Attempt:
    return presented(gw.key(role="admin"))


def _auditor_on_v1(gw: RunningGateway) -> Attempt:
    return presented(gw.key(role="auditor"))


def _user_on_admin(gw: RunningGateway) -> Attempt:
    return presented(gw.key(), path=ADMIN_KEYS)


def _auditor_on_admin(gw: RunningGateway) -> Attempt:
    return presented(gw.key(role="auditor"), path=ADMIN_KEYS)


def _model_outside_allowlist(gw: RunningGateway) -> Attempt:
    return presented(gw.key(allowed_models=("mock-small", "alias-*")), model="mock-large")


def _api_key_header_unknown(gw: RunningGateway) -> Attempt:
    key = f"wg-{'f' * 16}-{'q' * 40}"
    return Attempt(headers={"api-key": key}, secrets=(key,))


KEY_CASES = [
    pytest.param(_missing, 401, "missing_api_key", id="missing"),
    pytest.param(_empty_bearer, 401, "missing_api_key", id="empty-bearer"),
    pytest.param(_blank_bearer, 401, "missing_api_key", id="bearer-only-whitespace"),
    pytest.param(_empty_api_key_header, 401, "missing_api_key", id="empty-api-key-header"),
    pytest.param(_basic_scheme, 401, "missing_api_key", id="basic-scheme"),
    pytest.param(_basic_scheme_with_raw_key, 401, "missing_api_key", id="basic-scheme-raw-key"),
    pytest.param(_wrong_prefix, 401, "invalid_api_key", id="malformed-wrong-prefix"),
    pytest.param(_short_secret, 401, "invalid_api_key", id="malformed-short-secret"),
    pytest.param(_long_secret, 401, "invalid_api_key", id="malformed-long-secret"),
    pytest.param(_bad_chars, 401, "invalid_api_key", id="malformed-bad-chars"),
    pytest.param(_uppercase_id, 401, "invalid_api_key", id="malformed-uppercase-id"),
    pytest.param(_extra_segment, 401, "invalid_api_key", id="malformed-extra-segment"),
    pytest.param(_unknown_id, 401, "invalid_api_key", id="unknown-id"),
    pytest.param(_api_key_header_unknown, 401, "invalid_api_key", id="unknown-id-api-key-header"),
    pytest.param(_wrong_secret, 401, "invalid_api_key", id="right-id-wrong-secret"),
    pytest.param(_expired, 401, "expired_api_key", id="expired"),
    pytest.param(_revoked, 401, "revoked_api_key", id="revoked"),
    pytest.param(_revoked_wrong_secret, 401, "invalid_api_key", id="revoked-wrong-secret"),
    pytest.param(_disabled, 401, "disabled_api_key", id="disabled"),
    pytest.param(_rotated_away, 401, "invalid_api_key", id="rotated-away-old-secret"),
    pytest.param(_old_secret_after_grace, 401, "invalid_api_key", id="old-secret-after-grace"),
    pytest.param(_old_secret_within_grace, 200, None, id="old-secret-within-grace"),
    pytest.param(_admin_on_v1, 403, "role_not_allowed", id="admin-role-on-v1"),
    pytest.param(_auditor_on_v1, 403, "role_not_allowed", id="auditor-role-on-v1"),
    pytest.param(_user_on_admin, 403, "role_not_allowed", id="user-role-on-admin"),
    pytest.param(_auditor_on_admin, 403, "role_not_allowed", id="auditor-role-on-admin"),
    pytest.param(_model_outside_allowlist, 403, "model_not_allowed", id="model-outside-allowlist"),
]


@pytest.mark.parametrize(("setup", "status", "code"), KEY_CASES)
def test_api_key_matrix(key_gateway: RunningGateway, setup: KeySetup, status: int, code: str | None) -> None:
    gateway = key_gateway
    attempt = setup(gateway)
    outcome = send(gateway, attempt)
    if code is None:
        assert outcome.status == status, outcome.body
        assert len(gateway.upstream.app.requests) == 1
        assert all(secret not in json.dumps(gateway.upstream.app.requests[0].headers) for secret in attempt.secrets)
    else:
        assert_denied(gateway, attempt, outcome, status, code)


def test_new_secret_works_after_rotation(key_gateway: RunningGateway) -> None:
    gateway = key_gateway
    old = gateway.key()
    new = gateway.gateway.services.keys.rotate(key_id(old)).key
    assert key_id(new) == key_id(old) and new != old
    assert send(gateway, presented(new)).status == 200


def test_scheme_is_case_insensitive_and_api_key_header_is_accepted(key_gateway: RunningGateway) -> None:
    gateway = key_gateway
    key = gateway.key()
    assert send(gateway, Attempt(headers={"authorization": f"bearer {key}"})).status == 200
    assert send(gateway, Attempt(headers={"api-key": key})).status == 200
    assert len(gateway.upstream.app.requests) == 2


# --------------------------------------------------------------------------------------------------------------------
# JWT
# --------------------------------------------------------------------------------------------------------------------


ISSUER = "https://idp.example.test"
AUDIENCE = "wardgate-gateway"
LEEWAY = 30
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
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


def rs256_raw(header: dict[str, Any], payload: dict[str, Any]) -> str:
    """An RS256 token signed by hand, for headers PyJWT refuses to write (a non-string ``kid``)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = RSA_KEY.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def hs256_with_rsa_public_pem() -> str:
    pem = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = b64(json.dumps(claims(wardgate_role="admin")).encode())
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def tampered_payload() -> str:
    header, _, signature = sign().split(".")
    forged = b64(json.dumps(claims(sub="mallory", wardgate_models=["*"])).encode())
    return f"{header}.{forged}.{signature}"


def now() -> int:
    return int(time.time())


@dataclass(frozen=True)
class JwtCase:
    token: Callable[[], str]
    status: int = 200
    code: str | None = None
    model: str = "mock-small"
    path: str = CHAT


def ok(token: Callable[[], str], **kwargs: Any) -> JwtCase:
    return JwtCase(token, **kwargs)


def denied(token: Callable[[], str], code: str = "invalid_token", status: int = 401, **kwargs: Any) -> JwtCase:
    return JwtCase(token, status=status, code=code, **kwargs)


HUGE_PADDING = "x" * (17 * 1024)

JWT_CASES = [
    # Accepted, with the principal's claims taking effect.
    pytest.param(ok(sign), id="valid-rs256"),
    pytest.param(ok(lambda: sign(key=EC_KEY, alg="ES256", kid="ec-1")), id="valid-es256"),
    pytest.param(ok(lambda: sign(key=ED_KEY, alg="EdDSA", kid="ed-1")), id="valid-eddsa"),
    pytest.param(ok(lambda: sign(claims(aud=["other", AUDIENCE]))), id="valid-aud-list"),
    pytest.param(ok(lambda: sign(claims(wardgate_models=["mock-small"]))), id="models-claim-allows"),
    pytest.param(
        denied(lambda: sign(claims(wardgate_models=["mock-small"])), "model_not_allowed", 403, model="mock-large"),
        id="models-claim-restricts",
    ),
    pytest.param(ok(lambda: sign(claims(wardgate_models="alias-model mock-small"))), id="models-claim-string"),
    pytest.param(
        denied(lambda: sign(claims(wardgate_models="alias-model mock-small")), "model_not_allowed", 403, model="x"),
        id="models-claim-string-restricts",
    ),
    pytest.param(ok(lambda: sign(claims(wardgate_team="research"))), id="team-claim"),
    pytest.param(ok(lambda: sign(claims(exp=now() - 10))), id="expired-within-leeway"),
    pytest.param(ok(lambda: sign(claims(nbf=now() + 10))), id="nbf-within-leeway"),
    pytest.param(ok(lambda: sign(claims(wardgate_role="admin")), path=ADMIN_KEYS), id="admin-role-on-admin"),
    # Role effects.
    pytest.param(denied(lambda: sign(claims(wardgate_role="admin")), "role_not_allowed", 403), id="admin-role-on-v1"),
    pytest.param(
        denied(lambda: sign(claims(wardgate_role="auditor")), "role_not_allowed", 403), id="auditor-role-on-v1"
    ),
    pytest.param(denied(sign, "role_not_allowed", 403, path=ADMIN_KEYS), id="user-role-on-admin"),
    pytest.param(denied(lambda: sign(claims(wardgate_role="root"))), id="invalid-role-claim"),
    pytest.param(denied(lambda: sign(claims(wardgate_role=["admin"]))), id="role-claim-not-string"),
    # Algorithm attacks.
    pytest.param(denied(lambda: raw_token({"alg": "none", "kid": "rsa-1"}, claims())), id="alg-none"),
    pytest.param(denied(lambda: raw_token({"alg": "None", "typ": "JWT"}, claims())), id="alg-none-capitalised"),
    pytest.param(denied(hs256_with_rsa_public_pem), id="hs256-confusion"),
    pytest.param(denied(lambda: sign(alg="RS384")), id="alg-not-allowed-rs384"),
    pytest.param(denied(lambda: sign(alg="PS256")), id="alg-not-allowed-ps256"),
    pytest.param(denied(lambda: sign(key=EC_KEY, alg="ES256", kid="rsa-1")), id="alg-does-not-fit-kid"),
    # Claims.
    pytest.param(denied(lambda: sign(claims(aud="someone-else"))), id="wrong-aud"),
    pytest.param(denied(lambda: sign(claims(aud=["a", "b"]))), id="wrong-aud-list"),
    pytest.param(denied(lambda: sign(claims(iss="https://evil.example.test"))), id="wrong-iss"),
    pytest.param(denied(lambda: sign(claims(aud=DROP))), id="missing-aud"),
    pytest.param(denied(lambda: sign(claims(iss=DROP))), id="missing-iss"),
    pytest.param(denied(lambda: sign(claims(exp=now() - 120))), id="expired"),
    pytest.param(denied(lambda: sign(claims(nbf=now() + 120))), id="future-nbf"),
    pytest.param(denied(lambda: sign(claims(exp=DROP))), id="missing-exp"),
    pytest.param(denied(lambda: sign(claims(sub=DROP))), id="missing-sub"),
    pytest.param(denied(lambda: sign(claims(sub=""))), id="empty-sub"),
    pytest.param(denied(lambda: sign(claims(wardgate_models=7))), id="models-claim-bad-type"),
    pytest.param(denied(lambda: sign(claims(wardgate_team=["a"]))), id="team-claim-bad-type"),
    # Keys and signatures.
    pytest.param(denied(tampered_payload), id="bad-signature"),
    pytest.param(denied(lambda: sign(key=RSA_OTHER)), id="other-key-same-kid"),
    pytest.param(denied(lambda: sign(kid="rsa-unknown")), id="unknown-kid"),
    pytest.param(denied(lambda: sign(kid=None)), id="no-kid-multi-key"),
    pytest.param(ok(lambda: rs256_raw({"alg": "RS256", "kid": "rsa-1"}, claims())), id="valid-hand-signed"),
    pytest.param(denied(lambda: rs256_raw({"alg": "RS256", "kid": 123}, claims())), id="kid-not-string"),
    # Not even a token.
    pytest.param(denied(lambda: "not-a-token", "invalid_api_key"), id="garbage"),
    pytest.param(denied(lambda: "x.y.z"), id="garbage-three-segments"),
    pytest.param(denied(lambda: ".".join(sign().split(".")[:2]), "invalid_api_key"), id="two-segment-token"),
    pytest.param(denied(lambda: sign() + ".extra", "invalid_api_key"), id="four-segment-token"),
    pytest.param(denied(lambda: sign(claims(pad=HUGE_PADDING))), id="huge-token"),
]


def jwt_settings(directory: Path, **overrides: Any) -> dict[str, Any]:
    jwks = directory / "jwks.json"
    jwks.write_text(json.dumps(JWKS))
    settings: dict[str, Any] = {
        "jwks_file": str(jwks),
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "leeway_seconds": LEEWAY,
        "default_models": ["*"],
    }
    settings.update(overrides)
    return settings


def start_jwt_gateway(
    factory: GatewayFactory, tmp_path: Path, jwt: dict[str, Any] | None = None, **config: Any
) -> RunningGateway:
    return factory({"auth": {"jwt": jwt_settings(tmp_path, **(jwt or {}))}, **config})


@pytest.mark.parametrize("case", JWT_CASES)
def test_jwt_matrix(jwt_gateway: RunningGateway, case: JwtCase) -> None:
    gw = jwt_gateway
    token = case.token()
    attempt = Attempt(key=token, path=case.path, model=case.model, secrets=(token,))
    outcome = send(gw, attempt)
    if case.code is not None:
        assert_denied(gw, attempt, outcome, case.status, case.code)
        return
    assert outcome.status == case.status, outcome.body
    if case.path == CHAT:
        assert len(gw.upstream.app.requests) == 1
        assert token not in json.dumps(gw.upstream.app.requests[0].headers)
    else:
        assert gw.upstream.app.requests == []


def test_huge_token_really_is_over_16_kib() -> None:
    assert len(sign(claims(pad=HUGE_PADDING))) > 16 * 1024


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    """Access-log records carry their fields in one ``fields`` dict (see wardgate.telemetry.logs)."""
    value = getattr(record, "fields", None)
    return value if isinstance(value, dict) else {}


def test_jwt_subject_and_team_reach_the_access_log(
    jwt_gateway: RunningGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wardgate.access")
    gw = jwt_gateway
    token = sign(claims(sub="alice@example.test", wardgate_team="research"))
    assert send(gw, Attempt(key=token)).status == 200

    def access_records() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "wardgate.access" and _fields(r).get("path") == CHAT]

    wait_until(lambda: access_records(), what="access log record")
    fields = _fields(access_records()[0])
    assert fields.get("subject") == "alice@example.test"
    assert fields.get("team") == "research"
    assert token not in caplog.text


def test_jwt_team_claim_selects_team_limits(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    gw = start_jwt_gateway(gateway_factory, tmp_path, limits={"teams": {"research": {"requests_per_minute": 1}}})
    first = sign(claims(sub="alice", wardgate_team="research"))
    second = sign(claims(sub="bob", wardgate_team="research"))
    other_team = sign(claims(sub="carol", wardgate_team="ops"))
    assert send(gw, Attempt(key=first)).status == 200
    outcome = send(gw, Attempt(key=second))
    assert outcome.status == 429
    assert json.loads(outcome.body)["error"]["code"] == "rate_limit_exceeded"
    assert send(gw, Attempt(key=other_team)).status == 200
    assert len(gw.upstream.app.requests) == 2


def test_jwt_without_models_claim_uses_default_models(gateway_factory: GatewayFactory, tmp_path: Path) -> None:
    gw = start_jwt_gateway(gateway_factory, tmp_path, jwt={"default_models": []})
    token = sign()
    outcome = send(gw, Attempt(key=token, secrets=(token,)))
    assert_denied(gw, Attempt(key=token, secrets=(token,)), outcome, 403, "model_not_allowed")


def test_api_keys_still_work_next_to_jwt(jwt_gateway: RunningGateway) -> None:
    gw = jwt_gateway
    assert send(gw, presented(gw.key())).status == 200
    assert send(gw, Attempt(key=sign())).status == 200
