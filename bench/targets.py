"""Start the fake upstream and each proxy target as its own process.

Every ``start_*`` function returns a ``loadgen.Endpoint`` for the target's
chat-completions URL, or raises ``TargetUnavailable`` with the reason the
benchmark prints when it skips that target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from evloop import uvloop_available
from litellm_env import LiteLLMEnv
from loadgen import Endpoint
from procs import LOOPBACK, ProcessGroup, TargetUnavailable, free_port, wait_http_ok, wait_tcp

BENCH_DIR = Path(__file__).resolve().parent
CHAT_PATH = "/v1/chat/completions"
LITELLM_MASTER_KEY = "sk-bench-master-key"
_LOOP = "uvloop" if uvloop_available() else "asyncio"


@dataclass
class Started:
    endpoint: Endpoint
    info: dict[str, str] = field(default_factory=dict)


def _chat_endpoint(name: str, port: int, headers: dict[str, str] | None = None) -> Endpoint:
    return Endpoint(name=name, url=f"http://{LOOPBACK}:{port}{CHAT_PATH}", headers=headers or {})


def start_upstream(group: ProcessGroup) -> tuple[int, Started]:
    port = free_port()
    child = group.spawn("upstream", [sys.executable, str(BENCH_DIR / "fake_upstream.py"), "--port", str(port)])
    wait_http_ok(child, f"http://{LOOPBACK}:{port}/v1/models", timeout_s=30)
    return port, Started(_chat_endpoint("direct", port), {"server": f"aiohttp.web fake upstream ({_LOOP})"})


def start_floor(group: ProcessGroup, upstream_port: int) -> Started:
    port = free_port()
    argv = [
        sys.executable,
        str(BENCH_DIR / "floor_proxy.py"),
        "--port",
        str(port),
        "--upstream",
        f"http://{LOOPBACK}:{upstream_port}",
    ]
    child = group.spawn("floor", argv)
    wait_tcp(child, port, timeout_s=30)
    return Started(_chat_endpoint("floor", port), {"server": f"aiohttp.web + shared ClientSession ({_LOOP})"})


def _wardgate_config(data_dir: Path, upstream_port: int, audit: bool) -> str:
    return (
        f"storage: {{data_dir: {json.dumps(str(data_dir))}}}\n"
        "upstreams:\n"
        f'  fake: {{base_url: "http://{LOOPBACK}:{upstream_port}/v1", passthrough: true}}\n'
        "limits:\n"
        "  default_key: {requests_per_minute: 100000000, tokens_per_minute: 1000000000,"
        " concurrent_requests: 10000}\n"
        # This benchmark measures the proxy core (auth + limits); guardrails have their own benchmark.
        "guardrails: {enabled: false}\n" + ("" if audit else "audit: {enabled: false}\n")
        # "wardgate" is the core alone; "wardgate-audit" adds the default audit log (sync durability: each response
        # waits for its record's commit, group-committed), so the two rows show what the audit record costs.
    )


def _create_wardgate_key(wardgate: Path, data_dir: Path) -> str:
    argv = [str(wardgate), "keys", "create", "--data-dir", str(data_dir), "--name", "bench", "--json"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TargetUnavailable(f"`wardgate keys create` failed: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout)[-800:]
        raise TargetUnavailable(f"`wardgate keys create` exited {done.returncode}: {tail}")
    for line in reversed(done.stdout.splitlines()):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("key"), str):
            return str(doc["key"])
    raise TargetUnavailable(f"`wardgate keys create` printed no JSON with a key: {done.stdout[-400:]!r}")


def wardgate_binary(explicit: str | None) -> Path:
    return Path(explicit) if explicit else Path(sys.executable).parent / "wardgate"


def start_wardgate(
    group: ProcessGroup, workdir: Path, upstream_port: int, binary: Path, audit: bool = False
) -> Started:
    if not binary.exists():
        raise TargetUnavailable(f"{binary} does not exist (is the wardgate CLI installed?)")
    name = "wardgate-audit" if audit else "wardgate"
    data_dir = workdir / f"{name}-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    key = _create_wardgate_key(binary, data_dir)
    config = workdir / f"{name}.yaml"
    config.write_text(_wardgate_config(data_dir, upstream_port, audit))
    port = free_port()
    argv = [str(binary), "serve", "--config", str(config), "--port", str(port)]
    child = group.spawn(name, argv, cwd=workdir)
    wait_http_ok(child, f"http://{LOOPBACK}:{port}/healthz", timeout_s=60)
    headers = {"Authorization": f"Bearer {key}"}
    return Started(_chat_endpoint(name, port, headers), {"server": f"{binary} serve (1 process)"})


def _litellm_config(upstream_port: int) -> str:
    return (
        "model_list:\n"
        "  - model_name: bench-model\n"
        "    litellm_params:\n"
        "      model: openai/bench-model\n"
        f"      api_base: http://{LOOPBACK}:{upstream_port}/v1\n"
        "      api_key: fake\n"
        "general_settings:\n"
        f"  master_key: {LITELLM_MASTER_KEY}\n"
        "litellm_settings:\n"
        "  telemetry: false\n"
        "  callbacks: []\n"
    )


# uvicorn access logging off (the floor proxy and the upstream log nothing per
# request either); warnings and errors still go to the target's log file.
_LITELLM_LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"err": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn": {"handlers": ["err"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": ["err"], "level": "WARNING", "propagate": False},
    },
}


def litellm_environ(workdir: Path) -> dict[str, str]:
    """Environment with every outbound fetch/telemetry of LiteLLM disabled."""
    env = {k: v for k, v in os.environ.items() if not k.upper().endswith("_PROXY")}
    for var in ("DATABASE_URL", "DIRECT_URL", "REDIS_HOST", "REDIS_URL", "LITELLM_LICENSE"):
        env.pop(var, None)
    env.update(
        {
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "LITELLM_MODE": "PRODUCTION",
            "LITELLM_LOG": "ERROR",
            "LITELLM_DONT_SHOW_FEEDBACK_BOX": "True",
            "LITELLM_TELEMETRY": "False",
            "DISABLE_ADMIN_UI": "True",
            "HF_HUB_OFFLINE": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "HOME": str(workdir),
        }
    )
    return env


def start_litellm(group: ProcessGroup, workdir: Path, upstream_port: int, env: LiteLLMEnv) -> Started:
    litellm_bin = env.ensure()
    config = workdir / "litellm.yaml"
    config.write_text(_litellm_config(upstream_port))
    log_config = workdir / "litellm-log.json"
    log_config.write_text(json.dumps(_LITELLM_LOG_CONFIG))
    port = free_port()
    argv = [str(litellm_bin), "--config", str(config), "--host", LOOPBACK, "--port", str(port)]
    argv += ["--num_workers", "1", "--telemetry", "False", "--log_config", str(log_config)]
    child = group.spawn("litellm", argv, env=litellm_environ(workdir), cwd=workdir)
    wait_tcp(child, port, timeout_s=240)
    wait_http_ok(child, f"http://{LOOPBACK}:{port}/health/liveliness", timeout_s=60)
    headers = {"Authorization": f"Bearer {LITELLM_MASTER_KEY}"}
    info = {"server": f"litellm {env.version} proxy (uvicorn, 1 worker)"}
    return Started(_chat_endpoint("litellm", port, headers), info)
