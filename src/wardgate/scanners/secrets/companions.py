"""Secrets recognised by what is next to them: an AWS secret access key near its access key id.

A secret access key is 40 base64 characters with no prefix, so on its own it looks like any random string. Next
to an access key id (``AKIA...``/``ASIA...``) — a credentials file, an ``export`` block, a pasted console page —
it is the other half of the credential. Candidates within ``WINDOW_BYTES`` of a reported key id are reported when
they mix upper case, lower case and digits (which rules out hex digests and git SHAs) with >= 4.0 bits of entropy.
"""

from __future__ import annotations

from bisect import bisect_left

from wardgate.scanners.secrets._re2 import Regex
from wardgate.scanners.secrets.text import Encoded, Hit
from wardgate.scanners.secrets.values import is_placeholder_token, shannon_entropy

RULE_ID = "AWS_SECRET_KEY"
KEY_ID_RULE = "AWS_ACCESS_KEY"
WINDOW_BYTES = 256
MIN_ENTROPY = 4.0
_CANDIDATE = r"(?:^|[^A-Za-z0-9/+])(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"


def _mixed(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value)


class AwsSecretPairing:
    def __init__(self) -> None:
        self._regex = Regex(_CANDIDATE)
        self._group = self._regex.group_index("secret") or 0

    def find(self, enc: Encoded, hits: list[Hit]) -> list[Hit]:
        """Secret keys near the ``AWS_ACCESS_KEY`` hits already found (one linear pass, only when there are any)."""
        anchors = sorted(hit.start for hit in hits if hit.rule_id == KEY_ID_RULE)
        if not anchors:
            return []
        found: list[Hit] = []
        for spans in self._regex.finditer(enc.data, self._group):
            start, end = spans[self._group]
            i = bisect_left(anchors, start - WINDOW_BYTES)
            if i == len(anchors) or anchors[i] > end + WINDOW_BYTES:
                continue
            value = enc.value(start, end)
            if _mixed(value) and shannon_entropy(value) >= MIN_ENTROPY and not is_placeholder_token(value):
                found.append(Hit(RULE_ID, start, end, 0.9, 0))
        return found
