"""The runtime comparison of the lesson on choosing a runtime: rows a learner can trust.

Every runtime the machine has yields a figure next to a baseline measured in the same call;
every runtime it lacks yields a row that says why, never a number. Each wasm runtime must print
what the native build prints, or its row is not a measurement.
"""

from __future__ import annotations

import pytest

from wasikernel import compare
from wasikernel.result import RunResult, Trap
from wasikernel.sandbox import Sandbox
from wasikernel.trace import Trace

IN_PROCESS = ["wasmtime", "pulley", "wasm3", "stepper"]


@pytest.fixture(scope="module")
def startup_rows() -> list[compare.Measurement]:
    return compare.measure_startup(repeat=2, only=IN_PROCESS + ["node"])


@pytest.fixture(scope="module")
def execution_rows() -> list[compare.Measurement]:
    return compare.measure_execution(repeat=1, work=2_000_000, only=IN_PROCESS + ["node"])


def _by_runtime(rows: list[compare.Measurement]) -> dict[str, compare.Measurement]:
    return {r.runtime: r for r in rows}


def test_startup_rows_compare_each_runtime_with_a_native_process(startup_rows):
    base = startup_rows[0]
    assert base.runtime.startswith("native process") and base.available and base.seconds > 0
    measured = [r for r in startup_rows[2:]]
    labels = {r.runtime for r in measured}
    for level in ("none", "speed", "speed_and_size"):
        assert f"wasmtime, Cranelift opt {level}" in labels
    assert "wasmtime, Pulley interpreter" in labels
    for row in measured:
        assert row.available, (row.runtime, row.reason)
        # each row's baseline is the native start measured again just before it
        assert row.seconds > 0 and row.baseline > 0
        assert row.baseline_name == base.runtime
        assert row.ratio == pytest.approx(row.seconds / row.baseline)


CONTAINER = "container start (runc, busybox root filesystem)"


def test_the_container_row_is_measured_where_one_can_start_and_says_why_elsewhere(startup_rows):
    container = _by_runtime(startup_rows)[CONTAINER]
    if compare.container_status() is None:  # root, runc installed, not inside a container
        assert container.available, container.reason
        assert container.seconds > 0 and container.ratio == pytest.approx(
            container.seconds / container.baseline
        )
        assert "whole process: runc" in container.note
    else:
        assert container.seconds is None and container.ratio is None
        assert not container.available and container.reason == compare.container_status()


def test_a_container_cannot_start_without_root(monkeypatch):
    monkeypatch.setattr(compare.os, "geteuid", lambda: 1000)
    if compare.container_status() is not None and "runc is not installed" in (
        compare.container_status() or ""
    ):
        pytest.skip(compare.container_status())
    assert "needs root here (this process runs as uid 1000)" in compare.container_status()
    assert "Binder" in compare.container_status()


def test_node_start_up_separates_node_itself_from_the_module(startup_rows):
    node = _by_runtime(startup_rows)["Node.js WASI (V8)"]
    if not node.available:
        pytest.skip(node.reason)
    assert "includes starting Node itself" in node.note
    assert "instantiating inside Node" in node.note


def test_execution_rows_run_the_same_program_as_the_native_build(execution_rows):
    base = execution_rows[0]
    assert base.runtime == "native (gcc -O2)" and base.seconds > 0
    for row in execution_rows[1:]:
        # a runtime whose output differs from the native program's is not a measurement
        assert row.available, (row.runtime, row.reason)
        assert row.seconds >= 0 and row.baseline > 0 and row.baseline_name == base.runtime


def test_interpreters_say_their_figure_is_scaled(execution_rows):
    rows = _by_runtime(execution_rows)
    assert "figure scaled to the full work" in rows["wasikernel step-through interpreter"].note
    assert "figure scaled" not in rows["wasmtime, Cranelift opt speed"].note


