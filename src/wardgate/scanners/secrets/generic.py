"""Secrets with no format of their own, found by the name they are given.

``secret.GENERIC_ASSIGNMENT``: ``password=``, ``passwd:``, ``secret = "..."``, ``token: ...``, ``api_key=...``,
``"client_secret": "..."`` in code, config, ``.env``, JSON and YAML (``=``, ``:``, ``:=``, ``=>``; quoted or bare
values), and prose (``my password is ...``). The span is the value without its quotes. A value is reported only
when all of these hold:

* the name is a secret's name: not ``password_length``, ``token_type``, ``secret_name``, ``api_key_id``,
  ``public_key``, ``csrf_token``, ``max_tokens``, ``tokenizer``, ``jsonwebtoken``, or a plural naming a collection
  (``secrets:``) — see ``_SUFFIX_DENY``, ``_PREFIX_DENY`` and ``_QUALIFIERS``;
* the value is a literal: not a placeholder (``changeme``, ``<token>``, ``${VAR}``, ``$VAR``, ``{{ var }}``,
  ``%(x)s``, ``YOUR_API_KEY``, ``REPLACE_ME``, ``None``, ``xxxxx``, ``*****``...), not code (``os.environ[...]``,
  ``os.getenv(...)``, ``process.env.X``, ``settings.SECRET``), not a path, URL, number, or just words;
* Shannon entropy (bits per character) and length reach: **password names** (password, passwd, passphrase, pwd)
  >= 2.5 bits and >= 6 characters, since human passwords are short and low-entropy; **other names** (secret,
  token, api key, access key, private key, auth key, credentials) >= 3.0 bits and >= 10 characters. Random
  alphanumerics of that length score about 3.3 - 4 bits and more; English words about 2.5 - 3.2.

``secret.AUTH_HEADER``: the credential in ``Authorization: Bearer|Basic|Token ...`` (>= 3.0 bits, >= 8 chars).
``secret.BASIC_AUTH``: the password in ``curl -u user:password`` / ``--user``.
"""

from __future__ import annotations

import re

from wardgate.scanners.secrets._re2 import Regex
from wardgate.scanners.secrets.text import Encoded, Hit
from wardgate.scanners.secrets.values import (
    MAX_VALUE_CHARS,
    is_code_reference,
    is_file_path,
    is_placeholder_value,
    looks_like_words,
    shannon_entropy,
)

GENERIC_TIER = 2
ASSIGNMENT_ID = "GENERIC_ASSIGNMENT"
AUTH_HEADER_ID = "AUTH_HEADER"
BASIC_AUTH_ID = "BASIC_AUTH"
PASSWORD_MIN_ENTROPY = 2.5
PASSWORD_MIN_CHARS = 6
SECRET_MIN_ENTROPY = 3.0
SECRET_MIN_CHARS = 10
ASSIGNMENT_KEYWORDS = (
    "pass", "pwd", "secret", "token", "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey",
    "private_key", "private-key", "privatekey", "auth_key", "auth-key", "authkey", "credential",
)  # fmt: skip
AUTH_KEYWORDS = ("authorization",)
CURL_KEYWORDS = ("curl",)

