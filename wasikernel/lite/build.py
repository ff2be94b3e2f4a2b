"""``wasikernel lite build OUT``: the course as a static JupyterLite site, built offline from the
package registries.

What goes in, and from where:

* the site's tools (``jupyterlite-core``, ``jupyterlite-pyodide-kernel``, ``jupyter_server``
  to index the contents, and ``anywidget`` and
  ``jupyterlab_widgets`` for their browser halves) come from PyPI into a virtual environment of
  their own, kept in the cache (the JupyterLab of the course's environment is left alone);
* Pyodide, wabt.js and clang (``@yowasp/clang``: clang, lld and wasi-libc compiled to wasm)
  come from npm, at the versions of ``share/lite/package.json``, into
  ``share/lite/node_modules``; Pyodide is placed at ``static/pyodide``, wabt.js at
  ``static/wabt`` and clang at ``static/clang`` of the site, so nothing is fetched from a CDN
  (a page fetches clang only when it first compiles a C cell);
* the pure-Python wheels the Pyodide kernel loads (IPython and the rest) are downloaded from
  PyPI at the versions Pyodide's lock file names, and the lock's hashes are set to theirs;
* our own wheel (:mod:`._wheel`), with every C and Rust cell of the site's notebooks compiled
  ahead of time and the lessons' data folders, plus ``anywidget``, ``ipywidgets`` and what they
  need, in the site's ``pypi/`` folder; ``disablePyPIFallback`` keeps the kernel from looking
  anywhere else;
* the lessons and gallery notebooks, rewritten for the Python kernel (:mod:`._notebooks`).

Everything taken from a registry is kept in the cache (:func:`cache_folder`) and in
``share/lite/node_modules``: ``wasikernel lite fetch`` (which the README's set-up runs, see
``scripts/setup.sh``) brings it in, and a build that finds it all there asks no registry
anything; :func:`missing_inputs` names what is not there yet.

Raises :class:`~wasikernel.errors.ToolchainMissing` when npm or pip cannot be run, and
:class:`~wasikernel.errors.WasiKernelError` when a step fails (its output is in the message).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ToolchainMissing, WasiKernelError

__all__ = ["build_site", "kept_site", "inputs_digest", "fetch_inputs", "missing_inputs",
           "Built", "TOOLS", "KERNEL_ROOTS", "SITE_WHEELS", "REPOSITORY"]  # fmt: skip

#: the repository this package runs from (lessons/, notebooks/, share/, widgets/)
REPOSITORY = Path(__file__).resolve().parents[2]
#: what builds the site, installed into its own environment
TOOLS = ("jupyterlite-core==0.8.6", "jupyterlite-pyodide-kernel==0.8.6", "jupyter_server>=2.17",
         "anywidget==0.11.0", "jupyterlab_widgets==3.0.17")  # fmt: skip
#: the packages of Pyodide's lock that the kernel loads; their pure-Python dependencies follow
KERNEL_ROOTS = ("micropip", "packaging", "ipython", "jedi", "typing-extensions")
#: wheels of the site's own index beside ours (what ``import wasikernel`` and widgets need)
SITE_WHEELS = ("anywidget==0.11.0", "ipywidgets==8.1.9", "jupyterlab_widgets==3.0.17", "comm",
               "psygnal", "ipython_pygments_lexers")  # fmt: skip


@dataclass
class Built:
    """What a build made: the site's folder, its size, and each notebook's fate."""

    out: Path
    size_bytes: int = 0
    notebooks: dict[str, str] = field(default_factory=dict)  # path -> "runs" | the reason not
    precompiled: int = 0


def _run(command: list[str], *, cwd: Path | None = None, what: str) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise ToolchainMissing(f"{what} needs {command[0]}, which is not installed") from None
    if done.returncode != 0:
        raise WasiKernelError(f"{what} failed ({' '.join(command[:4])} ...):\n"
                              f"{(done.stderr or done.stdout).strip()[-3000:]}")  # fmt: skip
    return done.stdout


def cache_folder() -> Path:
    """Where the build keeps its tools and downloads between runs."""
    from ..compile._cache import cache_root

    return cache_root() / "lite"


def _tools_ready() -> Path | None:
    folder = cache_folder() / "tools"
    python, stamp = folder / "bin" / "python", folder / "tools.txt"
    if python.exists() and stamp.exists() and stamp.read_text() == "\n".join(TOOLS):
        return python
    return None


def tools_python(say: Callable[[str], None]) -> Path:
    """The Python of the build's own environment, made (once per set of TOOLS) with pip."""
    ready = _tools_ready()
    if ready is not None:
        return ready
    folder = cache_folder() / "tools"
    python = folder / "bin" / "python"
    say("installing the site's tools (jupyterlite) into " + str(folder))
    shutil.rmtree(folder, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(folder)], what="making the tools' environment")
    _run([str(python), "-m", "pip", "install", "-q", *TOOLS], what="installing jupyterlite")
    (folder / "tools.txt").write_text("\n".join(TOOLS))
    return python


