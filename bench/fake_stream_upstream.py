"""Fake OpenAI-compatible upstream that answers with a ~1 KB text, non-streamed or streamed in ~50 chunks.

Zero service time, like ``fake_upstream.py`` (whose ``/v1/models`` handler and response shape it reuses); only
the answer is longer and ``"stream": true`` is honoured::

    python bench/fake_stream_upstream.py --port 18000 [--answer-chars 1000] [--chunks 50] [--chunk-delay-ms 0]

A streamed answer is one role chunk, ``--chunks`` content chunks of about equal size, a finish chunk, a usage chunk
when ``stream_options.include_usage`` is set, and ``data: [DONE]``; every event is written (and drained) on its own.
A request can set its own pause between events with the extra body field ``"bench_chunk_delay_ms"`` (wardgate
passes unknown fields through), so one upstream serves both burst (0 ms) and paced streams.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from aiohttp import web

from evloop import new_event_loop
from fake_upstream import COMPLETION, MODEL, models
from guard_texts import answer_text

_ID = "chatcmpl-bench-stream"
DELAY_FIELD = "bench_chunk_delay_ms"
_CREATED = 1_700_000_000


def _dumps(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def completion_bytes(answer: str) -> bytes:
    doc = json.loads(json.dumps(COMPLETION))
    doc["choices"][0]["message"]["content"] = answer
    doc["usage"] = {"prompt_tokens": 300, "completion_tokens": len(answer) // 4, "total_tokens": 300 + len(answer) // 4}
    return _dumps(doc)


def stream_events(answer: str, chunks: int, include_usage: bool) -> list[bytes]:
    """Every SSE event of one streamed answer, in order."""

    def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
        chunk = {"id": _ID, "object": "chat.completion.chunk", "created": _CREATED, "model": MODEL}
        chunk["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        return b"data: " + _dumps(chunk) + b"\n\n"

    size = max(1, -(-len(answer) // max(1, chunks)))
    out = [event({"role": "assistant", "content": ""})]
    out += [event({"content": answer[i : i + size]}) for i in range(0, len(answer), size)]
    out.append(event({}, "stop"))
    if include_usage:
        tokens = len(answer) // 4
        usage = {"prompt_tokens": 300, "completion_tokens": tokens, "total_tokens": 300 + tokens}
        doc = {"id": _ID, "object": "chat.completion.chunk", "created": _CREATED, "model": MODEL, "choices": []}
        out.append(b"data: " + _dumps({**doc, "usage": usage}) + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return out


def make_app(answer: str, chunks: int, chunk_delay_s: float) -> web.Application:
    completion = completion_bytes(answer)
    streams = {flag: stream_events(answer, chunks, flag) for flag in (False, True)}

    async def chat_completions(request: web.Request) -> web.StreamResponse:
        body = json.loads(await request.read() or b"{}")
        if not (isinstance(body, dict) and body.get("stream") is True):
            return web.Response(body=completion, content_type="application/json")
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        delay = body.get(DELAY_FIELD)
        delay_s = min(float(delay), 1000.0) / 1000.0 if isinstance(delay, int | float) else chunk_delay_s
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        for data in streams[include_usage]:
            await resp.write(data)
            if delay_s > 0:
                await asyncio.sleep(delay_s)
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/v1/models", models)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answer-chars", type=int, default=1000)
    parser.add_argument("--chunks", type=int, default=50)
    parser.add_argument("--chunk-delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    app = make_app(answer_text(args.answer_chars), args.chunks, args.chunk_delay_ms / 1000.0)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None, loop=new_event_loop())


if __name__ == "__main__":
    main()
