"""Apply redaction hits to a text: placeholder (reversible), mask, keyed hash, or remove.

Overlapping spans are merged first (the wider span wins), then replaced right to left so offsets stay valid.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from wardgate.guardrails.vault import Vault
from wardgate.policy.decide import Hit


def _entity(hit: Hit) -> str:
    return hit.kind.split(".", 1)[1].upper()


def _merge(hits: Iterable[Hit]) -> list[Hit]:
    merged: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            if hit.end > last.end:  # partial overlap: keep the first entity, extend to cover both
                merged[-1] = Hit(last.rule, last.kind, last.action, last.mode, last.score, last.text_index,
                                 last.start, hit.end, last.transform)  # fmt: skip
            continue
        merged.append(hit)
    return merged


def replacement(hit: Hit, value: str, vault: Vault, hash_key: bytes) -> str:
    entity = _entity(hit)
    if hit.transform == "placeholder":
        return vault.placeholder(entity, value)
    if hit.transform == "hash":
        digest = hmac.new(hash_key, f"{entity}:{value}".encode(), hashlib.sha256).hexdigest()[:12]
        return f"<{entity}:{digest}>"
    if hit.transform == "remove":
        return ""
    return f"[REDACTED {entity}]"


def apply(text: str, hits: Iterable[Hit], vault: Vault, hash_key: bytes) -> str:
    out = text
    for hit in reversed(_merge(hits)):
        out = out[: hit.start] + replacement(hit, text[hit.start : hit.end], vault, hash_key) + out[hit.end :]
    return out
