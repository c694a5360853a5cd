"""Building JWTs and JWKs for tests: keys made in the test, tokens signed with PyJWT or put together by hand."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

DROP = object()
"""Claim value meaning "leave this claim out"."""


def to_jwk(private: PrivateKey, kid: str | None, alg: str | None = None) -> dict[str, Any]:
    """The public JWK of ``private``, with ``kid`` and ``alg`` set when given."""
    public = private.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        data = RSAAlgorithm.to_jwk(public, as_dict=True)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        data = ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        data = OKPAlgorithm.to_jwk(public, as_dict=True)
    if kid is not None:
        data["kid"] = kid
    if alg is not None:
        data["alg"] = alg
    return data


def make_claims(issuer: str, audience: str, **overrides: object) -> dict[str, Any]:
    """Valid claims for five minutes; an override of ``DROP`` removes that claim."""
    now = int(time.time())
    base: dict[str, Any] = {"iss": issuer, "aud": audience, "sub": "alice", "iat": now, "exp": now + 300}
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not DROP}


def sign_with(payload: dict[str, Any], key: PrivateKey, alg: str, kid: str | None) -> str:
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_token(header: object, payload: object, signature: bytes = b"") -> str:
    """A token assembled by hand (for headers and payloads PyJWT refuses to produce)."""
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{b64(signature)}"
