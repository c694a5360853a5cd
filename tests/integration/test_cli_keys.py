"""``wardgate keys …`` and ``wardgate config check`` as real subprocesses (``python -m wardgate``)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from wardgate.app import open_store
from wardgate.audit import AUDIT_DB, RecordQuery, SqliteAuditStore, search
from wardgate.auth.authenticate import Authenticator
from wardgate.auth.principal import Principal
from wardgate.config.loader import parse_config
from wardgate.errors import AuthenticationError

KEY_RE = re.compile(r"^wg-([0-9a-f]{16})-([A-Za-z0-9]{40})$")
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def wardgate(*args: str | Path, cwd: Path | None = None) -> Run:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "wardgate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def authenticate(data_dir: Path, key: str) -> Principal:
    """Check a key the way the gateway does, against the store the CLI wrote."""
    config = parse_config({"upstreams": {"default": {"base_url": "http://127.0.0.1:1/v1"}}})
    store, secret = open_store(config, data_dir)
    try:
        return asyncio.run(Authenticator(store, secret).authenticate(f"Bearer {key}"))
    finally:
        store.close()


def assert_rejected(data_dir: Path, key: str, code: str) -> None:
    with pytest.raises(AuthenticationError) as info:
        authenticate(data_dir, key)
    assert info.value.code == code


def test_keys_lifecycle(tmp_path: Path) -> None:
    data = tmp_path / "state"
    created = wardgate(
        "keys", "create", "--data-dir", data, "--name", "x", "--team", "research", "--models", "mock-*", "--json"
    )
    assert created.code == 0, created.stderr
    lines = created.stdout.splitlines()
    assert len(lines) == 1, "--json prints exactly one line"
    issued = json.loads(lines[0])
    assert set(issued) == {"id", "key"}
    match = KEY_RE.match(issued["key"])
    assert match is not None and match.group(1) == issued["id"]
    key_id, key, secret = issued["id"], issued["key"], match.group(2)
    assert key not in created.stderr
    principal = authenticate(data, key)
    assert (principal.subject, principal.team, principal.allowed_models) == (key_id, "research", ("mock-*",))

    listed = wardgate("keys", "list", "--data-dir", data, "--json")
    assert listed.code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(row["id"], row["name"], row["status"], row["team"]) for row in rows] == [
        (key_id, "x", "active", "research")
    ]
    human = wardgate("keys", "list", "--data-dir", data)
    assert human.code == 0 and key_id in human.stdout and "active" in human.stdout

    shown = wardgate("keys", "show", key_id, "--data-dir", data)
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == key_id
    shown_json = wardgate("keys", "show", key_id, "--data-dir", data, "--json")
    assert json.loads(shown_json.stdout) == json.loads(shown.stdout)

    rotated_run = wardgate("keys", "rotate", key_id, "--data-dir", data, "--json")
    assert rotated_run.code == 0, rotated_run.stderr
    rotated = json.loads(rotated_run.stdout)
    assert rotated["id"] == key_id and rotated["key"] != key
    assert KEY_RE.match(rotated["key"])
    assert_rejected(data, key, "invalid_api_key")
    assert authenticate(data, rotated["key"]).subject == key_id

    graced_run = wardgate("keys", "rotate", key_id, "--grace", "600", "--data-dir", data, "--json")
    graced = json.loads(graced_run.stdout)
    assert authenticate(data, rotated["key"]).subject == key_id, "the previous secret lives on for the grace"
    assert authenticate(data, graced["key"]).subject == key_id

    revoked = wardgate("keys", "revoke", key_id, "--data-dir", data)
    assert revoked.code == 0, revoked.stderr
    assert revoked.stdout.strip() == f"revoked {key_id}"
    assert_rejected(data, graced["key"], "revoked_api_key")
    after = wardgate("keys", "show", key_id, "--data-dir", data, "--json")
    assert json.loads(after.stdout)["status"] == "revoked"

    for run in (listed, human, shown, shown_json, revoked, after):
        for secret_text in (key, secret, rotated["key"], graced["key"]):
            assert secret_text not in run.stdout + run.stderr
        assert "hash" not in run.stdout.lower()


def test_human_create_output_and_options(tmp_path: Path) -> None:
    data = tmp_path / "state"
    created = wardgate(
        "keys",
        "create",
        "--data-dir",
        data,
        "--name",
        "ops",
        "--role",
        "admin",
        "--expires",
        "30d",
        "--rpm",
        "5",
        "--daily-cost",
        "1.5",
    )
    assert created.code == 0, created.stderr
    found = re.search(r"^key: (\S+)$", created.stdout, re.MULTILINE)
    assert found is not None and KEY_RE.match(found.group(1))
    principal = authenticate(data, found.group(1))
    assert principal.role == "admin"
    assert principal.limits is not None
    assert (principal.limits.requests_per_minute, principal.limits.daily_cost_usd) == (5, 1.5)
    row = json.loads(wardgate("keys", "list", "--data-dir", data, "--json").stdout)[0]
    assert row["expires_at"] is not None and row["status"] == "active"
    assert row["limits"] == {"requests_per_minute": 5, "daily_cost_usd": 1.5}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("show", "0123456789abcdef"), id="show"),
        pytest.param(("revoke", "0123456789abcdef"), id="revoke"),
        pytest.param(("rotate", "0123456789abcdef"), id="rotate"),
    ],
)
def test_unknown_key_id_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    run = wardgate("keys", *args, "--data-dir", tmp_path / "state")
    assert run.code == 2
    assert run.stdout == ""
    assert run.stderr.startswith("wardgate: error: ")
    assert "Traceback" not in run.stderr


VALID_CONFIG = """
    server:
      port: 8080
    storage:
      data_dir: ./state
    upstreams:
      x:
        base_url: https://api.example.test/v1
        api_key_env: EXAMPLE_KEY
    models:
      - name: fast
        upstream: x
        upstream_model: small-model
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            """
            upstreams:
              x:
                base_url: ftp://nope.example.test
            """,
            ["upstreams.x.base_url"],
            id="bad-upstream-url",
        ),
        pytest.param(
            """
            bogus: 1
            upstreams:
              x:
                base_url: https://api.example.test/v1
            """,
            ["bogus", "Extra inputs are not permitted"],
            id="unknown-top-level-key",
        ),
        pytest.param(
            """
            upstreams:
              x:
                base_url: https://api.example.test/v1
                timeouts:
                  read: -1
            """,
            ["upstreams.x.timeouts.read"],
            id="negative-timeout",
        ),
        pytest.param(
            """
            upstreams:
              x:
                base_url: https://api.example.test/v1
            server:
              prot: 80
            """,
            ["server.prot"],
            id="nested-typo",
        ),
        pytest.param("upstreams: [unclosed\n", ["YAML syntax error", "line"], id="yaml-syntax"),
        pytest.param("storage: {}\n", ["upstreams"], id="missing-upstreams"),
        pytest.param(
            """
            upstreams:
              x:
                base_url: ${WARDGATE_TEST_SURELY_UNSET_VAR}
            """,
            ["upstreams.x.base_url", "WARDGATE_TEST_SURELY_UNSET_VAR"],
            id="unset-env-var",
        ),
    ],
)
def test_config_check_invalid(tmp_path: Path, body: str, expected: list[str]) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(textwrap.dedent(body))
    run = wardgate("config", "check", path)
    assert run.code == 2, run.stdout + run.stderr
    assert run.stdout == ""
    assert str(path) in run.stderr, "the error names the file"
    for fragment in expected:
        assert fragment in run.stderr
    assert "Traceback" not in run.stderr


