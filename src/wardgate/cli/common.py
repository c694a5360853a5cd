"""What every subcommand shares: ``--config`` / ``--data-dir`` and turning them into a config."""

from __future__ import annotations

import argparse
from pathlib import Path

from wardgate.config.loader import load_config, parse_config
from wardgate.config.models import GatewayConfig


def add_state_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="YAML config file")
    parser.add_argument("--data-dir", type=Path, help="state directory (default ./.wardgate or the config's)")


def load_with_data_dir(path: Path) -> tuple[GatewayConfig, Path]:
    """Load a config file; a relative ``storage.data_dir`` is relative to the file's directory."""
    config = load_config(path)
    data_dir = config.storage.data_dir
    return config, data_dir if data_dir.is_absolute() else path.parent / data_dir


def state_config(args: argparse.Namespace) -> tuple[GatewayConfig, Path]:
    """The config (a minimal one when no file is given) and the data directory to use."""
    if args.config is not None:
        config, data_dir = load_with_data_dir(args.config)
    else:
        config = parse_config({"upstreams": {"default": {"base_url": "http://127.0.0.1:1/v1"}}})
        data_dir = Path(".wardgate")
    if args.data_dir is not None:
        data_dir = args.data_dir
    return config, data_dir
