"""Deterministic benign texts for the guardrails benchmark: English prose mixed with a little code.

Nothing here should trip a guard (no instructions to the model about its rules, no personal data, no
credentials), so every request is allowed and the numbers measure scanning, not blocking or redacting.
``guardrails_overhead.py`` checks that before it measures and records any finding it sees.
"""

from __future__ import annotations

import json
from typing import Any

_PARAGRAPHS = (
    "Our team is planning the migration of the billing service to the new cluster next quarter. The main risk "
    "is the nightly batch job, which currently takes about three hours and runs close to the start of the "
    "business day in Europe. ",
    "The job reads the order history, groups the orders by customer and month, and writes a summary table "
    "that the finance team uses for their monthly report.\n",
    "```python\ndef monthly_totals(orders: list[Order]) -> dict[tuple[int, str], float]:\n"
    "    totals: dict[tuple[int, str], float] = {}\n"
    "    for order in orders:\n"
    "        key = (order.customer_id, order.placed_at.strftime('%Y-%m'))\n"
    "        totals[key] = totals.get(key, 0.0) + order.amount\n"
    "    return totals\n```\n",
    "The profiler shows that most of the time goes into string formatting and dictionary lookups. Sorting the "
    "orders first and using itertools.groupby might help, and a small pandas pipeline might be cleaner for the "
    "people who maintain it after us. ",
    "The table has roughly forty million rows, grows by about two percent every month, and is stored in a "
    "columnar format on the shared analytics volume. Memory on the worker is limited to eight gigabytes, so "
    "loading everything at once is not an option. ",
    "```python\ndef test_monthly_totals_matches_sql(sample_orders, warehouse):\n"
    "    expected = warehouse.fetch_totals(months=13)\n"
    "    assert monthly_totals(sample_orders) == expected\n```\n",
    "The last time this job changed, the rollout went smoothly, but the on-call engineer had to rerun one "
    "partition by hand because of a time-zone edge case at the end of March. ",
    "In the end the warehouse team mostly cares about three things: the new version finishing before seven in "
    "the morning, a stable memory footprint, and totals that match the current ones to the cent. ",
)

_ANSWER_UNIT = (
    "Sorting first and grouping with itertools.groupby keeps memory flat, because only one customer is "
    "in memory at a time. A plain loop with a defaultdict is usually just as fast in CPython. For forty "
    "million rows, pushing the aggregation into the database is simplest: the query you showed already "
    "does it, so the job only has to stream the result. Keep the Python version as a fallback and add a "
    "test that compares both on a small sample. "
)

SYSTEM_PROMPT = (
    "You are a helpful assistant for the data engineering team. Answer concisely, prefer standard library "
    "solutions, and show code in fenced blocks. Do not speculate about systems you were not told about."
)

SIZES: dict[str, int] = {"100 B": 100, "1 KB": 1_000, "10 KB": 10_000, "100 KB": 100_000}
"""Micro-benchmark sizes; the HTTP phases use the first three."""


def text(size: int) -> str:
    """``size`` characters of prose and code (whole paragraphs repeated in order, then cut)."""
    unit = "".join(_PARAGRAPHS)
    out = (unit * (size // len(unit) + 1))[:size]
    return out.rstrip() or out


def answer_text(size: int = 1_000) -> str:
    """A benign answer of ``size`` characters (what the fake upstream returns)."""
    return (_ANSWER_UNIT * (size // len(_ANSWER_UNIT) + 1))[:size]


def chat_body(prompt_chars: int, stream: bool = False, chunk_delay_ms: float | None = None) -> bytes:
    """A chat-completions request: a short system prompt and one user message of ``prompt_chars`` characters.

    ``chunk_delay_ms`` asks ``fake_stream_upstream.py`` to pause that long between streamed events.
    """
    body: dict[str, Any] = {
        "model": "bench-model",
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": text(prompt_chars)},
        ],
        "max_tokens": 400,
    }
    if stream:
        body["stream"] = True
    if chunk_delay_ms is not None:
        body["bench_chunk_delay_ms"] = chunk_delay_ms
    return json.dumps(body).encode()
