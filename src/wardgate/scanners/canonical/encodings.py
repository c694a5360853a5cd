"""Find encoded payloads (base64, hex, percent-encoding, ROT13) worth decoding, and decode them.

Every candidate must decode to mostly printable UTF-8 text before it counts, which is what keeps identifiers, hashes,
API keys and binary blobs out. On top of that, hashes, UUIDs, ``sha512-`` integrity strings and ``data:`` URIs of
images, audio, video and fonts are excluded by shape. A JWT's header and payload are base64url JSON, so they *are*
decoded (their claims get scanned like any other text).

Every pattern is linear: single character classes with possessive quantifiers and no nested overlapping repeats.
Scanning starts with one leading character class (which the regex engine skips over in C); finer patterns then run
only inside each candidate token.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from wardgate.scanners.canonical import tables

Encoding = Literal["base64", "hex", "url", "rot13"]
_PRINTABLE_SHARE = 0.85
_MIN_URL_ESCAPES = 3
_HASH_LENGTHS = frozenset({32, 40, 64, 128})
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"PK\x03\x04", b"\x1f\x8b")

_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{16,}+={0,2}")
_B64_STD = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{16,}+={0,2}")
_B64_URL = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{16,}+={0,2}")
_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{16,}+")
_ALL_HEX = re.compile(r"[0-9A-Fa-f]++")
_DATA_MEDIA = re.compile(
    r"data:(?:image|audio|video|font)/[\w.+-]{1,64}+(?:;[\w.+-]{1,64}+=[\w.+-]{1,64}+){0,8}+;base64,", re.ASCII
)
_DATA_LOOKBACK = 512
_INTEGRITY = re.compile(r"(?i:sha(?:1|256|384|512))-")
_UUID = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}")
_NOT_SPACE = re.compile(r"\S*+")
_SPACES = " \t\n\r\x0b\x0c"
_URL_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_ROT13_RUN = re.compile(r"(?<![A-Za-z])[A-Za-z]++(?:[ ,'\-]++[A-Za-z]++){3,}+")
_WORD = re.compile(r"[a-z]+")
_LETTER = re.compile(r"[^\W\d_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


@dataclass(frozen=True, slots=True)
class Encoded:
    """A decoded payload: ``origin`` is the encoding, the span is the encoded run in the scanned text."""

    origin: Encoding
    start: int
    end: int
    text: str

    @property
    def kind(self) -> str:
        return f"encoding.{self.origin}"

    @property
    def score(self) -> float:
        return 0.5 if self.origin == "rot13" else 1.0


def find_encoded(text: str) -> list[Encoded]:
    """All decodable runs in ``text``, in order of position. Runs of different encodings may overlap."""
    found: list[Encoded] = []
    for token in _TOKEN.finditer(text):
        start, end = token.span()
        if not _excluded(text, start, end):
            found += _token_payloads(text, start, end)
    found += _url_runs(text)
    found += _rot13_runs(text)
    found.sort(key=lambda item: (item.start, item.end))
    return found


def _excluded(text: str, start: int, end: int) -> bool:
    """Integrity strings, UUIDs, and the payload of an image/audio/video/font ``data:`` URI."""
    if _INTEGRITY.match(text, start, end) or _UUID.fullmatch(text, start, end):
        return True
    if start >= 8 and text.startswith(";base64,", start - 8):
        header = text.rfind("data:", max(0, start - _DATA_LOOKBACK), start)
        return header >= 0 and _DATA_MEDIA.fullmatch(text, header, start) is not None
    return False


def _token_payloads(text: str, start: int, end: int) -> list[Encoded]:
    hexed = _hex_runs(text, start, end)
    run = text[start:end]
    if hexed or _ALL_HEX.fullmatch(run):
        return hexed  # hex-only tokens are digests and ids unless they decode as hex
    standard = "+" in run or "/" in run
    url_safe = "-" in run or "_" in run
    if not (standard and url_safe):
        decoded = _b64decode(run, url_safe=url_safe)
        return [Encoded("base64", start, end, decoded)] if decoded is not None else []
    found: list[Encoded] = []  # mixed alphabets: a path, a slug, a key=value list; try each alphabet's pieces
    for pattern, is_url in ((_B64_STD, False), (_B64_URL, True)):
        for match in pattern.finditer(text, start, end):
            decoded = _b64decode(match.group(), url_safe=is_url)
            if decoded is not None and not _excluded(text, *match.span()):
                found.append(Encoded("base64", *match.span(), decoded))
    return found


def printable_text(data: bytes) -> str | None:
    """``data`` as text if it is UTF-8, not a known binary format, and at least 85 % printable with a letter in it."""
    if not data or data.startswith(_BINARY_MAGIC):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if _mostly_printable(text) and _LETTER.search(text) else None


def _mostly_printable(text: str) -> bool:
    return text.isprintable() or len(_CONTROL.findall(text)) <= (1.0 - _PRINTABLE_SHARE) * len(text)


def _hex_runs(text: str, start: int, end: int) -> list[Encoded]:
    found: list[Encoded] = []
    for match in _HEX.finditer(text, start, end):
        run = match.group()
        if len(run) % 2 or run.isdigit():
            continue
        decoded = printable_text(bytes.fromhex(run))
        if decoded is None or (len(run) in _HASH_LENGTHS and not _reads_as_words(decoded)):
            continue
        found.append(Encoded("hex", *match.span(), decoded))
    return found


def _reads_as_words(text: str) -> bool:
    """Stricter test for hash-sized hex: plain ASCII, no controls, mostly letters and spaces."""
    wordy = sum(ch.isalpha() or ch == " " for ch in text)
    return text.isascii() and text.isprintable() and wordy >= 0.6 * len(text)


def _b64decode(run: str, *, url_safe: bool) -> str | None:
    body = run.rstrip("=")
    if len(body) % 4 == 1:
        return None
    if url_safe:
        body = body.replace("-", "+").replace("_", "/")
    try:
        data = binascii.a2b_base64(body + "=" * (-len(body) % 4), strict_mode=True)
    except binascii.Error:
        return None
    return printable_text(data)


def _url_runs(text: str) -> list[Encoded]:
    """Whitespace-delimited tokens with at least three ``%XX`` escapes, decoded."""
    if "%" not in text:
        return []
    found: list[Encoded] = []
    done = 0
    for escape in _URL_ESCAPE.finditer(text):
        at = escape.start()
        if at < done:
            continue
        start = max(done, *(text.rfind(space, done, at) + 1 for space in _SPACES))
        rest = _NOT_SPACE.match(text, at)
        done = rest.end() if rest else at
        token = text[start:done]
        if len(_URL_ESCAPE.findall(token)) < _MIN_URL_ESCAPES:
            continue
        decoded = unquote(token, errors="replace")
        if decoded != token and _mostly_printable(decoded):
            found.append(Encoded("url", start, done, decoded))
    return found


def _rot13_runs(text: str) -> list[Encoded]:
    """Runs of >= 4 words whose ROT13 has markedly more common English words than the run itself."""
    found: list[Encoded] = []
    for match in _ROT13_RUN.finditer(text):
        run = match.group()
        words = _WORD.findall(run.lower())
        after = sum(map(tables.ROT13_COMMON_WORDS.__contains__, words))
        if after < max(2, 0.3 * len(words)):
            continue
        before = sum(map(tables.COMMON_WORDS.__contains__, words))
        if after >= 2 * before + 1:
            found.append(Encoded("rot13", match.start(), match.end(), run.translate(tables.ROT13)))
    return found
