"""Proxy-overhead benchmark: direct vs. floor proxy vs. wardgate vs. LiteLLM.

One run starts a zero-service-time fake upstream and every target in its own
process on this machine, then measures each target in interleaved rounds::

    .venv/bin/python bench/proxy_overhead.py [--quick] [--out bench/results/proxy_overhead.json]

See bench/README.md for the method and the latest results.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import evloop
import overhead_report as report
from litellm_env import DEFAULT_VENV, LiteLLMEnv
from loadgen import Endpoint, LoadConfig, PhaseResult, probe, run_phases
from procs import ProcessGroup, TargetUnavailable
from targets import (
    BENCH_DIR,
    Started,
    start_floor,
    start_litellm,
    start_upstream,
    start_wardgate,
    wardgate_binary,
)

ALL_TARGETS = ("direct", "floor", "wardgate", "wardgate-audit", "litellm")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short smoke run (300 req, 100 rps x 3 s, 3 s)")
    p.add_argument("--out", type=Path, default=BENCH_DIR / "results" / "proxy_overhead.json")
    p.add_argument("--targets", default=",".join(ALL_TARGETS), help="comma list of %(default)s")
    p.add_argument("--rounds", type=int, help="interleaved rounds (default 3, --quick 1)")
    p.add_argument("--requests", type=int, help="c=1 requests per round (default 2000, --quick 300)")
    p.add_argument("--rate", type=float, help="open-loop req/s (default 200, --quick 100)")
    p.add_argument("--rate-duration", type=float, help="open-loop seconds (default 10, --quick 3)")
    p.add_argument("--concurrency", type=int, default=32, help="closed-loop workers (default 32)")
    p.add_argument("--duration", type=float, help="closed-loop seconds (default 10, --quick 3)")
    p.add_argument("--wardgate-bin", help="wardgate executable (default: next to this Python)")
    p.add_argument("--no-install", action="store_true", help="never pip-install LiteLLM; skip it if missing")
    p.add_argument("--litellm-venv", type=Path, default=DEFAULT_VENV, help="LiteLLM venv (default %(default)s)")
    p.add_argument("--raw", action="store_true", help="also write per-request latencies to <out>.raw.json")
    p.add_argument("--keep-logs", action="store_true", help="keep the temp dir with the targets' logs")
    return p.parse_args(argv)


def load_config(args: argparse.Namespace) -> tuple[LoadConfig, int]:
    quick = bool(args.quick)
    cfg = LoadConfig(
        seq_requests=args.requests or (300 if quick else 2000),
        seq_max_s=20.0 if quick else 60.0,
        rate=args.rate or (100.0 if quick else 200.0),
        rate_duration_s=args.rate_duration or (3.0 if quick else 10.0),
        concurrency=args.concurrency,
        tput_duration_s=args.duration or (3.0 if quick else 10.0),
        warmup_s=0.5 if quick else 2.0,
    )
    rounds = args.rounds or (1 if quick else 3)
    return cfg, rounds


def start_targets(
    group: ProcessGroup, workdir: Path, args: argparse.Namespace, wanted: list[str]
) -> tuple[dict[str, Endpoint], dict[str, dict[str, str]], dict[str, str]]:
    """Start every wanted target; returns endpoints, per-target info, and skip reasons."""
    upstream_port, direct = start_upstream(group)
    starters = {
        "direct": lambda: direct,
        "floor": lambda: start_floor(group, upstream_port),
        "wardgate": lambda: start_wardgate(group, workdir, upstream_port, wardgate_binary(args.wardgate_bin)),
        "wardgate-audit": lambda: start_wardgate(
            group, workdir, upstream_port, wardgate_binary(args.wardgate_bin), audit=True
        ),
        "litellm": lambda: start_litellm(
            group,
            workdir,
            upstream_port,
            LiteLLMEnv(
                venv=args.litellm_venv,
                allow_install=not args.no_install,
                log_path=workdir / "litellm-install.log",
            ),
        ),
    }
    endpoints: dict[str, Endpoint] = {}
    info: dict[str, dict[str, str]] = {}
    skipped: dict[str, str] = {}
    probe_cfg = LoadConfig(0, 0, 1, 0, 1, 0, 0, request_timeout_s=30.0)
    for name in wanted:
        print(f"[setup] starting {name} ...", flush=True)
        try:
            started: Started = starters[name]()
            error = evloop.run(probe(started.endpoint, probe_cfg))
            if error is not None:
                raise TargetUnavailable(f"{name} answered the probe request with {error}")
        except TargetUnavailable as exc:
            skipped[name] = str(exc)
            print(f"[setup] SKIPPING {name}: {exc}", flush=True)
            continue
        endpoints[name] = started.endpoint
        info[name] = started.info
    return endpoints, info, skipped


def run_rounds(
    endpoints: dict[str, Endpoint], cfg: LoadConfig, rounds: int, raw: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Each round runs every target once; the order rotates between rounds."""
    names = list(endpoints)
    out: list[dict[str, Any]] = []
    for index in range(rounds):
        shift = index % len(names)
        order = names[shift:] + names[:shift]
        record: dict[str, Any] = {"round": index + 1, "order": order, "targets": {}}
        for name in order:
            phases: dict[str, PhaseResult] = evloop.run(run_phases(endpoints[name], cfg))
            record["targets"][name] = {ph: res.summary() for ph, res in phases.items()}
            s = record["targets"][name]
            print(
                f"[round {index + 1}/{rounds}] {name:9s} c1 p50={s['c1']['p50_ms']}ms "
                f"p99={s['c1']['p99_ms']}ms | open-loop p50={s['open_loop']['p50_ms']}ms "
                f"p99={s['open_loop']['p99_ms']}ms | c{cfg.concurrency} {s['c32']['rps']} req/s "
                f"errors={s['c1']['errors'] + s['open_loop']['errors'] + s['c32']['errors']}",
                flush=True,
            )
            if raw is not None:
                raw.setdefault(name, []).append({ph: res.latencies_s for ph, res in phases.items()})
        out.append(record)
    return out


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info(litellm_venv: Path) -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        commit = ""
    return {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "aiohttp": _version("aiohttp"),
        "loadgen_loop": "uvloop" if evloop.uvloop_available() else "asyncio",
        "wardgate": _version("wardgate"),
        "litellm": LiteLLMEnv(venv=litellm_venv).installed_version() or "not installed",
        "git_commit": commit or "unknown",
    }


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    # Turn SIGTERM into SIGINT: evloop.run() then cancels the running phase
    # cleanly and raises KeyboardInterrupt, and the finally block kills children.
    os.kill(os.getpid(), signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg, rounds = load_config(args)
    wanted = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = sorted(set(wanted) - set(ALL_TARGETS))
    if unknown or "direct" not in wanted:
        print(f"--targets must include 'direct' and only {ALL_TARGETS}; bad: {unknown}", file=sys.stderr)
        return 2
    # Ctrl-C must work even when started with SIGINT ignored (e.g. from `cmd &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _on_sigterm)
    began = time.monotonic()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    workdir = Path(tempfile.mkdtemp(prefix="wardgate-bench-"))
    group = ProcessGroup(workdir)
    try:
        endpoints, info, skipped = start_targets(group, workdir, args, wanted)
        raw: dict[str, Any] | None = {} if args.raw else None
        measured = run_rounds(endpoints, cfg, rounds, raw)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping child processes", file=sys.stderr)
        return 130
    finally:
        group.stop_all()
        if args.keep_logs:
            print(f"[done] target logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    names = list(endpoints)
    summary = report.summarize(measured, names)
    results = {
        "command": " ".join([os.path.relpath(sys.executable), *sys.argv]),
        "started_at": started_at,
        "wall_s": round(time.monotonic() - began, 1),
        "machine": machine_info(args.litellm_venv),
        "config": {"rounds": rounds, **cfg.__dict__},
        "targets": info,
        "skipped": skipped,
        "rounds": measured,
        "summary": summary,
    }
    write_results(args.out, results, raw)
    print()
    print(report.markdown(summary, names, cfg.rate, cfg.concurrency))
    for name, reason in skipped.items():
        print(f"\nskipped {name}: {reason.splitlines()[0] if reason else ''}")
    print(f"\nwall time {results['wall_s']} s; results in {args.out}")
    return 0


def write_results(out: Path, results: dict[str, Any], raw: dict[str, Any] | None) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if raw is not None:
        out.with_suffix(".raw.json").write_text(json.dumps(raw))


if __name__ == "__main__":
    sys.exit(main())
