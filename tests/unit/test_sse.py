"""SSE splitting across chunk boundaries and usage extraction."""

from __future__ import annotations

import pytest

from wardgate.errors import UpstreamError
from wardgate.proxy.sse import EventSplitter, event_data, is_done, parse_usage

STREAM = (
    b'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n'
    b": keep-alive\n\n"
    b'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}\n\n'
    b"data: [DONE]\n\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(STREAM)])
def test_split_is_independent_of_chunking(size: int) -> None:
    splitter = EventSplitter()
    events: list[bytes] = []
    for start in range(0, len(STREAM), size):
        events += splitter.feed(STREAM[start : start + size])
    assert b"".join(events) == STREAM
    assert len(events) == 4
    assert splitter.rest() == b""
    assert is_done(events[-1])
    assert event_data(events[1]) is None


def test_crlf_events() -> None:
    events = EventSplitter().feed(b"data: a\r\n\r\ndata: b\r\n\r\n")
    assert [event_data(e) for e in events] == [b"a", b"b"]


def test_usage_only_chunk() -> None:
    usage, usage_only = parse_usage(b'{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}')
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage_only) == (5, 2, True)
    assert parse_usage(b'{"choices":[{"delta":{}}],"usage":null}') == (None, False)
    assert parse_usage(b'not json with "usage"') == (None, False)


def test_oversized_event_is_refused() -> None:
    splitter = EventSplitter(max_event_bytes=16)
    with pytest.raises(UpstreamError):
        splitter.feed(b"data: " + b"x" * 64)
