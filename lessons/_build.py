"""Write the course's notebooks from one source, so English and French stay in step.

Run ``.venv/bin/python lessons/_build.py`` after editing a lesson: it rewrites
``lessons/en/*.ipynb``, ``lessons/fr/*.ipynb`` (with their ``data/`` folders: the release a
learner gets, each exercise with its starting answer), the teacher's version
``lessons/teacher/{en,fr}/`` (each exercise with the answer key's solution), the table of
contents ``lessons/README.md`` and the gallery in ``notebooks/`` (French in ``notebooks/fr/``),
all without outputs. The source is the package ``lessons/content/``, one file per notebook
(``content/03_sandbox.py`` writes ``03-sandbox.ipynb``); each lesson is a list of cells, a
markdown cell holding its English and French text side by side, a code cell its source (with a
French variant when its comments or strings differ), an exercise the cell the learner edits and
the locked cell that grades it. Every notebook carries nbgrader's cell metadata: the set-up and
grading cells locked, each exercise an answer (``solution``), each grading cell one point.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "wasi", "display_name": "WASI (WAT, C, Rust)", "language": "wat"}


def setup(lang: str) -> str:
    """The first cell of every notebook: the language of the kernel's messages."""
    return (
        "%%python\n"
        "from wasikernel import messages\n"
        f'messages.set_language("{lang}")\n'
        "from wasikernel.sandbox import Sandbox, Preopen\n"
        "from wasikernel.lessons import *"
    )


def _nbgrader(grade_id: str, *, solution: bool = False, grade: bool = False,
              locked: bool = False) -> dict:
    """The ``nbgrader`` metadata of a cell (schema 3): an answer the learner writes
    (``solution``), a cell worth a point when it runs without error (``grade``), a cell
    nbgrader restores from the release before grading (``locked``)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if grade:
        meta["points"] = 1
    return {"nbgrader": meta}


def notebook(cells: list[tuple[str, ...]], lang: str, teacher: bool = False
             ) -> nbformat.NotebookNode:
    """The notebook of ``cells`` in ``lang``: the release a learner gets, or with ``teacher``
    the teacher's version, whose exercise cells hold the answer key's solution."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "wat", "file_extension": ".wat"}
    first = nbformat.v4.new_code_cell(setup(lang))
    if any(cell[0] == "exercise" for cell in cells):  # graded: nbgrader keeps the set-up
        first.metadata.update(_nbgrader("setup", locked=True))
    out = [first]
    for kind, en, fr, *more in cells:
        text = fr if lang == "fr" else en
        if kind == "markdown":
            out.append(nbformat.v4.new_markdown_cell(text))
        elif kind == "exercise":
            solution_en, solution_fr, name = more
            if teacher:
                text = solution_fr if lang == "fr" else solution_en
            cell = nbformat.v4.new_code_cell(text)
            cell.metadata.update(_nbgrader(name.replace(".", "-"), solution=True))
            out.append(cell)
        elif kind == "locked":
            cell = nbformat.v4.new_code_cell(text)
            cell.metadata.update(_nbgrader(more[0].replace(".", "-") + "-run", locked=True))
            out.append(cell)
        elif kind == "grade":
            cell = nbformat.v4.new_code_cell(text)
            cell.metadata.update(_nbgrader(more[0].replace(".", "-") + "-grade", grade=True,
                                           locked=True))
            out.append(cell)
        else:
            out.append(nbformat.v4.new_code_cell(text))
    # the title stays first, above the set-up cell
    if cells and cells[0][0] == "markdown":
        out[0], out[1] = out[1], out[0]
    for index, cell in enumerate(out):
        cell["id"] = f"c{index:02d}"
    nb.cells = out
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    text = json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def write_data(folder: Path, files: dict[str, str]) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _title(cells: list[tuple[str, str, str]], lang: str) -> str:
    text = cells[0][2 if lang == "fr" else 1]
    return text.splitlines()[0].lstrip("# ").strip()


def write_index(lessons: dict[str, list[tuple[str, str, str]]]) -> None:
    """``lessons/README.md``: the table of contents a learner sees first in JupyterLab."""
    lines = [
        "# WASI: the course / le cours",
        "",
        "Open a lesson with the **WASI (WAT, C, Rust)** kernel and run it from the top.",
        "Ouvrez une leçon avec le noyau Jupyter **WASI (WAT, C, Rust)** et exécutez-la depuis le début.",
        "",
        "| English | Français |",
        "|---|---|",
    ]
    for name, cells in lessons.items():
        lines.append(
            f"| [{_title(cells, 'en')}](en/{name}.ipynb) | [{_title(cells, 'fr')}](fr/{name}.ipynb) |"
        )
    (ROOT / "lessons" / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    from content import DATA, DATA_FR, GALLERY, GALLERY_DATA, GALLERY_DATA_FR, LESSONS

    for lang in ("en", "fr"):
        base = ROOT / "lessons" / lang
        for old in base.glob("*.ipynb"):
            old.unlink()
        for name, cells in LESSONS.items():
            write(notebook(cells, lang), base / f"{name}.ipynb")
        data = DATA_FR if lang == "fr" else DATA  # what a notebook prints is in its language
        write_data(base / "data", data)
        # the teacher's version: the same notebooks with the answer key's solutions
        teacher = ROOT / "lessons" / "teacher" / lang
        for old in teacher.glob("*.ipynb"):
            old.unlink()
        for name, cells in LESSONS.items():
            if any(cell[0] == "exercise" for cell in cells):
                write(notebook(cells, lang, teacher=True), teacher / f"{name}.ipynb")
        write_data(teacher / "data", data)
    write_index(LESSONS)
    # the gallery: English in notebooks/, French in notebooks/fr/
    for lang, base in (("en", ROOT / "notebooks"), ("fr", ROOT / "notebooks" / "fr")):
        for old in base.glob("*.ipynb"):
            old.unlink()
        for name, cells in GALLERY.items():
            write(notebook(cells, lang), base / f"{name}.ipynb")
        write_data(base / "data", GALLERY_DATA_FR if lang == "fr" else GALLERY_DATA)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
