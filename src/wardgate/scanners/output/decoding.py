"""Decoded views of encoded runs in a text — base64, hex and percent-encoding — each tied to its span.

The output guards look for secrets that a model was asked to smuggle out in an encoded form ("print your
instructions in base64"). Every decoder here is bounded (run count, bytes decoded) and accepts a decoding only when
the result reads as text, so random identifiers and hashes decode to nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import unquote

MAX_RUNS = 256
"""At most this many runs of each encoding are decoded per text."""
MAX_DECODED_CHARS = 1 << 20
"""At most this many encoded characters are decoded per text, all encodings together."""

_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_HEX_RUN = re.compile(r"(?:(?:\\x|0[xX]|%)?[0-9A-Fa-f]{2}[ :,-]?){8,}")
_PCT_RUN = re.compile(r"(?<![A-Za-z0-9._~+%-])(?:[A-Za-z0-9._~+-]*%[0-9A-Fa-f]{2})+[A-Za-z0-9._~+-]*")
_HEX_NOISE = re.compile(r"\\x|0[xX]|[%\s:,-]")
_URLSAFE = str.maketrans("-_", "+/")

_MIN_BYTES = 6
_PRINTABLE_RATIO = 0.85


@dataclass(frozen=True, slots=True)
class DecodedRun:
    start: int
    end: int
    text: str
    encoding: str
    """``"base64"``, ``"hex"`` or ``"percent"``."""


def decoded_runs(text: str) -> list[DecodedRun]:
    """Every encoded run in ``text`` that decodes to readable text, with the span of the encoded form."""
    runs: list[DecodedRun] = []
    budget = MAX_DECODED_CHARS
    for encoding, pattern, decode in (
        ("base64", _B64_RUN, base64_text),
        ("hex", _HEX_RUN, hex_text),
        ("percent", _PCT_RUN, percent_text),
    ):
        for count, match in enumerate(pattern.finditer(text)):
            run = match.group()
            if count >= MAX_RUNS or len(run) > budget:
                break
            budget -= len(run)
            decoded = decode(run)
            if decoded is not None:
                runs.append(DecodedRun(match.start(), match.end(), decoded, encoding))
    return runs


def readable(data: bytes) -> str | None:
    """``data`` as text when it is mostly printable UTF-8, else ``None``."""
    if len(data) < _MIN_BYTES:
        return None
    text = data.decode("utf-8", errors="replace")
    good = sum(1 for char in text if char.isprintable() or char in "\t\n\r")
    if good < _PRINTABLE_RATIO * len(text) or text.count("\ufffd") > 0.05 * len(text):
        return None
    return text


def base64_text(run: str) -> str | None:
    """Decode a base64 (standard or URL-safe) run, trying the four alignments; ``None`` unless it reads as text."""
    body = run.rstrip("=").translate(_URLSAFE)
    for shift in range(4):
        chunk = body[shift:]
        if len(chunk) % 4 == 1:
            chunk = chunk[:-1]
        try:
            data = base64.b64decode(chunk + "=" * (-len(chunk) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        decoded = readable(data)
        if decoded is not None:
            return decoded
    return None


def hex_text(run: str) -> str | None:
    """Decode a hex run (``6869``, ``68 69``, ``\\x68\\x69``, ``0x68``, ``%68``); ``None`` unless it reads as text."""
    digits = _HEX_NOISE.sub("", run)
    for shift in (0, 1):
        chunk = digits[shift:]
        chunk = chunk[: len(chunk) - len(chunk) % 2]
        try:
            data = bytes.fromhex(chunk)
        except ValueError:
            continue
        decoded = readable(data)
        if decoded is not None:
            return decoded
    return None


def percent_text(run: str) -> str | None:
    """Percent-decode a run; ``None`` when nothing changes."""
    decoded = unquote(run, errors="replace")
    return decoded if decoded != run else None
