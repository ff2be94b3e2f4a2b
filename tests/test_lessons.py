"""The course: every lesson (English and French) and every gallery notebook runs top to bottom
on the WASI kernel, the notebooks are stored without outputs and in step with their generator,
the README links each lesson, and each exercise check accepts a right answer and rejects a
wrong one with a sentence that says what to change."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
import wasmtime

from wasikernel import messages
from wasikernel.lessons import (
    check_ctf,
    check_exit_code,
    check_least_sandbox,
    check_line_counter,
    check_link_refusals,
    check_memory_regions,
    check_perimeter,
    check_refused_open,
    check_reproducible,
    check_smallest_module,
    check_speedup,
    check_two_iovecs,
    grant_data,
    run_source,
)
from wasikernel.sandbox import Preopen, Sandbox

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
sys.path.insert(0, str(LESSONS))
sys.path.insert(0, str(ROOT / "tests"))
import _build  # noqa: E402
import content  # noqa: E402
from _french import english_in, english_in_outputs  # noqa: E402
from content import _shared  # noqa: E402

# the modules of lessons/content/ that write the lessons whose programs are checked here
L00, L01, L02, L03, L09 = (
    content.MODULES[name]
    for name in ("00-getting-started", "01-stack-machine", "02-hello-wasi", "03-sandbox",
                 "09-capstone")
)

LESSON_NAMES = sorted(p.stem for p in (LESSONS / "en").glob("*.ipynb"))
NOTEBOOKS = (
    [LESSONS / "en" / f"{n}.ipynb" for n in LESSON_NAMES]
    + [LESSONS / "fr" / f"{n}.ipynb" for n in LESSON_NAMES]
    + sorted((ROOT / "notebooks").glob("*.ipynb"))
    + sorted((ROOT / "notebooks" / "fr").glob("*.ipynb"))
)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _has_c_cell(path: Path) -> bool:
    """Whether a notebook has a ``%%c`` cell (compiled with zig)."""
    nb = nbformat.read(path, as_version=4)
    return any(cell.cell_type == "code" and re.match(r"\s*%%c\b", cell.source)
               for cell in nb.cells)


NOTEBOOK_PARAMS = [pytest.param(p, marks=pytest.mark.zig) if _has_c_cell(p) else p
                   for p in NOTEBOOKS]


@pytest.fixture(autouse=True)
def english():
    messages.set_language("en")
    yield
    messages.set_language("en")


# ------------------------------------------------------------------------ the notebooks run


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOK_PARAMS, ids=_id)
def test_notebook_runs_top_to_bottom(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="wasi",
        timeout=180,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", (cell.source, output)
            texts.append(json.dumps(output.get("data", output.get("text", ""))))
    joined = "\n".join(texts)
    assert "Traceback" not in joined
    # every notebook shows something; lessons show their exercise's feedback
    assert joined.strip()
    if path.parent.name == "fr" and ("appels WASI" in joined or "WASI calls" in joined):
        assert "appels WASI" in joined, "a French notebook's runs report in French"
    if path.parent.name == "fr":  # everything a learner reads in it is French
        english = english_in_outputs(nb)
        assert not english, english[:5]
    if path.parent.parent == LESSONS:
        title = "Pas encore" if path.parent.name == "fr" else "Not yet"
        assert title in joined, "the exercise's starting answer should get feedback"
    # nothing is left behind in the repository's data folders
    data = path.parent / "data"
    if data.exists():
        assert not (data / "out.txt").exists()


def test_lesson_seven_reports_absent_runtimes_honestly():
    source = "\n".join(c[1] for c in content.LESSONS["07-choosing-a-runtime"] if c[0] == "code")
    # every engine without a number says why it was not measured
    assert source.count("not measured:") >= 6
    for name in ("cranelift_opt_level", "pulley64", "wasm3", "stepper", "node", "container_status",
                 "wasmtime-cli", "pywasm", "wasmer-sdk", "escape_table", "conformance"):
        assert name in source


# ------------------------------------------------------------------------ stored notebooks


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "wasi"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], cell.source[:60]
            assert cell.execution_count is None


def test_english_and_french_lessons_match():
    french = sorted(p.stem for p in (LESSONS / "fr").glob("*.ipynb"))
    assert french == LESSON_NAMES
    assert len(LESSON_NAMES) >= 10
    for name in LESSON_NAMES:
        en = nbformat.read(LESSONS / "en" / f"{name}.ipynb", as_version=4)
        fr = nbformat.read(LESSONS / "fr" / f"{name}.ipynb", as_version=4)
        assert [c.cell_type for c in en.cells] == [c.cell_type for c in fr.cells]
        assert 'set_language("fr")' in "".join(c.source for c in fr.cells)
        assert en.cells[0].source != fr.cells[0].source  # the text is translated


def test_each_lesson_has_goals_an_exercise_and_a_summary():
    for lang, goals, summary in (("en", "**Goals.**", "## Summary"),
                                 ("fr", "**Objectifs.**", "## ")):
        for name in LESSON_NAMES:
            nb = nbformat.read(LESSONS / lang / f"{name}.ipynb", as_version=4)
            text = "\n".join(c.source for c in nb.cells)
            assert goals in text, (lang, name)
            assert summary in text, (lang, name)
            # an exercise checked by name: a cell with --check NAME, or answered(NAME, ...)
            assert re.search(rf'--check {name}\.ex\d|answered\("{name}\.ex\d', text), (lang, name)
            assert f'grade("{name}.ex' in text, (lang, name)


def test_stored_notebooks_match_their_generator(tmp_path, monkeypatch):
    monkeypatch.setattr(_build, "ROOT", tmp_path)
    (tmp_path / "lessons").mkdir()
    (tmp_path / "notebooks" / "fr").mkdir(parents=True)
    _build.main()
    teacher = sorted((LESSONS / "teacher").glob("*/*.ipynb"))
    assert len(teacher) == 2 * len(LESSON_NAMES)  # every lesson has an exercise
    for path in [*NOTEBOOKS, *teacher, LESSONS / "README.md"]:
        rebuilt = tmp_path / path.relative_to(ROOT)
        assert rebuilt.read_text() == path.read_text(), (
            f"{path.relative_to(ROOT)} differs from lessons/content/: "
            "run .venv/bin/python lessons/_build.py"
        )


def test_readme_links_every_lesson():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Lessons", 1)[1].split("\n## ", 1)[0]
    for lang in ("en", "fr"):
        for name in LESSON_NAMES:
            assert f"(lessons/{lang}/{name}.ipynb)" in section, (lang, name)
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"(notebooks/{path.name})" in section
        assert f"(notebooks/fr/{path.name})" in section


# ------------------------------------------------------------------------ exercise checks


def _oracle_exit_code(wat: str) -> int:
    """Run a WAT module under wasmtime's own WASI (nothing granted) and return its exit code."""
    engine = wasmtime.Engine()
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    instance = linker.instantiate(store, wasmtime.Module(engine, wasmtime.wat2wasm(wat)))
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_:
        return exit_.code
    return 0


