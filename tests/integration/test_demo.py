"""``wardgate demo`` as a user runs it: a subprocess, its stdout, and the openai SDK against what it prints."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import openai


def test_demo_once_passes_every_step(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "wardgate", "demo", "--once", "--json", "--data-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = json.loads(proc.stdout.splitlines()[0])
    assert set(first) == {"base_url", "api_key", "admin_key"}
    assert first["api_key"].startswith("wg-")
    assert proc.stdout.count("PASS") == 9
    assert "FAIL" not in proc.stdout
    for expected in ("model_not_allowed", "rate_limit_exceeded", "invalid_api_key", "request_blocked"):
        assert expected in proc.stdout


def test_demo_keeps_serving_for_the_sdk(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "wardgate", "demo", "--json", "--data-dir", str(tmp_path / "d")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        for line in proc.stdout:  # wait until the script is over and the gateway is left serving
            if line.startswith("Press Ctrl-C"):
                break
        client = openai.OpenAI(base_url=info["base_url"], api_key=info["api_key"], max_retries=0, timeout=30)
        answer = client.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "hello"}])
        assert "hello" in (answer.choices[0].message.content or "")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == 0
