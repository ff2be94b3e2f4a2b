"""The default engine: wasmtime, linked to our tracing WASI host (not wasmtime's own WASI).

Each run gets its own ``Engine`` (so the epoch that stops one run on a timeout or a cancel never
stops another) and a ``Store`` whose limiter bounds linear memory. Compiling is done once per
module: the compiled artefact is kept (serialised) by content hash and deserialised into each
run's engine in well under a millisecond.
"""

from __future__ import annotations

import ctypes
import hashlib
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
from ..result import Frame, MemoryLayout, RunResult, Trap
from ..sandbox import Sandbox
from ..trace import Trace
from ..wasi import LimitReached, ProcExit
from ..wasi.fs import FsError

__all__ = ["run_module", "WasmtimeMemory", "LiveModule", "new_engine", "compile_module"]

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

    def snapshot(self) -> bytes | None:
        """Return a copy of the whole memory (None when larger than SNAPSHOT_MAX)."""
        size = self.size()
        if not size or size > SNAPSHOT_MAX:
            return None
        return self._view[:size].tobytes() if self._view is not None else None


# ------------------------------------------------------------------------------- compiling

_CACHE: OrderedDict[str, bytes] = OrderedDict()
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


def compile_module(engine: wasmtime.Engine, wasm: bytes, tag: str = "") -> wasmtime.Module:
    """Return ``wasm`` compiled for ``engine`` (compiled once per content, then cached).

    ``tag`` tells engines of different settings apart in the cache.
    Raises EngineError when the bytes are not a valid module.
    """
    key = hashlib.sha256(wasm).hexdigest() + tag
    with _CACHE_LOCK:
        blob = _CACHE.get(key)
        if blob is not None:
            _CACHE.move_to_end(key)
    if blob is not None:
        return wasmtime.Module.deserialize(engine, blob)
    try:
        module = wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as exc:
        raise EngineError(f"the module is not valid WebAssembly: {_first_line(exc)}") from exc
    with _CACHE_LOCK:
        _CACHE[key] = module.serialize()
        while len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    return module


# ------------------------------------------------------------------------------- helpers


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_VALTYPES = {"i32": wasmtime.ValType.i32, "i64": wasmtime.ValType.i64}


def _type_text(ty: Any) -> str:
    if isinstance(ty, wasmtime.FuncType):
        params = ", ".join(str(p) for p in ty.params)
        results = ", ".join(str(r) for r in ty.results)
        if len(ty.results) != 1:
            results = f"({results})"
        return f"({params}) -> {results}"
    if isinstance(ty, wasmtime.MemoryType):
        return "memory"
    if isinstance(ty, wasmtime.GlobalType):
        return f"global {ty.content}"
    if isinstance(ty, wasmtime.TableType):
        return "table"
    return type(ty).__name__


def _kind(ty: Any) -> str:
    return {
        wasmtime.FuncType: "func",
        wasmtime.MemoryType: "memory",
        wasmtime.GlobalType: "global",
        wasmtime.TableType: "table",
    }.get(type(ty), "extern")


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
    for name in ("__data_end", "__heap_base", "__stack_pointer", "__global_base"):
        g = exports.get(name)
        if isinstance(g, wasmtime.Global):
            try:
                values[name] = int(g.value(store))
            except Exception:
                pass
    if not values:
        return None
    sp = values.get("__stack_pointer")
    data_end = values.get("__data_end")
    heap = values.get("__heap_base")
    if sp is not None and data_end is not None and sp <= data_end:
        # stack first (zig cc): the stack is the bottom of memory, data right after it
        return MemoryLayout(
            data_start=values.get("__global_base", sp), data_end=data_end, stack_low=0,
            stack_high=sp, heap_base=heap,
        )  # fmt: skip
    return MemoryLayout(
        data_start=values.get("__global_base", 1024 if data_end is not None else None),
        data_end=data_end,
        stack_low=data_end if sp is not None else None,
        stack_high=sp,
        heap_base=heap,
    )


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


