"""Package-level promises: a curated public surface, and a base install without heavy ML dependencies."""

from __future__ import annotations

import contextlib
import re
from importlib import metadata

import wardgate

HEAVY = {"torch", "tensorflow", "jax", "transformers", "sentence-transformers", "onnxruntime-gpu"}


def _base_requirements(dist: str, seen: set[str]) -> set[str]:
    for req in metadata.requires(dist) or ():
        if "extra ==" in req:
            continue
        name = re.split(r"[\s;<>=!~\[]", req, maxsplit=1)[0].lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        with contextlib.suppress(metadata.PackageNotFoundError):  # platform-conditional, not installed here
            _base_requirements(name, seen)
    return seen


def test_base_install_pulls_no_heavy_ml() -> None:
    closure = _base_requirements("wardgate", set())
    assert "aiohttp" in closure
    assert closure.isdisjoint(HEAVY), closure & HEAVY


def test_public_surface_is_curated() -> None:
    assert sorted(wardgate.__all__) == sorted(
        [
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
    )
    for name in wardgate.__all__:
        assert hasattr(wardgate, name)
    assert wardgate.__version__ == metadata.version("wardgate")
