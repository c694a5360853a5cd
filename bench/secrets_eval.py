"""Secrets scanner: recall and precision on the shared secrets sets, and throughput on this machine.

    .venv/bin/python bench/secrets_eval.py [--datasets ../shared/datasets/secrets] [--split dev]

Each JSONL row is one case: ``label`` 1 must produce at least one ``secret.*`` finding, ``label`` 0 must produce
none. Results per file, per ``source`` and per ``rule_id`` (where the set has one). Throughput is the median over
repeated scans, in microseconds per KB of input, for typical text, keyword-heavy text with no secrets, and 1 MB
adversarial inputs. Prints Markdown and writes ``bench/results/secrets_eval.md``. The sets are read in place,
never copied (see ../shared/datasets/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import string
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from wardgate.scanners.base import ScanContext
from wardgate.scanners.secrets import SecretScanner
from wardgate.scanners.secrets.rules import rule_counts

ROOT = Path(__file__).resolve().parent
DEFAULT_DATASETS = ROOT.parent.parent / "shared" / "datasets" / "secrets"
RESULTS = ROOT / "results" / "secrets_eval.md"
CTX = ScanContext()
ALNUM = string.ascii_letters + string.digits


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, label: int, flagged: bool) -> None:
        if label:
            self.tp += flagged
            self.fn += not flagged
        else:
            self.fp += flagged
            self.tn += not flagged

    def row(self, name: str) -> str:
        positives, negatives = self.tp + self.fn, self.fp + self.tn
        recall = f"{self.tp / positives:.3f}" if positives else "-"
        precision = f"{self.tp / (self.tp + self.fp):.3f}" if self.tp + self.fp else "-"
        fpr = f"{self.fp / negatives:.3f}" if negatives else "-"
        return f"| {name} | {positives} | {negatives} | {recall} | {precision} | {fpr} |"


NOTES = (
    "A case counts as flagged when the scanner returns any finding. Misses by design: low-entropy or placeholder",
    "positives (`AKIAZZZZ...`, `SKxxxx...`, `AP6xxxxxxxxxx`, `https://username:password@...`, `npm_xxxxxxxxxxx`),",
    "documentation keys (AWS `...EXAMPLE`), fake keys with long ascending runs (`...klmnopqrstuvwx...`), JWTs",
    "without a signature segment, and formats out of scope (public IP addresses, intra42, sourcegraph keys found",
    "only by the word before them). False positives by design: real-format Google API keys that gitleaks",
    "allowlists as known-public, UUIDs assigned to `_authToken` in malformed `.npmrc` lines, 32/40-hex values",
    "assigned to `apiKey`/`meraki_token`, a JWT sent as `Basic` credentials.",
)
HEADER = "| set | positives | negatives | recall | precision | false-positive rate |\n|---|---:|---:|---:|---:|---:|"


def evaluate(datasets: Path, split: str, scanner: SecretScanner) -> list[str]:
    by_file: dict[str, Tally] = defaultdict(Tally)
    by_source: dict[str, Tally] = defaultdict(Tally)
    by_rule: dict[str, Tally] = defaultdict(Tally)
    for path in sorted(datasets.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if row.get("split") != split:
                    continue
                flagged = bool(scanner.scan(row["text"], CTX))
                by_file[path.name].add(row["label"], flagged)
                by_source[row["source"]].add(row["label"], flagged)
                if row.get("rule_id"):
                    by_rule[row["rule_id"]].add(row["label"], flagged)
    total = Tally()
    for tally in by_file.values():
        total.tp, total.fn, total.fp, total.tn = (
            total.tp + tally.tp,
            total.fn + tally.fn,
            total.fp + tally.fp,
            total.tn + tally.tn,
        )
    lines = [f"## Detection ({split} split)", "", *NOTES, "", HEADER]
    lines += [tally.row(name) for name, tally in sorted(by_file.items())]
    lines += [total.row("**all**"), "", "### Per source", "", HEADER]
    lines += [tally.row(name) for name, tally in sorted(by_source.items())]
    lines += ["", "### Per rule_id (gitleaks set)", "", HEADER]
    lines += [tally.row(name) for name, tally in sorted(by_rule.items())]
    return lines


def _typical(rng: random.Random, size: int) -> str:
    words = (
        "the", "a", "model", "request", "user", "answer", "please", "explain", "how", "why", "function", "return",
        "value", "config", "server", "deploy", "database", "table", "query", "index", "cache", "build", "test",
        "release", "version", "client", "response", "error", "retry", "stream",
    )  # fmt: skip
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        kind = rng.random()
        if kind < 0.6:
            parts.append(" ".join(rng.choice(words) for _ in range(rng.randint(8, 20))).capitalize() + ".\n")
        elif kind < 0.9:
            name = rng.choice(words)
            parts.append(
                f"def {name}_{rng.randint(1, 99)}(x):\n    return x.{rng.choice(words)}() + {rng.randint(1, 9)}\n"
            )
        else:
            parts.append(f"{rng.choice(words)}_timeout: {rng.randint(1, 60)}\nhost: {rng.choice(words)}.internal\n")
    return "".join(parts)[:size]


def _keyword_heavy(rng: random.Random, size: int) -> str:
    lines = [
        "password: Required",
        "token_type: bearer",
        "api_key = os.environ['API_KEY']",
        "secret = get_secret()",
        "see https://example.com/docs and postgres://localhost/db",
        "Authorization: Bearer $TOKEN",
        "the AKIA prefix and ghp_ prefix and sk- prefix and xoxb- prefix",
        "header eyJhbGciOi is base64 of {",
        "-----BEGIN CERTIFICATE-----",
        "curl -u $USER:$PASS https://api.example.com",
        f"sha256: {''.join(rng.choice('0123456789abcdef') for _ in range(64))}",
        "datadog dd_site = us5 and heroku and twilio and cohere are services",
    ]
    text = ""
    while len(text) < size:
        text += rng.choice(lines) + "\n"
    return text[:size]


def _rand(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(size))


def _adversarial() -> dict[str, str]:
    mb = 10**6
    rng = random.Random(11)
    return {
        '"a" * 10**6': "a" * mb,
        '"password=" repeated': ("password=" * (mb // 9 + 1))[:mb],
        '"password: x1" lines': ("password: x1\n" * (mb // 13 + 1))[:mb],
        "BEGIN PRIVATE KEY lines": ("-----BEGIN PRIVATE KEY-----\n" * (mb // 28 + 1))[:mb],
        '"eyJ" + base64url, no dots': "eyJ" + "A" * (mb - 3),
        '"postgres://u:" repeated': ("postgres://u:" * (mb // 13 + 1))[:mb],
        '"ghp_" + 35 chars repeated': (("ghp_" + "Ab1" * 12)[:39] + " ") * (mb // 40),
        "AKIA keys + base64 runs": ("AKIA" + "Q" * 16 + " " + "Zz9/" * 10 + "\n") * (mb // 62),
        "distinct `pwd: <random>` lines (all real findings)": "".join(
            f"pwd: {_rand(rng, 8)}\n" for _ in range(mb // 14)
        ),
        "distinct `k<rand>_token: <rand>` lines": "".join(
            f"k{_rand(rng, 4)}_token: {_rand(rng, 3)}\n" for _ in range(mb // 18)
        ),
    }


def _median_us_per_kb(scan: Callable[[str], object], text: str, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        scan(text)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6 / (len(text.encode("utf-8")) / 1024)


def throughput(scanner: SecretScanner) -> list[str]:
    rng = random.Random(7)

    def scan(text: str) -> object:
        return scanner.scan(text, CTX)

    scan("warm up")
    rows: list[tuple[str, str, int]] = [
        ("typical prose + code", _typical(rng, 16 * 1024), 201),
        ("typical prose + code", _typical(rng, 256 * 1024), 21),
        ("keyword-heavy, no secrets", _keyword_heavy(rng, 16 * 1024), 201),
        ("keyword-heavy, no secrets", _keyword_heavy(rng, 256 * 1024), 21),
    ]
    rows += [(name, text, 5) for name, text in _adversarial().items()]
    lines = ["## Throughput", "", "| input | size | median µs/KB | median ms per scan |", "|---|---:|---:|---:|"]
    for name, text, repeats in rows:
        per_kb = _median_us_per_kb(scan, text, repeats)
        size_kb = len(text.encode("utf-8")) / 1024
        lines.append(f"| {name} | {size_kb:,.0f} KB | {per_kb:,.1f} | {per_kb * size_kb / 1000:,.2f} |")
    return lines


def header(scanner: SecretScanner) -> list[str]:
    counts = rule_counts()
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    families = ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
    return [
        "# Secrets scanner evaluation",
        "",
        f"Machine: {machine}. Provider rules: {len(scanner.rules)} ({families}), plus structural detectors "
        "(PEM private keys, JWT, connection strings, AWS secret key pairing) and generic assignments.",
        "",
    ]


def _print_all(lines: Iterable[str]) -> str:
    text = "\n".join(lines) + "\n"
    print(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/results")
    args = parser.parse_args()
    scanner = SecretScanner()
    lines = header(scanner)
    if args.datasets.is_dir():
        lines += evaluate(args.datasets, args.split, scanner)
    else:
        lines += [f"(datasets not found at {args.datasets}; detection skipped)"]
    lines += ["", *throughput(scanner)]
    text = _print_all(lines)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
