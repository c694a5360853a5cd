"""SecretScanner: provider formats, private keys, JWTs, connection strings, generic assignments, negatives, bounds.

Test tokens are generated from format descriptions with a seeded ``random.Random`` (see
``tests/fixtures/secrets/provider_formats.json``), so the repository holds no real-looking live key.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

from wardgate.scanners.base import Finding, ScanContext, Scanner
from wardgate.scanners.secrets import Rule, SecretScanner
from wardgate.scanners.secrets._re2 import Regex
from wardgate.scanners.secrets.rules import BUILTIN_RULES, rule_counts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "secrets"
CTX = ScanContext()
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


class Gen:
    """Deterministic random material for one test case."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)

    def s(self, n: int, alphabet: str = "alnum") -> str:
        chars = ALPHABETS[alphabet]
        return "".join(self.rng.choice(chars) for _ in range(n))

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def pem_body(self, lines: int = 6) -> str:
        raw = bytes(self.rng.getrandbits(8) for _ in range(48 * lines))
        b64 = base64.b64encode(raw).decode()
        return "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))

    def part(self, spec: Any) -> str:
        if isinstance(spec, str):
            return spec
        if isinstance(spec, list):
            return self.s(spec[0], spec[1])
        if spec["gen"] == "uuid":
            return self.uuid()
        if spec["gen"] == "discord_id":
            snowflake = str(self.rng.randrange(10**17, 10**18))
            return base64.b64encode(snowflake.encode()).decode().rstrip("=")
        pem = f"-----BEGIN PRIVATE KEY-----\n{self.pem_body()}\n-----END PRIVATE KEY-----\n"
        return pem.replace("\n", "\\n")


def spans(text: str, scanner: SecretScanner | None = None) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in (scanner or SecretScanner()).scan(text, CTX)]


def _provider_cases() -> list[Any]:
    data = json.loads((FIXTURES / "provider_formats.json").read_text(encoding="utf-8"))
    params = []
    for case in data["cases"]:
        case_id = case.get("id", case["rule"].lower().replace("_", "-"))
        gen = Gen(case_id)
        token = "".join(gen.part(spec) for spec in case["token"])
        params.append(pytest.param(case["rule"], case["template"].replace("{T}", token), token, id=case_id))
    return params


@pytest.mark.parametrize(("rule_id", "text", "token"), _provider_cases())
def test_provider_format_exact_span(rule_id: str, text: str, token: str) -> None:
    start = text.index(token)
    findings = SecretScanner().scan(text, CTX)
    assert [(f.kind, f.start, f.end) for f in findings] == [(f"secret.{rule_id}", start, start + len(token))]


def test_every_builtin_rule_has_a_positive_case() -> None:
    data = json.loads((FIXTURES / "provider_formats.json").read_text(encoding="utf-8"))
    assert {rule.id for rule in BUILTIN_RULES} == {case["rule"] for case in data["cases"]}
    assert len(BUILTIN_RULES) >= 40
    assert len(rule_counts()) >= 8


