"""Verify JWT/OIDC bearer tokens against a JWKS and turn them into a :class:`Principal`.

Keys come from a file (read once) or a URL (cached; an unknown ``kid`` refetches at most once per
:data:`REFETCH_INTERVAL`; concurrent verifications share one fetch). A key verifies only the allowed
algorithms that fit its type, curve and own ``alg``, so ``none`` and RS/HS confusion cannot happen. Every
rejection is the same ``invalid_token`` error; only the failed check's name and the kid are logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

import aiohttp
import jwt

from wardgate.auth.principal import Principal
from wardgate.config.models import JwtConfig, Role
from wardgate.errors import AuthenticationError, ConfigError

logger = logging.getLogger("wardgate.auth.jwt")

REFETCH_INTERVAL = 30.0
"""Least seconds between two JWKS fetches caused by an unknown ``kid``."""
RETRY_AFTER_FAILURE = 5.0
"""Least seconds between a failed JWKS fetch and the next attempt."""
MAX_TOKEN_CHARS = 16 * 1024
MAX_JWKS_BYTES = 1024 * 1024
MAX_CLAIM_CHARS = 256

_ROLES = frozenset(get_args(Role))
# Algorithm -> (required kty, allowed crv values or None for "no crv").
_KEY_TYPES: dict[str, tuple[str, frozenset[str] | None]] = {
    **{alg: ("RSA", None) for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")},
    "ES256": ("EC", frozenset({"P-256"})),
    "ES384": ("EC", frozenset({"P-384"})),
    "ES512": ("EC", frozenset({"P-521"})),
    "EdDSA": ("OKP", frozenset({"Ed25519", "Ed448"})),
}


@dataclass(frozen=True, slots=True)
class _Key:
    kid: str | None
    by_alg: dict[str, jwt.PyJWK]
    """The key bound to each allowed algorithm it may verify."""


class _Rejected(Exception):
    """``args[0]`` names the failed check (logged; never shown to the client)."""


def _invalid() -> AuthenticationError:
    return AuthenticationError("Invalid bearer token.", code="invalid_token")


def _unavailable() -> AuthenticationError:
    return AuthenticationError("Identity provider unavailable.", code="idp_unavailable")


def _parse_jwk(jwk: object, algorithms: tuple[str, ...]) -> _Key | None:
    if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig" or "d" in jwk:
        return None  # not a public signing key (private material is never loaded)
    kid = jwk.get("kid")
    if kid is not None and not isinstance(kid, str):
        return None
    by_alg: dict[str, jwt.PyJWK] = {}
    for alg in algorithms:
        kty, curves = _KEY_TYPES[alg]
        if jwk.get("kty") != kty or jwk.get("alg", alg) != alg:
            continue
        if jwk.get("crv") not in (curves if curves is not None else (None,)):
            continue
        try:
            by_alg[alg] = jwt.PyJWK(jwk, alg)
        except jwt.PyJWTError:
            continue
    return _Key(kid, by_alg) if by_alg else None


def _parse_jwks(data: object, algorithms: tuple[str, ...]) -> tuple[_Key, ...]:
    """The usable keys of a JWKS document; ``ValueError`` when it is malformed or holds none."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise ValueError("not a JWKS document (expected an object with a 'keys' list)")
    keys = tuple(key for jwk in data["keys"] if (key := _parse_jwk(jwk, algorithms)) is not None)
    if not keys:
        raise ValueError(f"no usable signing key for algorithms {list(algorithms)}")
    return keys


