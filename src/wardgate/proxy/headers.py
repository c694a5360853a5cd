"""Header hygiene for both legs: nothing of the caller's credentials or hop-by-hop headers is forwarded."""

from __future__ import annotations

from wardgate.proxy.upstreams import Upstream

# Response headers from the upstream that are safe and useful to pass back (everything else is dropped).
_PASS_BACK = frozenset({"openai-processing-ms", "openai-version"})


def upstream_request_headers(upstream: Upstream, request_id: str, streaming: bool) -> dict[str, str]:
    """Build the upstream request headers from scratch (an allowlist, not a blocklist)."""
    headers = {
        "content-type": "application/json",
        "accept": "text/event-stream" if streaming else "application/json",
        "user-agent": "wardgate",
        "x-request-id": request_id,
    }
    if upstream.api_key:
        headers["authorization"] = f"Bearer {upstream.api_key}"
    return headers


def passed_back(upstream_headers: object) -> list[tuple[bytes, bytes]]:
    """Upstream response headers relayed to the client (allowlisted; upstream request id renamed)."""
    out: list[tuple[bytes, bytes]] = []
    getter = getattr(upstream_headers, "get", None)
    if getter is None:
        return out
    for name in _PASS_BACK:
        value = getter(name)
        if isinstance(value, str) and len(value) < 256:
            out.append((name.encode(), value.encode("latin-1", "replace")))
    upstream_id = getter("x-request-id")
    if isinstance(upstream_id, str) and len(upstream_id) < 256:
        out.append((b"x-upstream-request-id", upstream_id.encode("latin-1", "replace")))
    return out
