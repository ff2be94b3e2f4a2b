"""Write the course's notebooks from one source, so English and French stay in step.

Run ``.venv/bin/python lessons/_build.py`` after editing a lesson: it rewrites
``lessons/en/*.ipynb``, ``lessons/fr/*.ipynb`` (with their ``data/`` folders), the table of
contents ``lessons/README.md`` and the gallery in ``notebooks/`` (French in ``notebooks/fr/``),
all without outputs. The source is the package ``lessons/content/``, one file per notebook
(``content/03_sandbox.py`` writes ``03-sandbox.ipynb``); each lesson is a list of cells, a
markdown cell holding its English and French text side by side, a code cell its source (with a
French variant when its comments or strings differ).
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


def notebook(cells: list[tuple[str, str, str]], lang: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "wat", "file_extension": ".wat"}
    out = [nbformat.v4.new_code_cell(setup(lang))]
    for kind, en, fr in cells:
        text = fr if lang == "fr" else en
        if kind == "markdown":
            out.append(nbformat.v4.new_markdown_cell(text))
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
        "Ouvrez une leçon avec le noyau **WASI (WAT, C, Rust)** et exécutez-la depuis le début.",
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
    from content import DATA, GALLERY, GALLERY_DATA, LESSONS

    for lang in ("en", "fr"):
        base = ROOT / "lessons" / lang
        for old in base.glob("*.ipynb"):
            old.unlink()
        for name, cells in LESSONS.items():
            write(notebook(cells, lang), base / f"{name}.ipynb")
        write_data(base / "data", DATA)
    write_index(LESSONS)
    # the gallery: English in notebooks/, French in notebooks/fr/
    for lang, base in (("en", ROOT / "notebooks"), ("fr", ROOT / "notebooks" / "fr")):
        for old in base.glob("*.ipynb"):
            old.unlink()
        for name, cells in GALLERY.items():
            write(notebook(cells, lang), base / f"{name}.ipynb")
        write_data(base / "data", GALLERY_DATA)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
