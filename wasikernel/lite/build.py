"""``wasikernel lite build OUT``: the course as a static JupyterLite site, built offline from the
package registries.

What goes in, and from where:

* the site's tools (``jupyterlite-core``, ``jupyterlite-pyodide-kernel``, ``jupyter_server``
  to index the contents, and ``anywidget`` and
  ``jupyterlab_widgets`` for their browser halves) come from PyPI into a virtual environment of
  their own, kept in the cache (the JupyterLab of the course's environment is left alone);
* Pyodide and wabt.js come from npm, at the versions of ``share/lite/package.json``, into
  ``share/lite/node_modules``; Pyodide is placed at ``static/pyodide`` and wabt.js at
  ``static/wabt`` of the site, so nothing is fetched from a CDN;
* the pure-Python wheels the Pyodide kernel loads (IPython and the rest) are downloaded from
  PyPI at the versions Pyodide's lock file names, and the lock's hashes are set to theirs;
* our own wheel (:mod:`._wheel`), with every C and Rust cell of the site's notebooks compiled
  ahead of time and the lessons' data folders, plus ``anywidget``, ``ipywidgets`` and what they
  need, in the site's ``pypi/`` folder; ``disablePyPIFallback`` keeps the kernel from looking
  anywhere else;
* the lessons and gallery notebooks, rewritten for the Python kernel (:mod:`._notebooks`).

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

__all__ = ["build_site", "Built", "TOOLS", "KERNEL_ROOTS", "SITE_WHEELS", "REPOSITORY"]

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


def tools_python(say: Callable[[str], None]) -> Path:
    """The Python of the build's own environment, made (once per set of TOOLS) with pip."""
    folder = cache_folder() / "tools"
    python = folder / "bin" / "python"
    stamp = folder / "tools.txt"
    wanted = "\n".join(TOOLS)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    say("installing the site's tools (jupyterlite) into " + str(folder))
    shutil.rmtree(folder, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(folder)], what="making the tools' environment")
    _run([str(python), "-m", "pip", "install", "-q", *TOOLS], what="installing jupyterlite")
    stamp.write_text(wanted)
    return python


def npm_packages(say: Callable[[str], None]) -> Path:
    """``share/lite/node_modules``, installed by npm when package.json changed."""
    share = REPOSITORY / "share" / "lite"
    modules = share / "node_modules"
    stamp = modules / ".wasikernel-package.json"
    wanted = (share / "package.json").read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return modules
    say("installing pyodide and wabt from npm into " + str(modules))
    _run(["npm", "install", "--no-audit", "--no-fund", "--no-package-lock"], cwd=share,
         what="installing the npm packages")  # fmt: skip
    stamp.write_text(wanted)
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


def place_pyodide(modules: Path, lite: Path, python: Path) -> str:
    """Copy Pyodide into ``lite/static``, download the kernel's wheels at the lock's
    versions, point the lock's hashes at them; return Pyodide's Python version (``3.14``)."""
    pyodide = lite / "static" / "pyodide"
    pyodide.mkdir(parents=True, exist_ok=True)
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json", "package.json"):  # fmt: skip
        shutil.copy2(modules / "pyodide" / name, pyodide / name)
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    version = ".".join(lock["info"]["python"].split(".")[:2])
    entries = _lock_closure(lock)
    wheels = cache_folder() / "wheels" / f"pyodide-{version}"
    _download(python, wheels, [f"{e['name']}=={e['version']}" for e in entries], version,
              "downloading the kernel's wheels")  # fmt: skip
    for entry in entries:
        wheel = wheels / entry["file_name"]
        if not wheel.exists():
            raise WasiKernelError(f"PyPI has no {entry['file_name']} for Pyodide's lock")
        shutil.copy2(wheel, pyodide / wheel.name)
        entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock))
    return version


def build_site(out: Path, *, say: Callable[[str], None] = print, languages: tuple[str, ...] =
               ("en",), work: Path | None = None) -> Built:  # fmt: skip
    """Build the static site into ``out`` (replaced); see the module's text for what goes in.

    ``languages`` picks the lessons' languages (``en``, ``fr``); ``work`` is the folder the site
    is assembled in (a fresh one in the cache by default).
    """
    from ._notebooks import site_notebooks
    from ._wheel import write_wheel

    out = Path(out).resolve()
    python = tools_python(say)
    modules = npm_packages(say)
    lite = work or cache_folder() / "site-source"
    shutil.rmtree(lite, ignore_errors=True)
    lite.mkdir(parents=True)
    version = place_pyodide(modules, lite, python)
    say("rewriting the notebooks for the browser and precompiling their C and Rust cells")
    files = lite / "files"
    built = Built(out)
    precompiled: dict[str, bytes] = {}
    built.notebooks = site_notebooks(files, languages, precompiled)
    built.precompiled = len(precompiled)
    pypi = lite / "pypi"
    write_wheel(pypi, precompiled)
    _download(python, pypi, list(SITE_WHEELS), version, "downloading the widgets' wheels")
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
    built.size_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return built


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``wasikernel lite build OUT [--fr]``."""
    sub = parser.add_subparsers(dest="lite_command", required=True, metavar="build")
    b = sub.add_parser("build", help="build the static site into OUT (replaced)")
    b.add_argument("out", help="the site's folder (replaced)")
    b.add_argument("--fr", action="store_true", help="the French lessons and gallery too")


def main(args: argparse.Namespace) -> int:
    """Build the site and say what it holds."""
    built = build_site(Path(args.out), languages=("en", "fr") if args.fr else ("en",))
    for path, fate in built.notebooks.items():
        print(f"  {path}: {fate}")
    print(f"{built.out}: {built.size_bytes / 1e6:.1f} MB, {built.precompiled} precompiled "
          f"cells; serve it with: python3 -m http.server 8000 --directory {built.out}")
    return 0
