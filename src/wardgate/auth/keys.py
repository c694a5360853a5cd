"""Gateway API keys: format, generation and keyed hashing.

A key looks like ``wg-<id>-<secret>``: ``id`` is 16 lowercase hex characters (public, used for lookup and in
audit records), ``secret`` 40 base62 characters (~238 bits). Only ``HMAC-SHA256(server_secret, id:secret)`` is
stored, so a leaked database cannot be used to recover or brute-force keys without the server secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

_KEY_RE = re.compile(r"wg-([0-9a-f]{16})-([A-Za-z0-9]{40})")
_ALPHABET = string.ascii_letters + string.digits
_HASH_DOMAIN = b"wardgate-api-key-v1:"


@dataclass(frozen=True, slots=True)
class ParsedKey:
    key_id: str
    secret: str

    def __repr__(self) -> str:  # never print the secret
        return f"ParsedKey(key_id={self.key_id!r}, secret=<redacted>)"


def new_key_id() -> str:
    return secrets.token_hex(8)


def new_secret() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(40))


def format_key(key_id: str, secret: str) -> str:
    return f"wg-{key_id}-{secret}"


def parse_key(raw: str) -> ParsedKey | None:
    """Split a presented key; ``None`` if it is not in Wardgate's format."""
    match = _KEY_RE.fullmatch(raw)
    if match is None:
        return None
    return ParsedKey(match.group(1), match.group(2))


def hash_key(server_secret: bytes, key_id: str, secret: str) -> str:
    mac = hmac.new(server_secret, _HASH_DOMAIN + f"{key_id}:{secret}".encode(), hashlib.sha256)
    return mac.hexdigest()


def verify_key(server_secret: bytes, parsed: ParsedKey, stored_hash: str) -> bool:
    """Constant-time comparison of the presented key against the stored keyed hash."""
    return hmac.compare_digest(hash_key(server_secret, parsed.key_id, parsed.secret), stored_hash)
