"""A short-TTL read cache in front of a KeyStore, so the request path does not hit the database every time.

Writes made through this object invalidate at once; changes made by another process (``wardgate keys revoke``
against the same data directory, another replica) are seen within ``ttl`` seconds. Records hold keyed hashes
only, never a secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from wardgate.storage.base import KeyRecord, KeyStore

_MAX_ENTRIES = 100_000


class CachedKeyStore:
    def __init__(self, inner: KeyStore, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, KeyRecord | None]] = {}

    def get_key(self, key_id: str) -> KeyRecord | None:
        now = self._clock()
        hit = self._entries.get(key_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        record = self._inner.get_key(key_id)
        if self._ttl > 0:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[key_id] = (now + self._ttl, record)
        return record

    def add_key(self, record: KeyRecord) -> None:
        self._inner.add_key(record)
        self._entries.pop(record.key_id, None)

    def replace_key(self, record: KeyRecord) -> None:
        self._inner.replace_key(record)
        self._entries.pop(record.key_id, None)

    def list_keys(self) -> list[KeyRecord]:
        return self._inner.list_keys()

    def close(self) -> None:
        self._entries.clear()
        self._inner.close()
