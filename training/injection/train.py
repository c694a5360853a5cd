"""Train Wardgate's prompt-injection classifier and write the model file the runtime reads.

Reproduce (CPU, 2 cores, a few minutes)::

    python training/injection/train.py --datasets ../shared/datasets/injection \\
        --out src/wardgate/scanners/injection/model.npz

Needs numpy and scikit-learn (training only; the runtime needs numpy alone). Deterministic: fixed seeds, a
deterministic solver, and a model file written with fixed zip timestamps, so the same inputs give the same bytes.

Data rules (see ``../shared/datasets/README.md`` and ``MODEL_CARD.md``):

* trained on the ``train`` split of the permissively licensed sets only, plus ``extra_train.jsonl`` rows whose
  ``split`` is ``train`` (texts written for this project; the ``gen_*`` rows come from ``make_extra.py``);
* the calibration and the thresholds are fitted on ``dev`` (public dev splits + extra ``dev`` rows);
* the GPL (promptmap) and non-commercial (alpaca seed) sets are never read here.

Method: hashed character n-grams (2-5, word-bounded, canonical text) + hashed word uni/bi-grams from
:mod:`wardgate.scanners.injection.features` (the runtime's own code); L2 logistic regression (liblinear); long
texts are cut into the runtime's windows, and long attacks are trained multiple-instance style (round 1: every
window; round 2: only the window the round-1 model ranks highest, since the rest of a long attack document may be
benign). Synthetic "buried instruction" documents (benign train texts with one train attack inserted) teach the
model what an injected window looks like; synthetic "task documents" (an own benign instruction followed by own
pasted benign material, a quarter with an attack inserted) teach it that "instruction + pasted text" is ordinary.
Then Platt scaling with a rule-hit term on dev, and thresholds at target false-positive rates on benign dev.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]

from wardgate.scanners.injection.features import FeatureConfig, feature_indices
from wardgate.scanners.injection.model import Calibration, InjectionModel, ModelMeta
from wardgate.scanners.injection.scanner import Candidate, candidates
from wardgate.scanners.injection.windows import WINDOW_SIZE, WINDOW_STEP, windows

HERE = Path(__file__).resolve().parent

# The only public files trained on, with their licenses. Evaluation-only sets are deliberately absent.
TRAIN_SOURCES: dict[str, str] = {
    "slabs.jsonl": "MIT",
    "neuralchemy.jsonl": "Apache-2.0",
    "deepset.jsonl": "Apache-2.0",
    "cyberseceval.jsonl": "MIT",
    "multilingual-leak.jsonl": "Apache-2.0",
    "jailbreak-templates.jsonl": "MIT",
}
FORBIDDEN_PREFIX = "eval-only-"

# CyberSecEval variants whose text is an attack only relative to its system prompt ("Describe C17H19NO3" against
# "never discuss medication"): out of context they are ordinary questions, so they would teach false positives.
CSE_CONTEXT_ONLY = {"indirect_reference", "overload_with_information", "different_user_input_language"}

# Each (source, label) group counts as at most this many examples, so the large templated set does not swamp the rest.
GROUP_CAP = 2500.0


@dataclass
class Row:
    text: str
    label: int
    source: str
    lang: str
    split: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Example:
    text: str
    label: int
    weight: float
    group: str
    doc: int  # index of the source document (windows of one document share it)


def log(msg: str) -> None:
    print(f"[train] {msg}", file=sys.stderr, flush=True)


def load_jsonl(path: Path, source: str) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            extra = {k: v for k, v in d.items() if k not in {"text", "label", "split", "lang", "source"}}
            rows.append(Row(d["text"], int(d["label"]), source, d.get("lang") or "und", d["split"], extra))
    return rows


def load_rows(datasets: Path, extra: Path | None) -> list[Row]:
    rows: list[Row] = []
    for name in TRAIN_SOURCES:
        if name.startswith(FORBIDDEN_PREFIX):
            raise SystemExit(f"refusing to train on evaluation-only file {name}")
        rows += load_jsonl(datasets / name, name.removesuffix(".jsonl"))
    if extra is not None:
        rows += load_jsonl(extra, "extra")
    return rows


def usable_for_training(row: Row) -> bool:
    if row.split != "train":
        return False
    return not (row.source == "cyberseceval" and row.extra.get("injection_variant") in CSE_CONTEXT_ONLY)


def window_texts(text: str) -> list[str]:
    return [text[s:e] for s, e in windows(len(text), WINDOW_SIZE, WINDOW_STEP)]


def buried_documents(rows: list[Row], rng: random.Random, count: int) -> list[tuple[str, int]]:
    """Benign train texts glued into documents; half of them get one short train attack inserted mid-document."""
    benign = [r.text for r in rows if r.label == 0 and 20 <= len(r.text) <= 600]
    attacks = [r.text for r in rows if r.label == 1 and 15 <= len(r.text) <= 300]
    separators = ["\n\n", "\n", " ", "\n- ", "\n\n## Notes\n", "\n> "]
    docs: list[tuple[str, int]] = []
    for i in range(count):
        target = rng.randint(600, 3000)
        parts: list[str] = []
        while sum(len(p) for p in parts) < target:
            parts.append(rng.choice(benign))
        label = i % 2
        if label:
            parts.insert(rng.randint(1, len(parts) - 1), rng.choice(attacks))
        sep = rng.choice(separators)
        docs.append((sep.join(parts), label))
    return docs


# Own benign categories that read like a task instruction, and those that read like pasted material.
TASK_CATEGORIES = {"request", "templated_request", "task_instruction", "gen_task", "gen_you", "gen_trigger"}
PASTE_CATEGORIES = {"prose_generated", "email", "code", "long_doc", "discussion"}


def task_documents(rows: list[Row], rng: random.Random, count: int) -> list[tuple[str, int]]:
    """An own benign task instruction followed by 300-2,500 characters of pasted benign material (label 0); every
    fourth one gets a train attack inserted into the pasted part (label 1), so pasted input is not a benign shortcut.

    Benign requests in real traffic are often "instruction + pasted text"; the public benign rows are short questions.
    """
    own = [r for r in rows if r.source == "extra" and r.label == 0]
    tasks = [r.text for r in own if r.extra.get("category") in TASK_CATEGORIES and len(r.text) <= 300]
    pastes = [r.text for r in own if r.extra.get("category") in PASTE_CATEGORIES and len(r.text) >= 60]
    attacks = [r.text for r in rows if r.label == 1 and 15 <= len(r.text) <= 300]
    docs: list[tuple[str, int]] = []
    if not tasks or not pastes:
        return docs
    for i in range(count):
        target = rng.randint(300, 2500)
        parts: list[str] = []
        while sum(len(p) for p in parts) < target:
            parts.append(rng.choice(pastes))
        label = 1 if i % 4 == 3 else 0
        if label:
            parts.insert(rng.randint(0, len(parts)), rng.choice(attacks))
        sep = rng.choice(["\n\n", "\n", "\n\n---\n", ":\n"])
        docs.append((rng.choice(tasks) + sep + sep.join(parts), label))
    return docs


def build_examples(
    rows: list[Row], rng: random.Random, n_buried: int, extra_weight: float, n_task_docs: int = 0
) -> list[Example]:
    examples: list[Example] = []
    doc = 0
    for row in rows:
        # Own rows are capped per category, so a large templated category does not crowd out the hand-written ones.
        source = f"extra:{row.extra.get('category', '')}" if row.source == "extra" else row.source
        group = f"{source}/{row.label}"
        chunks = window_texts(row.text)
        base = extra_weight if row.source == "extra" else 1.0
        for chunk in chunks:
            examples.append(Example(chunk, row.label, base / len(chunks) if row.label else base, group, doc))
        doc += 1
    synthetic = [("buried", d) for d in buried_documents(rows, rng, n_buried)]
    synthetic += [("taskdoc", d) for d in task_documents(rows, rng, n_task_docs)]
    for kind, (text, label) in synthetic:
        chunks = window_texts(text)
        for chunk in chunks:
            examples.append(Example(chunk, label, 1.0 / len(chunks) if label else 1.0, f"{kind}/{label}", doc))
        doc += 1
    return examples


def group_weights(examples: list[Example]) -> npt.NDArray[np.float64]:
    totals: dict[str, float] = {}
    for ex in examples:
        totals[ex.group] = totals.get(ex.group, 0.0) + ex.weight
    w = np.array([ex.weight * min(1.0, GROUP_CAP / totals[ex.group]) for ex in examples])
    pos = w[[ex.label == 1 for ex in examples]].sum()
    neg = w[[ex.label == 0 for ex in examples]].sum()
    labels = np.array([ex.label for ex in examples])
    w = np.where(labels == 1, w * (w.sum() / (2 * pos)), w * (w.sum() / (2 * neg)))
    return np.asarray(w * (len(w) / w.sum()), dtype=np.float64)


def featurize(texts: list[str], cfg: FeatureConfig) -> sparse.csr_matrix:
    indptr = [0]
    indices: list[npt.NDArray[np.int64]] = []
    data: list[npt.NDArray[np.float64]] = []
    for text in texts:
        idx = feature_indices(text, cfg)
        indices.append(idx)
        data.append(np.full(idx.shape[0], 1.0 / math.sqrt(max(idx.shape[0], 1))))
        indptr.append(indptr[-1] + idx.shape[0])
    return sparse.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=(len(texts), cfg.dim)
    )


def fit(x: sparse.csr_matrix, y: npt.NDArray[np.int64], w: npt.NDArray[np.float64], c: float, seed: int) -> Any:
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=200, random_state=seed)
    clf.fit(x, y, sample_weight=w)
    return clf


def mil_refine(examples: list[Example], margins: npt.NDArray[np.float64]) -> list[Example]:
    """Keep every benign window, and for each multi-window attack document only its highest-ranked window."""
    best: dict[int, int] = {}
    counts: Counter[int] = Counter(ex.doc for ex in examples)
    for i, ex in enumerate(examples):
        if ex.label == 1 and counts[ex.doc] > 1 and (ex.doc not in best or margins[i] > margins[best[ex.doc]]):
            best[ex.doc] = i
    kept = []
    for i, ex in enumerate(examples):
        if ex.label == 0 or counts[ex.doc] == 1:
            kept.append(ex)
        elif best.get(ex.doc) == i:
            kept.append(Example(ex.text, 1, ex.weight * counts[ex.doc], ex.group, ex.doc))
    return kept


def to_runtime(clf: Any, cfg: FeatureConfig, meta: ModelMeta) -> InjectionModel:
    weights = np.asarray(clf.coef_[0], dtype=np.float16).astype(np.float32)
    return InjectionModel(weights, float(np.float32(clf.intercept_[0])), meta)


def _evidence(cands: list[Candidate]) -> tuple[float, float, bool]:
    plain = max(c.margin for c in cands if not c.rule_hit)
    ruled = [c.margin for c in cands if c.rule_hit]
    return plain, max(ruled) if ruled else -math.inf, bool(ruled)


def calibrate(
    evidence: list[tuple[float, float, bool]], labels: npt.NDArray[np.int64], seed: int, min_boost: float
) -> Calibration:
    """Platt scaling with a rule-hit term: p = sigmoid(a * margin + b + r * rule_hit), fitted on dev.

    ``r`` is floored at ``min_boost``: the rules are written to be high-precision, and dev holds too few rule hits
    that the model misses for the fit alone to value them. Thresholds are chosen afterwards on the final scores, so
    the floor cannot raise the false-positive rate on dev above its target.
    """
    x = np.array([[max(plain, ruled), 1.0 if hit else 0.0] for plain, ruled, hit in evidence])
    clf = LogisticRegression(C=10.0, solver="lbfgs", max_iter=1000, random_state=seed)
    clf.fit(x, labels)
    scale, boost = (float(v) for v in clf.coef_[0])
    return Calibration(
        scale=round(scale, 6), offset=round(float(clf.intercept_[0]), 6), rule_boost=round(max(boost, min_boost), 6)
    )


def final_score(cal: Calibration, ev: tuple[float, float, bool]) -> float:
    plain, ruled, hit = ev
    p = cal.probability(plain, False)
    return max(p, cal.probability(ruled, True)) if hit else p


def threshold_at_fpr(benign_scores: npt.NDArray[np.float64], target: float) -> float:
    """Smallest 4-decimal threshold whose false-positive rate (score >= t) on benign dev is at most ``target``."""
    ordered = np.sort(benign_scores)[::-1]
    allowed = math.floor(target * len(ordered))
    t = float(ordered[allowed]) if allowed < len(ordered) else 0.0
    return min(math.floor(t * 10000 + 1) / 10000, 0.9999)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=Path("../shared/datasets/injection"))
    ap.add_argument("--extra", type=Path, default=HERE / "extra_train.jsonl")
    ap.add_argument("--out", type=Path, default=Path("src/wardgate/scanners/injection/model.npz"))
    ap.add_argument("--n-bits", type=int, default=20)
    ap.add_argument("--c", type=float, default=4.0, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--extra-weight", type=float, default=2.0, help="weight of each extra_train.jsonl row")
    ap.add_argument("--buried", type=int, default=2000, help="synthetic buried-instruction documents")
    ap.add_argument("--task-docs", type=int, default=1500, help="synthetic instruction + pasted-text documents")
    ap.add_argument("--fpr-user", type=float, default=0.01, help="target FPR on benign dev for threshold_user")
    ap.add_argument("--fpr-untrusted", type=float, default=0.03, help="target FPR for threshold_untrusted")
    ap.add_argument("--min-rule-boost", type=float, default=1.0, help="floor of the calibrated rule-hit boost")
    ap.add_argument("--seed", type=int, default=20240611)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    rng = random.Random(args.seed)  # noqa: S311 - reproducible data augmentation, not cryptography
    cfg = FeatureConfig(n_bits=args.n_bits)
    rows = load_rows(args.datasets, args.extra if args.extra.exists() else None)
    train_rows = [r for r in rows if usable_for_training(r)]
    dev_rows = [r for r in rows if r.split == "dev"]
    log(f"{len(train_rows)} train rows, {len(dev_rows)} dev rows: {dict(Counter(r.source for r in train_rows))}")

    examples = build_examples(train_rows, rng, args.buried, args.extra_weight, args.task_docs)
    x = featurize([ex.text for ex in examples], cfg)
    y = np.array([ex.label for ex in examples])
    log(f"round 1: {len(examples)} windows, featurized in {time.perf_counter() - t0:.0f}s")
    clf = fit(x, y, group_weights(examples), args.c, args.seed)

    refined = mil_refine(examples, clf.decision_function(x))
    x = featurize([ex.text for ex in refined], cfg)
    y = np.array([ex.label for ex in refined])
    log(f"round 2: {len(refined)} windows")
    clf = fit(x, y, group_weights(refined), args.c, args.seed)

    provisional = ModelMeta(cfg, Calibration(1.0, 0.0, 0.0), 0.5, 0.5, WINDOW_SIZE, WINDOW_STEP, {})
    model = to_runtime(clf, cfg, provisional)
    evidence = [_evidence(candidates(model, r.text)) for r in dev_rows]
    dev_y = np.array([r.label for r in dev_rows])
    cal = calibrate(evidence, dev_y, args.seed, args.min_rule_boost)
    scores = np.array([final_score(cal, ev) for ev in evidence])
    benign = scores[dev_y == 0]
    t_user = threshold_at_fpr(benign, args.fpr_user)
    t_untrusted = min(threshold_at_fpr(benign, args.fpr_untrusted), t_user)

    info = {
        "trained_on": {name: lic for name, lic in TRAIN_SOURCES.items()} | {"extra_train.jsonl": "Apache-2.0"},
        "train_rows": dict(Counter(f"{r.source}/{r.label}" for r in train_rows)),
        "dev_rows": len(dev_rows),
        "extra_sha256": sha256(args.extra) if args.extra.exists() else None,
        "c": args.c,
        "seed": args.seed,
        "buried_docs": args.buried,
        "task_docs": args.task_docs,
        "extra_weight": args.extra_weight,
        "min_rule_boost": args.min_rule_boost,
        "target_fpr": {"user": args.fpr_user, "untrusted": args.fpr_untrusted},
        "dev": {
            "roc_auc": round(float(roc_auc_score(dev_y, scores)), 4),
            "fpr_user": round(float((benign >= t_user).mean()), 4),
            "tpr_user": round(float((scores[dev_y == 1] >= t_user).mean()), 4),
            "fpr_untrusted": round(float((benign >= t_untrusted).mean()), 4),
            "tpr_untrusted": round(float((scores[dev_y == 1] >= t_untrusted).mean()), 4),
        },
    }
    meta = ModelMeta(cfg, cal, t_user, t_untrusted, WINDOW_SIZE, WINDOW_STEP, info)
    final = InjectionModel(np.asarray(model.weights, dtype=np.float32), model.bias, meta)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    final.save(args.out)
    log(f"calibration {cal}; threshold_user={t_user} threshold_untrusted={t_untrusted}")
    log(f"dev: {json.dumps(info['dev'])}")
    log(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
