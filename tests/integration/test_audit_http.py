"""The audit log on the request path, over real HTTP with the openai SDK: one record per request and admin action,
content dropped / redacted / sealed per policy, nothing readable of a prompt on disk, and fail-closed release."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any, cast

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionChunk

from conftest import GatewayFactory, RunningGateway
from wardgate.audit import AUDIT_DB, Decryptor, Keyring, RecordQuery, RecordView, SqliteAuditStore, search, verify

KEK_ENV = "WARDGATE_TEST_AUDIT_KEK"


def client(gw: RunningGateway, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key=key, max_retries=0, timeout=30)


def data_dir(gw: RunningGateway) -> Path:
    return Path(gw.gateway.services.config.storage.data_dir)


def records(gw: RunningGateway, **query: Any) -> list[RecordView]:
    store = SqliteAuditStore.open(data_dir(gw) / AUDIT_DB, durability="sync", busy_timeout=10)
    try:
        return list(search(store, RecordQuery(**query)))
    finally:
        store.close()


def by_request(gw: RunningGateway, request_id: str) -> RecordView:
    found = records(gw, request_id=request_id)
    assert len(found) == 1, f"expected one record for {request_id}, found {len(found)}"
    return found[0]


@pytest.fixture
def kek(monkeypatch: pytest.MonkeyPatch) -> bytes:
    key = os.urandom(32)
    monkeypatch.setenv(KEK_ENV, key.hex())
    return key


def encrypted(capture: str = "encrypted") -> dict[str, Any]:
    return {"audit": {"capture": capture, "keks": [{"id": "k1", "env": KEK_ENV}], "active_kek": "k1"}}


def test_every_request_has_one_record_with_its_metadata(gateway: RunningGateway) -> None:
    key = gateway.key(team="blue")
    raw = client(gateway, key).chat.completions.with_raw_response.create(
        model="mock-small", messages=[{"role": "user", "content": "hello audit"}]
    )
    request_id = raw.headers["x-request-id"]
    record = by_request(gateway, request_id)
    fields = record.fields
    assert record.kind == "request"
    assert fields["route"] == "/v1/chat/completions"
    assert fields["status"] == 200 and fields["outcome"] == "ok"
    assert fields["model"] == "mock-small" and fields["upstream"] == "fake"
    assert fields["principal"]["team"] == "blue" and fields["principal"]["role"] == "user"
    assert fields["usage"]["prompt_tokens"] > 0
    assert {"auth", "upstream", "total"} <= set(fields["timings_ms"])
    assert str(fields["policy_version"]).startswith("sha256:")
    assert record.content is None, "capture 'none' (the default) keeps no text"


def test_refused_requests_are_recorded_and_health_probes_are_not(gateway: RunningGateway) -> None:
    before = len(records(gateway))
    bad = httpx.post(f"{gateway.base_url}/chat/completions", headers={"authorization": "Bearer wg-nope"}, json={})
    assert bad.status_code == 401
    assert httpx.get(f"{gateway.root}/healthz").status_code == 200
    after = records(gateway)
    assert len(after) == before + 1
    assert after[-1].fields["status"] == 401 and after[-1].fields["outcome"] == "invalid_api_key"
    assert after[-1].fields["request_id"] == bad.headers["x-request-id"]


def test_blocked_request_records_rule_kind_and_span_not_text(gateway: RunningGateway) -> None:
    secret = "AKIA" + "Q3EGRT5WZXJ6LMNP"
    with pytest.raises(openai.BadRequestError) as caught:
        client(gateway, gateway.key()).chat.completions.create(
            model="mock-small", messages=[{"role": "user", "content": f"store this: {secret}"}]
        )
    record = by_request(gateway, caught.value.response.headers["x-request-id"])
    hits = record.fields["decisions"]["input"]["hits"]
    assert record.fields["decisions"]["input"]["action"] == "block"
    assert any(hit["kind"].startswith("secret.") and hit["end"] > hit["start"] for hit in hits)
    assert secret.encode() not in (data_dir(gateway) / AUDIT_DB).read_bytes()


def test_admin_actions_have_their_own_records(gateway: RunningGateway) -> None:
    admin = gateway.key(role="admin", name="ops")
    headers = {"authorization": f"Bearer {admin}"}
    created = httpx.post(f"{gateway.root}/admin/v1/keys", headers=headers, json={"name": "svc", "team": "red"})
    assert created.status_code == 201
    key_id = created.json()["id"]
    assert httpx.post(f"{gateway.root}/admin/v1/keys/{key_id}/revoke", headers=headers).status_code == 200
    admin_records = records(gateway, kinds=("admin",))
    actions = [(r.fields["action"], r.fields["target"]) for r in admin_records]
    assert ("key.create", key_id) in actions and ("key.revoke", key_id) in actions
    assert all(r.fields["actor"]["name"] == "ops" for r in admin_records)
    assert created.json()["key"].encode() not in (data_dir(gateway) / AUDIT_DB).read_bytes()


def _all_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


def _forms(canary: str) -> list[bytes]:
    raw = canary.encode()
    return [raw, canary.encode("utf-16-le"), base64.b64encode(raw)[:16], raw.hex().encode()]


def test_encrypted_capture_seals_prompt_and_answer(
    gateway_factory: GatewayFactory, kek: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gw = gateway_factory(encrypted())
    key = gw.key()
    canaries = [f"zebra-canary-{i:04d}-{os.urandom(4).hex()}" for i in range(40)]
    c = client(gw, key)
    ids = []
    for i, canary in enumerate(canaries):
        stream = i % 2 == 1
        raw = c.chat.completions.with_raw_response.create(
            model="mock-small", messages=[{"role": "user", "content": f"please echo {canary}"}], stream=stream
        )
        if stream:
            chunks = cast("openai.Stream[ChatCompletionChunk]", raw.parse())
            assert "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
        ids.append(raw.headers["x-request-id"])
    everything = _all_bytes(data_dir(gw)) + caplog.text.encode() + _all_bytes(tmp_path)
    for canary in canaries:
        for form in _forms(canary):
            assert form not in everything, "a captured prompt reached the disk or the logs readable"
    store = SqliteAuditStore.open(data_dir(gw) / AUDIT_DB, durability="sync", busy_timeout=10)
    try:
        keyring = Keyring.from_config(gw.gateway.services.config.audit)
        decryptor = Decryptor(store, keyring)
        for request_id, canary in zip(ids, canaries, strict=True):
            view = next(search(store, RecordQuery(request_id=request_id)))
            content = decryptor.content(view)
            assert content is not None
            assert canary in content["prompt"][0]["text"]
            assert canary in content["answer"][0]["text"], "the answer (streamed or not) is captured too"
        assert verify(store).ok
    finally:
        store.close()


@pytest.mark.parametrize(
    "padding",
    [pytest.param(0, id="inline"), pytest.param(4000, id="off-the-event-loop")],  # around guardrails.inline_scan_chars
)
def test_redacted_capture_keeps_text_without_pii_or_secrets(gateway_factory: GatewayFactory, padding: int) -> None:
    gw = gateway_factory({"audit": {"capture": "redacted"}, "guardrails": {"input": {"pii": {"action": "flag"}}}})
    prompt = "mail jane.roe@example.org about the plan " + "and the budget " * (padding // 15)
    raw = client(gw, gw.key()).chat.completions.with_raw_response.create(
        model="mock-small", messages=[{"role": "user", "content": prompt}]
    )
    content = by_request(gw, raw.headers["x-request-id"]).content
    assert content is not None
    text = content["prompt"][0]["text"]
    assert "jane.roe@example.org" not in text and "about the plan" in text
    assert "EMAIL_ADDRESS" in text
    assert len(text) >= padding
    assert b"jane.roe@example.org" not in (data_dir(gw) / AUDIT_DB).read_bytes()


def test_no_answer_is_released_when_its_record_cannot_be_written(gateway: RunningGateway) -> None:
    key = gateway.key()
    audit = gateway.gateway.services.audit
    assert audit is not None
    audit.log.close()  # the writer is gone: every append now fails
    c = client(gateway, key)
    with pytest.raises(openai.InternalServerError) as caught:
        c.chat.completions.create(model="mock-small", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 503
    assert caught.value.code == "audit_unavailable"
    stream = c.chat.completions.create(
        model="mock-small", messages=[{"role": "user", "content": "stream please"}], stream=True
    )
    with pytest.raises(openai.APIError) as streamed:
        for _ in stream:
            pass
    assert "audit" in str(streamed.value.body or streamed.value.message)
