"""Record format, chain, checkpoints, search and config: the building blocks of the audit log."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import wardgate.audit
from support.audit_logs import audit_config, build_log, open_store
from wardgate.audit import AuditConfig, AuditFormatError, RecordQuery, search, verify
from wardgate.audit.chain import checkpoint_from_json, genesis_hash, link
from wardgate.audit.checkpoints import export_lines, load_checkpoint_file
from wardgate.audit.record import SealedBlob, canonical_json, parse_body, record_body
from wardgate.audit.signing import Signer, TrustedKeys
from wardgate.errors import ConfigError


@pytest.mark.parametrize(
    ("content", "sealed"),
    [
        pytest.param(None, None, id="metadata-only"),
        pytest.param({"prompt": [{"role": "user", "text": "héllo ✓ \u2028"}], "answer": "ok"}, None, id="content"),
        pytest.param(None, SealedBlob("ab" * 16, 7, b"\x00\x01ciphertext"), id="sealed"),
    ],
)
def test_record_body_is_the_canonical_json_of_the_record(content: Any, sealed: SealedBlob | None) -> None:
    fields = {"z": 1, "a": {"y": [1.5, None, True], "b": "ü"}, "request_id": "r-1"}
    time = 1_763_790_000.123456
    body = record_body(
        seq=42,
        kind="request",
        time=time,
        record_id="id-1",
        fields_json=canonical_json(fields),
        content_json=None if content is None else canonical_json(content),
        sealed=sealed,
    )
    whole: dict[str, Any] = {"v": 1, "seq": 42, "kind": "request", "time": time, "record_id": "id-1", "fields": fields}
    if content is not None:
        whole["content"] = content
    if sealed is not None:
        ciphertext = base64.b64encode(sealed.ciphertext).decode()
        whole["sealed"] = {"ct": ciphertext, "n": sealed.counter, "seg": sealed.segment}
    assert body == json.dumps(whole, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    view = parse_body(body.encode(), "h")
    assert (view.seq, view.time, view.fields, view.content, view.sealed) == (42, time, fields, content, sealed)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"[]", id="not-object"),
        pytest.param(b'{"v":2}', id="version"),
        pytest.param(b'{"fields":{},"kind":"request","record_id":"x","seq":"1","time":1.0,"v":1}', id="seq-type"),
        pytest.param(b'{"fields":{},"kind":["x"],"record_id":"x","seq":1,"time":1.0,"v":1}', id="kind-type"),
        pytest.param(b'{"fields":[],"kind":"request","record_id":"x","seq":1,"time":1.0,"v":1}', id="fields-type"),
        pytest.param(b'{"extra":1,"fields":{},"kind":"admin","record_id":"x","seq":1,"time":1.0,"v":1}', id="extra"),
        pytest.param(
            b'{"fields":{},"kind":"admin","record_id":"x","sealed":{"ct":"!!","n":1,"seg":"s"},"seq":1,"time":1.0,"v":1}',
            id="sealed-base64",
        ),
    ],
)
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(AuditFormatError):
        parse_body(body, "h")


def test_chain_starts_from_the_log_id() -> None:
    assert genesis_hash("a") != genesis_hash("b")
    assert link(genesis_hash("a"), b"x") != link(genesis_hash("b"), b"x")


def test_checkpoints_sign_and_refuse_edits(tmp_path: Path) -> None:
    signer = Signer.load_or_create(tmp_path / "k.pem")
    assert Signer.load_or_create(tmp_path / "k.pem").public_raw == signer.public_raw  # loaded, not re-created
    checkpoint = signer.sign("log", 10, "ab" * 32, 1.5)
    keys = TrustedKeys.of([signer.public_raw])
    assert keys.check(checkpoint) is None
    line = json.dumps(checkpoint.to_json(signer.public_raw))
    again, public = checkpoint_from_json(line)
    assert again == checkpoint and public == signer.public_raw
    forged = json.loads(line) | {"seq": 11}
    assert keys.check(checkpoint_from_json(json.dumps(forged))[0]) == "bad signature"
    other = Signer.load_or_create(tmp_path / "other.pem")
    assert TrustedKeys.of([other.public_raw]).check(checkpoint) == "signed by an unknown key"
    assert "PRIVATE" not in repr(signer) and signer.key_id in repr(signer)


def test_a_bad_signing_key_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "k.pem").write_text("not a key")
    with pytest.raises(ConfigError, match=r"k\.pem"):
        Signer.load_or_create(tmp_path / "k.pem")


def test_exported_checkpoints_round_trip(tmp_path: Path) -> None:
    build_log(tmp_path, 120, config=audit_config("none", checkpoint_every_records=50))
    store = open_store(tmp_path)
    try:
        lines = list(export_lines(store))
    finally:
        store.close()
    (tmp_path / "cp.jsonl").write_text("\n".join(lines) + "\n")
    loaded = load_checkpoint_file(tmp_path / "cp.jsonl")
    assert [cp.seq for cp in loaded.checkpoints] == [50, 100, 120]
    assert len(loaded.public_keys) == 1
    (tmp_path / "bad.jsonl").write_text(lines[0] + "\n{oops\n")
    with pytest.raises(ConfigError, match="line 2"):
        load_checkpoint_file(tmp_path / "bad.jsonl")


def test_search_filters(tmp_path: Path) -> None:
    build_log(tmp_path, 40, config=audit_config("none"))
    store = open_store(tmp_path)

    def seqs(**query: Any) -> list[int]:
        return [view.seq for view in search(store, RecordQuery(**query))]

    try:
        assert seqs(request_id="req-7") == [8]
        assert len(seqs(model="gpt-test")) == 20
        assert seqs(status="429") == [1, 6, 11, 16, 21, 26, 31, 36]
        assert len(seqs(subject="key-a", team="red")) == 40
        assert seqs(subject="nobody") == []
        assert seqs(since=1_700_000_010.0, until=1_700_000_013.0) == [11, 12, 13]
        assert seqs(kinds=("admin",)) == []
        assert seqs(newest_first=True, limit=2) == [40, 39]
        assert seqs(after_seq=38) == [39, 40]
    finally:
        store.close()


def test_an_empty_log_verifies(tmp_path: Path) -> None:
    wardgate.audit.AuditLog.open(audit_config("none"), tmp_path).close()
    store = open_store(tmp_path)
    try:
        report = verify(store)
    finally:
        store.close()
    assert report.ok and report.records_checked == 0 and report.exit_code == 0


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"capture": "encrypted"}, id="encrypted-without-kek"),
        pytest.param({"keks": [{"id": "a", "env": "X"}, {"id": "a", "env": "Y"}]}, id="duplicate-id"),
        pytest.param({"keks": [{"id": "a", "env": "X", "file": "f"}]}, id="two-sources"),
        pytest.param({"keks": [{"id": "a"}]}, id="no-source"),
        pytest.param({"keks": [{"id": "a", "env": "X"}], "active_kek": "b"}, id="unknown-active"),
        pytest.param({"segment_max_records": 2**20 + 1}, id="segment-bound"),
        pytest.param({"capture": "everything"}, id="capture"),
        pytest.param({"unknown": 1}, id="extra-key"),
    ],
)
def test_config_is_validated(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AuditConfig.model_validate(data)


def test_config_defaults() -> None:
    config = AuditConfig()
    assert (config.capture, config.durability, config.segment_max_records) == ("none", "sync", 1_000_000)
    assert config.checkpoint_every_records == 1000
    stripped = audit_config().metadata_only()
    assert (stripped.capture, stripped.keks, stripped.active_kek) == ("none", (), None)


def test_public_surface() -> None:
    for name in wardgate.audit.__all__:
        assert hasattr(wardgate.audit, name), name
    assert math.isfinite(wardgate.audit.AuditEvent("admin", {}).time)
    assert "content" not in repr(wardgate.audit.AuditEvent("admin", {}, {"prompt": "secret"}))
    assert "secret" not in repr(wardgate.audit.AuditEvent("admin", {}, {"prompt": "secret"}))
