"""The key-record cache: hits within the TTL, writes through it invalidate, outside writes seen after the TTL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

from wardgate.storage.base import KeyRecord
from wardgate.storage.cache import CachedKeyStore
from wardgate.storage.sqlite import SqliteStore


def record(key_id: str = "0123456789abcdef") -> KeyRecord:
    return KeyRecord(key_id, "h" * 64, "n", None, None, "user", ("*",), (), None, datetime.now(UTC))


def test_cache_ttl_and_invalidation(tmp_path: Path) -> None:
    now = [0.0]
    inner = SqliteStore(tmp_path / "db.sqlite")
    cache = CachedKeyStore(inner, ttl=1.0, clock=lambda: now[0])
    assert cache.get_key("0123456789abcdef") is None  # a miss is cached too
    cache.add_key(record())  # a write through the cache invalidates at once
    first = cache.get_key("0123456789abcdef")
    assert first is not None
    assert first.revoked_at is None
    inner.replace_key(dataclasses.replace(record(), revoked_at=datetime.now(UTC)))  # another process revokes
    cached = cache.get_key("0123456789abcdef")
    assert cached is not None
    assert cached.revoked_at is None, "within the TTL the cached record is reused"
    now[0] = 1.5
    seen = cache.get_key("0123456789abcdef")
    assert seen is not None
    assert seen.revoked_at is not None, "after the TTL the outside revocation is seen"
    cache.close()
