"""Aggregate the guardrails benchmark: medians over rounds, paired (on − off) deltas and ratios, Markdown tables."""

from __future__ import annotations

import statistics
from typing import Any

CONFIGS = ("off", "on")
HTTP_METRICS = (
    ("c1", "p50_ms"),
    ("c1", "p99_ms"),
    ("c1", "gateway_cpu_ms"),
    ("c16", "rps"),
    ("c16", "p50_ms"),
    ("c16", "gateway_cpu_ms"),
)
STREAM_METRICS = ("ttfb_p50_ms", "ttfc_p50_ms", "ttlb_p50_ms", "ttlb_p99_ms")


def _median(values: list[float | None], digits: int = 3) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), digits) if present else None


def _paired(rounds: list[tuple[Any, Any]], op: str) -> float | None:
    """Median over rounds of (on − off) or (on / off), each pair from the same round."""
    values: list[float | None] = []
    for off, on in rounds:
        if off is None or on is None:
            values.append(None)
        elif op == "diff":
            values.append(float(on) - float(off))
        else:
            values.append(float(on) / float(off) if float(off) > 0 else None)
    return _median(values, 3 if op == "diff" else 4)


def summarize_http(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for size in rounds[0]["http"]:
        cell: dict[str, Any] = {}
        for phase, key in HTTP_METRICS:
            pairs = [(r["http"][size]["off"][phase][key], r["http"][size]["on"][phase][key]) for r in rounds]
            metric = f"{phase}_{key}"
            cell[metric] = {c: _median([p[i] for p in pairs]) for i, c in enumerate(CONFIGS)}
            cell[metric]["on_minus_off"] = _paired(pairs, "diff")
            cell[metric]["on_over_off"] = _paired(pairs, "ratio")
        cell["errors"] = {
            c: sum(r["http"][size][c][ph]["errors"] for r in rounds for ph in ("c1", "c16")) for c in CONFIGS
        }
        out[size] = cell
    return out


def summarize_stream(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Per stream variant (burst, paced): medians and paired deltas of the streaming metrics."""
    out: dict[str, Any] = {}
    for variant in rounds[0]["stream"]:
        per = [r["stream"][variant] for r in rounds]
        cell: dict[str, Any] = {}
        for metric in STREAM_METRICS:
            pairs = [(p["off"][metric], p["on"][metric]) for p in per]
            cell[metric] = {c: _median([pair[i] for pair in pairs]) for i, c in enumerate(CONFIGS)}
            cell[metric]["on_minus_off"] = _paired(pairs, "diff")
            cell[metric]["on_over_off"] = _paired(pairs, "ratio")
        cell["errors"] = {c: sum(p[c]["errors"] for p in per) for c in CONFIGS}
        cell["content_chars"] = {c: sorted({n for p in per for n in p[c]["content_chars"]}) for c in CONFIGS}
        out[variant] = cell
    return out


def _f(value: float | None, fmt: str = "{:.2f}") -> str:
    return "—" if value is None else fmt.format(value)


def http_table(http: dict[str, Any], concurrency: int) -> str:
    head = (
        "| prompt | c=1 p50 off | c=1 p50 on | added p50 | c=1 p99 off | c=1 p99 on | added p99 "
        "| gateway CPU/req off | CPU/req on | added CPU/req "
        f"| c={concurrency} req/s off | c={concurrency} req/s on | on/off req/s | errors off/on |\n"
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n"
    )
    rows = []
    for size, cell in http.items():
        cols = []
        for metric in ("c1_p50_ms", "c1_p99_ms", "c1_gateway_cpu_ms"):
            m = cell[metric]
            cols += [_f(m["off"]), _f(m["on"]), _f(m["on_minus_off"], "{:+.2f}")]
        rps = cell["c16_rps"]
        cols += [_f(rps["off"], "{:.0f}"), _f(rps["on"], "{:.0f}"), _f(rps["on_over_off"])]
        cols.append(f"{cell['errors']['off']}/{cell['errors']['on']}")
        rows.append(f"| {size} | " + " | ".join(cols) + " |")
    return head + "\n".join(rows)


def stream_table(stream: dict[str, Any], delays_ms: dict[str, float]) -> str:
    labels = {
        "ttfb_p50_ms": "first byte, p50",
        "ttfc_p50_ms": "first content delta, p50",
        "ttlb_p50_ms": "last byte, p50",
        "ttlb_p99_ms": "last byte, p99",
    }
    rows = [
        "| stream (1 KB prompt, c=1) | metric | off | on | added | on/off | errors off/on |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for variant, cell in stream.items():
        name = f"{variant} ({delays_ms.get(variant, 0):g} ms between chunks)"
        for metric, label in labels.items():
            m = cell[metric]
            rows.append(
                f"| {name} | {label} | {_f(m['off'])} | {_f(m['on'])} | {_f(m['on_minus_off'], '{:+.2f}')} "
                f"| {_f(m['on_over_off'])} | {cell['errors']['off']}/{cell['errors']['on']} |"
            )
    return "\n".join(rows)


def micro_table(micro: dict[str, Any]) -> str:
    sizes = list(micro["sizes"])
    rows = [
        "| detector | " + " | ".join(sizes) + " | µs per KB at 100 KB |",
        "|---|" + "--:|" * (len(sizes) + 1),
    ]
    for name, cells in micro["cells"].items():
        values = [f"{cells[s]['wall_us']:,.1f} ({cells[s]['cpu_us']:,.1f})" for s in sizes]
        per_kb = cells[sizes[-1]]["wall_us"] / (micro["sizes"][sizes[-1]] / 1000)
        rows.append(f"| {name} | " + " | ".join(values) + f" | {per_kb:,.1f} |")
    return "\n".join(rows)


def memory_table(memory: dict[str, Any]) -> str:
    rows = [
        "| gateway | VmHWM after warm-up | VmRSS after warm-up | VmHWM at end of run |",
        "|---|--:|--:|--:|",
    ]

    def mib(kib: int | None) -> str:
        return "—" if kib is None else f"{kib / 1024:.1f} MiB"

    for name in CONFIGS:
        warm, end = memory["after_warmup"][name], memory["at_end"][name]
        rows.append(
            f"| guardrails {name} | {mib(warm['VmHWM_kib'])} | {mib(warm['VmRSS_kib'])} | {mib(end['VmHWM_kib'])} |"
        )
    return "\n".join(rows)


def markdown(results: dict[str, Any]) -> str:
    conc = results["config"]["concurrency"]
    parts = [
        "Request path (ms, medians over rounds; added = on − off paired per round; "
        "CPU/req = gateway CPU time per c=1 request):",
        http_table(results["summary"]["http"], conc),
        "Streamed (ms, 1 KB answer in ~50 chunks):",
        stream_table(results["summary"]["stream"], results["config"]["stream_delays_ms"]),
    ]
    if results.get("micro", {}).get("cells"):
        title = "Detector micro-benchmarks (µs per call: median wall time, median CPU time in brackets):"
        parts += [title, micro_table(results["micro"])]
    parts += ["Gateway memory:", memory_table(results["memory"])]
    return "\n\n".join(parts)
