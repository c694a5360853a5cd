"""Evaluate the shipped injection scanner: quality per dataset and language, throughput, model size.

    .venv/bin/python bench/injection_eval.py [--datasets ../shared/datasets/injection] [--no-test]

Sections, each labelled: dev splits (what thresholds were tuned on: optimistic), the repository's held-out hard set,
evaluation-only sets (GPL / non-commercial, never trained on), and test splits (touched rarely; report separately).
Every score is the scanner's own ``score(text, ctx)`` (rules + model over all windows, calibrated); "user" metrics
use ``threshold_user``, the "untrusted" recall uses ``threshold_untrusted``. Prints Markdown and writes
``bench/results/injection_eval.md``. numpy only; no scikit-learn needed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from wardgate.scanners.base import ScanContext
from wardgate.scanners.injection import InjectionScanner
from wardgate.scanners.injection.model import MODEL_FILENAME

ROOT = Path(__file__).resolve().parent.parent
HARD_SET = ROOT / "tests/fixtures/injection/hard_cases.jsonl"
BLIND_SET = ROOT / "tests/fixtures/injection/blind_cases.jsonl"
EXTRA = ROOT / "training/injection/extra_train.jsonl"
MODEL_FILE = ROOT / "src/wardgate/scanners/injection" / MODEL_FILENAME
OUT = ROOT / "bench/results/injection_eval.md"
PUBLIC = ["slabs", "neuralchemy", "deepset", "cyberseceval", "multilingual-leak", "jailbreak-templates"]
EVAL_ONLY = ["eval-only-promptmap", "eval-only-alpaca-seed"]
USER = ScanContext(role="user")


@dataclass
class Item:
    text: str
    label: int
    lang: str
    group: str


@dataclass
class Scored:
    label: int
    score: float
    lang: str
    group: str


def read_jsonl(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(path: Path, group: str, split: str | None) -> list[Item]:
    return [
        Item(str(r["text"]), int(str(r["label"])), str(r.get("lang") or "und"), group)
        for r in read_jsonl(path)
        if split is None or r.get("split") == split
    ]


def roc_auc(labels: npt.NDArray[np.int64], scores: npt.NDArray[np.float64]) -> float | None:
    """Mann-Whitney AUC with average ranks for ties; ``None`` when one class is missing."""
    pos, neg = int(labels.sum()), int((1 - labels).sum())
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[labels == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def metrics_row(name: str, rows: list[Scored], t_user: float, t_untrusted: float) -> str:
    labels = np.array([r.label for r in rows])
    scores = np.array([r.score for r in rows])
    flagged = scores >= t_user
    pos, neg = int(labels.sum()), int((1 - labels).sum())
    tp = int((flagged & (labels == 1)).sum())
    fp = int((flagged & (labels == 0)).sum())
    precision = tp / (tp + fp) if tp + fp and pos else None
    recall = tp / pos if pos else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    fpr = fp / neg if neg else None
    recall_untrusted = float(((scores >= t_untrusted) & (labels == 1)).sum() / pos) if pos else None
    fpr_untrusted = float(((scores >= t_untrusted) & (labels == 0)).sum() / neg) if neg else None
    cells = [name, str(len(rows)), str(pos), str(neg), _fmt(precision), _fmt(recall), _fmt(f1), _fmt(fpr)]
    cells += [_fmt(recall_untrusted), _fmt(fpr_untrusted), _fmt(roc_auc(labels, scores))]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| set | n | attacks | benign | precision | recall | F1 | FPR | recall (untrusted thr.) | FPR (untrusted thr.) "
    "| ROC-AUC |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def table(title: str, groups: dict[str, list[Scored]], t_user: float, t_untrusted: float, total: bool) -> list[str]:
    lines = [f"### {title}", "", HEADER]
    lines += [metrics_row(name, rows, t_user, t_untrusted) for name, rows in groups.items()]
    if total and len(groups) > 1:
        everything = [r for rows in groups.values() for r in rows]
        lines.append(metrics_row("**all**", everything, t_user, t_untrusted))
    return [*lines, ""]


def by(rows: Iterable[Scored], key: str, min_count: int = 1) -> dict[str, list[Scored]]:
    out: dict[str, list[Scored]] = defaultdict(list)
    for r in rows:
        out[getattr(r, key)].append(r)
    return {k: v for k, v in sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])) if len(v) >= min_count}


def score_all(scanner: InjectionScanner, items: list[Item]) -> list[Scored]:
    return [Scored(it.label, scanner.score(it.text, USER), it.lang, it.group) for it in items]


def throughput(scanner: InjectionScanner, sample: str, size: int, repeats: int) -> float:
    text = (sample * (size // max(len(sample), 1) + 1))[:size]
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        scanner.scan(text, USER)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=ROOT.parent / "shared/datasets/injection")
    ap.add_argument("--no-test", action="store_true", help="skip the test splits")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    load_start = time.perf_counter()
    scanner = InjectionScanner()
    meta = scanner.model.meta
    load_ms = (time.perf_counter() - load_start) * 1000
    t_user, t_untrusted = meta.threshold_user, meta.threshold_untrusted
    lines = [
        "# Injection scanner evaluation",
        "",
        f"Model `{MODEL_FILE.relative_to(ROOT)}`: {MODEL_FILE.stat().st_size / 1e6:.2f} MB on disk, "
        f"2^{meta.features.n_bits} float16 weights; loaded in {load_ms:.0f} ms. "
        f"threshold_user = {t_user}, threshold_untrusted = {t_untrusted} (both chosen on dev). "
        f"Windows {meta.window_size}/{meta.window_step} chars.",
        "",
        "FPR and recall are per text: a text is flagged when its highest window or rule score reaches the threshold.",
        "",
    ]
    have_shared = args.datasets.is_dir()
    if have_shared:
        dev_items = [it for name in PUBLIC for it in load(args.datasets / f"{name}.jsonl", name, "dev")]
        dev_items += load(EXTRA, "extra (own, dev rows)", "dev")
        dev = score_all(scanner, dev_items)
        lines += table(
            "Dev splits (thresholds and calibration were fitted here: optimistic)",
            by(dev, "group"),
            t_user,
            t_untrusted,
            total=True,
        )
        lines += table(
            "Dev, per language (languages with ≥ 20 texts)", by(dev, "lang", 20), t_user, t_untrusted, total=False
        )
    hard = score_all(scanner, load(HARD_SET, "hard set", None))
    lines += table(
        "Hard set (tests/fixtures/injection/hard_cases.jsonl: own, never trained on)",
        {"hard set": hard},
        t_user,
        t_untrusted,
        total=False,
    )
    lines += table("Hard set, per language", by(hard, "lang"), t_user, t_untrusted, total=False)
    hard_items = load(HARD_SET, "hard set", None)
    cats = by(
        [Scored(s.label, s.score, s.lang, it_cat) for s, it_cat in zip(hard, _categories(), strict=True)], "group"
    )
    lines += table("Hard set, per category", cats, t_user, t_untrusted, total=False)
    if BLIND_SET.exists():
        blind = score_all(scanner, load(BLIND_SET, "blind set", None))
        lines += table(
            "Blind set (tests/fixtures/injection/blind_cases.jsonl: written before tuning, never looked at per row)",
            {"blind set": blind},
            t_user,
            t_untrusted,
            total=False,
        )
    if have_shared:
        eval_only = score_all(scanner, [it for n in EVAL_ONLY for it in load(args.datasets / f"{n}.jsonl", n, None)])
        lines += table(
            "Evaluation-only sets (GPL / CC BY-NC: never trained on)",
            by(eval_only, "group"),
            t_user,
            t_untrusted,
            total=True,
        )
        if not args.no_test:
            test_items = [it for name in PUBLIC for it in load(args.datasets / f"{name}.jsonl", name, "test")]
            test = score_all(scanner, test_items)
            lines += table(
                "Test splits (held out; reported separately, touched rarely)",
                by(test, "group"),
                t_user,
                t_untrusted,
                total=True,
            )
    else:
        lines += [f"_{args.datasets} not found: public dev/test/eval-only sections skipped._", ""]

    sample = "\n".join(it.text for it in hard_items if it.label == 0)
    lines += [
        "### Throughput (single thread, this machine)",
        "",
        "| input | median ms per scan |",
        "|---|---:|",
        f"| 1 KB benign text | {throughput(scanner, sample, 1024, 200):.2f} |",
        f"| 10 KB benign text | {throughput(scanner, sample, 10 * 1024, 50):.2f} |",
        f"| 50 KB benign text | {throughput(scanner, sample, 50 * 1024, 10):.2f} |",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _categories() -> list[str]:
    return [str(r["category"]) for r in read_jsonl(HARD_SET)]


if __name__ == "__main__":
    raise SystemExit(main())
