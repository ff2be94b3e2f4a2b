"""The static site (``wasikernel lite build``) in a real headless Chromium, offline.

The site is built once (kept in ``test-artifacts/lite-site`` and rebuilt only when the package,
the notebooks or the pinned npm packages change), served on 127.0.0.1, and lessons 0, 2, 3 and 7
are opened in JupyterLite's Python (Pyodide) kernel; every cell runs, and the page is checked for
what a learner would see: the guest's output, the run summary naming the browser's engine, the
trace and memory widgets, the refusals of lesson 3 and the exercises' feedback; lesson 7's
browser version times the browser's engine against the stepper live and shows the server's
tables. Every request the page makes must go to 127.0.0.1. Screenshots land in
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "test-artifacts" / "lite-site"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
#: the ports the site may be served on (the first free one is taken)
PORTS = range(*(int(p) + i for i, p in enumerate(
    os.environ.get("WASIKERNEL_TEST_PORTS", "18600-18699").split("-"))))  # fmt: skip

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def site() -> Path:
    """The built site (built now when its inputs changed since the last build); skips, naming
    what is missing, when the build would have to reach a registry."""
    from wasikernel.lite.build import inputs_digest, kept_site, missing_inputs

    stamp = SITE / ".inputs"
    if not (stamp.exists() and stamp.read_text() == inputs_digest()):
        missing = missing_inputs()
        if missing:
            pytest.skip("the static site cannot be built offline: missing "
                        + "; ".join(missing) + " (bash scripts/test.sh or bash scripts/site.sh "
                        "brings them in from PyPI and npm)")
    return kept_site(SITE, say=lambda line: None)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _server(directory: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Quiet, directory=str(directory))
    for port in PORTS:
        try:
            return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            continue
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1} (WASIKERNEL_TEST_PORTS)")


@pytest.fixture(scope="module")
def served(site):
    """The site served on 127.0.0.1: its base URL."""
    server = _server(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def chromium():
    """One Chromium for the three lessons; ``chromium.requests`` lists every URL asked for."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        browser.requests = []  # type: ignore[attr-defined]
        yield browser
        browser.close()


