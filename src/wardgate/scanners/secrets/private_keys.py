"""PEM-armoured private keys (PKCS#1/#8, EC, DSA, OpenSSH, encrypted PKCS#8, PGP private key blocks).

The finding spans the whole block, ``-----BEGIN ...-----`` through ``-----END ...-----``, so redaction removes the
armour lines too. The body must be real key material: at least ``MIN_BODY_CHARS`` base64 characters (after
dropping ``Proc-Type:``/``Version:`` style header lines) that are not a placeholder. A block whose END line is
missing — an answer cut off mid-key, a truncated paste — is still reported, up to the end of its base64 lines.
Newlines may be real or JSON-escaped (``\\n``), as in a service-account key file.
"""

from __future__ import annotations

from bisect import bisect_left

from wardgate.scanners.secrets._re2 import Regex
from wardgate.scanners.secrets.text import Encoded, Hit
from wardgate.scanners.secrets.values import TOKEN_MARKERS, shannon_entropy

PRIVATE_KEY_ID = "PRIVATE_KEY"
KEYWORDS = ("-----begin",)
STRUCTURAL_TIER = 1
MIN_BODY_CHARS = 40
MAX_BLOCK_BYTES = 64 << 10
"""An END line further than this from its BEGIN line is not paired with it (real keys are a few KB)."""
MIN_ENTROPY = 3.5
_LABEL = r"(?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY(?: BLOCK)?"
_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


class PrivateKeyDetector:
    keywords: tuple[str, ...] = KEYWORDS

    def __init__(self) -> None:
        self._begin = Regex(rf"-----BEGIN {_LABEL}-----")
        self._end = Regex(rf"-----END {_LABEL}-----")

    def find(self, enc: Encoded, present: frozenset[str]) -> list[Hit]:
        if KEYWORDS[0] not in present:
            return []
        data = enc.data
        begins = [spans[0] for spans in self._begin.finditer(data)]
        if not begins:
            return []
        ends = [spans[0] for spans in self._end.finditer(data)]
        end_starts = [start for start, _ in ends]
        hits: list[Hit] = []
        consumed = 0
        for index, (begin_start, begin_end) in enumerate(begins):
            if begin_start < consumed:
                continue
            limit = begins[index + 1][0] if index + 1 < len(begins) else len(data)
            limit = min(limit, begin_end + MAX_BLOCK_BYTES)
            j = bisect_left(end_starts, begin_end)
            if j < len(ends) and ends[j][1] <= limit:
                if _body_ok(data[begin_end : ends[j][0]]):
                    hits.append(Hit(PRIVATE_KEY_ID, begin_start, ends[j][1], 0.99, STRUCTURAL_TIER))
                    consumed = ends[j][1]
                continue
            stop = _unterminated_end(data, begin_end, limit)
            if stop is not None:
                hits.append(Hit(PRIVATE_KEY_ID, begin_start, stop, 0.9, STRUCTURAL_TIER))
                consumed = stop
        return hits


def _payload_lines(body: bytes) -> list[bytes]:
    lines = body.replace(b"\\r", b"\n").replace(b"\\n", b"\n").split(b"\n")
    return [b"".join(line.split()) for line in lines if line.strip() and b":" not in line]


def _is_key_material(payload: bytes) -> bool:
    if len(payload) < MIN_BODY_CHARS or payload.translate(None, _B64):
        return False
    text = payload.decode("ascii")
    lowered = text.lower()
    if any(marker in lowered for marker in TOKEN_MARKERS):
        return False
    return shannon_entropy(text) >= MIN_ENTROPY


def _body_ok(body: bytes) -> bool:
    return _is_key_material(b"".join(_payload_lines(body)))


def _unterminated_end(data: bytes, pos: int, limit: int) -> int | None:
    """End offset of the base64 lines that follow a BEGIN line with no END, or None if they are not key material.

    Header lines (``Proc-Type: ...``) directly after the BEGIN line are skipped; the block stops at the first line
    that is neither base64 nor blank. One pass over at most ``MAX_BLOCK_BYTES``.
    """
    payload: list[bytes] = []
    last_end = pos
    cursor = pos
    headers_allowed = True
    while cursor < limit:
        newline, step = data.find(b"\n", cursor, limit), 1
        escaped = data.find(b"\\n", cursor, limit)  # a JSON-escaped newline, as in a service-account key file
        if escaped >= 0 and (newline < 0 or escaped < newline):
            newline, step = escaped, 2
        line_end = limit if newline < 0 else newline
        line = data[cursor:line_end].strip(b" \t\r")
        if line:
            if headers_allowed and b":" in line:
                cursor = line_end + 1
                continue
            compact = b"".join(line.split())
            if compact.translate(None, _B64):
                break
            headers_allowed = False
            payload.append(compact)
            last_end = cursor + len(data[cursor:line_end].rstrip(b" \t\r"))
        cursor = line_end + step
    return last_end if payload and _is_key_material(b"".join(payload)) else None
