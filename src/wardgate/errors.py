"""Wardgate's exception tree.

Every error a client can see is a :class:`GatewayError`; it carries the HTTP status, the OpenAI error ``type`` and
a stable machine-readable ``code``. Messages are fixed strings chosen by the gateway: they never contain prompt
text, keys or upstream bodies.

::

    WardgateError                      base of everything raised by this package
    ├── ConfigError                    invalid configuration (names file and key path); raised at startup
    ├── StorageError                   the state store failed
    └── GatewayError                   answered to the client in the OpenAI error envelope
        ├── BadRequestError            400  malformed JSON, invalid UTF-8, wrong field types, caps exceeded
        ├── PayloadTooLargeError       413  body over the configured size
        ├── AuthenticationError        401  missing / malformed / unknown / expired / revoked credential
        ├── PermissionDeniedError      403  authenticated, but not allowed (role, model)
        ├── NotFoundError              404  unknown route or object
        ├── RateLimitError             429  request/token rate, concurrency, budget (carries Retry-After)
        ├── PolicyBlockedError         400  a guardrail blocked the request or the answer (never says which)
        └── UpstreamError              502  upstream refused, failed, or answered garbage
            └── UpstreamTimeoutError   504  upstream too slow
"""

from __future__ import annotations

import json
from typing import ClassVar

from wardgate.types import JSONObject


class WardgateError(Exception):
    """Base of every exception raised by Wardgate."""


class ConfigError(WardgateError):
    """The configuration is invalid. The message names the file and the key path."""


class StorageError(WardgateError):
    """The state store failed (message carries no secret)."""


class GatewayError(WardgateError):
    """An error answered to the client in the OpenAI error envelope."""

    status: ClassVar[int] = 500
    error_type: ClassVar[str] = "server_error"

    def __init__(
        self,
        message: str,
        *,
        code: str,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.headers: dict[str, str] = dict(headers or {})

    def envelope(self) -> JSONObject:
        return error_envelope(self.message, self.error_type, self.code, self.param)


class BadRequestError(GatewayError):
    status = 400
    error_type = "invalid_request_error"


class PayloadTooLargeError(GatewayError):
    status = 413
    error_type = "invalid_request_error"


class AuthenticationError(GatewayError):
    status = 401
    error_type = "authentication_error"


class PermissionDeniedError(GatewayError):
    status = 403
    error_type = "permission_error"


class NotFoundError(GatewayError):
    status = 404
    error_type = "not_found_error"


class MethodNotAllowedError(GatewayError):
    status = 405
    error_type = "invalid_request_error"


class RateLimitError(GatewayError):
    status = 429
    error_type = "rate_limit_error"


class PolicyBlockedError(GatewayError):
    status = 400
    error_type = "invalid_request_error"


class UpstreamError(GatewayError):
    status = 502
    error_type = "upstream_error"


class UpstreamTimeoutError(UpstreamError):
    status = 504
    error_type = "upstream_error"


class InternalError(GatewayError):
    status = 500
    error_type = "server_error"


class ServiceUnavailableError(GatewayError):
    status = 503
    error_type = "server_error"


def error_envelope(message: str, error_type: str, code: str, param: str | None = None) -> JSONObject:
    """The OpenAI error envelope: ``{"error": {"message", "type", "code", "param"}}``."""
    return {"error": {"message": message, "type": error_type, "code": code, "param": param}}


def envelope_bytes(exc: GatewayError) -> bytes:
    """Serialise the envelope with a JSON encoder (never string formatting)."""
    return json.dumps(exc.envelope(), separators=(",", ":")).encode()
