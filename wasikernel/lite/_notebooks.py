"""The course's notebooks, rewritten for the static site's Python (Pyodide) kernel.

A lesson is written for the WASI kernel, where a cell with no magic is WAT and ``%%python``
marks Python. In the site the kernel is Python, so a WAT cell gets ``%%wat``, a ``%%python``
cell loses its magic, and a first cell installs the package and loads the magics
(``await wasikernel.lite.ready()``). Each C and Rust cell is compiled here, ahead of time,
with the options its magic line gives (a browser runs no C or Rust compiler). A notebook that
needs what a browser does not have still goes in, to read, with a plain statement at its top
saying why it cannot run there.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

__all__ = ["SETUP_CELL", "cannot_run", "for_browser", "site_notebooks"]

#: the first cell of every notebook of the site
SETUP_CELL = (
    "import piplite\n"
    "await piplite.install(\"wasikernel\")\n"
    "import wasikernel.lite\n"
    "await wasikernel.lite.ready()"
)

#: what in a notebook's code keeps it from running in a browser, and the sentence saying so
_NEEDS = (
    ("%%wast", {"en": "its spec-style checks need the wast2json program, which a browser "
                      "does not have",
                "fr": "ses vérifications à la manière de la spécification demandent le "
                      "programme wast2json, qu'un navigateur n'a pas"}),
    ("subprocess", {"en": "it measures runtimes and programs started as processes on a machine "
                          "(wasmtime, the runtimes' command lines), which a browser cannot start",
                    "fr": "il mesure des runtimes et des programmes lancés comme processus sur "
                          "une machine (wasmtime, les lignes de commande des runtimes), qu'un "
                          "navigateur ne peut pas lancer"}),
    ("--engine", {"en": "it runs modules under other engines (the step-through interpreter), "
                        "which need wasmtime to check a module; a browser has only its own engine",
                  "fr": "il exécute des modules sous d'autres moteurs (l'interpréteur pas à pas), "
                        "qui ont besoin de wasmtime pour vérifier un module ; un navigateur n'a "
                        "que son propre moteur"}),
    ("%%p1p2", {"en": "it runs components (WASI 0.2), which need wasmtime's component model; "
                      "a browser's engine runs core modules only",
                "fr": "il exécute des composants (WASI 0.2), qui demandent le modèle de "
                      "composants de wasmtime ; le moteur d'un navigateur n'exécute que des "
                      "modules"}),
    ("Preopen(", {"en": "it grants the module folders of the machine (a Preopen with a host "
                        "folder), and a browser has no folder of yours to give",
                  "fr": "il donne au module des dossiers de la machine (un Preopen avec un "
                        "dossier de l'hôte), et un navigateur n'a pas de dossier à vous à donner"}),
)

_RUNS = {
    "en": "**In your browser.** This notebook runs here, with no server: the browser's own "
          "WebAssembly engine runs each module, and wasikernel's WASI host (Python, under "
          "Pyodide) traces every call. Run the first cell first. Folders given with `--dir` are "
          "copies in memory, so what a module writes there is gone when the page closes. The "
          "C and Rust cells come compiled ahead of time, with their source shown; an edited C "
          "cell is compiled here by clang, fetched on the first one (about 27 MB, in a recent "
          "Chrome or Edge), while an edited Rust cell compiles only in JupyterLab "
          "(`bash scripts/lab.sh`).",
    "fr": "**Dans votre navigateur.** Ce carnet s'exécute ici, sans serveur : le moteur "
          "WebAssembly du navigateur exécute chaque module, et l'hôte WASI de wasikernel "
          "(Python, sous Pyodide) trace chaque appel. Exécutez d'abord la première cellule. Les "
          "dossiers donnés avec `--dir` sont des copies en mémoire : ce qu'un module y écrit "
          "disparaît quand la page se ferme. Les cellules C et Rust sont compilées d'avance, "
          "leur source affichée ; une cellule C modifiée est compilée ici par clang, chargé à "
          "la première (environ 27 Mo, dans un Chrome ou un Edge récent), tandis qu'une "
          "cellule Rust modifiée ne se compile que dans JupyterLab (`bash scripts/lab.sh`).",
}
_CANNOT = {
    "en": "**This notebook cannot run in a browser**: {reason}. Read it here, and run it in "
          "JupyterLab (`bash scripts/lab.sh`) or on Binder.",
    "fr": "**Ce carnet ne peut pas s'exécuter dans un navigateur** : {reason}. Lisez-le ici, et "
          "exécutez-le dans JupyterLab (`bash scripts/lab.sh`) ou sur Binder.",
}
_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


def _code(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def cannot_run(notebook: dict, language: str = "en") -> str | None:
    """Why ``notebook`` cannot run in a browser, in ``language``; None when it can."""
    code = "\n".join(_code(c) for c in notebook["cells"] if c["cell_type"] == "code")
    for needle, reason in _NEEDS:
        if needle in code:
            return reason.get(language, reason["en"])
    return None


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code_cell(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [],
            "execution_count": None}  # fmt: skip


def browser_source(source: str) -> str:
    """A WASI kernel cell as the Python kernel's magics read it."""
    first, _, rest = source.partition("\n")
    if first.strip() == "%%python" or first.startswith("%%python "):
        return rest
    if source.lstrip().startswith("%") or not source.strip():
        return source
    return "%%wat\n" + source


