"""Views on a run's trace: strace-like text, JSON lines, HTML, summary, filters."""

from __future__ import annotations

import html
import json

from wasikernel.engines import run
from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.trace import Trace, TraceEvent

MODULE = """(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "../secret.txt")
  (data (i32.const 200) "hi\\n")
  (data (i32.const 220) "\\ff\\fe")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 3))
    (i32.store (i32.const 8) (i32.const 220)) (i32.store (i32.const 12) (i32.const 2))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 40)))
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 13)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 44)))
    (drop (call $write (i32.const 2) (i32.const 8) (i32.const 1) (i32.const 40)))))
"""


def traced() -> Trace:
    return run(MODULE, Sandbox(preopens=[Preopen("/app", tree={})])).trace


def test_text_is_one_strace_like_line_per_call():
    lines = traced().to_text().splitlines()
    assert lines[0] == 'fd_write(fd=1, iovs="hi\\n") = success [nwritten=3]'
    assert lines[1].startswith('path_open(fd=3, dirflags=0, path="../secret.txt"')
    assert "= perm" in lines[1] and "DENIED (preopen)" in lines[1]
    assert "/secret.txt is outside every directory granted" in lines[1]
    assert lines[2].startswith("fd_write(fd=2, iovs=b64:") and len(lines) == 3


def test_jsonl_round_trips_with_the_contract_fields():
    rows = [json.loads(line) for line in traced().to_jsonl().splitlines()]
    assert [r["seq"] for r in rows] == [0, 1, 2]
    denied = rows[1]
    assert denied["denied"] is True and denied["capability"] == "preopen"
    assert denied["errno"] == "perm" and denied["args"]["fs_rights_base"] == ["fd_read"]
    assert rows[2]["args"]["iovs"] == {"len": 2, "base64": "//4=", "cut": False}
    assert rows[0]["memory"] == [
        {"addr": 0, "len": 8, "access": "r"},
        {"addr": 200, "len": 3, "access": "r"},
        {"addr": 40, "len": 4, "access": "w"},
    ]
    assert all(r["dur_ns"] >= 0 and r["t_ns"] >= 0 for r in rows)


def test_html_marks_denied_rows_and_cuts_long_traces():
    html = traced().to_html(max_rows=2)
    assert html.count("<tr") == 4  # header, two rows, footer
    assert "wk-denied" in html and "1 more event not shown" in html
    assert "&quot;hi\\n&quot;" in html


def test_summary_counts_calls_errors_and_denials():
    rows = {r["call"]: r for r in traced().summary()}
    assert rows["fd_write"]["calls"] == 2 and rows["fd_write"]["errors"] == 0
    assert rows["path_open"] == {**rows["path_open"], "calls": 1, "errors": 1, "denied": 1}
    assert "path_open" in traced().summary_text()


def test_filters_by_call_fd_and_denial():
    trace = traced()
    assert [e.call for e in trace.filter(denied=True)] == ["path_open"]
    assert len(trace.filter(call="fd_write")) == 2
    assert len(trace.filter(call="path_*")) == 1
    assert [e.args["fd"] for e in trace.filter(fd=2)] == [2]


def test_trace_built_from_events_behaves_like_a_recorded_one():
    ev = TraceEvent(seq=0, call="fd_close", args={"fd": 4}, results={}, errno="badf")
    trace = Trace([ev])
    assert len(trace) == 1 and list(trace) == [ev]
    assert trace.to_text() == "fd_close(fd=4) = badf\n"


def test_buffers_the_host_fills_are_decoded_in_the_results():
    from wasikernel.sandbox import Sandbox as _Sandbox
    from wasikernel.wasi import BytesMemory, WasiHost

    host = WasiHost(_Sandbox(args=["x"], program_name="p.wasm",
                             preopens=[Preopen("/app", tree={"a.txt": b""})]))  # fmt: skip
    mem = BytesMemory(65536)
    call = lambda name, *a: host.lookup("wasi_snapshot_preview1", name).call(mem, *a)  # noqa: E731
    call("args_get", 0, 100)
    call("fd_prestat_dir_name", 3, 200, 4)
    call("fd_readdir", 3, 300, 512, 0, 40)
    args_get, prestat, readdir = host.trace.events
    assert args_get.results == {"strings": ["p.wasm", "x"]}
    assert prestat.results == {"text": "/app"}
    assert readdir.results["entries"] == [".", "..", "a.txt"]