def _run_lesson(browser, base: str, notebook: str) -> list[str]:
    """Open ``notebook`` in a fresh profile (JupyterLite keeps its open tabs in the browser's
    storage), run every cell, wait for the last; return each code cell's outputs and, last,
    what the widgets drew."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    context.on("request", lambda r: browser.requests.append(r.url))
    page = context.new_page()
    page.goto(f"{base}/lab/index.html?path={notebook}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
    page.wait_for_function("() => /Pyodide\\)\\s*\\|\\s*Idle/.test(document.body.innerText)",
                           timeout=120_000)  # fmt: skip
    page.click(".jp-Notebook")
    page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=10_000)
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')", timeout=10_000)
    prompts = ".jp-CodeCell .jp-InputPrompt"
    page.wait_for_function(
        f"""() => {{ const p = [...document.querySelectorAll('{prompts}')];
                   return p.length && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }}""",
        timeout=240_000,
    )
    outputs = page.evaluate(
        """() => [...document.querySelectorAll('.jp-CodeCell')].map(c =>
             [...c.querySelectorAll('.jp-OutputArea-output')]
               .map(o => o.textContent).join('\\n'))"""
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    first = page.locator(".wk-trace-view, .wk-memory-view, .wk-sandbox-view").first
    if first.count():
        first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"lite-{Path(notebook).stem}.png"))
    drawn = page.evaluate(
        """() => { const n = s => [...document.querySelectorAll(s)]
                     .filter(e => e.getBoundingClientRect().height > 20).length;
                   return {trace: n('.wk-trace-view'), memory: n('.wk-memory-view'),
                           sandbox: n('.wk-sandbox-view svg')}; }"""
    )
    context.close()
    return [*outputs, "widgets: {trace} trace, {memory} memory, {sandbox} sandbox".format(**drawn)]


def _no_traceback(outputs: list[str]) -> None:
    for i, text in enumerate(outputs):
        assert "Traceback" not in text and "Error" not in text.split("\n", 1)[0], (i, text)


def test_lesson_0_runs_in_the_browser(chromium, served):
    outputs = _run_lesson(chromium, served, "lessons/en/00-getting-started.ipynb")
    _no_traceback(outputs[:-1])
    text = "\n".join(outputs)
    assert outputs[2].startswith("Hello, WASI!\n") and "exit 0" in outputs[2]
    assert "· browser" in outputs[2]  # the browser's own engine ran it
    assert 'fd_write(fd=1, iovs="Hello, WASI!\\n") = success [nwritten=13]' in text
    c_cell = next(o for o in outputs if "fd_fdstat_get" in o)  # the precompiled C cell
    assert "Hello, WASI!" in c_cell and "exit 0" in c_cell
    assert "stdout   : b'Hello, WASI!\\n'" in text  # run_source in a Python cell
    assert "exit 3" in text and "not the code the exercise asks for" in text
    assert "widgets: 1 trace, 1 memory" in outputs[-1]


def test_lesson_2_runs_in_the_browser(chromium, served):
    outputs = _run_lesson(chromium, served, "lessons/en/02-hello-wasi.ipynb")
    _no_traceback(outputs[:-1])
    text = "\n".join(outputs)
    assert "Hello, WASI!" in outputs[2] and "· browser" in outputs[2]
    assert "its bytes: b'Hello, WASI!\\n'" in text and "nwritten : 13" in text
    assert "Linear memory: 65,536 bytes" in text
    assert "widgets: 0 trace, 1 memory" in outputs[-1]


def test_lesson_3_runs_in_the_browser_with_its_refusals(chromium, served):
    outputs = _run_lesson(chromium, served, "lessons/en/03-sandbox.ipynb")
    text = "\n".join(outputs)
    assert "the module imports env.system (func), which this host does not provide" in text
    assert "memory access out of bounds" in text
    assert "notsock" in text and "exit 57" in text
    assert "fopen /etc/passwd: No such file or directory" in text  # the precompiled C cell
    assert "the C library refused /etc/passwd" in text
    assert "path_open" in text and 'path="notes.txt"' in text  # the data folder, in memory
    assert "Traceback" not in text
    # %sandbox show 4: the four runs' boundary, drawn without graphviz's dot (a browser has none)
    assert "1 sandbox" in outputs[-1] and "4 runs together" in text
    assert "import env.system" in text and "paths outside the preopens" in text


OWN_C = """%%c
#include <stdio.h>
int main(void) {
    puts("compiled in this page");
    return 4;
}"""
RUNAWAY_WAT = """%%wat --timeout 1
(module (func (export "_start") (loop $forever (br $forever))))"""
BROKEN_C = """%%c
int main(void) {
    return undeclared_name;
}"""


def test_a_c_cell_of_ones_own_compiles_in_the_page(chromium, served):
    """A C cell the site did not precompile: clang (npm's @yowasp/clang) is fetched from the
    site on the first such cell and compiles it in the page; its errors keep the cell's lines.
    Between them, a guest in an infinite loop is stopped by its time limit (what stops a
    runaway guest in the browser: JupyterLite's stop button does not reach it)."""
    import urllib.parse

    from wasikernel.lite._notebooks import SETUP_CELL

    query = urllib.parse.urlencode([("kernel", "python"), ("code", SETUP_CELL), ("code", OWN_C),
                                    ("code", RUNAWAY_WAT), ("code", BROKEN_C)])  # fmt: skip
    context = chromium.new_context(viewport={"width": 1300, "height": 1000})
    context.on("request", lambda r: chromium.requests.append(r.url))
    page = context.new_page()
    page.goto(f"{served}/repl/index.html?{query}")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".some(o => o.textContent.includes('undeclared_name'))", timeout=300_000)  # fmt: skip
    text = "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())
    page.screenshot(path=str(SHOTS / "lite-own-c-cell.png"))
    context.close()
    assert "fetching clang" in text  # said once, as it starts
    assert "compiled in this page" in text and "exit 4" in text and "· browser" in text
    assert "cell.c:2:12: error: use of undeclared identifier 'undeclared_name'" in text
    assert "the run took longer than 1 s and was stopped" in text  # and the next cell ran
    assert "Traceback" not in text


def test_lesson_7_times_the_browsers_engine_against_the_stepper(chromium, served):
    """Lesson 7's browser version: the live cell prints the ratio of the stepper to the
    browser's engine (start-up and a compute-bound loop), and the server's tables are shown as
    data with the date they were measured."""
    import re

    outputs = _run_lesson(chromium, served, "lessons/en/07-choosing-a-runtime.ipynb")
    _no_traceback(outputs[:-1])
    text = "\n".join(outputs)
    startup = re.search(r"start-up, whole run : browser +([\d.]+) ms +stepper +([\d.]+) ms +"
                        r"stepper / browser ([\d.]+)x", text)  # fmt: skip
    per_round = re.search(r"work\(n\), per round  : browser +([\d.]+) ns +stepper +(\d+) ns +"
                          r"stepper / browser (\d+)x", text)  # fmt: skip
    assert startup and per_round, text
    assert all(float(v) > 0 for v in (*startup.groups(), *per_round.groups()))
    assert re.search(r"measured on \d{4}-\d\d-\d\d \d\d:\d\d UTC on the build machine", text)
    for table in ("start-up, whole run\n", "peak memory of a whole run", "escape routes",
                  "WASI test suite"):  # fmt: skip
        assert table in text
    assert "native process (gcc -O2)" in text and "dotdot-read" in text



def test_every_request_stayed_on_127_0_0_1(chromium, served):
    asked = chromium.requests
    assert asked, "the lessons made no request at all"
    outside = [u for u in asked if not u.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    assert not outside, outside[:10]
