"""Cost of a request from the configured price table (USD per 1k tokens; globs allowed as model names)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

from wardgate.config.models import Price


def price_for(model: str, table: Mapping[str, Price]) -> Price | None:
    exact = table.get(model)
    if exact is not None:
        return exact
    for pattern, price in table.items():
        if fnmatch.fnmatchcase(model, pattern):
            return price
    return None


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int, table: Mapping[str, Price]) -> float:
    price = price_for(model, table)
    if price is None:
        return 0.0
    return (prompt_tokens * price.input_per_1k + completion_tokens * price.output_per_1k) / 1000.0