def test_each_json_line_is_what_json_dumps_writes_for_the_event():
    odd = TraceEvent(
        seq=3, call='we"ird\\name\n', args={"path": "é/\u2028x", "flags": ["creat"], "n": None},
        results={"text": "\x00\x1f"}, errno="notcapable", denied=True, capability="fs",
        reason='a "quoted" reason', t_ns=5, dur_ns=7, phase="link", exit_code=2,
        memory_dropped=9,
    )  # fmt: skip
    for ev in [*traced().events, odd]:
        assert ev.to_json() == json.dumps(ev.to_dict(), ensure_ascii=False)


def test_the_trace_the_widget_and_the_kernel_show_the_same_table():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from wasikernel.kernel._display import show_trace
    from wasikernel.widgets import TraceView

    InteractiveShell.instance()  # display() needs a shell to send to
    result = run(MODULE, Sandbox(preopens=[Preopen("/app", tree={})]))
    own = result.trace.to_html(max_rows=10)
    rows = own[own.index("<tbody>") : own.index("</tbody>")]
    assert rows.count("<tr") == 3 and "perm (refused)" in rows
    with capture_output() as shown:
        show_trace(result, max_rows=10)
    assert rows in shown.outputs[0].data["text/html"]
    assert rows in TraceView(result).to_html(max_rows=10)
    # one formatter: the text line, the table and the widget's row say the same arguments
    args = 'path="../secret.txt"'
    assert args in result.trace.to_text() and html.escape(args) in rows
    assert args in TraceView(result).row(1)["args"]


def test_identical_calls_decode_to_equal_events_each_with_its_own_containers():
    from wasikernel.wasi import BytesMemory, WasiHost

    host = WasiHost(Sandbox())
    mem = BytesMemory(65536)
    mem.write(0, (100).to_bytes(4, "little") + (3).to_bytes(4, "little"))
    mem.write(100, b"hi\n")
    for _ in range(3):
        host.lookup("wasi_snapshot_preview1", "fd_write").call(mem, 1, 0, 1, 40)
    a, b, c = host.trace.events
    assert (a.seq, b.seq, c.seq) == (0, 1, 2)
    assert a.args == b.args and a.args is not b.args and a.memory is not b.memory
    b.args["fd"] = 9
    assert a.args["fd"] == 1 and c.args["fd"] == 1


READABLE = """(module
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "notes.txt")
  (func (export "_start")
    (drop (call $dir_name (i32.const 3) (i32.const 16842) (i32.const 5)))
    (drop (call $fdstat (i32.const 3) (i32.const 512)))
    (drop (call $open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 9)
      (i32.const 9) (i64.const 6) (i64.const 0) (i32.const 0) (i32.const 600)))))
"""


def test_every_view_shows_what_each_value_means_and_the_same_count():
    """A pointer reads as its address and what it points to, flags and rights by name, a stat
    as a small table; the text, the static table, the widget's row and its detail agree, and
    so do the summary's, the table's and the widget's counts of calls."""
    from IPython.core.interactiveshell import InteractiveShell

    from wasikernel.kernel._display import count_calls, summary_text
    from wasikernel.widgets import TraceView

    InteractiveShell.instance()
    result = run(READABLE, Sandbox(preopens=[Preopen("/data", tree={"notes.txt": b"hi"})]))
    text = result.trace.to_text()
    assert 'path=0x41ca → "/data"' in text and "16842" not in text  # not the raw pointer
    assert "oflags=creat|trunc" in text and "dirflags=symlink_follow" in text
    assert "fs_rights_base=fd_read|fd_seek" in text  # rights 2 and 4, by name
    assert "{'" not in text and '{"' not in text  # no dict repr, no JSON
    table = result.trace.to_html()
    assert html.escape('path=0x41ca → "/data"') in table
    stat = table[table.index("<caption>stat</caption>"):]
    stat = stat[:stat.index("</table>")]
    assert "<td>filetype</td><td><code>directory</code></td>" in stat
    assert "<td>rights_base</td>" in stat and "path_open" in stat
    view = TraceView(result)
    assert view.row(0)["args"].startswith('fd=3, path=0x41ca → "/data"')
    view.selected = 1
    (stat_view,) = view.detail["view"]["results"]
    assert stat_view["name"] == "stat" and ["filetype", "directory"] in map(list, stat_view["rows"])
    assert view.detail["results"]["stat"]["filetype"] == "directory"  # the contract's data kept
    calls, refused = count_calls(result)
    assert calls == 3 == view.wasi_calls and refused == view.refused
    assert f"{calls} WASI calls" in summary_text(result)
    assert f"Syscall trace: {calls} WASI calls" in view.to_html()
    assert json.loads(result.trace.to_jsonl().splitlines()[0])["args"]["path"] == 16842
