"""Fake OpenAI-compatible upstream with zero service time.

Answers ``POST /v1/chat/completions`` with a fixed, small ``chat.completion``
document (including ``usage``) and ``GET /v1/models`` with a one-model list.
Run it as its own process so it does not share an event loop with the load
generator::

    python bench/fake_upstream.py --port 18000
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from aiohttp import web

from evloop import new_event_loop

MODEL = "bench-model"

COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-bench-0001",
    "object": "chat.completion",
    "created": 1_700_000_000,
    "model": MODEL,
    "system_fingerprint": "fp_bench",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello there, nice to meet you!"},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 14, "completion_tokens": 8, "total_tokens": 22},
}

MODELS: dict[str, Any] = {
    "object": "list",
    "data": [{"id": MODEL, "object": "model", "created": 1_700_000_000, "owned_by": "bench"}],
}

_COMPLETION_BYTES = json.dumps(COMPLETION, separators=(",", ":")).encode()
_MODELS_BYTES = json.dumps(MODELS, separators=(",", ":")).encode()


async def chat_completions(request: web.Request) -> web.Response:
    # Drain the body so keep-alive connections stay usable; content is ignored.
    await request.read()
    return web.Response(body=_COMPLETION_BYTES, content_type="application/json")


async def models(_request: web.Request) -> web.Response:
    return web.Response(body=_MODELS_BYTES, content_type="application/json")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/v1/models", models)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web.run_app(make_app(), host=args.host, port=args.port, access_log=None, print=None, loop=new_event_loop())


if __name__ == "__main__":
    main()
