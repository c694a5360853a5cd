"""One generated example per built-in secret rule, from ``tests/fixtures/secrets/provider_formats.json``.

Tokens are built at test time with a seeded ``random.Random`` (no real-looking key is stored in the repository).
Each case keeps the random parts of its token apart, so a test can check that no piece of the key material — as
opposed to a public prefix such as ``ghp_`` — reached a client.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = Path(__file__).resolve().parent.parent / "fixtures" / "secrets" / "provider_formats.json"
ALPHABETS = {
    "alnum": string.ascii_letters + string.digits,
    "letters": string.ascii_letters,
    "digits": string.digits,
    "hex": "0123456789abcdef",
    "lower_alnum": string.ascii_lowercase + string.digits,
    "upper_digit": string.ascii_uppercase + string.digits,
    "urlsafe": string.ascii_letters + string.digits + "_-",
    "b64": string.ascii_letters + string.digits + "+/",
    "b32": string.ascii_uppercase + "234567",
    "bech32": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
    "azure": string.ascii_letters + string.digits + "_~.-",
}


@dataclass(frozen=True, slots=True)
class SecretCase:
    id: str
    rule: str
    text: str
    """The fixture's template with the token in place (some rules need that context)."""
    token: str
    material: tuple[str, ...]
    """The random parts of the token: what must never reach a client."""


def _parts(rng: random.Random, spec: Any) -> list[tuple[str, bool]]:
    """``(text, is_random)`` pieces of one part of a token format."""
    if isinstance(spec, str):
        return [(spec, False)]
    if isinstance(spec, list):
        return [("".join(rng.choice(ALPHABETS[spec[1]]) for _ in range(spec[0])), True)]
    if spec["gen"] == "uuid":
        return [(str(uuid.UUID(int=rng.getrandbits(128), version=4)), True)]
    if spec["gen"] == "discord_id":
        return [(base64.b64encode(str(rng.randrange(10**17, 10**18)).encode()).decode().rstrip("="), True)]
    # A private key as a service-account file holds it: JSON-escaped newlines; the armour lines are public.
    raw = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(48 * 6))).decode()
    body = "\\n".join(raw[i : i + 64] for i in range(0, len(raw), 64))
    return [("-----BEGIN PRIVATE KEY-----\\n", False), (body, True), ("\\n-----END PRIVATE KEY-----\\n", False)]


def provider_cases() -> list[SecretCase]:
    data = json.loads(FORMATS.read_text(encoding="utf-8"))
    cases: list[SecretCase] = []
    for case in data["cases"]:
        case_id = case.get("id", case["rule"].lower().replace("_", "-"))
        rng = random.Random(f"http-{case_id}")
        parts = [piece for spec in case["token"] for piece in _parts(rng, spec)]
        token = "".join(text for text, _ in parts)
        material = tuple(text for text, is_random in parts if is_random)
        cases.append(SecretCase(case_id, case["rule"], case["template"].replace("{T}", token), token, material))
    return cases
