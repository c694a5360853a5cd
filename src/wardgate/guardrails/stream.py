"""Output guardrails on an SSE stream, with a bounded hold-back window.

Per choice, generated text is buffered; on each chunk the guard scans the unreleased text together with a little
already-released context, and releases only what is at least ``holdback`` characters behind the newest text — and
never the start of a finding (or of a placeholder) that may still be growing. Redactions are applied and the
caller's placeholders restored before release. Tool-call arguments are held until the call is complete, then
checked and released in one delta. A block ends the stream with a terminal error event (raised to the relay).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from wardgate.guardrails import redact
from wardgate.guardrails.engine import TextItem, scan_one
from wardgate.guardrails.pipeline import Guardrails, GuardState, blocked
from wardgate.policy.decide import Decision, ScannedText, decide
from wardgate.scanners.base import ScanContext

log = logging.getLogger("wardgate.guardrails")
_CONTEXT = 256
"""Already-released characters re-scanned with new text, so findings that straddle the release point are seen."""
_MAX_ANSWER = 1 << 20
_BATCH = 64
"""Release in batches of at least this many characters, so each character is re-scanned only a few times."""
_MAX_RUN = 4096
"""Longest whitespace-free run held back whole while it grows (a 4096-bit RSA key in escaped PEM fits)."""


@dataclass(slots=True)
class _Choice:
    released: str = ""
    pending: str = ""
    tools: dict[int, dict[str, Any]] = field(default_factory=dict)
    refusal: str = ""
    function: dict[str, str] | None = None
    """Legacy ``function_call`` delta, held whole like tool calls."""


class StreamGuard:
    def __init__(self, guardrails: Guardrails, state: GuardState, holdback: int) -> None:
        self._g = guardrails
        self._state = state
        self._holdback = holdback
        self._choices: dict[int, _Choice] = {}
        self._template: dict[str, Any] = {"object": "chat.completion.chunk"}
        self._failed_open = False
        rules = state.policy.output
        self._categories = state.policy.categories_for(rules, guardrails.engine.scanners.categories())["assistant"]

    def on_event(self, data: bytes) -> list[bytes]:
        """Transform one upstream data payload into zero or more payloads for the client."""
        try:
            chunk = json.loads(data)
        except ValueError:
            return [data]
        choices = chunk.get("choices") if isinstance(chunk, dict) else None
        if not isinstance(choices, list) or not choices:
            return [data]
        self._template = {k: chunk[k] for k in ("id", "object", "created", "model") if k in chunk}
        out: list[bytes] = []
        kept = []
        for choice in choices:
            if isinstance(choice, dict):
                out.extend(self._on_choice(chunk, choice))
                if _meaningful(choice):
                    kept.append(choice)
        if kept:
            out.append(_dump({**chunk, "choices": kept}))
        return out

    def _on_choice(self, chunk: dict[str, Any], choice: dict[str, Any]) -> list[bytes]:
        index = choice.get("index", 0)
        state = self._choices.setdefault(index if isinstance(index, int) else 0, _Choice())
        delta = choice.get("delta")
        if isinstance(delta, dict):
            content = delta.get("content")
            if isinstance(content, str) and content:
                state.pending += content
                # A chunk that also finishes the choice releases all its text here, so nothing is flushed before it.
                delta["content"] = self._release(state, final=choice.get("finish_reason") is not None)
            _hold_tool_calls(state, delta)
            _hold_refusal_and_function(state, delta)
        if choice.get("finish_reason") is not None:
            return self._flush(chunk, state, index)
        return []

    def flush(self) -> list[bytes]:
        """The upstream failed mid-stream: release what is held (after its final check) before the error event."""
        out: list[bytes] = []
        for index, state in sorted(self._choices.items()):
            out.extend(self._flush(self._template, state, index))
        return out

    def _flush(self, chunk: dict[str, Any], state: _Choice, index: Any) -> list[bytes]:
        """Before a choice's finish chunk: release the rest of its text and its complete tool calls."""
        out: list[bytes] = []
        text = self._release(state, final=True)
        if text:
            out.append(
                _dump({**chunk, "choices": [{"index": index, "delta": {"content": text}, "finish_reason": None}]})
            )
        if state.tools:
            calls = [self._checked_call(call) for _, call in sorted(state.tools.items())]
            state.tools.clear()
            delta = {"tool_calls": calls}
            out.append(_dump({**chunk, "choices": [{"index": index, "delta": delta, "finish_reason": None}]}))
        held: dict[str, Any] = {}
        if state.refusal:
            held["refusal"] = self._checked(state.refusal, json_escape=False)
            state.refusal = ""
        if state.function is not None:
            arguments = self._checked(state.function["arguments"], json_escape=True)
            held["function_call"] = {"name": state.function["name"], "arguments": arguments}
            state.function = None
        if held:
            out.append(_dump({**chunk, "choices": [{"index": index, "delta": held, "finish_reason": None}]}))
        return out

    def _release(self, state: _Choice, final: bool) -> str:
        if not final and len(state.pending) < self._holdback + _BATCH:
            return ""  # nothing could be released yet: no scan (every release is scanned, and so is the flush)
        context = state.released[-_CONTEXT:]
        window = context + state.pending
        scanned = self._scan(window, final)
        decision = self._decide(scanned)
        if decision.action == "block":
            self._state.output_decision = decision
            raise blocked("response_blocked")
        cut = len(window) if final else _before_open_run(window, max(len(context), len(window) - self._holdback))
        for finding in scanned.findings:  # never release the start of something that may still grow
            if not final and finding.start < cut < finding.end + self._holdback:
                cut = max(len(context), min(cut, finding.start))
        cut -= 0 if final else self._state.vault.could_be_partial(window[:cut])
        if cut <= len(context):
            return ""
        # A finding whose start is already out (found only once complete) still has its unreleased rest redacted.
        hits = [replace(h, start=max(h.start, len(context))) for h in decision.redactions
                if len(context) < h.end <= cut]  # fmt: skip
        if decision.redactions:
            self._state.output_decision = decision
        released = redact.apply(window[:cut], hits, self._state.vault, b"")[len(context) :]
        state.released = (state.released + window[len(context) : cut])[-_MAX_ANSWER:]
        state.pending = window[cut:]
        return self._state.vault.restore(released)

    def _scan(self, text: str, final: bool) -> ScannedText:
        scanned = scan_one(self._g.engine.scanners, TextItem(0, "assistant", text), self._categories,
                           ScanContext("assistant", "output"))  # fmt: skip
        extra = self._g.answer_guard_findings(self._state, text, final=final)
        return ScannedText(0, "assistant", (*scanned.findings, *extra), scanned.errors)

    def _decide(self, scanned: ScannedText) -> Decision:
        decision = decide([scanned], self._state.policy.output, fail_open=self._state.policy.fail_open,
                          thresholds=self._g.thresholds())  # fmt: skip
        if decision.failed_open and not self._failed_open:  # logged once per stream, not once per chunk
            self._failed_open = True
            log.warning("guardrail failed open", extra={"stage": "output", "errors": list(decision.errors)})
        return decision

    def _checked_call(self, call: dict[str, Any]) -> dict[str, Any]:
        call["function"]["arguments"] = self._checked(call.get("function", {}).get("arguments", ""), json_escape=True)
        return call

    def _checked(self, text: str, json_escape: bool) -> str:
        """A held piece (tool-call arguments, refusal): checked whole, redacted, placeholders restored."""
        scanned = self._scan(text, final=True)
        decision = self._decide(scanned)
        if decision.action == "block":
            raise blocked("response_blocked")
        text = redact.apply(text, decision.redactions, self._state.vault, b"")
        return self._state.vault.restore(text, json_escape=json_escape)


