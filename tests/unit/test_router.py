"""The route table."""

from __future__ import annotations

import pytest

from wardgate.auth.principal import Permission
from wardgate.errors import MethodNotAllowedError, NotFoundError
from wardgate.router import Router


def test_exact_and_parametrised_routes() -> None:
    router = Router()
    route, params = router.match("POST", "/v1/chat/completions")
    assert route.permission is Permission.PROXY
    assert params == {}
    route, params = router.match("POST", "/admin/v1/keys/0123456789abcdef/revoke")
    assert route.permission is Permission.MANAGE
    assert params == {"key_id": "0123456789abcdef"}


@pytest.mark.parametrize(
    ("method", "path", "error"),
    [
        pytest.param("GET", "/v1/chat/completions", MethodNotAllowedError, id="wrong-method"),
        pytest.param("POST", "/v1/unknown", NotFoundError, id="unknown"),
        pytest.param("GET", "/admin/v1/keys/../../etc", NotFoundError, id="traversal"),
    ],
)
def test_misses(method: str, path: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        Router().match(method, path)


def test_health_routes_need_no_auth() -> None:
    assert Router().match("GET", "/healthz")[0].permission is None
