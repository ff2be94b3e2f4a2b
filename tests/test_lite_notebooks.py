"""How the static site rewrites the course's notebooks (no browser, no npm: the reasons a
notebook cannot run in a browser, said in both languages, and the cells as the Python kernel
reads them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasikernel.lite._notebooks import SETUP_CELL, browser_source, cannot_run, for_browser

LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def _lesson(lang: str, stem: str) -> dict:
    return json.loads((LESSONS / lang / f"{stem}.ipynb").read_text("utf-8"))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_components_lesson_says_why_it_cannot_run_in_a_browser(lang):
    notebook = _lesson(lang, "10-components")
    reason = cannot_run(notebook, lang)
    assert reason is not None and ("component" in reason or "composant" in reason)
    out, fate = for_browser(notebook, lang, {})
    assert fate == f"cannot run: {reason}"
    assert reason in out["cells"][0]["source"]  # said at its top, in the lesson's language
    assert not any(c["source"] == SETUP_CELL for c in out["cells"])


def test_a_notebook_of_wat_cells_runs_with_the_setup_cell_first():
    notebook = {"cells": [{"cell_type": "code", "source": "(module)", "metadata": {},
                           "outputs": []}], "metadata": {}}  # fmt: skip
    out, fate = for_browser(notebook, "en", {})
    assert fate == "runs"
    assert [c["source"] for c in out["cells"][1:]] == [SETUP_CELL, "%%wat\n(module)"]
    assert out["metadata"]["kernelspec"]["name"] == "python"


def test_cells_read_as_the_python_kernel_reads_them():
    assert browser_source("%%python\nprint(1)") == "print(1)"
    assert browser_source("%%c\nint main(void){}") == "%%c\nint main(void){}"
    assert browser_source("(module)") == "%%wat\n(module)"


FIGURES = {"measured": "2026-12-07 23:00 UTC", "machine": "Linux x86_64, 2 cores",
           "versions": {"wasikernel": "0.1.0", "wasmtime-py": "39.0.0"},
           "tables": {"startup": "native process (gcc -O2)  1.04 ms", "footprint": "native 1.6 MiB",
                      "escape": "dotdot-read held", "conformance": "wasmtime 72/72"}}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_lesson_7_runs_in_the_site_with_the_servers_figures_as_data(lang, capsys):
    """The browser version of lesson 7: the lesson's account of the runtimes, a live cell
    timing the browser's engine against the stepper, and a cell printing the server's tables
    with the date, machine and versions they were measured with, in the lesson's language."""
    from wasikernel.lite._runtime_lesson import browser_lesson

    notebook = _lesson(lang, "07-choosing-a-runtime")
    out = browser_lesson(notebook, lang, FIGURES, SETUP_CELL)
    sources = [c["source"] for c in out["cells"]]
    assert sources[1] == SETUP_CELL and out["metadata"]["kernelspec"]["name"] == "python"
    assert sources[2] == "".join(notebook["cells"][0]["source"])  # the runtimes, as written
    assert not any("subprocess" in s or "cannot run" in s for s in sources)
    live = next(s for s in sources if "invoke=\"work\"" in s)
    assert '("browser", 20), ("stepper", 5)' in live and "stepper / browser" in live
    exec(sources[-1], {})  # the data cell runs anywhere: it holds its figures
    shown = capsys.readouterr().out
    if lang == "en":
        assert shown.startswith("measured on 2026-12-07 23:00 UTC on the build machine "
                                "(Linux x86_64, 2 cores); wasikernel 0.1.0, wasmtime-py 39.0.0")
        assert "start-up, whole run\nnative process (gcc -O2)  1.04 ms" in shown
    else:
        assert shown.startswith("mesuré le 2026-12-07 23:00 UTC sur la machine de construction")
        assert "démarrage, exécution complète" in shown and "Dans votre navigateur" in sources[0]
    assert "wasmtime 72/72" in shown and "dotdot-read held" in shown


def test_given_figures_that_are_not_figures_are_refused_by_name(tmp_path):
    from wasikernel.errors import WasiKernelError
    from wasikernel.lite._runtime_lesson import server_figures

    bad = tmp_path / "figures.json"
    bad.write_text("{}")
    with pytest.raises(WasiKernelError, match="does not hold the runtimes' figures"):
        server_figures(lambda line: None, bad)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(FIGURES))
    assert server_figures(lambda line: None, good) == FIGURES
