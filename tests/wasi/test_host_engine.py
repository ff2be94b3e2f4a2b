"""The wasmtime engine with our host: link refusals, traps, live modules, layout, limits."""

from __future__ import annotations

import threading
import time

import pytest

from wasikernel.engines import ENGINES, run
from wasikernel.errors import EngineError
from wasikernel.sandbox import Limits, Sandbox
from wasikernel.wasi import WasiHost

_HOST = WasiHost()


def wat(body: str, imports: tuple[str, ...] = (), data: str = "", extra: str = "") -> str:
    """A module importing ``imports`` from WASI whose ``_start`` runs ``body``."""
    lines = ["(module"]
    for name in imports:
        imp = _HOST.lookup("wasi_snapshot_preview1", name)
        params = " ".join(imp.params)
        result = f"(result {imp.results[0]})" if imp.results else ""
        lines.append(
            f'(import "wasi_snapshot_preview1" "{name}" (func ${name} (param {params}) {result}))'
        )
    lines.append('(memory (export "memory") 1)')
    if data:
        lines.append(data)
    lines.append(extra)
    if body:
        lines.append(f'(func (export "_start") {body})')
    lines.append(")")
    return "\n".join(lines)


HELLO = wat(
    "(i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 6))"
    "(drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))"
    "(call $proc_exit (i32.const 42))",
    ("fd_write", "proc_exit"),
    '(data (i32.const 100) "hello\\n")',
)


def test_registry_names_wasmtime_and_unknown_engines_fail_clearly():
    assert "wasmtime" in ENGINES
    with pytest.raises(EngineError, match="unknown engine"):
        run(HELLO, engine="nope")
    with pytest.raises(EngineError, match="not a WebAssembly module"):
        run(b"\x7fELF not wasm")


def test_output_exit_code_and_trace_of_a_run():
    chunks = []
    r = run(HELLO, on_output=lambda s, c: chunks.append((s, c)))
    assert (r.stdout, r.exit_code, r.trap, r.limit) == (b"hello\n", 42, None, None)
    assert chunks == [("stdout", b"hello\n")]
    assert [e.call for e in r.trace] == ["fd_write", "proc_exit"]
    assert r.trace[0].args["iovs"]["text"] == "hello\n" and r.trace[1].exit_code == 42
    assert r.memory_before is not None and r.memory_after[8:12] == (6).to_bytes(4, "little")


def test_imports_the_host_lacks_are_refused_at_link_time():
    module = """(module
      (import "wasi_snapshot_preview1" "sock_open" (func (param i32 i32 i32) (result i32)))
      (import "env" "thing" (func))
      (func (export "_start")))"""
    r = run(module)
    assert r.trap is not None and r.trap.message.startswith("link error:")
    assert r.exit_code is None and r.stdout == b""
    link = [e for e in r.trace if e.phase == "link"]
    assert [(e.call, e.denied, e.capability) for e in link] == [
        ("sock_open", True, "network"), ("thing", True, "import"),
    ]  # fmt: skip


def test_an_import_with_the_wrong_signature_is_refused():
    module = """(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
      (func (export "_start")))"""
    r = run(module)
    assert r.trap.message.startswith("link error:")
    assert "(i32) -> i32" in r.trace[0].reason or "fd_write" in r.trace[0].reason


def test_traps_carry_the_wasm_backtrace_with_function_names():
    module = """(module
      (func $inner (unreachable))
      (func $outer (call $inner))
      (func (export "_start") (call $outer)))"""
    r = run(module)
    assert r.exit_code is None and "unreachable" in r.trap.message
    names = [f.func_name for f in r.trap.frames]
    assert names[:2] == ["inner", "outer"]


def test_module_without_start_is_kept_live_and_callable():
    module = """(module
      (import "wasi_snapshot_preview1" "fd_write"
        (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 100) "hi")
      (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
      (func (export "say") (i32.store (i32.const 0) (i32.const 100))
        (i32.store (i32.const 4) (i32.const 2))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"""
    r = run(module)
    assert r.exit_code == 0 and r.module is not None
    assert r.module.exports["add"] == "(i32, i32) -> i32"
    assert r.module.exports["memory"] == "memory"
    assert r.module.call("add", 2, 3).returned == [5]
    said = r.module.call("say")
    assert said.stdout == b"hi" and [e.call for e in said.trace] == ["fd_write"]
    with pytest.raises(EngineError):
        r.module.call("missing")