def _before_open_run(window: str, cut: int) -> int:
    """Move ``cut`` back to the start of a whitespace-free run still growing at the end of ``window``.

    Token-shaped secrets (API keys, escaped PEM bodies) are recognized only once complete, which may be more than
    the hold-back after their start; a run longer than ``_MAX_RUN`` is released as usual.
    """
    if cut >= len(window) or window[cut].isspace() or any(c.isspace() for c in window[cut:]):
        return cut
    start = cut
    while start > 0 and not window[start - 1].isspace() and len(window) - start < _MAX_RUN:
        start -= 1
    return start if start == 0 or window[start - 1].isspace() else cut


def _hold_refusal_and_function(state: _Choice, delta: dict[str, Any]) -> None:
    refusal = delta.pop("refusal", None)
    if isinstance(refusal, str):
        state.refusal += refusal
    legacy = delta.pop("function_call", None)
    if isinstance(legacy, dict):
        held = state.function if state.function is not None else {"name": "", "arguments": ""}
        if isinstance(legacy.get("name"), str):
            held["name"] = legacy["name"]
        if isinstance(legacy.get("arguments"), str):
            held["arguments"] += legacy["arguments"]
        state.function = held


def _hold_tool_calls(state: _Choice, delta: dict[str, Any]) -> None:
    calls = delta.pop("tool_calls", None)
    for call in calls if isinstance(calls, list) else ():
        if not isinstance(call, dict):
            continue
        slot = state.tools.setdefault(int(call.get("index", 0)), {"index": int(call.get("index", 0))})
        for key in ("id", "type"):
            if key in call:
                slot[key] = call[key]
        function = call.get("function") or {}
        held = slot.setdefault("function", {"name": "", "arguments": ""})
        if function.get("name"):
            held["name"] = function["name"]
        held["arguments"] += function.get("arguments") or ""


def _meaningful(choice: dict[str, Any]) -> bool:
    delta = choice.get("delta")
    has_delta = isinstance(delta, dict) and any(
        v not in (None, "") or k == "role" for k, v in delta.items() if k != "content"
    )
    content = delta.get("content") if isinstance(delta, dict) else None
    return (
        bool(content)
        or has_delta
        or choice.get("finish_reason") is not None
        or ("logprobs" in choice and bool(choice["logprobs"]))
    )


def _dump(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
