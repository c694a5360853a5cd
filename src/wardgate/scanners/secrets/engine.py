"""Running the provider rule table: one keyword pass, then only the rules whose keywords are present.

Cost model. A scan encodes the text once and runs one RE2 ``Set`` of literal keywords over it (a single
automaton pass, whatever the number of rules). Only rules with a keyword in the text run their own pattern, each a
linear-time RE2 scan; rules without keywords (a bounded handful of built-ins) always run. So a typical text costs
one pass plus the few rules it mentions, and even a text containing every keyword costs at most one linear pass
per rule — never backtracking, never growing with the input faster than linearly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wardgate.scanners.secrets._re2 import LiteralSet, Regex, RegexError
from wardgate.scanners.secrets.rule import SPAN_GROUP, Rule
from wardgate.scanners.secrets.text import Encoded, Hit
from wardgate.scanners.secrets.values import MAX_VALUE_CHARS, is_placeholder_token, looks_like_words, shannon_entropy

PROVIDER_TIER = 0


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    regex: Regex
    group: int
    """Index of the ``secret`` group, or 0 for the whole match."""


def compile_rule(rule: Rule) -> CompiledRule:
    """Compile one rule, failing with a message that names it (never quoting scanned text)."""
    try:
        regex = Regex(rule.pattern)
    except RegexError as exc:
        raise ValueError(f"rule {rule.id}: {exc}") from exc
    if regex.search(b"") is not None:
        raise ValueError(f"rule {rule.id}: pattern matches the empty string")
    group = regex.group_index(SPAN_GROUP)
    return CompiledRule(rule, regex, 0 if group is None else group)


def accept_token(rule: Rule, value: str) -> bool:
    """Whether a match of a provider rule is a credential rather than a placeholder or an identifier."""
    value = value[:MAX_VALUE_CHARS]
    if shannon_entropy(value) < rule.min_entropy:
        return False
    return not (is_placeholder_token(value) or looks_like_words(value))


class RuleEngine:
    """The compiled rule table plus the keyword automaton shared with the structural detectors."""

    def __init__(
        self, rules: Sequence[Rule], extra_keywords: Iterable[str] = (), reserved_ids: Iterable[str] = ()
    ) -> None:
        seen: set[str] = set(reserved_ids)
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id} (built-in rules and detectors own their ids)")
            seen.add(rule.id)
        self._rules = tuple(compile_rule(rule) for rule in rules)
        self._always = tuple(i for i, c in enumerate(self._rules) if not c.rule.keywords)
        by_keyword: dict[str, list[int]] = {}
        for index, compiled in enumerate(self._rules):
            for keyword in compiled.rule.keywords:
                by_keyword.setdefault(keyword, []).append(index)
        self._by_keyword = {keyword: tuple(indices) for keyword, indices in by_keyword.items()}
        self._keywords = LiteralSet([*self._by_keyword, *extra_keywords])

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(compiled.rule for compiled in self._rules)

    def keywords(self, data: bytes) -> frozenset[str]:
        """The keywords (lowercase) present anywhere in ``data``, case-insensitively."""
        return self._keywords.present(data)

    def candidates(self, present: frozenset[str]) -> list[CompiledRule]:
        """Rules to run for a text with these keywords, in table order."""
        indices = set(self._always)
        for keyword in present:
            indices.update(self._by_keyword.get(keyword, ()))
        return [self._rules[i] for i in sorted(indices)]

    def find(self, enc: Encoded, present: frozenset[str]) -> list[Hit]:
        hits: list[Hit] = []
        for compiled in self.candidates(present):
            rule = compiled.rule
            for spans in compiled.regex.finditer(enc.data, compiled.group):
                start, end = spans[compiled.group]
                if start < 0 or start == end:
                    continue
                if accept_token(rule, enc.value(start, end)):
                    hits.append(Hit(rule.id, start, end, rule.score, PROVIDER_TIER))
        return hits
