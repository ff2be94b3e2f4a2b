"""A kept component (``run(..., keep=True)``, ``--keep``, or one that exports no
``wasi:cli/run``), as a kept core module is: its functions answer later calls as they do under
wasmtime's own preview 2 (``add_wasip2``), each call's result holds only that call's output and
trace, and what cannot be called is said in a sentence (English and French), never raised as a
Python exception. ``wasikernel run --invoke`` calls a component's function as it does a
module's."""

from __future__ import annotations

import subprocess
import sys

import pytest
import wasmtime
from wasiharness import PROGRAMS
from wasmtime import component as wc

from wasikernel import messages
from wasikernel.engines import run
from wasikernel.errors import EngineError

COUNTER = (PROGRAMS.parent / "components" / "kept_counter.wat").read_text()
RUN_EXPORT = '  (export "wasi:cli/run@0.2.12" (instance $run-inst)) ;; run export\n'
RUN = "wasi:cli/run@0.2.12#run"
RANDOM = "wasi:random/random@0.2.12#get-random-u64"


def _counter(with_run: bool = True) -> bytes:
    assert RUN_EXPORT in COUNTER
    return wasmtime.wat2wasm(COUNTER if with_run else COUNTER.replace(RUN_EXPORT, ""))


def _theirs(wasm: bytes, calls: list[tuple]) -> list:
    """What wasmtime's own preview 2 answers to ``calls`` on one instance of ``wasm``."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    linker = wc.Linker(engine)
    linker.add_wasip2()
    instance = linker.instantiate(store, wc.Component(engine, wasm))
    answers = []
    for name, *args in calls:
        iface, _, inner = name.rpartition("#")
        index = instance.get_export_index(store, iface) if iface else None
        func = instance.get_func(store, instance.get_export_index(store, inner, index))
        value = func(store, *args)
        func.post_return(store)
        answers.append(getattr(value, "tag", value))
    return answers


def test_a_kept_component_answers_later_calls_as_wasmtimes_own_preview2_does():
    wasm = _counter()
    result = run(wasm, keep=True)
    assert (result.exit_code, result.trap, result.outcome) == (0, None, "exit")
    assert [e.call for e in result.trace.events] == [RANDOM]
    kept = result.module
    assert kept is not None and kept.exports == {
        RUN: "() -> result", "runs": "() -> u32", "add": "(u32, u32) -> u32",
        "pair": "(u32) -> tuple", "boom": "() -> ()"}
    calls = [("runs",), ("add", 40, 2), (RUN,), ("runs",), ("add", 4294967295, 1), ("pair", 7)]
    ours = [kept.call(*call) for call in calls]
    theirs = _theirs(wasm, [(RUN,), *calls])[1:]
    assert [r.returned[0] if r.returned else None for r in ours] == [
        list(v) if isinstance(v, tuple) else None if v == "ok" else v for v in theirs
    ] == [1, 42, None, 2, 0, [7, 8]]  # a tuple reads as the trace shows one
    # each call's trace holds its own events only: the host call is in run's, nowhere else
    assert [[e.call for e in r.trace.events] for r in ours] == [[], [], [RANDOM], [], [], []]


def test_a_component_that_is_not_a_command_is_kept_like_a_module_without_start():
    result = run(_counter(with_run=False))
    assert (result.exit_code, result.trap, result.outcome) == (0, None, "exit")
    assert result.module is not None and RUN not in result.module.exports
    assert result.module.call("add", 2, 3).returned == [5]
    assert run(_counter()).module is None  # a command is not kept unless asked


def test_a_trap_in_a_kept_component_is_reported_and_later_calls_do_not_raise():
    kept = run(_counter(), keep=True).module
    boom = kept.call("boom")
    assert boom.outcome == "trap" and "unreachable" in boom.trap.message
    after = kept.call("add", 1, 2)  # wasmtime refuses to enter an instance that trapped
    assert after.trap is not None or after.returned == [3]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_what_a_kept_component_cannot_call_is_said_in_a_sentence(language):
    kept = run(_counter(), keep=True).module
    messages.set_language(language)
    try:
        refusals = []
        for call in [("nope",), ("add", 1), ("add", -1, 2), ("add", 1.5, 2)]:
            with pytest.raises(EngineError) as caught:
                kept.call(*call)
            refusals.append(str(caught.value))
    finally:
        messages.set_language("en")
    if language == "en":
        assert "no exported function named nope" in refusals[0] and "add" in refusals[0]
        assert refusals[1] == "add takes 2 arguments (u32, u32) -> u32, given 1"
        assert refusals[2] == ("add: -1 does not fit a u32; write a whole number from 0 to "
                               "4294967295")
    else:
        assert "aucune fonction exportée ne s'appelle nope" in refusals[0]
        assert refusals[1] == "add prend 2 arguments (u32, u32) -> u32, 1 donné"
        assert "ne tient pas dans un u32" in refusals[2] and "1.5" in refusals[3]


def test_invoke_calls_a_components_function_from_the_command_line(tmp_path):
    path = tmp_path / "counter.wasm"
    path.write_bytes(_counter())

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "wasikernel", "run", *args],
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    done = cli("--invoke", "add", str(path), "40", "2")
    assert (done.returncode, done.stdout, done.stderr) == (0, "42\n", "")
    refused = cli("--invoke", "add", str(path), "40", "-2")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "-2 does not fit a u32" in refused.stderr
