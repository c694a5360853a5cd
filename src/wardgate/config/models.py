"""The policy/config file as frozen pydantic models.

Every model forbids unknown keys, and every bound (sizes, counts, timeouts) is a ``Field`` constraint, so a typo
or an out-of-range value stops the process at startup with the file and key path named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from wardgate.alerts.config import AlertsConfig
from wardgate.audit.config import AuditConfig
from wardgate.config.guardrails import GuardrailsConfig

Role = Literal["user", "admin", "auditor"]
PositiveFloat = Annotated[float, Field(gt=0)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TlsServerConfig(Frozen):
    cert_file: Path
    key_file: Path
    client_ca_file: Path | None = None
    """When set, clients must present a certificate signed by this CA (mTLS)."""
    require_client_cert: bool = True


class ServerConfig(Frozen):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    max_messages: int = Field(default=512, ge=1, le=100_000)
    max_output_tokens: int = Field(default=32_768, ge=1, le=10_000_000)
    """Cap on ``max_tokens`` / ``max_completion_tokens`` a caller may ask for."""
    shutdown_grace_seconds: float = Field(default=30.0, ge=0, le=3600)
    tls: TlsServerConfig | None = None


class Timeouts(Frozen):
    connect: PositiveFloat = 10.0
    read: PositiveFloat = 120.0
    """Longest wait for the upstream's response headers / non-streamed body."""
    stream_idle: PositiveFloat = 60.0
    """Longest silence between two chunks of a streamed answer."""
    total: PositiveFloat = 600.0
    """Hard cap on one upstream exchange, stream included."""


class UpstreamConfig(Frozen):
    base_url: str = Field(pattern=r"^https?://", max_length=2048)
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    api_key_file: Path | None = None
    timeouts: Timeouts = Timeouts()
    max_connections: int = Field(default=256, ge=1, le=10_000)
    verify_tls: bool = True
    ca_bundle: Path | None = None
    passthrough: bool = False
    """Forward every model name not matched by an alias to this upstream unchanged."""

    @model_validator(mode="after")
    def _one_key_source(self) -> UpstreamConfig:
        if self.api_key_env and self.api_key_file:
            raise ValueError("set at most one of api_key_env and api_key_file")
        return self


class ModelAlias(Frozen):
    name: str = Field(min_length=1, max_length=256)
    """The model name clients send."""
    upstream: str
    upstream_model: str | None = Field(default=None, max_length=256)
    """The model name sent upstream (defaults to ``name``)."""


class Limits(Frozen):
    """Limits for one key or one team. ``None`` means unlimited."""

    requests_per_minute: int | None = Field(default=None, ge=1)
    tokens_per_minute: int | None = Field(default=None, ge=1)
    concurrent_requests: int | None = Field(default=None, ge=1)
    daily_tokens: int | None = Field(default=None, ge=1)
    monthly_tokens: int | None = Field(default=None, ge=1)
    daily_cost_usd: float | None = Field(default=None, gt=0)
    monthly_cost_usd: float | None = Field(default=None, gt=0)


class LimitsConfig(Frozen):
    default_key: Limits = Limits()
    """Applied to keys that carry no limits of their own."""
    teams: dict[str, Limits] = Field(default_factory=dict, max_length=10_000)


class Price(Frozen):
    input_per_1k: float = Field(ge=0)
    output_per_1k: float = Field(ge=0)


class JwtClaims(Frozen):
    subject: str = "sub"
    role: str = "wardgate_role"
    team: str = "wardgate_team"
    models: str = "wardgate_models"


class JwtConfig(Frozen):
    jwks_file: Path | None = None
    jwks_url: str | None = Field(default=None, pattern=r"^https?://")
    issuer: str = Field(min_length=1)
    audience: str = Field(min_length=1)
    algorithms: tuple[str, ...] = ("RS256", "ES256", "EdDSA")
    leeway_seconds: int = Field(default=30, ge=0, le=60)
    jwks_cache_seconds: int = Field(default=300, ge=0, le=86_400)
    jwks_fetch_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    claims: JwtClaims = JwtClaims()
    default_role: Role = "user"
    default_models: tuple[str, ...] = ()
    """Allowed-model globs when the token carries no models claim (empty: none)."""

    @field_validator("algorithms")
    @classmethod
    def _no_none(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        allowed = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
        bad = [alg for alg in value if alg not in allowed]
        if bad or not value:
            raise ValueError(f"algorithms must be a non-empty subset of {sorted(allowed)}")
        return value

    @model_validator(mode="after")
    def _one_jwks_source(self) -> JwtConfig:
        if (self.jwks_file is None) == (self.jwks_url is None):
            raise ValueError("set exactly one of jwks_file and jwks_url")
        return self


class AuthConfig(Frozen):
    server_secret: SecretStr | None = None
    """HMAC key for API-key hashes. Default: generated once into the data directory."""
    jwt: JwtConfig | None = None
    key_cache_seconds: float = Field(default=1.0, ge=0, le=60)
    """How long a looked-up key record is reused; revocations from another process take effect within this."""


class StorageConfig(Frozen):
    data_dir: Path = Path(".wardgate")


class GatewayConfig(Frozen):
    server: ServerConfig = ServerConfig()
    storage: StorageConfig = StorageConfig()
    auth: AuthConfig = AuthConfig()
    upstreams: dict[str, UpstreamConfig] = Field(min_length=1, max_length=1000)
    models: tuple[ModelAlias, ...] = Field(default=(), max_length=10_000)
    limits: LimitsConfig = LimitsConfig()
    pricing: dict[str, Price] = Field(default_factory=dict, max_length=10_000)
    guardrails: GuardrailsConfig = GuardrailsConfig()
    audit: AuditConfig = AuditConfig()
    alerts: AlertsConfig = AlertsConfig()

    @model_validator(mode="after")
    def _aliases_point_to_upstreams(self) -> GatewayConfig:
        for index, alias in enumerate(self.models):
            if alias.upstream not in self.upstreams:
                raise ValueError(f"models.{index}.upstream: unknown upstream {alias.upstream!r}")
        names = [alias.name for alias in self.models]
        if len(names) != len(set(names)):
            raise ValueError("models: duplicate model name")
        if sum(1 for up in self.upstreams.values() if up.passthrough) > 1:
            raise ValueError("upstreams: at most one upstream may set passthrough")
        return self
