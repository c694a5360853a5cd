"""Per-request placeholders and redaction transforms."""

from __future__ import annotations

import json

import pytest

from wardgate.guardrails import redact
from wardgate.guardrails.vault import Vault
from wardgate.policy.decide import Hit

KEY = b"k" * 32


def hit(kind: str, start: int, end: int, transform: str = "placeholder") -> Hit:
    return Hit(kind.split(".")[0], kind, "redact", "enforce", 0.9, 0, start, end, transform)  # type: ignore[arg-type]


def test_placeholders_are_consistent_and_restored() -> None:
    vault = Vault()
    text = "mail a@x.io and b@y.io, again a@x.io"
    hits = [hit("pii.EMAIL_ADDRESS", 5, 11), hit("pii.EMAIL_ADDRESS", 16, 22), hit("pii.EMAIL_ADDRESS", 30, 36)]
    out = redact.apply(text, hits, vault, KEY)
    assert out == "mail <EMAIL_ADDRESS_1> and <EMAIL_ADDRESS_2>, again <EMAIL_ADDRESS_1>"
    assert vault.restore(out) == text
    assert "a@x.io" not in repr(vault)


def test_two_vaults_never_share_values() -> None:
    first, second = Vault(), Vault()
    token = first.placeholder("EMAIL_ADDRESS", "alice@corp.example")
    assert second.restore(token) == token, "another request's vault must not restore this placeholder"


def test_restore_in_json_arguments_escapes() -> None:
    vault = Vault()
    token = vault.placeholder("PERSON", 'Bob "Bobby" O\\Neil')
    args = json.dumps({"name": token})
    assert json.loads(vault.restore(args, json_escape=True)) == {"name": 'Bob "Bobby" O\\Neil'}


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        pytest.param("mask", "id [REDACTED US_SSN] end", id="mask"),
        pytest.param("remove", "id  end", id="remove"),
        pytest.param("placeholder", "id <US_SSN_1> end", id="placeholder"),
    ],
)
def test_transforms(transform: str, expected: str) -> None:
    assert redact.apply("id 123-45-6789 end", [hit("pii.US_SSN", 3, 14, transform)], Vault(), KEY) == expected


def test_hash_is_keyed_and_stable() -> None:
    text = "id 123-45-6789 end"
    one = redact.apply(text, [hit("pii.US_SSN", 3, 14, "hash")], Vault(), KEY)
    two = redact.apply(text, [hit("pii.US_SSN", 3, 14, "hash")], Vault(), KEY)
    other = redact.apply(text, [hit("pii.US_SSN", 3, 14, "hash")], Vault(), b"z" * 32)
    assert one == two != other
    assert "123-45-6789" not in one


def test_overlapping_spans_merge() -> None:
    out = redact.apply(
        "xx secretvalue yy", [hit("secret.A", 3, 9, "mask"), hit("secret.B", 6, 14, "mask")], Vault(), KEY
    )
    assert out == "xx [REDACTED A] yy"


def test_partial_placeholder_detection() -> None:
    vault = Vault()
    vault.placeholder("EMAIL_ADDRESS", "a@b.c")
    assert vault.could_be_partial("hello <EMAIL_ADD") == len("<EMAIL_ADD")
    assert vault.could_be_partial("hello <EMAIL_ADDRESS_1>") == 0
    assert vault.could_be_partial("a < b") == 0