def _pem(key: Any, fmt: serialization.PrivateFormat, password: bytes | None = None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode().strip()  # type: ignore[no-any-return]


def _pem_cases() -> list[Any]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    fmt = serialization.PrivateFormat
    pgp = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{Gen(1).pem_body(8)}\n=tQ8x\n-----END PGP PRIVATE KEY BLOCK-----"
    return [
        pytest.param(_pem(rsa_key, fmt.PKCS8), id="pkcs8-rsa"),
        pytest.param(_pem(rsa_key, fmt.TraditionalOpenSSL), id="rsa-traditional"),
        pytest.param(_pem(ec_key, fmt.TraditionalOpenSSL), id="ec"),
        pytest.param(_pem(dsa.generate_private_key(key_size=2048), fmt.TraditionalOpenSSL), id="dsa"),
        pytest.param(_pem(ed25519.Ed25519PrivateKey.generate(), fmt.OpenSSH), id="openssh-ed25519"),
        pytest.param(_pem(ec_key, fmt.PKCS8, password=b"pw"), id="encrypted-pkcs8"),
        pytest.param(pgp, id="pgp-private-key-block"),
    ]


@pytest.mark.parametrize("pem", _pem_cases())
def test_pem_private_key_spans_the_whole_block(pem: str) -> None:
    text = f"Here is my key, please debug:\n\n{pem}\n\nThanks!"
    assert spans(text) == [("secret.PRIVATE_KEY", pem)]


def test_pem_with_json_escaped_newlines() -> None:
    pem = f"-----BEGIN EC PRIVATE KEY-----\n{Gen(2).pem_body(3)}\n-----END EC PRIVATE KEY-----"
    escaped = json.dumps(pem)[1:-1]
    assert spans(f'{{"key": "{escaped}"}}') == [("secret.PRIVATE_KEY", escaped)]


def test_pem_collapsed_onto_one_line() -> None:
    pem = f"-----BEGIN RSA PRIVATE KEY----- {Gen(3).pem_body(4).replace(chr(10), ' ')} -----END RSA PRIVATE KEY-----"
    assert spans(pem) == [("secret.PRIVATE_KEY", pem)]


def test_truncated_pem_is_reported_up_to_its_last_base64_line() -> None:
    block = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{Gen(4).pem_body(5)}"
    assert spans(f"```\n{block}\n```\nThe answer was cut off here.") == [("secret.PRIVATE_KEY", block)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----", id="dots"),
        pytest.param("-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----", id="short-body"),
        pytest.param("-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----", id="empty"),
        pytest.param("-----BEGIN RSA PRIVATE KEY-----\n" + "x" * 64 + "\n-----END RSA PRIVATE KEY-----", id="xxx"),
        pytest.param("-----BEGIN PUBLIC KEY-----\n" + Gen(5).pem_body() + "\n-----END PUBLIC KEY-----", id="public"),
        pytest.param("-----BEGIN CERTIFICATE-----\n" + Gen(6).pem_body() + "\n-----END CERTIFICATE-----", id="cert"),
    ],
)
def test_pem_negatives(text: str) -> None:
    assert spans(text) == []


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_jwt_signed_and_unsigned() -> None:
    signed = jwt.encode({"sub": "user-1", "role": "admin"}, "k" * 32, algorithm="HS256")
    unsigned = f"{_b64url({'alg': 'none', 'typ': 'JWT'})}.{_b64url({'sub': '1'})}."
    text = f"Authorization: Bearer {signed}\nold: {unsigned}"
    findings = SecretScanner().scan(text, CTX)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [("secret.JWT", signed), ("secret.JWT", unsigned)]
    assert findings[0].score > findings[1].score


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"{_b64url({'typ': 'JWT'})}.{_b64url({'sub': '1'})}.c2lnbmF0dXJl", id="no-alg"),
        pytest.param("eyJub3QganNvbiBhdCBhbGwgcmVhbGx5.eyJzdWIiOiIxIn0.c2ln", id="header-not-json"),
        pytest.param(_b64url({"alg": "HS256"}) + " is only a header", id="header-only"),
    ],
)
def test_jwt_negatives(text: str) -> None:
    assert spans(text) == []


@pytest.mark.parametrize(
    ("template", "password"),
    [
        pytest.param("postgres://app:{P}@db.internal:5432/app", "Zq8v!rT2mPw", id="postgres"),
        pytest.param("postgresql+psycopg://svc:{P}@10.0.0.5/db", "u7Yh3kLq9", id="postgresql-driver"),
        pytest.param("mysql://root:{P}@127.0.0.1:3306/shop", "Tr0ub4dor&3", id="mysql"),
        pytest.param("mongodb+srv://ops:{P}@cluster0.ab1cd.mongodb.net/?retryWrites=true", "hX2pQ9wE", id="mongo"),
        pytest.param("redis://:{P}@cache:6379/0", "s3cretRedis77", id="redis-empty-user"),
        pytest.param("amqp://svc:{P}@rabbit:5672/vhost", "Rb7!kk2Pz", id="amqp"),
        pytest.param("git remote add o https://deploy:{P}@git.example.com/r.git", "gT5nM2vX8q", id="https"),
        pytest.param("DATABASE_URL='postgres://u:{P}@h/d'", "p%40ss%3Aw0rd%21", id="percent-encoded"),
    ],
)
def test_connection_string_span_is_the_password(template: str, password: str) -> None:
    assert spans(template.replace("{P}", password)) == [("secret.CONNECTION_STRING", password)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("postgres://user:password@localhost/db", id="password"),
        pytest.param("mysql://root:<password>@localhost/db", id="angle"),
        pytest.param("postgres://app:${DB_PASSWORD}@db/app", id="env"),
        pytest.param("mongodb://admin:admin@localhost", id="same-as-user"),
        pytest.param("redis://:changeme@cache:6379", id="changeme"),
        pytest.param("amqp://guest:****@rabbit", id="stars"),
        pytest.param("postgres://u:{password}@h/d", id="braces"),
        pytest.param("https://url:8000/ @something else", id="port-and-at"),
        pytest.param("http://localhost:5000@example", id="port-only"),
    ],
)
def test_connection_string_placeholders(text: str) -> None:
    assert spans(text) == []


