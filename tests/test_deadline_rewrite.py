"""The deadline rewriting pass (wasikernel.wasm.with_deadline_checks), checked natively: under
wasmtime, a rewritten module gives the same results as the original (the WASI suite's 72
programs, whose expectations are the oracle, and WAT modules exercising every index the pass
renumbers), and an endless loop or recursion ends when the deadline says so."""

from __future__ import annotations

import time

import pytest
import wasmtime

from wasikernel import conformance
from wasikernel.engines import REGISTRY, run
from wasikernel.engines.wasmtime import WasmtimeEngine
from wasikernel.sandbox import Sandbox
from wasikernel.wasi._spec import HostImport
from wasikernel.wasm import DEADLINE_MODULE, DEADLINE_NAME, DecodeError, with_deadline_checks

BUDGET = 100


class _Ticks:
    """The ``tick`` import: counts its calls, answers 0 once past ``deadline``."""

    def __init__(self, seconds: float | None = None) -> None:
        self.calls = 0
        self.deadline = None if seconds is None else time.monotonic() + seconds

    def __call__(self, *memory: object) -> int:
        self.calls += 1
        past = self.deadline is not None and time.monotonic() > self.deadline
        return 0 if past else BUDGET


def _instance(wasm: bytes, ticks: _Ticks):
    """Instantiate ``wasm`` with ``env.log`` (kept in ``logged``), ``env.g`` = 5 and ``tick``."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    module = wasmtime.Module(engine, wasm)
    linker = wasmtime.Linker(engine)
    logged: list[int] = []
    names = {(i.module, i.name) for i in module.imports}
    if ("env", "g") in names:
        linker.define(store, "env", "g", wasmtime.Global(
            store, wasmtime.GlobalType(wasmtime.ValType.i32(), False), 5))
    if ("env", "log") in names:
        linker.define_func("env", "log", wasmtime.FuncType([wasmtime.ValType.i32()], []),
                           logged.append)
    if (DEADLINE_MODULE, DEADLINE_NAME) in names:
        linker.define_func(DEADLINE_MODULE, DEADLINE_NAME,
                           wasmtime.FuncType([], [wasmtime.ValType.i32()]), ticks)
    return store, linker.instantiate(store, module), logged


KITCHEN = """(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "g" (global $imported i32))
  (type $unary (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $fib $twice)
  (elem declare func $twice)
  (global $counter (mut i32) (i32.const 0))
  (global $fref funcref (ref.func $twice))
  (memory (export "memory") 1)
  (start $init)
  (func $init (global.set $counter (i32.const 7)))
  (func $fib (export "fib") (type $unary)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $twice (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "sum") (param i32) (result i32) (local i32)
    (block $out (loop $again
      (br_if $out (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $again)))
    (call $log (local.get 1))
    (local.get 1))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $unary) (local.get 1) (local.get 0)))
  (func (export "counter") (result i32) (i32.add (global.get $counter) (global.get $imported)))
  (func (export "pair") (param i32) (result i32 i32)
    (local.get 0) (loop (param i32) (result i32) (i32.add (i32.const 1))) (i32.const 9))
  (func (export "fill") (result i32)
    (memory.fill (i32.const 0) (i32.const 42) (i32.const 100))
    (i32.load8_u offset=99 (i32.const 0)))
  (func (export "spin") (loop $l (br $l)))
  (func $deep (export "deep") (call $deep)))"""


def _kitchen_results(wasm: bytes, ticks: _Ticks) -> list:
    store, inst, logged = _instance(wasm, ticks)
    ex = inst.exports(store)
    return [
        ex["fib"](store, 20), ex["sum"](store, 1000), ex["indirect"](store, 0, 10),
        ex["indirect"](store, 1, 10), ex["counter"](store), ex["pair"](store, 1),
        ex["fill"](store), logged, sorted(e for e in ex),
    ]


def test_a_rewritten_module_computes_what_the_original_does():
    original = wasmtime.wat2wasm(KITCHEN)
    ticks = _Ticks()
    rewritten = with_deadline_checks(original, BUDGET)
    assert _kitchen_results(rewritten, ticks) == _kitchen_results(original, _Ticks())
    assert ticks.calls > 100  # fib(20) enters 21891 functions: ~219 ticks of 100
    imports = [(i.module, i.name) for i in wasmtime.Module(wasmtime.Engine(), rewritten).imports]
    assert imports == [("env", "log"), (DEADLINE_MODULE, DEADLINE_NAME), ("env", "g")]


@pytest.mark.parametrize("export", ["spin", "deep"])
def test_an_endless_loop_or_recursion_traps_once_the_deadline_says_stop(export):
    rewritten = with_deadline_checks(wasmtime.wat2wasm(KITCHEN), BUDGET)
    ticks = _Ticks(seconds=0.2)
    store, inst, _ = _instance(rewritten, ticks)
    if export == "deep":  # an endless recursion runs out of stack before any deadline
        with pytest.raises(wasmtime.Trap, match="stack"):
            inst.exports(store)[export](store)
        return
    with pytest.raises(wasmtime.Trap, match="unreachable"):
        inst.exports(store)[export](store)
    assert ticks.deadline is not None and time.monotonic() > ticks.deadline


def test_a_module_without_imports_types_or_globals_gets_them():
    wasm = wasmtime.wat2wasm('(module (func (export "f") (result i32) (i32.const 3)))')
    rewritten = with_deadline_checks(wasm)
    store, inst, _ = _instance(rewritten, _Ticks())
    assert inst.exports(store)["f"](store) == 3


def test_bytes_that_are_not_a_module_raise_decode_error():
    with pytest.raises(DecodeError):
        with_deadline_checks(b"\0asm\x01\x00\x00\x00\x0a\x05\x01\x03\x00\xff\x0b")
    with pytest.raises(DecodeError):
        with_deadline_checks(b"not wasm")


class _RewrittenWasmtime(WasmtimeEngine):
    """wasmtime running the rewritten module with our host, the tick linked beside it."""

    def load(self, request):
        loaded = super().load(request.but(wasm=with_deadline_checks(request.wasm, BUDGET)))
        loaded.imports = [i for i in loaded.imports if i.module != DEADLINE_MODULE]
        instantiate = loaded.instantiate
        tick = HostImport(DEADLINE_MODULE, DEADLINE_NAME, (), ("i32",), _Ticks(), None)

        def with_tick(host, linked):
            return instantiate(host, {**linked, (DEADLINE_MODULE, DEADLINE_NAME): tick})

        loaded.instantiate = with_tick
        return loaded


def test_the_wasi_suite_passes_rewritten_as_it_does_as_it_is(wasi_testsuite, monkeypatch):
    monkeypatch.setitem(REGISTRY._entries, "rewritten", _RewrittenWasmtime("rewritten"))
    cases = conformance.find_cases(wasi_testsuite)
    assert len(cases) == 72
    failed = []
    for case in cases:
        ran = conformance.run_case("rewritten", case)
        reason = conformance.judge(case, ran)
        if reason is not None:
            failed.append(f"{case.wasm.name}: {reason}")
    assert not failed, failed


def test_a_c_program_under_our_host_keeps_its_output_and_trace_rewritten(zig):
    from wasikernel.compile import compile_source

    wasm = compile_source("c", '#include <stdio.h>\nint main(void){ for (int i = 0; i < 3; i++)'
                               ' printf("%d\\n", i); return 4; }').wasm
    plain = run(wasm, Sandbox())
    engine = _RewrittenWasmtime("rewritten")
    from wasikernel.engines import RunRequest

    rewritten = engine.run(RunRequest(wasm, Sandbox()))
    assert (rewritten.stdout, rewritten.exit_code) == (plain.stdout, plain.exit_code) == (
        b"0\n1\n2\n", 4)
    assert [e.call for e in rewritten.trace.events] == [e.call for e in plain.trace.events]
