"""Malformed and out-of-bounds requests over real HTTP: a 4xx in the OpenAI envelope, no prompt echoed back, and
the upstream never called."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conftest import RunningGateway, Upstream
from support.fake_upstream import FakeUpstream
from support.servers import serve_in_thread
from wardgate.app import create_app
from wardgate.config.loader import parse_config

PROMPT = "Canary 4e1d: what is the weather like in Lisbon today"
MAX_BODY = 2048
MAX_MESSAGES = 4
MAX_OUTPUT = 100


@pytest.fixture(scope="module")
def shared_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """One upstream and one gateway for the whole module (starting them per case would dominate the runtime)."""
    app = FakeUpstream()
    with serve_in_thread(app, lifespan="off") as upstream_port:
        upstream = Upstream(app, upstream_port)
        config = {
            "server": {"max_body_bytes": MAX_BODY, "max_messages": MAX_MESSAGES, "max_output_tokens": MAX_OUTPUT},
            "storage": {"data_dir": str(tmp_path_factory.mktemp("bad-input"))},
            "upstreams": {"fake": {"base_url": upstream.base_url, "passthrough": True}},
        }
        gateway = create_app(parse_config(config))
        with serve_in_thread(gateway, timeout_graceful_shutdown=5) as port:
            yield RunningGateway(gateway, port, upstream)


@pytest.fixture
def gw(shared_gateway: RunningGateway) -> RunningGateway:
    shared_gateway.upstream.app.requests.clear()
    shared_gateway.upstream.app.fault = None
    return shared_gateway


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def chat(**fields: Any) -> bytes:
    body: dict[str, Any] = {"model": "mock-small", "messages": [{"role": "user", "content": PROMPT}]}
    body.update(fields)
    return json.dumps({k: v for k, v in body.items() if v is not DROP}).encode()


DROP: Any = object()
"""Marks a field to leave out of :func:`chat`'s body."""


def user(n: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"{PROMPT} {i}"} for i in range(n)]


BAD_CHAT = [
    pytest.param(b'{"model": "mock-small", "messages": [{"role": "user", "content": "' + PROMPT.encode(), 400,
                 "invalid_json", None, id="truncated-json"),
    pytest.param(b"{'model': 'mock-small', 'prompt': '" + PROMPT.encode() + b"'}", 400, "invalid_json", None,
                 id="single-quoted-json"),
    pytest.param(b"", 400, "invalid_json", None, id="empty-body"),
    pytest.param(b'{"model": "mock-small", "messages": [{"role": "user", "content": "' + PROMPT.encode() + b'"}]} x',
                 400, "invalid_json", None, id="trailing-garbage"),
    pytest.param(b'{"a": ' + b"[" * 1000 + b"]" * 1000 + b"}", 400, "invalid_json", None, id="deeply-nested"),
    pytest.param(chat()[:-4] + b' \xff\xfe"}]}', 400, "invalid_encoding", None, id="invalid-utf8"),
    pytest.param(json.dumps([{"model": "mock-small", "content": PROMPT}]).encode(), 400, "invalid_request", None,
                 id="json-array"),
    pytest.param(json.dumps(PROMPT).encode(), 400, "invalid_request", None, id="json-string"),
    pytest.param(b"42", 400, "invalid_request", None, id="json-number"),
    pytest.param(b"null", 400, "invalid_request", None, id="json-null"),
    pytest.param(chat(model=DROP), 400, "invalid_model", "model", id="missing-model"),
    pytest.param(chat(model=7), 400, "invalid_model", "model", id="model-not-string"),
    pytest.param(chat(model=""), 400, "invalid_model", "model", id="model-empty"),
    pytest.param(chat(messages=DROP), 400, "invalid_messages", "messages", id="missing-messages"),
    pytest.param(chat(messages=PROMPT), 400, "invalid_messages", "messages", id="messages-not-a-list"),
    pytest.param(chat(messages={"role": "user", "content": PROMPT}), 400, "invalid_messages", "messages",
                 id="messages-object"),
    pytest.param(chat(messages=[]), 400, "invalid_messages", "messages", id="messages-empty"),
    pytest.param(chat(messages=[PROMPT]), 400, "invalid_messages", "messages[0]", id="message-not-object"),
    pytest.param(chat(messages=[{"role": "wizard", "content": PROMPT}]), 400, "invalid_messages", "messages[0]",
                 id="bad-role"),
    pytest.param(chat(messages=[*user(1), {"content": PROMPT}]), 400, "invalid_messages", "messages[1]",
                 id="missing-role"),
    pytest.param(chat(messages=user(MAX_MESSAGES + 1)), 400, "too_many_messages", "messages", id="too-many-messages"),
    pytest.param(chat(max_tokens=MAX_OUTPUT + 1), 400, "max_tokens_exceeded", "max_tokens", id="max-tokens-over-cap"),
    pytest.param(chat(max_completion_tokens=10**6), 400, "max_tokens_exceeded", "max_completion_tokens",
                 id="max-completion-tokens-over-cap"),
    pytest.param(chat(max_tokens=0), 400, "invalid_request", "max_tokens", id="max-tokens-zero"),
    pytest.param(chat(max_tokens="10"), 400, "invalid_request", "max_tokens", id="max-tokens-string"),
    pytest.param(chat(max_tokens=True), 400, "invalid_request", "max_tokens", id="max-tokens-bool"),
    pytest.param(chat(stream="yes"), 400, "invalid_request", "stream", id="stream-yes"),
    pytest.param(chat(stream=1), 400, "invalid_request", "stream", id="stream-int"),
    pytest.param(chat(messages=[{"role": "user", "content": PROMPT * 100}]), 413, "request_too_large", None,
                 id="over-max-body"),
]  # fmt: skip


