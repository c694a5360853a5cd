"""``wardgate config check FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path

from wardgate.config.loader import load_config


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = sub.add_parser("config", help="validate configuration")
    actions = config.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="validate a config file and exit")
    check.add_argument("file", type=Path)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.file)
    print(f"{args.file}: OK ({len(config.upstreams)} upstream(s), {len(config.models)} model alias(es))")
    return 0