def test_config_check_valid(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(textwrap.dedent(VALID_CONFIG))
    run = wardgate("config", "check", path)
    assert run.code == 0, run.stderr
    assert str(path) in run.stdout and "OK" in run.stdout
    assert run.stderr == ""


def test_config_check_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    run = wardgate("config", "check", path)
    assert run.code == 2
    assert str(path) in run.stderr


def test_keys_commands_use_the_config_data_dir(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(textwrap.dedent(VALID_CONFIG))
    created = wardgate("keys", "create", "--config", path, "--name", "from-config", "--json")
    assert created.code == 0, created.stderr
    key = json.loads(created.stdout)["key"]
    assert (tmp_path / "state" / "wardgate.db").is_file(), "a relative data_dir is resolved next to the config file"
    assert authenticate(tmp_path / "state", key).name == "from-config"


def test_key_changes_from_the_cli_are_audited_with_the_local_operator(tmp_path: Path) -> None:
    created = wardgate("keys", "create", "--data-dir", tmp_path, "--name", "svc", "--team", "red", "--json")
    assert created.code == 0, created.stderr
    issued = json.loads(created.stdout)
    assert wardgate("keys", "revoke", issued["id"], "--data-dir", tmp_path).code == 0
    assert wardgate("keys", "list", "--data-dir", tmp_path).code == 0  # read-only: no record
    store = SqliteAuditStore.open(tmp_path / AUDIT_DB, create=False)
    try:
        records = [view.fields for view in search(store, RecordQuery(kinds=("admin",)))]
    finally:
        store.close()
    assert [(r["action"], r["target"]) for r in records] == [("key.create", issued["id"]), ("key.revoke", issued["id"])]
    assert all(str(r["actor"]["subject"]).startswith("cli:") for r in records)
    assert records[0]["details"]["team"] == "red"
    assert issued["key"].encode() not in (tmp_path / AUDIT_DB).read_bytes()
