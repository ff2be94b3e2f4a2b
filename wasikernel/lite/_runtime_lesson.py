"""Lesson 7 (choosing a runtime) for the static site.

The server's lesson starts runtimes as processes, which a browser cannot do. The site's version
keeps the lesson's account of the runtimes, then times, live in the page, the browser's own
WebAssembly engine against our step-through interpreter on the same programs (a start-up and a
compute-bound loop, the ratio printed in the same cell), and shows the server-side tables of
:mod:`wasikernel.compare` (start-up, memory and disk, escape routes, conformance) as data, with
the date, machine and versions they were measured with.

Those figures are measured once per machine by :func:`server_figures` (about half a minute)
and kept in the build's cache; a file given with ``wasikernel lite build --figures FILE`` (or
the ``WASIKERNEL_RUNTIME_FIGURES`` variable) is taken instead, as written by
:func:`measure_figures`.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["LESSON", "browser_lesson", "measure_figures", "server_figures"]

#: the lesson this module writes a browser version of
LESSON = "07-choosing-a-runtime.ipynb"
#: the escape routes shown (those of the server's lesson by default)
_ROUTES = ["dotdot-read", "absolute-etc-passwd", "host-symlink-relative", "host-symlink-to-dir",
           "guest-symlink-relative", "guest-symlink-chain", "guest-symlink-dir-then-create",
           "rename-out", "unlink-out", "hard-link-in"]  # fmt: skip


def measure_figures() -> dict:
    """Measure :mod:`wasikernel.compare`'s server-side tables on this machine; return them as
    text with the date, the machine and the versions they were measured with."""
    from .. import __version__, compare

    tables = {
        "startup": compare.to_table(compare.measure_startup(repeat=3)),
        "footprint": compare.footprint_table(compare.measure_footprint()),
        "escape": compare.escape_table(routes=_ROUTES, unguarded=True).to_text(),
        "conformance": compare.conformance_table(),
    }
    try:
        from importlib.metadata import version

        wasmtime_py = version("wasmtime")
    except Exception:  # noqa: BLE001 - the version is shown when known
        wasmtime_py = "unknown"
    return {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "versions": {"wasikernel": __version__, "wasmtime-py": wasmtime_py,
                     "python": platform.python_version()},  # fmt: skip
        "tables": tables,
    }


def server_figures(say: Callable[[str], None], given: Path | None = None) -> dict:
    """The server-side figures a site shows: those of ``given`` (or the file named by
    ``WASIKERNEL_RUNTIME_FIGURES``) when there is one, else those kept in the build's cache,
    else measured now and kept there.

    Raises WasiKernelError when a given file cannot be read as such figures.
    """
    from ..errors import WasiKernelError
    from .build import cache_folder

    named = given or os.environ.get("WASIKERNEL_RUNTIME_FIGURES")
    path = Path(named) if named else cache_folder() / "runtime-figures.json"
    if path.exists() or named:
        try:
            figures = json.loads(path.read_text("utf-8"))
            figures["tables"]["startup"]  # noqa: B018 - what a site needs, checked here
            figures["measured"]  # noqa: B018
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WasiKernelError(f"{path} does not hold the runtimes' figures ({exc}); "
                                  "delete it, or give a file written by "
                                  "wasikernel.lite._runtime_lesson.measure_figures") from exc
        return figures
    say("measuring the runtimes on this machine for lesson 7 (once; kept in " + str(path) + ")")
    figures = measure_figures()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=1), "utf-8")
    return figures


_INTRO = {
    "en": "**In your browser.** A browser cannot start the runtimes of the server's lesson "
          "(wasmtime, WasmEdge, a container: they are processes on a machine). What it has is "
          "its own WebAssembly engine, which runs every module of this site, and our "
          "step-through interpreter, written in Python, running here under Pyodide. The first "
          "cells time the two live, on the same programs; the tables after them were measured "
          "on a server, and are shown as data with the date and versions they were measured "
          "with. Run the first cell first.",
    "fr": "**Dans votre navigateur.** Un navigateur ne peut pas lancer les runtimes de la leçon "
          "du serveur (wasmtime, WasmEdge, un conteneur : ce sont des processus d'une "
          "machine). Il a son propre moteur WebAssembly, qui exécute chaque module de ce site, "
          "et notre interpréteur pas à pas, écrit en Python, qui tourne ici sous Pyodide. Les "
          "premières cellules chronomètrent les deux en direct, sur les mêmes programmes ; les "
          "tableaux qui suivent ont été mesurés sur un serveur, et sont montrés comme des "
          "données, avec la date et les versions de leur mesure. Exécutez d'abord la première "
          "cellule.",
}
_LIVE_TITLE = {
    "en": "## Live: the browser's engine against the stepper\n\n"
          "The same module for both: `work(n)` runs `n` rounds of a small random generator "
          "(no WASI call, so it measures the engine alone), and an empty `_start` for the "
          "start-up. Each run goes through our WASI host, as every cell of this site does. "
          "The stepper runs fewer rounds (it interprets each instruction in Python); each "
          "figure is per round.",
    "fr": "## En direct : le moteur du navigateur contre l'interpréteur pas à pas\n\n"
          "Le même module pour les deux : `work(n)` fait `n` tours d'un petit générateur "
          "aléatoire (aucun appel WASI : il ne mesure que le moteur), et un `_start` vide pour "
          "le démarrage. Chaque exécution passe par notre hôte WASI, comme chaque cellule de ce "
          "site. L'interpréteur pas à pas fait moins de tours (il interprète chaque instruction "
          "en Python) ; chaque chiffre est par tour.",
}
_LIVE = r'''import statistics, time
from wasikernel.compile import compile_source
from wasikernel.engines import run
from wasikernel.sandbox import Sandbox
WORK_WAT = """
(module
  ;; n rounds of a xorshift random generator, summed: no call, no memory, only computing
  (func (export "work") (param $n i32) (result i32) (local $x i32) (local $acc i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $acc (i32.add (local.get $acc) (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "_start")))
"""
work_wasm = compile_source("wat", WORK_WAT).wasm

def median_time(fn, repeat):
    """The median, in seconds, of `repeat` timings of fn()."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)

def work(engine, n):
    result = run(work_wasm, Sandbox(), engine=engine, invoke="work", invoke_args=(n,))
    assert result.trap is None, result.trap
    return result

startup = {engine: median_time(lambda: run(work_wasm, Sandbox(), engine=engine), repeat)
           for engine, repeat in (("browser", 20), ("stepper", 5))}
rounds = {"browser": 1_000_000, "stepper": 2_000}
per_round = {}
for engine, n in rounds.items():
    work(engine, n)  # warm-up (the browser's engine compiles hot code again, faster)
    per_round[engine] = min(median_time(lambda: work(engine, n), 1) for _ in range(3)) * 1e9 / n
print(f"start-up, whole run : browser {startup['browser'] * 1e3:8.2f} ms   "
      f"stepper {startup['stepper'] * 1e3:8.2f} ms   "
      f"stepper / browser {startup['stepper'] / startup['browser']:.1f}x")
print(f"work(n), per round  : browser {per_round['browser']:8.2f} ns   "
      f"stepper {per_round['stepper']:8.0f} ns   "
      f"stepper / browser {per_round['stepper'] / per_round['browser']:.0f}x")'''
_AFTER_LIVE = {
    "en": "**Think about it.** Both ran under the same WASI host: what differs is who runs the "
          "instructions. The browser compiles the module to machine code (V8's Liftoff first, "
          "TurboFan for hot code); the stepper decodes and interprets each one in Python, and "
          "can therefore show every step. Which of the two ratios favours the stepper, and "
          "why (what does the browser do before the first instruction runs)? How do they "
          "compare with the server's figures for wasmtime (a compiler) and the stepper below?",
    "fr": "**Réfléchissez.** Les deux ont tourné sous le même hôte WASI : ce qui change, c'est "
          "qui exécute les instructions. Le navigateur compile le module en code machine "
          "(Liftoff de V8 d'abord, TurboFan pour le code chaud) ; l'interpréteur pas à pas "
          "décode et interprète chacune en Python, et peut donc montrer chaque pas. Lequel des "
          "deux rapports favorise l'interpréteur, et pourquoi (que fait le navigateur avant "
          "que la première instruction s'exécute) ? Comment se comparent-ils aux chiffres du "
          "serveur pour wasmtime (un compilateur) et l'interpréteur ci-dessous ?",
}
_DATA_TITLE = {
    "en": "## Measured on a server: `wasikernel.compare`\n\n"
          "These tables were measured on the machine that built this site, with "
          "`wasikernel.compare` (the server's lesson measures them again on yours); they are "
          "data here, not a measurement of your browser.",
    "fr": "## Mesuré sur un serveur : `wasikernel.compare`\n\n"
          "Ces tableaux ont été mesurés sur la machine qui a construit ce site, avec "
          "`wasikernel.compare` (la leçon du serveur les mesure à nouveau sur la vôtre) ; ici, "
          "ce sont des données, pas une mesure de votre navigateur.",
}
_TABLE_TITLES = {
    "en": {"startup": "start-up, whole run", "footprint": "peak memory of a whole run of the "
           "hello program, and size on disk, against the native process",
           "escape": "escape routes out of a granted folder", "conformance":
           "WASI test suite, 72 preview 1 programs"},
    "fr": {"startup": "démarrage, exécution complète", "footprint": "mémoire maximale d'une "
           "exécution du programme hello, et taille sur disque, face au processus natif",
           "escape": "voies d'évasion hors d'un dossier donné", "conformance":
           "suite de tests WASI, 72 programmes preview 1"},
}  # fmt: skip
_MEASURED = {
    "en": "measured on {measured} on the build machine ({machine}); {versions}",
    "fr": "mesuré le {measured} sur la machine de construction ({machine}) ; {versions}",
}


def _figures_cell(figures: dict, language: str) -> str:
    titles = _TABLE_TITLES.get(language, _TABLE_TITLES["en"])
    data = {"measured": figures["measured"], "machine": figures.get("machine", ""),
            "versions": figures.get("versions", {}),
            "tables": {k: v.splitlines() for k, v in figures["tables"].items()
                       if k in titles}}  # fmt: skip
    line = _MEASURED.get(language, _MEASURED["en"])
    return (f"SERVER = {json.dumps(data, indent=1, ensure_ascii=False)}\n"
            f"TITLES = {json.dumps(titles, ensure_ascii=False)}\n"
            f"versions = ', '.join(f'{{k}} {{v}}' for k, v in SERVER['versions'].items())\n"
            f"print({line!r}.format(measured=SERVER['measured'], machine=SERVER['machine'], "
            f"versions=versions))\n"
            "for key, table in SERVER['tables'].items():\n"
            "    print()\n"
            "    print(TITLES[key])\n"
            "    print('\\n'.join(table))")


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [],
            "execution_count": None}  # fmt: skip


def browser_lesson(notebook: dict, language: str, figures: dict, setup: str) -> dict:
    """Lesson 7 for the site: its account of the runtimes (the first markdown cell of
    ``notebook``), the live comparison and the server's ``figures`` as data."""
    first = next((c for c in notebook["cells"] if c["cell_type"] == "markdown"), None)
    cells = [_markdown(_INTRO.get(language, _INTRO["en"])), _code(setup)]
    if first is not None:
        cells.append(dict(first))
    cells += [_markdown(_LIVE_TITLE.get(language, _LIVE_TITLE["en"])), _code(_LIVE),
              _markdown(_AFTER_LIVE.get(language, _AFTER_LIVE["en"])),
              _markdown(_DATA_TITLE.get(language, _DATA_TITLE["en"])),
              _code(_figures_cell(figures, language))]  # fmt: skip
    meta = dict(notebook.get("metadata", {}))
    meta["kernelspec"] = {"name": "python", "display_name": "Python (Pyodide)",
                          "language": "python"}  # fmt: skip
    meta["language_info"] = {"name": "python"}
    return {**notebook, "cells": cells, "metadata": meta}
