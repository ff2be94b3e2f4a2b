"""Every value a learner types (magic lines, ``%sandbox``, ``%trace``, ``%call``, and
``wasikernel run``'s options) is read by one set of rules: a bad value gives one line naming the
option and the form to write, in English and in French, never a traceback."""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import wasmtime
from IPython.core.interactiveshell import InteractiveShell

import wasikernel
from wasikernel import messages
from wasikernel.kernel._display import CellError

SPIN = '(module (func (export "_start") (loop (br 0))))'
ADD = ('(module (func (export "add") (param i32 i32) (result i32)'
       " local.get 0 local.get 1 i32.add))")
START = '(module (func (export "_start")))'

#: (cell or line, words naming the option, the form in English, the form in French)
BAD_VALUES = [
    ("%sandbox timeout abc", "timeout", "seconds", "secondes"),
    ("%sandbox timeout inf", "timeout", "seconds", "secondes"),
    ("%sandbox timeout 1e300", "timeout", "seconds", "secondes"),
    ("%sandbox timeout nan", "timeout", "seconds", "secondes"),
    ("%sandbox timeout -1", "timeout", "seconds", "secondes"),
    ("%sandbox timeout", "timeout", "one value", "une valeur"),
    ("%sandbox clock freeze xyz", "clock freeze", "nanoseconds", "nanosecondes"),
    ("%sandbox clock freeze -5", "clock freeze", "nanoseconds", "nanosecondes"),
    ("%sandbox clock freeze 1e30", "clock freeze", "nanoseconds", "nanosecondes"),
    ("%sandbox seed abc", "seed", "whole number", "nombre entier"),
    ("%sandbox seed 1.5", "seed", "whole number", "nombre entier"),
    ("%sandbox max-memory abc", "max-memory", "MiB", "Mio"),
    ("%sandbox max-memory -5", "max-memory", "MiB", "Mio"),
    ("%sandbox max-memory 0", "max-memory", "MiB", "Mio"),
    ("%sandbox max-memory 1.5", "max-memory", "MiB", "Mio"),
    ("%sandbox max-memory 99999999999", "max-memory", "MiB", "Mio"),
    ("%sandbox trace maybe", "trace", "on or off", "on ou off"),
    ("%sandbox dir /no/such/folder", "dir", "does not exist", "n'existe pas"),
    ("%sandbox dir data::", "dir", "HOST[::GUEST]", "par exemple"),
    ("%sandbox env NOVALUE", "env", "NAME=VALUE", "par exemple"),
    ("%sandbox memdir", "memdir", "one value", "une valeur"),
    ("%sandbox memdir ''", "memdir", "for example", "par exemple"),
    ("%sandbox --timeout", "--timeout", "expected one argument", "liste les options"),
    ("%%wat --timeout\n" + START, "--timeout", "expected one argument", "liste les options"),
    ("%%c -O7\nint main(void) { return 0; }", "-O", "invalid choice", "liste les options"),
    ("%%c --flags \"'-Wall\"\nint main(void) { return 0; }", "--flags", "quotes",
     "guillemets"),
    ("%%c --toolchain tcc\nint main(void) { return 0; }", "toolchain", "zig", "zig"),
    ("%sandbox --timeout abc", "--timeout", "seconds", "secondes"),
    ("%sandbox --max-memory -5", "--max-memory", "MiB", "Mio"),
    ("%%wat --timeout abc\n" + START, "--timeout", "seconds", "secondes"),
    ("%%wat --timeout inf\n" + START, "--timeout", "seconds", "secondes"),
    ("%%wat --timeout nan\n" + START, "--timeout", "seconds", "secondes"),
    ("%%wat --timeout -1\n" + START, "--timeout", "seconds", "secondes"),
    ("%%wat --max-memory -5\n" + START, "--max-memory", "MiB", "Mio"),
    ("%%wat --max-memory lots\n" + START, "--max-memory", "MiB", "Mio"),
    ("%%wat --dir /no/such/folder\n" + START, "--dir", "does not exist", "n'existe pas"),
    ("%%wat --env NOVALUE\n" + START, "--env", "NAME=VALUE", "par exemple"),
    ("%%wat --invoke add --args 1 two\n" + ADD, "--invoke", "number", "nombre"),
    ("%%wat --invoke add --args 1.5 2\n" + ADD, "--invoke add", "i32", "i32"),
    ("%%wat --invoke add --args -2147483649 2\n" + ADD, "--invoke add", "i32", "i32"),
    ("%%wast --timeout abc\n(module)", "--timeout", "seconds", "secondes"),
    ("%trace --fd abc", "--fd", "whole number", "nombre entier"),
    ("%trace --fd -1", "--fd", "whole number", "nombre entier"),
    ("%trace --fd", "--fd", "one value", "une valeur"),
    ("%call add 1 two", "%call", "number", "nombre"),
    ("%call", "%call", "for example", "par exemple"),
    ("%call add 1.5 2", "%call add", "i32", "i32"),
    ("%call add 4294967296 2", "%call add", "i32", "nombre entier"),
    ("%call add 'one", "%call", "check the quotes", "vérifiez les guillemets"),
    ("%sandbox engine nosuch", "engine", "the engines are", "les moteurs sont"),
    ("%sandbox widgets graph", "widgets", "all or none", "all ou none"),
    ("%%wat --widgets graph\n" + START, "--widgets", "all or none", "all ou none"),
    ("%%wasm\nhello there", "%%wasm", "hex, base64", "base64"),
    ("%%wasm\n/dev/zero", "%%wasm", "regular file", "fichier ordinaire"),
    ("%call add 1e400 1", "%call", "too large", "trop grand"),
    ("%call add " + "9" * 5000 + " 1", "%call", "too large", "trop grand"),
    ("%call add 99999999999999999999 1", "%call", "too large", "trop grand"),
    # argparse's and shlex's own errors, in the learner's language
    ("%sandbox --timeout", "--timeout", "expected one argument", "il manque sa valeur"),
    ("%%wat --check\n" + START, "--check", "expected one argument", "il manque sa valeur"),
    ("%%c -O7\nint main(void) { return 0; }", "-O", "choose from", "choisissez parmi"),
    ("%%wat --nosuch\n" + START, "--nosuch", "unrecognized arguments", "argument inconnu"),
    ("%sandbox --nosuch", "%sandbox?", "lists the options", "liste les options"),
    ("%%c --widgets all extra more\nint main(void) { return 0; }", "extra more",
     "unrecognized arguments", "arguments inconnus"),
    ("%call add 'one", "%call", "No closing quotation", "guillemet n'est pas refermé"),
    ("%%c --flags \"'-Wall\"\nint main(void) { return 0; }", "--flags", "No closing quotation",
     "guillemet n'est pas refermé"),
]


