"""Upstream failures seen from a client over real HTTP: stable codes, bounded latency, no upstream detail leaked.

Every fault is injected into the fake upstream; afterwards the fault is cleared and a normal request must succeed
(the gateway keeps serving). Timeout cases must answer within the configured timeout plus 100 ms, measured from the
client.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from conftest import GatewayFactory, RunningGateway, Upstream
from support.endless_stream import EndlessStreamUpstream
from support.servers import free_port, serve_in_thread, wait_until

TIMEOUTS = {"connect": 1.0, "read": 0.5, "stream_idle": 0.5, "total": 5.0}
SLACK = 0.1
"""The spec's bound: a fault is answered within its timeout + 100 ms."""
UPSTREAM_SECRETS = ("upstream secret detail", "sk-live-XYZ", "boom")
PROMPT = "fault-injection prompt 7f3a"
SLOW_DELAY = 1.0
"""How long the fake upstream stalls in "slow" modes: well past the 0.5 s timeouts, short enough for teardown."""


@pytest.fixture
def gw(gateway_factory: GatewayFactory) -> RunningGateway:
    gw = gateway_factory(timeouts=TIMEOUTS)
    gw.upstream.app.delay = SLOW_DELAY
    return gw


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def chat_body(model: str = "mock-small", stream: bool = False) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": PROMPT}], "stream": stream}


def post_chat(
    http: httpx.Client, gw: RunningGateway, key: str, model: str = "mock-small", stream: bool = False
) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    resp = http.post(
        f"{gw.base_url}/chat/completions", json=chat_body(model, stream), headers={"authorization": f"Bearer {key}"}
    )
    return resp, time.perf_counter() - started


