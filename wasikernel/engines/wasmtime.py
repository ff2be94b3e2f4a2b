"""The default engine: wasmtime, linked to our tracing WASI host (not wasmtime's own WASI).

Each run gets its own ``Engine`` (so the epoch that stops one run on a timeout or a cancel never
stops another) and a ``Store`` whose limiter bounds linear memory. Compiling is done once per
module: the compiled artefact is kept (serialised) by content hash and deserialised into each
run's engine in well under a millisecond.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi

from .. import messages
from ..errors import EngineError
from ..result import INTERRUPTED, Frame, MemoryLayout, MemorySnapshot, RunResult, Trap
from ..sandbox import Sandbox
from ..wasi import LimitReached, ProcExit
from ._engine import (
    NUMBER_TYPES,
    HostedEngine,
    RunRequest,
    dist_version,
    not_a_number,
    signature_text,
    unknown_export,
    wrong_arity,
)
from ._lifecycle import LAYOUT_GLOBALS, Ending, call_kept, imports_of, layout_from_globals

__all__ = [
    "WASMTIME", "WasmtimeEngine", "WasmtimeMemory", "LiveModule", "new_engine", "compile_module",
    "compile_cached", "run_module",
]  # fmt: skip

# wasmtime names source lines in a trap's backtrace (for modules with DWARF debug info) only when
# this is set when an engine is configured; the Python API has no other switch for it.
os.environ.setdefault("WASMTIME_BACKTRACE_DETAILS", "1")

#: longest a snapshot of linear memory may be (bigger memories are not copied)
SNAPSHOT_MAX = 64 * 1024 * 1024
_TICK_S = 0.1

_data_fn = ffi.dll["wasmtime_memory_data"]
_data_fn.restype = ctypes.c_size_t
_data_fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_size_fn = ffi.dll["wasmtime_memory_data_size"]
_size_fn.restype = ctypes.c_size_t
_size_fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p]


class WasmtimeMemory:
    """A :class:`~wasikernel.wasi.GuestMemory` over a wasmtime memory (set after instantiation).

    A growing memory may move (wasmtime moves a memory that outgrows its reservation, as a
    memory64 one past 4 GiB does), so no address is kept across a guest's run: ``buffer``, a
    ``memoryview`` over the bytes that the host reads and writes directly, asks wasmtime for
    the size on each access and, when it changed, for the base address again and builds a new
    view. A memory only moves when it grows, so an unchanged size means an unchanged base.
    Read the view at the start of each host call, and never keep it past that call.
    Out of bounds raises IndexError before anything is allocated.

    It holds the store's context as a plain address, not the ``Store``: the host functions
    that hold this object stay in wasmtime-py's global function table until their store is
    deleted, so a reference to the store from here would keep every run's store alive.
    """

    __slots__ = ("_ctx", "_ref", "_size", "_view", "memory")

    def __init__(self, store: wasmtime.Store) -> None:
        self.memory: wasmtime.Memory | None = None
        self._ctx: int | None = ctypes.cast(store._context(), ctypes.c_void_p).value
        self._ref: Any = None
        self._size = 0
        self._view: memoryview | None = None

    def attach(self, memory: wasmtime.Memory) -> None:
        """Point at the instance's exported memory."""
        self.memory = memory
        self._ref = ctypes.addressof(memory._memory)
        self.size()

    def detach(self) -> None:
        """Forget the memory: every access after this sees an empty memory."""
        self.memory = None
        self._ref = self._view = None
        self._size = 0

    @property
    def buffer(self) -> memoryview | None:
        """A view of the whole memory as it is now (None before attach or when empty)."""
        if self._ref is not None and _size_fn(self._ctx, self._ref) != self._size:
            self.size()
        return self._view

    def size(self) -> int:
        """Return the memory's size in bytes (0 before attach); renew the view when it grew."""
        if self._ref is None:
            return 0
        size = _size_fn(self._ctx, self._ref)
        if size != self._size or self._view is None:
            self._size = size
            self._view = None
            if size:
                base = _data_fn(self._ctx, self._ref)  # again: the memory may have moved
                array = (ctypes.c_ubyte * size).from_address(base)
                self._view = memoryview(array).cast("B")
        return size

    def read(self, addr: int, length: int) -> bytes:
        """Return ``length`` bytes at ``addr``; raise IndexError when out of bounds."""
        end = addr + length
        view = self.buffer
        if addr < 0 or length < 0 or end > self._size:
            raise IndexError(f"read of {length} bytes at {addr} is out of bounds")
        if view is None:
            return b""
        return view[addr:end].tobytes()

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` at ``addr``; raise IndexError when out of bounds."""
        end = addr + len(data)
        view = self.buffer
        if addr < 0 or end > self._size:
            raise IndexError(f"write of {len(data)} bytes at {addr} is out of bounds")
        if view is not None:
            view[addr:end] = data

    def snapshot(self) -> MemorySnapshot | bytes | None:
        """Return a copy of the whole memory (None when larger than SNAPSHOT_MAX)."""
        size = self.size()
        if not size or size > SNAPSHOT_MAX:
            return None
        return MemorySnapshot.of(self._view[:size]) if self._view is not None else None


# ------------------------------------------------------------------------------- compiling

#: compiled modules, serialised, by (``tag``, the module's bytes): a dict hashes and compares
#: the bytes themselves, so no digest of them is computed (nor hashlib loaded) for a run
_CACHE: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 32


def new_engine(settings: dict[str, Any] | None = None) -> wasmtime.Engine:
    """Return an engine with epoch interruption on (every run has its own).

    ``settings`` are further ``wasmtime.Config`` attributes, for example
    ``{"cranelift_opt_level": "none"}`` or ``{"target": "pulley64"}`` (the Pulley interpreter).
    """
    config = wasmtime.Config()
    config.epoch_interruption = True
    for name, value in (settings or {}).items():
        setattr(config, name, value)
    return wasmtime.Engine(config)


def refuse_v128_at_the_boundary(wasm: bytes, *, exports: bool = True) -> None:
    """Refuse a module that imports (or, with ``exports``, exports) a function taking or
    returning ``v128``.

    wasmtime-py cannot describe such a function's type to its host: asking for it ends the
    whole process (a Rust panic, not an exception), which would take the kernel with it.
    SIMD inside the module is fine. Raises EngineError naming the function and what to do.
    """
    from ..wasm import DecodeError, boundary_signatures

    try:
        imported, exported = boundary_signatures(wasm)
    except DecodeError:
        return  # wasmtime itself says what is wrong with the bytes
    for key, found in (("engine_v128_import", imported),
                       ("engine_v128_export", exported if exports else {})):  # fmt: skip
        for name, (params, results) in found.items():
            if "v128" in params + results:
                raise EngineError(messages.t(key, function=name))


def compile_module(engine: wasmtime.Engine, wasm: bytes, tag: str = "") -> wasmtime.Module:
    """Return ``wasm`` compiled for ``engine`` (compiled once per content, then cached).

    ``tag`` tells engines of different settings apart in the cache.
    Raises EngineError when the bytes are not a valid module, or when a function it imports
    or exports takes or returns ``v128`` (see :func:`refuse_v128_at_the_boundary`).
    """
    refuse_v128_at_the_boundary(wasm)
    return compile_cached(
        engine, wasm, tag, wasmtime.Module, wasmtime.Module.deserialize,
        lambda exc: messages.t("engine_invalid_module", error=_first_line(exc)),
    )  # fmt: skip


def compile_cached(
    engine: wasmtime.Engine,
    wasm: bytes,
    tag: str,
    build: Callable[[wasmtime.Engine, bytes], Any],
    load: Callable[[wasmtime.Engine, bytes], Any],
    invalid: Callable[[Exception], str],
) -> Any:
    """Return ``build(engine, wasm)`` (a ``Module``, a ``Component``), compiled once per
    content and ``tag``: its serialised artefact is kept and ``load(engine, blob)`` brings it
    back into each run's engine. The one compile cache of every wasmtime engine.

    Raises EngineError with ``invalid(exc)`` when wasmtime refuses the bytes.
    """
    key = (tag, bytes(wasm))
    with _CACHE_LOCK:
        blob = _CACHE.get(key)
        if blob is not None:
            _CACHE.move_to_end(key)
    if blob is not None:
        return load(engine, blob)
    try:
        compiled = build(engine, wasm)
    except wasmtime.WasmtimeError as exc:
        raise EngineError(invalid(exc)) from exc
    with _CACHE_LOCK:
        _CACHE[key] = bytes(compiled.serialize())
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    return compiled


# ------------------------------------------------------------------------------- helpers


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_VALTYPES = {"i32": wasmtime.ValType.i32, "i64": wasmtime.ValType.i64}


def _type_text(ty: Any) -> str:
    if isinstance(ty, wasmtime.FuncType):
        return signature_text(ty.params, ty.results)
    if isinstance(ty, wasmtime.MemoryType):
        return "memory"
    if isinstance(ty, wasmtime.GlobalType):
        return f"global {ty.content}"
    if isinstance(ty, wasmtime.TableType):
        return "table"
    return type(ty).__name__


_FRAME_LINE = re.compile(r"^\s*(\d+):\s+0x[0-9a-f]+ - ")
_AT_LINE = re.compile(r"^\s+at (.+?):(\d+)(?::\d+)?\s*$")


def _sources(text: str) -> dict[int, str]:
    """Return frame number -> ``"file.c:12"`` from a detailed wasmtime backtrace.

    A numbered frame may list inlined functions first; its last ``at`` line is the frame's
    own function.
    """
    out: dict[int, str] = {}
    current: int | None = None
    for line in text.splitlines():
        m = _FRAME_LINE.match(line)
        if m:
            current = int(m.group(1))
            continue
        at = _AT_LINE.match(line)
        if at and current is not None:
            out[current] = f"{os.path.basename(at.group(1))}:{at.group(2)}"
    return out


def _frames(exc: BaseException) -> list[Frame]:
    frames = getattr(exc, "frames", None) or []
    try:
        sources = _sources(str(exc))
    except Exception:
        sources = {}
    out = []
    for i, f in enumerate(frames):
        try:
            out.append(Frame(f.func_index, f.func_name, f.module_offset, sources.get(i)))
        except Exception:
            continue
    return out


def _trap_message(exc: BaseException) -> str:
    msg = getattr(exc, "message", None)
    if isinstance(msg, str) and msg:
        text = msg
    else:
        text = str(exc)
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("wasm trap:"):
            return line[len("wasm trap:") :].strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        if line.startswith("Caused by:") and i + 1 < len(lines):
            return lines[i + 1].lstrip("0123456789: ").strip()
    return lines[0] if lines else "trap"


def read_layout(instance: wasmtime.Instance, store: wasmtime.Store) -> MemoryLayout | None:
    """Return the layout from the exported ``__data_end``/``__heap_base``/``__stack_pointer``."""
    exports = instance.exports(store)
    values: dict[str, int] = {}
    for name in LAYOUT_GLOBALS:
        g = exports.get(name)
        if isinstance(g, wasmtime.Global):
            try:
                values[name] = int(g.value(store))
            except Exception:
                pass
    return layout_from_globals(values)


class _Watch:
    """A thread that ends the guest (epoch interruption) on a timeout or a cancel."""

    def __init__(
        self, engine: wasmtime.Engine, timeout_s: float | None, cancel: threading.Event | None
    ) -> None:
        self.engine = engine
        self.timeout_s = timeout_s
        self.cancel = cancel
        self.done = threading.Event()
        self.fired: str | None = None  # "time" | "cancel"
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Watch:
        if self.timeout_s is None and self.cancel is None:
            return self
        self.thread = threading.Thread(target=self._run, name="wasikernel-watch", daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        end = None if self.timeout_s is None else time.monotonic() + self.timeout_s
        if self.cancel is None and end is not None:  # nothing to poll: one wait
            if not self.done.wait(self.timeout_s):
                self.fired = "time"
                self.engine.increment_epoch()
            return
        while not self.done.is_set():
            if self.cancel is not None and self.cancel.is_set():
                self.fired = "cancel"
                break
            if end is not None and time.monotonic() >= end:
                self.fired = "time"
                break
            wait = _TICK_S if end is None else max(0.0, min(_TICK_S, end - time.monotonic()))
            self.done.wait(wait)
        if self.fired:
            self.engine.increment_epoch()

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


class _Loaded:
    """A module compiled for this run's own engine (so its epoch stops this run only)."""

    def __init__(self, owner: WasmtimeEngine, request: RunRequest) -> None:
        self.owner = owner
        self.request = request
        self.engine = new_engine(owner.settings)
        self.module = compile_module(self.engine, request.wasm, owner.tag)
        self.imports = imports_of(self.module)

    def instantiate(
        self, host: Any, linked: dict[tuple[str, str], Any]
    ) -> WasmtimeInstance | Ending:
        """Instantiate with ``linked`` host functions (a start function runs here)."""
        return WasmtimeInstance(self, host, linked).start()


class WasmtimeInstance:
    """One instantiated module with its engine, store, host and memory (see ``_lifecycle``)."""

    def __init__(self, loaded: _Loaded, host: Any, linked: dict[tuple[str, str], Any]) -> None:
        self.loaded = loaded
        self.engine_name = loaded.owner.name
        self.sandbox = loaded.request.sandbox
        self.cancel = loaded.request.cancel
        self.host = host
        self.engine = loaded.engine
        self.store = wasmtime.Store(self.engine)
        self.store.set_epoch_deadline(1)
        self.store.set_limits(memory_size=self.sandbox.limits.max_memory_mib * 1024 * 1024)
        self.memory = WasmtimeMemory(self.store)
        self.externs = []
        for imp in loaded.module.imports:
            hi = linked[(imp.module, imp.name or "")]
            fty = wasmtime.FuncType(
                [_VALTYPES[p]() for p in hi.params], [_VALTYPES[r]() for r in hi.results]
            )
            self.externs.append(
                wasmtime.Func(self.store, fty, functools.partial(hi.call, self.memory))
            )
        self.instance: wasmtime.Instance | None = None
        self.exports: dict[str, str] = {}

    def start(self) -> WasmtimeInstance | Ending:
        """Instantiate (a start function runs here, and may call the host, loop or exit)."""
        watch = _Watch(self.engine, self.sandbox.limits.timeout_s, self.cancel)
        try:
            with watch:
                self.instance = wasmtime.Instance(self.store, self.loaded.module, self.externs)
        except ProcExit as exc:
            return Ending(trap=Trap(f"the start function exited with code {exc.code}"))
        except LimitReached as exc:
            return Ending(limit=exc.message)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            text = str(exc)
            if watch.fired == "time":
                return Ending(
                    limit=messages.t("limit_time", seconds=self.sandbox.limits.timeout_s or 0)
                )
            if watch.fired == "cancel":
                return Ending(trap=Trap(INTERRUPTED, _frames(exc)), interrupted=True)
            if "memory" in text and ("limit" in text or "maximum" in text or "resource" in text):
                return Ending(
                    limit=messages.t("limit_memory", mib=self.sandbox.limits.max_memory_mib)
                )
            return Ending(trap=Trap(_trap_message(exc), _frames(exc)))
        exports = self.instance.exports(self.store)
        self.exports = {name: _type_text(ext.type(self.store)) for name, ext in exports.items()
                        if isinstance(ext, wasmtime.Func)}  # fmt: skip
        mem = exports.get("memory")
        if isinstance(mem, wasmtime.Memory):
            self.memory.attach(mem)
        return self

    def call(self, name: str, args: Sequence[int | float]) -> Ending:
        """Call export ``name`` under the time limit and ``cancel``; return how it ended.

        Raises EngineError when there is no such function or the arguments do not fit.
        """
        assert self.instance is not None
        func = self.instance.exports(self.store).get(name)
        if not isinstance(func, wasmtime.Func):
            raise unknown_export(name, self.exports)
        ty = func.type(self.store)
        if len(args) != len(ty.params):
            raise wrong_arity(name, len(ty.params), _type_text(ty), len(args))
        for param in ty.params:
            if str(param) not in NUMBER_TYPES:
                raise not_a_number(name, str(param))
        values = [
            float(a) if str(t) in ("f32", "f64") else int(a)
            for a, t in zip(args, ty.params, strict=True)
        ]
        limits = self.sandbox.limits
        self.host.deadline = (
            None if limits.timeout_s is None else time.monotonic() + limits.timeout_s
        )
        watch = _Watch(self.engine, limits.timeout_s, self.cancel)
        self.store.set_epoch_deadline(1)
        try:
            with watch:
                result = func(self.store, *values)
        except ProcExit as exc:
            return Ending(exit_code=exc.code)
        except LimitReached as exc:
            return Ending(limit=exc.message)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            code = getattr(exc, "trap_code", None)
            if watch.fired == "time" or (code == wasmtime.TrapCode.INTERRUPT and not watch.fired):
                return Ending(limit=messages.t("limit_time", seconds=limits.timeout_s or 0))
            if watch.fired == "cancel":
                return Ending(trap=Trap(INTERRUPTED, _frames(exc)), interrupted=True)
            return Ending(trap=Trap(_trap_message(exc), _frames(exc)))
        if result is None:
            return Ending.returning(None)
        return Ending.returning(result if isinstance(result, list) else [result])

    def memory_size(self) -> int:
        """The linear memory's size in bytes (0 without one)."""
        return self.memory.size()

    def snapshot(self) -> MemorySnapshot | bytes | None:
        """A copy of the linear memory (None when there is none or it is too big to copy)."""
        return self.memory.snapshot()

    def layout(self) -> MemoryLayout | None:
        """The layout the module's exported globals describe."""
        assert self.instance is not None
        return read_layout(self.instance, self.store)

    def kept(self) -> LiveModule:
        """The live module a kept run hands back."""
        return LiveModule(self)

    def close(self) -> None:
        """Forget the memory: the store may be freed from here on."""
        self.memory.detach()


class LiveModule:
    """An instantiated module whose exports can still be called.

    ``exports`` maps each export's name to its signature text (``"(i32, i32) -> i32"``);
    :meth:`call` runs one export and returns a RunResult with only that call's new output and
    trace events.
    """

    def __init__(self, instance: WasmtimeInstance) -> None:
        self._instance = instance
        assert instance.instance is not None
        store = instance.store
        self.exports: dict[str, str] = {
            name: _type_text(ext.type(store))
            for name, ext in instance.instance.exports(store).items()
        }

    def call(self, name: str, *args: int | float) -> RunResult:
        """Call export ``name`` with ``args``; raises EngineError for an unknown export."""
        i = self._instance
        return call_kept(i, i.host, i.sandbox, i.engine_name, name, args, self)

    def memory(self) -> MemorySnapshot | bytes | None:
        """Return a copy of the linear memory as it is now."""
        return self._instance.memory.snapshot()

    def __repr__(self) -> str:
        return f"<LiveModule exports={list(self.exports)}>"


class WasmtimeEngine(HostedEngine):
    """wasmtime with our WASI host; ``settings`` are extra ``wasmtime.Config`` attributes
    (see :func:`new_engine`): Pulley is this engine with ``{"target": "pulley64"}``."""

    keeps = True

    def __init__(
        self,
        name: str = "wasmtime",
        settings: dict[str, Any] | None = None,
        title: str = "wasmtime (Cranelift)",
        install: str = "pip install wasmtime",
    ) -> None:
        self.name = name
        self.title = title
        self.install = install
        self.settings = dict(settings or {})
        self.tag = repr(sorted(self.settings.items()))

    def version(self) -> str | None:
        """wasmtime-py's version."""
        return (dist_version("wasmtime") or "").replace("wasmtime", "wasmtime-py") or None

    def load(self, request: RunRequest) -> _Loaded:
        """Compile ``request.wasm`` for a new engine of this run; read its imports.

        Raises EngineError when the bytes are not a valid module.
        """
        return _Loaded(self, request)


WASMTIME = WasmtimeEngine()


def run_module(
    wasm: bytes,
    sandbox: Sandbox,
    *,
    settings: dict[str, Any] | None = None,
    engine_name: str = "wasmtime",
    snapshots: bool = True,
    **keywords: Any,
) -> RunResult:
    """Run ``wasm`` under wasmtime with our WASI host; the other keywords are those of
    :func:`wasikernel.engines.run`.

    ``settings`` are extra ``wasmtime.Config`` attributes (see :func:`new_engine`) and
    ``engine_name`` the name the result carries. ``snapshots=False`` leaves
    ``memory_before``/``memory_after`` empty (reading a C module's 17 MiB memory twice is a
    cost a run that never shows them need not pay: the command line's).
    Raises EngineError when the module is invalid or ``invoke`` names no exported function.
    """
    engine = (
        WASMTIME
        if settings is None and engine_name == "wasmtime"
        else WasmtimeEngine(engine_name, settings)
    )
    return engine.run(RunRequest(bytes(wasm), sandbox, snapshots=snapshots, **keywords))
