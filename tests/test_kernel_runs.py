"""Runs in a live WASI kernel, as a learner sees them: streamed output, interrupt, time limit,
traps with backtraces, refused capabilities, kept modules, compile errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _kernel_wat import (
    ADD,
    C_HELLO,
    C_OPEN_OUTSIDE,
    FLOOD,
    GREETER,
    HELLO,
    SLOW,
    SPIN,
    SPIN_LOUD,
    TRAP,
)
from jupyter_client.manager import start_new_kernel

from wasikernel.compile._source_lines import find_symbolizer


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="wasi", startup_timeout=60)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def execute(kc, code: str, timeout: float = 120) -> tuple[dict, list[dict]]:
    """Run ``code``; return the execute_reply and the cell's iopub messages, in order."""
    msg_id = kc.execute(code)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        outputs.append(msg)
    return reply_to(kc, msg_id, timeout), outputs


def reply_to(kc, msg_id: str, timeout: float = 30) -> dict:
    """The execute_reply to ``msg_id`` (older replies on the channel are skipped)."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def text_of(outputs: list[dict]) -> str:
    """Everything the cell shows, as text (streams, plain text of displays, errors)."""
    parts = []
    for msg in outputs:
        c = msg["content"]
        if msg["msg_type"] == "stream":
            parts.append(c["text"])
        elif msg["msg_type"] in ("display_data", "execute_result"):
            parts.append(c["data"].get("text/plain", ""))
        elif msg["msg_type"] == "error":
            parts.append("\n".join(c["traceback"]))
    return "\n".join(parts)


def html_of(outputs: list[dict]) -> str:
    return "\n".join(m["content"]["data"].get("text/html", "") for m in outputs
                     if m["msg_type"] in ("display_data", "execute_result"))


def streams(outputs: list[dict], name: str = "stdout") -> str:
    return "".join(m["content"]["text"] for m in outputs
                   if m["msg_type"] == "stream" and m["content"]["name"] == name)


def test_hello_prints_then_a_summary_and_the_trace(kernel):
    _, kc = kernel
    reply, outputs = execute(kc, HELLO)
    assert reply["content"]["status"] == "ok"
    assert streams(outputs) == "hello, world\n"
    shown = text_of(outputs)
    assert "exit 0 · 1 WASI call · 0 refused" in shown
    assert "fd_write" in html_of(outputs)
    kinds = [m["msg_type"] for m in outputs if m["msg_type"] in ("stream", "display_data")]
    assert kinds[0] == "stream", "the guest's output comes before the summary"


def test_output_streams_into_the_cell_before_the_run_ends(kernel):
    _, kc = kernel
    reply, outputs = execute(kc, SLOW)
    assert reply["content"]["status"] == "ok"
    chunks = [m for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout"]
    assert "".join(m["content"]["text"] for m in chunks) == "first\nsecond\n"
    first = next(m for m in chunks if "first" in m["content"]["text"])
    # the guest sleeps 1.5 s after "first": that chunk was sent long before the reply
    lead = (reply["header"]["date"] - first["header"]["date"]).total_seconds()
    assert lead > 1.0, f"'first' reached the notebook only {lead:.2f} s before the end"
    assert "second" not in first["content"]["text"]


def test_interrupt_stops_a_guest_in_an_endless_loop_and_the_kernel_lives_on(kernel):
    km, kc = kernel
    msg_id = kc.execute("%%wat --timeout 120\n" + SPIN_LOUD)
    outputs = []
    while True:  # the guest says "spinning" once it runs
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") == msg_id:
            outputs.append(msg)
            if msg["msg_type"] == "stream" and "spinning" in msg["content"]["text"]:
                break
    time.sleep(0.5)
    sent = time.monotonic()
    km.interrupt_kernel()
    reply = reply_to(kc, msg_id)
    waited = time.monotonic() - sent
    assert waited < 1.0, f"the interrupt took {waited:.2f} s"
    while True:
        msg = kc.get_iopub_msg(timeout=10)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        outputs.append(msg)
    shown = text_of(outputs)
    assert "interrupt" in shown
    assert "KeyboardInterrupt" not in shown and "Traceback" not in shown
    assert km.is_alive()
    reply, outputs = execute(kc, HELLO)
    assert reply["content"]["status"] == "ok" and streams(outputs) == "hello, world\n"


def test_the_time_limit_ends_a_runaway_loop(kernel):
    _, kc = kernel
    started = time.monotonic()
    reply, outputs = execute(kc, "%%wat --timeout 0.5\n" + SPIN)
    assert time.monotonic() - started < 10
    assert reply["content"]["status"] == "ok"
    assert "0.5 s" in text_of(outputs)


def test_a_trap_shows_its_message_and_a_backtrace_with_function_names(kernel):
    _, kc = kernel
    reply, outputs = execute(kc, TRAP)
    assert reply["content"]["status"] == "ok"
    shown = text_of(outputs)
    assert "trap" in shown and "unreachable" in shown
    assert shown.index("boom") < shown.index("middle"), shown
    assert "Traceback" not in shown


@pytest.mark.zig
def test_a_refused_capability_is_explained_and_granting_it_works(kernel):
    _, kc = kernel
    reply, outputs = execute(kc, "%%c\n" + C_OPEN_OUTSIDE)
    assert reply["content"]["status"] == "ok"
    assert streams(outputs) == "refused\n"
    shown = text_of(outputs)
    assert "exit 1" in shown and "1 refused" in shown
    assert "outside every directory granted" in html_of(outputs) + shown
    reply, outputs = execute(kc, "%%c --ro-dir /etc::/etc\n" + C_OPEN_OUTSIDE)
    assert streams(outputs) == "opened\n"
    assert "exit 0" in text_of(outputs) and "0 refused" in text_of(outputs)


def test_a_module_without_start_is_kept_and_its_exports_called(kernel):
    _, kc = kernel
    reply, outputs = execute(kc, ADD)
    shown = text_of(outputs)
    assert "instantiated (no _start)" in shown and "add(i32, i32) -> i32" in shown
    reply, outputs = execute(kc, "%call add 40 2")
    results = [m for m in outputs if m["msg_type"] == "execute_result"]
    assert results and results[0]["content"]["data"]["text/plain"] == "42"
    reply, outputs = execute(kc, "%%python\nprint(last_run.module.call('add', -1, 1).returned)")
    assert streams(outputs) == "[0]\n"
    reply, outputs = execute(kc, "%call sub 1 2")
    assert reply["content"]["status"] == "error"
    assert "has no export 'sub'" in text_of(outputs)


def test_python_cells_see_the_last_run_in_underscore(kernel):
    _, kc = kernel
    execute(kc, HELLO)
    reply, outputs = execute(kc, "%%python\nprint(_.stdout, _.exit_code, len(_.trace))")
    assert streams(outputs) == "b'hello, world\\n' 0 1\n"


def test_no_trace_and_widgets_options_change_what_follows_the_run(kernel):
    _, kc = kernel
    _, outputs = execute(kc, "%%wat --no-trace\n" + HELLO)
    assert "fd_write" not in html_of(outputs)
    _, outputs = execute(kc, "%%wat --widgets sandbox\n" + HELLO)
    views = [m for m in outputs if m["msg_type"] == "display_data"
             and "application/vnd.jupyter.widget-view+json" in m["content"]["data"]]
    assert len(views) == 1


@pytest.mark.zig
def test_c_hello_and_compile_errors_without_traceback(kernel):
    _, kc = kernel
    reply, outputs = execute(kc, "%%c -O2\n" + C_HELLO)
    assert streams(outputs) == "hello, world\n"
    reply, outputs = execute(kc, "%%c\nint main(void) {\n  return undefined_name;\n}\n")
    assert reply["content"]["status"] == "error"
    shown = text_of(outputs)
    assert "cell.c:2:" in shown and "undefined_name" in shown
    assert "Traceback" not in shown


def test_wasm_cell_runs_a_module_file(kernel, tmp_path: Path):
    import wasmtime

    path = tmp_path / "hello.wasm"
    path.write_bytes(wasmtime.wat2wasm(HELLO))
    _, kc = kernel
    reply, outputs = execute(kc, f"%%wasm\n{path}\n")
    assert reply["content"]["status"] == "ok" and streams(outputs) == "hello, world\n"


@pytest.mark.zig
def test_sandbox_settings_apply_to_later_runs_and_show_in_words(kernel, tmp_path: Path):
    _, kc = kernel
    (tmp_path / "note.txt").write_text("from the host\n")
    c_cat = ('#include <stdio.h>\nint main(void) { FILE *f = fopen("/data/note.txt", "r");'
             ' char b[64] = {0}; if (!f) { puts("no file"); return 1; }'
             ' fgets(b, sizeof b, f); fputs(b, stdout); return 0; }\n')
    execute(kc, f"%sandbox ro-dir {tmp_path}::/data")
    _, outputs = execute(kc, "%%c\n" + c_cat)
    assert streams(outputs) == "from the host\n"
    execute(kc, "%sandbox reset")
    _, outputs = execute(kc, "%%c\n" + c_cat)
    assert streams(outputs) == "no file\n"
    _, outputs = execute(kc, "%sandbox lang fr")
    assert "langue" in text_of(outputs) or "language: fr" in text_of(outputs)
    _, outputs = execute(kc, HELLO)
    assert "code de sortie 0" in text_of(outputs)
    execute(kc, "%sandbox lang en")


def test_a_kept_export_streams_its_output_once_and_can_be_interrupted(kernel):
    km, kc = kernel
    execute(kc, GREETER)
    reply, outputs = execute(kc, "%call greet")
    assert reply["content"]["status"] == "ok"
    assert streams(outputs) == "hi from an export\n"
    msg_id = kc.execute("%call spin")
    time.sleep(1.0)
    sent = time.monotonic()
    km.interrupt_kernel()
    reply_to(kc, msg_id)
    assert time.monotonic() - sent < 1.0
    reply, outputs = execute(kc, "%call greet")
    assert streams(outputs) == "hi from an export\n"


def test_an_output_flood_is_cut_in_the_cell_but_kept_whole_in_the_result(kernel):
    _, kc = kernel
    reply, outputs = execute(kc, FLOOD)
    assert reply["content"]["status"] == "ok"
    out = streams(outputs)
    assert len(out) == 1_000_000 and set(out) == {"x"}
    shown = text_of(outputs)
    assert "shows only the first 1000000 characters" in shown
    assert "stopped:" in shown  # the host's output limit ended the run
    _, outputs = execute(kc, "%%python\nprint(len(last_run.stdout) > 1_000_000)")
    assert streams(outputs) == "True\n"


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ('(module (func $f (call $f)) (func (export "_start") (call $f)))',
         ["call stack exhausted", "f (@0x", "×"]),
        ('(module (memory 20000) (func (export "_start")))',
         ["more than 256 MiB", "--max-memory"]),
        ('(module (import "wasi_snapshot_preview1" "sock_open"'
         ' (func $s (param i32 i32 i32) (result i32))) (func (export "_start")))',
         ["link error", "1 refused", "sock_open"]),
        ('(module (import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32)))'
         ' (func (export "_start") (call $e (i32.const 3))))',
         ["exit 3 · 1 WASI call"]),
        ("%%wasm\n00 61 73 6d 01 00 00 00 01", ["the engine could not run this module"]),
    ],
    ids=["recursion", "huge-memory", "unknown-import", "exit-code", "broken-module"],
)
def test_whatever_the_guest_does_the_cell_explains_it_and_the_kernel_lives_on(
        kernel, cell, words):
    km, kc = kernel
    reply, outputs = execute(kc, cell)
    shown = text_of(outputs)
    for word in words:
        assert word in shown, shown
    assert "Traceback" not in shown
    assert km.is_alive()
    reply, outputs = execute(kc, HELLO)
    assert streams(outputs) == "hello, world\n"


@pytest.mark.zig
def test_trace_magic_filters_the_last_run(kernel):
    _, kc = kernel
    execute(kc, "%%c\n" + C_OPEN_OUTSIDE)
    _, outputs = execute(kc, "%trace --text --denied")
    lines = streams(outputs).strip().splitlines()
    assert len(lines) == 1 and "/etc/passwd" in lines[0] and "DENIED" in lines[0]
    _, outputs = execute(kc, "%trace --text --call fd_write")
    lines = streams(outputs).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fd_write(fd=1")


@pytest.mark.zig
def test_keep_keeps_a_module_with_start_and_memdir_gives_an_in_memory_folder(kernel):
    _, kc = kernel
    c_notes = """\
