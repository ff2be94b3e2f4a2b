"""The browser's own WebAssembly engine, under Pyodide (a JupyterLite site), with our traced
WASI host: ``js.WebAssembly.Module``/``Instance``, each host function a Python callable.

No other thread can stop a guest there, so the module is rewritten at load
(:func:`wasikernel.wasm.with_deadline_checks`): every function entry and loop head counts
down a budget and, every few thousand of them, asks :meth:`_Deadline.tick` whether the time
limit is past, the run cancelled or the kernel interrupted; the answer 0 makes the guest trap
on the spot. A module the rewriter cannot read runs as it is, without a time limit, and the
trace says so.

A host function that ends the run (``proc_exit``, a limit) must not raise through the guest's
frames: each import is a small JavaScript function that calls the Python one and throws a
marker of ours when the Python side answers :data:`_STOP`; the Python side keeps the real
exception, which :meth:`BrowserInstance.call` picks up.

Host folders are refused here (a browser has no file system of the learner's); folders in
memory work as everywhere.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Sequence
from typing import Any

from .. import messages
from ..errors import EngineError
from ..result import INTERRUPTED, Frame, MemoryLayout, RunResult, Trap
from ._engine import (
    NUMBER_TYPES,
    HostedEngine,
    RunRequest,
    not_a_number,
    signature_text,
    unknown_export,
    wrong_arity,
)
from ._lifecycle import LAYOUT_GLOBALS, Ending, Import, call_kept, layout_from_globals

__all__ = ["BROWSER", "BrowserEngine", "BrowserMemory", "in_browser"]

#: longest a snapshot of linear memory may be (bigger memories are not copied)
SNAPSHOT_MAX = 64 * 1024 * 1024
#: function entries and loop heads between two looks at the clock
BUDGET = 10_000

_MAKE_THUNK = """(stop) => (python) => function (...args) {
  const answer = python(...args);
  if (answer === stop) throw stop;
  return answer;
}"""
_JS: dict[str, Any] = {}


def in_browser() -> bool:
    """Whether this Python runs under Pyodide, inside a browser or a JavaScript runtime."""
    return sys.platform == "emscripten"


def _js() -> dict[str, Any]:
    """The JavaScript pieces, made once: the stop marker and the thunk maker."""
    if not _JS:
        import js
        from pyodide.code import run_js

        stop = js.Object.new()
        _JS.update(js=js, stop=stop, thunk=run_js(_MAKE_THUNK)(stop))
    return _JS


class BrowserMemory:
    """A :class:`~wasikernel.wasi.GuestMemory` over a ``WebAssembly.Memory``, read and written
    through typed arrays made on each access (a grown memory has a new ``buffer``)."""

    __slots__ = ("memory",)

    def __init__(self) -> None:
        self.memory: Any = None

    def size(self) -> int:
        """Return the memory's size in bytes (0 before attach)."""
        return 0 if self.memory is None else int(self.memory.buffer.byteLength)

    def _view(self, addr: int, length: int, what: str) -> Any:
        if self.memory is None or addr < 0 or length < 0 or addr + length > self.size():
            raise IndexError(f"{what} of {length} bytes at {addr} is out of bounds")
        return _js()["js"].Uint8Array.new(self.memory.buffer, addr, length)

    def read(self, addr: int, length: int) -> bytes:
        """Return ``length`` bytes at ``addr``; raise IndexError when out of bounds."""
        if length == 0 and 0 <= addr <= self.size():
            return b""
        return self._view(addr, length, "read").to_bytes()

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` at ``addr``; raise IndexError when out of bounds."""
        if not data and 0 <= addr <= self.size():
            return
        self._view(addr, len(data), "write").assign(bytes(data))

    def snapshot(self) -> bytes | None:
        """Return a copy of the whole memory (None when empty or larger than SNAPSHOT_MAX)."""
        size = self.size()
        if not size or size > SNAPSHOT_MAX:
            return None
        return self.read(0, size)


class _Deadline:
    """What the rewritten module's ``tick`` asks: time left, no cancel, no interrupt."""

    def __init__(self, cancel: Any) -> None:
        self.cancel = cancel
        self.deadline: float | None = None
        self.fired: str | None = None  # "time" | "cancel"

    def arm(self, timeout_s: float | None) -> None:
        self.deadline = None if timeout_s is None else time.monotonic() + timeout_s
        self.fired = None

    def tick(self) -> int:
        try:
            if self.cancel is not None and self.cancel.is_set():
                self.fired = "cancel"
            elif self.deadline is not None and time.monotonic() > self.deadline:
                self.fired = "time"
        except KeyboardInterrupt:  # the kernel's interrupt, seen while Python runs
            self.fired = "cancel"
        return 0 if self.fired else BUDGET


#: a frame of the guest in a V8 stack (frames of Pyodide's own wasm are named by its file)
_FRAME = re.compile(r"wasm://wasm/([^:)\s]*):wasm-function\[(\d+)\]:0x([0-9a-f]+)")


class _Loaded:
    """A module read by our decoder, rewritten with deadline checks, compiled by the browser."""

    def __init__(self, owner: BrowserEngine, request: RunRequest) -> None:
        from ..wasm import DecodeError, decode_module, with_deadline_checks

        self.owner = owner
        self.request = request
        try:
            info = decode_module(request.wasm)
        except DecodeError as exc:
            raise EngineError(f"this WebAssembly module is not valid: {exc}") from exc
        self.info = info
        self.imports = [
            Import(i.module, i.name, "func", info.types[i.desc].params, info.types[i.desc].results)
            if i.kind == "func" else Import(i.module, i.name, i.kind)
            for i in info.imports
        ]  # fmt: skip
        self.checked = True
        try:
            wasm = with_deadline_checks(request.wasm, BUDGET)
        except DecodeError:
            wasm, self.checked = request.wasm, False
        self.tick_index = info.num_imported_funcs if self.checked else None
        js = _js()["js"]
        from pyodide.ffi import JsException, to_js

        try:
            self.module = js.WebAssembly.Module.new(to_js(wasm))
        except JsException as exc:
            raise EngineError(f"this WebAssembly module is not valid: {exc}") from exc
        self.exports: dict[str, str] = {}
        for name, (kind, index) in info.exports.items():
            if kind == "func":
                ty = info.func_type(index)
                self.exports[name] = signature_text(ty.params, ty.results)

    def instantiate(self, host: Any, linked: dict[tuple[str, str], Any]) -> Any:
        """Instantiate with ``linked`` host functions (a start function runs here)."""
        return BrowserInstance(self, host, linked).start()


class BrowserInstance:
    """One instance in the browser's engine with its host and memory (see ``_lifecycle``)."""

    def __init__(self, loaded: _Loaded, host: Any, linked: dict[tuple[str, str], Any]) -> None:
        from pyodide.ffi import create_proxy

        pieces = _js()
        js = pieces["js"]
        self.loaded = loaded
        self.sandbox = loaded.request.sandbox
        self.host = host
        self.memory = BrowserMemory()
        self.deadline = _Deadline(loaded.request.cancel)
        self.pending: BaseException | None = None
        self.exports = dict(loaded.exports)
        self.instance: Any = None
        self._proxies: list[Any] = []
        stop, thunk = pieces["stop"], pieces["thunk"]
        table = js.Object.new()
        for (module, name), hi in linked.items():
            space = getattr(table, module, None) if module.isidentifier() else None
            if space is None:
                space = js.Reflect.get(table, module)
            if space is None or str(space) == "undefined":
                space = js.Object.new()
                js.Reflect.set(table, module, space)
            proxy = create_proxy(self._serving(hi, stop))
            self._proxies.append(proxy)
            js.Reflect.set(space, name, thunk(proxy))
        if loaded.checked:
            from ..wasm import DEADLINE_MODULE, DEADLINE_NAME

            space = js.Object.new()
            tick = create_proxy(self.deadline.tick)
            self._proxies.append(tick)
            js.Reflect.set(space, DEADLINE_NAME, tick)
            js.Reflect.set(table, DEADLINE_MODULE, space)
        self.table = table

    def _serving(self, hi: Any, stop: Any) -> Any:
        memory = self.memory
        call = hi.call

        def serve(*args: Any) -> Any:
            try:
                return call(memory, *args)
            except BaseException as exc:  # an exit or a limit: thrown past the guest by JS
                self.pending = exc
                return stop

        return serve

    def _ending(self, exc: Any) -> Ending:
        """How a call that threw ``exc`` (a JsException) ended."""
        from ..wasi import LimitReached, ProcExit

        limits = self.sandbox.limits
        pending, self.pending = self.pending, None
        if isinstance(pending, ProcExit):
            return Ending(exit_code=pending.code)
        if isinstance(pending, LimitReached):
            return Ending(limit=pending.message)
        if isinstance(pending, KeyboardInterrupt):
            return Ending(trap=Trap(INTERRUPTED), interrupted=True)
        if pending is not None:
            return Ending(trap=Trap(f"{type(pending).__name__}: {pending}"))
        frames = self._frames(exc)
        if self.deadline.fired == "time":
            return Ending(limit=messages.t("limit_time", seconds=limits.timeout_s or 0))
        if self.deadline.fired == "cancel":
            return Ending(trap=Trap(INTERRUPTED, frames), interrupted=True)
        error = getattr(exc, "js_error", None)
        text = str(getattr(error, "message", "") or exc)
        if "call stack" in text:
            text = "call stack exhausted"
        return Ending(trap=Trap(text, frames))

    def _frames(self, exc: Any) -> list[Frame]:
        error = getattr(exc, "js_error", None)
        stack = str(getattr(error, "stack", "") or "")
        names = self.loaded.info.func_names
        tick = self.loaded.tick_index
        frames: list[Frame] = []
        guest = None
        for m in _FRAME.finditer(stack):
            guest = guest or m.group(1)  # the innermost frame is the guest's
            if m.group(1) != guest:  # Pyodide's own wasm, which called the guest
                break
            index = int(m.group(2))
            if tick is not None and index > tick:
                index -= 1  # the rewritten module's index, back to the learner's
            frames.append(Frame(index, names.get(index)))
        return frames

    def start(self) -> BrowserInstance | Ending:
        """Instantiate (a start function runs here, and may call the host, loop or exit)."""
        from pyodide.ffi import JsException

        js = _js()["js"]
        self.deadline.arm(self.sandbox.limits.timeout_s)
        try:
            self.instance = js.WebAssembly.Instance.new(self.loaded.module, self.table)
        except JsException as exc:
            ending = self._ending(exc)
            if ending.exit_code is not None:
                return Ending(trap=Trap(f"the start function exited with code {ending.exit_code}"))
            return ending
        memory = js.Reflect.get(self.instance.exports, "memory")
        if memory is not None and js.WebAssembly.Memory.prototype.isPrototypeOf(memory):
            self.memory.memory = memory
        return self

    def call(self, name: str, args: Sequence[int | float]) -> Ending:
        """Call export ``name`` under the time limit and the cancel; return how it ended.

        Raises EngineError when there is no such function or the arguments do not fit.
        """
        from pyodide.ffi import JsException

        js = _js()["js"]
        info = self.loaded.info
        kind_index = info.exports.get(name)
        if kind_index is None or kind_index[0] != "func":
            raise unknown_export(name, self.exports)
        ty = info.func_type(kind_index[1])
        if len(args) != len(ty.params):
            raise wrong_arity(name, len(ty.params), signature_text(ty.params, ty.results),
                              len(args))
        for param in ty.params:
            if str(param) not in NUMBER_TYPES:
                raise not_a_number(name, str(param))
        values = [
            float(a) if t in ("f32", "f64") else js.BigInt(int(a)) if t == "i64" else int(a)
            for a, t in zip(args, ty.params, strict=True)
        ]
        limits = self.sandbox.limits
        self.host.deadline = (
            None if limits.timeout_s is None else time.monotonic() + limits.timeout_s
        )
        self.deadline.arm(limits.timeout_s)
        func = js.Reflect.get(self.instance.exports, name)
        try:
            result = func(*values)
        except JsException as exc:
            return self._ending(exc)
        if len(ty.results) == 0:
            return Ending.returning(None)
        if len(ty.results) == 1:
            return Ending.returning([_python(result)])
        return Ending.returning([_python(v) for v in result])

    def memory_size(self) -> int:
        """The linear memory's size in bytes (0 without one)."""
        return self.memory.size()

    def snapshot(self) -> bytes | None:
        """A copy of the linear memory (None when there is none or it is too big to copy)."""
        return self.memory.snapshot()

    def layout(self) -> MemoryLayout | None:
        """The layout the module's exported globals describe."""
        js = _js()["js"]
        values: dict[str, int] = {}
        for name in LAYOUT_GLOBALS:
            g = js.Reflect.get(self.instance.exports, name)
            if g is not None and js.WebAssembly.Global.prototype.isPrototypeOf(g):
                values[name] = int(_python(g.value))
        return layout_from_globals(values)

    def kept(self) -> LiveModule:
        """The live module a kept run hands back."""
        return LiveModule(self)

    def close(self) -> None:
        """Forget the memory and free the host functions' proxies."""
        self.memory.memory = None
        for proxy in self._proxies:
            proxy.destroy()
        self._proxies = []


def _python(value: Any) -> Any:
    """A value the browser's engine returned, as Python (a BigInt is already an int)."""
    return value if isinstance(value, (int, float)) else int(str(value))


class LiveModule:
    """An instance in the browser's engine whose exports can still be called (see
    :class:`wasikernel.engines.wasmtime.LiveModule`)."""

    def __init__(self, instance: BrowserInstance) -> None:
        self._instance = instance
        self.exports = dict(instance.exports)

    def call(self, name: str, *args: int | float) -> RunResult:
        """Call export ``name`` with ``args``; raises EngineError for an unknown export."""
        i = self._instance
        return call_kept(i, i.host, i.sandbox, "browser", name, args, self)

    def memory(self) -> bytes | None:
        """Return a copy of the linear memory as it is now."""
        return self._instance.memory.snapshot()

    def __repr__(self) -> str:
        return f"<LiveModule exports={list(self.exports)}>"


class BrowserEngine(HostedEngine):
    """The browser's WebAssembly engine with our WASI host (only under Pyodide)."""

    name = "browser"
    title = "the browser's WebAssembly engine (Pyodide)"
    install = "open the course's static site (built with `wasikernel lite build OUT`)"
    keeps = True
    grants = frozenset({"memory_folders", "env", "args", "stdin"})

    def available(self) -> str | None:
        """None under Pyodide, else why not."""
        if in_browser():
            return None
        return "the browser engine runs only inside a browser, under Pyodide (a JupyterLite site)"

    def version(self) -> str | None:
        """Pyodide's version, when running under it."""
        if not in_browser():
            return None
        import pyodide

        return f"pyodide {pyodide.__version__}"

    def run(self, request: RunRequest) -> RunResult:
        """Run ``request`` through the lifecycle; a host folder is refused.

        Raises EngineError as :meth:`HostedEngine.run` does, and when a host folder is granted.
        """
        for pre in request.sandbox.preopens:
            if pre.host_path is not None:
                raise EngineError(messages.t("browser_host_folder", guest=pre.guest_path))
        result = super().run(request)
        return result

    def load(self, request: RunRequest) -> _Loaded:
        """Decode, rewrite and compile ``request.wasm``.

        Raises EngineError when the bytes are not a valid module.
        """
        return _Loaded(self, request)


BROWSER = BrowserEngine()
