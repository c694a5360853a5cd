"""Content for ``audit.capture: redacted``: the captured texts with every PII and secret finding replaced.

This runs the PII and secret detectors again over what is stored, whatever the guardrail policy did with the live
request (a policy may only *flag* an e-mail address, but the audit record must still not keep it). A span becomes
``<KIND>`` (``<EMAIL_ADDRESS>``, ``<secret.aws_access_key_id>``): the record shows what was there, not what it was.
"""

from __future__ import annotations

from typing import Any

from wardgate.scanners.base import Finding, ScanContext
from wardgate.scanners.registry import ScannerSet
from wardgate.types import JSONObject

CATEGORIES = ("pii", "secret")
_TEXT_KEYS = ("text", "arguments")


def redact_text(text: str, scanners: ScannerSet) -> str:
    findings: list[Finding] = []
    for category in CATEGORIES:
        findings.extend(scanners.get(category).scan(text, ScanContext()))
    if not findings:
        return text
    out: list[str] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if finding.end <= cursor:
            continue
        start = max(finding.start, cursor)
        out.append(text[cursor:start])
        out.append(f"<{finding.kind}>")
        cursor = finding.end
    out.append(text[cursor:])
    return "".join(out)


def redact_content(content: JSONObject, scanners: ScannerSet) -> JSONObject:
    """A copy of captured content (``prompt`` / ``answer`` / ``tool_calls`` lists) with the texts redacted."""
    out: JSONObject = {}
    for key, value in content.items():
        out[key] = [_redact_item(item, scanners) for item in value] if isinstance(value, list) else value
    return out


def _redact_item(item: Any, scanners: ScannerSet) -> Any:
    if not isinstance(item, dict):
        return item
    return {k: redact_text(v, scanners) if k in _TEXT_KEYS and isinstance(v, str) else v for k, v in item.items()}
