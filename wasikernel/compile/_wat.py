"""WAT cells: ``wasmtime.wat2wasm`` in process, with the cell's own line numbers in errors.

A cell that holds only module fields (``(func ...)``, ``(memory ...)``, ...) is wrapped in
``(module ...)``. The wrapper opens on the cell's first line, so lines keep their numbers and
only columns of the first line shift; errors are mapped back before the learner sees them.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from typing import Any

from ..errors import CompileError
from ._diagnostics import caret_excerpt


def _wasmtime_version() -> str:
    try:
        return importlib.metadata.version("wasmtime")
    except importlib.metadata.PackageNotFoundError:
        return "?"


TOOLCHAIN = f"wasmtime.wat2wasm {_wasmtime_version()}"

_WRAP_OPEN = "(module "

# Names from tutorials written before the 2019 renaming, and what to write today.
_OLD_NAMES: dict[str, str] = {
    "get_local": "local.get",
    "set_local": "local.set",
    "tee_local": "local.tee",
    "get_global": "global.get",
    "set_global": "global.set",
    "grow_memory": "memory.grow",
    "current_memory": "memory.size",
    "anyfunc": "funcref",
}
# i32.trunc_s/f32 -> i32.trunc_f32_s, f64.convert_u/i64 -> f64.convert_i64_u, ...
_OLD_CONVERSION = re.compile(
    r"\b(i32|i64|f32|f64)\.(trunc|convert|extend|trunc_sat|trunc)(?:_(s|u))?(:sat)?/(i32|i64|f32|f64)\b"
)
_OLD_PLAIN_CONVERSION = re.compile(
    r"\b(i32|i64|f32|f64)\.(wrap|demote|promote|reinterpret)/(i32|i64|f32|f64)\b"
)
_LOCATION = re.compile(r"-->\s*<anon>:(\d+):(\d+)")
_COMMENT = re.compile(r";;[^\n]*|\(;.*?;\)", re.DOTALL)


def needs_module_wrapper(source: str) -> bool:
    """True when the cell holds module fields rather than a whole ``(module ...)`` or
    ``(component ...)``."""
    stripped = _COMMENT.sub(" ", source).lstrip()
    return not re.match(r"\(\s*(module|component)\b", stripped)


def holds_component(source: str) -> bool:
    """True when the cell's text is a ``(component ...)`` (WASI 0.2) rather than a module."""
    return re.match(r"\(\s*component\b", _COMMENT.sub(" ", source).lstrip()) is not None


def _modern_name(token: str) -> str | None:
    if token in _OLD_NAMES:
        return _OLD_NAMES[token]
    match = _OLD_CONVERSION.fullmatch(token)
    if match:
        result, op, sign, sat, operand = match.groups()
        op = "trunc_sat" if sat else op
        suffix = f"_{sign}" if sign else ""
        return f"{result}.{op}_{operand}{suffix}"
    match = _OLD_PLAIN_CONVERSION.fullmatch(token)
    if match:
        result, op, operand = match.groups()
        return f"{result}.{op}_{operand}"
    return None


def old_name_hints(source: str) -> list[tuple[int, str, str]]:
    """Return ``(line, old, new)`` for each old instruction name the cell uses, first use only."""
    seen: set[str] = set()
    hints = []
    for number, line in enumerate(source.splitlines(), start=1):
        code = line.split(";;", 1)[0]
        for token in re.findall(r"[A-Za-z_][\w.:/]*", code):
            new = _modern_name(token)
            if new and token not in seen:
                seen.add(token)
                hints.append((number, token, new))
    return hints


def _hint_text(hints: list[tuple[int, str, str]]) -> str:
    lines = []
    for line, old, new in hints:
        lines.append(
            f"hint: line {line}: `{old}` is the pre-2019 name of `{new}`; "
            f"old tutorials use it, today's tools only know `{new}`."
        )
    return "\n".join(lines)


def compile_wat(source: str, filename: str) -> bytes:
    """Return the binary module for a WAT cell.

    Raises :class:`CompileError` with the cell's line and column, the offending line and a
    caret, plus a hint when the cell uses instruction names of old tutorials.
    """
    if sys.platform == "emscripten":  # in a browser: wabt.js (wasmtime-py does not exist there)
        from ._browser import compile_wat_wabt

        return compile_wat_wabt(source, filename)
    import wasmtime

    wrapped = needs_module_wrapper(source)
    text = f"{_WRAP_OPEN}{source}\n)" if wrapped else source
    try:
        wasm = bytes(wasmtime.wat2wasm(text))
    except wasmtime.WasmtimeError as exc:
        raise _wat_error(str(exc), source, filename, wrapped) from None
    if holds_component(source):
        _validate_component(wasm, filename)
        return wasm
    try:
        wasmtime.Module.validate(_engine(), wasm)
    except wasmtime.WasmtimeError as exc:
        raise _validation_error(str(exc), source, filename, wasm) from None
    return wasm


