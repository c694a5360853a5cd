"""In-process detector micro-benchmarks (no HTTP) and gateway memory readings for the guardrails benchmark.

Each cell times one detector on one input size: a first (untimed) call, then batches of calls sized to last about
``batch_s``; a batch gives wall and process-CPU time per call. The cell is the median over ``repeats`` batches,
bounded by ``cell_budget_s`` (at least three batches).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guard_texts import SIZES, SYSTEM_PROMPT, text
from wardgate.guardrails.engine import TextItem, scan_one
from wardgate.scanners.base import ScanContext
from wardgate.scanners.canonical import canonicalize
from wardgate.scanners.output import AnswerContext, answer_findings, new_canary
from wardgate.scanners.registry import ScannerSet

INPUT_CATEGORIES = ("injection", "pii", "secret")
"""What the default input policy runs on a user message (``unicode``/``encoding`` come from canonicalize)."""
OUTPUT_CATEGORIES = ("pii", "secret")
"""What the default output policy runs through ``scan_one`` on an answer."""
ANSWER_GUARDS = ("system_prompt_leak", "exfiltration", "schema")
"""The answer guards the default output policy enables (``deny`` is off unless configured)."""


@dataclass(frozen=True)
class MicroConfig:
    repeats: int = 11
    batch_s: float = 0.02
    cell_budget_s: float = 8.0
    max_batch: int = 2000


def detectors(scanners: ScannerSet) -> dict[str, Callable[[str], object]]:
    """Name -> one call of that detector on a text, as the pipeline makes it."""
    user, out = ScanContext("user", "input"), ScanContext("assistant", "output")
    actx = AnswerContext(system_prompts=(SYSTEM_PROMPT,), canary=new_canary())
    injection, pii, secrets = scanners.get("injection"), scanners.get("pii"), scanners.get("secret")
    return {
        "canonicalize": canonicalize,
        "injection": lambda t: injection.scan(t, user),
        "pii": lambda t: pii.scan(t, user),
        "secrets": lambda t: secrets.scan(t, user),
        "answer guards, new canary per call (as per request)": lambda t: answer_findings(
            t, AnswerContext(system_prompts=(SYSTEM_PROMPT,), canary=new_canary()), ANSWER_GUARDS
        ),
        "answer guards, same canary (as per streamed chunk)": lambda t: answer_findings(t, actx, ANSWER_GUARDS),
        "scan_one input (injection+pii+secret)": lambda t: scan_one(
            scanners, TextItem(0, "user", t), INPUT_CATEGORIES, user
        ),
        "scan_one output (pii+secret)": lambda t: scan_one(
            scanners, TextItem(0, "assistant", t), OUTPUT_CATEGORIES, out
        ),
    }


def time_cell(call: Callable[[str], object], sample: str, cfg: MicroConfig) -> dict[str, float]:
    """Median wall/CPU microseconds per call; the first call is reported separately."""
    began = time.perf_counter()
    call(sample)
    first = time.perf_counter() - began
    began = time.perf_counter()
    call(sample)
    single = max(time.perf_counter() - began, 1e-7)
    batch = max(1, min(cfg.max_batch, math.ceil(cfg.batch_s / single)))
    wall: list[float] = []
    cpu: list[float] = []
    deadline = time.perf_counter() + cfg.cell_budget_s
    while len(wall) < cfg.repeats and (len(wall) < 3 or time.perf_counter() < deadline):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(batch):
            call(sample)
        wall.append((time.perf_counter() - w0) / batch)
        cpu.append((time.process_time() - c0) / batch)
    return {
        "wall_us": round(statistics.median(wall) * 1e6, 2),
        "cpu_us": round(statistics.median(cpu) * 1e6, 2),
        "first_call_us": round(first * 1e6, 2),
        "batches": len(wall),
        "calls_per_batch": batch,
    }


def run_micro(cfg: MicroConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every detector on every size; returns ``{"warm_s": ..., "cells": {detector: {size: cell}}}``."""
    scanners = ScannerSet()
    began = time.perf_counter()
    scanners.warm()
    warm_s = time.perf_counter() - began
    samples = {label: text(size) for label, size in SIZES.items()}
    cells: dict[str, dict[str, dict[str, float]]] = {}
    for name, call in detectors(scanners).items():
        cells[name] = {}
        for label, sample in samples.items():
            cells[name][label] = cell = time_cell(call, sample, cfg)
            log(f"[micro] {name:38s} {label:>6s}: {cell['wall_us']:>11.1f} us/call (cpu {cell['cpu_us']:.1f})")
    return {"warm_s": round(warm_s, 3), "sizes": dict(SIZES), "cells": cells}


def proc_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (``/proc/<pid>/stat``, clock-tick resolution)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def calibrate(repeats: int = 5) -> float:
    """Median milliseconds of a fixed pure-Python workload: the machine's speed at this moment, to compare runs."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        total = 0
        for i in range(300_000):
            total += i * i % 7
        times.append(time.perf_counter() - began)
    return round(statistics.median(times) * 1000, 2)


def machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, summed over cores (``/proc/stat``)."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    total = sum(ticks[:8])
    hz = os.sysconf("SC_CLK_TCK")
    return (total - idle) / hz, total / hz


def proc_memory(pid: int) -> dict[str, int | None]:
    """VmHWM (peak resident set) and VmRSS of a process, in KiB; None where unreadable."""
    out: dict[str, int | None] = {"VmHWM_kib": None, "VmRSS_kib": None}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        key, _, value = line.partition(":")
        if f"{key}_kib" in out:
            out[f"{key}_kib"] = int(value.split()[0])
    return out
