"""Preview 1 beside preview 2: one C program compiled once, run as a core module and wrapped by
the adapter into a component; the two traces line up on what the program does (open, write,
close, exit), each row holding the preview 1 call and the preview 2 calls the adapter made of
it; the view is the trace's own table in the widgets' style, in English and in French; the
``%%p1p2`` cell magic shows it and keeps the component's run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from wasikernel import messages
from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.side_by_side import align, run_side_by_side
from wasikernel.trace import TraceEvent

sys.path.insert(0, str(Path(__file__).resolve().parent / "wasi"))
from wasiharness import component_tools_missing  # noqa: E402

pytestmark = [pytest.mark.zig]

WRITER_C = r'''
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/data/out.txt", "w");
    if (!f) { perror("/data/out.txt"); return 1; }
    fputs("written by C\n", f);
    fclose(f);
    puts("done");
    return 3;
}
'''


@pytest.fixture(scope="module")
def writer() -> bytes:
    from wasikernel.compile import CompileOptions, compile_source

    if component_tools_missing():
        pytest.skip(component_tools_missing())
    return compile_source("c", WRITER_C, CompileOptions(trace_libc=False)).wasm


@pytest.fixture(autouse=True)
def english():
    messages.set_language("en")
    yield
    messages.set_language("en")


def _calls(events: list[TraceEvent]) -> list[str]:
    return [e.call.rpartition("#")[2] for e in events]


def test_open_write_close_and_exit_line_up_with_what_the_adapter_made_of_them(writer, tmp_path):
    view = run_side_by_side(writer, Sandbox(preopens=[Preopen("/data", str(tmp_path))]))
    assert (view.core.exit_code, view.core.stdout) == (3, b"done\n")
    assert view.component.stdout == b"done\n"
    assert view.component.exit_code == 1  # wasi:cli/exit takes ok or err: any failure is 1
    assert not list(tmp_path.iterdir())  # each run wrote into a copy of the folder
    (opened,) = view.matched("open")
    assert opened.target == "/data/out.txt"
    assert _calls(opened.p1) == ["path_open"]
    assert _calls(opened.p2) == ["[method]descriptor.open-at"]
    assert opened.p2[0].args["path"] == opened.p1[0].args["path"] == "out.txt"
    file_write, stdout_write = view.matched("write")
    assert (file_write.target, stdout_write.target) == ("/data/out.txt", "stdout")
    assert _calls(file_write.p1) == ["fd_write"]
    assert "[method]output-stream.blocking-write-and-flush" in _calls(file_write.p2)
    # puts: one fd_write of two iovecs under preview 1, two stream writes through the adapter
    assert _calls(stdout_write.p1) == ["fd_write"]
    assert _calls(stdout_write.p2).count("[method]output-stream.blocking-write-and-flush") == 2
    texts = "".join(e.args["contents"]["text"] if isinstance(e.args["contents"], dict)
                    else e.args["contents"] for e in stdout_write.p2)  # fmt: skip
    assert texts == "done\n"
    (closed,) = [s for s in view.matched("close") if s.target == "/data/out.txt"]
    assert _calls(closed.p1) == ["fd_close"] and _calls(closed.p2) == ["[resource-drop]descriptor"]
    (ended,) = view.matched("exit")
    assert ended.p1[0].exit_code == 3 and ended.p2[0].args["status"] == "err"
    # the steps keep each trace in order, every call shown once
    shown_p1 = [e.seq for s in view.steps for e in s.p1]
    shown_p2 = [e.seq for s in view.steps for e in s.p2]
    assert shown_p1 == [e.seq for e in view.core.trace.events]
    assert shown_p2 == [e.seq for e in view.component.trace.events]
    order = [s.action for s in view.steps if s.matched]
    assert order.index("open") < order.index("write") < order.index("close") < order.index(
        "exit")


def test_what_one_side_does_alone_is_an_unmatched_row():
    def ev(call: str, **args) -> TraceEvent:  # noqa: ANN003
        return TraceEvent(0, call, args, {}, "success")

    p1 = [ev("args_sizes_get"), ev("proc_exit", rval=0)]
    p2 = [ev("wasi:cli/stdin@0.2.12#get-stdin"), ev("wasi:cli/environment@0.2.12#get-arguments"),
          ev("wasi:random/random@0.2.12#get-random-u64"), ev("wasi:cli/exit@0.2.12#exit")]
    steps = align(p1, p2)
    assert [(s.action, len(s.p1), len(s.p2)) for s in steps] == [
        (None, 0, 1), ("args", 1, 1), (None, 0, 1), ("exit", 1, 1)]


def test_the_view_is_the_trace_table_in_both_languages(writer):
    view = run_side_by_side(writer, Sandbox())
    page = view._repr_html_()
    assert "wk-static" in page and "wk-trace" in page
    assert "fd_write" in page and "blocking-write-and-flush" in page  # perror, on both sides
    assert "path_open" not in page  # no folder granted: libc refuses before any call
    assert messages.t("p1p2_core") in page and messages.t("p1p2_action_write",
                                                          target="stderr") in page
    messages.set_language("fr")
    french = view._repr_html_()
    assert "preview 1 (module)" in french and "ce que fait le programme" in french
    assert messages.t("p1p2_action_exit") in french


def test_the_p1p2_magic_shows_the_view_and_keeps_the_component_run(writer, tmp_path, capsys):
    from wasikernel.kernel.magics import WasiMagics

    if component_tools_missing():
        pytest.skip(component_tools_missing())
    shell = InteractiveShell.instance()
    magics = WasiMagics(shell)
    shown = []
    import wasikernel.kernel._p1p2 as cell

    original = cell.show
    cell.show = shown.append
    try:
        magics.p1p2(f"--dir {tmp_path}::/data", WRITER_C)
    finally:
        cell.show = original
    assert "open /data/out.txt" in shown[0]["text/plain"]
    assert magics.last.exit_code == 1 and magics.last.trace.events[0].abi == "p2"
    assert shell.user_ns["side_by_side"].core.exit_code == 3


def test_a_path_libc_refuses_is_one_row_on_both_sides(writer):
    from wasikernel.compile import compile_source

    hooked = compile_source("c", WRITER_C).wasm  # with the libc hook, as %%p1p2 compiles it
    view = run_side_by_side(hooked, Sandbox())  # no folder: libc refuses /data/out.txt
    assert view.core.exit_code == view.component.exit_code == 1
    [row] = [s for s in view.steps if s.action == "libc_refused"]
    assert row.target == "/data/out.txt" and row.matched
    assert [e.call for e in row.p1] == ["libc_path_refused"]
    assert _calls(row.p2) == ["path-refused"] and row.p2[0].denied
    assert row.label() == "libc refuses /data/out.txt"
    messages.set_language("fr")
    assert row.label() == "la libc refuse /data/out.txt"
