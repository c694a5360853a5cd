"""Child-process management for the benchmark: spawn, wait for readiness, kill.

Every child runs in its own session (process group) with its output sent to a
log file, so the whole tree (including any workers it forks) can be killed
with one ``killpg`` and nothing blocks on a full pipe.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LOOPBACK = "127.0.0.1"


class TargetUnavailable(RuntimeError):
    """A target could not be set up; the benchmark skips it with this reason."""


@dataclass
class Child:
    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, max_chars: int = 2000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-max_chars:]


def free_port() -> int:
    """A currently free loopback TCP port (tiny race window, fine on loopback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class ProcessGroup:
    """Owns every child process; ``stop_all`` is called from a ``finally``."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._children: list[Child] = []

    def spawn(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Child:
        log_path = self._log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
            )
        child = Child(name=name, proc=proc, log_path=log_path)
        self._children.append(child)
        return child

    def stop(self, child: Child, grace_s: float = 5.0) -> None:
        _signal_group(child.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(timeout=grace_s)
        # Kill the whole group even if the leader exited: workers may linger.
        _signal_group(child.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(timeout=grace_s)
        if child in self._children:
            self._children.remove(child)

    def stop_all(self) -> None:
        for child in reversed(list(self._children)):
            self.stop(child)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _check_alive(child: Child) -> None:
    code = child.proc.poll()
    if code is not None:
        raise TargetUnavailable(f"{child.name} exited with code {code} during startup; log tail:\n{child.log_tail()}")


def wait_tcp(child: Child, port: int, timeout_s: float) -> None:
    """Poll a TCP connect to ``port`` until it succeeds or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        _check_alive(child)
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TargetUnavailable(f"{child.name}: port {port} not open after {timeout_s:.0f}s")
        time.sleep(0.05)


_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url: str, timeout_s: float = 2.0) -> int:
    """Status of ``GET url`` (never via an HTTP proxy); 0 when unreachable."""
    try:
        with _NO_PROXY_OPENER.open(url, timeout=timeout_s) as resp:
            status: int = resp.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return 0


def wait_http_ok(child: Child, url: str, timeout_s: float) -> None:
    """Poll ``GET url`` until it answers 200 or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    last = 0
    while True:
        _check_alive(child)
        last = http_status(url)
        if last == 200:
            return
        if time.monotonic() > deadline:
            raise TargetUnavailable(f"{child.name}: {url} not ready after {timeout_s:.0f}s (last {last})")
        time.sleep(0.1)
