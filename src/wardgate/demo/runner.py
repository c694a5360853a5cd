"""Start the mock model and the gateway, create the demo keys, play the script."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from wardgate.app import create_app
from wardgate.audit import AUDIT_DB, SqliteAuditStore, verify
from wardgate.auth.key_admin import KeySpec
from wardgate.config.loader import parse_config
from wardgate.config.models import Limits
from wardgate.demo.background import BackgroundServer, start_background
from wardgate.demo.script import DemoKeys, render_table, run_script
from wardgate.mock import MockModelApp


@dataclass
class DemoOptions:
    once: bool = False
    port: int = 0
    data_dir: Path | None = None
    json: bool = False


def run_demo(options: DemoOptions, stop: threading.Event | None = None) -> int:
    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="wardgate-demo-"))
    model = MockModelApp()
    mock = start_background(model)
    config = parse_config(
        {
            "storage": {"data_dir": str(data_dir)},
            "upstreams": {"mock": {"base_url": f"http://127.0.0.1:{mock.port}/v1", "passthrough": True}},
            # Full prompts and answers, sealed. Demo only: a real deployment keeps the KEK away from the data.
            "audit": {
                "capture": "encrypted",
                "keks": [{"id": "demo", "file": str(_demo_kek(data_dir))}],
                "active_kek": "demo",
                "checkpoint_every_records": 4,
            },
        },
        "<demo>",
    )
    app = create_app(config)
    keys = app.services.keys
    demo_keys = DemoKeys(
        user=keys.create(KeySpec(name="demo-user", allowed_models=("mock-small", "mock-embed"))).key,
        burst=keys.create(KeySpec(name="demo-burst", limits=Limits(requests_per_minute=3))).key,
        admin=keys.create(KeySpec(name="demo-admin", role="admin")).key,
        last_prompt=lambda: model.last_prompt,
    )
    gateway = start_background(app, port=options.port)
    try:
        return _play(options, gateway, demo_keys, data_dir, stop)
    finally:
        gateway.stop()
        mock.stop()


def _demo_kek(data_dir: Path) -> Path:
    path = data_dir / "demo-audit.kek"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return path


def _verify_audit(data_dir: Path) -> bool:
    """What ``wardgate audit verify --data-dir DIR`` checks: the hash chain and the signed checkpoints."""
    store = SqliteAuditStore.open(data_dir / AUDIT_DB, create=False)
    try:
        report = verify(store)
    finally:
        store.close()
    verdict = "intact" if report.exit_code == 0 else f"NOT intact ({report.to_json()['problem']})"
    print(
        f"\nAudit log: {report.records_checked} records (one per request and admin action, prompts and answers "
        f"sealed with AES-256-GCM), hash chain and {report.checkpoints_checked} signed checkpoint(s) {verdict}.\n"
        f"  check it yourself: wardgate audit verify --data-dir {data_dir}",
        flush=True,
    )
    return report.exit_code == 0


def _play(
    options: DemoOptions, gateway: BackgroundServer, keys: DemoKeys, data_dir: Path, stop: threading.Event | None
) -> int:
    base_url = f"http://127.0.0.1:{gateway.port}/v1"
    if options.json:
        print(json.dumps({"base_url": base_url, "api_key": keys.user, "admin_key": keys.admin}), flush=True)
    results = run_script(base_url, keys)
    failed = [r for r in results if not r.ok]
    print(f"\nWardgate demo: gateway on {base_url}, in front of the built-in mock model\n")
    print(render_table(results))
    print(f"\n{len(results) - len(failed)}/{len(results)} steps behaved as expected.", flush=True)
    intact = _verify_audit(data_dir)
    if options.once:
        return 1 if failed or not intact else 0
    print(
        f"\nThe gateway keeps serving (state in {data_dir}). Try it:\n\n"
        f"  export OPENAI_BASE_URL={base_url}\n"
        f"  export OPENAI_API_KEY={keys.user}\n"
        f'  curl -s $OPENAI_BASE_URL/chat/completions -H "Authorization: Bearer $OPENAI_API_KEY" \\\n'
        f'       -H "Content-Type: application/json" \\\n'
        f'       -d \'{{"model": "mock-small", "messages": [{{"role": "user", "content": "hello"}}]}}\'\n\n'
        f"  admin key (for /admin/v1/keys): {keys.admin}\n\nPress Ctrl-C to stop.",
        flush=True,
    )
    (stop or threading.Event()).wait()
    return 0
