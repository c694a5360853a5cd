"""The admin REST API (``/admin/v1/keys``) over real HTTP with an admin key: lifecycle, secrecy and error envelopes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import RunningGateway, Upstream
from support.fake_upstream import FakeUpstream
from support.servers import serve_in_thread
from wardgate.app import create_app
from wardgate.config.loader import parse_config

KEYS = "/admin/v1/keys"
CHAT = "/v1/chat/completions"
KEY_RE = re.compile(r"^wg-([0-9a-f]{16})-([A-Za-z0-9]{40})$")
DESCRIBE_FIELDS = {
    "id",
    "name",
    "owner",
    "team",
    "role",
    "allowed_models",
    "allowed_tools",
    "limits",
    "created_at",
    "expires_at",
    "revoked_at",
    "status",
}
UNKNOWN_ID = "0123456789abcdef"


@pytest.fixture(scope="module")
def shared_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """One upstream and one gateway for the whole module: every test works on keys it creates itself."""
    data_dir: Path = tmp_path_factory.mktemp("admin-data")
    app = FakeUpstream()
    with serve_in_thread(app, lifespan="off") as upstream_port:
        upstream = Upstream(app, upstream_port)
        cfg = {
            "storage": {"data_dir": str(data_dir)},
            "upstreams": {"fake": {"base_url": upstream.base_url, "passthrough": True}},
        }
        gateway = create_app(parse_config(cfg))
        with serve_in_thread(gateway, timeout_graceful_shutdown=5) as port:
            yield RunningGateway(gateway, port, upstream)


@pytest.fixture
def gateway(shared_gateway: RunningGateway) -> RunningGateway:
    """Overrides the conftest fixture: the module's gateway, with the upstream's record cleared."""
    shared_gateway.upstream.app.requests.clear()
    return shared_gateway


@pytest.fixture(scope="module")
def admin_key(shared_gateway: RunningGateway) -> str:
    return shared_gateway.key(role="admin", name="root")


@pytest.fixture
def admin(gateway: RunningGateway, admin_key: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.root, headers={"authorization": f"Bearer {admin_key}"}, timeout=30) as client:
        yield client


def chat(gw: RunningGateway, key: str, model: str = "mock-small") -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    return httpx.post(f"{gw.base_url}/chat/completions", json=body, headers={"authorization": f"Bearer {key}"})


def assert_error(response: httpx.Response, status: int, code: str, param: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str) and error["type"]
    if param is not None:
        assert error["param"] == param
    return error


def create(admin: httpx.Client, **body: Any) -> dict[str, Any]:
    body.setdefault("name", "svc")
    response = admin.post(KEYS, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def assert_no_secret(gw: RunningGateway, text: str, key: str) -> None:
    """Neither the key, its secret part, nor any stored hash may appear in an admin answer."""
    match = KEY_RE.match(key)
    assert match is not None
    assert key not in text
    assert match.group(2) not in text
    assert "hash" not in text.lower()
    for record in gw.gateway.services.keys.list():
        assert record.secret_hash not in text
        if record.previous_hash is not None:
            assert record.previous_hash not in text


# --------------------------------------------------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------------------------------------------------


def test_create_returns_the_key_once(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(admin, name="billing", owner="ops@example.test", team="finance", allowed_models=["mock-small"])
    assert set(created) == DESCRIBE_FIELDS | {"key"}
    match = KEY_RE.match(created["key"])
    assert match is not None and match.group(1) == created["id"]
    assert created["name"] == "billing"
    assert created["owner"] == "ops@example.test"
    assert created["team"] == "finance"
    assert created["role"] == "user"
    assert created["allowed_models"] == ["mock-small"]
    assert created["status"] == "active"
    assert created["revoked_at"] is None

    shown = admin.get(f"{KEYS}/{created['id']}")
    assert shown.status_code == 200
    assert shown.json() == {k: v for k, v in created.items() if k != "key"}
    assert_no_secret(gateway, shown.text, created["key"])
    listed = admin.get(KEYS)
    assert listed.status_code == 200
    assert_no_secret(gateway, listed.text, created["key"])
    assert all("key" not in row for row in listed.json()["data"])

    assert chat(gateway, created["key"]).status_code == 200
    assert_error(chat(gateway, created["key"], model="mock-large"), 403, "model_not_allowed", "model")


def test_create_with_limits_and_expiry(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(
        admin,
        name="limited",
        role="user",
        allowed_tools=["get_weather"],
        limits={"requests_per_minute": 1},
        expires_at="2999-01-01T00:00:00+00:00",
    )
    assert created["limits"] == {"requests_per_minute": 1}
    assert created["allowed_tools"] == ["get_weather"]
    assert created["expires_at"] == "2999-01-01T00:00:00+00:00"
    assert admin.get(f"{KEYS}/{created['id']}").json()["limits"] == {"requests_per_minute": 1}
    assert chat(gateway, created["key"]).status_code == 200
    assert_error(chat(gateway, created["key"]), 429, "rate_limit_exceeded")


def test_create_admin_and_auditor_roles(gateway: RunningGateway, admin: httpx.Client) -> None:
    second_admin = create(admin, name="ops", role="admin")
    auditor = create(admin, name="audit", role="auditor")
    assert (second_admin["role"], auditor["role"]) == ("admin", "auditor")
    listed = httpx.get(f"{gateway.root}{KEYS}", headers={"authorization": f"Bearer {second_admin['key']}"})
    assert listed.status_code == 200
    denied = httpx.get(f"{gateway.root}{KEYS}", headers={"authorization": f"Bearer {auditor['key']}"})
    assert_error(denied, 403, "role_not_allowed")


def test_key_created_with_past_expiry_is_expired(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(admin, expires_at="2000-01-01T00:00:00Z")
    assert created["status"] == "expired"
    assert_error(chat(gateway, created["key"]), 401, "expired_api_key")
    assert gateway.upstream.app.requests == []


def test_list(gateway: RunningGateway, admin: httpx.Client) -> None:
    made = [create(admin, name=f"svc-{i}", team="t") for i in range(3)]
    response = admin.get(KEYS)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    rows = {row["id"]: row for row in body["data"]}
    assert len(rows) == len(gateway.gateway.services.keys.list())
    assert len(rows) >= 4  # the admin key itself and the three new ones
    for item in made:
        assert set(rows[item["id"]]) == DESCRIBE_FIELDS
        assert rows[item["id"]]["name"] == item["name"]
        assert_no_secret(gateway, response.text, item["key"])
    assert "admin" in {row["role"] for row in rows.values()}


def test_show(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(admin, name="one")
    response = admin.get(f"{KEYS}/{created['id']}")
    assert response.status_code == 200
    assert response.json()["id"] == created["id"]
    assert set(response.json()) == DESCRIBE_FIELDS
    assert_no_secret(gateway, response.text, created["key"])


def test_revoke(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(admin)
    assert chat(gateway, created["key"]).status_code == 200
    response = admin.post(f"{KEYS}/{created['id']}/revoke")
    assert response.status_code == 200
    revoked = response.json()
    assert revoked["status"] == "revoked"
    assert revoked["revoked_at"] is not None
    assert_no_secret(gateway, response.text, created["key"])
    assert admin.get(f"{KEYS}/{created['id']}").json()["status"] == "revoked"
    seen = len(gateway.upstream.app.requests)
    error = assert_error(chat(gateway, created["key"]), 401, "revoked_api_key")
    assert error["type"] == "authentication_error"
    assert len(gateway.upstream.app.requests) == seen
    again = admin.post(f"{KEYS}/{created['id']}/revoke")
    assert again.status_code == 200
    assert again.json()["revoked_at"] == revoked["revoked_at"], "revoking twice keeps the first timestamp"


def test_rotate_without_grace(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(admin)
    response = admin.post(f"{KEYS}/{created['id']}/rotate")
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["id"] == created["id"]
    assert rotated["key"] != created["key"]
    assert KEY_RE.match(rotated["key"])
    assert_error(chat(gateway, created["key"]), 401, "invalid_api_key")
    assert chat(gateway, rotated["key"]).status_code == 200
    shown = admin.get(f"{KEYS}/{created['id']}")
    assert_no_secret(gateway, shown.text, rotated["key"])
    assert_no_secret(gateway, shown.text, created["key"])


def test_rotate_with_grace(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(admin)
    response = admin.post(f"{KEYS}/{created['id']}/rotate", json={"grace_seconds": 3600})
    assert response.status_code == 200
    rotated = response.json()
    assert chat(gateway, created["key"]).status_code == 200
    assert chat(gateway, rotated["key"]).status_code == 200
    assert_no_secret(gateway, admin.get(KEYS).text, created["key"])
    again = admin.post(f"{KEYS}/{created['id']}/rotate")
    assert again.status_code == 200
    assert_error(chat(gateway, created["key"]), 401, "invalid_api_key")
    assert_error(chat(gateway, rotated["key"]), 401, "invalid_api_key")
    assert chat(gateway, again.json()["key"]).status_code == 200


def test_rotate_revoked_key_is_404(admin: httpx.Client) -> None:
    created = create(admin)
    assert admin.post(f"{KEYS}/{created['id']}/revoke").status_code == 200
    assert_error(admin.post(f"{KEYS}/{created['id']}/rotate"), 404, "key_not_found")


def test_admin_key_cannot_call_the_model_api(gateway: RunningGateway, admin: httpx.Client) -> None:
    created = create(admin, role="admin")
    assert_error(chat(gateway, created["key"]), 403, "role_not_allowed")
    assert gateway.upstream.app.requests == []


# --------------------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------------------

BAD_CREATE_BODIES = [
    pytest.param(b'{"name": "x", "bogus": 1}', "invalid_request", "bogus", id="unknown-field"),
    pytest.param(b'{"name": "x", "secret_hash": "00"}', "invalid_request", "secret_hash", id="unknown-field-hash"),
    pytest.param(b'{"name": "x", "key": "wg-0-0"}', "invalid_request", "key", id="unknown-field-key"),
    pytest.param(b"{}", "invalid_request", "name", id="missing-name"),
    pytest.param(b"", "invalid_request", "name", id="empty-body"),
    pytest.param(b'{"name": ""}', "invalid_request", "name", id="empty-name"),
    pytest.param(b'{"name": "x", "role": "root"}', "invalid_request", "role", id="bad-role"),
    pytest.param(
        b'{"name": "x", "allowed_models": "mock-small"}', "invalid_request", "allowed_models", id="models-str"
    ),
    pytest.param(b'{"name": "x", "limits": {"requests_per_minute": 0}}', "invalid_request", None, id="bad-limit"),
    pytest.param(b'{"name": "x", "limits": {"rpm": 5}}', "invalid_request", None, id="unknown-limit"),
    pytest.param(b'{"name": "x", "expires_at": "soon"}', "invalid_request", "expires_at", id="bad-expiry"),
    pytest.param(b'{"name": "x", "expires_at": "2999-01-01T00:00:00"}', "invalid_request", "expires_at", id="naive"),
    pytest.param(b'["name"]', "invalid_request", None, id="json-array"),
    pytest.param(b"null", "invalid_request", None, id="json-null"),
    pytest.param(b'{"name": "x",', "invalid_json", None, id="malformed-json"),
    pytest.param(b"{'name': 'x'}", "invalid_json", None, id="single-quotes"),
    pytest.param(b'{"name": "\xff\xfe"}', "invalid_encoding", None, id="invalid-utf8"),
    pytest.param(b'{"name": "\xc3\x28"}', "invalid_encoding", None, id="invalid-utf8-continuation"),
]


@pytest.mark.parametrize(("body", "code", "param"), BAD_CREATE_BODIES)
def test_create_rejects_bad_bodies(
    gateway: RunningGateway, admin: httpx.Client, body: bytes, code: str, param: str | None
) -> None:
    before = {r.key_id for r in gateway.gateway.services.keys.list()}
    response = admin.post(KEYS, content=body, headers={"content-type": "application/json"})
    error = assert_error(response, 400, code, param)
    assert error["type"] == "invalid_request_error"
    assert {r.key_id for r in gateway.gateway.services.keys.list()} == before, "nothing is created on error"


BAD_ROTATE_BODIES = [
    pytest.param(b'{"grace_seconds": -1}', "invalid_request", "grace_seconds", id="negative-grace"),
    pytest.param(b'{"grace_seconds": 99999999}', "invalid_request", "grace_seconds", id="grace-too-long"),
    pytest.param(b'{"grace_seconds": "soon"}', "invalid_request", "grace_seconds", id="grace-not-int"),
    pytest.param(b'{"grace": 10}', "invalid_request", "grace", id="unknown-field"),
    pytest.param(b"{", "invalid_json", None, id="malformed-json"),
    pytest.param(b"\xff", "invalid_encoding", None, id="invalid-utf8"),
]


@pytest.mark.parametrize(("body", "code", "param"), BAD_ROTATE_BODIES)
def test_rotate_rejects_bad_bodies(
    gateway: RunningGateway, admin: httpx.Client, body: bytes, code: str, param: str | None
) -> None:
    created = create(admin)
    response = admin.post(f"{KEYS}/{created['id']}/rotate", content=body)
    assert_error(response, 400, code, param)
    assert chat(gateway, created["key"]).status_code == 200, "a refused rotation leaves the key as it was"


def test_body_over_the_admin_cap_is_413(admin: httpx.Client) -> None:
    body = json.dumps({"name": "x", "owner": "o" * (70 * 1024)}).encode()
    assert_error(admin.post(KEYS, content=body), 413, "request_too_large")


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        pytest.param("GET", "", id="show"),
        pytest.param("POST", "/revoke", id="revoke"),
        pytest.param("POST", "/rotate", id="rotate"),
    ],
)
def test_unknown_key_id_is_404(admin: httpx.Client, method: str, suffix: str) -> None:
    error = assert_error(admin.request(method, f"{KEYS}/{UNKNOWN_ID}{suffix}"), 404, "key_not_found")
    assert error["type"] == "not_found_error"
    assert UNKNOWN_ID not in error["message"]


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/admin/v1/nope", id="unknown-collection"),
        pytest.param("/admin/v2/keys", id="unknown-version"),
        pytest.param("/admin/v1/keys/abc/delete", id="unknown-action"),
        pytest.param("/admin/v1/keys/a.b", id="id-with-dot"),
        pytest.param("/admin/v1/keys/" + "a" * 65, id="id-too-long"),
        pytest.param("/admin/v1/keys/", id="trailing-slash"),
        pytest.param("/admin", id="admin-root"),
        pytest.param("/", id="root"),
    ],
)
def test_unknown_route_is_404(admin: httpx.Client, path: str) -> None:
    error = assert_error(admin.get(path), 404, "route_not_found")
    assert error["type"] == "not_found_error"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("DELETE", KEYS, id="delete-collection"),
        pytest.param("PUT", KEYS, id="put-collection"),
        pytest.param("DELETE", f"{KEYS}/{UNKNOWN_ID}", id="delete-key"),
        pytest.param("PATCH", f"{KEYS}/{UNKNOWN_ID}", id="patch-key"),
        pytest.param("GET", f"{KEYS}/{UNKNOWN_ID}/revoke", id="get-revoke"),
        pytest.param("GET", f"{KEYS}/{UNKNOWN_ID}/rotate", id="get-rotate"),
        pytest.param("GET", CHAT, id="get-chat"),
    ],
)
def test_wrong_method_is_405(admin: httpx.Client, method: str, path: str) -> None:
    assert_error(admin.request(method, path), 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        pytest.param({}, "missing_api_key", id="no-credentials"),
        pytest.param({"authorization": "Bearer wg-0123456789abcdef-" + "A" * 40}, "invalid_api_key", id="unknown-key"),
    ],
)
def test_admin_api_requires_a_valid_credential(gateway: RunningGateway, headers: dict[str, str], code: str) -> None:
    before = {r.key_id for r in gateway.gateway.services.keys.list()}
    response = httpx.post(f"{gateway.root}{KEYS}", json={"name": "x"}, headers=headers)
    assert_error(response, 401, code)
    assert {r.key_id for r in gateway.gateway.services.keys.list()} == before
