"""Read token usage out of an upstream answer and price it."""

from __future__ import annotations

from collections.abc import Mapping

from wardgate.config.models import Price
from wardgate.limits.base import Usage
from wardgate.limits.pricing import cost_usd
from wardgate.types import JSONObject


def usage_from_body(body: JSONObject, model: str, pricing: Mapping[str, Price]) -> Usage | None:
    usage = body.get("usage")
    if not isinstance(usage, dict):
        return None
    prompt = usage.get("prompt_tokens")
    total = usage.get("total_tokens")
    completion = usage.get("completion_tokens")
    if not isinstance(prompt, int):
        return None
    if not isinstance(completion, int):
        completion = total - prompt if isinstance(total, int) else 0
    return Usage(prompt, completion, cost_usd(model, prompt, completion, pricing))