SHARE = REPOSITORY / "share" / "lite"


def _npm_ready() -> bool:
    """Whether ``share/lite/node_modules`` holds each package at its pinned version."""
    pinned = json.loads((SHARE / "package.json").read_text())["dependencies"]
    for name, version in pinned.items():
        try:
            found = json.loads((SHARE / "node_modules" / name / "package.json").read_text())
        except (OSError, ValueError):
            return False
        if found.get("version") != version:
            return False
    return True


def npm_packages(say: Callable[[str], None]) -> Path:
    """``share/lite/node_modules``, installed by npm when a package is not at its pinned
    version (the set-up installs them the same way, see ``scripts/setup.sh``)."""
    modules = SHARE / "node_modules"
    if _npm_ready():
        return modules
    say("installing pyodide, wabt and @yowasp/clang from npm into " + str(modules))
    _run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=SHARE,
         what="installing the npm packages")  # fmt: skip
    return modules


def _lock_closure(lock: dict) -> list[dict]:
    """The lock's entries for KERNEL_ROOTS and their dependencies, pure-Python wheels only."""
    packages = lock["packages"]
    todo, seen = list(KERNEL_ROOTS), set()
    while todo:
        name = todo.pop().lower().replace("_", "-")  # a dependency may be spelt prompt_toolkit
        if name in seen or name not in packages:
            continue
        seen.add(name)
        todo.extend(packages[name].get("depends", []))
    return [packages[n] for n in sorted(seen) if packages[n]["file_name"].endswith("-none-any.whl")]


