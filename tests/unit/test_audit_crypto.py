"""Sealed content: nothing readable on disk, nonces never repeat, KEK rotation and rewrap, authentication."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
from pathlib import Path

import pytest

from support.audit_logs import KEK_NEW, KEK_OLD, append_all, audit_config, build_log, keyring, open_store, request_event
from wardgate.audit import AUDIT_DB, AuditKeyError, AuditLog, Decryptor, Keyring, rewrap, search, verify
from wardgate.audit.chain import genesis_hash, link
from wardgate.audit.crypto import SegmentSealer, record_nonce, unwrap_key
from wardgate.audit.record import canonical_json
from wardgate.audit.store import RecordQuery, parse_segment
from wardgate.errors import ConfigError

CANARY = "CANARY-7f3a9c-do-not-store"


def _forms(text: str) -> list[bytes]:
    raw = text.encode()
    forms = [raw, text.encode("utf-16-le"), text.encode("utf-16-be")]
    for shift in range(3):  # base64 of the canary at each alignment, minus the edge characters
        encoded = base64.b64encode(b"x" * shift + raw)
        forms.append(encoded[4 : len(encoded) - 4])
    return forms


def _hits(directory: Path, forms: list[bytes]) -> list[str]:
    return [
        f"{path.name}:{form[:12]!r}"
        for path in directory.rglob("*")
        if path.is_file()
        for form in forms
        if form in path.read_bytes()
    ]


def _decrypt_all(data_dir: Path, ring: Keyring) -> list[dict[str, object] | None]:
    store = open_store(data_dir)
    try:
        decryptor = Decryptor(store, ring)
        return [decryptor.content(view) for view in search(store, RecordQuery())]
    finally:
        store.close()


def test_canary_never_reaches_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("SQLITE_TMPDIR", str(data_dir))  # any SQLite temp file would land here and be searched
    monkeypatch.setenv("TMPDIR", str(data_dir))
    events = [request_event(i, f"user {i} says {CANARY} and more") for i in range(10_000)]
    log = AuditLog.open(audit_config(), data_dir, keyring=keyring())
    try:
        asyncio.run(append_all(log, events))
        assert (data_dir / f"{AUDIT_DB}-wal").exists()
        assert _hits(data_dir, _forms(CANARY)) == []  # database, WAL and shared-memory files while open
    finally:
        log.close()
    assert _hits(data_dir, _forms(CANARY)) == []
    contents = _decrypt_all(data_dir, keyring())
    assert len(contents) == 10_000
    assert all(CANARY in json.dumps(content) for content in contents)


def test_the_grep_would_find_stored_text(tmp_path: Path) -> None:
    """Positive control: the same search finds the canary when the capture mode stores text."""
    log = AuditLog.open(audit_config("redacted"), tmp_path)
    try:
        log.append_sync(request_event(1, f"plain {CANARY}"))
    finally:
        log.close()
    assert _hits(tmp_path, _forms(CANARY)[:1])


def test_a_million_nonces_never_repeat() -> None:
    sealer = SegmentSealer(keyring(), 2**20, 0.0)
    nonces = {record_nonce(sealer.next_counter()) for _ in range(1_000_000)}
    assert len(nonces) == 1_000_000
    assert all(len(nonce) == 12 for nonce in list(nonces)[:10])


def test_a_segment_refuses_to_go_past_its_limit() -> None:
    sealer = SegmentSealer(keyring(), 3, 0.0)
    assert [sealer.next_counter() for _ in range(3)] == [1, 2, 3]
    assert sealer.exhausted
    with pytest.raises(AuditKeyError):
        sealer.next_counter()


def _key_nonce_pairs(data_dir: Path, ring: Keyring) -> list[tuple[bytes, bytes]]:
    store = open_store(data_dir)
    try:
        keys = {seg.segment_id: unwrap_key(seg, ring) for seg in map(parse_segment, store.segments())}
        pairs = []
        for view in search(store, RecordQuery()):
            if view.sealed is not None:
                pairs.append((keys[view.sealed.segment], record_nonce(view.sealed.counter)))
        return pairs
    finally:
        store.close()


def test_key_and_nonce_pairs_are_unique_across_restarts_and_rollover(tmp_path: Path) -> None:
    config = audit_config(segment_max_records=7)
    for _ in range(3):  # three writer runs; each seals 20 records, rolling over every 7
        build_log(tmp_path, 20, config=config, sealed_every=1)
    pairs = _key_nonce_pairs(tmp_path, keyring())
    assert len(pairs) == 60
    assert len(set(pairs)) == 60
    data_keys = {key for key, _ in pairs}
    assert len(data_keys) == 3 * 3  # ceil(20 / 7) segments per run, none shared between runs


def test_kek_rotation_then_rewrap_retires_the_old_kek(tmp_path: Path) -> None:
    both = Keyring({"k1": KEK_OLD, "k2": KEK_NEW}, "k2")
    build_log(tmp_path, 9, config=audit_config(), ring=keyring(), sealed_every=1)
    build_log(tmp_path, 9, config=audit_config(kek_ids=("k2", "k1")), ring=both, sealed_every=1)
    assert all(content is not None for content in _decrypt_all(tmp_path, both))  # old and new segments
    only_new = Keyring({"k2": KEK_NEW}, "k2")
    with pytest.raises(AuditKeyError, match="'k1' is not in the keyring"):
        _decrypt_all(tmp_path, only_new)
    store = open_store(tmp_path)
    try:
        result = rewrap(store, both)
        assert (result.rewrapped, result.unchanged) == (1, 1)
        assert verify(store, keyring=only_new).ok
    finally:
        store.close()
    contents = _decrypt_all(tmp_path, only_new)
    assert [c["prompt"][0]["text"] for c in contents if c] == [f"prompt number {i}" for i in range(9)] * 2  # type: ignore[index]


def _rewrite_bodies(path: Path, change: dict[int, dict[str, object]]) -> None:
    """Replace record bodies and re-chain every hash, as an attacker with write access could."""
    conn = sqlite3.connect(path)
    log_id = conn.execute("SELECT value FROM meta WHERE key = 'log_id'").fetchone()[0]
    prev = genesis_hash(log_id)
    for seq, body in conn.execute("SELECT seq, body FROM records ORDER BY seq").fetchall():
        if seq in change:
            body = canonical_json(change[seq])
        prev = link(prev, body.encode())
        conn.execute("UPDATE records SET body = ?, hash = ? WHERE seq = ?", (body, prev.hex(), seq))
    conn.commit()
    conn.close()


def _bodies(path: Path) -> dict[int, dict[str, object]]:
    conn = sqlite3.connect(path)
    rows = {seq: json.loads(body) for seq, body in conn.execute("SELECT seq, body FROM records")}
    conn.close()
    return rows


def test_swapped_ciphertexts_fail_authentication(tmp_path: Path) -> None:
    build_log(tmp_path, 4, sealed_every=1)
    bodies = _bodies(tmp_path / AUDIT_DB)
    first, second = bodies[1], bodies[2]
    first["sealed"], second["sealed"] = second["sealed"], first["sealed"]
    _rewrite_bodies(tmp_path / AUDIT_DB, {1: first, 2: second})
    with pytest.raises(AuditKeyError, match="record seq 1 failed authentication") as info:
        _decrypt_all(tmp_path, keyring())
    assert "prompt" not in str(info.value)


def test_edited_fields_of_a_sealed_record_fail_authentication(tmp_path: Path) -> None:
    build_log(tmp_path, 3, sealed_every=1)
    bodies = _bodies(tmp_path / AUDIT_DB)
    bodies[3]["fields"] = {**bodies[3]["fields"], "model": "something-else"}  # type: ignore[dict-item]
    _rewrite_bodies(tmp_path / AUDIT_DB, {3: bodies[3]})
    with pytest.raises(AuditKeyError, match="record seq 3 failed authentication"):
        _decrypt_all(tmp_path, keyring())


def test_a_wrong_kek_fails_cleanly(tmp_path: Path) -> None:
    build_log(tmp_path, 3, sealed_every=1)
    wrong = Keyring({"k1": bytes(32)}, "k1")
    with pytest.raises(AuditKeyError) as info:
        _decrypt_all(tmp_path, wrong)
    message = str(info.value)
    assert "cannot unwrap" in message and "'k1'" in message
    assert "prompt" not in message and KEK_OLD.hex() not in message and bytes(32).hex() not in message


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(KEK_OLD.hex(), id="hex"),
        pytest.param(KEK_OLD.hex().upper(), id="hex-upper"),
        pytest.param(base64.b64encode(KEK_OLD).decode(), id="base64"),
        pytest.param(f"  {KEK_OLD.hex()}\n", id="whitespace"),
    ],
)
def test_kek_encodings(value: str, tmp_path: Path) -> None:
    (tmp_path / "kek").write_text(value)
    config = audit_config(kek_ids=("f",)).model_copy(update={"keks": ()})
    config = type(config).model_validate(
        {"capture": "encrypted", "keks": [{"id": "f", "file": str(tmp_path / "kek")}], "active_kek": "f"}
    )
    assert Keyring.from_config(config).get("f") == KEK_OLD


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("ab" * 31, id="short-hex"),
        pytest.param("zz" * 32, id="not-hex"),
        pytest.param(base64.b64encode(b"k" * 16).decode(), id="short-base64"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_keks_are_refused_without_echoing_them(value: str) -> None:
    config = audit_config(kek_ids=("k1",))
    with pytest.raises(ConfigError) as info:
        Keyring.from_config(config, {"TEST_AUDIT_KEK_K1": value})
    message = str(info.value)
    assert "audit.keks.0" in message and "TEST_AUDIT_KEK_K1" in message
    assert not value or value not in message


def test_a_missing_kek_env_is_named() -> None:
    with pytest.raises(ConfigError, match="TEST_AUDIT_KEK_K1 is not set"):
        Keyring.from_config(audit_config(kek_ids=("k1",)), {})


def test_keyring_repr_shows_ids_only() -> None:
    ring = Keyring({"k1": KEK_OLD}, "k1")
    assert KEK_OLD.hex() not in repr(ring) and "k1" in repr(ring)