def assert_envelope(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert_no_leak(resp.text)
    assert isinstance(error, dict)
    return error


def assert_no_leak(text: str) -> None:
    for secret in UPSTREAM_SECRETS:
        assert secret not in text, f"upstream detail {secret!r} leaked to the client"
    assert PROMPT not in text


def assert_still_serving(http: httpx.Client, gw: RunningGateway, key: str) -> None:
    gw.upstream.app.fault = None
    resp, _ = post_chat(http, gw, key)
    assert resp.status_code == 200, resp.text
    assert resp.json()["choices"][0]["message"]["content"]
    resp, _ = post_chat(http, gw, key, stream=True)
    assert resp.status_code == 200
    assert sse_data(resp.content)[-1] == "[DONE]"


def sse_data(raw: bytes) -> list[str]:
    """The ``data:`` payloads of a complete SSE body, in order."""
    events = raw.decode().replace("\r\n", "\n").split("\n\n")
    out: list[str] = []
    for event in events:
        lines = [line[5:].lstrip() for line in event.split("\n") if line.startswith("data:")]
        if lines:
            out.append("\n".join(lines))
    return out


STATUS_FAULTS = [
    pytest.param("500", 502, "upstream_error", False, id="500-to-502"),
    pytest.param("401", 502, "upstream_auth_failed", False, id="401-to-502-auth"),
    pytest.param("429", 429, "upstream_rate_limited", False, id="429-relayed"),
    pytest.param("slow", 504, "upstream_timeout", False, id="slow-to-504"),
    pytest.param("malformed", 502, "upstream_invalid_response", False, id="malformed-json"),
    pytest.param("500", 502, "upstream_error", True, id="stream-500-to-502"),
    pytest.param("401", 502, "upstream_auth_failed", True, id="stream-401-to-502-auth"),
    pytest.param("429", 429, "upstream_rate_limited", True, id="stream-429-relayed"),
    pytest.param("slow", 504, "upstream_timeout", True, id="stream-slow-headers-to-504"),
]


@pytest.mark.parametrize(("fault", "status", "code", "stream"), STATUS_FAULTS)
def test_upstream_fault_before_response(
    gw: RunningGateway, http: httpx.Client, fault: str, status: int, code: str, stream: bool
) -> None:
    key = gw.key()
    gw.upstream.app.fault = fault
    resp, elapsed = post_chat(http, gw, key, stream=stream)
    error = assert_envelope(resp, status, code)
    assert error["type"] in ("upstream_error", "rate_limit_error")
    # Immediate faults are answered at once; the slow one right after the read timeout.
    assert elapsed < TIMEOUTS["read"] + SLACK, f"answered after {elapsed:.3f}s"
    if fault == "slow":
        assert elapsed >= TIMEOUTS["read"] - 0.01
    if status == 429:
        assert resp.headers["retry-after"] == "7"
    assert len(gw.upstream.app.requests) == 1
    assert_still_serving(http, gw, key)


@pytest.mark.parametrize("stream", [pytest.param(False, id="json"), pytest.param(True, id="stream")])
def test_refused_connection_is_502_unavailable(
    gateway_factory: GatewayFactory, upstream: Upstream, http: httpx.Client, stream: bool
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    gw = gateway_factory(
        {
            "upstreams": {
                "fake": {"base_url": upstream.base_url, "passthrough": True, "timeouts": TIMEOUTS},
                "dead": {"base_url": dead, "timeouts": TIMEOUTS},
            },
            "models": [{"name": "dead-model", "upstream": "dead"}],
        }
    )
    key = gw.key()
    resp, elapsed = post_chat(http, gw, key, model="dead-model", stream=stream)
    assert_envelope(resp, 502, "upstream_unavailable")
    assert elapsed < TIMEOUTS["connect"] + SLACK
    assert_still_serving(http, gw, key)


STREAM_FAULTS = [
    pytest.param("cut_stream", "upstream_stream_interrupted", id="cut-mid-stream"),
    pytest.param("slow_stream", "upstream_timeout", id="stalled-past-stream-idle"),
]


@pytest.mark.parametrize(("fault", "code"), STREAM_FAULTS)
def test_mid_stream_fault_ends_with_error_event(gw: RunningGateway, http: httpx.Client, fault: str, code: str) -> None:
    key = gw.key()
    gw.upstream.app.fault = fault
    started = time.perf_counter()
    with http.stream(
        "POST",
        f"{gw.base_url}/chat/completions",
        json=chat_body(stream=True),
        headers={"authorization": f"Bearer {key}"},
    ) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = b"".join(resp.iter_raw())
    elapsed = time.perf_counter() - started
    assert elapsed < TIMEOUTS["stream_idle"] + SLACK, f"stream ended after {elapsed:.3f}s"
    if fault == "slow_stream":
        assert elapsed >= TIMEOUTS["stream_idle"] - 0.01
    assert_no_leak(raw.decode())
    events = sse_data(raw)
    chunks = [json.loads(e) for e in events[:-1]]
    # Everything the upstream produced before the fault reaches the client (output guards hold text back and
    # release it, checked, before the error event), and the error event is last.
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "Hel"
    last = json.loads(events[-1])
    assert set(last) == {"error"}
    assert last["error"]["code"] == code
    assert last["error"]["type"] == "upstream_error"
    assert "[DONE]" not in events
    assert_still_serving(http, gw, key)


@pytest.mark.parametrize(("fault", "code"), STREAM_FAULTS)
def test_mid_stream_fault_raises_in_openai_sdk(gw: RunningGateway, fault: str, code: str) -> None:
    key = gw.key()
    gw.upstream.app.fault = fault
    client = openai.OpenAI(base_url=gw.base_url, api_key=key, max_retries=0, timeout=10)
    stream = client.chat.completions.create(
        model="mock-small", messages=[{"role": "user", "content": PROMPT}], stream=True
    )
    received: list[str] = []

    def consume() -> None:
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")

    with pytest.raises(openai.APIError) as info:
        consume()
    assert "".join(received) == "Hel", "the client receives the text sent before the fault"
    assert info.value.code == code
    assert_no_leak(str(info.value.body))
    client.close()
    with httpx.Client(timeout=10) as http:
        assert_still_serving(http, gw, key)


def test_client_disconnect_cancels_upstream_request(gateway_factory: GatewayFactory, http: httpx.Client) -> None:
    endless = EndlessStreamUpstream(interval=0.05)
    with serve_in_thread(endless, lifespan="off") as port:
        gw = gateway_factory(
            {
                "upstreams": {
                    "endless": {"base_url": f"http://127.0.0.1:{port}/v1", "passthrough": True, "timeouts": TIMEOUTS}
                },
                "models": [],
            }
        )
        key = gw.key()
        with http.stream(
            "POST",
            f"{gw.base_url}/chat/completions",
            json=chat_body(stream=True),
            headers={"authorization": f"Bearer {key}"},
        ) as resp:
            assert resp.status_code == 200
            first = next(resp.iter_raw())
            assert first.startswith(b"data: ")
        # Leaving the block closes the response (and its connection) mid-stream.
        wait_until(endless.gone.is_set, timeout=5, what="upstream to see the gateway cancel its request")
        assert endless.how and endless.how[0] in ("disconnect", "cancelled", "send_failed")
        sent = endless.chunks_sent
        assert sent < endless.max_chunks
        # The gateway is unharmed: a new request works (and is cut the same way).
        resp2 = http.get(f"{gw.root}/healthz")
        assert resp2.status_code == 200
