"""The static site (``wasikernel lite build``) in headless Chromium: its size, the time to the
first output, and what a traced WASI call costs in the browser.

* Size: every file of the site, and the same files gzip-compressed (what a server that
  compresses sends), against the Pyodide runtime the site carries (``static/pyodide``); and
  what a page fetches until it first compiles a C cell (all but clang, ``static/clang``).
* Time to first output: lesson 0 opened in a fresh browser profile, every cell run, until the
  guest's ``Hello, WASI!`` shows, against a plain ``print`` in the same site's REPL (Pyodide's
  own start, without our package, wabt.js or the lesson).
* A traced ``fd_write`` in the browser: a guest loop calling ``fd_write`` through our host on
  the browser's engine (``run(..., engine="browser")``, the trace kept), against the same loop
  calling an empty Python import, through the same JavaScript thunk and ``create_proxy``, in the
  same module rewritten with the same deadline checks. Each figure is a difference of two loop
  lengths, so the start and end of a run cancel out.

The site is the one the browser test keeps (``test-artifacts/lite-site``, rebuilt when its
inputs change); without its inputs (``wasikernel lite fetch``) or Chromium it says so and adds
no row. It is served on 127.0.0.1 on the first free port of ``WASIKERNEL_BENCH_PORTS``
(``18600-18699``).

    python benchmarks/run.py lite
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from harness import Row

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "test-artifacts" / "lite-site"
CHROMIUM = "/usr/bin/chromium"
LESSON = "lessons/en/00-getting-started.ipynb"
SHORT, LONG = 2_000, 22_000  # loop lengths: a call's cost is the difference over LONG - SHORT
ROUNDS = 3
MARK = "WKBENCH "

#: the REPL cells that measure a traced fd_write against an empty import (Python, in Pyodide)
CALLS_CODE = """
import json, statistics, time
import js
from pyodide.ffi import create_proxy, to_js
from wasikernel.compile import compile_source
from wasikernel.engines import run
from wasikernel.engines.browser import BUDGET, _js
from wasikernel.wasm import DEADLINE_MODULE, DEADLINE_NAME, with_deadline_checks

def loop(module, name, n):
    return f'''(module
  (import "{module}" "{name}" (func $f (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\\\\10\\\\00\\\\00\\\\00\\\\01\\\\00\\\\00\\\\00") (data (i32.const 16) "x")
  (func (export "_start") (local $i i32)
    (loop $l
      (drop (call $f (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))))'''

def traced(n):
    wasm = compile_source("wat", loop("wasi_snapshot_preview1", "fd_write", n)).wasm
    start = time.perf_counter()
    result = run(wasm, engine="browser")
    took = time.perf_counter() - start
    assert len(result.trace.events) == n and result.stdout == b"x" * n, result.outcome
    return took

def empty(n):
    wasm = with_deadline_checks(compile_source("wat", loop("env", "nothing", n)).wasm, BUDGET)
    pieces = _js()
    proxy = create_proxy(lambda *args: 0)
    tick = create_proxy(lambda: BUDGET)
    table = js.Object.new()
    env, deadline = js.Object.new(), js.Object.new()
    js.Reflect.set(env, "nothing", pieces["thunk"](proxy))
    js.Reflect.set(deadline, DEADLINE_NAME, tick)
    js.Reflect.set(table, "env", env)
    js.Reflect.set(table, DEADLINE_MODULE, deadline)
    start = time.perf_counter()
    instance = js.WebAssembly.Instance.new(js.WebAssembly.Module.new(to_js(wasm)), table)
    instance.exports._start()
    took = time.perf_counter() - start
    proxy.destroy()
    tick.destroy()
    return took

def per_call(measure):
    longs = [measure(LONG) for _ in range(ROUNDS)]
    shorts = [measure(SHORT) for _ in range(ROUNDS)]
    return (statistics.median(longs) - statistics.median(shorts)) / (LONG - SHORT)

traced(100), empty(100)  # warm: the first WAT cell, the first run
print(MARK + json.dumps({"traced": per_call(traced), "empty": per_call(empty)}))
"""


def missing() -> list[str]:
    """What keeps this benchmark from running here."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("playwright (the [test] extra)")
    if not Path(CHROMIUM).exists():
        problems.append("Debian's chromium")
    if not (SITE / ".inputs").exists():
        from wasikernel.lite.build import missing_inputs

        problems += missing_inputs()
    return problems


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _serve(site: Path) -> http.server.ThreadingHTTPServer:
    first, last = map(int, os.environ.get("WASIKERNEL_BENCH_PORTS", "18600-18699").split("-"))
    handler = functools.partial(_Quiet, directory=str(site))
    for port in range(first, last + 1):
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            continue
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
    raise RuntimeError(f"no free port in {first}-{last} (WASIKERNEL_BENCH_PORTS)")


