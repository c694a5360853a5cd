"""Evaluate the PII scanner on presidio-research's synthetic set: per-entity precision/recall/F1/F2, throughput.

    .venv/bin/python bench/pii_eval.py                   # dev split, writes bench/results/pii_eval.md
    .venv/bin/python bench/pii_eval.py --split train     # the split allowed for tuning

Matching is by span overlap, per entity: a prediction is correct when it overlaps a gold span of the same entity,
and a gold span is found when some prediction of its entity overlaps it. Dataset labels are mapped onto the
scanner's (EMAIL -> EMAIL_ADDRESS, IBAN -> IBAN_CODE, IP -> IP_ADDRESS; GPE and STREET_ADDRESS -> LOCATION, as
presidio-research does). PERSON and LOCATION count only when the NER extra is installed; other labels are listed as
not covered. Predictions of entities the set never labels (UK_NINO, DE_TAX_ID …) are all counted as false positives.

Throughput: the split's texts joined and cut into 1 KB chunks; the median (and p95) wall time of one ``scan`` per
chunk, best of three runs each, on this machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from wardgate.scanners.base import Finding, ScanContext
from wardgate.scanners.pii import PiiScanner
from wardgate.scanners.pii.ner import NerRecognizer

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "pii" / "presidio-synth.jsonl"
DEFAULT_OUT = ROOT / "bench" / "results" / "pii_eval.md"

LABELS = {
    "EMAIL": "EMAIL_ADDRESS",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN": "IBAN_CODE",
    "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN",
    "IP": "IP_ADDRESS",
    "IP_ADDRESS": "IP_ADDRESS",
    "CRYPTO": "CRYPTO",
}
NER_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOCATION": "LOCATION", "STREET_ADDRESS": "LOCATION"}
CHUNK = 1024


@dataclass(frozen=True, slots=True)
class Span:
    entity: str
    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.entity == other.entity and self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    gold: tuple[Span, ...]
    uncovered: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scores:
    predicted: int
    correct: int
    gold: int
    found: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    def f(self, beta: float) -> float:
        p, r = self.precision, self.recall
        return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0


def load(path: Path, split: str, labels: dict[str, str]) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] != split:
            continue
        gold = tuple(Span(labels[s["label"]], s["start"], s["end"]) for s in row["spans"] if s["label"] in labels)
        uncovered = tuple(s["label"] for s in row["spans"] if s["label"] not in labels)
        examples.append(Example(row["text"], gold, uncovered))
    return examples


def score(examples: Sequence[Example], predictions: Sequence[Sequence[Span]]) -> dict[str, Scores]:
    counts: dict[str, Counter[str]] = {}
    for example, predicted in zip(examples, predictions, strict=True):
        for span in predicted:
            c = counts.setdefault(span.entity, Counter())
            c["predicted"] += 1
            c["correct"] += any(span.overlaps(g) for g in example.gold)
        for span in example.gold:
            c = counts.setdefault(span.entity, Counter())
            c["gold"] += 1
            c["found"] += any(span.overlaps(p) for p in predicted)
    return {e: Scores(c["predicted"], c["correct"], c["gold"], c["found"]) for e, c in sorted(counts.items())}


def spans(findings: Iterable[Finding]) -> list[Span]:
    return [Span(f.type, f.start, f.end) for f in findings]


def throughput(scanner: PiiScanner, texts: Sequence[str]) -> tuple[float, float]:
    """Median and p95 microseconds to scan one 1 KB chunk."""
    blob = "\n".join(texts)
    chunks = [blob[i : i + CHUNK] for i in range(0, len(blob) - CHUNK + 1, CHUNK)]
    ctx = ScanContext()
    timings = []
    for chunk in chunks:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            scanner.scan(chunk, ctx)
            best = min(best, time.perf_counter() - started)
        timings.append(best * 1e6)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * (len(timings) - 1))]


def table(results: dict[str, Scores], covered: frozenset[str]) -> list[str]:
    rows = ["| entity | gold | predicted | precision | recall | F1 | F2 |", "|---|---:|---:|---:|---:|---:|---:|"]
    for entity, s in results.items():
        note = "" if entity in covered else " (never labelled: every prediction is a false positive)"
        rows.append(
            f"| {entity}{note} | {s.gold} | {s.predicted} | {s.precision:.3f} | {s.recall:.3f} "
            f"| {s.f(1):.3f} | {s.f(2):.3f} |"
        )
    total = Scores(*(sum(getattr(s, k) for s in results.values()) for k in ("predicted", "correct", "gold", "found")))
    rows.append(
        f"| **all (micro)** | {total.gold} | {total.predicted} | {total.precision:.3f} | {total.recall:.3f} "
        f"| {total.f(1):.3f} | {total.f(2):.3f} |"
    )
    return rows


def cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def report(args: argparse.Namespace) -> str:
    ner = NerRecognizer().available()
    ner_note = "available" if ner else "not installed (PERSON/LOCATION not evaluated)"
    labels = LABELS | NER_LABELS if ner else LABELS
    examples = load(args.data, args.split, labels)
    scanner = PiiScanner(use_ner=ner, min_score=args.min_score)
    ctx = ScanContext()
    predictions = [spans(scanner.scan(e.text, ctx)) for e in examples]
    results = score(examples, predictions)
    uncovered = Counter(label for e in examples for label in e.uncovered)
    texts = [e.text for e in examples]
    median_us, p95_us = throughput(scanner, texts)
    no_phone = PiiScanner(scanner.entities - {"PHONE_NUMBER"}, use_ner=ner, min_score=args.min_score)
    median_no_phone_us, _ = throughput(no_phone, texts)
    active = frozenset[str]().union(*(r.entities for r in scanner.recognizers)) & scanner.entities
    silent = sorted(active - results.keys())
    lines = [
        f"# PII scanner on presidio-synth ({args.split} split)",
        "",
        f"{len(examples)} texts from `{args.data.name}`; span-overlap matching per entity;"
        f" `min_score={args.min_score}`; NER extra {ner_note}.",
        "",
        *table(results, frozenset(labels.values())),
        "",
        "Never labelled in the set and never predicted (no false positives): " + ", ".join(silent),
        "",
        "Not covered (gold spans, no recognizer): "
        + ", ".join(f"{label} {n}" for label, n in sorted(uncovered.items(), key=lambda kv: -kv[1])),
        "",
        f"Throughput: median {median_us:.0f} µs per 1 KB of text (p95 {p95_us:.0f} µs); without PHONE_NUMBER "
        f"{median_no_phone_us:.0f} µs. One thread, Python {platform.python_version()}, {cpu_name()}.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--min-score", type=float, default=0.5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    markdown = report(args)
    print(markdown)
    if args.split == "dev":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(markdown, encoding="utf-8")


if __name__ == "__main__":
    main()
