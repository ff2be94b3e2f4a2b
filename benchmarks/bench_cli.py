"""Start-up of the ``wasikernel`` command: ``--help`` against a bare Python start-up, and
``wasikernel run`` of an empty module against the smallest wasmtime-py runner of the same
module (``wasmtime_runner.py``, wasmtime's own WASI), both as whole processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Row, median_of

HERE = Path(__file__).resolve().parent
EMPTY_COMMAND = '(module (memory (export "memory") 1) (func (export "_start")))'


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _run_startup(repeat: int = 15) -> Row:
    import wasmtime

    with tempfile.TemporaryDirectory() as tmp:
        module = Path(tmp) / "empty.wasm"
        module.write_bytes(wasmtime.wat2wasm(EMPTY_COMMAND))
        runner = [sys.executable, str(HERE / "wasmtime_runner.py"), str(module)]
        ours = [sys.executable, "-m", "wasikernel", "run", str(module)]
        _seconds(runner), _seconds(ours)  # warm the file cache and the bytecode caches
        base, value = [], []
        for _ in range(repeat):  # interleaved, so a busy moment weighs on both
            base.append(_seconds(runner))
            value.append(_seconds(ours))
    return Row("wasikernel run start-up (empty module)", statistics.median(value), "s",
               "wasmtime-py runner, own WASI", statistics.median(base), target="<= 1.5x")


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
            _run_startup()]
