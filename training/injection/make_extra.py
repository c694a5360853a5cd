"""Generate the templated part of ``extra_train.jsonl``: benign task instructions and attacks, in ten languages.

    python training/injection/make_extra.py            # rewrites the generated rows, keeps the hand-written ones

Every sentence part below was written for this project (no dataset text is copied). Rows get ``category`` values
starting with ``gen_`` and a ``split`` (``train`` or ``dev``) from a hash of the text, so dev stays disjoint from
train and re-running gives the same file. The sentence parts themselves live in :mod:`extra_parts`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

from extra_parts import ATTACK_PARTS, BENIGN_PARTS, LangParts

HERE = Path(__file__).resolve().parent
PREFIX = "gen_"
DEV_PERCENT = 15
SEED = 7310


def split_of(text: str) -> str:
    return "dev" if int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < DEV_PERCENT else "train"


def fill(template: str, parts: LangParts, rng: random.Random) -> str:
    """Fill ``{slot}`` markers from the language's slot lists (one value per slot, so a name repeats consistently)."""
    out = template
    for slot, values in parts.slots.items():
        marker = "{" + slot + "}"
        if marker in out:
            out = out.replace(marker, rng.choice(values))
    return out


def generate(parts: dict[str, LangParts], label: int, per_template: int, rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for lang, lp in parts.items():
        for category, templates in lp.templates.items():
            for template in templates:
                for _ in range(per_template):
                    text = fill(template, lp, rng)
                    if rng.random() < lp.paste_rate.get(category, 0.0):
                        text = f"{text}{rng.choice(lp.separators)}{rng.choice(lp.pastes)}"
                    if text in seen:
                        continue
                    seen.add(text)
                    rows.append(
                        {
                            "text": text,
                            "label": label,
                            "lang": lang,
                            "category": PREFIX + category,
                            "split": split_of(text),
                        }
                    )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE / "extra_train.jsonl")
    ap.add_argument("--benign-per-template", type=int, default=6)
    ap.add_argument("--attack-per-template", type=int, default=4)
    args = ap.parse_args(argv)
    rng = random.Random(SEED)  # noqa: S311 - reproducible templating, not cryptography
    kept = []
    if args.out.exists():
        with args.out.open(encoding="utf-8") as fh:
            kept = [json.loads(line) for line in fh if line.strip()]
    kept = [r for r in kept if not str(r.get("category", "")).startswith(PREFIX)]
    existing = {str(r["text"]) for r in kept}
    generated = generate(BENIGN_PARTS, 0, args.benign_per_template, rng)
    generated += generate(ATTACK_PARTS, 1, args.attack_per_template, rng)
    generated = [r for r in generated if r["text"] not in existing]
    with args.out.open("w", encoding="utf-8") as fh:
        for row in kept + generated:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    n_dev = sum(r["split"] == "dev" for r in generated)
    print(f"kept {len(kept)} rows, generated {len(generated)} ({n_dev} dev)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