def test_a_runtime_missing_from_path_is_a_row_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    rows = compare.measure_startup(repeat=1, only=["wasmedge", "wasmer", "iwasm", "node"])
    by_name = _by_runtime(rows)
    assert "`wasmedge` is not on PATH" in by_name["WasmEdge command line"].reason
    assert "`iwasm` is not on PATH" in by_name["WAMR (iwasm) command line"].reason
    assert "Node.js is not installed" in by_name["Node.js WASI (V8)"].reason
    assert all(r.seconds is None for r in rows[2:])
    assert "runc is not installed" in by_name[CONTAINER].reason


def test_a_runtime_that_fails_the_program_gives_no_figure(monkeypatch):
    def trapped(self, wasm: bytes, sandbox: Sandbox) -> RunResult:
        return RunResult(b"", b"", None, Trap("unreachable"), None, Trace(), sandbox)

    monkeypatch.setattr(compare.Contender, "run", trapped)
    rows = compare.measure_startup(repeat=1, only=["wasmtime"])
    failed = rows[2]
    assert not failed.available and failed.seconds is None
    assert "did not run the program to its end: unreachable" in failed.reason


def test_the_table_shows_figures_and_reasons(startup_rows):
    missing = compare.Measurement("WasmEdge command line", None, "native", None, False,
                                  "the WasmEdge command `wasmedge` is not on PATH")  # fmt: skip
    rows = [*startup_rows, missing]
    text = compare.to_table(rows)
    assert "wasmtime, Pulley interpreter" in text
    assert "not measured: the WasmEdge command `wasmedge` is not on PATH" in text
    assert text.splitlines()[0].split() == ["runtime", "figure", "baseline", "ratio"]
    assert text.count("\n") == len(rows)  # a header, then one line per row


def test_the_command_measures_every_runtime_a_registry_has_and_says_why_for_the_rest(capsys):
    """``python -m wasikernel.compare startup``: a figure for each runtime the README's set-up
    installs (and a container where one can start), a reason for WasmEdge and WAMR."""
    from wasikernel.engines import REGISTRY

    assert compare.main(["startup"]) == 0
    lines = capsys.readouterr().out.splitlines()

    def line_of(label: str) -> str:
        return next(line for line in lines if line.startswith(label))

    for label, engine in [("Wasmtime command line", "wasmtime-cli"), ("Wasmer (wasmer-sdk)",
                          "wasmer-sdk"), ("wasm3 interpreter", "wasm3"), ("pywasm", "pywasm"),
                          ("Node.js WASI", "node")]:  # fmt: skip
        if REGISTRY[engine].available() is None:
            assert "not measured" not in line_of(label) and " ms " in line_of(label), label
    if compare.container_status() is None:
        assert "not measured" not in line_of(CONTAINER)
    for label, engine in [("WasmEdge command line", "wasmedge"),
                          ("WAMR (iwasm) command line", "iwasm")]:  # fmt: skip
        if REGISTRY[engine].available() is not None:
            assert "not measured: " in line_of(label)
            assert "no package registry has" in line_of(label)


def test_the_command_names_its_sections(capsys):
    with pytest.raises(SystemExit):
        compare.main(["speed"])
    assert "no section 'speed'; the sections are: startup" in capsys.readouterr().err


# ---------------------------------------------------------------- peak memory, size on disk


@pytest.fixture(scope="module")
def footprint_rows() -> list[compare.Footprint]:
    return compare.measure_footprint(only=["wasmtime", "stepper", "node", "wasmtime-cli",
                                           "wasmedge", "iwasm"])  # fmt: skip


def test_a_peak_counts_the_process_measured_not_the_python_that_started_it():
    import sys

    small = compare.native_build(compare.HELLO_C, "hello")
    grow = "b = bytearray(200 << 20); b[::4096] = b'x' * len(b[::4096])"
    small_peak, status, out = compare.peak_memory([str(small)])
    assert status == 0 and compare.HELLO_LINE.encode() in out
    big_peak, status, _ = compare.peak_memory([sys.executable, "-c", grow])
    assert status == 0
    assert small_peak < 8 << 20  # a hello program, not this test's process
    assert big_peak > 200 << 20  # the 200 MiB the child touched


