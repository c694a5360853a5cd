"""PII scanner: exact spans for every entity, near-misses that must not fire, languages, overlaps, NER absent."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from stdnum import iban, luhn
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.iso7064 import mod_11_10
from stdnum.it import codicefiscale
from stdnum.nl import bsn

from wardgate.scanners.base import Finding, ScanContext
from wardgate.scanners.pii import DEFAULT_MIN_SCORE, PiiScanner
from wardgate.scanners.pii import ner as ner_module
from wardgate.scanners.pii._keccak import keccak
from wardgate.scanners.pii.crypto import eip55
from wardgate.scanners.pii.ner import NerRecognizer, NerUnavailableError
from wardgate.scanners.pii.phone import PhoneRecognizer
from wardgate.scanners.pii.registry import supported_entities

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pii"
CTX = ScanContext()
SCANNER = PiiScanner()


def _bsn(prefix: str) -> str:
    """The first valid BSN that starts with the eight digits ``prefix``."""
    return next(prefix + d for d in "0123456789" if bsn.is_valid(prefix + d))


# Valid identifiers made with the libraries' own check-digit functions (no real person's numbers).
CARD_VISA = "4111111111111111"  # the public Visa test number
CARD_GENERATED = "4556" + "73710435" + "123" + luhn.calc_check_digit("455673710435123")
IBAN_DE = "DE89370400440532013000"  # the public German IBAN example
IBAN_GENERATED = "NL" + iban.calc_check_digits("NLxxABNA0417164300") + "ABNA0417164300"
IDNR = "1234567891" + mod_11_10.calc_check_digit("1234567891")
NIR = "1840675123456" + nir.calc_check_digits("1840675123456")
DNI = "23456789" + dni.calc_check_digit("23456789")
NIE = "Y1234567" + nie.calc_check_digit("Y1234567")
CODICE = "RSSMRA85T10A562" + codicefiscale.calc_check_digit("RSSMRA85T10A562")
BSN = _bsn("12345678")
ETH = "0x" + eip55("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")


def found(text: str, scanner: PiiScanner = SCANNER) -> list[tuple[str, str]]:
    return [(f.type, text[f.start : f.end]) for f in scanner.scan(text, CTX)]


def span_of(text: str, value: str) -> tuple[int, int]:
    start = text.index(value)
    return start, start + len(value)


POSITIVES = [
    # EMAIL_ADDRESS
    pytest.param("Write to jane.doe@example.com today", "EMAIL_ADDRESS", "jane.doe@example.com", id="email-plain"),
    pytest.param("<ops+alerts@mail.example.co.uk>", "EMAIL_ADDRESS", "ops+alerts@mail.example.co.uk", id="email-tag"),
    pytest.param("Schreiben Sie an max.mustermann@beispiel.de.", "EMAIL_ADDRESS", "max.mustermann@beispiel.de",
                 id="email-de-trailing-dot"),
    pytest.param("'UshurmaD@rhyta.com'", "EMAIL_ADDRESS", "UshurmaD@rhyta.com", id="email-quoted"),
    # PHONE_NUMBER
    pytest.param("Call +1 202 456 1111 now.", "PHONE_NUMBER", "+1 202 456 1111", id="phone-us-intl"),
    pytest.param("Office: +44 20 7946 0958.", "PHONE_NUMBER", "+44 20 7946 0958", id="phone-gb-intl"),
    pytest.param("call 020 7946 0958 today", "PHONE_NUMBER", "020 7946 0958", id="phone-gb-national"),
    pytest.param("Telefon: 030 901820", "PHONE_NUMBER", "030 901820", id="phone-de"),
    pytest.param("Ruf mich an unter 0171 1234567.", "PHONE_NUMBER", "0171 1234567", id="phone-de-mobile"),
    pytest.param("Tél. : 06 12 34 56 78", "PHONE_NUMBER", "06 12 34 56 78", id="phone-fr"),
    pytest.param("Mi teléfono es 612 345 678.", "PHONE_NUMBER", "612 345 678", id="phone-es"),
    pytest.param("Chiamami al 06 6988 1234.", "PHONE_NUMBER", "06 6988 1234", id="phone-it"),
    pytest.param("Bel me op 06-12345678.", "PHONE_NUMBER", "06-12345678", id="phone-nl"),
    pytest.param("Desk: (898)666-3621x0135", "PHONE_NUMBER", "(898)666-3621x0135", id="phone-extension"),
    pytest.param("Ruf an: 0049 30 901820", "PHONE_NUMBER", "0049 30 901820", id="phone-00-prefix"),
    pytest.param("0171 1234567 ist meine Handynummer", "PHONE_NUMBER", "0171 1234567", id="phone-at-text-start"),
    pytest.param("id 12345678901234567890, tel +49 30 901820", "PHONE_NUMBER", "+49 30 901820",
                 id="phone-after-long-digit-run"),
    # CREDIT_CARD
    pytest.param(f"card {CARD_VISA}", "CREDIT_CARD", CARD_VISA, id="card-visa-test-number"),
    pytest.param("pay with 4111 1111 1111 1111 please", "CREDIT_CARD", "4111 1111 1111 1111", id="card-spaced"),
    pytest.param("MC 5555-5555-5555-4444.", "CREDIT_CARD", "5555-5555-5555-4444", id="card-mastercard-dashed"),
    pytest.param("Amex 3782 822463 10005", "CREDIT_CARD", "3782 822463 10005", id="card-amex-grouped"),
    pytest.param("Diners 30569309025904", "CREDIT_CARD", "30569309025904", id="card-diners"),
    pytest.param("2-series 2223003122003222", "CREDIT_CARD", "2223003122003222", id="card-mastercard-2series"),
    pytest.param("JCB 3530111333300000", "CREDIT_CARD", "3530111333300000", id="card-jcb"),
    pytest.param(f"Kreditkarte {CARD_GENERATED}", "CREDIT_CARD", CARD_GENERATED, id="card-generated-luhn"),
    # IBAN_CODE
    pytest.param(f"IBAN: {IBAN_DE}", "IBAN_CODE", IBAN_DE, id="iban-de-compact"),
    pytest.param("Konto DE89 3704 0044 0532 0130 00.", "IBAN_CODE", "DE89 3704 0044 0532 0130 00",
                 id="iban-de-grouped"),
    pytest.param("GB82 WEST 1234 5698 7654 32", "IBAN_CODE", "GB82 WEST 1234 5698 7654 32", id="iban-gb"),
    pytest.param("virement FR14 2004 1010 0505 0001 3M02 606", "IBAN_CODE", "FR14 2004 1010 0505 0001 3M02 606",
                 id="iban-fr"),
    pytest.param(f"my iban is {IBAN_GENERATED.lower()}", "IBAN_CODE", IBAN_GENERATED.lower(), id="iban-lowercase"),
    pytest.param("BE71 0961 2345 6769 from here", "IBAN_CODE", "BE71 0961 2345 6769", id="iban-word-after-group"),
    # CRYPTO
    pytest.param("btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "CRYPTO", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
                 id="btc-p2pkh"),
    pytest.param("to 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "CRYPTO", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                 id="btc-p2sh"),
    pytest.param("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "CRYPTO", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
                 id="btc-bech32-upper"),
    pytest.param("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "CRYPTO",
                 "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", id="btc-taproot-bech32m"),
    pytest.param(f"wallet {ETH}", "CRYPTO", ETH, id="eth-eip55"),
    pytest.param("eth 0xde709f2102306220921060314715629080e2fb77", "CRYPTO",
                 "0xde709f2102306220921060314715629080e2fb77", id="eth-lowercase"),
    # IP_ADDRESS
    pytest.param("server 192.168.1.20 is down", "IP_ADDRESS", "192.168.1.20", id="ipv4"),
    pytest.param("client_ip = ?|106.31.73.20|", "IP_ADDRESS", "106.31.73.20", id="ipv4-in-sql"),
    pytest.param("host 2001:db8::8a2e:370:7334.", "IP_ADDRESS", "2001:db8::8a2e:370:7334", id="ipv6"),
    pytest.param("mapped ::ffff:192.0.2.128 here", "IP_ADDRESS", "::ffff:192.0.2.128", id="ipv6-mapped-v4"),
    # US_SSN
    pytest.param("SSN: 536-90-4399", "US_SSN", "536-90-4399", id="ssn-dashed"),
    pytest.param("my social security number is 078-05-1121", "US_SSN", "078-05-1121", id="ssn-phrase"),
    pytest.param("ssn 536904399", "US_SSN", "536904399", id="ssn-bare-with-context"),
    # UK_NINO
    pytest.param("NI number: AB 12 34 56 C", "UK_NINO", "AB 12 34 56 C", id="nino-spaced"),
    pytest.param("National Insurance JG103759A.", "UK_NINO", "JG103759A", id="nino-compact"),
    # DE_TAX_ID
    pytest.param("Steuer-ID: 36 574 261 809", "DE_TAX_ID", "36 574 261 809", id="de-idnr-grouped"),
    pytest.param(f"Meine Steueridentifikationsnummer lautet {IDNR}.", "DE_TAX_ID", IDNR, id="de-idnr-generated"),
    # FR_NIR
    pytest.param("NIR 2 95 10 99 126 111 93", "FR_NIR", "2 95 10 99 126 111 93", id="fr-nir-spaced"),
    pytest.param("sécurité sociale : 253072B07300470", "FR_NIR", "253072B07300470", id="fr-nir-corsica"),
    pytest.param(f"numéro {NIR}", "FR_NIR", NIR, id="fr-nir-generated"),
    # ES_NIF / ES_NIE
    pytest.param("Mi DNI es 12345678Z.", "ES_NIF", "12345678Z", id="es-dni"),
    pytest.param(f"NIF {DNI[:8]}-{DNI[8]}", "ES_NIF", f"{DNI[:8]}-{DNI[8]}", id="es-dni-generated-dashed"),
    pytest.param("NIE X2482300W", "ES_NIE", "X2482300W", id="es-nie"),
    pytest.param(f"extranjero {NIE}", "ES_NIE", NIE, id="es-nie-generated"),
    # IT_FISCAL_CODE
    pytest.param("codice fiscale RCCMNL83S18D969H", "IT_FISCAL_CODE", "RCCMNL83S18D969H", id="it-cf"),
    pytest.param(f"CF: {CODICE.lower()}", "IT_FISCAL_CODE", CODICE.lower(), id="it-cf-generated-lowercase"),
    # NL_BSN
    pytest.param("BSN 111222333", "NL_BSN", "111222333", id="nl-bsn"),
    pytest.param("burgerservicenummer: 1112.22.333", "NL_BSN", "1112.22.333", id="nl-bsn-dotted"),
    pytest.param(f"Mijn BSN is {BSN}.", "NL_BSN", BSN, id="nl-bsn-generated"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "entity", "value"), POSITIVES)
def test_positive_exact_span(text: str, entity: str, value: str) -> None:
    findings = SCANNER.scan(text, CTX)
    assert [(f.type, (f.start, f.end)) for f in findings] == [(entity, span_of(text, value))]
    assert all(DEFAULT_MIN_SCORE <= f.score <= 1.0 for f in findings)


NEGATIVES = [
    pytest.param("card 4111111111111112", id="card-luhn-invalid"),
    pytest.param("card 4111 1111 1111 1112", id="card-luhn-invalid-spaced"),
    pytest.param("card " + "9" + "11111111111111" + luhn.calc_check_digit("911111111111111"), id="card-unknown-iin"),
    pytest.param("card 0000000000000000", id="card-all-zeros"),
    pytest.param("IBAN DE88370400440532013000", id="iban-wrong-check-digits"),
    pytest.param("IBAN DE89 3704 0044 0532 0130 01", id="iban-grouped-wrong-digit"),
    pytest.param("SSN 000-12-3456", id="ssn-area-000"),
    pytest.param("SSN 666-12-3456", id="ssn-area-666"),
    pytest.param("SSN 912-34-5678", id="ssn-area-9xx"),
    pytest.param("SSN 123-00-4567", id="ssn-group-00"),
    pytest.param("SSN 123-45-0000", id="ssn-serial-0000"),
    pytest.param("SSN 078-05-1120", id="ssn-woolworth-wallet"),
    pytest.param("BSN 111222334", id="bsn-invalid"),
    pytest.param("reference 123456780 and 314159265", id="random-nine-digits"),
    pytest.param("Order number 123456789 shipped", id="order-number"),
    pytest.param("id 123e4567-e89b-12d3-a456-426614174000", id="uuid"),
    pytest.param("sha1 9fceb02d0ae598e95dc970b74764f55a6f3d8d3a", id="sha1"),
    pytest.param("sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", id="sha256"),
    pytest.param("on 2024-03-12 at 14:30:15", id="iso-date-time"),
    pytest.param("due 12/03/2024 or 12.03.2024", id="dates"),
    pytest.param("costs $1,234.56 or 1 234 567,89 zł", id="prices"),
    pytest.param("upgraded to version 1.2.3.4", id="version-string"),
    pytest.param("wardgate v1.2.3.4 released", id="v-prefixed-version"),
    pytest.param("firmware 10.0.0.1 installed", id="firmware-version"),
    pytest.param("address 256.1.1.1 or 1.2.3.4.5", id="ipv4-out-of-range"),
    pytest.param("MAC 00:1A:2B:3C:4D:5E at 10:20:30; std::vector<int>", id="mac-time-cpp"),
    pytest.param("btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", id="btc-bad-checksum"),
    pytest.param("bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", id="bech32-mixed-case"),
    pytest.param("eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", id="eth-bad-eip55"),
    pytest.param("NINO GB123456A and QQ123456C", id="nino-unallocated-prefix"),
    pytest.param("NIR 2 95 10 99 126 111 99", id="nir-bad-key"),
    pytest.param("DNI 12345678A", id="dni-wrong-letter"),
    pytest.param("NIE X2482300A", id="nie-wrong-letter"),
    pytest.param("codice fiscale RCCMNL83S18D969X", id="cf-wrong-check"),
    pytest.param("Steuer-ID 36574261890", id="idnr-bad-check"),
    pytest.param("user@localhost, a..b@example.com, docs/@types/node", id="not-emails"),
    pytest.param("ISBN 978-3-16-148410-0, EAN 4006381333931", id="isbn-ean"),
    pytest.param("tel 0301234567890123456789", id="digit-run-too-long-for-a-phone"),
    pytest.param("Das kostet 1.299,00 € bis zum 31.12.2025.", id="german-price-date"),
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_near_miss_does_not_fire(text: str) -> None:
    assert found(text) == []


def test_hard_negative_document_is_clean() -> None:
    text = (FIXTURES / "hard_negatives.txt").read_text(encoding="utf-8")
    assert found(text) == []


def test_multilingual_document() -> None:
    text = (FIXTURES / "multilingual.txt").read_text(encoding="utf-8")
    assert sorted(found(text)) == sorted(
        [
            ("EMAIL_ADDRESS", "anna.schmidt@beispiel.de"),
            ("PHONE_NUMBER", "030 901820"),
            ("DE_TAX_ID", "36 574 261 809"),
            ("IBAN_CODE", "DE89 3704 0044 0532 0130 00"),
            ("PHONE_NUMBER", "06 12 34 56 78"),
            ("FR_NIR", "2 95 10 99 126 111 93"),
            ("ES_NIF", "12345678Z"),
            ("PHONE_NUMBER", "612 345 678"),
            ("IT_FISCAL_CODE", "RCCMNL83S18D969H"),
            ("NL_BSN", "111222333"),
            ("PHONE_NUMBER", "06-12345678"),
            ("US_SSN", "536-90-4399"),
            ("CREDIT_CARD", "4111 1111 1111 1111"),
            ("UK_NINO", "AB 12 34 56 C"),
        ]
    )


def test_scores_in_range_and_spans_slice_the_text() -> None:
    scanner = PiiScanner(min_score=0.0)
    for param in POSITIVES + NEGATIVES:
        text = str(param.values[0])
        for finding in scanner.scan(text, CTX):
            assert 0.0 <= finding.score <= 1.0
            assert 0 <= finding.start < finding.end <= len(text)
            assert text[finding.start : finding.end].strip() == text[finding.start : finding.end]


@pytest.mark.parametrize(
    ("text", "entity", "low", "high"),
    [
        pytest.param(f"x {IBAN_DE}", "IBAN_CODE", 0.95, 0.95, id="iban-checksum-no-context"),
        pytest.param(f"IBAN {IBAN_DE}", "IBAN_CODE", 1.0, 1.0, id="iban-checksum-context"),
        pytest.param("x 536-90-4399", "US_SSN", 0.6, 0.8, id="ssn-format-only"),
        pytest.param("x 536904399", "US_SSN", 0.2, 0.45, id="ssn-bare-no-context"),
        pytest.param("x 111222333", "NL_BSN", 0.3, 0.45, id="bsn-bare-no-context"),
        pytest.param("eth 0xde709f2102306220921060314715629080e2fb77", "CRYPTO", 0.6, 0.75, id="eth-format-only"),
    ],
)
def test_score_tiers(text: str, entity: str, low: float, high: float) -> None:
    findings = [f for f in PiiScanner(min_score=0.0).scan(text, CTX) if f.type == entity]
    assert len(findings) == 1
    assert low <= findings[0].score <= high


def test_possible_but_not_valid_phone_needs_context() -> None:
    # +1 555 123 4567 has a possible length for the US but no valid number range.
    with_word = list(PhoneRecognizer().find("Phone: +1 555 123 4567"))
    assert [(f.start, f.end, f.score) for f in with_word] == [(7, 22, 0.55)]
    assert list(PhoneRecognizer().find("x +1 555 123 4567")) == []


def test_phone_reported_once_across_regions() -> None:
    text = "+44 20 7946 0958"
    assert found(text, PiiScanner(min_score=0.0)) == [("PHONE_NUMBER", text)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("tel 4111111111111111", id="card-beats-phone"),
        pytest.param("phone 4111 1111 1111 1111", id="spaced-card-beats-phone"),
    ],
)
def test_overlapping_types_keep_the_best(text: str) -> None:
    assert [kind for kind, _ in found(text, PiiScanner(min_score=0.0))] == ["CREDIT_CARD"]


def test_context_word_decides_between_bsn_and_ssn() -> None:
    assert found("BSN 111222333") == [("NL_BSN", "111222333")]
    assert found("SSN 111222333") == [("US_SSN", "111222333")]


def test_entity_filter() -> None:
    text = f"mail a@b.example.org, card {CARD_VISA}"
    assert found(text, PiiScanner(entities=frozenset({"CREDIT_CARD"}))) == [("CREDIT_CARD", CARD_VISA)]


def test_unknown_entity_and_bad_threshold_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown PII entities: NOPE"):
        PiiScanner(entities=frozenset({"NOPE"}))
    with pytest.raises(ValueError, match="min_score"):
        PiiScanner(min_score=1.5)


def test_supported_entities_use_presidio_names() -> None:
    assert supported_entities() == {
        "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "CRYPTO", "IP_ADDRESS", "US_SSN", "UK_NINO",
        "DE_TAX_ID", "FR_NIR", "ES_NIF", "ES_NIE", "IT_FISCAL_CODE", "NL_BSN", "PERSON", "LOCATION",
    }  # fmt: skip


@pytest.fixture
def ner_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ner_module, "_installed", lambda module: False)


@pytest.mark.usefixtures("ner_absent")
def test_ner_absent_scanner_skips_it() -> None:
    scanner = PiiScanner(use_ner=True)
    assert [name for name, _ in scanner.skipped] == ["ner"]
    assert "pip install" in scanner.skipped[0][1]
    text = "Angela Merkel met Emmanuel Macron in Paris; mail angela@example.de"
    findings = scanner.scan(text, CTX)
    assert [f.type for f in findings] == ["EMAIL_ADDRESS"]
    assert not any(f.type in {"PERSON", "LOCATION"} for f in findings)


@pytest.mark.usefixtures("ner_absent")
def test_ner_absent_recognizer_reports_itself() -> None:
    recognizer = NerRecognizer()
    assert recognizer.available() is False
    assert "spacy download" in recognizer.install_hint
    with pytest.raises(NerUnavailableError, match="pip install"):
        list(recognizer.find("Angela Merkel"))


@pytest.mark.usefixtures("ner_absent")
def test_ner_only_scanner_without_extra_finds_nothing() -> None:
    scanner = PiiScanner(entities=frozenset({"PERSON"}), use_ner=True)
    assert scanner.recognizers == ()
    assert scanner.scan("Angela Merkel", CTX) == []


def test_findings_are_typed() -> None:
    findings = SCANNER.scan("a@b.example.org", CTX)
    assert findings == [Finding("pii.EMAIL_ADDRESS", 0, 15, findings[0].score)]
    assert SCANNER.name == "pii"


@pytest.mark.parametrize("data", [b"", b"abc", b"a" * 135, b"a" * 136, bytes(range(256)) * 3])
def test_keccak_matches_sha3_with_sha3_padding(data: bytes) -> None:
    assert keccak(data, pad=0x06) == hashlib.sha3_256(data).digest()


def test_keccak256_known_vector() -> None:
    assert keccak(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


@pytest.mark.parametrize(
    "address",
    [
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "fB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "dbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "D1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ],
)
def test_eip55_reference_vectors(address: str) -> None:
    assert eip55(address.lower()) == address


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * 20_000 + "@", id="long-local-part"),
        pytest.param("a." * 10_000, id="dots"),
        pytest.param("a:" * 10_000, id="colons"),
        pytest.param("A1" * 10_000, id="alnum"),
        pytest.param("1" * 20_000, id="digits"),
        pytest.param("DE89 " + "ABCD " * 4_000, id="iban-groups"),
    ],
)
def test_adversarial_inputs_finish(text: str) -> None:
    # Catastrophic backtracking would take minutes here; linear regexes take milliseconds.
    assert isinstance(SCANNER.scan(text, CTX), list)