#include <stdio.h>
int remembered = 0;
int bump(int by) { remembered += by; return remembered; }
int main(void) {
    FILE *f = fopen("/scratch/note.txt", "w");
    if (!f) { puts("no folder"); return 1; }
    fputs("kept in memory", f);
    fclose(f);
    char line[32] = {0};
    f = fopen("/scratch/note.txt", "r");
    fgets(line, sizeof line, f);
    puts(line);
    return 0;
}
"""
    execute(kc, "%sandbox memdir /scratch")
    reply, outputs = execute(kc, "%%c --keep -Wl,--export=bump\n" + c_notes)
    # a compiler flag alone is not an option of the magic line: the error names it
    assert reply["content"]["status"] == "error"
    assert "unrecognized arguments: -Wl,--export=bump" in text_of(outputs)
    reply, outputs = execute(kc, "%%c --keep --flags '-Wl,--export=bump'\n" + c_notes)
    assert streams(outputs) == "kept in memory\n"
    assert "bump(i32) -> i32" in text_of(outputs)
    _, outputs = execute(kc, "%call bump 5")
    _, outputs = execute(kc, "%call bump 2")
    assert [m["content"]["data"]["text/plain"] for m in outputs
            if m["msg_type"] == "execute_result"] == ["7"]
    execute(kc, "%sandbox reset")
    _, outputs = execute(kc, "%%c\n" + c_notes)
    assert streams(outputs) == "no folder\n"


def test_in_a_python_kernel_the_extension_streams_and_interrupts_too():
    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=60)
    try:
        reply, _ = execute(kc, "%load_ext wasikernel")
        assert reply["content"]["status"] == "ok"
        reply, outputs = execute(kc, "%%wat\n" + SLOW)
        first = next(m for m in outputs if m["msg_type"] == "stream")
        assert first["content"]["text"] == "first\n"
        assert (reply["header"]["date"] - first["header"]["date"]).total_seconds() > 1.0
        msg_id = kc.execute("%%wat --timeout 120\n" + SPIN_LOUD)
        while True:
            msg = kc.get_iopub_msg(timeout=60)
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream"
                    and "spinning" in msg["content"]["text"]):
                break
        sent = time.monotonic()
        km.interrupt_kernel()
        reply = reply_to(kc, msg_id)
        assert time.monotonic() - sent < 1.0 and reply["content"]["status"] == "ok"
        _, outputs = execute(kc, "print(_.limit or _.trap.message)")
        assert "interrupt" in streams(outputs)
        _, outputs = execute(kc, "%%wat\n" + HELLO)
        assert streams(outputs) == "hello, world\n"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.mark.skipif(find_symbolizer() is None, reason="llvm-symbolizer (Debian llvm) is absent")
@pytest.mark.zig
def test_with_debug_info_a_c_trap_names_the_cell_lines(kernel):
    _, kc = kernel
    program = ("#include <stdlib.h>\n"
               "void boom(int x) {\n"
               "    if (x > 2)\n"
               "        abort();\n"
               "}\n"
               "int main(void) { boom(3); return 0; }\n")
    _, outputs = execute(kc, "%%c -g\n" + program)
    shown = text_of(outputs)
    assert "boom at cell.c:4" in shown and "main at cell.c:6" in shown
    _, outputs = execute(kc, "%%c\n" + program)  # without -g: names only
    assert "boom (@0x" in text_of(outputs) and "cell.c:4" not in text_of(outputs)


@pytest.mark.skipif(find_symbolizer() is None, reason="llvm-symbolizer (Debian llvm) is absent")
def test_with_debug_info_a_rust_panic_names_the_cell_lines(kernel):
    _, kc = kernel
    program = ('fn check(x: i32) -> i32 {\n    if x > 2 {\n        panic!("too big");\n    }\n'
               '    x\n}\nfn main() {\n    println!("{}", check(3));\n}\n')
    _, outputs = execute(kc, "%%rust -g\n" + program)
    shown = text_of(outputs)
    assert "panicked at 'too big', cell.rs:3:9" in shown
    assert "cell::check at cell.rs:3" in shown and "cell::main at cell.rs:8" in shown


@pytest.mark.parametrize(
    ("cell", "option"),
    [
        ("%sandbox timeout abc", "%sandbox timeout"),
        ("%sandbox clock freeze xyz", "%sandbox clock freeze"),
        ("%trace --fd abc", "%trace --fd"),
        ("%%wat --timeout inf\n" + HELLO, "--timeout"),
        ("%%wat --max-memory -5\n" + HELLO, "--max-memory"),
    ],
)
def test_a_bad_value_shows_one_line_naming_the_option_not_a_traceback(kernel, cell, option):
    _, kc = kernel
    reply, outputs = execute(kc, cell)
    assert reply["content"]["status"] == "error"
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "CellError", errors
    title, *detail = errors[0]["traceback"]
    assert "bad magic line" in title and len(detail) == 1 and option in detail[0], detail
    assert "Traceback" not in text_of(outputs)
