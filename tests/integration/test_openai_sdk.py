"""The official openai SDK as the client of a gateway over real HTTP, in front of a fake upstream."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from conftest import RunningGateway


def client(gw: RunningGateway, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key=key, max_retries=0, timeout=30)


def test_chat_completion(gateway: RunningGateway) -> None:
    key = gateway.key()
    answer = client(gateway, key).chat.completions.create(
        model="mock-small", messages=[{"role": "user", "content": "hello there"}]
    )
    assert answer.choices[0].message.content
    assert "hello there" in answer.choices[0].message.content
    assert answer.usage is not None and answer.usage.total_tokens > 0
    seen = gateway.upstream.app.requests[-1]
    assert seen.path == "/v1/chat/completions"
    assert key not in json.dumps(seen.headers), "the caller's gateway key must never be forwarded"
    assert "authorization" not in seen.headers


def test_model_alias_is_rewritten(gateway: RunningGateway) -> None:
    client(gateway, gateway.key()).chat.completions.create(
        model="alias-model", messages=[{"role": "user", "content": "hi"}]
    )
    assert gateway.upstream.app.requests[-1].json()["model"] == "mock-large"


def test_unknown_fields_pass_through(gateway: RunningGateway) -> None:
    client(gateway, gateway.key()).chat.completions.create(
        model="mock-small",
        messages=[{"role": "user", "content": "hi"}],
        temperature=0.3,
        seed=7,
        extra_body={"vendor_specific": {"a": 1}},
    )
    sent = gateway.upstream.app.requests[-1].json()
    assert sent["temperature"] == 0.3
    assert sent["seed"] == 7
    assert sent["vendor_specific"] == {"a": 1}


def test_stream_is_relayed_chunk_by_chunk(gateway: RunningGateway) -> None:
    c = client(gateway, gateway.key())
    prompt: Any = [{"role": "user", "content": "tell me a story about gateways"}]
    full = c.chat.completions.create(model="mock-small", messages=prompt)
    stream = c.chat.completions.create(model="mock-small", messages=prompt, stream=True)
    parts: list[str] = []
    chunks = 0
    for chunk in stream:
        chunks += 1
        assert chunk.choices, "the usage chunk the gateway asked for must not reach a client that did not ask"
        parts.append(chunk.choices[0].delta.content or "")
    assert chunks > 3
    assert "".join(parts) == full.choices[0].message.content
    assert gateway.upstream.app.requests[-1].json()["stream_options"] == {"include_usage": True}


def test_stream_with_client_usage(gateway: RunningGateway) -> None:
    stream = client(gateway, gateway.key()).chat.completions.create(
        model="mock-small",
        messages=[{"role": "user", "content": "hello"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    usage = [chunk.usage for chunk in stream if chunk.usage is not None]
    assert len(usage) == 1 and usage[0].total_tokens > 0


def test_tools_round_trip(gateway: RunningGateway) -> None:
    c = client(gateway, gateway.key())
    tools: Any = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
            },
        }
    ]
    messages: list[Any] = [{"role": "user", "content": "weather in Paris?"}]
    first = c.chat.completions.create(model="mock-small", messages=messages, tools=tools)
    call = first.choices[0].message.tool_calls
    assert call and call[0].function.name == "get_weather"  # type: ignore[union-attr]
    args = json.loads(call[0].function.arguments)  # type: ignore[union-attr]
    assert "city" in args
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call[0].id, "content": "18C and sunny"})
    second = c.chat.completions.create(model="mock-small", messages=messages, tools=tools)
    assert "18C" in (second.choices[0].message.content or "")
    assert gateway.upstream.app.requests[-1].json()["tools"][0]["function"]["name"] == "get_weather"


def test_response_format_passes_through(gateway: RunningGateway) -> None:
    schema: Any = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    answer = client(gateway, gateway.key()).chat.completions.create(
        model="mock-small",
        messages=[{"role": "user", "content": "json please"}],
        response_format={"type": "json_schema", "json_schema": {"name": "a", "schema": schema}},
    )
    assert "answer" in json.loads(answer.choices[0].message.content or "{}")
    assert gateway.upstream.app.requests[-1].json()["response_format"]["type"] == "json_schema"


def test_embeddings(gateway: RunningGateway) -> None:
    result = client(gateway, gateway.key()).embeddings.create(model="mock-embed", input=["one", "two"])
    assert len(result.data) == 2
    assert len(result.data[0].embedding) == 16


def test_models_list_is_filtered(gateway: RunningGateway) -> None:
    narrow = gateway.key(allowed_models=("mock-s*", "alias-model"))
    ids = sorted(m.id for m in client(gateway, narrow).models.list())
    assert ids == ["alias-model", "mock-small"]
    everything = sorted(m.id for m in client(gateway, gateway.key()).models.list())
    assert {"alias-model", "mock-small", "mock-large", "mock-embed"} <= set(everything)


def test_model_outside_allowlist_is_403_and_upstream_not_called(gateway: RunningGateway) -> None:
    key = gateway.key(allowed_models=("mock-small",))
    with pytest.raises(openai.PermissionDeniedError) as info:
        client(gateway, key).chat.completions.create(model="mock-large", messages=[{"role": "user", "content": "x"}])
    assert info.value.code == "model_not_allowed"
    assert gateway.upstream.app.requests == []


def test_token_id_embeddings_are_refused_when_guardrails_are_on(gateway: RunningGateway) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client(gateway, gateway.key()).embeddings.create(model="mock-embed", input=[[1, 2, 3]])
    assert info.value.code == "unscannable_input"
    assert gateway.upstream.app.requests == []
