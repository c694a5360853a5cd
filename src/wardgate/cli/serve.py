"""``wardgate serve``: from a config file, or quick mode in front of one upstream."""

from __future__ import annotations

import argparse
from pathlib import Path

from wardgate.app import create_app
from wardgate.cli.common import load_with_data_dir
from wardgate.config.loader import parse_config
from wardgate.config.models import GatewayConfig
from wardgate.errors import ConfigError
from wardgate.server import cert_paths_exist, serve
from wardgate.settings import ProcessSettings, load_settings
from wardgate.telemetry import logs


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve_p = sub.add_parser("serve", help="run the gateway")
    serve_p.add_argument("--config", type=Path, help="YAML config file")
    serve_p.add_argument("--upstream", help="quick mode: OpenAI-compatible base URL, all models passed through")
    serve_p.add_argument("--upstream-key-env", help="quick mode: env var holding the upstream API key")
    serve_p.add_argument("--host")
    serve_p.add_argument("--port", type=int)
    serve_p.add_argument("--data-dir", type=Path)
    serve_p.add_argument("--log-level", help="debug, info, warning or error (default: WARDGATE_LOG_LEVEL or info)")


def build_config(args: argparse.Namespace, settings: ProcessSettings | None = None) -> GatewayConfig:
    settings = settings or load_settings()
    if args.config is None and args.upstream is None and settings.config is not None:
        args.config = settings.config
    if (args.config is None) == (args.upstream is None):
        raise ConfigError("serve: give exactly one of --config FILE or --upstream URL")
    if args.config is not None:
        config, data_dir = load_with_data_dir(args.config)
    else:
        upstream: dict[str, object] = {"base_url": args.upstream, "passthrough": True}
        if args.upstream_key_env:
            upstream["api_key_env"] = args.upstream_key_env
        config = parse_config({"upstreams": {"default": upstream}}, "--upstream")
        data_dir = config.storage.data_dir
    server = config.server.model_copy(
        update={k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    )
    if args.data_dir is None and settings.data_dir is not None and args.config is None:
        data_dir = settings.data_dir
    storage = config.storage.model_copy(update={"data_dir": args.data_dir or data_dir})
    auth = config.auth
    if settings.server_secret is not None:
        auth = auth.model_copy(update={"server_secret": settings.server_secret})
    return config.model_copy(update={"server": server, "storage": storage, "auth": auth})


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    logs.configure(args.log_level or settings.log_level)
    config = build_config(args, settings)
    missing = cert_paths_exist(config)
    if missing:
        raise ConfigError(f"server.tls: file not found: {missing[0]}")
    serve(create_app(config), config)
    return 0
