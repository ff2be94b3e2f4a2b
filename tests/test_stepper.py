"""The stepper's stepping API, recorded history, traps and limits, as a learner meets them."""

from __future__ import annotations

import threading
import time

import pytest
import wasmtime

from wasikernel.engines import run
from wasikernel.engines.stepper import CHECKPOINT_EVERY, StepperModule, load
from wasikernel.errors import EngineError
from wasikernel.sandbox import Limits, Sandbox

PROGRAM = """
(module
  (memory (export "memory") 1)
  (global $counter (mut i32) (i32.const 0))
  (func $square (param $x i32) (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (i32.mul (local.get $x) (local.get $x)))
  (func $sum_squares (export "sum_squares") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $square (local.get $i))))
        (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "divide") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func $deep (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "outer") (result i32) (call $deep (i32.const 0)))
  (func (export "spin") (loop $l (br $l))))
"""


def wasm() -> bytes:
    return wasmtime.wat2wasm(PROGRAM)


def module() -> StepperModule:
    m = load(wasm())
    assert isinstance(m, StepperModule)
    return m


def test_every_recorded_step_shows_what_the_live_machine_showed():
    m = module()
    s = m.session("sum_squares", 300)
    live = []
    memories = {}
    while not s.finished:
        v = s.current()
        live.append(v)
        if len(live) % 997 == 1:
            memories[len(live) - 1] = bytes(m.memory.data)
        s.step()
    assert s.returned == [sum(i * i for i in range(300))]
    assert len(s.history) == len(live) > 3 * CHECKPOINT_EVERY
    for i in list(range(0, len(live), 7)) + [len(live) - 1]:
        v = s.view(i)
        want = live[i]
        assert [f.func_name for f in v.frames] == [f.func_name for f in want.frames]
        assert v.instruction == want.instruction and v.offset == want.offset
        assert v.stack == want.stack, i
        assert len(v.stack_types) == len(v.stack) and "?" not in v.stack_types
        assert v.locals == want.locals, i
        assert [f.stack for f in v.frames] == [f.stack for f in want.frames]
        assert v.globals == want.globals
    for i, mem in memories.items():
        assert s.memory_at(i) == mem


def test_a_store_step_reports_the_bytes_it_wrote():
    s = module().session("sum_squares", 3)
    s.run()
    writes = [(i, s.view(i)) for i in range(len(s.history)) if s.view(i).memory_writes]
    assert [v.instruction for _, v in writes] == ["i32.store"] * 3
    addr, old, new = writes[2][1].memory_writes[0]
    assert (addr, old, new) == (8, b"\0\0\0\0", (0 + 1 + 4).to_bytes(4, "little"))


def test_step_over_runs_a_call_whole_and_step_out_returns_to_the_caller():
    s = module().session("sum_squares", 5)
    while s.current().instruction != "call $square":
        s.step()
    before = s.current()
    after = s.step_over()
    assert after.func_name == "sum_squares" and len(after.frames) == len(before.frames)
    assert after.stack == before.stack[:-1] + [before.stack[-1] ** 2]
    while s.current().instruction != "call $square":
        s.step()
    inside = s.step()
    assert inside.func_name == "square" and len(inside.frames) == 2
    assert inside.locals == [1]
    back = s.step_out()
    assert back.func_name == "sum_squares" and back.stack[-1] == 1


def test_run_stops_at_a_breakpoint_by_function_and_offset():
    m = module()
    s = m.session("sum_squares", 4)
    code_offsets = m.instance.exports["sum_squares"].instance.funcs[0]
    s.add_breakpoint("square")
    seen = []
    while not s.run().finished:
        v = s.current()
        assert v.func_name == "square"
        seen.append(v.locals[0])
    assert seen == [0, 1, 2, 3]
    assert s.returned == [0 + 1 + 4 + 9]
    # by module byte offset: the i32.mul inside $square
    s2 = m.session("sum_squares", 2)
    s2.run(max_steps=1)
    square = code_offsets
    text_offsets = square.code.offsets
    mul = text_offsets[square.code.texts.index("i32.mul")]
    s2.add_breakpoint("square", mul)
    v = s2.run()
    assert v.instruction == "i32.mul" and v.offset == mul and v.stack == [0, 0]


def test_clearing_the_breakpoints_lets_the_run_go_to_the_end():
    s = module().session("sum_squares", 4)
    s.add_breakpoint("square")
    assert s.run().func_name == "square" and not s.finished
    s.clear_breakpoints()
    s.run()
    assert s.finished and s.returned == [0 + 1 + 4 + 9]


def test_globals_and_frames_are_visible_at_each_step():
    s = module().session("sum_squares", 2)
    s.run()
    counters = {s.view(i).globals["counter"] for i in range(len(s.history) + 1)}
    assert counters == {0, 1, 2}
    deepest = max(len(s.view(i).frames) for i in range(len(s.history)))
    assert deepest == 2


