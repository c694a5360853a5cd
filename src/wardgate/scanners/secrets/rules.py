"""The built-in provider rule table, assembled from the per-family files.

Structural detectors (PEM private keys, JWTs, connection strings, generic assignments) are code, not rows here:
they validate what they match (decode a JWT header, pair BEGIN/END lines, judge a value's entropy).
"""

from __future__ import annotations

from collections import Counter

from wardgate.scanners.secrets.rule import Rule
from wardgate.scanners.secrets.rules_cloud import CI, CLOUD, REGISTRIES, VCS
from wardgate.scanners.secrets.rules_services import AI, MESSAGING, OBSERVABILITY, OTHER, PAYMENT

BUILTIN_RULES: tuple[Rule, ...] = (*CLOUD, *VCS, *CI, *REGISTRIES, *PAYMENT, *MESSAGING, *AI, *OBSERVABILITY, *OTHER)


def rule_counts() -> dict[str, int]:
    """Number of built-in provider rules per family."""
    return dict(Counter(rule.family for rule in BUILTIN_RULES))