class _Session:
    """One instantiated module with its engine, store, host and memory."""

    def __init__(
        self,
        wasm: bytes,
        sandbox: Sandbox,
        on_output: Callable[[str, bytes], None] | None,
        cancel: threading.Event | None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        from ..wasi import WasiHost

        self.sandbox = sandbox
        self.cancel = cancel
        self.engine = new_engine(settings)
        self.module = compile_module(self.engine, wasm, repr(sorted((settings or {}).items())))
        self.store = wasmtime.Store(self.engine)
        self.store.set_epoch_deadline(1)
        self.max_bytes = sandbox.limits.max_memory_mib * 1024 * 1024
        self.store.set_limits(memory_size=self.max_bytes)
        try:
            self.host = WasiHost(sandbox, on_output=on_output, cancel=cancel)
        except FsError as exc:
            raise EngineError(f"a preopened directory cannot be opened: {exc.note}") from exc
        self.memory = WasmtimeMemory(self.store)
        self.instance: wasmtime.Instance | None = None
        self.link_error: str | None = None

    def instantiate(self) -> Trap | str | None:
        """Link and instantiate; return a Trap (link error, start trap), a limit, or None."""
        host = self.host
        externs: list[Any] = []
        errors: list[str] = []
        for imp in self.module.imports:
            ty = imp.type
            hi = host.lookup(imp.module, imp.name or "")
            if hi is not None and isinstance(ty, wasmtime.FuncType):
                want = (tuple(str(p) for p in ty.params), tuple(str(r) for r in ty.results))
                if want == (hi.params, hi.results):
                    fty = wasmtime.FuncType(
                        [_VALTYPES[p]() for p in hi.params], [_VALTYPES[r]() for r in hi.results]
                    )
                    call = hi.call
                    mem = self.memory
                    externs.append(wasmtime.Func(self.store, fty, _bind(call, mem)))
                    continue
            kind = _kind(ty)
            if hi is not None:
                kind = f"{_type_text(ty)}, but WASI declares ({', '.join(hi.params)}) -> " + (
                    hi.results[0] if hi.results else "()"
                )
            errors.append(host.refuse_import(imp.module, imp.name or "", kind))
        if errors:
            return Trap(errors[0] + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
        watch = _Watch(self.engine, self.sandbox.limits.timeout_s, self.cancel)
        try:  # a start function runs here, and may call the host, loop or exit
            with watch:
                self.instance = wasmtime.Instance(self.store, self.module, externs)
        except ProcExit as exc:
            return Trap(f"the start function exited with code {exc.code}")
        except LimitReached as exc:
            return exc.message
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            text = str(exc)
            if watch.fired == "time":
                return messages.t("limit_time", seconds=self.sandbox.limits.timeout_s or 0)
            if watch.fired == "cancel":
                return Trap("interrupted", _frames(exc))
            if "memory" in text and ("limit" in text or "maximum" in text or "resource" in text):
                return messages.t("limit_memory", mib=self.sandbox.limits.max_memory_mib)
            return Trap(_trap_message(exc), _frames(exc))
        mem = self.instance.exports(self.store).get("memory")
        if isinstance(mem, wasmtime.Memory):
            self.memory.attach(mem)
        return None

    def call(self, name: str, args: Sequence[int | float]) -> dict[str, Any]:
        """Call export ``name``; return the fields of the RunResult it ends with."""
        assert self.instance is not None
        exports = self.instance.exports(self.store)
        func = exports.get(name)
        if not isinstance(func, wasmtime.Func):
            raise EngineError(f"the module has no exported function {name!r}")
        ty = func.type(self.store)
        if len(args) != len(ty.params):
            raise EngineError(
                f"{name} takes {len(ty.params)} argument(s) {_type_text(ty)}, given {len(args)}"
            )
        values = [
            float(a) if str(t) in ("f32", "f64") else int(a)
            for a, t in zip(args, ty.params, strict=True)
        ]
        host = self.host
        limits = self.sandbox.limits
        out: dict[str, Any] = {"exit_code": None, "trap": None, "limit": None, "returned": None}
        host.deadline = None if limits.timeout_s is None else time.monotonic() + limits.timeout_s
        watch = _Watch(self.engine, limits.timeout_s, self.cancel)
        self.store.set_epoch_deadline(1)
        try:
            with watch:
                result = func(self.store, *values)
            if result is None:
                out["returned"] = []
            elif isinstance(result, list):
                out["returned"] = result
            else:
                out["returned"] = [result]
            out["exit_code"] = 0
        except ProcExit as exc:
            out["exit_code"] = exc.code
        except LimitReached as exc:
            out["limit"] = exc.message
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            code = getattr(exc, "trap_code", None)
            if watch.fired == "time" or (code == wasmtime.TrapCode.INTERRUPT and not watch.fired):
                out["limit"] = messages.t("limit_time", seconds=limits.timeout_s or 0)
            elif watch.fired == "cancel":
                out["trap"] = Trap("interrupted", _frames(exc))
            else:
                out["trap"] = Trap(_trap_message(exc), _frames(exc))
        if out["limit"] is None and out["trap"] is None and out["exit_code"] not in (0, None):
            if self.memory.size() + 65536 > self.max_bytes:
                out["limit"] = messages.t("limit_memory", mib=limits.max_memory_mib)
                out["exit_code"] = None
        if out["limit"]:
            host.note("limit", "canceled", out["limit"])
        elif out["trap"] is not None:
            host.note("trap", "fault", out["trap"].message)
        return out


def _bind(call: Callable[..., Any], mem: WasmtimeMemory) -> Callable[..., Any]:
    import functools

    return functools.partial(call, mem)


class LiveModule:
    """An instantiated module whose exports can still be called.

    ``exports`` maps each export's name to its signature text (``"(i32, i32) -> i32"``);
    :meth:`call` runs one export and returns a RunResult with only that call's new output and
    trace events.
    """

    def __init__(self, session: _Session) -> None:
        self._session = session
        assert session.instance is not None
        store = session.store
        self.exports: dict[str, str] = {
            name: _type_text(ext.type(store))
            for name, ext in session.instance.exports(store).items()
        }

    def call(self, name: str, *args: int | float) -> RunResult:
        """Call export ``name`` with ``args``; raises EngineError for an unknown export."""
        s = self._session
        host = s.host
        n_out, n_err, n_ev = len(host.stdout), len(host.stderr), len(host.trace)
        start = time.perf_counter_ns()
        fields = s.call(name, args)
        trace = Trace(host.trace.events[n_ev:], dropped=host.trace.dropped)
        return RunResult(
            stdout=bytes(host.stdout[n_out:]),
            stderr=bytes(host.stderr[n_err:]),
            trace=trace,
            sandbox=s.sandbox,
            engine=getattr(s, "engine_name", "wasmtime"),
            duration_ns=time.perf_counter_ns() - start,
            memory_after=s.memory.snapshot(),
            module=self,
            **fields,
        )

    def memory(self) -> bytes | None:
        """Return a copy of the linear memory as it is now."""
        return self._session.memory.snapshot()

    def __repr__(self) -> str:
        return f"<LiveModule exports={list(self.exports)}>"


def run_module(
    wasm: bytes,
    sandbox: Sandbox,
    *,
    invoke: str | None = None,
    invoke_args: Sequence[int | float] = (),
    on_output: Callable[[str, bytes], None] | None = None,
    cancel: threading.Event | None = None,
    keep: bool = False,
    layout: MemoryLayout | None = None,
    settings: dict[str, Any] | None = None,
    engine_name: str = "wasmtime",
    snapshots: bool = True,
) -> RunResult:
    """Run ``wasm`` under wasmtime with our WASI host; see :func:`wasikernel.engines.run`.

    ``settings`` are extra ``wasmtime.Config`` attributes (see :func:`new_engine`) and
    ``engine_name`` the name the result carries: the Pulley engine is this one with
    ``{"target": "pulley64"}``. ``snapshots=False`` leaves ``memory_before``/``memory_after``
    empty (copying a C module's 17 MiB memory twice is most of a short run's fixed cost; the
    command line never shows them).
    Raises EngineError when the module is invalid or ``invoke`` names no exported function.
    """
    start = time.perf_counter_ns()
    session = _Session(wasm, sandbox, on_output, cancel, settings)
    session.engine_name = engine_name
    host = session.host
    result = RunResult(
        stdout=b"", stderr=b"", exit_code=None, trap=None, limit=None, trace=host.trace,
        sandbox=sandbox, engine=engine_name, layout=layout,
    )  # fmt: skip
    try:
        failed = session.instantiate()
        if isinstance(failed, str):
            result.limit = failed
            host.note("limit", "canceled", failed)
            return result
        if failed is not None:
            result.trap = failed
            return result
        assert session.instance is not None
        exports = session.instance.exports(session.store)
        if result.layout is None:
            result.layout = read_layout(session.instance, session.store)
        result.memory_before = session.memory.snapshot() if snapshots else None
        target = invoke
        if target is None:
            target = "_start" if isinstance(exports.get("_start"), wasmtime.Func) else None
        if (
            target is not None
            and target != "_start"
            and isinstance(exports.get("_initialize"), wasmtime.Func)
        ):
            fields = session.call("_initialize", ())
            if fields["exit_code"] != 0 or fields["trap"] or fields["limit"]:
                for key, value in fields.items():
                    setattr(result, key, value)
                return result
        if target is None:
            if isinstance(exports.get("_initialize"), wasmtime.Func):
                fields = session.call("_initialize", ())
            else:
                fields = {"exit_code": 0, "trap": None, "limit": None, "returned": None}
            keep = True
        else:
            fields = session.call(target, invoke_args)
        for key, value in fields.items():
            setattr(result, key, value)
        result.memory_after = session.memory.snapshot() if snapshots else None
        if keep and result.limit is None:
            result.module = LiveModule(session)
        return result
    finally:
        result.stdout = bytes(host.stdout)
        result.stderr = bytes(host.stderr)
        result.duration_ns = time.perf_counter_ns() - start
        if not keep or result.module is None:
            host.close()
            session.memory.detach()
