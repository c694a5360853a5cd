"""Answer fields beyond content: refusal and legacy function_call are guarded too (non-streamed and streamed)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from wardgate.config.guardrails import GuardrailsConfig
from wardgate.guardrails.engine import ScanEngine
from wardgate.guardrails.pipeline import Guardrails
from wardgate.guardrails.stream import StreamGuard
from wardgate.scanners.registry import ScannerSet

TOKEN = "ghp_" + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"


@pytest.fixture(scope="module")
def rails() -> Guardrails:
    config = GuardrailsConfig()
    return Guardrails(config, ScanEngine(ScannerSet(), 5.0, 1_000_000), b"k" * 32)


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    return json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
                       "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}).encode()  # fmt: skip


def test_non_streamed_refusal_and_function_call_are_redacted(rails: Guardrails) -> None:
    body: dict[str, Any] = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": f"I cannot use {TOKEN} for that.",
                    "function_call": {"name": "f", "arguments": json.dumps({"token": TOKEN})},
                },
            }
        ]
    }
    state = rails.start("/v1/chat/completions", None)
    assert asyncio.run(rails.inspect_answer(state, body)) is True
    dumped = json.dumps(body)
    assert TOKEN not in dumped
    assert "[REDACTED" in body["choices"][0]["message"]["refusal"]
    json.loads(body["choices"][0]["message"]["function_call"]["arguments"])


@pytest.mark.parametrize("size", [1, 3, 8])
def test_streamed_refusal_and_function_call_are_held_and_redacted(rails: Guardrails, size: int) -> None:
    guard = StreamGuard(rails, rails.start("/v1/chat/completions", None), holdback=128)
    refusal = f"Sorry, {TOKEN} is not something I will print."
    args = json.dumps({"token": TOKEN})
    events = [chunk({"role": "assistant"})]
    events += [chunk({"refusal": refusal[i : i + size]}) for i in range(0, len(refusal), size)]
    events += [
        chunk({"function_call": {"name": "f", "arguments": args[i : i + size]}}) for i in range(0, len(args), size)
    ]
    events.append(chunk({}, finish="stop"))
    payloads = [json.loads(p) for event in events for p in guard.on_event(event)]
    deltas = [c["choices"][0]["delta"] for c in payloads if c.get("choices")]
    released_refusal = "".join(d.get("refusal", "") for d in deltas)
    released_args = "".join(d.get("function_call", {}).get("arguments", "") for d in deltas)
    assert TOKEN not in json.dumps(payloads)
    assert released_refusal.startswith("Sorry, [REDACTED")
    assert json.loads(released_args) == {"token": "[REDACTED GITHUB_PAT]"}
    assert payloads[-1]["choices"][0]["finish_reason"] == "stop"