def _download(python: Path, folder: Path, specs: list[str], version: str, what: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _run([str(python), "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
          "--platform", "any", "--python-version", version, "-d", str(folder), *specs],
         what=what)  # fmt: skip


def _lock() -> dict:
    return json.loads((SHARE / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())


def _python_version(lock: dict) -> str:
    return ".".join(lock["info"]["python"].split(".")[:2])


def _kernel_wheels(lock: dict) -> tuple[Path, list[dict]]:
    """The cache folder of the kernel's wheels and the lock entries they are for."""
    return cache_folder() / "wheels" / f"pyodide-{_python_version(lock)}", _lock_closure(lock)


def _site_wheels(lock: dict) -> Path:
    return cache_folder() / "wheels" / f"site-{_python_version(lock)}"


def _kernel_wheels_ready(lock: dict) -> bool:
    folder, entries = _kernel_wheels(lock)
    return all((folder / e["file_name"]).exists() for e in entries)


def _site_wheels_ready(lock: dict) -> bool:
    stamp = _site_wheels(lock) / "wheels.txt"
    return stamp.exists() and stamp.read_text() == "\n".join(SITE_WHEELS)


def fetch_wheels(python: Path, say: Callable[[str], None]) -> None:
    """Download into the cache, from PyPI, the wheels a site ships that are not there yet: the
    kernel's at the versions of Pyodide's lock, and SITE_WHEELS."""
    lock = _lock()
    version = _python_version(lock)
    if not _kernel_wheels_ready(lock):
        folder, entries = _kernel_wheels(lock)
        say("downloading the Pyodide kernel's wheels into " + str(folder))
        _download(python, folder, [f"{e['name']}=={e['version']}" for e in entries], version,
                  "downloading the kernel's wheels")  # fmt: skip
    if not _site_wheels_ready(lock):
        folder = _site_wheels(lock)
        say("downloading the widgets' wheels into " + str(folder))
        shutil.rmtree(folder, ignore_errors=True)
        _download(python, folder, list(SITE_WHEELS), version, "downloading the widgets' wheels")
        (folder / "wheels.txt").write_text("\n".join(SITE_WHEELS))


def fetch_inputs(say: Callable[[str], None] = print) -> Path:
    """Bring in from the registries whatever a build needs that is not in place (the tools'
    environment, the npm packages, the wheels); return the tools' Python. Asks no registry
    when :func:`missing_inputs` is empty."""
    python = tools_python(say)
    npm_packages(say)
    fetch_wheels(python, say)
    return python


def missing_inputs() -> list[str]:
    """What a build would still take from a registry (empty when it can run offline)."""
    missing = []
    if _tools_ready() is None:
        missing.append("the site's tools (" + ", ".join(TOOLS[:2]) + ") in " +
                       str(cache_folder() / "tools"))  # fmt: skip
    if not _npm_ready():
        missing.append("the npm packages of share/lite/package.json (pyodide, wabt, "
                       "@yowasp/clang) in share/lite/node_modules")
        return missing
    lock = _lock()
    if not _kernel_wheels_ready(lock):
        missing.append("the Pyodide kernel's wheels in " + str(_kernel_wheels(lock)[0]))
    if not _site_wheels_ready(lock):
        missing.append("the widgets' wheels in " + str(_site_wheels(lock)))
    return missing


def place_pyodide(modules: Path, lite: Path) -> str:
    """Copy Pyodide into ``lite/static`` with the kernel's wheels (from the cache) at the lock's
    versions, point the lock's hashes at them; return Pyodide's Python version (``3.14``)."""
    pyodide = lite / "static" / "pyodide"
    pyodide.mkdir(parents=True, exist_ok=True)
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json", "package.json"):  # fmt: skip
        shutil.copy2(modules / "pyodide" / name, pyodide / name)
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    wheels, entries = _kernel_wheels(lock)
    for entry in entries:
        wheel = wheels / entry["file_name"]
        if not wheel.exists():
            raise WasiKernelError(f"PyPI has no {entry['file_name']} for Pyodide's lock")
        shutil.copy2(wheel, pyodide / wheel.name)
        entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock))
    return _python_version(lock)