@pytest.fixture(scope="module")
def shell():
    shell = InteractiveShell.instance()
    wasikernel.load_ipython_extension(shell)
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        shell.run_cell("%%wat --no-trace\n" + ADD)  # a run for %trace, a kept module for %call
    yield shell
    messages.set_language("en")


def shown_error(shell, cell: str) -> tuple[BaseException | None, list[str]]:
    """Run ``cell``; return the exception it ended with and the lines the learner sees."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        result = shell.run_cell(cell, store_history=False)
    text = out.getvalue() + err.getvalue()
    return result.error_in_exec or result.error_before_exec, text.strip().splitlines()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(("cell", "option", "form_en", "form_fr"), BAD_VALUES)
def test_a_bad_value_gives_one_line_naming_the_option_and_the_form(
    shell, language, cell, option, form_en, form_fr
):
    messages.set_language(language)
    try:
        error, lines = shown_error(shell, cell)
    finally:
        messages.set_language("en")
    assert isinstance(error, CellError), f"{cell!r} raised {error!r}"
    assert "Traceback" not in "\n".join(lines)
    detail = error.detail.strip().splitlines()
    assert len(detail) == 1, detail
    assert option in detail[0]
    assert (form_en if language == "en" else form_fr) in detail[0], detail[0]


@pytest.mark.parametrize(("cell", "option", "form_en", "form_fr"), BAD_VALUES)
def test_a_bad_value_in_french_is_all_french(shell, cell, option, form_en, form_fr):
    """argparse's and shlex's own English (a value missing, an unknown option, a quote left
    open) is said in French too: the search the French notebooks go through finds none."""
    from _french import english_in

    messages.set_language("fr")
    try:
        error, _ = shown_error(shell, cell)
    finally:
        messages.set_language("en")
    assert english_in(error.detail) == [], error.detail


def test_a_bad_value_leaves_the_settings_as_they_were(shell):
    magics = shell._wasikernel_magics
    before = magics.settings_text()
    for cell in ("%sandbox timeout inf", "%sandbox clock freeze xyz", "%sandbox max-memory -5"):
        shown_error(shell, cell)
    assert magics.settings_text() == before


# ----- what a time limit of 0, off or none means, and the command line's default ------------


def test_timeout_zero_or_off_means_no_limit_in_cells_and_on_the_command_line(shell):
    from wasikernel.cli import build_parser
    from wasikernel.engines.command import build_sandbox
    from wasikernel.kernel._options import Settings, parse_cell_options, sandbox_for

    settings = Settings()
    assert settings.sandbox.limits.timeout_s == 10.0  # the classroom default
    for value in ("0", "off", "none"):
        box = sandbox_for(settings, parse_cell_options(f"--timeout {value}"))
        assert box.limits.timeout_s is None, value
        args = build_parser().parse_args(["run", "--timeout", value, "m.wasm"])
        assert build_sandbox(args).limits.timeout_s is None, value
    magics = shell._wasikernel_magics
    magics.sandbox("timeout 0")
    assert magics.settings.sandbox.limits.timeout_s is None
    magics.sandbox("reset")


def test_the_command_line_has_no_time_limit_unless_asked_as_wasmtime():
    from wasikernel.cli import build_parser
    from wasikernel.engines.command import build_sandbox

    assert build_sandbox(build_parser().parse_args(["run", "m.wasm"])).limits.timeout_s is None
    args = build_parser().parse_args(["run", "--timeout", "2.5", "m.wasm"])
    assert build_sandbox(args).limits.timeout_s == 2.5


# ----- wasikernel run ---------------------------------------------------------------------------


def wk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wasikernel", "run", *args],
                          capture_output=True, cwd=cwd, timeout=60)


@pytest.mark.parametrize(
    ("args", "option", "form"),
    [
        (["--timeout", "abc"], "--timeout", "seconds"),
        (["--timeout", "inf"], "--timeout", "seconds"),
        (["--timeout", "1e300"], "--timeout", "seconds"),
        (["--timeout", "nan"], "--timeout", "seconds"),
        (["--timeout", "-1"], "--timeout", "seconds"),
        (["--max-memory", "-5"], "--max-memory", "MiB"),
        (["--max-memory", "abc"], "--max-memory", "MiB"),
        (["--max-memory", "0"], "--max-memory", "MiB"),
        (["--dir", "data::"], "--dir", "HOST[::GUEST]"),
        (["--dir", "/no/such/folder"], "--dir", "does not exist"),
        (["--ro-dir", "/no/such/folder"], "--ro-dir", "does not exist"),
        (["--env", "NOVALUE"], "--env", "NAME=VALUE"),
        (["--stdin", "/no/such/file"], "--stdin", "existing file"),
        (["--invoke", "add", "m.wasm", "1", "two"], "--invoke", "number"),
        (["--invoke", "add", "m.wasm", "1e400", "1"], "--invoke", "too large"),
        (["--invoke", "add", "m.wasm", "1.5", "2"], "--invoke add", "i32"),
        (["--invoke", "add", "m.wasm", "4294967296", "2"], "--invoke add", "i32"),
        (["--trace-json", "/no/such/folder/t.jsonl"], "--trace-json", "existing folder"),
        (["--trace=/no/such/folder/t.txt"], "--trace", "existing folder"),
    ],
)
def test_a_bad_value_on_the_command_line_exits_2_with_one_line(tmp_path, args, option, form):
    (tmp_path / "m.wasm").write_bytes(wasmtime.wat2wasm(ADD))
    if "m.wasm" not in args:
        args = [*args, "m.wasm"]
    proc = wk(*args, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "Exception" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert option in lines[0] and form in lines[0]


def test_a_home_folder_is_read_the_same_way_by_the_command_line_and_the_cells(
    tmp_path, monkeypatch
):
    from wasikernel.cli import build_parser
    from wasikernel.engines.command import build_sandbox
    from wasikernel.kernel._options import parse_cell_options

    (tmp_path / "data").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    cell = parse_cell_options("--dir ~/data::/data").preopens[0]
    args = build_parser().parse_args(["run", "--dir", "~/data::/data", "m.wasm"])
    line = build_sandbox(args).preopens[0]
    assert (cell.host_path, cell.guest_path) == (line.host_path, line.guest_path) == (
        str(tmp_path / "data"), "/data")


def test_a_64_kb_value_is_refused_in_one_short_line(shell):
    error, _ = shown_error(shell, "%sandbox dir " + "d" * 65536)
    assert isinstance(error, CellError) and "does not exist" in error.detail
    assert len(error.detail) < 600
