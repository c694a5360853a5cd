"""Judging a candidate value: Shannon entropy, placeholders, and values that are only words or code.

Every check here is a plain function of one bounded string (callers cap lengths), using Python's ``re`` only on
patterns without nested or overlapping quantifiers, so each call is linear in the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter

MAX_VALUE_CHARS = 1024
"""Values longer than this are judged on their first ``MAX_VALUE_CHARS`` characters."""

TOKEN_MARKERS = ("example", "xxxxx", "placeholder", "redacted", "replace", "dummy", "<", ">", "*", "...")
"""Substrings (lowercase) that make a provider-shaped token a documentation placeholder. Real tokens are random,
so the chance that one contains a 5+ letter marker is negligible."""

VALUE_MARKERS = (
    *TOKEN_MARKERS,
    "your_",
    "your-",
    "yourapi",
    "yourtoken",
    "yourpass",
    "yoursecret",
    "yourkey",
    "${",
    "{{",
    "}}",
    "%(",
    "os.environ",
    "getenv(",
    "process.env",
    "env(",
    "env[",
    "secrets.",
    "vault(",
    "changeme",
    "change_me",
    "change-me",
    "replace_me",
    "replaceme",
    "insert_",
    "insert-",
    "_here",
    "-here",
    "lorem",
    "fixme",
    "todo",
    "passw",
    "fake",
    "sample",
    "..",
    "…",
)
"""Markers for values of generic assignments and connection-string passwords (lowercase substrings)."""

PLACEHOLDER_VALUES = frozenset(
    {
        "password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "key", "example", "sample",
        "test", "testing", "dummy", "placeholder", "redacted", "none", "null", "nil", "undefined", "true", "false",
        "yes", "no", "on", "off", "empty", "default", "admin", "root", "guest", "user", "username", "changeit",
        "letmein", "qwerty", "123456", "1234567", "12345678", "123456789", "1234567890", "abc123", "abcdef",
        "password1", "password123", "p@ssw0rd", "p@ssword", "passw0rd", "secret123", "mypassword", "mysecret",
        "s3cr3t", "foobar", "foo", "bar", "baz", "required", "optional", "string", "str", "value", "hidden",
    }
)  # fmt: skip
"""Whole values (lowercase, quotes stripped) that are placeholders or documentation defaults, never real secrets."""

_SHELL_OR_TEMPLATE = re.compile(
    r"""^(?:\$[A-Za-z_{(]|%[A-Za-z_]\w*%$|%s$|%\(|\{[A-Za-z_][\w.]*\}$|<[^<>]*>$|\[[A-Za-z_ \-]*\]$|:[a-z_]+$)"""
)
"""Shell/env references ($VAR, ${VAR}, $(cmd)), %VAR%, %s, %(x)s, {var}, <token>, [PASSWORD], :symbol."""
_CODE_REFERENCE = re.compile(
    r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(\))?$|^[A-Za-z_]\w*\(.*\)$|^[A-Z][A-Z0-9]*_[A-Z0-9_]+$"
)
"""Unquoted code: attribute chains (settings.SECRET_KEY), calls (get_password()), CONSTANT_NAMES."""
_FILE_PATH = re.compile(
    r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\)|\.(?:pem|key|crt|cer|p12|pfx|jks|json|ya?ml|txt|env|ini|conf)$"
)
_CAMEL_PIECES = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_VOWELS = "aeiouyAEIOUY"
_CONSONANT_RUN = re.compile(r"[b-df-hj-np-tv-xzB-DF-HJ-NP-TV-XZ]{5}")


def _alternation(literals: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(literal) for literal in literals))


def _ascending_windows(length: int) -> re.Pattern[str]:
    runs = ("0123456789", "abcdefghijklmnopqrstuvwxyz")
    return _alternation(tuple(run[i : i + length] for run in runs for i in range(len(run) - length + 1)))


_TOKEN_MARKER = _alternation(TOKEN_MARKERS)
_VALUE_MARKER = _alternation(VALUE_MARKERS)
_TOKEN_REPEAT = re.compile(r"(.)\1{5}", re.DOTALL)
"""6+ identical characters in a row."""
_VALUE_REPEAT = re.compile(r"(.)\1{4}", re.DOTALL)
_TOKEN_SEQUENCE = _ascending_windows(10)
_VALUE_SEQUENCE = _ascending_windows(8)
_WORD_CHARS = re.compile(r"[A-Za-z_\-. ]+")


def shannon_entropy(value: str) -> float:
    """Shannon entropy in bits per character of the value's own character distribution."""
    if not value:
        return 0.0
    size = len(value)
    counts = Counter(value).values() if size > 128 else [value.count(ch) for ch in set(value)]
    return math.log2(size) - sum(n * math.log2(n) for n in counts) / size


def looks_like_words(value: str) -> bool:
    """Letters only (with ``_ - . space`` separators) that read as words or an identifier made of words:
    ``SalesResults``, ``getPagesInConfluenceSpace``, ``insert key here``, ``AutoTokenizer``.

    Each camelCase/snake_case piece must be a word (``[A-Z]?[a-z]{2,}``) or a short acronym (at most 5 capitals,
    at most a third of the pieces); at least a quarter of the letters are vowels and no 5 consonants run together.
    Random letters fail: mixed case breaks into 1-letter pieces and long capital runs, and long random runs lack
    vowels (about 0.04% of random 34-letter mixed-case strings pass).
    """
    if not _WORD_CHARS.fullmatch(value):
        return False
    pieces = _CAMEL_PIECES.findall(value)
    if not pieces:
        return True
    if len(pieces) == 1 and pieces[0].isupper() and len(pieces[0]) > 12:
        return False  # one long run of capitals is a random token (AKIA...), not a word
    acronyms = [piece for piece in pieces if piece.isupper()]
    if len(pieces) > 1 and (any(len(a) > 5 for a in acronyms) or len(acronyms) * 3 > len(pieces)):
        return False
    if any(len(piece) < 2 for piece in pieces if not piece.isupper()):
        return False
    letters = sum(len(piece) for piece in pieces)
    if letters < 3 * len(pieces) or sum(value.count(vowel) for vowel in _VOWELS) * 4 < letters:
        return False
    return not _CONSONANT_RUN.search(value)


def is_placeholder_token(token: str) -> bool:
    """A provider-shaped token that is documentation, not a credential: markers such as ``EXAMPLE`` or ``xxxxx``,
    a run of 6+ identical characters, or 10+ ascending letters or digits (``abcdefghij``, ``0123456789``)."""
    lowered = token[:MAX_VALUE_CHARS].lower()
    return bool(_TOKEN_MARKER.search(lowered) or _TOKEN_REPEAT.search(lowered) or _TOKEN_SEQUENCE.search(lowered))


def is_placeholder_value(value: str) -> bool:
    """A value of an assignment or a URL password that stands for a secret instead of being one."""
    stripped = value[:MAX_VALUE_CHARS].strip()
    lowered = stripped.lower()
    if not stripped or lowered in PLACEHOLDER_VALUES:
        return True
    if len(set(lowered)) <= 2 or _VALUE_MARKER.search(lowered) or _SHELL_OR_TEMPLATE.search(stripped):
        return True
    return bool(_VALUE_REPEAT.search(lowered) or _VALUE_SEQUENCE.search(lowered))


def is_code_reference(value: str) -> bool:
    """An unquoted value that is code, not a literal: ``settings.SECRET``, ``get_token()``, ``API_KEY_ENV``."""
    return bool(_CODE_REFERENCE.search(value))


def is_file_path(value: str) -> bool:
    return bool(_FILE_PATH.search(value))
