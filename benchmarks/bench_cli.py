"""Start-up of the ``wasikernel`` command: ``--help`` against a bare Python start-up, and
``wasikernel run`` of an empty module against the smallest wasmtime-py runner of the same
module (``wasmtime_runner.py``, wasmtime's own WASI), both as whole processes."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Row, median_of

HERE = Path(__file__).resolve().parent
EMPTY_COMMAND = '(module (memory (export "memory") 1) (func (export "_start")))'


def _times(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _run_startup(repeat: int = 15) -> list[Row]:
    import wasmtime

    with tempfile.TemporaryDirectory() as tmp:
        module = Path(tmp) / "empty.wasm"
        module.write_bytes(wasmtime.wat2wasm(EMPTY_COMMAND))
        runner = [sys.executable, str(HERE / "wasmtime_runner.py"), str(module)]
        script = Path(sys.executable).with_name("wasikernel")  # the installed command
        ours = [sys.executable, *([str(script)] if script.is_file() else ["-m", "wasikernel"]),
                "run", str(module)]
        # as once installed: the bytecode of every module is cached (beside the temporary
        # module, so the checkout stays clean), even where PYTHONDONTWRITEBYTECODE is set
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        _times(runner, env), _times(ours, env)  # write the caches, warm the file cache
        base, value = [], []
        for _ in range(repeat):  # interleaved, so a busy moment weighs on both
            base.append(_times(runner, env))
            value.append(_times(ours, env))
    rows = []
    for i, what in enumerate(("wall", "CPU")):
        rows.append(Row(f"wasikernel run start-up, empty module ({what})",
                        statistics.median(v[i] for v in value), "s",
                        "wasmtime-py runner, own WASI", statistics.median(b[i] for b in base),
                        target="<= 1.5x"))
    return rows


def rows() -> list[Row]:
    def bare() -> None:
        subprocess.run([sys.executable, "-c", "pass"], check=True)

    def cli() -> None:
        subprocess.run(
            [sys.executable, "-m", "wasikernel", "--help"], check=True, stdout=subprocess.DEVNULL
        )

    base = median_of(bare, repeat=7)
    ours = median_of(cli, repeat=7)
    return [Row("wasikernel --help start-up", ours, "s", "python -c pass", base),
            *_run_startup()]
