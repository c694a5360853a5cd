"""Audit events as the gateway hands them over, and records as they are stored.

A stored record is one canonical JSON object (sorted keys, compact, ASCII) of
``{v, seq, kind, time, record_id, fields, content | sealed}``. ``fields`` holds metadata only; by convention the
keys the search understands are ``request_id``, ``principal.subject``, ``principal.team``, ``model``, ``status``
and ``outcome`` (admin records: ``actor``, ``action``). ``content`` appears only in ``redacted`` capture mode,
``sealed`` only in ``encrypted`` mode.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from wardgate.audit.errors import AuditError, AuditFormatError
from wardgate.types import JSONObject

Kind = Literal["request", "admin", "system"]
KINDS: frozenset[str] = frozenset(get_args(Kind))
FORMAT_VERSION = 1
_MAX_ID = 128


@dataclass(frozen=True, slots=True)
class AuditEvent:
    kind: Kind
    fields: JSONObject
    """Metadata only: ids, principal, route, model, decisions, finding kinds/spans/scores, timings, usage, status."""
    content: JSONObject | None = None
    """Prompt and answer text; dropped, stored or sealed according to the capture mode."""
    time: float = field(default_factory=time.time)
    record_id: str = field(default_factory=lambda: os.urandom(16).hex())

    def __repr__(self) -> str:  # never print content
        return f"AuditEvent(kind={self.kind!r}, record_id={self.record_id!r})"


@dataclass(frozen=True, slots=True)
class SealedBlob:
    """Content sealed under a segment's data key; ``counter`` derives the nonce."""

    segment: str
    counter: int
    ciphertext: bytes


@dataclass(frozen=True, slots=True)
class RecordView:
    """A stored record, parsed."""

    seq: int
    kind: str
    time: float
    record_id: str
    fields: JSONObject
    content: JSONObject | None
    sealed: SealedBlob | None
    hash: str


def canonical_json(value: Any) -> str:
    """Sorted-key compact ASCII JSON; NaN and infinities are refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def canonical_or_error(value: Any, what: str) -> str:
    try:
        return canonical_json(value)
    except (TypeError, ValueError):
        raise AuditError(f"audit event {what} is not a JSON object of plain values") from None


def fields_digest(fields_json: str) -> bytes:
    return hashlib.sha256(fields_json.encode("ascii")).digest()


def check_event(event: AuditEvent) -> None:
    """Validate the envelope (never the values, which may be content)."""
    if event.kind not in KINDS:
        raise AuditError("audit event kind must be request, admin or system")
    if not isinstance(event.fields, dict) or not (event.content is None or isinstance(event.content, dict)):
        raise AuditError("audit event fields and content must be JSON objects")
    if not isinstance(event.record_id, str) or not 0 < len(event.record_id) <= _MAX_ID:
        raise AuditError("audit event record_id must be a non-empty string of at most 128 characters")
    if isinstance(event.time, bool) or not isinstance(event.time, int | float) or not math.isfinite(event.time):
        raise AuditError("audit event time must be a finite number")


def sealed_json(blob: SealedBlob) -> str:
    ciphertext = base64.b64encode(blob.ciphertext).decode("ascii")
    return canonical_json({"ct": ciphertext, "n": blob.counter, "seg": blob.segment})


def record_body(
    *,
    seq: int,
    kind: str,
    time: float,
    record_id: str,
    fields_json: str,
    content_json: str | None = None,
    sealed: SealedBlob | None = None,
) -> str:
    """The canonical bytes of a record, assembled from already-canonical parts (keys in sorted order)."""
    parts = []
    if content_json is not None:
        parts.append(f'"content":{content_json}')
    parts.append(f'"fields":{fields_json}')
    parts.append(f'"kind":{canonical_json(kind)}')
    parts.append(f'"record_id":{canonical_json(record_id)}')
    if sealed is not None:
        parts.append(f'"sealed":{sealed_json(sealed)}')
    parts.append(f'"seq":{seq}')
    parts.append(f'"time":{canonical_json(float(time))}')
    parts.append(f'"v":{FORMAT_VERSION}')
    return "{" + ",".join(parts) + "}"


def _sealed_from(value: Any) -> SealedBlob | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"ct", "n", "seg"}:
        raise AuditFormatError("sealed blob has the wrong shape")
    ct, counter, segment = value["ct"], value["n"], value["seg"]
    if not isinstance(ct, str) or not isinstance(segment, str) or type(counter) is not int:
        raise AuditFormatError("sealed blob has the wrong types")
    try:
        return SealedBlob(segment, counter, base64.b64decode(ct, validate=True))
    except ValueError:
        raise AuditFormatError("sealed ciphertext is not base64") from None


def parse_body(body: bytes, hash_hex: str) -> RecordView:
    """Parse canonical record bytes; raises :class:`AuditFormatError` on anything unexpected."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise AuditFormatError("record body is not JSON") from None
    if not isinstance(data, dict) or data.get("v") != FORMAT_VERSION:
        raise AuditFormatError("record body is not a version-1 record")
    seq, kind, stamp, record_id = data.get("seq"), data.get("kind"), data.get("time"), data.get("record_id")
    fields, content = data.get("fields"), data.get("content")
    if type(seq) is not int or not isinstance(kind, str) or kind not in KINDS or type(stamp) is not float:
        raise AuditFormatError("record body has wrong types")
    if not isinstance(record_id, str):
        raise AuditFormatError("record body has wrong types")
    if not isinstance(fields, dict) or not (content is None or isinstance(content, dict)):
        raise AuditFormatError("record fields or content is not an object")
    if not set(data) <= {"v", "seq", "kind", "time", "record_id", "fields", "content", "sealed"}:
        raise AuditFormatError("record body has unknown keys")
    sealed = _sealed_from(data.get("sealed"))
    return RecordView(seq, kind, stamp, record_id, fields, content, sealed, hash_hex)
