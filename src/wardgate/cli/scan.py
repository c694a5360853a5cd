"""``wardgate scan [--policy FILE] [FILE|-]``: JSONL in (``{"text", "role"}``), one JSON verdict per line out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError

from wardgate.config.guardrails import GuardrailsConfig
from wardgate.errors import ConfigError
from wardgate.guardrails.batch import BatchScanner, scan_lines


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan = sub.add_parser("scan", help="scan JSONL texts offline and print one verdict per line")
    scan.add_argument("--policy", type=Path, help="YAML with a 'guardrails:' section (or a config file)")
    scan.add_argument("file", nargs="?", default="-", help="JSONL input (default: stdin)")


def _policy(path: Path | None) -> GuardrailsConfig:
    if path is None:
        return GuardrailsConfig()
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read policy ({type(exc).__name__})") from None
    section = data.get("guardrails", data) if isinstance(data, dict) else data
    try:
        return GuardrailsConfig.model_validate(section)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: guardrails.{where}: {first['msg']}") from None


def run(args: argparse.Namespace) -> int:
    scanner = BatchScanner.create(_policy(args.policy))
    source: TextIO = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    progress = sys.stderr.isatty()
    try:
        for count, out in enumerate(scan_lines(scanner, source), 1):
            sys.stdout.write(out + "\n")
            if progress and count % 100 == 0:
                sys.stderr.write(f"\rscanned {count} lines")
                sys.stderr.flush()
        if progress:
            sys.stderr.write("\n")
    finally:
        if source is not sys.stdin:
            source.close()
    return 0
