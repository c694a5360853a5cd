"""Plaintext API keys never come to rest: not in the data directory, not in the logs, not in admin listings.

A thousand keys are issued; a sample is used for real and every other one is presented with a wrong secret. Then the
data directory (SQLite database, its WAL and everything else), every log line the process wrote while serving, and
the admin API's listing are searched for every key secret that was issued or presented.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import secrets
import string
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest

from conftest import RunningGateway
from support.servers import wait_until
from wardgate.auth.key_admin import KeySpec
from wardgate.auth.keys import hash_key
from wardgate.telemetry.logs import JsonFormatter

KEY_COUNT = 1_000
USED = 100
"""Keys sent with their real secret; the rest are sent with a wrong secret."""
SECRET_LEN = 40
_ALPHABET = string.ascii_letters + string.digits
_RUNS = re.compile(rb"[A-Za-z0-9]{40,}")


def leaked(secret_set: set[str], blobs: Iterable[bytes]) -> set[str]:
    """Every member of ``secret_set`` (40-char base62 strings) that occurs anywhere in ``blobs``.

    A secret can only appear inside a maximal run of base62 characters, so each run of 40 or more is cut into every
    40-character window and looked up: linear in the data, however many secrets there are.
    """
    wanted = {s.encode() for s in secret_set}
    found: set[str] = set()
    for blob in blobs:
        for run in _RUNS.finditer(blob):
            text = run.group()
            for start in range(len(text) - SECRET_LEN + 1):
                window = text[start : start + SECRET_LEN]
                if window in wanted:
                    found.add(window.decode())
    return found


def test_leak_detector_finds_an_embedded_secret() -> None:
    secret = "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LEN))
    assert leaked({secret}, [b"x" + b"abc" + secret.encode() + b"def", b"nothing"]) == {secret}
    assert leaked({secret}, [f'{{"k":"wg-0123456789abcdef-{secret}"}}'.encode()]) == {secret}
    assert leaked({secret}, [secret[:-1].encode()]) == set()


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every record any logger emits, formatted by the gateway's JSON formatter, at DEBUG."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def wrong_secret(secret: str) -> str:
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(SECRET_LEN))
        if candidate != secret:
            return candidate


def test_no_plaintext_key_at_rest_in_logs_or_listings(gateway: RunningGateway, captured_logs: io.StringIO) -> None:
    keys = gateway.gateway.services.keys
    issued = [keys.create(KeySpec(name=f"svc-{i}", team=f"team-{i % 7}")) for i in range(KEY_COUNT)]
    admin_key = keys.create(KeySpec(name="root", role="admin")).key
    real_secrets = {item.key.rsplit("-", 1)[1] for item in issued} | {admin_key.rsplit("-", 1)[1]}
    assert len(real_secrets) == KEY_COUNT + 1
    presented_wrong: set[str] = set()

    body = json.dumps({"model": "mock-small", "messages": [{"role": "user", "content": "hello"}]}).encode()
    with httpx.Client(base_url=gateway.root, timeout=30) as client:
        for index, item in enumerate(issued):
            if index < USED:
                key = item.key
                expected = 200
            else:
                secret = wrong_secret(item.key.rsplit("-", 1)[1])
                presented_wrong.add(secret)
                key = f"wg-{item.record.key_id}-{secret}"
                expected = 401
            response = client.post("/v1/chat/completions", content=body, headers={"authorization": f"Bearer {key}"})
            assert response.status_code == expected, response.text
            assert key not in response.text
            if expected == 401:
                assert response.json()["error"]["code"] == "invalid_api_key"
        listing = client.get("/admin/v1/keys", headers={"authorization": f"Bearer {admin_key}"})
    assert listing.status_code == 200
    assert len(listing.json()["data"]) == KEY_COUNT + 1
    assert len(gateway.upstream.app.requests) == USED

    def access_lines() -> int:
        return captured_logs.getvalue().count('"logger":"wardgate.access"')

    wait_until(lambda: access_lines() >= KEY_COUNT + 1, what="every access log line")
    log_text = captured_logs.getvalue()
    assert '"status":401' in log_text and '"code":"invalid_api_key"' in log_text

    data_dir = gateway.gateway.services.config.storage.data_dir
    files = {path.name: path.read_bytes() for path in sorted(data_dir.rglob("*")) if path.is_file()}
    assert {"wardgate.db", "server.secret"} <= set(files)
    assert "wardgate.db-wal" in files, "the WAL is where fresh rows land first; it must be searched too"

    everything = real_secrets | presented_wrong
    assert leaked(everything, files.values()) == set(), "a key secret was written to the data directory"
    assert leaked(everything, [log_text.encode()]) == set(), "a key secret was logged"
    assert leaked(everything, [listing.content]) == set(), "a key secret is in the admin listing"
    for item in issued[:USED]:
        assert item.key.encode() not in listing.content
        assert item.key not in log_text
    for name, blob in files.items():
        assert b"wg-" not in blob or name != "server.secret"

    # The stored value is a keyed HMAC, not a plain digest anyone could recompute from the key.
    server_secret = files["server.secret"].strip()
    database = files["wardgate.db"] + files["wardgate.db-wal"]
    assert server_secret not in database
    for item in issued[:USED]:
        key_id, secret = item.record.key_id, item.key.rsplit("-", 1)[1]
        stored = keys.get(key_id).secret_hash
        plain = {
            hashlib.sha256(item.key.encode()).hexdigest(),
            hashlib.sha256(secret.encode()).hexdigest(),
            hashlib.sha256(f"{key_id}:{secret}".encode()).hexdigest(),
            hashlib.sha256(f"wardgate-api-key-v1:{key_id}:{secret}".encode()).hexdigest(),
        }
        assert stored not in plain
        assert all(digest.encode() not in database for digest in plain)
        assert stored == hash_key(server_secret, key_id, secret)
        assert stored != hash_key(b"some-other-server-secret", key_id, secret)
        assert stored.encode() not in listing.content


def test_data_dir_files_are_private(gateway: RunningGateway) -> None:
    """The database, its WAL and shared-memory files (which hold the same rows) and the server secret: 0600."""
    gateway.key()
    data_dir: Path = gateway.gateway.services.config.storage.data_dir
    files = {path.name: path for path in data_dir.iterdir() if path.is_file()}
    assert {"wardgate.db", "wardgate.db-wal", "server.secret"} <= set(files)
    for name, path in files.items():
        assert path.stat().st_mode & 0o077 == 0, f"{name} must be readable by its owner only"
