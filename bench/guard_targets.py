"""Start the streaming fake upstream and two wardgate gateways (guardrails off / on) for the guardrails benchmark.

Reuses the proxy-overhead harness: ``ProcessGroup`` (own session per child, killed in a ``finally``) and the key
creation of ``targets.py``. The config is the proxy-overhead one (passthrough upstream, limits that never trigger)
written here, so that only the ``guardrails:`` section differs between the two gateways.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from loadgen import Endpoint
from procs import LOOPBACK, ProcessGroup, TargetUnavailable, free_port, wait_http_ok
from targets import BENCH_DIR, CHAT_PATH, _create_wardgate_key

GUARDRAILS_YAML = {
    "off": "guardrails: {enabled: false}\n",
    "on": "",  # no section: the default guardrails (enabled, default input and output rules)
}


def gateway_config(data_dir: Path, upstream_port: int, name: str) -> str:
    return (
        f"storage: {{data_dir: {json.dumps(str(data_dir))}}}\n"
        "upstreams:\n"
        f'  fake: {{base_url: "http://{LOOPBACK}:{upstream_port}/v1", passthrough: true}}\n'
        "limits:\n"
        "  default_key: {requests_per_minute: 100000000, tokens_per_minute: 1000000000,"
        " concurrent_requests: 10000}\n"
    ) + GUARDRAILS_YAML[name]


@dataclass(frozen=True)
class Gateway:
    name: str
    endpoint: Endpoint
    pid: int
    config_yaml: str


def start_stream_upstream(group: ProcessGroup, answer_chars: int, chunks: int) -> tuple[int, int]:
    """Start ``fake_stream_upstream.py``; returns (port, pid)."""
    port = free_port()
    argv = [sys.executable, str(BENCH_DIR / "fake_stream_upstream.py"), "--port", str(port)]
    argv += ["--answer-chars", str(answer_chars), "--chunks", str(chunks)]
    child = group.spawn("upstream", argv)
    wait_http_ok(child, f"http://{LOOPBACK}:{port}/v1/models", timeout_s=30)
    return port, child.proc.pid


def start_gateway(group: ProcessGroup, workdir: Path, name: str, upstream_port: int, binary: Path) -> Gateway:
    """``wardgate serve`` with the proxy-overhead config plus the ``guardrails:`` section for ``name``."""
    if not binary.exists():
        raise TargetUnavailable(f"{binary} does not exist (is the wardgate CLI installed?)")
    home = workdir / f"wardgate-{name}"
    data_dir = home / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    key = _create_wardgate_key(binary, data_dir)
    yaml = gateway_config(data_dir, upstream_port, name)
    config = home / "wardgate.yaml"
    config.write_text(yaml)
    port = free_port()
    child = group.spawn(
        f"wardgate-{name}", [str(binary), "serve", "--config", str(config), "--port", str(port)], cwd=home
    )
    wait_http_ok(child, f"http://{LOOPBACK}:{port}/healthz", timeout_s=90)
    endpoint = Endpoint(name, f"http://{LOOPBACK}:{port}{CHAT_PATH}", {"Authorization": f"Bearer {key}"})
    return Gateway(name, endpoint, child.proc.pid, yaml)
