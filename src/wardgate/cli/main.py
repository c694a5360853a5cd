"""The ``wardgate`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from wardgate import __version__
from wardgate.cli import audit_cmd, config_cmd, demo, keys, scan, serve
from wardgate.errors import WardgateError

_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "serve": serve.run,
    "keys": keys.run,
    "config": config_cmd.run,
    "demo": demo.run,
    "scan": scan.run,
    "audit": audit_cmd.run,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wardgate", description="Wardgate, a self-hosted AI security gateway.")
    parser.add_argument("--version", action="version", version=f"wardgate {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve.register(sub)
    keys.register(sub)
    config_cmd.register(sub)
    demo.register(sub)
    scan.register(sub)
    audit_cmd.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except WardgateError as exc:
        print(f"wardgate: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
