"""The views of a component's run (WASI 0.2) in a real headless Chromium driving JupyterLab.

The notebook ``component_wasi_kernel.ipynb`` runs, under the WASI kernel, a WAT cell holding a
``(component ...)`` that asks its preopen for two paths outside it through
``wasi:filesystem``'s ``open-at``, then ``%wit``. The page is checked for what a learner sees:
WIT names and two refused rows in the trace, the refused row's red edge in the sandbox diagram
(whose host serves ``wasi:cli/command``), the memory view saying why a component has none to
show, and the world with its grants. JupyterLab is served on a port of 18200-18299.
"""

from __future__ import annotations

import re
import socket

import pytest
from test_widgets_browser import _call_row, _reveal, _run_all, _shot, browser, serve_lab

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "component_wasi_kernel.ipynb"
OPEN_AT = "wasi:filesystem/types@0.2.12#[method]descriptor.open-at"
SHORT_OPEN_AT = "descriptor.open-at"  # the table's column; the whole WIT name is its title
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


@pytest.fixture(scope="module")
def component_page(browser, tmp_path_factory):
    with serve_lab(tmp_path_factory, [NOTEBOOK], port=_port_in(18200, 18299)) as lab:
        base, token, _root = lab
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/lab/workspaces/component/tree/{NOTEBOOK}?token={token}",
                  wait_until="domcontentloaded")  # fmt: skip
        _run_all(page)
        page.wait_for_selector(".wk-run .wk-trace-view .wk-rows .wk-row.wk-refused",
                               timeout=180_000)  # fmt: skip
        page.wait_for_selector("pre.wasikernel-wit", timeout=120_000)
        try:
            yield page
        finally:
            page.close()


def test_the_trace_shows_wit_names_and_the_refused_open_at_calls(component_page):
    trace = component_page.locator(".wk-run .wk-trace-view")
    _reveal(component_page, trace)
    assert "2 refused" in trace.locator(".wk-title").inner_text()
    refused = trace.locator(".wk-rows .wk-row.wk-refused")
    assert refused.count() == 2
    texts = refused.all_inner_texts()
    assert all(SHORT_OPEN_AT in t for t in texts)
    titles = {refused.nth(i).locator(".wk-call").get_attribute("title") for i in range(2)}
    assert titles == {OPEN_AT}
    assert any("../outside/secret.txt" in t for t in texts)
    assert any("/etc/passwd" in t for t in texts)
    _shot(component_page, "lab-component-trace.png", trace)


def test_a_refused_row_shows_its_abi_and_selects_its_red_edge(component_page):
    run = component_page.locator(".wk-run").first
    _call_row(run.locator(".wk-trace-view"), re.escape(SHORT_OPEN_AT)).first.click()
    component_page.wait_for_function(
        "document.querySelector('.wk-run .wk-sandbox-view g.wk-selected')?.id "
        "=== 'edge-outside-refused'", timeout=30_000)
    detail = run.locator(".wk-trace-view .wk-detail")
    detail.locator(".wk-detail-head", has_text="abi: p2").wait_for(timeout=30_000)
    assert OPEN_AT in detail.locator(".wk-detail-head").inner_text()  # the whole name here
    assert "outside every directory granted" in detail.inner_text()
    edge = run.locator(".wk-sandbox-view g.wk-selected")
    assert edge.locator("path").first.get_attribute("stroke") == "#d93025"


def test_the_sandbox_diagram_shows_the_interfaces_and_the_refusal(component_page):
    sandbox = component_page.locator(".wk-run .wk-sandbox-view")
    _reveal(component_page, sandbox)
    assert "wasi:cli/command@0.2.12" in sandbox.locator("svg g[id='node-host']").text_content()
    preopen = sandbox.locator("svg g[id='node-preopen0']").text_content()
    assert "filesystem/preopens" in preopen
    assert sandbox.locator("svg g[id='edge-outside-refused'] path[stroke='#d93025']").count()
    assert "descriptor.open-at" in sandbox.locator("svg").text_content()
    _shot(component_page, "lab-component-sandbox.png", sandbox)


def test_the_memory_view_says_why_a_component_has_no_memory_to_show(component_page):
    memory = component_page.locator(".wk-run .wk-memory-view")
    _reveal(component_page, memory)
    memory.locator(".wk-note", has_text="keeps its linear memory to itself").wait_for(
        timeout=30_000)


def test_wit_shows_the_world_with_each_import_granted(component_page):
    world = component_page.locator("pre.wasikernel-wit")
    _reveal(component_page, world)
    text = world.inner_text()
    assert "import wasi:filesystem/preopens@0.2.12;" in text
    assert "granted: folder /" in text
    assert world.locator(".wk-wit-granted").count() == 2
    assert world.locator(".wk-wit-refused").count() == 0
    _shot(component_page, "lab-component-wit.png", world)
