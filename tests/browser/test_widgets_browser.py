"""The widgets in a real headless Chromium driving JupyterLab (and Notebook 7).

JupyterLab is served on a free localhost port with a temporary root and a token; the notebook
``widgets.ipynb`` (real runs through ``%load_ext wasikernel``: a C program with a preopen and
refusals shown in all four views linked, a 100,000-call trace, a trap, a step-through run, a
link-time refusal, a 64 MiB memory) is opened, every cell run, and the page checked for what a
person would see. Screenshots land in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TESTS = HERE.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOTEBOOK = "widgets.ipynb"
WASI_NOTEBOOK = "widgets_wasi_kernel.ipynb"
FRENCH_NOTEBOOK = "widgets_fr_wasi_kernel.ipynb"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)",
                allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server: (base url, token, root folder)."""
    with serve_lab(tmp_path_factory, [NOTEBOOK, WASI_NOTEBOOK, FRENCH_NOTEBOOK]) as served:
        yield served


@contextlib.contextmanager
def serve_lab(tmp_path_factory, notebooks, port: int | None = None):
    """Serve JupyterLab on ``port`` (a free one when None) with ``notebooks`` (names of this
    folder's notebooks) in a temporary root; yield (base url, token, root folder)."""
    root = tmp_path_factory.mktemp("labroot")
    home = tmp_path_factory.mktemp("labhome")
    for name in notebooks:
        shutil.copy(HERE / name, root / name)
    # no "get notified about Jupyter news?" toast over the widgets in the screenshots
    notify = home / "settings" / "@jupyterlab" / "apputils-extension"
    notify.mkdir(parents=True)
    (notify / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = port or _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "WASIKERNEL_TEST_DIR": str(TESTS),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    jupyter = Path(sys.executable).parent / "jupyter"
    log = open(home / "lab.log", "wb")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
         "--ServerApp.allow_root=True", "--LabApp.expose_app_in_browser=True",
         "--JupyterNotebookApp.expose_app_in_browser=True", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "JupyterLab did not start:\n" + (home / "lab.log").read_text()[-3000:]
                    ) from None
                time.sleep(0.5)
        yield base, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _reveal(page, locator) -> None:
    """Scroll ``locator`` into view and wait until the browser has drawn it (the notebook
    skips drawing cells off screen, and their text reads as empty until then)."""
    locator.scroll_into_view_if_needed()
    page.wait_for_function("e => e.innerText.trim().length > 0", arg=locator.element_handle(),
                           timeout=30_000)