def test_invoke_calls_an_export_with_numbers():
    module = """(module (func (export "mul") (param i64 f64) (result f64)
      (f64.mul (f64.convert_i64_s (local.get 0)) (local.get 1))))"""
    r = run(module, invoke="mul", invoke_args=[3, 1.5])
    assert r.returned == [4.5] and r.exit_code == 0


def test_layout_comes_from_the_exported_globals():
    module = """(module (memory (export "memory") 2)
      (global (export "__stack_pointer") (mut i32) (i32.const 65536))
      (global (export "__data_end") i32 (i32.const 66000))
      (global (export "__heap_base") i32 (i32.const 66048))
      (func (export "_start")))"""
    layout = run(module).layout
    assert (layout.stack_low, layout.stack_high, layout.data_end, layout.heap_base) == (
        0, 65536, 66000, 66048,
    )  # fmt: skip


def test_wall_time_limit_stops_an_endless_loop():
    module = '(module (func (export "_start") (loop (br 0))))'
    start = time.monotonic()
    r = run(module, Sandbox(limits=Limits(timeout_s=0.3)))
    assert time.monotonic() - start < 5
    assert r.limit and "0.3 s" in r.limit and r.exit_code is None and r.trap is None
    assert r.trace.events[-1].phase == "end"


def test_cancel_stops_the_guest_with_an_interrupted_trap():
    module = '(module (func (export "_start") (loop (br 0))))'
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    start = time.monotonic()
    r = run(module, Sandbox(limits=Limits(timeout_s=None)), cancel=cancel)
    assert time.monotonic() - start < 2
    assert r.trap is not None and r.trap.message == "interrupted"


def test_a_long_sleep_in_poll_oneoff_still_meets_the_time_limit():
    sub = '(data (i32.const 0) "\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00'
    sub += '\\01\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\00\\e8\\03\\00\\00")'  # 1000 s
    module = wat(
        "(drop (call $poll_oneoff (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))",
        ("poll_oneoff",),
        sub,
    )
    start = time.monotonic()
    r = run(module, Sandbox(limits=Limits(timeout_s=0.3)))
    assert time.monotonic() - start < 3 and r.limit


def test_memory_limit_refuses_a_module_that_needs_too_much():
    module = '(module (memory (export "memory") 200) (func (export "_start")))'  # 12.5 MiB
    r = run(module, Sandbox(limits=Limits(max_memory_mib=4)))
    assert r.limit and "4 MiB" in r.limit
    grow = """(module (memory (export "memory") 1)
      (func (export "_start") (if (i32.eq (memory.grow (i32.const 100)) (i32.const -1))
        (then (unreachable)))))"""
    assert run(grow, Sandbox(limits=Limits(max_memory_mib=1))).trap is not None
    assert run(grow, Sandbox(limits=Limits(max_memory_mib=16))).exit_code == 0


def test_output_limit_ends_a_chatty_guest():
    module = wat(
        "(i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 10))"
        "(loop (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))"
        "(br 0))",
        ("fd_write",),
        '(data (i32.const 100) "0123456789")',
    )
    r = run(module, Sandbox(limits=Limits(max_output_bytes=95)))
    assert r.limit and "95 bytes" in r.limit and len(r.stdout) == 95


def test_keep_hands_back_a_live_module_after_start_ran():
    module = wat(
        "(global.set $count (i32.add (global.get $count) (i32.const 1)))",
        extra="(global $count (mut i32) (i32.const 0))"
        '(func (export "count") (result i32) (global.get $count))',
    )
    r = run(module, keep=True)
    assert r.exit_code == 0 and r.module.call("count").returned == [1]
    assert run(module).module is None


@pytest.mark.zig
def test_trap_frames_name_c_source_lines_when_compiled_with_debug_info():
    from wasikernel.compile import CompileOptions, compile_source

    source = (
        "int divide(int a, int b) {\n    return a / b;\n}\n"
        "int main(int argc, char **argv) {\n    return divide(10, argc - 1);\n}\n"
    )
    compiled = compile_source("c", source, CompileOptions(debug=True), filename="cell.c")
    r = run(compiled.wasm)
    frames = {f.func_name: f.source for f in r.trap.frames}
    assert frames["divide"] == "cell.c:2"


def test_a_start_function_that_loops_or_exits_ends_the_run_cleanly():
    looping = '(module (func $s (loop (br 0))) (start $s))'
    r = run(looping, Sandbox(limits=Limits(timeout_s=0.3)))
    assert r.limit and "0.3 s" in r.limit
    exiting = """(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (func $s (call $exit (i32.const 9))) (start $s))"""
    r = run(exiting)
    assert r.trap is not None and "code 9" in r.trap.message
