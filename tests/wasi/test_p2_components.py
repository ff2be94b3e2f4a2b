"""The preview 2 host seen from a component: escapes through open-at refused, interfaces the
host lacks refused at link time, a bad handle ending the run with a readable trap, the trace's
JSON contract (abi, WIT names, resources shown as what they stand for), and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime
from wasiharness import PROGRAMS, Dir, RunSpec, run_wasip2

from wasikernel.engines import run
from wasikernel.sandbox import Preopen, Sandbox

COMPONENTS = PROGRAMS.parent / "components"
OPEN_AT = "wasi:filesystem/types@0.2.12#[method]descriptor.open-at"


def _component(name: str, edit: tuple[str, str] | None = None) -> bytes:
    text = (COMPONENTS / name).read_text()
    if edit is not None:
        assert edit[0] in text
        text = text.replace(*edit)
    return wasmtime.wat2wasm(text)


def test_open_at_with_dotdot_and_an_absolute_path_is_refused(jail):
    root, watched = jail
    wasm = _component("open_at_escape.wat")
    theirs = run_wasip2(RunSpec(wasm, [Dir(root)]))
    assert (theirs.exit_code, theirs.trap) == (0, None)  # wasmtime refuses both too
    result = run(wasm, Sandbox(preopens=[Preopen("/", host_path=str(root))]))
    assert (result.exit_code, result.trap) == (0, None)
    opens = [e for e in result.trace.events if e.call == OPEN_AT]
    assert [e.args["path"] for e in opens] == ["../outside/secret.txt", "/etc/passwd"]
    for event in opens:
        assert event.denied and event.capability == "preopen"
        assert event.errno == "not-permitted"
        assert "outside every directory granted" in event.reason
    assert watched.changes() == []


def test_the_trace_shows_resources_as_what_they_stand_for(jail):
    root, _ = jail
    result = run(_component("open_at_escape.wat"),
                 Sandbox(preopens=[Preopen("/data", host_path=str(root))]))  # fmt: skip
    lines = [json.loads(line) for line in result.trace.to_jsonl().splitlines()]
    assert {line["abi"] for line in lines} == {"p2"}
    first = lines[0]
    assert first["call"] == "wasi:filesystem/preopens@0.2.12#get-directories"
    handle = first["results"]["result"][0][0]
    assert handle["resource"] == "descriptor" and handle["path"] == "/data"
    opened = [line for line in lines if line["call"] == OPEN_AT][0]
    assert opened["args"]["self"] == handle
    assert set(opened["args"]) == {"self", "path-flags", "path", "open-flags", "flags"}
    assert opened["args"]["flags"] == ["read"]


def test_a_preview1_event_says_its_abi():
    module = wasmtime.wat2wasm(
        '(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))'
        ' (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 0))))'
    )
    events = [json.loads(x) for x in run(module).trace.to_jsonl().splitlines()]
    assert events and {e["abi"] for e in events} == {"p1"}


def test_an_interface_the_host_lacks_is_refused_at_link_time_one_event_each():
    wasm = _component("imports_http.wat")
    theirs = run_wasip2(RunSpec(wasm))  # wasmtime's own preview 2 has no wasi:http either
    assert theirs.trap is not None
    result = run(wasm)
    assert result.exit_code is None and "wasi:http/types@0.2.0" in result.trap.message
    events = result.trace.events
    assert [e.call for e in events] == [
        "wasi:http/types@0.2.0", "wasi:http/outgoing-handler@0.2.0",
    ]  # fmt: skip
    assert all(e.phase == "link" and e.denied and e.abi == "p2" for e in events)


def test_a_handle_the_component_does_not_hold_ends_the_run_with_a_readable_trap(jail):
    root, watched = jail
    preopen = "(local.set $dir (i32.load (i32.load (i32.const 16))))"
    wasm = _component("open_at_escape.wat", (preopen, "(local.set $dir (i32.const 99))"))
    result = run(wasm, Sandbox(preopens=[Preopen("/", host_path=str(root))]))
    assert result.exit_code is None and result.trap is not None
    assert "handle" in result.trap.message and "99" in result.trap.message
    assert result.trace.events[-1].phase == "end"
    assert watched.changes() == []


def test_component_new_and_run_from_the_command_line(c_tour, c_tour_component, tmp_path):
    core = tmp_path / "tour.wasm"
    core.write_bytes(c_tour)
    out = tmp_path / "tour.component.wasm"
    cli = [sys.executable, "-m", "wasikernel"]
    made = subprocess.run([*cli, "component", "new", str(core), "-o", str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert out.read_bytes()[:8] == b"\0asm\x0d\x00\x01\x00"
    trace = tmp_path / "trace.jsonl"
    ran = subprocess.run([*cli, "run", "--trace-json", str(trace), str(out), "args", "hi"],
                         capture_output=True, text=True)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "argv[1]=[args]" in ran.stdout and "argv[2]=[hi]" in ran.stdout
    calls = [json.loads(line)["call"] for line in trace.read_text().splitlines()]
    assert "wasi:cli/environment@0.2.12#get-arguments" in calls
    exited = subprocess.run([*cli, "run", str(out), "exit", "3"], capture_output=True)
    assert exited.returncode == 1  # the adapter ends a non-zero exit as exit(err)


def test_compile_c_component_from_the_command_line(c_tour_component, tmp_path):
    source = tmp_path / "hello.c"
    source.write_text('#include <stdio.h>\nint main(void) { puts("hello, component"); }\n')
    out = tmp_path / "hello.wasm"
    cli = [sys.executable, "-m", "wasikernel"]
    made = subprocess.run([*cli, "compile", "c", str(source), "--component", "-o", str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert made.returncode == 0, made.stderr
    ran = subprocess.run([*cli, "run", str(out)], capture_output=True, text=True)
    assert (ran.returncode, ran.stdout) == (0, "hello, component\n")


def test_component_new_refuses_what_is_not_a_preview1_module(c_tour_component, tmp_path):
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"\0asm\x01\x00\x00\x00\x05")
    made = subprocess.run(
        [sys.executable, "-m", "wasikernel", "component", "new", str(bad), "-o",
         str(tmp_path / "out.wasm")], capture_output=True, text=True,
    )  # fmt: skip
    assert made.returncode == 1
    assert "cannot be made a component" in made.stderr and "Traceback" not in made.stderr
    assert not Path(tmp_path / "out.wasm").exists()


def test_what_stops_a_component_before_it_runs_is_said_in_the_learners_language(
    tmp_path, monkeypatch
):
    from wasikernel import messages
    from wasikernel.compile.component import adapter_path
    from wasikernel.errors import EngineError, ToolchainMissing

    three_unknown = wasmtime.wat2wasm(
        '(module (import "env" "a" (func)) (import "env" "b" (func)) (import "env" "c" (func))'
        ' (memory (export "memory") 1) (func (export "_start")))')
    messages.set_language("fr")
    try:
        with pytest.raises(EngineError, match="^le composant n'est pas valide : "):
            run(b"\0asm\r\0\x01\0" + b"\xff" * 8)
        absent = Sandbox(preopens=[Preopen("/", host_path=str(tmp_path / "absent"))])
        with pytest.raises(EngineError, match="^un dossier accordé ne peut pas être ouvert"):
            run(_component("open_at_escape.wat"), absent)
        # a core module refused three imports: the first, and how many more, in French
        assert run(three_unknown).trap.message.endswith("(et 2 autres imports refusés)")
        monkeypatch.setenv("WASIKERNEL_JCO", str(tmp_path))
        with pytest.raises(ToolchainMissing) as caught:
            adapter_path()
        assert str(caught.value).startswith("l'adaptateur preview 1 (")
        assert "lancez `bash scripts/setup.sh`" in str(caught.value)
    finally:
        messages.set_language("en")
    wit = subprocess.run([sys.executable, "-m", "wasikernel", "wit", str(tmp_path / "no.wasm")],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "WASIKERNEL_LANG": "fr"})  # fmt: skip
    assert wit.returncode == 2 and "impossible de lire" in wit.stderr
