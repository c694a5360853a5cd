"""URL analysis for the exfiltration guard: where a URL really goes, and whether it carries data.

Hosts are read the way a browser reads them: tabs and newlines dropped, ``\\`` treated as ``/`` and any number of
slashes accepted after ``http:``, userinfo ignored (``https://example.com@evil.tld/`` goes to ``evil.tld``),
percent-escapes in the host decoded, IDN labels converted to punycode. A host is *allowed* when it equals an allowed
domain or ends with ``"." + domain``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, unquote_plus, urlsplit

from wardgate.scanners.output.decoding import base64_text, hex_text

QUERY_VALUE_LIMIT = 64
"""A query value (or key) longer than this, decoded, is treated as a payload."""
PATH_SEGMENT_LIMIT = 120
"""Path segments are often long slugs, so they get a looser limit."""

_DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data"})
_SPECIAL_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]{0,31}):")
_DROP = str.maketrans("", "", "\t\n\r")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))

_B64 = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")
_HEX = re.compile(r"[0-9A-Fa-f]{24,}")
_ESCAPE_OF_ALNUM = re.compile(r"%(?:3[0-9]|4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9Aa])")
_SENSITIVE = re.compile(
    r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})*\.[A-Za-z]{2,24}"  # e-mail address
    r"|\b\d{3}-\d{2}-\d{4}\b"  # US SSN shape
    r"|\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}"  # API keys (OpenAI, Stripe…)
    r"|\bAKIA[0-9A-Z]{16}\b"  # AWS access key id
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"  # GitHub token
    r"|\bxox[abprs]-[A-Za-z0-9-]{10,}"  # Slack token
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JWT
    r"|-----BEGIN [A-Z ]{0,40}PRIVATE KEY"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){14,15}\d(?!\d)")
_QUERY_SEP = re.compile(r"[&;]")
_MAIL_HOST = re.compile(r"@([^\s,;?&@<>/]+)")


@dataclass(frozen=True, slots=True)
class UrlVerdict:
    relative: bool = False
    """No scheme and no host: resolved against the chat UI's own origin."""
    dangerous: bool = False
    """``javascript:``, ``vbscript:`` or ``data:``."""
    allowed: bool = False
    carries_data: bool = False


def analyze(raw: str, allowed_domains: tuple[str, ...]) -> UrlVerdict:
    url = raw.strip(_C0_AND_SPACE).translate(_DROP)
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1].strip()
    scheme_match = _SCHEME.match(url)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if scheme in _DANGEROUS_SCHEMES:
        return UrlVerdict(dangerous=True)
    if not scheme and not url.startswith(("//", "\\\\", "/\\", "\\/")):
        return UrlVerdict(relative=True)
    if scheme in _SPECIAL_SCHEMES or not scheme:
        rest = url[len(scheme) + 1 :] if scheme else url
        url = f"{scheme or 'https'}://" + _slashes_fixed(rest)
    elif scheme == "mailto":
        return _mailto(url, allowed_domains)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return UrlVerdict()
    carries = _query_carries_data(parts.query) or any(
        _payload(seg, PATH_SEGMENT_LIMIT) for seg in parts.path.split("/")
    )
    return UrlVerdict(allowed=bool(host) and host_allowed(unquote(host), allowed_domains), carries_data=carries)


def _mailto(url: str, allowed_domains: tuple[str, ...]) -> UrlVerdict:
    """Every recipient (including ``?to=``, ``cc=``, ``bcc=``) must be at an allowed domain."""
    hosts = _MAIL_HOST.findall(unquote(url, errors="replace"))
    allowed = bool(hosts) and all(host_allowed(host, allowed_domains) for host in hosts)
    query = url.split("?", 1)[1] if "?" in url else ""
    return UrlVerdict(allowed=allowed, carries_data=_query_carries_data(query))


def _slashes_fixed(rest: str) -> str:
    """Browsers read ``http:evil``, ``http:/evil`` and ``http:\\\\evil`` as ``http://evil``."""
    cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    head = rest[:cut].replace("\\", "/").lstrip("/")
    return head + rest[cut:]


def normalize_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


@lru_cache(maxsize=32)
def normalize_domains(domains: tuple[str, ...]) -> tuple[str, ...]:
    """Allowed-domain entries as bare hosts: ``*.Example.com``, ``https://example.com/x`` → ``example.com``."""
    out: list[str] = []
    for entry in domains:
        item = entry.strip()
        if "://" in item:
            item = urlsplit(item).hostname or ""
        item = normalize_host(item.lstrip("*").lstrip("."))
        if item:
            out.append(item)
    return tuple(out)


def host_allowed(host: str, allowed_domains: tuple[str, ...]) -> bool:
    """``host`` equals an allowed domain or is a subdomain of one; an IP address must match exactly."""
    name = normalize_host(host)
    if not name:
        return False
    if _is_ip(name):
        return name in normalize_domains(allowed_domains)
    return any(name == domain or name.endswith("." + domain) for domain in normalize_domains(allowed_domains))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _query_carries_data(query: str) -> bool:
    if not query:
        return False
    for piece in _QUERY_SEP.split(query):
        key, _, value = piece.partition("=")
        if _payload(key, QUERY_VALUE_LIMIT) or _payload(value, QUERY_VALUE_LIMIT):
            return True
    return False


def _payload(raw: str, limit: int) -> bool:
    """Whether one query key/value or path segment looks like smuggled data."""
    if not raw:
        return False
    text = unquote_plus(raw, errors="replace")
    if len(text) > limit or len(_ESCAPE_OF_ALNUM.findall(raw)) >= 3:
        return True
    if text.count("\ufffd") + sum(1 for char in text if not char.isprintable()) >= 4:  # an escaped binary blob
        return True
    if _SENSITIVE.search(text) or any(_luhn(m.group()) for m in _CARD.finditer(text)):
        return True
    plain = unquote(raw, errors="replace")
    return any(base64_text(m.group()) is not None for m in _B64.finditer(plain)) or any(
        hex_text(m.group()) is not None for m in _HEX.finditer(plain)
    )


def _luhn(candidate: str) -> bool:
    digits = [int(char) for char in candidate if char.isdigit()]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if i % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0
