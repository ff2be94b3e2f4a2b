"""The stepper against pywasm (the published pure-Python interpreter), same module, same run.

Rows: fib(20) and a loop over memory, in run mode and in recording mode (ratio = pywasm's
time / ours, target >= 10x and >= 3x); the memory a history of 1,000,000 steps holds (against
the 512 MiB target) and the slowest time to show a recorded step (against the 50 ms target).
"""

from __future__ import annotations

import random
import tempfile
import time
import tracemalloc
from pathlib import Path

import pywasm
import wasmtime
from harness import Row, best_of

from wasikernel.engines.stepper import StepperModule, load

WAT = """
(module
  (memory (export "memory") 1)
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "memloop") (param $n i32) (result i32)
    (local $i i32) (local $sum i32) (local $addr i32)
    (loop $l
      (local.set $addr (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)))
      (i32.store (local.get $addr) (i32.mul (local.get $i) (i32.const 3)))
      (local.set $sum (i32.add (local.get $sum) (i32.load (local.get $addr))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum)))
"""

CASES = [("fib(20)", "fib", 20), ("memory loop (20,000 iterations)", "memloop", 20000)]
HISTORY_STEPS = 1_000_000
MIB = 1 << 20


def _pywasm_runner(path: str, name: str, arg: int):
    def go() -> object:
        runtime = pywasm.core.Runtime()
        inst = runtime.instance_from_file(path)
        return runtime.invocate(inst, name, [arg])[0]
    return go


def rows() -> list[Row]:
    wasm = wasmtime.wat2wasm(WAT)
    module = load(wasm)
    assert isinstance(module, StepperModule)
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.wasm")
        Path(path).write_bytes(wasm)
        for label, name, arg in CASES:
            base_fn = _pywasm_runner(path, name, arg)
            want = base_fn() & 0xFFFFFFFF

            def run_mode(name=name, arg=arg) -> object:
                return module.call(name, arg).returned[0] & 0xFFFFFFFF

            def record_mode(name=name, arg=arg) -> object:
                s = module.session(name, arg)
                s.run()
                return s.returned[0]

            assert run_mode() == want and record_mode() == want
            base = best_of(base_fn, repeat=2)
            ours = best_of(run_mode, repeat=3)
            rec = best_of(record_mode, repeat=3)
            out.append(Row(f"{label}: stepper, run mode", ours, "s", "pywasm", base,
                           target=">= 10x", ratio=base / ours,
                           note="ratio: pywasm time / stepper time"))
            out.append(Row(f"{label}: stepper, recording mode", rec, "s", "pywasm", base,
                           target=">= 3x", ratio=base / rec,
                           note="ratio: pywasm time / stepper time"))
    # A history of 1,000,000 steps: its memory, and the slowest of many random views.
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    session = module.session("memloop", 10**9, history_limit=HISTORY_STEPS)
    session.run(max_steps=HISTORY_STEPS)
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(session.history) == HISTORY_STEPS
    out.append(Row(f"history of {HISTORY_STEPS:,} steps: memory held", held, "B",
                   "target 512 MiB", 512 * MIB, target="<= 1x"))
    rng = random.Random(7)
    picks = [rng.randrange(HISTORY_STEPS) for _ in range(200)] + [HISTORY_STEPS - 1]
    worst = 0.0
    for i in picks:
        t0 = time.perf_counter()
        view = session.view(i)
        worst = max(worst, time.perf_counter() - t0)
        assert view.instruction
    out.append(Row("show a recorded step (slowest of 201 random)", worst, "s", "target 50 ms",
                   0.050, target="<= 1x"))
    return out
