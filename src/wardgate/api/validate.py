"""Request checks shared by the model endpoints: shape, caps and the caller's model allowlist."""

from __future__ import annotations

from typing import Any

from wardgate.auth.principal import Principal
from wardgate.config.models import ServerConfig
from wardgate.errors import BadRequestError, PermissionDeniedError
from wardgate.proxy.upstreams import Route, UpstreamPool
from wardgate.types import JSONObject

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_TOKEN_FIELDS = ("max_tokens", "max_completion_tokens")


def require_model(body: JSONObject) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model or len(model) > 256:
        raise BadRequestError("'model' must be a non-empty string.", code="invalid_model", param="model")
    return model


def check_chat(body: JSONObject, server: ServerConfig) -> None:
    messages: Any = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequestError("'messages' must be a non-empty array.", code="invalid_messages", param="messages")
    if len(messages) > server.max_messages:
        raise BadRequestError(
            f"Too many messages (at most {server.max_messages}).", code="too_many_messages", param="messages"
        )
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in _ROLES:
            raise BadRequestError(
                "Each message needs a valid 'role'.", code="invalid_messages", param=f"messages[{index}]"
            )
    if "stream" in body and not isinstance(body["stream"], bool):
        raise BadRequestError("'stream' must be a boolean.", code="invalid_request", param="stream")
    check_output_cap(body, server)


def check_output_cap(body: JSONObject, server: ServerConfig) -> None:
    for name in _TOKEN_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadRequestError(f"'{name}' must be a positive integer.", code="invalid_request", param=name)
        if value > server.max_output_tokens:
            raise BadRequestError(
                f"'{name}' exceeds the gateway's cap of {server.max_output_tokens}.",
                code="max_tokens_exceeded",
                param=name,
            )


def authorize_model(principal: Principal, model: str, upstreams: UpstreamPool) -> Route:
    """403 unless the caller's allowlist covers ``model``; then resolve it to an upstream."""
    if not principal.may_use_model(model):
        raise PermissionDeniedError(
            "This credential is not allowed to use the requested model.",
            code="model_not_allowed",
            param="model",
        )
    return upstreams.resolve(model)