@pytest.mark.parametrize(("export", "args", "message"), [
    ("divide", (1, 0), "integer divide by zero"),
    ("divide", (-2147483648, -1), "integer overflow"),
    ("outer", (), "integer divide by zero"),
])
def test_a_trap_is_a_result_with_the_spec_message_and_a_backtrace(export, args, message):
    r = run(wasm(), engine="stepper", invoke=export, invoke_args=args)
    assert r.trap is not None and r.trap.message == message and r.exit_code is None
    if export == "outer":
        assert [f.func_name for f in r.trap.frames] == ["deep", None]
    step = r.stepper.view(len(r.stepper.history) - 1)
    assert step.instruction.startswith("i32.div")


def test_invoke_returns_the_same_values_as_wasmtime():
    for args in [(7, 2), (-7, 2), (2147483647, -1)]:
        ours = run(wasm(), engine="stepper", invoke="divide", invoke_args=args)
        theirs = run(wasm(), engine="wasmtime", invoke="divide", invoke_args=args)
        assert ours.returned == theirs.returned and ours.exit_code == theirs.exit_code == 0


def test_cancel_stops_an_endless_loop_within_a_second():
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    t0 = time.monotonic()
    r = run(wasm(), Sandbox(limits=Limits(timeout_s=None)), engine="stepper", invoke="spin",
            cancel=cancel)
    assert time.monotonic() - t0 < 1.5
    assert r.trap is not None and r.trap.message == "interrupted"


def test_the_time_limit_ends_an_endless_loop_with_a_limit():
    r = run(wasm(), Sandbox(limits=Limits(timeout_s=0.3)), engine="stepper", invoke="spin")
    assert r.trap is None and r.exit_code is None
    assert r.limit is not None and "0.3" in r.limit


def test_a_kept_module_can_be_called_again_after_an_interrupted_call():
    r = run(wasm(), Sandbox(limits=Limits(timeout_s=0.2)), engine="stepper", invoke="spin",
            keep=True)
    assert r.limit is not None
    again = r.module.call("sum_squares", 4)
    assert again.returned == [14] and again.exit_code == 0


def test_history_keeps_the_first_steps_and_the_run_goes_on():
    r = run(wasm(), engine="stepper", invoke="sum_squares", invoke_args=(1000,))
    full = len(r.stepper.history)
    assert r.returned == [sum(i * i for i in range(1000))]
    from wasikernel.engines.stepper import run_module
    short = run_module(wasm(), Sandbox(), invoke="sum_squares", invoke_args=(1000,),
                       history_limit=1000)
    assert len(short.stepper.history) == 1000 < full
    assert short.returned == r.returned


def test_an_import_the_host_lacks_is_a_link_error_in_the_trace():
    wat = '(module (import "wasi_snapshot_preview1" "sock_open" (func (param i32) (result i32)))' \
          ' (func (export "_start")))'
    r = run(wat, engine="stepper")
    assert r.trap is not None and r.trap.message.startswith("link error:")
    events = [e for e in r.trace if e.phase == "link"]
    assert events and events[0].denied and events[0].call == "sock_open"


def test_a_module_past_webassembly_2_is_refused_with_the_reason():
    simd = ('(module (func (export "f") (result i32)'
            ' (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4))))')
    with pytest.raises(EngineError, match="WebAssembly 2.0"):
        run(simd, engine="stepper", invoke="f")


def test_a_module_without_start_is_handed_back_live():
    r = run(wasm(), engine="stepper")
    assert r.exit_code == 0 and isinstance(r.module, StepperModule)
    assert r.module.exports["divide"] == "(i32, i32) -> i32"
    assert r.module.call("divide", 9, 3).returned == [3]


RECURSE = """
(module
  (func $fib (export "fib") (param i64) (result i64)
    (if (result i64) (i64.lt_u (local.get 0) (i64.const 2))
      (then (local.get 0))
      (else (i64.add (call $fib (i64.sub (local.get 0) (i64.const 1)))
                     (call $fib (i64.sub (local.get 0) (i64.const 2)))))))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.load (i32.const 70000)))
      (else (call $down (i32.sub (local.get 0) (i32.const 1))))))
  (memory 1))
"""


@pytest.mark.parametrize("record", [False, True])
def test_cancel_reaches_deep_recursion_without_loops(record):
    from wasikernel.engines.stepper import run_module

    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    t0 = time.monotonic()
    r = run_module(wasmtime.wat2wasm(RECURSE), Sandbox(limits=Limits(timeout_s=None)),
                   invoke="fib", invoke_args=(60,), cancel=cancel, record=record)
    assert time.monotonic() - t0 < 1.5
    assert r.trap is not None and r.trap.message == "interrupted"


