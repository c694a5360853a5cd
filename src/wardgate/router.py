"""The route table: every endpoint, its handler and the permission it requires, in one place."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from wardgate.admin import keys_api
from wardgate.api import chat, embeddings, health, metrics, models
from wardgate.auth.principal import Permission
from wardgate.context import RequestContext
from wardgate.errors import MethodNotAllowedError, NotFoundError
from wardgate.services import Services
from wardgate.types import Receive, Send

Handler = Callable[[Services, RequestContext, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    """Exact path, or a pattern with ``{name}`` segments."""
    handler: Handler
    permission: Permission | None
    """``None``: no authentication (health probes only)."""


ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", health.healthz, None),
    Route("GET", "/readyz", health.readyz, None),
    Route("POST", "/v1/chat/completions", chat.chat_completions, Permission.PROXY),
    Route("POST", "/v1/embeddings", embeddings.embeddings, Permission.PROXY),
    Route("GET", "/v1/models", models.list_models, Permission.PROXY),
    Route("GET", "/metrics", metrics.serve_metrics, Permission.READ_AUDIT),
    Route("GET", "/admin/v1/keys", keys_api.list_keys, Permission.MANAGE),
    Route("POST", "/admin/v1/keys", keys_api.create_key, Permission.MANAGE),
    Route("GET", "/admin/v1/keys/{key_id}", keys_api.show_key, Permission.MANAGE),
    Route("POST", "/admin/v1/keys/{key_id}/revoke", keys_api.revoke_key, Permission.MANAGE),
    Route("POST", "/admin/v1/keys/{key_id}/rotate", keys_api.rotate_key, Permission.MANAGE),
)

_SEGMENT = re.compile(r"\{([a-z_]+)\}")


class Router:
    def __init__(self, routes: tuple[Route, ...] = ROUTES) -> None:
        self._exact: dict[str, dict[str, Route]] = {}
        self._patterns: list[tuple[re.Pattern[str], dict[str, Route]]] = []
        for route in routes:
            if "{" in route.path:
                regex = re.compile("^" + _SEGMENT.sub(r"(?P<\1>[A-Za-z0-9_-]{1,64})", route.path) + "$")
                for pattern, methods in self._patterns:
                    if pattern.pattern == regex.pattern:
                        methods[route.method] = route
                        break
                else:
                    self._patterns.append((regex, {route.method: route}))
            else:
                self._exact.setdefault(route.path, {})[route.method] = route

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        methods = self._exact.get(path)
        params: dict[str, str] = {}
        if methods is None:
            for pattern, candidates in self._patterns:
                found = pattern.match(path)
                if found is not None:
                    methods, params = candidates, found.groupdict()
                    break
        if methods is None:
            raise NotFoundError("Unknown route.", code="route_not_found")
        route = methods.get(method)
        if route is None:
            raise MethodNotAllowedError("Method not allowed for this route.", code="method_not_allowed")
        return route, params

    def template(self, path: str) -> str | None:
        """The route path ``path`` falls under, for any method (``None``: no route): a bounded metrics label."""
        if path in self._exact:
            return path
        for pattern, candidates in self._patterns:
            if pattern.match(path) is not None:
                return next(iter(candidates.values())).path
        return None
