"""Process settings from the environment (``WARDGATE_*``) or secret files; the policy lives in the YAML config.

| variable | meaning |
| --- | --- |
| ``WARDGATE_CONFIG`` | config file used when ``--config`` is not given |
| ``WARDGATE_DATA_DIR`` | data directory used when neither ``--data-dir`` nor the config names one |
| ``WARDGATE_SERVER_SECRET`` | HMAC key for API-key hashes (overrides the generated one) |
| ``WARDGATE_LOG_LEVEL`` | ``debug`` … ``error`` |

Each can also be given as a file named after the variable in ``/run/secrets`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProcessSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WARDGATE_", secrets_dir=None, extra="ignore", frozen=True, case_sensitive=False
    )

    config: Path | None = None
    data_dir: Path | None = None
    server_secret: SecretStr | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"


def load_settings() -> ProcessSettings:
    secrets = Path("/run/secrets")
    if secrets.is_dir():
        return ProcessSettings(_secrets_dir=secrets)  # type: ignore[call-arg]
    return ProcessSettings()
