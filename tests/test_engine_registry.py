"""The engine registry: one protocol for every engine, the same ending under every engine that
runs our host, and doctor and the comparison saying which engines trace and confine folders."""

from __future__ import annotations

import threading

import pytest

from wasikernel import compare, doctor
from wasikernel.engines import REGISTRY, run
from wasikernel.sandbox import Limits, Sandbox

HOSTED = ["wasmtime", "pulley", "stepper", "wasm3"]

SPIN = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1) (func (export "_start") (loop br 0)))"""
REFUSED = """(module (import "env" "nope" (func $n)) (func (export "_start")))"""


def _skip_unless_available(engine: str) -> None:
    reason = REGISTRY[engine].available()
    if reason is not None:
        pytest.skip(reason)


def test_every_engine_answers_the_same_questions():
    for name, engine in REGISTRY.items():
        assert engine.name == name
        reason = engine.available()
        assert reason is None or (isinstance(reason, str) and reason)
        assert isinstance(engine.traced, bool) and isinstance(engine.confines_folders, bool)
    assert [n for n in REGISTRY if REGISTRY[n].traced] == [
        "wasmtime", "wasmtime-p2", "stepper", "pulley", "wasm3", "browser",
    ]  # fmt: skip
    own = [n for n in REGISTRY if not REGISTRY[n].traced]
    assert [n for n in own if REGISTRY[n].confines_folders] == ["wasmtime-cli"]


@pytest.mark.parametrize("engine", [*HOSTED, "node"])
def test_an_import_no_engine_provides_ends_the_run_as_a_link_refusal(engine):
    _skip_unless_available(engine)
    result = run(REFUSED, engine=engine)
    assert result.outcome == "link" and result.exit_code is None
    assert result.trap is not None and "env::nope" in result.trap.message
    assert [(e.phase, e.call) for e in result.trace.events] == [("link", "nope")]


@pytest.mark.parametrize("engine", HOSTED)
def test_a_cancelled_run_ends_the_same_way_under_every_engine_that_runs_our_host(engine):
    _skip_unless_available(engine)
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    result = run(SPIN, Sandbox(limits=Limits(timeout_s=30)), engine=engine, cancel=cancel)
    assert result.outcome == "interrupted" and result.trap.message == "interrupted"
    closing = result.trace.events[-1]
    assert (closing.phase, closing.call, closing.errno) == ("end", "interrupted", "canceled")


@pytest.mark.parametrize("engine", HOSTED)
def test_a_time_limit_ends_the_same_way_under_every_engine_that_runs_our_host(engine):
    _skip_unless_available(engine)
    result = run(SPIN, Sandbox(limits=Limits(timeout_s=0.3)), engine=engine)
    assert result.outcome == "limit" and result.exit_code is None and result.trap is None
    closing = result.trace.events[-1]
    assert (closing.phase, closing.call, closing.errno) == ("end", "limit", "canceled")


COMPONENT = """(component
  (core module $m (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $r)))"""


def test_a_component_goes_to_an_engine_that_takes_components():
    assert REGISTRY["wasmtime-p2"].takes == frozenset({"component"})
    for name in ("wasmtime", "wasmtime-p2"):  # the two faces of our host: either runs either
        ran = run(COMPONENT, engine=name)
        assert (ran.outcome, ran.exit_code, ran.engine) == ("exit", 0, "wasmtime-p2")
        assert run(SPIN, Sandbox(limits=Limits(timeout_s=0.2)), engine=name).engine == "wasmtime"


@pytest.mark.parametrize("engine", ["stepper", "pulley", "wasm3", "node"])
def test_an_engine_that_runs_core_modules_only_refuses_a_component_naming_those_that_do(engine):
    _skip_unless_available(engine)
    from wasikernel.errors import EngineError

    with pytest.raises(EngineError) as refused:
        run(COMPONENT, engine=engine)
    assert f"the engine {engine} runs core modules only" in str(refused.value)
    assert "wasmtime-p2" in str(refused.value)


def test_doctor_says_which_engines_trace_and_which_confine_folders():
    lines = {c.name: c.detail for c in doctor.checks() if c.section == "engines"}
    assert set(lines) == set(REGISTRY)
    for name in HOSTED:
        assert "our traced WASI host" in lines[name]
    assert "given no folder: its WASI follows symbolic links out of one" in lines["node"]
    assert "refuses a run asking for host folders" in lines["node"]
    assert "keeps the guest inside its folders" in lines["wasmtime-cli"]
    assert "our traced WASI host (preview 2); runs components only" in lines["wasmtime-p2"]


def test_the_comparison_says_how_each_runtime_runs_wasi(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no runtime on PATH: rows without figures
    rows = {r.runtime: r for r in compare.measure_startup(repeat=1, only=["node", "wasmer"])}
    assert "given no folder" in rows["Node.js WASI (V8)"].sandboxing
    assert "given no folder: not measured keeping the guest inside one" in rows[
        "Wasmer command line"].sandboxing
    assert rows["Wasmer command line"].as_dict()["sandboxing"].startswith("its own WASI")
    assert compare.Contender("x", "stepper").sandboxing() == "our traced WASI host"


# ----- the errors of a call to an export, the same sentence for a module and a component -----

ADD_WAT = """(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "hold") (param funcref)))"""


@pytest.fixture
def french():
    from wasikernel import messages

    yield messages
    messages.set_language("en")


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("engine", HOSTED)
def test_a_bad_call_to_an_export_says_the_components_sentence(engine, language, french):
    """``--invoke``/``%call`` of an unknown export, with the wrong number of values, or of a
    function taking a reference: each preview 1 engine raises the catalogue's sentence, the one
    a component's call raises, in the learner's language."""
    from wasikernel.errors import EngineError

    _skip_unless_available(engine)
    french.set_language(language)
    t = french.t
    wanted = [
        ("nope", (), t("export_unknown", name="nope", exports="add, hold")),
        ("add", (1,), t("export_arity", name="add", n=2, signature="(i32, i32) -> i32",
                        given=1)),
        ("hold", (1,), t("export_not_a_number", name="hold", type="funcref")),
    ]
    for invoke, args, sentence in wanted:
        with pytest.raises(EngineError) as raised:
            run(ADD_WAT, engine=engine, invoke=invoke, invoke_args=args)
        said = str(raised.value)
        assert said == sentence, (engine, said)
    if language == "fr":
        assert "aucune fonction exportée ne s'appelle nope" in wanted[0][2]


@pytest.mark.parametrize("engine", ["pywasm"])  # wasmer-sdk calls no export at all
def test_a_runtime_with_its_own_wasi_names_an_unknown_export_in_the_same_sentence(engine, french):
    from wasikernel.errors import EngineError

    _skip_unless_available(engine)
    french.set_language("fr")
    with pytest.raises(EngineError) as raised:
        run(ADD_WAT, engine=engine, invoke="nope")
    assert str(raised.value) == french.t("export_unknown", name="nope", exports="add, hold")


def test_a_runtime_that_calls_no_export_says_so_in_the_learners_language(french):
    from wasikernel.errors import EngineError

    _skip_unless_available("wasmer-sdk")
    french.set_language("fr")
    with pytest.raises(EngineError, match="n'exécute que le _start d'une commande"):
        run(ADD_WAT, engine="wasmer-sdk", invoke="add")
