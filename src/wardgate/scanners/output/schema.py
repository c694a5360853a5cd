"""Structured-output guard: the final answer must be the JSON the request asked for.

``schema.invalid`` (score 1.0, span: the whole answer) when the answer is final and

* ``response_format`` is ``json_object`` and the answer is not a JSON object, or
* ``response_format`` carries a JSON schema and the answer is not JSON or does not validate (Draft 2020-12).

A streaming prefix (``final=False``) is never reported: a prefix of valid JSON is not invalid yet. One surrounding
markdown code fence (```` ```json … ``` ````) is tolerated. ``NaN``/``Infinity`` are not JSON and are rejected.

Validation is bounded: schemas over 256 KB are refused, only the first error is computed, ``format`` is not asserted,
``$ref`` never fetches anything, and regular expressions in ``pattern``/``patternProperties`` that could backtrack
catastrophically are refused (``jsonschema`` runs them on Python's ``re``). A schema that is refused or is not a
valid Draft 2020-12 schema raises ``ValueError`` — the request asked for something that cannot be checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from wardgate.scanners.base import Finding
from wardgate.scanners.output.context import AnswerContext
from wardgate.scanners.output.regex_safety import unsafe_reason

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

INVALID = "schema.invalid"
MAX_SCHEMA_BYTES = 256 * 1024

_FENCE_INFO = re.compile(r"[A-Za-z0-9_+-]{0,32}")


def schema_findings(text: str, actx: AnswerContext, *, final: bool = True) -> list[Finding]:
    if not final or (actx.schema is None and not actx.json_object):
        return []
    invalid = [Finding(INVALID, 0, len(text), 1.0)]
    validator = _validator(_schema_key(actx.schema)) if actx.schema is not None else None
    try:
        value = json.loads(_unfenced(text), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return invalid
    if validator is None:
        return [] if isinstance(value, dict) else invalid
    return [] if _valid(validator, value) else invalid


def _valid(validator: Validator, value: Any) -> bool:
    from referencing.exceptions import Unresolvable

    try:
        return next(iter(validator.iter_errors(value)), None) is None
    except RecursionError:
        return False
    except Unresolvable as exc:
        raise ValueError("the response_format schema has a $ref that cannot be resolved") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unfenced(text: str) -> str:
    stripped = text.strip()
    if not stripped.startswith("```") or not stripped.endswith("```"):
        return stripped
    newline = stripped.find("\n")
    if newline < 0 or newline + 1 > len(stripped) - 3 or not _FENCE_INFO.fullmatch(stripped[3:newline].strip()):
        return stripped
    return stripped[newline + 1 : -3]


def _schema_key(schema: Mapping[str, Any]) -> str:
    try:
        key = json.dumps(schema, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError("the response_format schema is not JSON-serializable") from exc
    if len(key.encode()) > MAX_SCHEMA_BYTES:
        raise ValueError(f"the response_format schema is larger than {MAX_SCHEMA_BYTES // 1024} KB")
    return key


@lru_cache(maxsize=16)
def _validator(schema_json: str) -> Validator:
    """A Draft 2020-12 validator for one schema, built once per distinct schema (a small LRU)."""
    try:
        import jsonschema
    except ImportError as exc:
        raise ImportError("schema validation needs the jsonschema package: pip install 'jsonschema>=4.23'") from exc
    schema = json.loads(schema_json)
    _check_patterns(schema)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise ValueError("the response_format schema is not a valid JSON Schema (Draft 2020-12)") from exc
    validator: Validator = jsonschema.Draft202012Validator(schema)
    return validator


def _check_patterns(schema: object) -> None:
    """Refuse regexes in the schema that could take exponential time on Python's ``re``."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        patterns = list(node["patternProperties"]) if isinstance(node.get("patternProperties"), dict) else []
        if isinstance(node.get("pattern"), str):
            patterns.append(node["pattern"])
        for pattern in patterns:
            reason = unsafe_reason(pattern, nested=True, lookaround=True)
            if reason is not None:
                raise ValueError(f"the response_format schema has a refused regular expression: {reason}")
        stack.extend(node.values())
