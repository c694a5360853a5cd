"""``wardgate demo``: gateway + built-in mock model + a scripted session that shows what is blocked and why."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from wardgate.demo.runner import DemoOptions, run_demo
from wardgate.telemetry import logs


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="run a local demo against a built-in mock model")
    demo.add_argument("--once", action="store_true", help="exit after the script (non-zero if a step misbehaved)")
    demo.add_argument("--port", type=int, default=0, help="gateway port (default: a free one)")
    demo.add_argument("--data-dir", type=Path, help="state directory (default: a new temporary directory)")
    demo.add_argument("--json", action="store_true", help="first stdout line: base_url, api_key, admin_key as JSON")


def run(args: argparse.Namespace) -> int:
    logs.configure("warning", access_log=False)
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    try:
        return run_demo(DemoOptions(once=args.once, port=args.port, data_dir=args.data_dir, json=args.json))
    except KeyboardInterrupt:
        return 0