def _generic_cases() -> list[Any]:
    v = Gen(7).s
    return [
        pytest.param("DB_PASSWORD={V}\n", v(14), "GENERIC_ASSIGNMENT", id="dotenv"),
        pytest.param("db:\n  password: {V}\n", v(12), "GENERIC_ASSIGNMENT", id="yaml-bare"),
        pytest.param("db:\n  password: '{V}'\n", v(12), "GENERIC_ASSIGNMENT", id="yaml-quoted"),
        pytest.param('{"client_secret": "{V}", "client_id": "abc"}', v(32), "GENERIC_ASSIGNMENT", id="json"),
        pytest.param("API_KEY = '{V}'", v(24), "GENERIC_ASSIGNMENT", id="python"),
        pytest.param('token := "{V}"', v(30), "GENERIC_ASSIGNMENT", id="go"),
        pytest.param("'secret' => '{V}',", v(20), "GENERIC_ASSIGNMENT", id="php"),
        pytest.param('conn = connect(host="db", password="{V}")', v(10), "GENERIC_ASSIGNMENT", id="kwarg"),
        pytest.param('[auth]\naccess_key = "{V}"\n', v(20), "GENERIC_ASSIGNMENT", id="toml"),
        pytest.param('<add key="x" dbPassword="{V}" />', v(12), "GENERIC_ASSIGNMENT", id="xml-attr"),
        pytest.param("my password is: {V}.", v(11), "GENERIC_ASSIGNMENT", id="prose-colon"),
        pytest.param("The API token was {V} yesterday", v(20), "GENERIC_ASSIGNMENT", id="prose-was"),
        pytest.param("Authorization: Bearer {V}", v(40), "AUTH_HEADER", id="bearer"),
        pytest.param("-H 'Authorization: Basic {V}'", base64.b64encode(b"api:" + v(16).encode()).decode(),
                     "AUTH_HEADER", id="basic"),
        pytest.param("curl -u deploy:{V} https://ci.example.com", v(12), "BASIC_AUTH", id="curl-user"),
    ]  # fmt: skip


@pytest.mark.parametrize(("template", "value", "rule_id"), _generic_cases())
def test_generic_assignment_span_is_the_value(template: str, value: str, rule_id: str) -> None:
    assert spans(template.replace("{V}", value)) == [(f"secret.{rule_id}", value)]