def _sizes(site: Path, only: str = "") -> tuple[int, int]:
    """(bytes, gzip-compressed bytes) of the files under ``site/only``."""
    raw = packed = 0
    for path in sorted((site / only).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, compresslevel=6))
    return raw, packed


def _first_output(browser, url: str, wanted: str, run_all: bool) -> float:
    """Seconds from opening ``url`` in a fresh profile to ``wanted`` showing in an output."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    if run_all:
        page.wait_for_function("() => /Pyodide\\)\\s*\\|\\s*Idle/.test(document.body.innerText)",
                               timeout=180_000)  # fmt: skip
        page.click(".jp-Notebook")
        page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=10_000)
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')", timeout=10_000)
    page.wait_for_function(
        "(w) => [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".some(o => o.textContent.includes(w))", arg=wanted, timeout=300_000)  # fmt: skip
    took = time.perf_counter() - start
    context.close()
    return took


def _repl(base: str, cells: list[str]) -> str:
    query = [("kernel", "python"), *(("code", c) for c in cells)]
    return f"{base}/repl/index.html?{urllib.parse.urlencode(query)}"


def _calls(browser, base: str) -> dict[str, float]:
    from wasikernel.lite._notebooks import SETUP_CELL

    code = CALLS_CODE.replace("LONG", str(LONG)).replace("SHORT", str(SHORT))
    code = code.replace("ROUNDS", str(ROUNDS)).replace("MARK", repr(MARK))
    context = browser.new_context()
    page = context.new_page()
    page.goto(_repl(base, [SETUP_CELL, code]))
    page.wait_for_function(
        "(m) => [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".some(o => o.textContent.includes(m) || o.textContent.includes('Error'))",
        arg=MARK, timeout=600_000)  # fmt: skip
    text = "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())
    context.close()
    line = next((ln for ln in text.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"the browser's measurement failed: {text[-2000:]}")
    return json.loads(line[len(MARK):])


def measure() -> dict[str, float]:
    """Every figure of this benchmark (building the site first when its inputs changed)."""
    from playwright.sync_api import sync_playwright

    from wasikernel.lite.build import kept_site

    site = kept_site(SITE, say=lambda line: print(line, file=sys.stderr))
    figures: dict[str, float] = {}
    figures["site_bytes"], figures["site_gzip"] = _sizes(site)
    figures["pyodide_bytes"], figures["pyodide_gzip"] = _sizes(site, "static/pyodide")
    figures["clang_bytes"], figures["clang_gzip"] = _sizes(site, "static/clang")
    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
            plain, lesson = [], []
            for _ in range(2):  # alternated, so a slow moment of the machine hits both
                plain.append(_first_output(browser, _repl(base, ["print('first' + ' output')"]),
                                           "first output", run_all=False))  # fmt: skip
                lesson.append(_first_output(browser, f"{base}/lab/index.html?path={LESSON}",
                                            "Hello, WASI!", run_all=True))  # fmt: skip
            figures["plain_first_s"] = statistics.median(plain)
            figures["lesson_first_s"] = statistics.median(lesson)
            figures.update({f"{k}_call_s": v for k, v in _calls(browser, base).items()})
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return figures


def rows() -> list[Row]:
    """The site's size, its time to first output, and a traced fd_write in the browser."""
    problems = missing()
    if problems:
        print(f"bench_lite skipped: missing {'; '.join(problems)}", file=sys.stderr)
        return []
    f = measure()
    return [
        Row("static site, every file", f["site_bytes"], "B",
            "the Pyodide runtime it carries", f["pyodide_bytes"]),
        Row("static site, gzip-compressed (what a compressing server sends)", f["site_gzip"],
            "B", "the site uncompressed", f["site_bytes"]),
        Row("static site without clang (what a page fetches until it compiles a C cell), gzip",
            f["site_gzip"] - f["clang_gzip"], "B", "the whole site, gzip", f["site_gzip"]),
        Row("lesson 0 in Chromium: opened to the guest's first output (all cells run)",
            f["lesson_first_s"], "s", "a plain print in the same site's REPL",
            f["plain_first_s"]),
        Row("traced fd_write in the browser (our host on the browser's engine), per call",
            f["traced_call_s"], "s", "an empty Python import called the same way",
            f["empty_call_s"]),
    ]  # fmt: skip


if __name__ == "__main__":
    for name, value in measure().items():
        print(f"{name}: {value:.6g}")
