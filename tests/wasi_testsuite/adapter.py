"""wasi-testsuite runtime adapter for ``wasikernel run``.

The upstream runner (github.com/WebAssembly/wasi-testsuite, ``test-runner/``) loads this file
as a module and asks it how to turn one test into a command line::

    python3 test-runner/wasi_test_runner.py -t tests/c/testsuite/wasm32-wasip1 \\
        -r /path/to/wasikernel/tests/wasi_testsuite/adapter.py

The command is ``wasikernel run --env K=V --dir ROOT::/ TEST.wasm ARGS...``, the same
spelling as wasmtime's. Set ``WASIKERNEL`` to choose the command (default: this machine's
``wasikernel`` next to the running Python, else ``python -m wasikernel``) and
``WASIKERNEL_ENGINE`` to run under another engine that links our host (``stepper``, ``pulley``).
Only preview1 command modules are supported (the host implements ``wasi_snapshot_preview1``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path


def _default_command() -> list[str]:
    beside = Path(sys.executable).with_name("wasikernel")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("wasikernel")
    return [found] if found else [sys.executable, "-m", "wasikernel"]


WASIKERNEL = (
    shlex.split(os.environ["WASIKERNEL"]) if os.environ.get("WASIKERNEL") else _default_command()
)


def get_name() -> str:
    """The runtime's name in the runner's reports."""
    return "wasikernel"


def get_version() -> str:
    """wasikernel's version, asked of the command itself (raises CalledProcessError if absent)."""
    beside = Path(WASIKERNEL[0]).with_name("python")
    python = str(beside) if beside.exists() else sys.executable
    result = subprocess.run(
        [python, "-c", "import wasikernel; print(wasikernel.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def get_wasi_versions() -> list[str]:
    """The WASI versions the host implements."""
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> list[str]:
    """The worlds the host can run: plain command modules with ``_start``."""
    return ["wasi:cli/command"]


def get_timeout_seconds() -> float:
    """Seconds the runner waits for one test; a Python host starts slower than a native one."""
    return 60.0


def compute_argv(
    test_path: str,
    args_env_root: tuple[list[str], dict[str, str], str | None],
    proposals: list[str],
    wasi_world: str,
    wasi_version: str,
) -> list[str]:
    """The command line that runs one test under ``wasikernel run``."""
    args, env, root = args_env_root
    argv = [*WASIKERNEL, "run"]
    if os.environ.get("WASIKERNEL_ENGINE"):
        argv += ["--engine", os.environ["WASIKERNEL_ENGINE"]]
    for name, value in env.items():
        argv += ["--env", f"{name}={value}"]
    if root:
        argv += ["--dir", f"{root}::/"]
    argv.append(str(test_path))
    argv += [str(a) for a in args]
    return argv
