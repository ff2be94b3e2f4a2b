"""What a C cell became and the cell stepped by source line, in a real headless Chromium
driving JupyterLab.

The notebook ``compiled_wasi_kernel.ipynb`` runs, under the WASI kernel, a C cell with
``--wat`` (the compiled-code view: its source beside its WAT) and the same cell under the
stepper with the linked views. The page is checked for what a learner sees: clicking a source
line highlights its instructions in its colour and clicking an instruction its line; the stack
view steps by source line forwards, into a call and back, with the source line marked, the
shadow stack and the memory view following. JupyterLab is served on a port of 18600-18699.
"""

from __future__ import annotations

import socket

import pytest
from test_widgets_browser import _reveal, _run_all, _shot, browser, serve_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "compiled_wasi_kernel.ipynb"
__all__ = ["browser"]  # the fixture, shared with the widgets' browser tests


def _port_in(low: int, high: int) -> int:
    """The first port of ``low``..``high`` free on the loopback."""
    for port in range(low, high + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {low}-{high}")


def test_compiled_code_view_and_stepping_by_source_line(browser, tmp_path_factory):
    with serve_lab(tmp_path_factory, [NOTEBOOK], port=_port_in(18600, 18699)) as lab:
        base, token, _root = lab
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            page.goto(f"{base}/lab/workspaces/compiled/tree/{NOTEBOOK}?token={token}",
                      wait_until="domcontentloaded")
            _run_all(page)
            _check_the_views(page)
        finally:
            page.close()


def _check_the_views(page) -> None:
    view = page.locator(".wk-compiled-view").first
    view.wait_for(timeout=300_000)  # zig may build its libc first on a fresh machine
    _reveal(page, view.locator(".wk-title"))
    assert view.locator(".wk-title").inner_text().startswith("What cell.c became: 2 functions")
    # a source line and its instructions share a colour; clicking the line selects them
    view.locator(".wk-src-line[data-line='4']").click()
    page.wait_for_function(
        "document.querySelector('.wk-compiled-view').dataset.selected === '4'",
        timeout=30_000)
    chosen = view.locator(".wk-wat .wk-row.wk-sel").all_inner_texts()
    assert any(t.strip() == "i32.mul" for t in chosen)
    assert any("cell.c:4" in t for t in chosen)
    colour = view.locator(".wk-src-line[data-line='4']").get_attribute("class")
    assert view.locator(".wk-wat .wk-row.wk-sel").first.get_attribute("class").split()[2] \
        in colour.split()
    # and back: clicking an instruction selects its source line
    view.locator(".wk-wat .wk-row", has_text="call $square").click()
    page.wait_for_function(
        "document.querySelector('.wk-compiled-view').dataset.selected === '11'",
        timeout=30_000)
    assert "total += square(i);" in view.locator(".wk-src .wk-row.wk-sel").inner_text()
    _shot(page, "lab-compiled-view.png", view)

    stepper = page.locator(".wk-run .wk-stack-view").first
    stepper.locator(".wk-by-line").wait_for(timeout=300_000)
    _reveal(page, stepper)
    assert stepper.locator(".wk-by-line").is_checked()
    stepper.locator(".wk-step", has_text="line step 1 of 23 · cell.c:8").wait_for(
        timeout=30_000)
    for k, line in ((2, 9), (3, 10), (4, 11)):  # one click at a time: each waits for its line
        stepper.locator("button[title='one source line']").click()
        stepper.locator(".wk-step", has_text=f"line step {k} of 23 · cell.c:{line}").wait_for(
            timeout=30_000)
    assert "total += square(i);" in stepper.locator(".wk-source .wk-current").inner_text()
    stepper.locator("button[title='one source line']").click()  # into square
    stepper.locator(".wk-step", has_text="cell.c:3").wait_for(timeout=30_000)
    stepper.locator(".wk-instr", has_text="square").wait_for(timeout=30_000)
    stepper.locator("button[title='back one line']").click()  # and back, from the history
    stepper.locator(".wk-step", has_text="line step 4 of 23 · cell.c:11").wait_for(
        timeout=30_000)
    # the shadow stack and the memory view follow the line on screen
    assert "shadow stack, from the stack pointer 0xfffff0 up" in stepper.inner_text()
    memory = page.locator(".wk-run .wk-memory-view").first
    memory.locator(".wk-hl-label", has_text="before cell.c:11").wait_for(timeout=30_000)
    _shot(page, "lab-stepper-by-line.png", stepper)
