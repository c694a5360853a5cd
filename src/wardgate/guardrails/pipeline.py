"""Guardrails on one request: inspect the input (block/redact), then the answer (block/redact/restore).

The input stage scans every text of the body with its role, decides under the request's resolved policy, and
rewrites the body in place for enforced redactions (placeholders go into the request's own vault). The answer
stage scans what the model produced, redacts leaks, and restores the caller's own values from the vault.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wardgate.config.guardrails import DenyRule, ExfiltrationRule, GuardrailsConfig
from wardgate.errors import PayloadTooLargeError, PolicyBlockedError
from wardgate.guardrails import redact
from wardgate.guardrails.engine import ScanEngine, TextItem
from wardgate.guardrails.policy import ResolvedPolicy, resolve
from wardgate.guardrails.texts import Located, answer_texts, put
from wardgate.guardrails.vault import Vault, VaultFullError
from wardgate.policy.decide import ALLOW, Decision, ScannedText, decide
from wardgate.scanners.base import Finding, ScanContext
from wardgate.scanners.output import AnswerContext, answer_findings, canary_instruction, new_canary
from wardgate.types import JSONObject

log = logging.getLogger("wardgate.guardrails")
_ANSWER_GUARDS = ("system_prompt_leak", "exfiltration", "schema", "deny")


@dataclass(slots=True)
class GuardState:
    """Per-request guardrail state (lives on the request context, dies with it)."""

    policy: ResolvedPolicy
    vault: Vault = field(default_factory=Vault)
    answer: AnswerContext = field(default_factory=AnswerContext)
    input_decision: Decision = ALLOW
    output_decision: Decision = ALLOW
    modified: bool = False
    """The request body was rewritten (redactions, canary), so it must be re-serialized before forwarding."""


def blocked(code: str) -> PolicyBlockedError:
    # Deliberately generic: the response does not advertise which guard fired (the audit record does).
    return PolicyBlockedError("The request was blocked by the gateway's policy.", code=code)


class Guardrails:
    def __init__(self, config: GuardrailsConfig, engine: ScanEngine, hash_key: bytes) -> None:
        self.config = config
        self.engine = engine
        self._hash_key = hash_key

    def thresholds(self) -> dict[str, tuple[float, float]]:
        try:
            scanner: Any = self.engine.scanners.get("injection")
            user = scanner.threshold(ScanContext("user"))
            untrusted = scanner.threshold(ScanContext("tool"))
        except Exception:  # noqa: BLE001 - a scanner that cannot load fails its scan too, and the policy decides
            return {}
        return {"injection": (float(user), float(untrusted))}

    def start(self, route: str, principal: Any) -> GuardState:
        return GuardState(resolve(self.config, route, principal))

    async def inspect_input(self, state: GuardState, body: JSONObject, texts: Sequence[Located]) -> Decision:
        if sum(len(t.text) for t in texts) > self.config.max_scan_chars:
            raise PayloadTooLargeError("Request text exceeds what the gateway scans.", code="request_too_large")
        items = [TextItem(i, t.role, t.text) for i, t in enumerate(texts)]
        categories = state.policy.categories_for(state.policy.input, self.engine.scanners.categories())
        scanned = await self.engine.scan(items, categories, "input")
        decision = self._decide(scanned, state.policy.input, state.policy.fail_open, "input")
        state.input_decision = decision
        if decision.action == "block":
            raise blocked("request_blocked")
        if decision.redactions:
            self._apply(decision, texts, body, state.vault)
            state.modified = True
        return decision

    async def inspect_answer(self, state: GuardState, body: JSONObject) -> bool:
        """Non-streamed answer: scan, block or redact, then restore the caller's placeholders.

        Returns whether ``body`` was changed.
        """
        texts = answer_texts(body)
        items = [TextItem(i, "assistant", t.text) for i, t in enumerate(texts)]
        rules = state.policy.output
        categories = state.policy.categories_for(rules, self.engine.scanners.categories())
        scanned = await self.engine.scan(items, categories, "output")
        scanned = [self._with_answer_guards(s, items[s.index].text, state, final=True) for s in scanned]
        decision = self._decide(scanned, rules, state.policy.fail_open, "output")
        state.output_decision = decision
        if decision.action == "block":
            raise blocked("response_blocked")
        changed = bool(decision.redactions)
        if changed:
            self._apply(decision, texts, body, state.vault)
        if len(state.vault):
            for located in answer_texts(body):
                restored = state.vault.restore(located.text, json_escape="tool_calls" in located.path)
                if restored != located.text:
                    put(body, located.path, restored)
                    changed = True
        return changed

    def prepare_answer(self, state: GuardState, body: JSONObject, texts: Sequence[Located]) -> None:
        """Collect what the answer guards need; place a canary in the system prompt when the policy asks."""
        out = state.policy.output_rules
        system = tuple(t.text for t in texts if t.role in ("system", "developer") and t.path[-1] == "content")
        canary = None
        if out.system_prompt_leak is not None and system:
            canary = new_canary()
            _append_to_first_system(body, canary_instruction(canary))
            state.modified = True
        fmt = body.get("response_format")
        schema = None
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema")
            schema = spec.get("schema") if isinstance(spec, dict) and isinstance(spec.get("schema"), dict) else None
        exfil = out.exfiltration if isinstance(out.exfiltration, ExfiltrationRule) else None
        deny = out.deny if isinstance(out.deny, DenyRule) else None
        state.answer = AnswerContext(
            system_prompts=system,
            canary=canary,
            schema=schema,
            json_object=isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"),
            allowed_domains=exfil.allowed_domains if exfil else (),
            deny_words=deny.words if deny else (),
            deny_patterns=deny.patterns if deny else (),
        )

    def answer_guard_findings(self, state: GuardState, text: str, final: bool) -> list[Finding]:
        wanted = [c for c in _ANSWER_GUARDS if state.policy.output.get(c) is not None]
        return answer_findings(text, state.answer, wanted, final=final) if wanted else []

    def _with_answer_guards(self, scanned: ScannedText, text: str, state: GuardState, final: bool) -> ScannedText:
        try:
            extra = self.answer_guard_findings(state, text, final)
        except Exception as exc:  # noqa: BLE001 - a guard failure is recorded and decided by policy
            return ScannedText(scanned.index, scanned.role, scanned.findings,
                               (*scanned.errors, f"answer_guards:{type(exc).__name__}"))  # fmt: skip
        return ScannedText(scanned.index, scanned.role, (*scanned.findings, *extra), scanned.errors)

    def _decide(self, scanned: list[ScannedText], rules: Any, fail_open: bool, stage: str) -> Decision:
        decision = decide(scanned, rules, fail_open=fail_open, thresholds=self.thresholds())
        if decision.failed_open:
            log.warning("guardrail failed open", extra={"stage": stage, "errors": list(decision.errors)})
        return decision

    def _apply(self, decision: Decision, texts: Sequence[Located], body: JSONObject, vault: Vault) -> None:
        by_text: dict[int, list[Any]] = {}
        for hit in decision.redactions:
            by_text.setdefault(hit.text_index, []).append(hit)
        try:
            for index, hits in by_text.items():
                put(body, texts[index].path, redact.apply(texts[index].text, hits, vault, self._hash_key))
        except VaultFullError:
            raise blocked("request_blocked") from None


def _append_to_first_system(body: JSONObject, line: str) -> None:
    for message in body.get("messages", ()):
        if isinstance(message, dict) and message.get("role") in ("system", "developer"):
            if isinstance(message.get("content"), str):
                message["content"] = f"{message['content']}\n\n{line}"
            return
