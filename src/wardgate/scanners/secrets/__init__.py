"""Secrets in prompts and answers: provider keys, private keys, JWTs, passwords in URLs and assignments.

``SecretScanner().scan(text, ctx)`` returns ``Finding("secret.<ID>", start, end, score)`` spans over the secret
itself, ready for redaction. Extra provider formats can be added as :class:`Rule` rows.
"""

from __future__ import annotations

from wardgate.scanners.secrets.rule import Rule
from wardgate.scanners.secrets.scanner import SecretScanner

__all__ = ["Rule", "SecretScanner"]