def assert_rejected(resp: httpx.Response, gw: RunningGateway, status: int, code: str, param: str | None) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    assert int(resp.headers["content-length"]) == len(resp.content)
    assert resp.headers["x-request-id"]
    body = resp.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert error["type"] == "invalid_request_error"
    assert error["code"] == code
    assert error["param"] == param
    assert isinstance(error["message"], str) and 0 < len(error["message"]) < 200
    assert "SECRET-PROMPT" not in resp.text, "the prompt must not be echoed back"
    assert gw.upstream.app.requests == [], "a rejected request must not reach the upstream"


def post(http: httpx.Client, gw: RunningGateway, content: Any, path: str = "/chat/completions") -> httpx.Response:
    headers = {"authorization": f"Bearer {gw.key()}", "content-type": "application/json"}
    return http.post(f"{gw.base_url}{path}", content=content, headers=headers)


@pytest.mark.parametrize(("raw", "status", "code", "param"), BAD_CHAT)
def test_bad_chat_request(
    gw: RunningGateway, http: httpx.Client, raw: bytes, status: int, code: str, param: str | None
) -> None:
    assert_rejected(post(http, gw, raw), gw, status, code, param)


BAD_EMBEDDINGS = [
    pytest.param(b"[1, 2]", 400, "invalid_request", None, id="json-array"),
    pytest.param(json.dumps({"model": "mock-embed"}).encode(), 400, "invalid_input", "input", id="missing-input"),
    pytest.param(json.dumps({"model": "mock-embed", "input": {"t": PROMPT}}).encode(), 400, "invalid_input", "input",
                 id="input-object"),
    pytest.param(json.dumps({"input": PROMPT}).encode(), 400, "invalid_model", "model", id="missing-model"),
    pytest.param(json.dumps({"model": "mock-embed", "input": [PROMPT] * 100}).encode(), 413, "request_too_large",
                 None, id="over-max-body"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "status", "code", "param"), BAD_EMBEDDINGS)
def test_bad_embeddings_request(
    gw: RunningGateway, http: httpx.Client, raw: bytes, status: int, code: str, param: str | None
) -> None:
    assert_rejected(post(http, gw, raw, "/embeddings"), gw, status, code, param)


def chunks_of(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def padded_chat(total: int) -> bytes:
    """A valid chat body of exactly ``total`` bytes."""
    base = chat(messages=[{"role": "user", "content": ""}])
    raw = chat(messages=[{"role": "user", "content": "x" * (total - len(base))}])
    assert len(raw) == total
    return raw


def test_oversized_chunked_body_is_413(gw: RunningGateway, http: httpx.Client) -> None:
    raw = chat(messages=[{"role": "user", "content": PROMPT * 100}])
    assert len(raw) > MAX_BODY
    resp = post(http, gw, chunks_of(raw, 512))
    assert resp.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in resp.request.headers
    assert_rejected(resp, gw, 413, "request_too_large", None)


def test_oversized_declared_length_is_refused_before_reading(gw: RunningGateway, http: httpx.Client) -> None:
    raw = padded_chat(MAX_BODY + 1)
    resp = post(http, gw, raw)
    assert resp.request.headers["content-length"] == str(MAX_BODY + 1)
    assert_rejected(resp, gw, 413, "request_too_large", None)


@pytest.mark.parametrize("chunked", [pytest.param(False, id="content-length"), pytest.param(True, id="chunked")])
def test_body_at_the_limit_is_accepted(gw: RunningGateway, http: httpx.Client, chunked: bool) -> None:
    raw = padded_chat(MAX_BODY)
    resp = post(http, gw, chunks_of(raw, 300) if chunked else raw)
    assert resp.status_code == 200, resp.text
    assert len(gw.upstream.app.requests) == 1


def test_limits_at_their_caps_are_accepted(gw: RunningGateway, http: httpx.Client) -> None:
    raw = chat(messages=user(MAX_MESSAGES), max_tokens=MAX_OUTPUT, max_completion_tokens=MAX_OUTPUT, stream=False)
    resp = post(http, gw, raw)
    assert resp.status_code == 200, resp.text
    sent = gw.upstream.app.requests[-1].json()
    assert sent["max_tokens"] == MAX_OUTPUT
    assert len(sent["messages"]) == MAX_MESSAGES


def test_unknown_fields_pass_through(gw: RunningGateway, http: httpx.Client) -> None:
    extra: dict[str, Any] = {
        "vendor_flag": True,
        "vendor_options": {"depth": [1, 2, {"x": None}]},
        "metadata": {"trace": "abc"},
        "logit_bias": {"50256": -100},
        "unicode_field": "caf\u00e9 \u2603",
    }
    resp = post(http, gw, chat(**extra))
    assert resp.status_code == 200, resp.text
    sent = gw.upstream.app.requests[-1].json()
    for name, value in extra.items():
        assert sent[name] == value
    assert sent["messages"][0]["content"] == PROMPT
