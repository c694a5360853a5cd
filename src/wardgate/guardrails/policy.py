"""Which guardrail rules apply to this request: the base policy, replaced by the first matching override."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from wardgate.auth.principal import Principal
from wardgate.config.guardrails import GuardrailsConfig, InputRules, Match, OutputRules, Rule


@dataclass(frozen=True, slots=True)
class ResolvedPolicy:
    input: dict[str, Rule | None]
    output: dict[str, Rule | None]
    fail_open: bool
    output_rules: OutputRules

    def categories_for(
        self, rules: dict[str, Rule | None], scanner_categories: tuple[str, ...]
    ) -> dict[str, tuple[str, ...]]:
        """Role → scanner categories that some rule (enforce or monitor) needs for texts of that role."""
        out: dict[str, tuple[str, ...]] = {}
        for role in ("system", "developer", "user", "assistant", "tool"):
            out[role] = tuple(
                c for c in scanner_categories if (rule := rules.get(c)) is not None and role in rule.roles
            )
        return out


def _matches(match: Match, route: str, principal: Principal | None) -> bool:
    if match.routes and not any(fnmatch.fnmatchcase(route, r) for r in match.routes):
        return False
    if principal is None:
        return not (match.roles or match.teams or match.keys)
    if match.roles and principal.role not in match.roles:
        return False
    if match.teams and principal.team not in match.teams:
        return False
    return not (match.keys and principal.subject not in match.keys)


def _as_dict(rules: InputRules | OutputRules) -> dict[str, Rule | None]:
    return {field.alias or name: getattr(rules, name) for name, field in type(rules).model_fields.items()}


def resolve(config: GuardrailsConfig, route: str, principal: Principal | None) -> ResolvedPolicy:
    input_rules, output_rules, fail_open = config.input, config.output, config.fail_open
    for override in config.overrides:
        if _matches(override.match, route, principal):
            input_rules = override.input or input_rules
            output_rules = override.output or output_rules
            fail_open = override.fail_open if override.fail_open is not None else fail_open
            break
    return ResolvedPolicy(_as_dict(input_rules), _as_dict(output_rules), fail_open, output_rules)