class JwtVerifier:
    """Satisfies :class:`wardgate.auth.authenticate.TokenVerifier`."""

    def __init__(self, config: JwtConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._keys: tuple[_Key, ...] | None = None
        self._expires_at = 0.0
        self._attempted_at: float | None = None
        self._failed = False
        self._inflight: asyncio.Task[bool] | None = None
        self._session: aiohttp.ClientSession | None = None
        self.fetch_count = 0
        """JWKS fetches started (for metrics and tests)."""
        if config.jwks_file is not None:
            try:
                document = json.loads(config.jwks_file.read_bytes())
                self._keys = _parse_jwks(document, config.algorithms)
            except (OSError, ValueError) as exc:
                raise ConfigError(f"{config.jwks_file}: cannot load JWKS: {exc}") from exc

    async def verify(self, token: str) -> Principal:
        kid: str | None = None
        try:
            alg, kid = self._header(token)
            key = await self._key(kid, alg)
            payload = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self._config.audience,
                issuer=self._config.issuer,
                leeway=self._config.leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"], "strict_aud": False},
            )
            return self._principal(payload)
        except _Rejected as exc:
            check = str(exc.args[0])
        except jwt.MissingRequiredClaimError as exc:
            check = f"missing claim {exc.claim}"
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            check = type(exc).__name__
        logger.debug("bearer token rejected: check=%s kid=%r", check, kid[:64] if kid else kid)
        raise _invalid() from None

    async def aclose(self) -> None:
        task, self._inflight = self._inflight, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _header(self, token: str) -> tuple[str, str | None]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
            raise _Rejected("format")
        header = jwt.get_unverified_header(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._config.algorithms:
            raise _Rejected("alg")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _Rejected("kid")
        return alg, kid

    async def _key(self, kid: str | None, alg: str) -> jwt.PyJWK:
        expired = self._keys is None or self._clock() >= self._expires_at
        if self._config.jwks_url is not None and expired and not await self._refresh():
            raise _unavailable()
        key = self._lookup(kid, alg)
        if key is None and kid is not None and self._may_refetch():
            if not await self._refresh():
                raise _unavailable()
            key = self._lookup(kid, alg)
        if key is None:
            raise _Rejected("key")
        return key

    def _lookup(self, kid: str | None, alg: str) -> jwt.PyJWK | None:
        keys = self._keys or ()
        if kid is None:
            return keys[0].by_alg.get(alg) if len(keys) == 1 else None
        return next((key.by_alg[alg] for key in keys if key.kid == kid and alg in key.by_alg), None)

    def _may_refetch(self) -> bool:
        if self._inflight is not None:
            return True  # join the fetch already running
        if self._config.jwks_url is None:
            return False
        return self._attempted_at is None or self._clock() - self._attempted_at >= REFETCH_INTERVAL

    async def _refresh(self) -> bool:
        """Fetch the JWKS, or join the fetch already running. True when the keys were refreshed."""
        task = self._inflight
        if task is None:
            now = self._clock()
            recent = self._attempted_at is not None and now - self._attempted_at < RETRY_AFTER_FAILURE
            if self._failed and recent:
                return False
            self._attempted_at = now
            task = self._inflight = asyncio.create_task(self._fetch())
        return await asyncio.shield(task)

    async def _fetch(self) -> bool:
        self.fetch_count += 1
        try:
            keys = await self._download()
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            logger.warning("JWKS fetch from %s failed: %s", self._config.jwks_url, type(exc).__name__)
            self._failed = True
            return False
        finally:
            self._inflight = None
        self._keys, self._failed = keys, False
        self._expires_at = self._clock() + self._config.jwks_cache_seconds
        return True

    async def _download(self) -> tuple[_Key, ...]:
        url = self._config.jwks_url
        assert url is not None
        timeout = self._config.jwks_fetch_timeout_seconds
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
        body = bytearray()
        async with asyncio.timeout(timeout):
            async with self._session.get(url, allow_redirects=False) as response:
                if response.status != 200:
                    raise ValueError(f"HTTP {response.status}")
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise ValueError("JWKS document too large")
        return _parse_jwks(json.loads(body), self._config.algorithms)

    def _principal(self, payload: dict[str, Any]) -> Principal:
        claims = self._config.claims
        subject = payload.get(claims.subject)
        if not isinstance(subject, str) or not subject or len(subject) > MAX_CLAIM_CHARS:
            raise _Rejected("subject")
        role = payload.get(claims.role)
        role = self._config.default_role if role is None else role
        if not isinstance(role, str) or role not in _ROLES:
            raise _Rejected("role")
        team = payload.get(claims.team)
        if team is not None and (not isinstance(team, str) or len(team) > MAX_CLAIM_CHARS):
            raise _Rejected("team")
        return Principal(
            subject=subject,
            kind="jwt",
            role=role,
            team=team or None,
            allowed_models=self._models(payload.get(claims.models)),
            limits=None,
        )

    def _models(self, value: object) -> tuple[str, ...]:
        if value is None:
            return self._config.default_models
        if isinstance(value, str):
            return tuple(value.split())
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise _Rejected("models")
