"""Aggregate per-round phase summaries into medians, added latency, ratios, Markdown."""

from __future__ import annotations

import statistics
from typing import Any

# metric name -> (phase, key in that phase's summary)
METRICS: dict[str, tuple[str, str]] = {
    "c1_p50_ms": ("c1", "p50_ms"),
    "c1_p99_ms": ("c1", "p99_ms"),
    "ol_p50_ms": ("open_loop", "p50_ms"),
    "ol_p99_ms": ("open_loop", "p99_ms"),
    "c32_rps": ("c32", "rps"),
    "c32_p50_ms": ("c32", "p50_ms"),
}
LATENCY_METRICS = ("c1_p50_ms", "c1_p99_ms", "ol_p50_ms", "ol_p99_ms")


def _metric(phases: dict[str, Any], metric: str) -> float | None:
    phase, key = METRICS[metric]
    value = phases.get(phase, {}).get(key)
    return float(value) if value is not None else None


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


def summarize(rounds: list[dict[str, Any]], targets: list[str]) -> dict[str, Any]:
    """Medians over rounds; added latency is paired per round, then the median taken."""
    medians: dict[str, dict[str, float | None]] = {}
    added: dict[str, dict[str, float | None]] = {}
    errors: dict[str, dict[str, int]] = {}
    for target in targets:
        per_round = [r["targets"][target] for r in rounds if target in r["targets"]]
        medians[target] = {m: _median([_metric(p, m) for p in per_round]) for m in METRICS}
        errors[target] = {ph: sum(p[ph]["errors"] for p in per_round) for ph in ("c1", "open_loop", "c32")}
        if target == "direct":
            continue
        added[target] = {}
        for metric in LATENCY_METRICS:
            diffs: list[float | None] = []
            for r in rounds:
                if target in r["targets"] and "direct" in r["targets"]:
                    t = _metric(r["targets"][target], metric)
                    d = _metric(r["targets"]["direct"], metric)
                    diffs.append(t - d if t is not None and d is not None else None)
            added[target][metric] = _median(diffs)
    return {"medians": medians, "added_ms": added, "errors": errors, "ratios": ratios(medians, added)}


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return round(num / den, 4)


def ratios(
    medians: dict[str, dict[str, float | None]], added: dict[str, dict[str, float | None]]
) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    wg_added = added.get("wardgate", {})
    wg_rps = medians.get("wardgate", {}).get("c32_rps")
    for other in ("floor", "litellm"):
        other_added = added.get(other, {})
        for metric in LATENCY_METRICS:
            out[f"wardgate_added/{other}_added {metric}"] = _ratio(wg_added.get(metric), other_added.get(metric))
        out[f"wardgate_rps/{other}_rps"] = _ratio(wg_rps, medians.get(other, {}).get("c32_rps"))
    audit_added = added.get("wardgate-audit", {})
    if audit_added:
        for metric in LATENCY_METRICS:
            out[f"wardgate-audit_added/floor_added {metric}"] = _ratio(
                audit_added.get(metric), added.get("floor", {}).get(metric)
            )
        audit_rps = medians.get("wardgate-audit", {}).get("c32_rps")
        out["wardgate-audit_rps/floor_rps"] = _ratio(audit_rps, medians.get("floor", {}).get("c32_rps"))
        out["wardgate-audit_rps/wardgate_rps"] = _ratio(audit_rps, wg_rps)
    return out


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _fmt_ratio(value: float) -> str:
    return f"{value:.2f}" if abs(value) >= 0.095 else f"{value:.2g}"


def markdown(summary: dict[str, Any], targets: list[str], rate: float, concurrency: int) -> str:
    medians = summary["medians"]
    added = summary["added_ms"]
    lines = [
        f"| target | c=1 p50 | c=1 p99 | c=1 added p50 / p99 | {rate:g} rps p50 | {rate:g} rps p99 "
        f"| {rate:g} rps added p50 / p99 | c={concurrency} req/s | c={concurrency} p50 "
        f"| errors c1/rate/c{concurrency} |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for target in targets:
        m = medians[target]
        a = added.get(target, {})
        c1_added = "—" if target == "direct" else f"{_fmt(a.get('c1_p50_ms'))} / {_fmt(a.get('c1_p99_ms'))}"
        ol_added = "—" if target == "direct" else f"{_fmt(a.get('ol_p50_ms'))} / {_fmt(a.get('ol_p99_ms'))}"
        err = summary["errors"][target]
        lines.append(
            f"| {target} | {_fmt(m['c1_p50_ms'])} | {_fmt(m['c1_p99_ms'])} | {c1_added} "
            f"| {_fmt(m['ol_p50_ms'])} | {_fmt(m['ol_p99_ms'])} | {ol_added} "
            f"| {_fmt(m['c32_rps'], 0)} | {_fmt(m['c32_p50_ms'])} | {err['c1']}/{err['open_loop']}/{err['c32']} |"
        )
    lines.append("")
    lines.append("Latencies in ms (medians over rounds); *added* = target minus direct, paired per round.")
    present = {k: v for k, v in summary["ratios"].items() if v is not None}
    if present:
        lines += ["", "| ratio | value |", "|---|--:|"]
        lines += [f"| {name} | {_fmt_ratio(value)} |" for name, value in present.items()]
    return "\n".join(lines)