def for_browser(notebook: dict, language: str, precompiled: dict[str, bytes]) -> tuple[dict, str]:
    """``notebook`` rewritten for the site, and its fate (``"runs"`` or why not); each C and
    Rust cell's module goes into ``precompiled`` under its key.

    Raises CompileError or ToolchainMissing when a C or Rust cell does not compile here.
    """
    reason = cannot_run(notebook, language)
    cells = []
    for cell in notebook["cells"]:
        cell = dict(cell)
        if cell["cell_type"] == "code":
            source = browser_source(_code(cell))
            if reason is None:
                _precompile(source, precompiled)
            cell.update(source=source, outputs=[], execution_count=None)
        cells.append(cell)
    if reason is None:
        head = [_markdown(_RUNS.get(language, _RUNS["en"])), _code_cell(SETUP_CELL)]
    else:
        head = [_markdown(_CANNOT.get(language, _CANNOT["en"]).format(reason=reason))]
    meta = dict(notebook.get("metadata", {}))
    meta["kernelspec"] = dict(_KERNELSPEC)
    meta["language_info"] = {"name": "python"}
    out = {**notebook, "cells": head + cells, "metadata": meta}
    return out, "runs" if reason is None else f"cannot run: {reason}"


def _precompile(source: str, precompiled: dict[str, bytes]) -> None:
    first, _, body = source.partition("\n")
    words = first.split(None, 1)
    if not words or words[0] not in ("%%c", "%%rust"):
        return
    from ..compile import compile_source
    from ..compile._browser import precompiled_key
    from ..kernel._options import cell_filename, compile_options, parse_cell_options

    language = words[0][2:]
    opts = parse_cell_options(words[1] if len(words) > 1 else "", language)
    options = compile_options(language, opts, "browser")
    name = cell_filename(language, opts)
    compiled = compile_source(language, body, options, filename=name)
    precompiled[precompiled_key(language, body, options, name)] = compiled.wasm


def site_notebooks(files: Path, languages: tuple[str, ...], precompiled: dict[str, bytes],
                   figures: dict | None = None) -> dict[str, str]:  # fmt: skip
    """Write the lessons (``lessons/LANG/``) and the gallery (``notebooks/``, ``notebooks/fr``)
    into ``files``, with their data folders; return each notebook's fate. With the server's
    ``figures`` (:func:`._runtime_lesson.server_figures`), lesson 7 is its browser version."""
    from ._runtime_lesson import LESSON, browser_lesson
    from .build import REPOSITORY

    fates: dict[str, str] = {}
    sources: list[tuple[Path, Path, str]] = []
    for lang in languages:
        sources.append((REPOSITORY / "lessons" / lang, files / "lessons" / lang, lang))
        gallery = REPOSITORY / "notebooks" / ("" if lang == "en" else lang)
        sources.append((gallery, files / "gallery" / lang, lang))
    for src, dst, lang in sources:
        if not src.is_dir():
            continue
        dst.mkdir(parents=True, exist_ok=True)
        if (src / "data").is_dir():
            shutil.copytree(src / "data", dst / "data", dirs_exist_ok=True)
        for path in sorted(src.glob("*.ipynb")):
            notebook = json.loads(path.read_text("utf-8"))
            here = os.getcwd()
            os.chdir(src)  # a magic line's --dir data::/data is read from the notebook's folder
            try:
                if path.name == LESSON and src.parent.name == "lessons" and figures:
                    out = browser_lesson(notebook, lang, figures, SETUP_CELL)
                    fate = "runs (its browser version: the server's figures as data)"
                else:
                    out, fate = for_browser(notebook, lang, precompiled)
            finally:
                os.chdir(here)
            (dst / path.name).write_text(json.dumps(out, indent=1, ensure_ascii=False), "utf-8")
            fates[str((dst / path.name).relative_to(files))] = fate
    return fates
