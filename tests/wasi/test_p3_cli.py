"""WASI 0.3 (preview 3): wasmtime-py cannot host it, so a preview 3 component runs untraced under
the wasmtime command line (engine ``wasmtime-cli``, ``-W component-model-async -S p3``); our
traced host refuses it at link time saying where it runs, ``%wit`` and ``doctor`` say so too."""

from __future__ import annotations

import subprocess
import sys

import pytest
import wasmtime
from wasiharness import PROGRAMS, Dir, RunSpec, run_wasip2

from wasikernel import doctor, messages
from wasikernel.engines import REGISTRY, run
from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.wasi.p2.world import read_world

COMPONENTS = PROGRAMS.parent / "components"


def _component(name: str) -> bytes:
    return wasmtime.wat2wasm((COMPONENTS / name).read_text())


@pytest.fixture
def cli():
    reason = REGISTRY["wasmtime-cli"].available()
    if reason is not None:
        pytest.skip(reason)
    yield
    messages.set_language("en")


def test_a_preview3_component_runs_untraced_under_the_wasmtime_command_line(cli):
    p3 = _component("p3_count_args.wat")
    for args in ([], ["a", "b", "c"]):
        result = run(p3, Sandbox(args=args), engine="wasmtime-cli")
        assert result.exit_code == 1 + len(args) and result.trap is None
        assert [e.call for e in result.trace.events] == ["trace_unavailable"]
    assert "component" in REGISTRY["wasmtime-cli"].takes


def test_the_wasmtime_command_line_runs_a_preview2_component_as_add_wasip2_does(cli, jail):
    root, watched = jail
    escape = _component("open_at_escape.wat")
    theirs = run_wasip2(RunSpec(escape, [Dir(root)]))
    ours = run(escape, Sandbox(preopens=[Preopen("/", host_path=str(root))]),
               engine="wasmtime-cli")  # fmt: skip
    assert (ours.exit_code, ours.stdout) == (theirs.exit_code, theirs.stdout) == (0, b"")
    assert watched.changes() == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_our_traced_host_refuses_preview3_at_link_time_naming_the_engine_that_runs_it(language):
    messages.set_language(language)
    try:
        result = run(_component("p3_count_args.wat"), Sandbox(args=["a"]))
        world = read_world(_component("p3_count_args.wat"))
    finally:
        messages.set_language("en")
    assert result.outcome == "link" and result.exit_code is None
    events = result.trace.events
    assert [e.call for e in events] == ["wasi:cli/environment@0.3.0", "wasi:cli/exit@0.3.0"]
    assert all(e.phase == "link" and e.denied for e in events)
    assert "--engine wasmtime-cli" in result.trap.message
    assert len(world.refused) == 2
    if language == "en":
        assert "an interface of WASI 0.3 (preview 3)" in events[0].reason
        assert "wasmtime-py cannot host preview 3 yet" in events[0].reason
        assert "WASI 0.3 (preview 3): this traced host cannot run it" in world.text()
    else:
        assert "une interface de WASI 0.3 (preview 3)" in events[0].reason
        assert "cet hôte tracé ne peut pas l'exécuter" in world.text()


def test_doctor_says_preview3_runs_untraced_under_the_command_line_and_why(cli):
    lines = {c.name: c for c in doctor.checks() if c.section == "components"}
    p3 = lines["WASI 0.3"]
    assert p3.found and "untraced" in p3.detail and "wasmtime-cli" in p3.detail
    assert "-W component-model-async -S p3" in p3.detail
    assert "wasmtime-py has no preview 3" in p3.detail
    assert "traced" in lines["WASI 0.2"].detail and "wasmtime-p2" in lines["WASI 0.2"].detail


def test_wasikernel_run_passes_the_exit_code_of_a_preview3_component(cli, tmp_path):
    path = tmp_path / "p3.wasm"
    path.write_bytes(_component("p3_count_args.wat"))
    ran = subprocess.run([sys.executable, "-m", "wasikernel", "run", "--engine", "wasmtime-cli",
                          str(path), "x", "y"], capture_output=True, text=True)  # fmt: skip
    assert ran.returncode == 3, ran.stderr
    refused = subprocess.run([sys.executable, "-m", "wasikernel", "run", str(path)],
                             capture_output=True, text=True)  # fmt: skip
    assert refused.returncode == 134 and "--engine wasmtime-cli" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_preview3_component_prints_through_a_stream_under_the_command_line(cli):
    hello = _component("p3_hello.wat")
    result = run(hello, engine="wasmtime-cli")
    assert (result.exit_code, result.stdout) == (0, b"hello from a WASI 0.3 component\n")
    refused = run(hello)  # our host: refused at link time, naming the engine that runs it
    assert refused.outcome == "link" and "--engine wasmtime-cli" in refused.trap.message
    wit = read_world(hello).text()
    assert "write-via-stream: func(data: stream<u8>) -> future<result<_, error-code>>" in wit


def test_a_preview3_cell_runs_under_the_command_line_in_a_notebook(cli, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "wasikernel")
    text = (COMPONENTS / "p3_hello.wat").read_text()
    assert ip.run_cell(f"%%wat --engine wasmtime-cli\n{text}").success
    assert "hello from a WASI 0.3 component" in capsys.readouterr().out
    last = ip.user_ns["last_run"]
    assert last.engine == "wasmtime-cli" and last.exit_code == 0