def test_check_exit_code():
    good = check_exit_code(L00.EXIT_WAT.replace("i32.const 3", "i32.const 7"))
    assert good.ok and not good.wrong
    bad = check_exit_code(L00.EXIT_WAT)
    assert not bad.ok
    assert any("code 3" in s for s in bad.wrong)
    assert not any("7" in s for s in bad.wrong)  # the expected code is not given away
    assert any("proc_exit" in s for s in bad.right)  # what is right is said too
    broken = check_exit_code("(module (func (export \"_start\") i32.add))")
    assert not broken.ok and "does not compile" in broken.wrong[0]


def test_check_perimeter():
    good = L01.PERIMETER_START.replace(
        "i32.add))", "i32.add\n    i32.const 2\n    i32.mul))"
    )
    assert check_perimeter(good).ok
    bad = check_perimeter(L01.PERIMETER_START)
    assert not bad.ok
    assert any("perimeter(3, 4) returns 7," in s for s in bad.wrong)
    assert not any("14" in s or "22" in s for s in bad.wrong[:2])  # what it should return
    renamed = check_perimeter(good.replace('"perimeter"', '"area"'))
    assert not renamed.ok and "perimeter" in renamed.wrong[0]


def test_check_two_iovecs():
    good = L02.TWO_IOVECS_START.replace(
        "(drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)",
        "(i32.store (i32.const 8) (i32.const 80))\n"
        "    (i32.store (i32.const 12) (i32.const 6))\n"
        "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2)",
    )
    result = check_two_iovecs(good)
    assert result.ok, result
    bad = check_two_iovecs(L02.TWO_IOVECS_START)
    assert not bad.ok
    assert any("'Hello, '" in s for s in bad.wrong)
    assert any("iovs_len" in s for s in bad.wrong)  # where to look
    assert not any("= 2" in s or "Hello, WASI!" in s for s in bad.wrong)


