"""Secrets recognised by their structure and checked by decoding it: JWTs and URLs with a password.

JWT (``secret.JWT``): three base64url segments whose first decodes to a JSON object with an ``alg`` member and
whose second decodes at all. The span is the whole token. Unsigned tokens (``alg: none`` or an empty signature)
score lower: they carry claims but prove nothing.

Connection string (``secret.CONNECTION_STRING``): any ``scheme://user:password@host`` (postgres, mysql, mongodb,
mongodb+srv, redis, amqp, https, ...). The span is the password only: redaction then keeps scheme, user and host,
which a model needs to reason about the URL, and removes what grants access. Placeholder passwords
(``<password>``, ``${DB_PASS}``, ``changeme``, ``*****``, a password equal to the user name, a bare port number)
are not reported.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import unquote

from wardgate.scanners.secrets._re2 import Regex
from wardgate.scanners.secrets.text import Encoded, Hit
from wardgate.scanners.secrets.values import is_placeholder_value

STRUCTURAL_TIER = 1
JWT_ID = "JWT"
JWT_KEYWORDS = ("eyj",)
MAX_JWT_HEADER_CHARS = 4096
MAX_JWT_CHARS = 64 << 10
CONNECTION_ID = "CONNECTION_STRING"
CONNECTION_KEYWORDS = ("://",)

_JWT = r"\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*"
_URL = (
    r"\b[A-Za-z][A-Za-z0-9+.\-]{1,31}://(?P<user>[^\s:/?#@\"'<>\\`]{0,128})"
    r":(?P<secret>[^\s/?#@\"'<>\\`]{1,256})@[A-Za-z0-9\[][A-Za-z0-9.\-_~%\[\]:]{0,254}"
)


def _b64url_decode(segment: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        return None


def jwt_score(token: str) -> float | None:
    """Score of a JWT-shaped string, or None when its header is not a JSON object with ``alg``."""
    header_b64, payload_b64, signature = token.split(".", 2)
    if len(header_b64) > MAX_JWT_HEADER_CHARS or len(token) > MAX_JWT_CHARS:
        return None
    header_raw = _b64url_decode(header_b64)
    if header_raw is None or _b64url_decode(payload_b64) is None:
        return None
    try:
        header = json.loads(header_raw)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
        return None
    unsigned = not signature or header["alg"].lower() == "none"
    return 0.5 if unsigned else 0.85


class JwtDetector:
    keywords: tuple[str, ...] = JWT_KEYWORDS

    def __init__(self) -> None:
        self._regex = Regex(_JWT)

    def find(self, enc: Encoded, present: frozenset[str]) -> list[Hit]:
        if JWT_KEYWORDS[0] not in present:
            return []
        hits: list[Hit] = []
        for spans in self._regex.finditer(enc.data):
            start, end = spans[0]
            score = jwt_score(enc.value(start, end))
            if score is not None:
                hits.append(Hit(JWT_ID, start, end, score, STRUCTURAL_TIER))
        return hits


def password_is_placeholder(user: str, password: str) -> bool:
    decoded = unquote(password)
    if password.isdigit() and len(password) <= 5:
        return True
    if decoded == unquote(user) and decoded:
        return True
    return is_placeholder_value(decoded) or is_placeholder_value(password)


class ConnectionStringDetector:
    keywords: tuple[str, ...] = CONNECTION_KEYWORDS

    def __init__(self) -> None:
        self._regex = Regex(_URL)
        self._user = self._regex.group_index("user") or 0
        self._secret = self._regex.group_index("secret") or 0

    def find(self, enc: Encoded, present: frozenset[str]) -> list[Hit]:
        if CONNECTION_KEYWORDS[0] not in present:
            return []
        hits: list[Hit] = []
        for spans in self._regex.finditer(enc.data, self._secret):
            user = enc.value(*spans[self._user])
            start, end = spans[self._secret]
            if not password_is_placeholder(user, enc.value(start, end)):
                hits.append(Hit(CONNECTION_ID, start, end, 0.9, STRUCTURAL_TIER))
        return hits