def _validate_component(wasm: bytes, filename: str) -> None:
    """Raise CompileError when the component ``wasm`` does not validate (wasmtime compiles it
    to find out: the component model has no separate validator in wasmtime-py)."""
    import wasmtime
    from wasmtime import component

    try:
        component.Component(_engine(), wasm)
    except wasmtime.WasmtimeError as exc:
        lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
        if "Caused by:" in lines:  # the cause says what is wrong; the first line only where
            lines = [ln.lstrip("0123456789: ") for ln in lines[lines.index("Caused by:") + 1:]]
        summary = re.sub(r"\s*\(at offset 0x[0-9a-fA-F]+\)", "", " ".join(lines[:3]))
        raise CompileError(
            f"{filename}: error: the component does not validate: {summary or 'invalid'}",
            language="wat",
        ) from None


_ENGINE: Any = None  # a wasmtime.Engine once made


def _engine() -> Any:
    """One ``wasmtime.Engine`` to validate with, made on first use."""
    global _ENGINE
    if _ENGINE is None:
        import wasmtime

        _ENGINE = wasmtime.Engine()
    return _ENGINE


def _wat_error(raw: str, source: str, filename: str, wrapped: bool) -> CompileError:
    summary = raw.strip().splitlines()[0] if raw.strip() else "invalid WAT"
    match = _LOCATION.search(raw)
    line = column = None
    past_the_cell = False
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        if wrapped and line == 1:
            column = max(1, column - len(_WRAP_OPEN))
        n_lines = len(source.splitlines()) or 1
        if wrapped and line > n_lines:  # the closing parenthesis we added
            past_the_cell = True
            line, column = n_lines, len(source.splitlines()[-1]) + 1 if source.strip() else 1
    parts = []
    if line is not None:
        parts.append(f"{filename}:{line}:{column}: error: {summary}")
        excerpt = caret_excerpt(source, line, column or 1)
        if excerpt:
            parts.append(excerpt)
    else:
        parts.append(f"{filename}: error: {summary}")
    hints = old_name_hints(source)
    if line is not None:  # the hint for the token at the error first
        hints.sort(key=lambda h: h[0] != line)
    if hints:
        parts.append(_hint_text(hints))
    if wrapped and "expected `)`" in summary:
        parts.append("note: a parenthesis opened in the cell is never closed "
                     "(the cell was wrapped in (module ...) for you).")
    elif wrapped and past_the_cell and "extra tokens" in summary:
        parts.append("note: the cell closes more parentheses than it opens.")
    elif not wrapped and "extra tokens" in summary:
        parts.append("note: a cell holds one (module ...), or only module fields such as "
                     "(func ...) and (memory ...), which are then wrapped for you; not both.")
    return CompileError("\n".join(parts), language="wat", line=line, column=column)


def _validation_error(raw: str, source: str, filename: str, wasm: bytes) -> CompileError:
    from ._wat_locate import defined_functions, locate

    lines = [ln for ln in raw.strip().splitlines() if ln.strip()]
    summary = re.sub(r"\s*\(at offset 0x[0-9a-fA-F]+\)", "", " ".join(lines[:2]))
    summary = summary or "invalid module"
    line = column = None
    note = ("note: the function starting here has a type error (check the stack holds the "
            "right values for each instruction and for the result).")
    match = re.search(r"at offset 0x([0-9a-fA-F]+)", raw)
    if match:
        offset = int(match.group(1), 16)
        body = _body_at(wasm, offset)
        found = locate(source, wasm, body, offset) if body is not None else None
        if found is not None:
            position, at_end = found
            line = source.count("\n", 0, position) + 1
            column = position - (source.rfind("\n", 0, position) + 1) + 1
            if at_end:
                note = ("note: at the end of the function, the values left on the stack must "
                        "be exactly its results.")
            elif source.startswith("end", position):
                note = ("note: at the end of this block, the values left on the stack must be "
                        "exactly the block's results.")
            else:
                note = "note: this instruction does not find the values it needs on the stack."
        elif body is not None:
            try:
                funcs = defined_functions(source)
            except ValueError:
                funcs = []
            if 0 <= body < len(funcs):
                line = source.count("\n", 0, funcs[body].start) + 1
                column = funcs[body].start - (source.rfind("\n", 0, funcs[body].start) + 1) + 1
    where = f"{filename}:{line}:{column}" if line else filename
    parts = [f"{where}: error: the module does not validate: {summary}"]
    if line:
        parts.append(caret_excerpt(source, line, column or _first_col(source, line)))
        parts.append(note)
    return CompileError("\n".join(parts), language="wat", line=line, column=column)


def _first_col(source: str, line: int) -> int:
    text = source.splitlines()[line - 1]
    return len(text) - len(text.lstrip()) + 1


def _body_at(wasm: bytes, offset: int) -> int | None:
    """Return which function body (0 = the first defined function) holds byte ``offset``."""
    from ..wasm import function_bodies

    for index, (start, end) in enumerate(function_bodies(wasm)):
        if start <= offset < end:
            return index
    return None