@pytest.mark.parametrize("record", [False, True])
def test_a_trap_deep_in_recursion_has_every_frame(record):
    from wasikernel.engines.stepper import run_module

    r = run_module(wasmtime.wat2wasm(RECURSE), Sandbox(), invoke="down", invoke_args=(50,),
                   record=record)
    assert r.trap is not None and r.trap.message == "out of bounds memory access"
    names = [f.func_name for f in r.trap.frames]
    assert names == ["down"] * 51
    load_offset = r.trap.frames[0].module_offset
    assert load_offset is not None and load_offset == min(f.module_offset for f in r.trap.frames)


def test_runaway_recursion_is_call_stack_exhausted_in_both_modes():
    from wasikernel.engines.stepper import run_module

    wat = '(module (func $f (export "f") (call $f)))'
    for record in (False, True):
        r = run_module(wasmtime.wat2wasm(wat), Sandbox(), invoke="f", record=record)
        assert r.trap is not None and r.trap.message == "call stack exhausted"


def test_the_operand_stack_shows_typed_values():
    wat = """(module (func (export "f") (result f32)
        i32.const -5
        i64.const -1
        f32.const 1.5
        drop drop drop
        f32.const 2.5))"""
    s = load(wasmtime.wat2wasm(wat)).session("f")
    s.step(3)
    v = s.current()
    assert v.stack == [-5, -1, 1.5]
    assert v.stack_types == ["i32", "i64", "f32"]
    s.run()
    assert s.view(3).stack == [-5, -1, 1.5]
    assert run(wat, engine="stepper", invoke="f").returned == [2.5]


def test_runaway_recursion_through_an_untranslatable_function_is_a_trap():
    """$b has more nested loops than Python compiles, so it stays on the handler table; the
    recursion $a -> $b -> $a alternates between the two forms and must end in a trap."""
    from wasikernel.engines.stepper import run_module

    nested = "(loop " * 24 + ")" * 24
    wat = f"""(module
      (func $a (export "a") (call $b))
      (func $b {nested} (call $a)))"""
    r = run_module(wasmtime.wat2wasm(wat), Sandbox(), invoke="a", record=False)
    assert r.trap is not None and r.trap.message == "call stack exhausted"


def test_instructions_and_locals_carry_the_names_written_in_the_wat():
    s = module().session("sum_squares", 2)
    texts = set()
    while not s.finished:
        v = s.current()
        texts.add(v.instruction)
        if v.func_name == "sum_squares":
            assert v.top.local_names == ["n", "i", "acc"]
        s.step()
    assert {"local.get $i", "local.set $acc", "global.set $counter", "call $square"} <= texts


def test_a_broken_module_is_refused_as_invalid():
    broken = wasmtime.wat2wasm('(module (func (export "f") (result i32) i32.const 1))')[:-3]
    with pytest.raises(EngineError, match="not valid"):
        run(broken, engine="stepper", invoke="f")


def test_keep_last_slides_the_history_to_the_latest_steps():
    from wasikernel.engines.stepper import run_module

    full = run_module(wasm(), Sandbox(), invoke="sum_squares", invoke_args=(3000,)).stepper
    last = run_module(wasm(), Sandbox(), invoke="sum_squares", invoke_args=(3000,),
                      history_limit=5000, history="last")
    s = last.stepper
    want = sum(i * i for i in range(3000)) & 0xFFFFFFFF
    assert last.returned == [want - (1 << 32) if want >> 31 else want]
    assert 5000 <= len(s.history) <= 5000 + CHECKPOINT_EVERY
    first = s.history.first
    assert first + len(s.history) == len(full.history) and first > 0
    for i in (0, 1, 777, len(s.history) - 1, len(s.history)):
        got, want = s.view(i), full.view(first + i)
        assert [(f.func_name, f.offset, f.stack, f.locals) for f in got.frames] == \
            [(f.func_name, f.offset, f.stack, f.locals) for f in want.frames]
        assert got.memory_writes == want.memory_writes
        assert s.memory_at(i) == full.memory_at(first + i)


def test_keep_last_holds_the_steps_that_led_to_a_late_trap():
    from wasikernel.engines.stepper import run_module

    wat = """(module (func (export "late") (param $n i32) (result i32) (local $i i32)
      (loop $l
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
      (i32.div_u (i32.const 7) (i32.sub (local.get $i) (local.get $n)))))"""
    r = run_module(wasmtime.wat2wasm(wat), Sandbox(), invoke="late", invoke_args=(20_000,),
                   history_limit=3000, history="last")
    assert r.trap is not None and r.trap.message == "integer divide by zero"
    s = r.stepper
    assert s.history.first > 100_000 and len(s.history) <= 3000 + CHECKPOINT_EVERY
    last = s.view(len(s.history) - 1)
    assert last.instruction == "i32.div_u" and last.stack == [7, 0]
    assert last.locals == [20_000, 20_000]