NEGATIVES = [
    "password = None", "password: null", "secret: true", "enabled: false", "PASSWORD=changeme", "password: '********'",
    "token: <token>", "API_KEY=${API_KEY}", "API_KEY=$API_KEY", "password: '{{ db_password }}'",
    "password = '%(password)s'", "api_key='YOUR_API_KEY'", "token: your-token-here", "SECRET=REPLACE_ME",
    "password = 'example'", "token=xxxxxxxxxxxxxxxx", "password = 'correct horse battery staple'",
    "secret = settings.SECRET_KEY", "password=get_password()", "api_key = os.environ['OPENAI_API_KEY']",
    "api_key = os.getenv('OPENAI_API_KEY')", "const token = process.env.GITHUB_TOKEN;", "password_length = 16",
    "token_type: bearer", "secret_name: prod-db-credentials", "max_tokens=4096", "api_key_id = 8f3a9c2b71d4e605",
    "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')", "public_key = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0D'",
    "client_secret: ${{ secrets.CLIENT_SECRET }}", "token_url = 'https://example.com/oauth/token'",
    "password: Required", "token = tokens[0]", "pwd: /home/user/project", "auth_token_expiry: 3600",
    "password_hash = '$2b$12$KIXQJ4t8YF8Kx4m8ZlQz5uJv6G8p9s0d3Qe4W7r1T2y5U8i0O3P6a'",
    "Authorization: Bearer $API_KEY", "Authorization: Bearer <your token>", "Authorization: Basic ...",
    "curl -u $USER:$PASS https://x", "curl --user username:password https://x",
    "md5 9e107d9d372bb6826bd81d3542a419d6", "sha256 d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
    "id 123e4567-e89b-12d3-a456-426614174000", "commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad",
    "The password must be 12+ characters; get a token from settings and keep your secret safe.",
    "GitHub tokens start with ghp_ and AWS key ids with AKIA; Google keys with AIza.",
    "ThisIsAVeryLongIdentifierNameForAJavaClassFactoryBeanProviderImplementation",
    "VGhlIHF1aWNrIGJyb3duIGZveCBqdW1wcyBvdmVyIHRoZSBsYXp5IGRvZyBhbmQga2VlcHMgcnVubmluZw==",
    "AKIAIOSFODNN7EXAMPLE", "ghp_" + "x" * 36, "sk_live_" + "0" * 24, "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx",
    "hf_requiredCharacteristicTypesForDisplayMetadata", "glpat-XXXXXXXXXXX-XXXXXXXX",
    "AIzaSyabcdefghijklmnopqrstuvwxyz1234567", "Time 12:34:56 and fe80::1ff:fe23:4567:890a",
]  # fmt: skip


@pytest.mark.parametrize("text", [pytest.param(t, id=f"neg-{i:02d}") for i, t in enumerate(NEGATIVES)])
def test_must_not_fire(text: str) -> None:
    assert spans(text) == []


def test_benign_document_fixture() -> None:
    text = (FIXTURES / "benign.md").read_text(encoding="utf-8")
    assert spans(text) == []


def test_integrity_and_base64_image_do_not_fire() -> None:
    image = base64.b64encode(bytes(random.Random(8).getrandbits(8) for _ in range(6000))).decode()
    text = f'<img src="data:image/png;base64,{image}">\n"integrity": "sha512-{Gen(9).s(86, "b64")}=="'
    assert spans(text) == []


def test_most_specific_rule_wins_overlaps() -> None:
    pat = "ghp_" + Gen(10).s(36)
    text = f'token = "{pat}"\nremote = https://me:{pat}@github.com/x.git\nAuthorization: Bearer {pat}'
    assert spans(text) == [("secret.GITHUB_PAT", pat)] * 3


def test_aws_secret_key_next_to_its_key_id() -> None:
    gen = Gen(11)
    key_id, secret = "AKIA" + gen.s(16, "b32"), gen.s(40, "b64")
    text = f"[default]\naws_access_key_id={key_id}\nkey2={secret}\n"
    assert spans(text) == [("secret.AWS_ACCESS_KEY", key_id), ("secret.AWS_SECRET_KEY", secret)]
    assert spans(f"blob {secret} alone") == []


def test_offsets_are_str_indices_with_non_ascii_and_lone_surrogates() -> None:
    pat = "ghp_" + Gen(12).s(36)
    text = f"Привет 🌍 日本語 \ud800 {pat} ✓ postgres://u:Pw9x!k2Lm@h"
    findings = SecretScanner().scan(text, CTX)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [
        ("secret.GITHUB_PAT", pat),
        ("secret.CONNECTION_STRING", "Pw9x!k2Lm"),
    ]


def test_findings_are_typed_and_scored_in_range() -> None:
    scanner: Scanner = SecretScanner()
    assert scanner.name == "secrets"
    text = "token = " + "ghp_" + Gen(13).s(36) + " and password: " + Gen(14).s(12)
    findings = scanner.scan(text, ScanContext(role="tool", direction="output"))
    assert findings and all(isinstance(f, Finding) and 0 < f.score <= 1 and f.category == "secret" for f in findings)
    assert SecretScanner().scan("", CTX) == []


