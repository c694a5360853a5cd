"""The built-in mock model, served by uvicorn and driven by the official ``openai`` SDK and raw httpx."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import socket
import struct
import threading
import time
from collections.abc import Iterator

import httpx
import openai
import pytest
import uvicorn
from openai.types.chat import (
    ChatCompletionMessageFunctionToolCallParam,
    ChatCompletionMessageParam,
    ChatCompletionToolParam,
)

from wardgate.mock import create_mock_app
from wardgate.types import ASGIApp, Message

STARTUP_TIMEOUT_S = 10.0

WEATHER_TOOL: ChatCompletionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
                "threshold": {"type": "number"},
                "detailed": {"type": "boolean"},
                "note": {"type": "string"},
            },
            "required": ["location"],
        },
    },
}
EXPECTED_WEATHER_ARGS = dict(location="Paris", unit="celsius", days=1, threshold=1, detailed=True, note="example")
QUESTION: list[ChatCompletionMessageParam] = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "What is the capital of France, and why is it famous for its food?"},
]


class ServerThread:
    """A uvicorn server running ``app`` on a free port of 127.0.0.1 in a background thread."""

    def __init__(self, app: ASGIApp) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("mock model server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=STARTUP_TIMEOUT_S)
        self.sock.close()
        assert not self.thread.is_alive()


@pytest.fixture(scope="module")
def mock_server() -> Iterator[ServerThread]:
    server = ServerThread(create_mock_app())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(mock_server: ServerThread) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{mock_server.base_url}/v1", api_key="x", max_retries=0) as sdk:
        yield sdk


@pytest.fixture
def http(mock_server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_server.base_url, timeout=10.0) as raw:
        yield raw


def test_models_list(client: openai.OpenAI) -> None:
    models = list(client.models.list())
    assert [model.id for model in models] == ["mock-small", "mock-large", "mock-embed"]
    assert all(model.object == "model" and model.owned_by == "wardgate-mock" for model in models)
    assert all(isinstance(model.created, int) for model in models)
    assert client.models.retrieve("mock-large").id == "mock-large"


def test_chat_non_stream(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(model="mock-small", messages=QUESTION)
    assert completion.id.startswith("chatcmpl-mock-")
    assert completion.object == "chat.completion"
    assert completion.model == "mock-small"
    assert completion.system_fingerprint is None
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    content = choice.message.content
    assert content is not None
    assert content.startswith("Mock answer to: What is the capital of France, and why is it famous for its. This")
    assert content.count(". ") >= 2  # a few sentences
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens > 1
    assert usage.completion_tokens == len(content) // 4 + 1
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    again = client.chat.completions.create(model="mock-large", messages=QUESTION)
    assert again.choices[0].message.content == content
    assert again.id != completion.id
    assert again.model == "mock-large"


def test_chat_stream_matches_non_stream(client: openai.OpenAI) -> None:
    expected = client.chat.completions.create(model="mock-small", messages=QUESTION).choices[0].message.content
    with client.chat.completions.create(model="mock-small", messages=QUESTION, stream=True) as stream:
        chunks = list(stream)
    assert all(chunk.object == "chat.completion.chunk" and chunk.model == "mock-small" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    first = chunks[0].choices[0].delta
    assert first.role == "assistant"
    assert first.content == ""
    pieces = [chunk.choices[0].delta.content for chunk in chunks[1:-1]]
    assert len(pieces) > 1
    assert "".join(piece or "" for piece in pieces) == expected
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.choices[0].finish_reason is None for chunk in chunks[:-1])
    assert all(chunk.usage is None for chunk in chunks)


def test_stream_include_usage(client: openai.OpenAI) -> None:
    plain = client.chat.completions.create(model="mock-small", messages=QUESTION)
    with client.chat.completions.create(
        model="mock-small", messages=QUESTION, stream=True, stream_options={"include_usage": True}
    ) as stream:
        chunks = list(stream)
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert plain.usage is not None
    assert last.usage.model_dump() == plain.usage.model_dump()
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_tool_call_non_stream(client: openai.OpenAI) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Weather in my city?"}]
    completion = client.chat.completions.create(model="mock-small", messages=messages, tools=[WEATHER_TOOL])
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls
    assert calls is not None
    assert len(calls) == 1
    call = calls[0]
    assert call.type == "function"
    assert call.id.startswith("call_mock_")
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == EXPECTED_WEATHER_ARGS


def test_tool_call_stream(client: openai.OpenAI) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Weather in my city?"}]
    plain = client.chat.completions.create(model="mock-small", messages=messages, tools=[WEATHER_TOOL])
    with client.chat.completions.create(
        model="mock-small", messages=messages, tools=[WEATHER_TOOL], stream=True
    ) as stream:
        chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    calls: dict[int, dict[str, str]] = {}
    fragments = 0
    for chunk in chunks:
        for delta in chunk.choices[0].delta.tool_calls or []:
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += delta.id or ""
            if delta.function is not None:
                call["name"] += delta.function.name or ""
                call["arguments"] += delta.function.arguments or ""
                fragments += 1
    assert list(calls) == [0]
    assert fragments > 2  # the arguments arrive in several pieces
    expected = plain.choices[0].message.tool_calls
    assert expected is not None
    assert calls[0]["id"] == expected[0].id
    assert calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == EXPECTED_WEATHER_ARGS


def test_tool_result_turn(client: openai.OpenAI) -> None:
    arguments = '{"location": "Paris"}'
    call: ChatCompletionMessageFunctionToolCallParam = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": arguments},
    }
    messages: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temperature": 21, "sky": "clear"}'},
    ]
    completion = client.chat.completions.create(model="mock-small", messages=messages, tools=[WEATHER_TOOL])
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.tool_calls is None
    assert choice.message.content == 'The tool returned: {"temperature": 21, "sky": "clear"}'


def test_json_response_formats(client: openai.OpenAI) -> None:
    schema: dict[str, object] = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "population": {"type": "integer"},
            "score": {"type": "number"},
            "capital": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "optional": {"type": "string"},
        },
        "required": ["city", "population", "score", "capital", "tags"],
    }
    completion = client.chat.completions.create(
        model="mock-small",
        messages=QUESTION,
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema}},
    )
    content = completion.choices[0].message.content
    assert content is not None
    assert json.loads(content) == {"city": "Paris", "population": 1, "score": 1, "capital": True, "tags": []}
    completion = client.chat.completions.create(
        model="mock-small", messages=QUESTION, response_format={"type": "json_object"}
    )
    content = completion.choices[0].message.content
    assert content is not None
    assert json.loads(content)["answer"].startswith("Mock answer to: What is the capital")


def test_embeddings_float(client: openai.OpenAI) -> None:
    result = client.embeddings.create(model="mock-embed", input=["hello", "world", "hello"], encoding_format="float")
    assert result.object == "list"
    assert result.model == "mock-embed"
    assert [item.index for item in result.data] == [0, 1, 2]
    vectors = [item.embedding for item in result.data]
    assert all(len(vector) == 16 for vector in vectors)
    assert all(math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-5) for vector in vectors)
    assert vectors[0] == vectors[2]
    assert vectors[0] != vectors[1]
    assert result.usage.prompt_tokens == 3 * (len("hello") // 4 + 1)
    assert result.usage.total_tokens == result.usage.prompt_tokens


def test_embeddings_default_base64(client: openai.OpenAI, http: httpx.Client) -> None:
    floats = client.embeddings.create(model="mock-embed", input="hello", encoding_format="float")
    decoded = client.embeddings.create(model="mock-embed", input="hello")  # the SDK asks for base64
    assert decoded.data[0].embedding == floats.data[0].embedding
    raw = http.post("/v1/embeddings", json={"model": "mock-embed", "input": "hello", "encoding_format": "base64"})
    encoded = raw.json()["data"][0]["embedding"]
    assert isinstance(encoded, str)
    assert list(struct.unpack("<16f", base64.b64decode(encoded))) == floats.data[0].embedding


def test_embeddings_token_input(http: httpx.Client) -> None:
    tokens = http.post("/v1/embeddings", json={"model": "mock-embed", "input": [1, 2, 3]}).json()
    text = http.post("/v1/embeddings", json={"model": "mock-embed", "input": "1 2 3"}).json()
    assert tokens["data"][0]["embedding"] == text["data"][0]["embedding"]
    assert tokens["usage"] == {"prompt_tokens": 3, "total_tokens": 3}


CHAT = "/v1/chat/completions"
ERROR_CASES = [
    ("POST", CHAT, b'{"model": "mock-small",', 400, "invalid_json", None),
    ("POST", CHAT, b"[1, 2]", 400, "invalid_json", None),
    ("POST", CHAT, b"\xff\xfe", 400, "invalid_json", None),
    ("POST", CHAT, b'{"messages": [{"role": "user"}]}', 400, "missing_required_parameter", "model"),
    ("POST", CHAT, b'{"model": "mock-small"}', 400, "missing_required_parameter", "messages"),
    ("POST", CHAT, b'{"model": "mock-small", "messages": []}', 400, "invalid_type", "messages"),
    ("POST", CHAT, b'{"model": "m", "messages": ["hi"]}', 400, "invalid_type", "messages[0]"),
    ("POST", "/v1/embeddings", b'{"model": "mock-embed"}', 400, "missing_required_parameter", "input"),
    ("POST", "/v1/embeddings", b'{"model": "e", "input": [{"x": 1}]}', 400, "invalid_type", "input"),
    ("GET", "/v1/nope", b"", 404, "unknown_url", None),
    ("POST", "/", b"{}", 404, "unknown_url", None),
    ("GET", "/v1/models/gpt-9", b"", 404, "model_not_found", "model"),
    ("GET", CHAT, b"", 405, "method_not_allowed", None),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code", "param"), ERROR_CASES)
def test_error_envelope(
    http: httpx.Client, method: str, path: str, body: bytes, status: int, code: str, param: str | None
) -> None:
    response = http.request(method, path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    envelope = response.json()
    assert list(envelope) == ["error"]
    error = envelope["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["type"] == "invalid_request_error"
    assert (error["code"], error["param"]) == (code, param)
    if status == 405:
        assert response.headers["allow"] == "POST"


def test_sdk_raises_on_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="", messages=QUESTION)
    assert caught.value.code == "invalid_type"


def test_raw_sse_framing(http: httpx.Client) -> None:
    body = {"model": "mock-small", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    response = http.post("/v1/chat/completions", json=body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = response.text.split("\n\n")
    assert events[-1] == ""
    assert events[-2] == "data: [DONE]"
    assert all(event.startswith("data: {") for event in events[:-2])
    chunks = [json.loads(event.removeprefix("data: ")) for event in events[:-2]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert chunks[-1]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}


async def _call_app(app: ASGIApp, scope: Message, inbox: list[Message]) -> tuple[list[Message], list[float]]:
    """Run ``app`` once in-process; returns the sent messages and the monotonic time of each send."""
    sent: list[Message] = []
    times: list[float] = []

    async def receive() -> Message:
        if inbox:
            return inbox.pop(0)
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        times.append(time.monotonic())

    await app(scope, receive, send)
    return sent, times


async def test_delay_per_chunk_paces_stream() -> None:
    app = create_mock_app(delay_per_chunk=0.02)
    scope = {"type": "http", "method": "POST", "path": "/v1/chat/completions", "headers": []}
    request = {"model": "m", "messages": [{"role": "user", "content": "pace me"}], "stream": True}
    inbox: list[Message] = [{"type": "http.request", "body": json.dumps(request).encode()}]
    sent, times = await _call_app(app, scope, inbox)
    assert sent[0]["status"] == 200
    bodies = [message for message in sent if message["type"] == "http.response.body"]
    assert bodies[-1] == {"type": "http.response.body", "body": b"data: [DONE]\n\n", "more_body": False}
    assert len(bodies) > 4
    assert times[-1] - times[0] >= 0.02 * (len(bodies) - 3)


async def test_lifespan_is_answered() -> None:
    inbox: list[Message] = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent, _times = await _call_app(create_mock_app(), {"type": "lifespan"}, inbox)
    assert [message["type"] for message in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]


def test_negative_delay_rejected() -> None:
    with pytest.raises(ValueError, match="delay_per_chunk"):
        create_mock_app(delay_per_chunk=-1.0)
