"""The LiteLLM comparison target's private virtualenv (``bench/.venv-litellm``).

LiteLLM is pinned to one version, and its dependency set to
``bench/litellm-constraints.txt``, so reruns benchmark the same code.
1.82.7 and 1.82.8 were malicious uploads (March 2026) and are avoided; the
pin predates them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from procs import TargetUnavailable

LITELLM_VERSION = "1.82.6"
BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_VENV = BENCH_DIR / ".venv-litellm"
CONSTRAINTS = BENCH_DIR / "litellm-constraints.txt"
INSTALL_TIMEOUT_S = 1200


@dataclass
class LiteLLMEnv:
    venv: Path = DEFAULT_VENV
    version: str = LITELLM_VERSION
    allow_install: bool = True
    log_path: Path | None = None

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def cli(self) -> Path:
        return self.venv / "bin" / "litellm"

    def installed_version(self) -> str | None:
        if not self.python.exists() or not self.cli.exists():
            return None
        code = "import importlib.metadata as m; print(m.version('litellm'))"
        try:
            done = subprocess.run(
                [str(self.python), "-c", code], capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    def ensure(self) -> Path:
        """Path of the ``litellm`` CLI, installing the pinned version if needed."""
        found = self.installed_version()
        if found == self.version:
            return self.cli
        if not self.allow_install:
            raise TargetUnavailable(f"litellm {self.version} not installed in {self.venv} (found {found})")
        print(f"[litellm] installing litellm[proxy]=={self.version} into {self.venv} (a few minutes)...")
        self._run([self._base_python(), "-m", "venv", str(self.venv)], "create venv", 300)
        pip = [str(self.python), "-m", "pip", "install", "--quiet"]
        if CONSTRAINTS.exists():
            pip += ["-c", str(CONSTRAINTS)]
        self._run([*pip, f"litellm[proxy]=={self.version}"], "pip install", INSTALL_TIMEOUT_S)
        found = self.installed_version()
        if found != self.version:
            raise TargetUnavailable(f"after install, litellm version is {found}, expected {self.version}")
        return self.cli

    @staticmethod
    def _base_python() -> str:
        return shutil.which("python3") or sys.executable

    def _run(self, argv: list[str], what: str, timeout_s: int) -> None:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TargetUnavailable(f"litellm {what} failed: {exc}") from exc
        if self.log_path is not None:
            with self.log_path.open("a") as log:
                log.write(f"$ {' '.join(argv)}\n{done.stdout}\n{done.stderr}\n")
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip()[-1500:]
            raise TargetUnavailable(f"litellm {what} exited {done.returncode}: {tail}")
