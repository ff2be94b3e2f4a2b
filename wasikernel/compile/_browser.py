"""Compiling in the browser (Pyodide): WAT through wabt.js, C and Rust from what the site ships.

* WAT: npm's ``wabt`` (one JavaScript file with its wasm inside) is loaded once by
  :func:`load_wabt` (awaited by :func:`wasikernel.lite.ready`, the first cell of a notebook of
  the static site), then every WAT cell assembles synchronously; errors keep the cell's line and
  column, as under wasmtime.
* C and Rust: no compiler runs in the page. The site's build compiles every C and Rust cell of
  its notebooks ahead of time (:func:`precompiled_key` names each one by language, source and
  options) and ships the modules inside the package; a cell whose text is not among them gets a
  :class:`CompileError` saying so and where to compile it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from importlib import resources
from typing import Any

from .. import messages
from ..errors import CompileError
from ._diagnostics import caret_excerpt

__all__ = ["WABT", "load_wabt", "compile_wat_wabt", "precompiled_key", "precompiled",
           "PRECOMPILED_FOLDER"]  # fmt: skip

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
