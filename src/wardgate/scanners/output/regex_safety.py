"""Static checks that keep a user-supplied regular expression cheap to run.

A backtracking engine (Python's ``re``) can take exponential time on patterns such as ``(a+)+$``. These checks run
at compile time and return a *reason* (never the pattern itself) when a pattern uses a construct we refuse:

* nested quantifiers — a group that contains a variable repetition and is itself repeated (``(a+)+``, ``(\\w+\\s?)*``,
  ``(.*a){20}``): the classic catastrophic-backtracking shape;
* backreferences (``\\1``, ``(?P=name)``) and conditionals (``(?(1)…)``): not regular, and not supported by RE2;
* lookaround (``(?=…)``, ``(?<!…)``), atomic groups and possessive quantifiers: not supported by RE2, so a policy
  using them would load on one host and fail on another.

The check is conservative: it refuses some patterns that are harmless (``\\d+(,\\d+)*``). It does not catch every
super-linear pattern (ambiguous alternation such as ``(a|aa)+``, or polynomial ``.*x.*y.*z``); running under RE2 is
the complete answer, and :mod:`wardgate.scanners.output.deny` uses RE2 when it is installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_COUNTED = re.compile(r"\{(\d{0,6})(?:(,)(\d{0,6}))?\}")
_FLAGS = re.compile(r"\(\?[aiLmsux-]+([:)])")
_NAMED = re.compile(r"\(\?P<[^>\n]{0,200}>")

_LOOKAROUND = ("(?=", "(?!", "(?<=", "(?<!")
_DIGITS = frozenset("123456789")


@dataclass(slots=True)
class _Scan:
    stack: list[bool] = field(default_factory=list)
    inner: bool = False
    """The current group contains a variable repetition."""
    last_group: bool | None = None
    """The previous atom was a group: did it contain a variable repetition? (``None``: not a group.)"""


def unsafe_reason(pattern: str, *, nested: bool = True, lookaround: bool = False) -> str | None:
    """Why ``pattern`` is refused, or ``None``. ``nested``: refuse nested quantifiers; ``lookaround``: allow it."""
    scan = _Scan()
    i = 0
    while i < len(pattern):
        char = pattern[i]
        reason: str | None = None
        if char == "(":
            reason, i, opens = _open_group(pattern, i, lookaround=lookaround)
            if opens:
                scan.stack.append(scan.inner)
                scan.inner = False
            scan.last_group = None
        elif char == ")":
            group_inner = scan.inner
            scan.inner = (scan.stack.pop() if scan.stack else False) or group_inner
            i, scan.last_group = i + 1, group_inner
        elif (quant := _quantifier(pattern, i)) is not None:
            reason, i = _repeat(pattern, i, quant, scan, nested=nested)
        else:
            reason, i = _atom(pattern, i)
            scan.last_group = None
        if reason is not None:
            return reason
    return None


def _atom(pattern: str, i: int) -> tuple[str | None, int]:
    if pattern[i] == "\\":
        if pattern[i + 1 : i + 2] in _DIGITS:
            return "backreference", i
        return None, i + 2
    if pattern[i] == "[":
        return None, _skip_class(pattern, i)
    return None, i + 1


def _repeat(
    pattern: str, i: int, quant: tuple[int, int | None, int], scan: _Scan, *, nested: bool
) -> tuple[str | None, int]:
    low, high, length = quant
    after = i + length
    if pattern[after : after + 1] == "+":
        return "possessive quantifier", after
    if pattern[after : after + 1] == "?":
        after += 1
    if nested and scan.last_group and (high is None or high > 1):
        return "nested quantifier (a repeated group that itself contains a repetition)", after
    if high is None or low != high:
        scan.inner = True
    scan.last_group = None
    return None, after


def _skip_class(pattern: str, i: int) -> int:
    """Index just past the character class that starts at ``pattern[i] == "["``."""
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    while j < len(pattern):
        if pattern[j] == "\\":
            j += 2
            continue
        if pattern[j] == "]":
            return j + 1
        j += 1
    return j


def _open_group(pattern: str, i: int, *, lookaround: bool) -> tuple[str | None, int, bool]:
    """``(reason, next index, whether a group was opened)`` for the ``(`` at ``pattern[i]``."""
    head = pattern[i : i + 4]
    if not head.startswith("(?"):
        return None, i + 1, True
    if head.startswith("(?P="):
        return "backreference", i, False
    if head.startswith("(?("):
        return "conditional group", i, False
    if head.startswith("(?>"):
        return "atomic group", i, False
    if head.startswith(_LOOKAROUND):
        if not lookaround:
            return "lookaround", i, False
        return None, i + (4 if head.startswith("(?<") else 3), True
    if head.startswith("(?#"):
        close = pattern.find(")", i)
        return None, len(pattern) if close < 0 else close + 1, False
    if head.startswith("(?:"):
        return None, i + 3, True
    if named := _NAMED.match(pattern, i):
        return None, named.end(), True
    if flags := _FLAGS.match(pattern, i):
        return None, flags.end(), flags.group(1) == ":"
    return None, i + 2, True


def _quantifier(pattern: str, i: int) -> tuple[int, int | None, int] | None:
    """``(min, max or None for unbounded, length)`` when a quantifier starts at ``pattern[i]``."""
    char = pattern[i]
    if char == "*":
        return 0, None, 1
    if char == "+":
        return 1, None, 1
    if char == "?":
        return 0, 1, 1
    if char != "{":
        return None
    counted = _COUNTED.match(pattern, i)
    if counted is None:
        return None
    low = int(counted.group(1) or 0)
    if counted.group(2) is None:
        return low, low, counted.end() - i
    high = int(counted.group(3)) if counted.group(3) else None
    return low, high, counted.end() - i
