"""CRYPTO: Bitcoin and Ethereum wallet addresses, validated by their checksums.

* Bitcoin base58check (P2PKH ``1…``, P2SH ``3…``) and bech32 segwit v0 (``bc1q…``): ``stdnum.bitcoin``. 0.95.
* Bitcoin bech32m, segwit v1+ (taproot ``bc1p…``, BIP-350): stdnum checks only the bech32 constant, so this check
  is written by hand on top of stdnum's ``bech32_checksum`` and ``b32decode``. 0.95.
* Ethereum ``0x`` + 40 hex digits. Mixed case carries the EIP-55 checksum, verified with a hand-written
  Keccak-256 (:mod:`._keccak`; hashlib has only SHA3): valid 0.95, invalid rejected. All-lower or all-upper case
  carries no checksum: 0.6 (format only).

A word like "wallet", "bitcoin" or "ETH" nearby adds 0.1.
"""

from __future__ import annotations

import re

from stdnum import bitcoin
from stdnum.exceptions import ValidationError

from wardgate.scanners.pii._keccak import keccak
from wardgate.scanners.pii.recognizer import ContextWords, PatternRecognizer, Rule, Verdict

CHECKSUM_SCORE = 0.95
FORMAT_ONLY_SCORE = 0.6

_BASE58 = re.compile(r"(?<![0-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![0-9A-Za-z])")
_BECH32 = re.compile(r"(?<![0-9A-Za-z])(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{8,87}(?![0-9A-Za-z])")
_ETHEREUM = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")

_BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONSTANT = 0x2BC830A3
_HRP_EXPANDED = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]

CONTEXT = ContextWords.of(
    "bitcoin", "btc", "wallet", "crypto", "address", "ethereum", "eth", "send", "satoshi", "wallet address",
    "adresse", "dirección", "indirizzo", "adres",
)  # fmt: skip


def check_base58(candidate: str) -> Verdict | None:
    return Verdict(len(candidate), CHECKSUM_SCORE) if bitcoin.is_valid(candidate) else None


def _bech32m_valid(address: str) -> bool:
    data = [_BECH32_ALPHABET.index(c) for c in address[3:]]
    if len(data) < 7 or bitcoin.bech32_checksum(_HRP_EXPANDED + data) != _BECH32M_CONSTANT:
        return False
    if not 1 <= data[0] <= 16:
        return False
    try:
        program = bitcoin.b32decode(data[1:-6])
    except ValidationError:
        return False
    return 2 <= len(program) <= 40


def check_bech32(candidate: str) -> Verdict | None:
    if candidate != candidate.lower() and candidate != candidate.upper():
        return None  # BIP-173: mixed case is invalid
    address = candidate.lower()
    segwit_v0 = address[3] == "q"
    valid = bitcoin.is_valid(address) if segwit_v0 else _bech32m_valid(address)
    return Verdict(len(candidate), CHECKSUM_SCORE) if valid else None


def eip55(address_hex: str) -> str:
    """``address_hex`` (40 hex digits) with the EIP-55 checksum capitalisation."""
    lower = address_hex.lower()
    digest = keccak(lower.encode("ascii")).hex()
    return "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(lower))


def check_ethereum(candidate: str) -> Verdict | None:
    body = candidate[2:]
    if body == body.lower() or body == body.upper():
        return Verdict(len(candidate), FORMAT_ONLY_SCORE)
    return Verdict(len(candidate), CHECKSUM_SCORE) if eip55(body) == body else None


RECOGNIZER = PatternRecognizer(
    "crypto",
    (
        Rule("CRYPTO", _BASE58, check_base58, CONTEXT),
        Rule("CRYPTO", _BECH32, check_bech32, CONTEXT),
        Rule("CRYPTO", _ETHEREUM, check_ethereum, CONTEXT),
    ),
)