def test_footprint_rows_give_each_runtime_its_peak_and_size_beside_native(footprint_rows):
    from wasikernel.engines import REGISTRY

    rows = {r.runtime: r for r in footprint_rows}
    native = footprint_rows[0]
    assert native.runtime.startswith("native process") and native.peak_bytes > 0
    assert native.disk_bytes > 0
    python = rows["Python starting and exiting (python -c pass)"]
    for label, engine in [("wasikernel run (our host on wasmtime), whole process", "wasmtime"),
                          ("wasikernel step-through interpreter", "stepper"),
                          ("Node.js WASI (V8)", "node"),
                          ("Wasmtime command line", "wasmtime-cli")]:  # fmt: skip
        if REGISTRY[engine].available() is not None:
            continue
        row = rows[label]
        assert row.reason is None and row.peak_bytes > native.peak_bytes, label
        assert row.disk_bytes > native.disk_bytes and row.counts, label
        if engine in ("wasmtime", "stepper"):  # run inside Python: Python is their floor
            assert row.peak_bytes > python.peak_bytes
    for label in ("WasmEdge command line", "WAMR (iwasm) command line"):
        if not rows[label].available:
            assert "no package registry has" in rows[label].reason


def test_the_container_footprint_counts_its_image_where_one_can_start(footprint_rows):
    row = next(r for r in footprint_rows if r.runtime.startswith("container"))
    if compare.container_status() is None:
        assert row.reason is None and row.peak_bytes > 0
        assert "the image" in row.counts and row.disk_bytes > 1 << 20  # busybox at least
    else:
        assert row.reason == compare.container_status()


def test_the_footprint_table_gives_ratios_against_native_and_reasons(footprint_rows):
    text = compare.footprint_table(footprint_rows)
    lines = text.splitlines()
    assert lines[0].split() == ["runtime", "peak", "memory", "ratio", "on", "disk", "ratio"]
    assert len(lines) == len(footprint_rows) + 1
    assert lines[1].count(" 1x ") == 2  # the native row is its own baseline, both figures
    native = footprint_rows[0]
    wasmtime = next(r for r in footprint_rows if r.runtime.startswith("wasikernel run"))
    line = next(line for line in lines if line.startswith(wasmtime.runtime))
    assert f"{wasmtime.peak_bytes / native.peak_bytes:.0f}x" in line


def _every_table(monkeypatch) -> str:
    """Every table of the comparison, in the current language, on rows that bring each kind of
    note: in process, a whole process, a runtime missing here, a figure scaled, a container."""
    from wasikernel.engines import cli, node

    monkeypatch.setattr(cli.CliRuntime, "path", lambda self: None)
    monkeypatch.setattr(node, "node_path", lambda: None)
    startup = compare.measure_startup(repeat=1, only=["wasmtime", "pywasm", "wasmedge", "node"])
    execution = compare.measure_execution(repeat=1, work=200_000, only=["stepper", "iwasm"])
    footprint = compare.measure_footprint(only=["stepper", "wasmer"], container=False)
    escape = compare.escape_table(["wasmtime", "wasmedge"], routes=["dotdot-read"])
    return "\n".join([compare.to_table(startup), compare.to_table(execution),
                      compare.footprint_table(footprint), escape.to_text(),
                      compare.conformance_table(["wasmedge"])])  # fmt: skip


def test_every_table_speaks_the_learners_language(monkeypatch):
    """The comparison's tables, their notes and the reasons the runtimes give are French in
    French: the search the French notebooks go through finds no English in them, while it
    finds the same tables' English."""
    from _french import english_in

    from wasikernel import messages

    before = messages.get_language()
    try:
        messages.set_language("en")
        english = _every_table(monkeypatch)
        messages.set_language("fr")
        french = _every_table(monkeypatch)
    finally:
        messages.set_language(before)
    assert english_in(french) == [], french
    found = set(english_in(english))
    assert {"baseline", "peak memory", "on disk", "not on PATH", "not measured"} <= found, found
