"""Crash durability: ``kill -9`` the gateway under load, restart it, and no record of a request whose response was
received is missing; the log still verifies.

The acknowledgement rule under test (``audit.durability: sync``): a response completes at the client only after its
audit record has been committed. Trials: 3 by default; set ``WARDGATE_CRASH_TRIALS=20`` for the longer run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

from support.fake_upstream import FakeUpstream
from support.servers import free_port, serve_in_thread
from wardgate.audit import AUDIT_DB, RecordQuery, SqliteAuditStore, search, verify

WARDGATE = (sys.executable, "-m", "wardgate")
TRIALS = int(os.environ.get("WARDGATE_CRASH_TRIALS", "3"))
CLIENTS = 8
START_TIMEOUT = 30.0


def start(config_file: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*WARDGATE, "serve", "--config", str(config_file), "--port", str(port), "--log-level", "warning"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"wardgate serve exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise TimeoutError("wardgate serve did not become ready")
        time.sleep(0.02)


def load(port: int, key: str, stop: threading.Event, acknowledged: list[str]) -> None:
    """Send requests until the gateway dies; keep the request id of every complete 200 answer."""
    body = {"model": "mock-small", "messages": [{"role": "user", "content": "durability check"}], "stream": False}
    with httpx.Client(timeout=5, headers={"authorization": f"Bearer {key}"}) as client:
        while not stop.is_set():
            try:
                response = client.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body)
                answer = response.json()
            except (httpx.HTTPError, ValueError):
                return
            if response.status_code == 200 and answer.get("choices"):
                acknowledged.append(response.headers["x-request-id"])


@pytest.mark.parametrize("trial", range(TRIALS))
def test_kill_9_loses_no_acknowledged_record(tmp_path: Path, trial: int) -> None:
    rng = random.Random(trial)
    with serve_in_thread(FakeUpstream(), lifespan="off") as upstream_port:
        data_dir = tmp_path / "data"
        config_file = tmp_path / "wardgate.yaml"
        config = {
            "storage": {"data_dir": str(data_dir)},
            "upstreams": {"mock": {"base_url": f"http://127.0.0.1:{upstream_port}/v1", "passthrough": True}},
            "audit": {"durability": "sync", "checkpoint_every_records": 50},
        }
        config_file.write_text(yaml.safe_dump(config))
        created = subprocess.run(
            [*WARDGATE, "keys", "create", "--config", str(config_file), "--name", "crash", "--json"],
            capture_output=True,
            check=True,
            timeout=START_TIMEOUT,
        )
        key = json.loads(created.stdout)["key"]
        port = free_port()
        log = tmp_path / "serve.log"
        process = start(config_file, port, log)
        acknowledged: list[str] = []
        stop = threading.Event()
        clients = [threading.Thread(target=load, args=(port, key, stop, acknowledged)) for _ in range(CLIENTS)]
        for thread in clients:
            thread.start()
        deadline = time.monotonic() + 30
        target = rng.randint(30, 150)
        while len(acknowledged) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=START_TIMEOUT)
        stop.set()
        for thread in clients:
            thread.join(timeout=30)
        assert len(acknowledged) >= target, f"load did not reach {target} answers:\n{log.read_text()[-2000:]}"

        # Restart: the gateway must come back on the same data directory and keep serving.
        process = start(config_file, port, log)
        try:
            again = httpx.post(
                f"http://127.0.0.1:{port}/v1/chat/completions",
                headers={"authorization": f"Bearer {key}"},
                json={"model": "mock-small", "messages": [{"role": "user", "content": "after restart"}]},
                timeout=10,
            )
            assert again.status_code == 200
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=START_TIMEOUT)

    store = SqliteAuditStore.open(data_dir / AUDIT_DB, durability="sync", busy_timeout=10)
    try:
        recorded = {view.fields.get("request_id") for view in search(store, RecordQuery(kinds=("request",)))}
        missing = [rid for rid in acknowledged if rid not in recorded]
        assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged requests have no audit record"
        report = verify(store)
        assert report.exit_code == 0, report.to_json()
    finally:
        store.close()
