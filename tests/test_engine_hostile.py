"""Engines against a hostile guest: a memory that moves, a run that would leak its store or its
descriptors, a folder whose symlinks leave it. Each run that could kill or bloat the process
runs in a fresh interpreter, so a failure is a failed test, not a dead test run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# prints "hi", grows a memory64 memory past 4 GiB (wasmtime then moves it), prints "hi" again
GROW_PAST_4_GIB = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") i64 1)
  (func (export "_start")
    (i64.store (i64.const 0) (i64.const 0x0000000300000010))
    (i64.store (i64.const 16) (i64.const 0x000a6968))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (if (i64.lt_s (memory.grow (i64.const 70000)) (i64.const 0)) (then unreachable))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""


def run_python(code: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that imports this checkout's wasikernel."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        timeout=timeout, env=env, cwd=ROOT,
    )  # fmt: skip


@pytest.mark.parametrize("engine", ["wasmtime", "pulley"])
def test_a_memory_that_moves_past_4_gib_is_still_read_right(engine):
    done = run_python(f"""
        from wasikernel.engines import run
        from wasikernel.sandbox import Limits, Sandbox
        r = run({GROW_PAST_4_GIB!r}, Sandbox(limits=Limits(max_memory_mib=8192)),
                engine={engine!r})
        print(repr((r.exit_code, r.trap, r.limit, r.stdout)))
    """)
    assert done.returncode == 0, f"the run killed its process ({done.returncode}): {done.stderr}"
    assert done.stdout.strip() == repr((0, None, None, b"hi\nhi\n"))
