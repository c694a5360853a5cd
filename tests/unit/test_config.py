"""Config loading: typed, frozen, unknown keys refused, errors name the file and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from wardgate.config.loader import load_config, parse_config
from wardgate.errors import ConfigError

MINIMAL = "upstreams:\n  main:\n    base_url: http://127.0.0.1:9/v1\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wardgate.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.upstreams["main"].timeouts.read == 120.0
    assert config.server.max_body_bytes == 4 * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param(MINIMAL + "bogus: 1\n", "bogus", id="unknown-top-level-key"),
        pytest.param("upstreams:\n  main:\n    base_url: ftp://x\n", "upstreams.main.base_url", id="bad-url"),
        pytest.param(MINIMAL + "server:\n  port: 70000\n", "server.port", id="port-range"),
        pytest.param(MINIMAL + "server:\n  max_body_bytes: 10\n", "server.max_body_bytes", id="body-bound"),
        pytest.param(
            MINIMAL + "limits:\n  default_key:\n    requests_per_minute: 0\n", "requests_per_minute", id="rpm"
        ),
        pytest.param(
            MINIMAL + "models:\n  - {name: a, upstream: nope}\n", "models.0.upstream", id="alias-unknown-upstream"
        ),
        pytest.param(
            MINIMAL + "auth:\n  jwt: {jwks_file: j.json, issuer: i, audience: a, leeway_seconds: 300}\n",
            "auth.jwt.leeway_seconds",
            id="jwt-leeway-over-60",
        ),
        pytest.param(
            MINIMAL + "auth:\n  jwt: {jwks_file: j.json, issuer: i, audience: a, algorithms: [none]}\n",
            "auth.jwt.algorithms",
            id="jwt-alg-none",
        ),
        pytest.param("upstreams: {}\n", "upstreams", id="no-upstreams"),
        pytest.param(MINIMAL + "server: [1, 2\n", "YAML syntax error", id="yaml-syntax"),
    ],
)
def test_errors_name_file_and_key_path(tmp_path: Path, text: str, where: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert where in message


def test_env_interpolation_and_secret_never_in_repr() -> None:
    config = parse_config(
        {"upstreams": {"main": {"base_url": "${BASE:-http://127.0.0.1:9/v1}"}}, "auth": {"server_secret": "${S}"}},
        env={"S": "top-secret-value"},
    )
    assert config.upstreams["main"].base_url == "http://127.0.0.1:9/v1"
    assert config.auth.server_secret is not None
    assert config.auth.server_secret.get_secret_value() == "top-secret-value"
    assert "top-secret-value" not in repr(config)


def test_missing_env_var_is_named() -> None:
    with pytest.raises(ConfigError, match=r"upstreams\.main\.base_url: environment variable NOPE is not set"):
        parse_config({"upstreams": {"main": {"base_url": "${NOPE}"}}}, env={})


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    with pytest.raises(ValueError, match="frozen"):
        config.server.port = 1
