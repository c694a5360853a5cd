"""``wardgate demo`` (placeholder until the scripted session lands)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="run a local demo against a built-in mock model")
    demo.add_argument("--once", action="store_true")
    demo.add_argument("--port", type=int, default=0)
    demo.add_argument("--data-dir")
    demo.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
