"""In JupyterLab in a real browser, the WASI kernel's cells are highlighted in the language of
their first line: ``%%python`` as Python, ``%%c`` as C, ``%%rust`` as Rust, any other cell as
WebAssembly text, once ``wasikernel install`` has put the cell-language extension in place.

The server is JupyterLab with the install's ``share/jupyter`` first on ``JUPYTER_PATH`` (a
temporary prefix: the shared environment is left alone), on a port of its own.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from wasikernel import cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
PORT = 18517
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)",
                allow_module_level=True)

CELLS = {
    "wat": '(module (func (export "_start")))',
    "python": "%%python\ndef twice(x):\n    return 2 * x  # a comment\n",
    "c": "%%c\n#include <stdio.h>\nint main(void) { return 0; }\n",
    "rust": "%%rust\nfn main() { let x: u32 = 1; }\n",
}

#: the cell's syntax tree (the language state CodeMirror keeps) as text, read in the page
TREE_JS = """(index) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const view = panel?.content?.widgets[index]?.editor?.editor;  // null until the cell is drawn
  const state = view?.state.values.find((v) => v && v.tree && v.context);
  return state ? state.tree.toString() : "";
}"""


def test_each_cell_is_highlighted_in_the_language_of_its_first_line(tmp_path):
    prefix, root, home = tmp_path / "prefix", tmp_path / "root", tmp_path / "home"
    root.mkdir()
    assert cli.main(["install", "--prefix", str(prefix)]) == 0
    assert (prefix / "share/jupyter/labextensions/wasikernel-cells/package.json").is_file()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "wasi", "display_name": "WASI (WAT, C, Rust)",
                                 "language": "wat"}
    nb.metadata["language_info"] = {"name": "wat", "file_extension": ".wat",
                                    "mimetype": "text/webassembly"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS.values()]
    nbformat.write(nb, root / "cells.ipynb")
    token = secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_PATH": str(prefix / "share/jupyter"),
           "JUPYTER_CONFIG_PATH": str(prefix / "etc/jupyter"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    jupyter = Path(sys.executable).parent / "jupyter"
    home.mkdir()
    with open(home / "lab.log", "wb") as log:
        proc = subprocess.Popen(
            [str(jupyter), "lab", "--no-browser", f"--port={PORT}", "--ip=127.0.0.1",
             f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
             "--ServerApp.allow_root=True", "--LabApp.expose_app_in_browser=True"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
        try:
            base = f"http://127.0.0.1:{PORT}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, \
                        (home / "lab.log").read_text()[-3000:]
                    time.sleep(0.5)
            with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
                config = page.read().decode()
            assert "wasikernel-cells" in config  # JupyterLab found the installed extension
            trees = _trees(f"{base}/lab/tree/cells.ipynb?token={token}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
    wat, python, c, rust = trees
    assert "Module" in wat and "FunctionDefinition" not in wat, wat
    assert python.startswith("Script(") and "FunctionDefinition" in python, python
    assert "Comment" in python
    assert "%" not in python  # the magic line is not read as Python
    assert "FunctionDefinition" in c and "PrimitiveType" in c, c
    assert "FunctionItem" in rust, rust


def _trees(url: str) -> list[str]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content", timeout=60_000)
            trees: list[str] = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                trees = [page.evaluate(TREE_JS, i) for i in range(len(CELLS))]
                if all(trees) and "Script(" in trees[1]:
                    break
                time.sleep(0.5)
            return trees
        finally:
            browser.close()
