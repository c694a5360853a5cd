"""What every subcommand shares: ``--config`` / ``--data-dir`` and turning them into a config."""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path

from wardgate.audit.config import AuditConfig
from wardgate.audit.request_event import admin_event
from wardgate.audit.writer import AuditLog
from wardgate.auth.principal import Principal
from wardgate.config.loader import load_config, parse_config
from wardgate.config.models import GatewayConfig
from wardgate.types import JSONObject


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


def local_operator() -> str:
    """The actor of an action taken at the command line: ``cli:<login name>`` (``cli:uid-N`` without one)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (containers)
        return f"cli:uid-{os.getuid()}"


def record_admin_action(
    audit: AuditConfig,
    data_dir: Path,
    action: str,
    target: str | None,
    details: JSONObject,
    actor: Principal | None = None,
) -> int:
    """Append the ``admin`` audit record of a command-line action and wait until it is durable; returns its seq.

    Opened without content capture, so it needs no KEK. ``actor`` defaults to the local operator.
    """
    event = admin_event(actor if actor is not None else local_operator(), action, target, details)
    with AuditLog.open(audit.metadata_only(), data_dir) as audit_log:
        return audit_log.append_sync(event)
