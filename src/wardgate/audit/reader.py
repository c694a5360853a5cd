"""Reading records back: search, JSON output, and decryption with the keyring."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from wardgate.audit.chain import text
from wardgate.audit.crypto import RecordBinding, SegmentKey, open_sealed, unwrap_key
from wardgate.audit.errors import AuditFormatError, AuditKeyError
from wardgate.audit.keyring import Keyring
from wardgate.audit.record import RecordView, canonical_json, fields_digest, parse_body
from wardgate.audit.store import AuditStore, RawRecord, RecordQuery, parse_segment
from wardgate.types import JSONObject


def view_of(raw: RawRecord) -> RecordView:
    """Parse a stored row; the seq in the error is the stored one."""
    if not isinstance(raw.body, bytes):
        raise AuditFormatError(f"record {raw.seq!r}: the body is not text")
    try:
        return parse_body(raw.body, text(raw.hash, "hash"))
    except AuditFormatError as exc:
        raise AuditFormatError(f"record {raw.seq!r}: {exc}") from None


def search(store: AuditStore, query: RecordQuery) -> Iterator[RecordView]:
    for raw in store.search(query):
        yield view_of(raw)


def record_json(view: RecordView, content: JSONObject | None = None, *, decrypted: bool = False) -> dict[str, Any]:
    """A record for output. Sealed content shows as ``{"sealed": true}`` unless ``decrypted`` content is given."""
    shown: JSONObject | None = view.content
    if view.sealed is not None:
        shown = content if decrypted else {"sealed": True}
    return {
        "seq": view.seq,
        "time": view.time,
        "at": datetime.fromtimestamp(view.time, UTC).isoformat(),
        "kind": view.kind,
        "record_id": view.record_id,
        "fields": view.fields,
        "content": shown,
        "hash": view.hash,
    }


class Decryptor:
    """Opens sealed content; unwraps each segment's data key once."""

    def __init__(self, store: AuditStore, keyring: Keyring) -> None:
        log_id = store.log_id()
        if log_id is None:
            raise AuditFormatError("the audit store has no log id")
        self._log_id = log_id
        self._keyring = keyring
        self._segments: dict[str, SegmentKey] = {}
        for raw in store.segments():
            segment = parse_segment(raw)
            self._segments[segment.segment_id] = segment
        self._keys: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return f"Decryptor(segments={len(self._segments)})"

    def _data_key(self, segment_id: str, seq: int) -> bytes:
        key = self._keys.get(segment_id)
        if key is None:
            segment = self._segments.get(segment_id)
            if segment is None:
                raise AuditKeyError(f"record seq {seq} is sealed under an unknown segment")
            key = self._keys[segment_id] = unwrap_key(segment, self._keyring)
        return key

    def content(self, view: RecordView) -> JSONObject | None:
        """The record's content in clear (stored content as is; sealed content opened and authenticated)."""
        blob = view.sealed
        if blob is None:
            return view.content
        digest = fields_digest(canonical_json(view.fields))
        binding = RecordBinding(self._log_id, view.record_id, view.seq, view.kind, view.time, digest)
        plaintext = open_sealed(blob, self._data_key(blob.segment, view.seq), binding)
        value = json.loads(plaintext)
        if not isinstance(value, dict):
            raise AuditFormatError(f"record seq {view.seq}: sealed content is not an object")
        return value
