"""Compiling in the browser (Pyodide): WAT through wabt.js, C and Rust from what the site ships.

* WAT: npm's ``wabt`` (one JavaScript file with its wasm inside) is loaded once by
  :func:`load_wabt` (awaited by :func:`wasikernel.lite.ready`, the first cell of a notebook of
  the static site), then every WAT cell assembles synchronously; errors keep the cell's line and
  column, as under wasmtime.
* C and Rust: the site's build compiles every C and Rust cell of its notebooks ahead of time
  (:func:`precompiled_key` names each one by language, source and options) and ships the
  modules inside the package, so a lesson's own cells run at once. A C cell whose text is not
  among them is compiled in the page by clang (npm's ``@yowasp/clang``: clang, lld and
  wasi-libc in wasm, fetched from the site on the first such cell; the cell waits for it through
  JavaScript Promise Integration). No Rust compiler runs in a browser: a Rust cell the site did
  not compile gets a :class:`CompileError` saying so and where to compile it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from importlib import resources
from typing import Any

from .. import messages
from ..errors import CompileError
from ._diagnostics import caret_excerpt

__all__ = ["WABT", "CLANG", "load_wabt", "compile_wat_wabt", "precompiled_key", "precompiled",
           "compile_in_browser", "compile_c_clang", "PRECOMPILED_FOLDER"]  # fmt: skip

#: the folder of the package that holds the precompiled cells (``KEY.wasm`` each)
PRECOMPILED_FOLDER = "precompiled"
#: the version of wabt.js once loaded (None before)
WABT: dict[str, Any] = {}
_WRAP_OPEN = "(module "
_WABT_ERROR = re.compile(r":(\d+):(\d+): error: (.*)")


def precompiled_key(language: str, source: str, options: Any, filename: str) -> str:
    """The name of a precompiled cell: a digest of its language, text (without the blank end
    that a notebook and IPython's cell magics leave or add), options and file name."""
    blob = json.dumps({"language": language, "source": source.rstrip(), "options": asdict(options),
                       "filename": filename}, sort_keys=True)  # fmt: skip
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def precompiled(language: str, source: str, options: Any, filename: str) -> bytes:
    """Return the module the site's build compiled for this cell.

    Raises CompileError saying that this cell's text is not one the site compiled, and where
    C or Rust can be compiled.
    """
    key = precompiled_key(language, source, options, filename)
    try:
        return (resources.files("wasikernel.compile") / PRECOMPILED_FOLDER / f"{key}.wasm"
                ).read_bytes()  # fmt: skip
    except (FileNotFoundError, OSError):
        name = {"c": "C", "rust": "Rust"}.get(language, language)
        raise CompileError(messages.t("browser_not_precompiled", language=name),
                           language=language) from None  # fmt: skip


def compile_in_browser(language: str, source: str, options: Any, filename: str,
                       progress: Callable[[str], None] | None = None) -> tuple[bytes, str, str]:
    """Return ``(wasm, toolchain, warnings)`` for a C or Rust cell in a browser: the module the
    site's build compiled for this very cell, else (C only) what clang compiles in the page.

    Raises CompileError with clang's diagnostics, or saying why the cell cannot be compiled in
    this browser (a Rust cell the site did not compile; no clang on the site; a browser that
    cannot wait for clang inside a cell).
    """
    try:
        return precompiled(language, source, options, filename), "precompiled", ""
    except CompileError:
        if language != "c":
            raise
    return compile_c_clang(source, options, filename, progress)


#: ``runClang`` of @yowasp/clang once its module is imported
CLANG: dict[str, Any] = {}


def _clang(progress: Callable[[str], None] | None) -> Any:
    """``runClang``, its module imported on the first C cell (``../clang/bundle.js`` beside
    Pyodide's own files); the cell waits for it (JavaScript Promise Integration)."""
    if "run" in CLANG:
        return CLANG["run"]
    import js
    import pyodide_js
    from pyodide.code import run_js
    from pyodide.ffi import can_run_sync, run_sync

    if not can_run_sync():
        raise CompileError(messages.t("browser_clang_cannot_wait"), language="c")
    where = js.URL.new("../clang/bundle.js", pyodide_js._api.config.indexURL).href
    if progress is not None:
        progress(messages.t("browser_clang_loading"))
    try:
        module = run_sync(run_js("(url) => import(url)")(where))
    except Exception:  # a JsException: the file is not on the site
        raise CompileError(messages.t("browser_no_clang", url=where), language="c") from None
    CLANG["run"] = module.runClang
    return CLANG["run"]


def compile_c_clang(source: str, options: Any, filename: str,
                    progress: Callable[[str], None] | None = None) -> tuple[bytes, str, str]:
    """Compile a C cell with clang in the page (``@yowasp/clang``); ``(wasm, toolchain,
    warnings)``. Raises CompileError with clang's diagnostics on the cell's own lines."""
    import js
    from pyodide.ffi import JsException, create_proxy, jsnull, run_sync, to_js

    from ._c import browser_clang_argv, browser_clang_error

    run_clang = _clang(progress)
    said: list[str] = []

    def hear(chunk: Any) -> None:  # a Uint8Array, or JavaScript's null at the end of a run
        if chunk is not None and chunk is not jsnull:
            said.append(bytes(chunk.to_py()).decode("utf-8", "replace"))

    listener = create_proxy(hear)
    files = js.Object.new()
    js.Reflect.set(files, "cell.c", source)
    settings = js.Object.new()
    js.Reflect.set(settings, "stderr", listener)
    js.Reflect.set(settings, "stdout", listener)
    try:
        answer = run_clang(to_js(browser_clang_argv(options, source)), files, settings)
        if hasattr(answer, "then"):  # the first call fetches clang's own files
            answer = run_sync(answer)
        wasm = bytes(js.Reflect.get(answer, "cell.wasm").to_py())
    except JsException:
        raise browser_clang_error("".join(said), source, filename) from None
    finally:
        listener.destroy()
    warnings = "".join(said).replace("cell.c", filename).strip()
    return wasm, "clang (@yowasp/clang, in the browser)", warnings


async def load_wabt(url: str | None = None) -> None:
    """Load wabt.js once: from ``globalThis.wasikernelWabt`` when a page already made it, else
    from ``url`` (default: ``../wabt/index.js`` beside Pyodide's own files on the site).

    Raises CompileError when the file cannot be fetched.
    """
    if WABT:
        return
    import js
    from pyodide.code import run_js

    made = getattr(js.globalThis, "wasikernelWabt", None)
    if made is None:
        import pyodide_js

        where = url or js.URL.new("../wabt/index.js", pyodide_js._api.config.indexURL).href
        response = await js.fetch(where)
        if not response.ok:
            raise CompileError(messages.t("browser_no_wabt", url=where), language="wat")
        text = await response.text()
        factory = run_js(f"(() => {{ {text}\n; return WabtModule; }})()")
        made = await factory()
    WABT["module"] = made
    WABT["features"] = run_js(
        "({multi_value: true, mutable_globals: true, sat_float_to_int: true, sign_extension: "
        "true, bulk_memory: true, reference_types: true, simd: true, tail_call: true})"
    )


def compile_wat_wabt(source: str, filename: str) -> bytes:
    """Assemble a WAT cell with wabt.js and validate it.

    Raises CompileError with the cell's line and column, or saying that wabt.js is not loaded
    yet (``await wasikernel.lite.ready()`` loads it).
    """
    from ._wat import needs_module_wrapper

    if not WABT:
        raise CompileError(messages.t("browser_wabt_not_ready"), language="wat")
    from pyodide.ffi import JsException

    wrapped = needs_module_wrapper(source)
    text = f"{_WRAP_OPEN}{source}\n)" if wrapped else source
    parsed = None
    try:
        parsed = WABT["module"].parseWat(filename, text, WABT["features"])
        parsed.resolveNames()
        parsed.validate(WABT["features"])
        return bytes(parsed.toBinary(js_options()).buffer.to_bytes())
    except JsException as exc:
        raise _error(str(getattr(exc, "js_error", exc).message), source, filename,
                     wrapped) from None  # fmt: skip
    finally:
        if parsed is not None:
            parsed.destroy()


def js_options() -> Any:
    """The options of wabt's ``toBinary``: names kept (backtraces show them)."""
    from pyodide.code import run_js

    return run_js("({write_debug_names: true})")


def _error(raw: str, source: str, filename: str, wrapped: bool) -> CompileError:
    """The learner's form of a wabt error: file, line, column, the line and a caret."""
    from ._wat import _hint_text, old_name_hints

    match = _WABT_ERROR.search(raw)
    if match is None:
        summary = raw.strip().splitlines()[0] if raw.strip() else "invalid WAT"
        return CompileError(f"{filename}: error: {summary}", language="wat")
    line, column, summary = int(match.group(1)), int(match.group(2)), match.group(3).strip()
    if wrapped and line == 1:
        column = max(1, column - len(_WRAP_OPEN))
    n_lines = len(source.splitlines()) or 1
    if wrapped and line > n_lines:
        line = n_lines
        column = len(source.splitlines()[-1]) + 1 if source.strip() else 1
    parts = [f"{filename}:{line}:{column}: error: {summary}"]
    excerpt = caret_excerpt(source, line, column)
    if excerpt:
        parts.append(excerpt)
    hints = old_name_hints(source)
    if hints:
        parts.append(_hint_text(hints))
    return CompileError("\n".join(parts), language="wat", line=line, column=column)
