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