_WORDS = (
    r"passwd|password|passphrase|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|auth[_\-]?key"
    r"|credentials?"
)
_ASSIGNMENT = (
    rf"(?P<key>[A-Za-z0-9_.\-]{{0,40}}(?i:{_WORDS})[A-Za-z0-9_.\-]{{0,30}})[\"']?"
    r"(?:[ \t]{0,8}(?::=|=>|=|:)|[ \t]{1,8}(?i:is|was)\b(?:[ \t]{0,8}:)?)[ \t]{0,8}"
    r"(?:\"(?P<dq>[^\"\r\n]{1,300})\"|'(?P<sq>[^'\r\n]{1,300})'|(?P<bare>[^\s\"'`,;<>(){}\[\]]{1,300}))"
)
_AUTH_HEADER = (
    r"(?i:authorization)[\"']?[ \t]{0,4}[:=][ \t]{0,4}[\"']?"
    r"(?:(?i:bearer|basic|token|bot|api-token|apikey|digest|sso-key)[ \t]+)?(?P<secret>[A-Za-z0-9._~+/=\-]{8,1000})"
)
_CURL_USER = r"(?:^|\s)(?:-u|--user)[ \t]+[\"']?(?P<user>[^\s\"':]{0,128})[\"']?:[\"']?(?P<secret>[^\s\"']{1,256})"
_WORD_IN_KEY = re.compile(_WORDS, re.IGNORECASE)
_KEY_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_GLUED_PREFIX = re.compile(r"[a-z]+$")
_QUALIFIERS = (
    "db", "user", "admin", "root", "mysql", "postgres", "pg", "redis", "mongo", "client", "app", "api", "access",
    "auth", "refresh", "bearer", "bot", "master", "service", "session", "vault", "ftp", "smtp", "mail", "ldap",
    "keystore", "truststore", "store", "key", "wifi", "login", "account", "hook", "signing", "encryption",
    "oauth", "shared", "private", "consumer", "webhook", "personal", "deploy", "registry", "proxy", "sa",
)  # fmt: skip
_PASSWORD_WORDS = frozenset({"passwd", "password", "passphrase", "pwd"})
_SUFFIX_DENY = frozenset(
    {
        "id", "ids", "name", "names", "type", "types", "length", "len", "size", "count", "file", "files", "path",
        "dir", "url", "uri", "endpoint", "field", "label", "prompt", "policy", "policies", "mode", "format",
        "version", "hash", "hashed", "digest", "algorithm", "algo", "alg", "ttl", "timeout", "expiry", "expires",
        "expiration", "expire", "header", "prefix", "suffix", "regex", "pattern", "min", "max", "limit", "env",
        "var", "variable", "ref", "arn", "required", "enabled", "enable", "reset", "hint", "question", "strength",
        "rotation", "description", "desc", "template", "manager", "provider", "store", "validator", "salt",
        "encoding", "location", "class", "helper", "schema", "input", "box", "button", "selector", "placeholder",
        "usage", "budget", "index", "position", "offset", "kind", "key_id", "uid", "source", "holder",
        "verifier", "error", "message", "msg", "status", "check", "rules", "level",
    }
)  # fmt: skip
_PREFIX_DENY = frozenset(
    {
        "public", "pub", "csrf", "xsrf", "max", "min", "num", "total", "count", "is", "has", "use", "enable",
        "show", "hide", "forgot", "next", "page", "continuation", "cursor", "pagination", "sync", "input",
        "output", "prompt", "completion", "reasoning", "cached", "estimated",
    }
)  # fmt: skip


def key_kind(key: str) -> str | None:
    """``"password"`` or ``"secret"`` when ``key`` names a credential, else None (see module docs)."""
    matches = list(_WORD_IN_KEY.finditer(key))
    if not matches:
        return None
    word = matches[-1]
    suffix = key[word.end() :]
    if suffix[:1].islower() and not (suffix == "s" and word.group().lower() == "credential"):
        return None  # glued to a longer word (tokenizer, secretary), or a plural naming a collection (secrets)
    glued = _GLUED_PREFIX.search(key[: word.start()]) if word.group()[:1].islower() else None
    if glued and not glued.group().lower().endswith(_QUALIFIERS):
        return None  # jsonwebtoken, subtoken; but dbpassword, clientsecret, accesstoken are names of secrets
    prefix_parts = {part.lower() for part in _KEY_PARTS.findall(key[: word.start()])}
    suffix_parts = {part.lower() for part in _KEY_PARTS.findall(suffix)}
    if prefix_parts & _PREFIX_DENY or suffix_parts & _SUFFIX_DENY:
        return None
    return "password" if word.group().lower() in _PASSWORD_WORDS else "secret"


def literal_entropy(value: str, *, min_entropy: float, min_chars: int, bare: bool) -> float | None:
    """The value's entropy when it is a real-looking secret literal (see module docs), else None.
    Cheapest checks first."""
    if len(value) < min_chars or value.isdigit():
        return None
    entropy = shannon_entropy(value[:MAX_VALUE_CHARS])
    if entropy < min_entropy or is_placeholder_value(value) or (bare and is_code_reference(value)):
        return None
    if is_file_path(value) or "://" in value or looks_like_words(value):
        return None
    return entropy


_THRESHOLDS = {
    "password": (PASSWORD_MIN_ENTROPY, PASSWORD_MIN_CHARS),
    "secret": (SECRET_MIN_ENTROPY, SECRET_MIN_CHARS),
}