def _shot(page, name: str, element=None) -> Path:
    """Save a screenshot of ``element`` (whole, however tall) or of the page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    size = page.viewport_size
    if element is not None:
        box = element.bounding_box()
        if box and box["height"] + 200 > size["height"]:  # grow the window to fit it
            page.set_viewport_size({"width": size["width"],
                                    "height": int(box["height"]) + 250})
            element.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
    try:
        (element or page).screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)
    return path


def _run_all(page, app: str = "window.jupyterapp") -> None:
    page.wait_for_function(f"{app} && {app}.commands.hasCommand('notebook:run-all-cells')",
                           timeout=60_000)
    # wait for the kernel before running, or the first cells race its start-up
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        f"""(() => {{ const w = {app}.shell.currentWidget;
              const k = w && w.sessionContext && w.sessionContext.session
                        && w.sessionContext.session.kernel;
              return k && k.status === 'idle'; }})()""",
        timeout=90_000,
    )
    page.evaluate(f"{app}.commands.execute('notebook:run-all-cells')")


def _open_lab(browser, lab, width=1280, height=900):
    base, token, _root = lab
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded")
    _run_all(page)
    page.wait_for_selector(".wk-trace-view .wk-rows .wk-row.wk-refused", timeout=180_000)
    return page


@pytest.fixture(scope="module")
def lab_page(browser, lab):
    page = _open_lab(browser, lab)
    # the last cell (64 MiB memory) has rendered its first rows
    page.wait_for_function(
        "document.querySelectorAll('.wk-memory-view').length >= 2", timeout=180_000)
    yield page
    page.close()


def _call_row(view, name: str):
    """The trace rows of ``view`` whose call is ``name``."""
    return view.locator(".wk-rows .wk-row").filter(
        has=view.page.locator(".wk-call", has_text=re.compile(f"^{name}( \\[\\w+\\])?$")))


def test_trace_shows_rows_and_refusals_with_reasons(lab_page):
    trace = lab_page.locator(".wk-run .wk-trace-view")
    _reveal(lab_page, trace)
    title = trace.locator(".wk-title").inner_text()
    n = int(re.search(r"([\d,]+) WASI calls", title).group(1).replace(",", ""))
    assert "2 refused" in title
    # a short trace: every row drawn, the WASI calls and the path libc refused before any call
    not_calls = trace.locator(".wk-rows .wk-call", has_text=re.compile(r"\[\w+\]$")).count()
    assert not_calls >= 1 and trace.locator(".wk-rows .wk-row").count() == n + not_calls
    refused = trace.locator(".wk-rows .wk-row.wk-refused")
    assert refused.count() == 2
    texts = refused.all_inner_texts()
    assert any("libc_path_refused" in t and "/etc/passwd" in t for t in texts)
    assert any("out.txt" in t and "refused" in t for t in texts)
    # refusals are drawn in the theme's error colour
    plain = _call_row(trace, "fd_write").first.evaluate("e => getComputedStyle(e).color")
    assert refused.first.evaluate("e => getComputedStyle(e).color") != plain
    _shot(lab_page, "lab-trace.png", trace)


def test_clicking_a_row_highlights_its_bytes_and_its_edge(lab_page):
    run = lab_page.locator(".wk-run").first
    _call_row(run.locator(".wk-trace-view"), "fd_write").last.click()
    lab_page.wait_for_function(  # highlighted, and the page under it has arrived
        "[...document.querySelectorAll('.wk-run .wk-memory-view .wk-asc .wk-b.wk-hl')]"
        ".map(e => e.textContent).join('').includes('hello from wasm')", timeout=30_000)
    memory = run.locator(".wk-memory-view")
    assert "fd_write" in memory.locator(".wk-hl-label").inner_text()
    detail = run.locator(".wk-trace-view .wk-detail")
    assert "hello from wasm, 2 args" in detail.inner_text()
    edge = run.locator(".wk-sandbox-view g.wk-selected")
    edge.wait_for(timeout=30_000)
    assert edge.get_attribute("id") == "edge-stdout"
    _shot(lab_page, "lab-linked-fd_write.png", run)


def test_a_refused_row_selects_its_red_edge_and_the_path_bytes(lab_page):
    run = lab_page.locator(".wk-run").first
    _call_row(run.locator(".wk-trace-view"), "libc_path_refused").first.click()
    lab_page.wait_for_function(
        "document.querySelector('.wk-run .wk-sandbox-view g.wk-selected')?.id "
        "=== 'edge-outside-refused'", timeout=30_000)
    edge = run.locator(".wk-sandbox-view g.wk-selected")
    assert edge.locator("path").first.get_attribute("stroke") == "#d93025"
    assert "refused" in run.locator(".wk-trace-view .wk-detail").inner_text()
    lab_page.wait_for_function(
        "[...document.querySelectorAll('.wk-run .wk-memory-view .wk-asc .wk-b.wk-hl')]"
        ".map(e => e.textContent).join('') === '/etc/passwd'", timeout=30_000)


def test_sandbox_diagram_has_red_refused_edges(lab_page):
    sandbox = lab_page.locator(".wk-run .wk-sandbox-view")
    _reveal(lab_page, sandbox)
    assert sandbox.locator("svg g[id='edge-outside-refused'] path[stroke='#d93025']").count()
    assert sandbox.locator("svg g[id='edge-preopen0-refused'] path[stroke='#d93025']").count()
    labels = sandbox.locator("svg g.wk-refused text").all_text_contents()
    assert any("refused" in t for t in labels)
    assert sandbox.locator("tr.wk-refused").count() == 2
    assert "/data" in sandbox.locator("svg g[id='node-preopen0']").text_content()
    _shot(lab_page, "lab-sandbox.png", sandbox)


def test_link_time_refusals_are_drawn(lab_page):
    view = lab_page.locator(".wk-sandbox-view").nth(1)
    _reveal(lab_page, view)
    assert "sock_open" in view.locator("svg").text_content()
    assert view.locator("svg g[id='edge-link-0'] path[stroke='#d93025']").count() == 1


def test_memory_view_shows_regions_and_the_diff(lab_page):
    memory = lab_page.locator(".wk-run .wk-memory-view")
    _reveal(lab_page, memory)
    assert "wasm pages" in memory.locator(".wk-title").inner_text()
    regions = memory.locator(".wk-region").all_inner_texts()
    assert [r.split(" 0x")[0] for r in regions] == ["shadow stack", "static data", "heap"]
    memory.locator(".wk-region", has_text="static data").click()
    lab_page.wait_for_function(
        "document.querySelector('.wk-run .wk-memory-view').dataset.top === String(0x1000000)")
    assert memory.locator(".wk-hex .wk-b.wk-r-data").count() > 0
    memory.locator(".wk-next-change").click()
    lab_page.wait_for_function(
        "document.querySelector('.wk-run .wk-memory-view .wk-b.wk-changed') !== null",
        timeout=30_000)
    _shot(lab_page, "lab-memory-diff.png", memory)


def test_64_mib_memory_arrives_a_page_at_a_time(lab_page):
    memory = lab_page.locator(".wk-memory-view").nth(1)
    _reveal(lab_page, memory)
    assert "67,108,864 bytes (1024 wasm pages)" in memory.locator(".wk-title").inner_text()
    memory.locator(".wk-goto").fill("0x3fffff0")
    memory.locator(".wk-goto").press("Enter")
    last = "[...document.querySelectorAll('.wk-memory-view')][1]"
    lab_page.wait_for_function(  # the last screen: its bottom row is the last 16 bytes
        f"[...{last}.querySelectorAll('.wk-addr')].at(-1)?.textContent === '03fffff0'",
        timeout=30_000)
    lab_page.wait_for_function(  # the last page arrived
        f"![...{last}.querySelectorAll('.wk-hex .wk-b')].some(e => e.textContent === '··')",
        timeout=30_000)
    changed = memory.locator(".wk-hex .wk-b.wk-changed").all_inner_texts()
    assert changed == ["2a"] * 4  # the i32.store of 0x2a2a2a2a at the end of memory
    first_paint = memory.get_attribute("data-first-paint-ms")
    assert first_paint is not None
    SHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SHOTS.parent / "memory-first-paint-ms.txt").write_text(first_paint + "\n")


def test_big_trace_scrolls_through_100000_rows(lab_page):
    trace = lab_page.locator(".wk-trace-view").nth(1)
    _reveal(lab_page, trace)
    title = trace.locator(".wk-title").inner_text()
    n = int(re.search(r"([\d,]+) WASI calls", title).group(1).replace(",", ""))
    assert "1,030 refused" in title
    rows = n + 1_030  # the WASI calls, and each open libc refused before making one
    assert rows > 100_000
    assert trace.locator(".wk-rows .wk-row").count() < 100  # only what is on screen
    trace.locator(".wk-scroller").evaluate("e => { e.scrollTop = e.scrollHeight; }")
    trace.locator(f".wk-rows .wk-row[data-index='{rows - 1}']").wait_for(timeout=30_000)
    assert not trace.locator(f".wk-rows .wk-row[data-index='{rows}']").count()
    trace.locator(".wk-refused-only").check()
    lab_page.wait_for_function(
        "[...document.querySelectorAll('.wk-trace-view')][1].querySelector('.wk-shown')"
        "?.textContent.startsWith('1,030 shown')", timeout=30_000)
    rows = trace.locator(".wk-rows .wk-row")
    rows.first.wait_for()
    assert rows.count() == trace.locator(".wk-rows .wk-row.wk-refused").count()
    assert "/etc/hostname" in rows.first.inner_text()
    _shot(lab_page, "lab-trace-100k-refused.png", trace)


def test_stack_views_show_backtrace_and_steps(lab_page):
    trapped = lab_page.locator(".wk-stack-view").nth(1)
    _reveal(lab_page, trapped)
    assert "integer divide by zero" in trapped.inner_text()
    assert "divide" in trapped.locator("tbody tr").first.inner_text()
    stepper = lab_page.locator(".wk-stack-view").nth(2)
    _reveal(lab_page, stepper)
    steps = int(re.search(r"step 1 of (\d+)", stepper.inner_text()).group(1))
    assert steps > 5
    for _ in range(5):
        stepper.locator("button[title='one step']").click()
    stepper.locator(".wk-step", has_text=f"step 6 of {steps}").wait_for(timeout=30_000)
    stepper.locator(".wk-instr", has_text="i32.add").wait_for(timeout=30_000)
    # the instruction's offset reads in hexadecimal, as the backtrace's and the trace's do
    assert re.search(r"@0x[0-9a-f]+ ", stepper.locator(".wk-instr").inner_text())
    operands = stepper.locator(".wk-panel").first.locator("tbody tr").all_inner_texts()
    assert [t.split()[-1] for t in operands] == ["3", "2"]  # top first
    assert "add" in stepper.locator(".wk-panel").nth(2).inner_text()
    stepper.locator("button[title='back one step']").click()
    stepper.locator(".wk-instr", has_text="local.get 1").wait_for(timeout=30_000)
    _shot(lab_page, "lab-stack-stepper.png", stepper)
    stepper.locator("button[title='play']").click()  # plays to the last step, then stops
    stepper.locator(".wk-step", has_text=f"step {steps} of {steps}").wait_for(timeout=30_000)
    stepper.locator("button[title='play']").wait_for(timeout=30_000)


def test_toggling_a_capability_reruns_and_redraws(lab_page):
    sandbox = lab_page.locator(".wk-run .wk-sandbox-view")
    _reveal(lab_page, sandbox)
    sandbox.locator("input[data-key='preopen:0']").uncheck()
    sandbox.locator(".wk-status", has_text="re-ran").wait_for(timeout=60_000)
    assert sandbox.locator("svg g[id='node-preopen0']").count() == 0
    # without the preopen, libc refuses /data/notes.txt too: the trace follows the new run
    lab_page.wait_for_function(
        "document.querySelector('.wk-run .wk-trace-view .wk-title').textContent"
        ".includes('3 refused')", timeout=30_000)
    lab_page.wait_for_function(
        "[...document.querySelectorAll('.wk-run .wk-trace-view .wk-row.wk-refused')]"
        ".some(e => e.textContent.includes('/data/notes.txt'))", timeout=30_000)
    _shot(lab_page, "lab-sandbox-without-preopen.png", sandbox)
    sandbox.locator("input[data-key='preopen:0']").check()
    sandbox.locator("svg g[id='node-preopen0']").wait_for(timeout=60_000)


def test_whole_notebook_light_and_dark(lab_page):
    lab_page.locator(".jp-Notebook .jp-Cell").first.scroll_into_view_if_needed()
    _shot(lab_page, "lab-light.png")
    lab_page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', "
        "{theme: 'JupyterLab Dark'})")
    lab_page.wait_for_function("document.body.dataset.jpThemeLight === 'false'",
                               timeout=30_000)
    lab_page.wait_for_timeout(500)
    run = lab_page.locator(".wk-run").first
    text = run.locator(".wk-trace-view .wk-row").first.evaluate(
        "e => getComputedStyle(e).color")
    bg = run.locator(".wk-trace-view").evaluate("e => getComputedStyle(e).backgroundColor")
    assert _luminance(text) > 0.5 > _luminance(bg)  # light text on a dark background
    _shot(lab_page, "lab-dark-run.png", run)
    lab_page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', "
        "{theme: 'JupyterLab Light'})")


def _luminance(css: str) -> float:
    nums = [float(x) for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
    return (0.2126 * nums[0] + 0.7152 * nums[1] + 0.0722 * nums[2]) / 255


def test_the_notebook_opens_in_notebook_7(browser, lab):
    base, token, root = lab
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(f"{base}/tree?token={token}", wait_until="domcontentloaded")
        page.locator(f"text={NOTEBOOK}").first.wait_for(timeout=60_000)
        page.goto(f"{base}/notebooks/{NOTEBOOK}", wait_until="domcontentloaded")
        _run_all(page)
        page.wait_for_selector(".wk-run .wk-trace-view .wk-row.wk-refused", timeout=180_000)
        run = page.locator(".wk-run").first
        _call_row(run.locator(".wk-trace-view"), "fd_write").last.click()
        page.wait_for_function(
            "document.querySelector('.wk-run .wk-sandbox-view g.wk-selected')?.id "
            "=== 'edge-stdout'", timeout=30_000)
        page.wait_for_function(
            "[...document.querySelectorAll('.wk-run .wk-memory-view .wk-asc .wk-b.wk-hl')]"
            ".map(e => e.textContent).join('').includes('hello from wasm')", timeout=30_000)
        _shot(page, "notebook7-run.png", run)
    finally:
        page.close()
    # the notebook on disk is still the one the test copied (nothing saved over it)
    assert json.loads((root / NOTEBOOK).read_text())["cells"]


def test_the_views_work_under_the_wasi_kernel(browser, lab):
    base, token, _root = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        # a workspace of its own, so the other notebook's tab is not restored beside it
        page.goto(f"{base}/lab/workspaces/wasi-kernel/tree/{WASI_NOTEBOOK}?token={token}",
                  wait_until="domcontentloaded")
        _run_all(page)
        page.wait_for_selector(".wk-run .wk-trace-view .wk-rows .wk-row", timeout=120_000)
        run = page.locator(".wk-run").first
        _call_row(run.locator(".wk-trace-view"), "fd_write").first.click()
        page.wait_for_function(
            "document.querySelector('.wk-run .wk-sandbox-view g.wk-selected')?.id "
            "=== 'edge-stdout'", timeout=30_000)
        page.wait_for_function(
            "[...document.querySelectorAll('.wk-run .wk-memory-view .wk-asc .wk-b.wk-hl')]"
            ".map(e => e.textContent).join('').includes('hi from the WASI kernel')",
            timeout=30_000)
        assert "WASI" in page.locator(".jp-KernelName, .jp-Toolbar-kernelName").first.inner_text()
        _shot(page, "lab-wasi-kernel-run.png", run)
    finally:
        page.close()


def test_the_views_speak_french_after_sandbox_lang_fr(browser, lab):
    base, token, _root = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/lab/workspaces/wasi-fr/tree/{FRENCH_NOTEBOOK}?token={token}",
                  wait_until="domcontentloaded")
        _run_all(page)
        page.wait_for_selector(".wk-run .wk-trace-view .wk-rows .wk-row", timeout=120_000)
        run = page.locator(".wk-run").first
        _reveal(page, run.locator(".wk-trace-view .wk-title"))
        assert run.locator(".wk-trace-view .wk-title").inner_text() == (
            "Trace des appels système : 1 appel WASI, 0 refusé")
        assert "appel" in run.locator(".wk-trace-view .wk-head").inner_text()
        _reveal(page, run.locator(".wk-memory-view .wk-title"))
        memory = run.locator(".wk-memory-view .wk-title").inner_text()
        assert memory.startswith("Mémoire linéaire : ") and memory.endswith("octets (1 page wasm)")
        assert run.locator(".wk-sandbox-view .wk-title").inner_text() == (
            "Frontière du bac à sable")
        assert "Rien n'a été refusé." in run.locator(".wk-sandbox-view").inner_text()
        _reveal(page, run.locator(".wk-stack-view .wk-title"))
        assert run.locator(".wk-stack-view .wk-title").inner_text() == "Pile"
        _shot(page, "lab-wasi-kernel-french.png", run)
    finally:
        page.close()