OPEN_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "etc/passwd")
  (func (export "_start")
    (call $proc_exit
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 10)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))))
'''


def test_check_refused_open_against_wasmtime():
    # the errno the host returns is the one wasmtime's own WASI returns (the module exits with it)
    oracle = _oracle_exit_code(OPEN_WAT)
    names = {8: "badf", 76: "notcapable", 44: "noent", 2: "acces"}
    assert oracle in names
    right = check_refused_open(OPEN_WAT, names[oracle])
    assert right.ok, right
    wrong = check_refused_open(OPEN_WAT, "inval")
    assert not wrong.ok
    assert any(names[oracle] in s for s in wrong.wrong)
    no_open = check_refused_open(L00.EXIT_WAT)
    assert not no_open.ok and "path_open" in no_open.wrong[0]


def test_check_least_sandbox():
    data = str(LESSONS / "en" / "data")
    before = sorted(os.listdir(data))
    assert check_least_sandbox(grant_data(data)).ok
    too_much = check_least_sandbox(
        Sandbox(preopens=[Preopen("/data", data, read_only=False)], env={"HOME": "/root"})
    )
    assert not too_much.ok
    assert any("lets it write" in s for s in too_much.wrong)
    assert not any("read_only" in s or "--ro-dir" in s for s in too_much.wrong)
    assert any("HOME" in s for s in too_much.wrong)
    assert sorted(os.listdir(data)) == before  # the probe wrote into a copy only
    nothing = check_least_sandbox(Sandbox())
    assert not nothing.ok and any("/data/notes.txt" in s for s in nothing.wrong)


def test_check_reproducible():
    assert check_reproducible(Sandbox(clock_ns=10**18, random_seed=1)).ok
    real = check_reproducible(Sandbox())
    assert not real.ok
    assert any("clock is the real one" in s for s in real.wrong)
    assert any("randomness is real" in s for s in real.wrong)
    assert not any("clock_ns" in s or "random_seed" in s for s in real.wrong)


def test_check_memory_regions():
    right = {"greeting": "data", "counter": "data", "local": "stack", "block": "heap"}
    assert check_memory_regions(right).ok
    wrong = check_memory_regions({**right, "counter": "heap", "local": ""})
    assert not wrong.ok
    assert any("counter" in s and "static data" in s for s in wrong.wrong)
    assert any("local" in s and "no answer" in s for s in wrong.wrong)


@pytest.mark.zig
def test_check_memory_regions_agrees_with_a_real_layout():
    """The check's answers are where the compiled program really puts its pointers."""
    from wasikernel.compile import compile_source
    from wasikernel.engines import run

    compiled = compile_source("c", _shared.REGIONS_C)
    layout = compiled.layout
    out = run(compiled.wasm, Sandbox(), layout=layout).stdout.decode().split()
    where = dict(zip(out[0::2], (int(a, 16) for a in out[1::2]), strict=True))
    assert layout.stack_low <= where["local"] < layout.stack_high
    assert where["block"] >= layout.heap_base
    for name in ("greeting", "counter"):
        assert where[name] < layout.heap_base
        assert not layout.stack_low <= where[name] < layout.stack_high


def test_check_smallest_module():
    sizes = {"wat": 90, "c": 14000, "rust": 60000}
    assert check_smallest_module("wat", sizes).ok
    bad = check_smallest_module("rust", sizes)
    assert not bad.ok and "wat gives only 90" in bad.wrong[0]
    assert "is not one of" in check_smallest_module("go", sizes).wrong[0]


def test_check_speedup():
    assert check_speedup(100, 1e-3, 1e-5).ok
    inverted = check_speedup(0.01, 1e-3, 1e-5)
    assert not inverted.ok and "upside down" in inverted.wrong[0]
    missing = check_speedup(0, 1e-3, 1e-5, claim=100)
    assert not missing.ok and "No answer yet" in missing.wrong[0]
    claim = check_speedup(100, 1e-3, 1e-5, claim=100)
    assert any("supported" in s for s in claim.right)


def test_check_link_refusals():
    assert check_link_refusals(["thread-spawn", "sock_open"], _shared.MIXED_WAT).ok
    bad = check_link_refusals(["fd_write"], _shared.MIXED_WAT)
    assert not bad.ok
    assert any("thread-spawn" in s for s in bad.wrong)
    assert any("fd_write is not refused" in s for s in bad.wrong)


@pytest.mark.zig
def test_check_runtime_choice_weighs_the_trade_off_without_naming_the_runtime():
    from wasikernel.compare import Footprint
    from wasikernel.lessons import RUNTIME_NAMES, check_runtime_choice

    right = {"iot": "wasm3", "serverless": "wasmtime", "plugin": " Wasmtime ",
             "class": "wasmtime-cli"}
    assert check_runtime_choice(right).ok
    measured = [Footprint("Node.js WASI (V8)", 43 << 20, 94 << 20, engine="node")]
    wrong = check_runtime_choice({"iot": "node", "serverless": "container", "plugin": "pywasm",
                                  "class": "node"}, measured)  # fmt: skip
    assert not wrong.ok and len(wrong.right) == 0
    text = str(wrong)
    for fits in ("wasm3", "iwasm", "wasmtime", "wasikernel"):
        assert fits not in text, fits
    assert "size on disk" in text and "start-up table" in text and "escape table" in text
    assert "Here node peaked at 43.0 MiB of memory and needs 94.0 MiB on disk." in text
    unknown = check_runtime_choice({"iot": "docker" * 100, "serverless": 3})
    assert "is not a runtime of the tables" in str(unknown) and len(str(unknown)) < 2000
    assert all(name in str(unknown) for name in RUNTIME_NAMES)  # every name, not the one
    assert "No runtime yet for 'plugin'" in str(unknown)
    assert "must be a dict" in str(check_runtime_choice(["wasm3"]))
    messages.set_language("fr")
    assert "taille sur le disque" in str(check_runtime_choice({"iot": "node"}))


def test_check_line_counter():
    data = str(LESSONS / "en" / "data")
    assert check_line_counter(L09.WC_C, grant_data(data), data).ok
    broad = Sandbox(preopens=[Preopen("/data", data), Preopen("/tmp", "/tmp")], env={"U": "x"})
    bad = check_line_counter(L09.WC_C, broad, data)
    assert not bad.ok
    assert any("2 folders" in s for s in bad.wrong)
    assert any("read-write" in s for s in bad.wrong)
    words = L09.WC_C.replace("c == '\\n'", "c == ' '")
    wrong_count = check_line_counter(words, grant_data(data), data)
    assert not wrong_count.ok and any("number of lines" in s for s in wrong_count.wrong)
    assert not any("12" in s for s in wrong_count.wrong)  # the count is not given away


@pytest.fixture
def arena():
    folder = tempfile.mkdtemp(prefix="arena-")
    os.makedirs(os.path.join(folder, "data"))
    with open(os.path.join(folder, "secret.txt"), "w") as f:
        f.write("FLAG{test}\n")
    with open(os.path.join(folder, "data", "public.txt"), "w") as f:
        f.write("public\n")
    os.symlink("../secret.txt", os.path.join(folder, "data", "shortcut"))
    yield folder
    shutil.rmtree(folder)


@pytest.mark.zig
def test_check_ctf(arena):
    box = Sandbox(preopens=[Preopen("/data", os.path.join(arena, "data"), read_only=True)])
    more = L09.ATTACK_C.replace(
        "    /* add more routes here",
        f'    try_read("/data/shortcut");\n    try_read("{arena}/secret.txt");\n'
        '    try_read("/data/../../../etc/passwd");\n    /* add more routes here',
    )
    result = run_source("c", more, box)
    assert "FLAG{test}" not in result.stdout.decode()
    good = check_ctf(result, "FLAG{test}")
    assert good.ok, good
    assert sum(s.startswith("Refused") for s in good.right) >= 3
    few = check_ctf(run_source("c", L09.ATTACK_C, box), "FLAG{test}")
    assert not few.ok and "at least 3" in few.wrong[0]
    # a sandbox that grants the secret's folder leaks it, and the check says so
    leaky = Sandbox(preopens=[Preopen("/data", arena, read_only=True)])
    leak = run_source("c", L09.ATTACK_C.replace("/data/../secret.txt", "/data/secret.txt"),
                      leaky)
    leaked = check_ctf(leak, "FLAG{test}")
    assert not leaked.ok and any("secret appears" in s for s in leaked.wrong)


def test_feedback_speaks_french():
    messages.set_language("fr")
    feedback = check_memory_regions({"greeting": "heap"})
    assert not feedback.ok
    assert "Pas encore" in str(feedback)
    assert any("vous avez dit" in s for s in feedback.wrong)
    assert "tas" in str(check_memory_regions({"block": "tas"}))
    html = feedback._repr_html_()
    assert "wasikernel-feedback" in html and "Pas encore" in html


def test_every_feedback_sentence_exists_in_both_languages_with_the_same_fields():
    import string

    def fields(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    feedback = {k: e for k, e in messages.CATALOGUE.items() if k.startswith("lesson_")}
    assert len(feedback) > 60
    for key, entry in feedback.items():
        en, fr = entry["en"], entry["fr"]
        assert en.strip() and fr.strip(), key
        assert en != fr, key  # translated, not copied
        assert fields(en) == fields(fr), key


def test_lesson_three_escape_is_refused_as_wasmtime_refuses_it():
    """The exercise's start opens a file inside the grant and its answer key climbs out of it:
    wasmtime's own WASI agrees (0 for the first, an errno for the second), and our host counts
    the second as a refusal."""
    data = str(LESSONS / "en" / "data")

    def oracle(wat: str) -> int:
        engine = wasmtime.Engine()
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        store = wasmtime.Store(engine)
        config = wasmtime.WasiConfig()
        config.preopen_dir(data, "/data", fs_mutable=False)
        store.set_wasi(config)
        instance = linker.instantiate(store, wasmtime.Module(engine, wasmtime.wat2wasm(wat)))
        try:
            instance.exports(store)["_start"](store)
        except wasmtime.ExitTrap as exit_:
            return exit_.code
        return 0

    box = grant_data(data)
    assert oracle(L03.ESCAPE_WAT) == 0
    inside = run_source("wat", L03.ESCAPE_WAT, box)
    assert inside.exit_code == 0 and not any(e.denied for e in inside.trace.events)
    assert oracle(L03.ESCAPE_SOLUTION) != 0
    outside = run_source("wat", L03.ESCAPE_SOLUTION, box)
    assert outside.exit_code != 0
    assert sum(e.denied for e in outside.trace.events) == 1


def test_each_of_lesson_three_four_attempts_ends_in_a_counted_refusal():
    """The four "cannot"s: an import that does not exist, memory outside the module's own, the
    network, a file outside every grant; each run's summary counts a refusal."""
    from wasikernel.kernel._display import count_calls

    for language, source in (("wat", L03.ENV_SYSTEM_WAT), ("wat", L03.OOB_WAT),
                             ("wat", L03.SOCK_WAT), ("c", _shared.FOPEN_C)):
        result = run_source(language, source, Sandbox())
        _, refused = count_calls(result)
        assert refused >= 1, (source[:80], [(e.call, e.errno) for e in result.trace.events])


def test_english_in_a_french_notebook_is_found():
    """The search the French notebooks go through finds an English sentence of the catalogue
    and the English words our code prints, and lets French through."""
    messages.set_language("en")
    english = messages.t("outside_preopen", path="/etc/passwd")
    summary = "exit 0 · 2 WASI calls · 1 refused"
    messages.set_language("fr")
    french = messages.t("outside_preopen", path="/etc/passwd")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%%c")]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=french),
                           nbformat.v4.new_output("display_data",
                                                  data={"text/html": f"<b>{english}</b>"})]
    hits = english_in_outputs(nb)
    assert hits and all(index == 0 for index, _, _ in hits)
    assert any("outside every directory granted" in piece for _, piece, _ in hits)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=summary)]
    assert {piece for _, piece, _ in english_in_outputs(nb)} == {"calls", "refused"}
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=french)]
    assert english_in_outputs(nb) == []
    # a notebook that switches to English on purpose is read in French only before the switch
    nb.cells = [nbformat.v4.new_code_cell("%sandbox lang en"), nbformat.v4.new_code_cell("%%c")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=summary)]
    assert english_in_outputs(nb) == []
    # WIT's error-code names are names: let through whole, while the English around them is not
    assert english_in("errno access-denied, connection-refused") == []
    assert english_in("access-denied: the connection was refused") == ["refused"]
    assert english_in("refused-by-host, then denied") == ["refused", "denied"]
    assert english_in("%trace --denied lists the refusals") == []  # an option's name


# ------------------------------------------------------------------------ lesson 10

L10 = content.MODULES["10-components"]


def test_check_handle_order_against_a_stale_handle_and_its_fix():
    from wasikernel.lessons import check_handle_order

    stale = check_handle_order(L10.HANDLE_WAT)
    assert not stale.ok and any("after giving it back" in s for s in stale.wrong)
    assert not any("given back once" in s for s in stale.right)  # not while it traps
    assert check_handle_order(L10.HANDLE_SOLUTION).ok
    kept = check_handle_order(L10.HANDLE_WAT.replace("      (call $drop (local.get $out))\n", ""))
    assert not kept.ok and any("never given back" in s for s in kept.wrong)
    core = check_handle_order("(module)")
    assert not core.ok and "core module" in core.wrong[0]
    broken = check_handle_order("(component (core module $M (func i32.add)))")
    assert not broken.ok and "does not compile" in broken.wrong[0]


@pytest.mark.zig
def test_check_open_write_close_on_both_abis():
    from wasikernel.lessons import check_open_write_close

    right = check_open_write_close(L10.GREETING_SOLUTION, None)
    assert right.ok, right
    assert any("open-at" in s and "path_open" in s for s in right.right)
    stdout_only = check_open_write_close(L10.GREETING_C, None)
    assert not stdout_only.ok and "/data/greeting.txt" in stdout_only.wrong[0]
    unclosed = check_open_write_close(L10.GREETING_SOLUTION.replace("    fclose(f);\n", ""), None)
    assert not unclosed.ok and [s for s in unclosed.wrong if "not closed" in s] == unclosed.wrong
    failing = check_open_write_close(L10.GREETING_SOLUTION.replace("return 0;", "return 3;"),
                                     None)  # fmt: skip
    assert any("exit 3" in s and "exit 1" in s for s in failing.wrong)


def test_check_client_grant_says_what_is_wrong_never_the_address():
    from wasikernel import examples
    from wasikernel.lessons import check_client_grant
    from wasikernel.sandbox import Limits

    server = examples.EchoServer().start()
    try:
        exact = Sandbox(network=[("127.0.0.1", server.port)])
        assert check_client_grant(exact, server).ok
        wide = check_client_grant(Sandbox(network=[("127.0.0.1", server.port),
                                                   ("127.0.0.1", 9)], dns=True), server)
        assert not wide.ok and any("2 addresses" in s for s in wide.wrong)
        assert any("name lookups" in s for s in wide.wrong)
        for box in (Sandbox(), Sandbox(network=[("127.0.0.1", 9)])):
            refused = check_client_grant(box, server)
            assert not refused.ok and "was refused" in refused.wrong[0]
            assert str(server.port) not in str(refused) and "127.0.0.1" not in str(refused)
        assert "Sandbox(...)" in check_client_grant("127.0.0.1", server).wrong[0]
    finally:
        server.stop()
    silent = Sandbox(network=[("127.0.0.1", server.port)], limits=Limits(timeout_s=0.5))
    assert "no answer" in check_client_grant(silent, server).wrong[0]


def test_one_diagram_shows_lesson_three_four_promises_with_their_refusals():
    """After the four attempts, ``%sandbox show 4`` draws them in one diagram: a red edge per
    "cannot" (the import at link time, the memory, the network, the files), each counted, and
    the refusal table under it lists all four; a bad count is refused with a sentence."""
    import ipywidgets
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from wasikernel.kernel._display import CellError
    from wasikernel.kernel.magics import WasiMagics

    magics = WasiMagics(InteractiveShell.instance())
    with capture_output():
        for source in (L03.ENV_SYSTEM_WAT, L03.OOB_WAT, L03.SOCK_WAT):
            magics.wat("", source)
        magics.c("", _shared.FOPEN_C)
    with capture_output() as shown:
        magics.sandbox("show 4")
    model = shown.outputs[0].data["application/vnd.jupyter.widget-view+json"]["model_id"]
    view = ipywidgets.widgets.widget._instances[model]
    refused = {(r["resource"], r["call"]): r["count"] for r in view.refusals}
    assert sum(refused.values()) == 4 and len(refused) == 4, refused
    for edge in ("edge-link-0", "edge-memory-refused", "edge-network-refused",
                 "edge-outside-refused"):
        assert f'id="{edge}"' in view.svg, edge
    assert "4 runs together" in view.svg and not view.can_rerun
    page = view.to_html()
    assert page.count("class='wk-refused'") == 4
    assert "env.system" in view.svg and "sock_accept" in page and "fd_write" in page
    with pytest.raises(CellError, match="from 1 to 20"):
        magics.sandbox("show lots")
