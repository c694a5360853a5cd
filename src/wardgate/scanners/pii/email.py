"""EMAIL_ADDRESS: ``local@domain.tld`` with a letters-only top-level domain.

Written by hand: the candidate regex and the structural checks (no leading, trailing or doubled dots in the local
part; domain labels of letters, digits and inner hyphens; a TLD of two or more letters). No checksum exists, so a
well-formed address scores 0.9 and 1.0 next to a word like "email". Only plain ASCII addresses are recognized.

Linear time: the local part may not start inside a run of local-part characters (the look-behind), so a long run
without an ``@`` is scanned once, not once per starting position; every repetition is bounded.
"""

from __future__ import annotations

import re

from wardgate.scanners.pii.recognizer import ContextWords, PatternRecognizer, Rule, Verdict

_LOCAL = r"[A-Za-z0-9._%+-]"
_PATTERN = re.compile(
    rf"(?<!{_LOCAL})(?<![@/])"
    rf"{_LOCAL}{{1,64}}@[A-Za-z0-9-]{{1,63}}(?:\.[A-Za-z0-9-]{{1,63}}){{1,8}}"
    r"(?![A-Za-z0-9@])"
)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,24}")

SCORE = 0.9
CONTEXT = ContextWords.of("email", "e-mail", "mail", "contact", "courriel", "correo", "posta", "adres")


def check(candidate: str) -> Verdict | None:
    """Accept ``candidate`` (trailing ``.`` or ``-`` trimmed, as in "write to a@b.com.") if it is well formed."""
    trimmed = candidate.rstrip(".-")
    local, _, domain = trimmed.partition("@")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not _TLD.fullmatch(labels[-1]):
        return None
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return Verdict(len(trimmed), SCORE)


RECOGNIZER = PatternRecognizer("email", (Rule("EMAIL_ADDRESS", _PATTERN, check, CONTEXT),))
