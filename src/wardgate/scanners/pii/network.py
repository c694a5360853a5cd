"""IP_ADDRESS: IPv4 dotted quads and IPv6 addresses, validated with the stdlib ``ipaddress`` module.

Written by hand: the candidate regexes and the version-string veto. A dotted quad just after "version",
"release", "build", "firmware", "section" … (with no network word such as "ip", "host" or "server" closer to it)
is taken for a version or section number, not an address. IPv4 with leading zeros ("010.1.1.1") is rejected, as
``ipaddress`` does. IPv6 candidates need two colons and a digit ("dead::beef" and "a::b", more likely code than
addresses, are not reported).

No checksum exists: a valid address scores 0.85, and 0.95 next to a network word.
"""

from __future__ import annotations

import ipaddress
import re

from wardgate.scanners.pii.recognizer import ContextWords, PatternRecognizer, Rule, Verdict

SCORE = 0.85

_IPV4 = re.compile(r"(?<![0-9A-Za-z.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9A-Za-z]|\.[0-9])")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{1,40}(?![0-9A-Za-z:.])")
_DIGIT = re.compile(r"[0-9]")

CONTEXT = ContextWords.of(
    "ip", "ipv4", "ipv6", "ip address", "address", "host", "hostname", "server", "client", "gateway", "router",
    "dns", "subnet", "ping", "connect", "connection", "firewall", "proxy", "remote", "src", "dst", "source",
    "destination", "adresse", "dirección", "indirizzo", "adres",
)  # fmt: skip
VERSION_VETO = ContextWords.of(
    "version", "versions", "ver", "release", "build", "firmware", "revision", "rev", "patch", "update", "upgrade",
    "sdk", "library", "package", "section", "chapter", "clause", "article", "paragraph", "versión",
    "versione", "versie",
    before=20, after=0,
)  # fmt: skip


def check_ipv4(candidate: str) -> Verdict | None:
    try:
        ipaddress.IPv4Address(candidate)
    except ValueError:
        return None
    return Verdict(len(candidate), SCORE)


def check_ipv6(candidate: str) -> Verdict | None:
    address = candidate.rstrip(".")
    if address.count(":") < 2 or not _DIGIT.search(address):
        return None
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        return None
    return Verdict(len(address), SCORE)


RECOGNIZER = PatternRecognizer(
    "network",
    (
        Rule("IP_ADDRESS", _IPV4, check_ipv4, CONTEXT, VERSION_VETO),
        Rule("IP_ADDRESS", _IPV6, check_ipv6, CONTEXT),
    ),
)
