"""The text and code of the course, one file per notebook (read by ``lessons/_build.py``).

A lesson is the file ``NN_name.py`` beside this one; it holds ``CELLS``, the notebook
``NN-name.ipynb`` as a list of cells ``(kind, English, French)`` made with
:func:`~content._cells.md` and :func:`~content._cells.code`, and the programs only it runs.
Programs that more than one notebook runs, and the files of the lessons' ``data/`` folder, are
in ``_shared.py``; the gallery's notebooks are in ``gallery.py``. A new lesson is a new file:
nothing else lists the lessons.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from ._cells import Cell
from ._shared import DATA, DATA_FR
from .gallery import GALLERY, GALLERY_DATA, GALLERY_DATA_FR

__all__ = ["DATA", "DATA_FR", "GALLERY", "GALLERY_DATA", "GALLERY_DATA_FR", "LESSONS", "MODULES"]


def _lesson_modules() -> dict[str, ModuleType]:
    found = {}
    for path in sorted(Path(__file__).parent.glob("[0-9][0-9]_*.py")):
        found[path.stem.replace("_", "-")] = importlib.import_module(f"{__name__}.{path.stem}")
    return found


#: notebook name ("03-sandbox") -> the module that writes it
MODULES: dict[str, ModuleType] = _lesson_modules()
#: notebook name -> its cells, in the order of the course
LESSONS: dict[str, list[Cell]] = {name: module.CELLS for name, module in MODULES.items()}
