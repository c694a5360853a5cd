"""Wardgate: a self-hosted AI security gateway for OpenAI-compatible model providers."""

from wardgate.app import Gateway, create_app
from wardgate.config import GatewayConfig, load_config, parse_config
from wardgate.errors import ConfigError, GatewayError, WardgateError
from wardgate.version import __version__

__all__ = [
    "ConfigError",
    "Gateway",
    "GatewayConfig",
    "GatewayError",
    "WardgateError",
    "__version__",
    "create_app",
    "load_config",
    "parse_config",
]
