"""API key format and keyed hashing."""

from __future__ import annotations

import hashlib

import pytest

from wardgate.auth.keys import format_key, hash_key, new_key_id, new_secret, parse_key, verify_key


def test_round_trip_and_verify() -> None:
    key_id, secret = new_key_id(), new_secret()
    raw = format_key(key_id, secret)
    parsed = parse_key(raw)
    assert parsed is not None
    assert (parsed.key_id, parsed.secret) == (key_id, secret)
    stored = hash_key(b"server-secret", key_id, secret)
    assert verify_key(b"server-secret", parsed, stored)
    assert not verify_key(b"other-secret", parsed, stored), "the hash is keyed by the server secret"
    assert stored != hashlib.sha256(raw.encode()).hexdigest()
    assert secret not in repr(parsed)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("sk-" + "a" * 48, id="openai-style"),
        pytest.param("wg-0123456789abcdef-" + "a" * 39, id="short-secret"),
        pytest.param("wg-0123456789ABCDEF-" + "a" * 40, id="uppercase-id"),
        pytest.param("wg-0123456789abcdef-" + "a" * 39 + "-", id="dash-in-secret"),
        pytest.param("wg-0123456789abcdef-" + "a" * 40 + "\n", id="trailing-newline"),
        pytest.param("wg-0123456789abcdef-" + "a" * 40 + "-x", id="extra-segment"),
    ],
)
def test_malformed_keys_do_not_parse(raw: str) -> None:
    assert parse_key(raw) is None


def test_secrets_are_distinct() -> None:
    assert len({new_secret() for _ in range(1000)}) == 1000