class _Verdicts:
    """Per-scan memo: a key name or value repeated many times (typical of adversarial input) is judged once."""

    __slots__ = ("_keys", "_values")

    def __init__(self) -> None:
        self._keys: dict[str, str | None] = {}
        self._values: dict[tuple[str, str, bool], float | None] = {}

    def key(self, key: str) -> str | None:
        if key not in self._keys:
            self._keys[key] = key_kind(key)
        return self._keys[key]

    def value(self, value: str, kind: str, bare: bool) -> float | None:
        """Entropy of an acceptable literal, else None."""
        memo_key = (value, kind, bare)
        if memo_key not in self._values:
            min_entropy, min_chars = _THRESHOLDS[kind]
            self._values[memo_key] = literal_entropy(value, min_entropy=min_entropy, min_chars=min_chars, bare=bare)
        return self._values[memo_key]


def _value_span(spans: tuple[tuple[int, int], ...], groups: tuple[int, int, int]) -> tuple[int, int, bool] | None:
    for position, group in enumerate(groups):
        start, end = spans[group]
        if start >= 0:
            return start, end, position == 2
    return None


def _trim(data: bytes, start: int, end: int, bare: bool) -> tuple[int, int]:
    """Drop blanks around a value, and a sentence's full stop after a bare one (ASCII only, so byte-exact)."""
    raw = data[start:end]
    stripped = raw.strip(b" \t")
    if bare and stripped.endswith(b".") and not stripped.endswith(b".."):
        stripped = stripped[:-1]
    lead = len(raw) - len(raw.lstrip(b" \t"))
    return start + lead, start + lead + len(stripped)


class GenericDetector:
    keywords: tuple[str, ...] = (*ASSIGNMENT_KEYWORDS, *AUTH_KEYWORDS, *CURL_KEYWORDS)

    def __init__(self) -> None:
        self._assignment = Regex(_ASSIGNMENT)
        self._auth = Regex(_AUTH_HEADER)
        self._curl = Regex(_CURL_USER)
        index = self._assignment.group_index
        self._key = index("key") or 0
        self._values = (index("dq") or 0, index("sq") or 0, index("bare") or 0)

    def find(self, enc: Encoded, present: frozenset[str]) -> list[Hit]:
        hits: list[Hit] = []
        if any(keyword in present for keyword in ASSIGNMENT_KEYWORDS):
            hits.extend(self._assignments(enc))
        if AUTH_KEYWORDS[0] in present:
            hits.extend(self._auth_headers(enc))
        if CURL_KEYWORDS[0] in present:
            hits.extend(self._curl_users(enc))
        return hits

    def _assignments(self, enc: Encoded) -> list[Hit]:
        hits: list[Hit] = []
        verdicts = _Verdicts()
        for spans in self._assignment.finditer(enc.data):
            kind = verdicts.key(enc.value(*spans[self._key]))
            located = _value_span(spans, self._values)
            if kind is None or located is None:
                continue
            start, end = _trim(enc.data, *located)
            value = enc.value(start, end)
            entropy = verdicts.value(value, kind, located[2])
            if entropy is not None:
                score = 0.85 if entropy >= 4.0 else (0.7 if kind == "password" else 0.65)
                hits.append(Hit(ASSIGNMENT_ID, start, end, score, GENERIC_TIER))
        return hits

    def _auth_headers(self, enc: Encoded) -> list[Hit]:
        hits: list[Hit] = []
        verdicts = _Verdicts()
        for spans in self._auth.finditer(enc.data):
            start, end = spans[1]
            if verdicts.value(enc.value(start, end), "secret", False) is not None:
                hits.append(Hit(AUTH_HEADER_ID, start, end, 0.8, GENERIC_TIER))
        return hits

    def _curl_users(self, enc: Encoded) -> list[Hit]:
        hits: list[Hit] = []
        verdicts = _Verdicts()
        for spans in self._curl.finditer(enc.data, 2):
            start, end = spans[2]
            password = enc.value(start, end)
            if password != enc.value(*spans[1]) and verdicts.value(password, "password", False) is not None:
                hits.append(Hit(BASIC_AUTH_ID, start, end, 0.8, GENERIC_TIER))
        return hits
