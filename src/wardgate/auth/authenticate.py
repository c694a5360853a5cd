"""Turn the ``Authorization`` header into a :class:`Principal`, or refuse with 401.

API keys (``wg-…``) are checked against the keyed hash in the store; anything that looks like a JWT goes to the
optional JWT verifier. Every failure is an :class:`AuthenticationError` with a fixed message.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import Protocol

from wardgate.auth.keys import ParsedKey, hash_key, parse_key, verify_key
from wardgate.auth.principal import Principal
from wardgate.errors import AuthenticationError
from wardgate.storage.base import KeyRecord, KeyStore

_DUMMY_HASH = "0" * 64


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


def _invalid() -> AuthenticationError:
    return AuthenticationError("Invalid API key.", code="invalid_api_key")


class Authenticator:
    def __init__(self, store: KeyStore, server_secret: bytes, jwt: TokenVerifier | None = None) -> None:
        self._store = store
        self._secret = server_secret
        self._jwt = jwt

    async def authenticate(self, authorization: str | None, api_key_header: str | None = None) -> Principal:
        token = _bearer(authorization) if authorization is not None else api_key_header
        if not token:
            raise AuthenticationError(
                "Missing credentials: send 'Authorization: Bearer <key>'.", code="missing_api_key"
            )
        if token.startswith("wg-"):
            return self._authenticate_key(token)
        if self._jwt is not None and token.count(".") == 2:
            return await self._jwt.verify(token)
        raise _invalid()

    def _authenticate_key(self, token: str) -> Principal:
        parsed = parse_key(token)
        if parsed is None:
            raise _invalid()
        record = self._store.get_key(parsed.key_id)
        if record is None:
            # Spend the same HMAC work as a real check so timing does not reveal which ids exist.
            hmac.compare_digest(hash_key(self._secret, parsed.key_id, parsed.secret), _DUMMY_HASH)
            raise _invalid()
        now = datetime.now(UTC)
        if not self._secret_matches(parsed, record, now):
            raise _invalid()
        if record.revoked_at is not None:
            raise AuthenticationError("This API key has been revoked.", code="revoked_api_key")
        if record.disabled:
            raise AuthenticationError("This API key is disabled.", code="disabled_api_key")
        if record.expires_at is not None and record.expires_at <= now:
            raise AuthenticationError("This API key has expired.", code="expired_api_key")
        return Principal(
            subject=record.key_id,
            kind="key",
            role=record.role,
            team=record.team,
            allowed_models=record.allowed_models,
            allowed_tools=record.allowed_tools,
            limits=record.limits,
            name=record.name,
        )

    def _secret_matches(self, parsed: ParsedKey, record: KeyRecord, now: datetime) -> bool:
        if verify_key(self._secret, parsed, record.secret_hash):
            return True
        grace = record.previous_valid_until
        return (
            record.previous_hash is not None
            and grace is not None
            and now < grace
            and verify_key(self._secret, parsed, record.previous_hash)
        )


def _bearer(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value or None