def build_site(out: Path, *, say: Callable[[str], None] = print,
               languages: tuple[str, ...] = ("en",), work: Path | None = None,
               figures: Path | None = None) -> Built:  # fmt: skip
    """Build the static site into ``out`` (replaced); see the module's text for what goes in.

    ``languages`` picks the lessons' languages (``en``, ``fr``); ``work`` is the folder the site
    is assembled in (a fresh one in the cache by default); ``figures`` a file of the
    runtimes' server-side figures for lesson 7 (measured once and kept in the cache otherwise,
    see :func:`._runtime_lesson.server_figures`).
    """
    from ._notebooks import site_notebooks
    from ._runtime_lesson import server_figures
    from ._wheel import write_wheel

    out = Path(out).resolve()
    python = fetch_inputs(say)
    modules = SHARE / "node_modules"
    lite = work or cache_folder() / "site-source"
    shutil.rmtree(lite, ignore_errors=True)
    lite.mkdir(parents=True)
    place_pyodide(modules, lite)
    say("rewriting the notebooks for the browser and precompiling their C and Rust cells")
    files = lite / "files"
    built = Built(out)
    precompiled: dict[str, bytes] = {}
    built.notebooks = site_notebooks(files, languages, precompiled, server_figures(say, figures))
    built.precompiled = len(precompiled)
    pypi = lite / "pypi"
    write_wheel(pypi, precompiled)
    for wheel in sorted(_site_wheels(_lock()).glob("*.whl")):
        shutil.copy2(wheel, pypi / wheel.name)
    (lite / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "wasikernel",
            "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": {"disablePyPIFallback": True},
            },
        },
    }, indent=1))  # fmt: skip
    say("running jupyter lite build")
    if out.exists():
        shutil.rmtree(out)
    env_bin = python.parent
    _run([str(env_bin / "jupyter-lite"), "build", "--no-sourcemaps", "--contents", str(files),
          "--output-dir", str(out)], cwd=lite, what="jupyter lite build")  # fmt: skip
    wabt = out / "static" / "wabt"  # beside Pyodide (jupyter lite copies only its own statics)
    wabt.mkdir(parents=True, exist_ok=True)
    shutil.copy2(modules / "wabt" / "index.js", wabt / "index.js")
    # clang, lld and wasi-libc for C cells: a page fetches them on its first C cell to compile
    shutil.copytree(modules / "@yowasp" / "clang" / "gen", out / "static" / "clang")
    built.size_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return built


def inputs_digest() -> str:
    """A digest of what a site is built from (the package's code, the widgets' files, the
    notebooks, the pinned npm packages and the tools): a change means a new build."""
    digest = hashlib.sha256("\n".join((*TOOLS, *SITE_WHEELS)).encode())
    paths = [*sorted((REPOSITORY / "wasikernel").rglob("*.py")),
             *sorted((REPOSITORY / "widgets").rglob("*")),
             *sorted((REPOSITORY / "lessons").rglob("*")),
             *sorted((REPOSITORY / "notebooks").rglob("*")), SHARE / "package.json"]
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPOSITORY)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def kept_site(out: Path, say: Callable[[str], None] = print) -> Path:
    """The site in ``out``, built again only when :func:`inputs_digest` changed since it was
    built there (the test and the benchmarks share one build); returns ``out``.

    Raises what :func:`build_site` raises.
    """
    stamp = Path(out) / ".inputs"
    wanted = inputs_digest()
    if not (stamp.exists() and stamp.read_text() == wanted):
        build_site(Path(out), say=say)
        stamp.write_text(wanted)
    return Path(out)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``wasikernel lite build OUT [--fr]`` and ``wasikernel lite fetch``."""
    sub = parser.add_subparsers(dest="lite_command", required=True, metavar="build|fetch")
    sub.add_parser("fetch", help="bring in from PyPI and npm what a build needs (then a build "
                   "runs offline)")
    b = sub.add_parser("build", help="build the static site into OUT (replaced)")
    b.add_argument("out", help="the site's folder (replaced)")
    b.add_argument("--fr", action="store_true", help="the French lessons and gallery too")
    b.add_argument("--figures", metavar="FILE", help="the runtimes' server-side figures lesson 7 "
                   "shows (JSON); measured on this machine once and kept otherwise")


def main(args: argparse.Namespace) -> int:
    """Build the site and say what it holds (``fetch``: bring its inputs in, say what)."""
    if args.lite_command == "fetch":
        fetch_inputs()
        print("the static site's inputs are in place: `wasikernel lite build OUT` runs offline")
        return 0
    built = build_site(Path(args.out), languages=("en", "fr") if args.fr else ("en",),
                       figures=Path(args.figures) if args.figures else None)
    for path, fate in built.notebooks.items():
        print(f"  {path}: {fate}")
    print(f"{built.out}: {built.size_bytes / 1e6:.1f} MB, {built.precompiled} precompiled "
          f"cells; serve it with: python3 -m http.server 8000 --directory {built.out}")
    return 0