ADVERSARIAL = 200_000


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a" * ADVERSARIAL, id="aaaa"),
        pytest.param("password=" * (ADVERSARIAL // 9), id="password-eq"),
        pytest.param("password: x1\n" * (ADVERSARIAL // 13), id="password-lines"),
        pytest.param("-----BEGIN PRIVATE KEY-----\n" * (ADVERSARIAL // 28), id="pem-begins"),
        pytest.param("eyJ" + "A" * ADVERSARIAL, id="jwt-prefix"),
        pytest.param("postgres://u:" * (ADVERSARIAL // 13), id="url-prefix"),
        pytest.param(("ghp_" + "Ab1" * 12)[:39] * (ADVERSARIAL // 39), id="short-tokens"),
        pytest.param("curl -u a:" * (ADVERSARIAL // 10), id="curl"),
        pytest.param("Authorization: Bearer " * (ADVERSARIAL // 22), id="auth"),
        pytest.param("abc1Q~" * (ADVERSARIAL // 6), id="azure-fragments"),
    ],
)
def test_adversarial_200kb_finds_nothing(text: str) -> None:
    assert SecretScanner().scan(text, CTX) == []


def test_adversarial_200kb_with_buried_secrets() -> None:
    pat, password = "ghp_" + Gen(15).s(36), Gen(16).s(14)
    text = "a" * ADVERSARIAL + f" {pat} " + "password: x1\n" * 5000 + f"password: {password}\n"
    assert spans(text) == [("secret.GITHUB_PAT", pat), ("secret.GENERIC_ASSIGNMENT", password)]


def test_extra_rule_is_used() -> None:
    rule = Rule("ACME_TOKEN", r"\b(?P<secret>acme_[a-z0-9]{20})\b", ("acme_",), min_entropy=2.0, score=0.9)
    token = "acme_" + Gen(17).s(20, "lower_alnum")
    assert spans(f"ACME={token}", SecretScanner([rule])) == [("secret.ACME_TOKEN", token)]
    assert spans(f"ACME={token}") == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda: Rule("bad id", "x", ("xx",)), "rule id", id="id"),
        pytest.param(lambda: Rule("LONG", "a" * 513, ("aa",)), "pattern", id="pattern-length"),
        pytest.param(lambda: Rule("KW", "abc", ("ABC",)), "keywords", id="keyword-case"),
        pytest.param(lambda: Rule("SCORE", "abc", ("abc",), score=1.5), "score", id="score"),
        pytest.param(lambda: Rule("ENT", "abc", ("abc",), min_entropy=9), "min_entropy", id="entropy"),
        pytest.param(lambda: SecretScanner([Rule("NOKW", "abc", ())]), "keyword", id="no-keywords"),
        pytest.param(lambda: SecretScanner([Rule("BROKEN", "(abc", ("abc",))]), "BROKEN", id="syntax"),
        pytest.param(lambda: SecretScanner([Rule("EMPTY", "a*", ("aa",))]), "empty", id="empty-match"),
        pytest.param(lambda: SecretScanner([Rule("GITHUB_PAT", "ghp_x", ("ghp_",))]), "duplicate", id="dup"),
        pytest.param(lambda: SecretScanner([Rule("JWT", "eyJx", ("eyj",))]), "duplicate", id="detector-id"),
        pytest.param(lambda: SecretScanner([Rule(f"R{i}", "abc", ("abc",)) for i in range(257)]), "256", id="count"),
        pytest.param(
            lambda: SecretScanner(
                [Rule(f"K{i}", "abc", tuple(f"{i}-{k}-" + "k" * 56 for k in range(16))) for i in range(20)]
            ),
            "keywords exceed",
            id="keyword-budget",
        ),
    ],
)
def test_rule_bounds_fail_loudly(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_public_api_fallback_matches_fast_path() -> None:
    data = f"x ghp_{Gen(18).s(36)} y ghp_{Gen(19).s(36)}, z".encode()
    pattern = r"\b(?P<secret>ghp_[A-Za-z0-9]{36})(?:[^A-Za-z0-9]|$)"
    assert list(Regex(pattern).finditer(data, 1)) == list(Regex(pattern, fast=False).finditer(data, 1))
