"""``wardgate audit …``: verify, tail, search, export (with and without --decrypt), checkpoints, purge, rewrap."""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.audit_logs import KEK_NEW, KEK_OLD, request_event
from wardgate.app import open_store
from wardgate.audit import AUDIT_DB, AuditConfig, AuditLog
from wardgate.auth.key_admin import KeyAdmin, KeySpec
from wardgate.cli.main import main
from wardgate.config.loader import load_config

ROOT = Path(__file__).resolve().parents[2]
CANARY = "CANARY-b41e-never-in-clear"
T0 = 1_700_000_000.0


@dataclass(frozen=True)
class Env:
    root: Path
    config: Path
    data_dir: Path

    def write_config(self, name: str, keks: list[str], active: str) -> Path:
        path = self.root / name
        audit = {
            "capture": "encrypted",
            "checkpoint_every_records": 20,
            "keks": [{"id": kek, "env": f"WG_TEST_{kek.upper()}"} for kek in keks],
            "active_kek": active,
        }
        data = {
            "storage": {"data_dir": "data"},
            "upstreams": {"default": {"base_url": "http://127.0.0.1:1/v1"}},
            "audit": audit,
        }
        path.write_text(yaml.safe_dump(data))
        return path

    def audit_config(self, path: Path | None = None) -> AuditConfig:
        section = yaml.safe_load((path or self.config).read_text())["audit"]
        return AuditConfig.model_validate(section)

    def key(self, role: str) -> str:
        store, secret = open_store(load_config(self.config), self.data_dir)
        try:
            return KeyAdmin(store, secret).create(KeySpec(name=role, role=role)).key
        finally:
            store.close()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.setenv("WG_TEST_K1", KEK_OLD.hex())
    monkeypatch.setenv("WG_TEST_K2", KEK_NEW.hex())
    monkeypatch.delenv("WARDGATE_API_KEY", raising=False)
    setup = Env(tmp_path, tmp_path / "wardgate.yaml", tmp_path / "data")
    setup.write_config("wardgate.yaml", ["k1"], "k1")
    with AuditLog.open(setup.audit_config(), setup.data_dir) as log:
        for i in range(50):
            log.append_sync(request_event(i, f"{CANARY} {i}" if i % 2 else None))
    return setup


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_verify(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "audit", "verify", "--config", env.config)
    assert code == 0, out
    assert "50 record(s) (seq 1..50) and 3 checkpoint(s) checked in" in out and out.rstrip().endswith("OK")
    code, out, _ = cli(capsys, "audit", "verify", "--data-dir", env.data_dir, "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["records_checked"] == 50 and report["problem"] is None


def test_verify_catches_truncation_against_exported_checkpoints(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    exported = env.root / "checkpoints.jsonl"
    code, _, err = cli(capsys, "audit", "checkpoints", "--config", env.config, "--export", exported)
    assert code == 0 and "wrote 3 checkpoint(s)" in err
    conn = sqlite3.connect(env.data_dir / AUDIT_DB)
    conn.execute("DELETE FROM records WHERE seq > 30")
    conn.execute("DELETE FROM checkpoints WHERE seq > 30")
    conn.commit()
    conn.close()
    code, out, _ = cli(capsys, "audit", "verify", "--config", env.config)
    assert code == 0  # without the exported file the cut is invisible ...
    code, out, _ = cli(capsys, "audit", "verify", "--config", env.config, "--checkpoints", exported)
    assert code == 1  # ... with it, it is not
    assert "FAILED at seq 31: truncated" in out


def test_verify_reports_the_first_bad_seq(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(env.data_dir / AUDIT_DB)
    conn.execute("UPDATE records SET body = replace(body, 'req-12', 'req-99') WHERE seq = 13")
    conn.commit()
    conn.close()
    code, out, _ = cli(capsys, "audit", "verify", "--config", env.config, "--json")
    problem = json.loads(out)["problem"]
    assert code == 1 and problem["seq"] == 13 and problem["code"] == "hash_mismatch"


def test_verify_pins_a_public_key(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    code, pem, _ = cli(capsys, "audit", "public-key", "--config", env.config)
    assert code == 0 and pem.startswith("-----BEGIN PUBLIC KEY-----")
    (env.root / "pub.pem").write_text(pem)
    assert cli(capsys, "audit", "verify", "--config", env.config, "--public-key", env.root / "pub.pem")[0] == 0
    other = env.root / "other"
    code, other_pem, _ = cli(capsys, "audit", "public-key", "--data-dir", other)
    (env.root / "other.pem").write_text(other_pem)
    code, out, _ = cli(capsys, "audit", "verify", "--config", env.config, "--public-key", env.root / "other.pem")
    assert code == 1 and "signed by an unknown key" in out


def test_tail_and_search(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "audit", "tail", "-n", "3", "--config", env.config)
    rows = jsonl(out)
    assert code == 0 and [row["seq"] for row in rows] == [48, 49, 50]
    assert rows[0]["content"] == {"sealed": True} and rows[1]["content"] is None  # seq 48 is request 47 (odd)
    code, out, _ = cli(capsys, "audit", "search", "--config", env.config, "--request-id", "req-7")
    assert [row["fields"]["request_id"] for row in jsonl(out)] == ["req-7"]
    code, out, _ = cli(capsys, "audit", "search", "--config", env.config, "--model", "gpt-test", "--kind", "request")
    assert len(jsonl(out)) == 25
    since, until = "2023-11-14T22:13:30+00:00", "2023-11-14T22:13:33+00:00"  # T0 + 10 .. T0 + 13
    code, out, _ = cli(capsys, "audit", "search", "--config", env.config, "--since", since, "--until", until)
    assert [row["seq"] for row in jsonl(out)] == [11, 12, 13]
    code, out, _ = cli(capsys, "audit", "search", "--config", env.config, "--status", "429", "--subject", "key-a")
    assert len(jsonl(out)) == 10
    assert CANARY not in out


def test_export_decrypt_needs_an_auditor_and_is_itself_audited(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(capsys, "audit", "export", "--config", env.config)
    assert code == 0 and len(jsonl(out)) == 50 and CANARY not in out
    code, _, err = cli(capsys, "audit", "export", "--config", env.config, "--decrypt")
    assert code == 2 and "auditor API key" in err
    monkeypatch.setenv("WARDGATE_API_KEY", env.key("user"))
    code, out, err = cli(capsys, "audit", "export", "--config", env.config, "--decrypt")
    assert code == 2 and "auditor role" in err and CANARY not in out
    monkeypatch.delenv("WARDGATE_API_KEY")
    auditor = env.key("auditor")
    (env.root / "auditor.key").write_text(auditor + "\n")
    args = (
        "--config",
        env.config,
        "--decrypt",
        "--api-key-file",
        env.root / "auditor.key",
        "--until",
        "2023-11-14T22:14:00Z",
    )
    code, out, err = cli(capsys, "audit", "export", *args)
    rows = jsonl(out)
    assert code == 0, err
    assert len(rows) == 40 and rows[1]["content"]["prompt"][0]["text"] == f"{CANARY} 1"
    code, out, _ = cli(capsys, "audit", "search", "--config", env.config, "--kind", "admin")
    decrypts = [row["fields"] for row in jsonl(out) if row["fields"]["action"] == "audit.decrypt"]
    assert len(decrypts) == 1
    assert decrypts[0]["actor"]["subject"] == auditor.split("-")[1] and decrypts[0]["actor"]["role"] == "auditor"
    assert decrypts[0]["details"]["count"] == 40
    assert auditor not in out


def test_purge(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "audit", "purge", "--config", env.config, "--before", "2023-11-14T22:13:45+00:00")
    assert code == 0 and "purged 20 record(s)" in out  # T0 + 25: cut at the checkpoint at seq 20
    code, out, _ = cli(capsys, "audit", "verify", "--config", env.config)
    assert code == 0 and "signed purge anchor at seq 20" in out and "(seq 21..51)" in out
    code, out, _ = cli(capsys, "audit", "search", "--config", env.config, "--kind", "admin")
    assert [row["fields"]["action"] for row in jsonl(out)] == ["audit.purge"]
    assert jsonl(out)[0]["fields"]["details"]["deleted"] == 20


def test_rewrap_retires_the_old_kek(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    both = env.write_config("both.yaml", ["k1", "k2"], "k2")
    with AuditLog.open(env.audit_config(both), env.data_dir) as log:
        log.append_sync(request_event(60, f"{CANARY} new"))
    code, out, _ = cli(capsys, "audit", "rewrap", "--config", both)
    assert code == 0 and "re-wrapped 1 segment key(s) under k2; 1 unchanged" in out
    only_new = env.write_config("new.yaml", ["k2"], "k2")
    monkeypatch.setenv("WARDGATE_API_KEY", env.key("auditor"))
    code, out, err = cli(capsys, "audit", "export", "--config", only_new, "--decrypt")
    assert code == 0, err
    texts = [row["content"]["prompt"][0]["text"] for row in jsonl(out) if row["kind"] == "request" and row["content"]]
    assert texts == [f"{CANARY} {i}" for i in range(1, 50, 2)] + [f"{CANARY} new"]


def test_verify_exits_3_after_a_torn_tail(env: Env, capsys: pytest.CaptureFixture[str]) -> None:
    conn = sqlite3.connect(env.data_dir / AUDIT_DB)
    conn.execute('UPDATE records SET body = \'{"v":1,"se\' WHERE seq = 50')
    conn.execute("DELETE FROM checkpoints WHERE seq = 50")
    conn.commit()
    conn.close()
    AuditLog.open(env.audit_config().metadata_only(), env.data_dir).close()
    code, out, _ = cli(capsys, "audit", "verify", "--config", env.config)
    assert code == 3
    assert "quarantined: seq 50 (hash does not match the record)" in out and "OK, but with quarantined rows" in out


def test_verify_without_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "audit", "verify", "--data-dir", tmp_path / "nothing")
    assert code == 2 and "no audit log" in err


def _reader(stream: Any, lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _next_line(lines: queue.Queue[str], deadline: float) -> dict[str, Any]:
    return dict(json.loads(lines.get(timeout=max(0.0, deadline - time.monotonic()))))


def test_tail_follow(env: Env) -> None:
    command = [sys.executable, "-m", "wardgate", "audit", "tail", "-n", "1", "--follow", "--interval", "0.05"]
    proc = subprocess.Popen(
        [*command, "--data-dir", str(env.data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    try:
        deadline = time.monotonic() + 30
        assert _next_line(lines, deadline)["seq"] == 50
        with AuditLog.open(env.audit_config().metadata_only(), env.data_dir) as log:
            log.append_sync(request_event(77))
        assert _next_line(lines, deadline)["fields"]["request_id"] == "req-77"
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
