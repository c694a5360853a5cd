"""Configuration: the YAML policy file as typed, frozen models."""

from wardgate.config.loader import load_config, parse_config
from wardgate.config.models import GatewayConfig

__all__ = ["GatewayConfig", "load_config", "parse_config"]
