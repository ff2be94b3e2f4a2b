"""The stepper as an engine: links the WASI host, runs ``_start`` or an export, reports."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ... import messages
from ...errors import EngineError
from ...result import Frame, MemoryLayout, RunResult, Trap
from ...sandbox import Sandbox
from ...trace import Trace
from ...wasm import DecodeError, FuncType, ModuleInfo, decode_module
from ._machine import Instance, LinkFailure, Store
from ._numeric import M32, M64, ff, s32, s64, tf
from ._numeric import Trap as WasmTrap
from ._objects import Function, Global, Memory
from ._session import Session

__all__ = ["StepperModule", "load", "run_module"]

_TIMEOUT = "\0time limit"
_engine_cache: list[Any] = []


def _validator() -> Any:
    """A wasmtime engine restricted to WebAssembly 2.0 (plus SIMD off: we do not run it)."""
    if not _engine_cache:
        import wasmtime

        cfg = wasmtime.Config()
        for flag in ("wasm_threads", "wasm_gc", "wasm_function_references", "wasm_tail_call",
                     "wasm_multi_memory", "wasm_memory64", "wasm_relaxed_simd", "wasm_simd",
                     "wasm_exceptions", "wasm_wide_arithmetic", "wasm_custom_page_sizes",
                     "wasm_stack_switching", "wasm_component_model"):
            try:
                setattr(cfg, flag, False)
            except Exception:  # noqa: BLE001, S112 - a flag this wasmtime does not know
                continue
        _engine_cache.append(wasmtime.Engine(cfg))
    return _engine_cache[0]


def validate(wasm: bytes) -> ModuleInfo:
    """Validates (wasmtime, WebAssembly 2.0 without SIMD) and decodes ``wasm``.

    Raises EngineError naming what is wrong (an invalid module, or a feature past 2.0).
    """
    import wasmtime

    try:
        wasmtime.Module.validate(_validator(), wasm)
    except Exception as exc:  # noqa: BLE001 - wasmtime's message says what is wrong
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        try:
            wasmtime.Module.validate(wasmtime.Engine(), wasm)
        except Exception:  # noqa: BLE001 - not valid for any engine
            raise EngineError(f"this WebAssembly module is not valid: {first}") from exc
        raise EngineError(
            f"the stepper cannot run this module: {first} (it runs WebAssembly 2.0 without "
            "SIMD; use engine='wasmtime' for newer features)") from exc
    try:
        return decode_module(wasm)
    except DecodeError as exc:
        raise EngineError(f"the stepper cannot read this module: {exc}") from exc


def _to_wasm(valtype: str, v: Any) -> Any:
    if valtype == "i32":
        return int(v) & M32
    if valtype == "i64":
        return int(v) & M64
    if valtype == "f32":
        return tf(float(v))
    if valtype == "f64":
        return float(v)
    return v


def _from_wasm(valtype: str, v: Any) -> Any:
    if valtype == "i32":
        return s32(v)
    if valtype == "i64":
        return s64(v)
    if valtype == "f32":
        return ff(v)
    return v


class StepperModule:
    """A module instantiated in the stepper, linked to a WASI host; its exports stay callable.

    ``exports`` maps each exported function to its signature text (``"(i32, i32) -> i32"``).
    :meth:`call` runs an export at full speed; :meth:`session` starts a recorded,
    step-by-step call instead. ``memory`` is linear memory 0 (a GuestMemory), or None.
    """

    def __init__(self, info: ModuleInfo, store: Store, instance: Instance, host: Any,
                 sandbox: Sandbox, cancel: threading.Event | None) -> None:
        self.info = info
        self.store = store
        self.instance = instance
        self.host = host
        self.sandbox = sandbox
        self.cancel = cancel
        self.memory: Memory | None = instance.memories[0] if instance.memories else None
        self.exports: dict[str, str] = {
            name: str(obj.type) for name, obj in instance.exports.items()
            if isinstance(obj, Function)
        }
        self.last_session: Session | None = None

    def function(self, name: str) -> Function:
        """The exported function ``name``; raises EngineError when there is none."""
        f = self.instance.exports.get(name)
        if not isinstance(f, Function):
            known = ", ".join(sorted(self.exports)) or "none"
            raise EngineError(f"the module exports no function named {name!r}; its functions "
                              f"are: {known}")
        return f

    def _args(self, f: Function, name: str, args: Sequence[Any]) -> list[Any]:
        if len(args) != len(f.type.params):
            raise EngineError(f"{name} takes {len(f.type.params)} argument(s) {f.type}, "
                              f"given {len(args)}")
        return [_to_wasm(t, a) for t, a in zip(f.type.params, args, strict=True)]

    def session(self, name: str = "_start", *args: Any, history_limit: int = 1_000_000,
                keep: str = "first") -> Session:
        """A stepping session for the call ``name(*args)``, before its first instruction;
        ``keep`` ("first" or "last") says which steps a long history keeps.

        Raises EngineError for an unknown export or a wrong number of arguments.
        """
        f = self.function(name)
        s = Session(self.store, self.instance, f, self._args(f, name, args),
                    history_limit=history_limit, keep=keep)
        self.last_session = s
        return s

    def call(self, name: str, *args: Any, record: bool = False) -> RunResult:
        """Runs export ``name`` to its end; a RunResult with this call's output and trace.

        With ``record=True`` the call is recorded (``result.stepper`` is its Session).
        Raises EngineError for an unknown export or a wrong number of arguments.
        """
        host = self.host
        n_out, n_err, n_ev = len(host.stdout), len(host.stderr), len(host.trace)
        session = self.session(name, *args)
        t0 = time.perf_counter_ns()
        fields = self._finish(session, record)
        result = RunResult(
            stdout=bytes(host.stdout[n_out:]), stderr=bytes(host.stderr[n_err:]),
            trace=Trace(host.trace.events[n_ev:], dropped=host.trace.dropped),
            sandbox=self.sandbox, engine="stepper", duration_ns=time.perf_counter_ns() - t0,
            memory_after=bytes(self.memory.data) if self.memory else None, module=self,
            **fields)
        result.stepper = session if record else None  # type: ignore[attr-defined]
        return result

    def _finish(self, session: Session, record: bool) -> dict[str, Any]:
        """Runs ``session`` to its end under the time limit and ``cancel``; RunResult fields."""
        limits = self.sandbox.limits
        self.host.deadline = (None if limits.timeout_s is None
                              else time.monotonic() + limits.timeout_s)
        with _Watch(self.store, limits.timeout_s, self.cancel):
            if record:
                session.run()
            else:
                session.history_limit = 0
                session.run()
        self.store.resume_tables()
        return self._outcome(session)

    def _outcome(self, session: Session) -> dict[str, Any]:
        out: dict[str, Any] = {"exit_code": None, "trap": None, "limit": None, "returned": None}
        exc = session.error
        if exc is None:
            out["exit_code"] = 0
            types = session.func.type.results
            out["returned"] = [_from_wasm(t, v) for t, v in
                               zip(types, session.returned or [], strict=False)]
            return out
        from ...wasi import LimitReached, ProcExit

        if isinstance(exc, ProcExit):
            out["exit_code"] = exc.code
        elif isinstance(exc, LimitReached):
            out["limit"] = exc.message
        elif isinstance(exc, WasmTrap) and exc.message == _TIMEOUT:
            out["limit"] = messages.t("limit_time", seconds=self.sandbox.limits.timeout_s or 0)
        else:
            message = exc.message if isinstance(exc, WasmTrap) else \
                f"internal error in the stepper ({type(exc).__name__}: {exc})"
            out["trap"] = Trap(message, self._frames(session))
        mem = self.memory
        if out["exit_code"] not in (0, None) and mem is not None and \
                len(mem.data) + 65536 > self.sandbox.limits.max_memory_mib * 1024 * 1024:
            out["limit"] = messages.t("limit_memory", mib=self.sandbox.limits.max_memory_mib)
            out["exit_code"] = None
        if out["limit"]:
            self.host.note("limit", "canceled", out["limit"])
        elif out["trap"] is not None:
            self.host.note("trap", "fault", out["trap"].message)
        return out

    def _frames(self, session: Session) -> list[Frame]:
        frames = []
        for func, offset in session.trap_frames:
            names = func.instance.info.func_names if func.instance is not None else {}
            frames.append(Frame(func.index, names.get(func.index), offset))
        return frames

    def layout(self) -> MemoryLayout | None:
        """The layout from the exported ``__data_end`` / ``__heap_base`` / ``__stack_pointer``."""
        values = {n: g.value for n, g in self.instance.exports.items()
                  if isinstance(g, Global) and n in ("__data_end", "__heap_base",
                                                     "__stack_pointer", "__global_base")}
        if not values:
            return None
        sp, end, heap = (values.get("__stack_pointer"), values.get("__data_end"),
                         values.get("__heap_base"))
        if sp is not None and end is not None and sp <= end:
            return MemoryLayout(data_start=values.get("__global_base", sp), data_end=end,
                                stack_low=0, stack_high=sp, heap_base=heap)
        return MemoryLayout(
            data_start=values.get("__global_base", 1024 if end is not None else None),
            data_end=end, stack_low=end if sp is not None else None, stack_high=sp,
            heap_base=heap)

    def __repr__(self) -> str:
        return f"<StepperModule exports={list(self.exports)}>"


class _Watch:
    """A thread that swaps in trapping handler tables on a timeout or a cancel."""

    def __init__(self, store: Store, timeout_s: float | None,
                 cancel: threading.Event | None) -> None:
        self.store = store
        self.timeout_s = timeout_s
        self.cancel = cancel
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Watch:
        if self.timeout_s is not None or self.cancel is not None:
            self.thread = threading.Thread(target=self._run, name="stepper-watch", daemon=True)
            self.thread.start()
        return self

    def _run(self) -> None:
        end = None if self.timeout_s is None else time.monotonic() + self.timeout_s
        while not self.done.wait(0.05):
            if self.cancel is not None and self.cancel.is_set():
                self.store.interrupt("interrupted")
                return
            if end is not None and time.monotonic() >= end:
                self.store.interrupt(_TIMEOUT)
                return

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


def load(wasm: bytes, sandbox: Sandbox | None = None, *,
         on_output: Callable[[str, bytes], None] | None = None,
         cancel: threading.Event | None = None) -> StepperModule | RunResult:
    """Instantiates ``wasm`` in the stepper with the WASI host (start function included).

    Returns the :class:`StepperModule`, or a RunResult when linking or the start function
    failed (a ``link error: ...`` trap, a trap, an exit). Raises EngineError for a module the
    stepper cannot run.
    """
    from ...wasi import WasiHost
    from ...wasi.fs import FsError

    sandbox = sandbox if sandbox is not None else Sandbox()
    info = validate(bytes(wasm))
    try:
        host = WasiHost(sandbox, on_output=on_output, cancel=cancel)
    except FsError as exc:
        raise EngineError(f"a preopened directory cannot be opened: {exc.note}") from exc
    pages = max(1, sandbox.limits.max_memory_mib * 16)
    store = Store(memory_limit_pages=pages)
    box: list[Any] = [Memory(0, 0)]
    funcs: dict[tuple[str, str], Function] = {}
    errors: list[str] = []
    for imp in info.imports:
        hi = host.lookup(imp.module, imp.name) if imp.kind == "func" else None
        if hi is not None and info.types[imp.desc] == FuncType(tuple(hi.params),  # type: ignore
                                                                tuple(hi.results)):
            funcs[(imp.module, imp.name)] = Function(
                info.types[imp.desc], host=_thunk(hi.call, box),  # type: ignore[index]
                name=f"{imp.module}.{imp.name}")
            continue
        errors.append(host.refuse_import(imp.module, imp.name, imp.kind))
    base = RunResult(stdout=b"", stderr=b"", exit_code=None, trap=None, limit=None,
                     trace=host.trace, sandbox=sandbox, engine="stepper")
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        base.trap = Trap(errors[0] + more)
        host.close()
        return base
    try:
        instance = store.instantiate(info, lambda m, n, k: funcs.get((m, n)), run_start=False)
    except LinkFailure as exc:
        base.trap = Trap(f"link error: {exc}")
        host.close()
        return base
    except WasmTrap as exc:
        if "over the limit" in exc.message:
            base.limit = messages.t("limit_memory", mib=sandbox.limits.max_memory_mib)
        else:
            base.trap = Trap(exc.message)
        host.close()
        return base
    if instance.memories:
        box[0] = instance.memories[0]
    module = StepperModule(info, store, instance, host, sandbox, cancel)
    if info.start is not None:
        start = instance.funcs[info.start]
        session = Session(store, instance, start, []) if start.host is None else None
        if session is not None:
            fields = module._finish(session, record=False)
            if fields["exit_code"] != 0:
                for key, value in fields.items():
                    setattr(base, key, value)
                base.stdout, base.stderr = bytes(host.stdout), bytes(host.stderr)
                host.close()
                return base
    return module


def _thunk(call: Callable[..., Any], box: list[Any]) -> Callable[..., Any]:
    def thunk(*args: Any) -> Any:
        return call(box[0], *args)
    return thunk


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
    record: bool = True,
    history_limit: int = 1_000_000,
    history: str = "first",
) -> RunResult:
    """Runs ``wasm`` in the stepper with our WASI host; see :func:`wasikernel.engines.run`.

    With ``record`` (the default) the run is recorded: ``result.stepper`` is the
    :class:`Session` to walk (``view(i)``, ``current()``, ``history``). ``history="first"``
    keeps the first ``history_limit`` steps and runs on at full speed past them;
    ``history="last"`` records to the end and keeps the latest steps (those before a trap).
    ``result.module`` is the live :class:`StepperModule` when ``keep`` is set or the module
    has no ``_start``.
    Raises EngineError for a module the stepper cannot run or an unknown export.
    """
    t0 = time.perf_counter_ns()
    loaded = load(wasm, sandbox, on_output=on_output, cancel=cancel)
    if isinstance(loaded, RunResult):
        loaded.layout = layout
        loaded.duration_ns = time.perf_counter_ns() - t0
        loaded.stepper = None  # type: ignore[attr-defined]
        return loaded
    module = loaded
    try:
        return _run_loaded(module, sandbox, t0, invoke, invoke_args, keep, layout, record,
                           history_limit, history)
    except BaseException:
        module.host.close()
        raise


def _run_loaded(module: StepperModule, sandbox: Sandbox, t0: int, invoke: str | None,
                invoke_args: Sequence[int | float], keep: bool, layout: MemoryLayout | None,
                record: bool, history_limit: int, history: str) -> RunResult:
    target = invoke
    if target is None:
        target = "_start" if "_start" in module.exports else None
    if target is not None and target != "_start" and "_initialize" in module.exports:
        first = module.call("_initialize")
        if first.exit_code != 0:
            first.trace = module.host.trace
            return first
    before = bytes(module.memory.data) if module.memory else None
    if target is None:
        if "_initialize" in module.exports:
            result = module.call("_initialize")
        else:
            result = RunResult(stdout=b"", stderr=b"", exit_code=0, trap=None, limit=None,
                               trace=Trace(), sandbox=sandbox, engine="stepper")
            result.stepper = None  # type: ignore[attr-defined]
        keep = True
    else:
        session = module.session(target, *(invoke_args if invoke else ()),
                                 history_limit=history_limit, keep=history)
        fields = module._finish(session, record)
        result = RunResult(stdout=b"", stderr=b"", trace=module.host.trace, sandbox=sandbox,
                           engine="stepper", **fields)
        result.stepper = session if record else None  # type: ignore[attr-defined]
    result.trace = module.host.trace
    result.stdout = bytes(module.host.stdout)
    result.stderr = bytes(module.host.stderr)
    result.memory_before = before
    result.memory_after = bytes(module.memory.data) if module.memory else None
    result.layout = layout or module.layout()
    result.duration_ns = time.perf_counter_ns() - t0
    result.module = module if keep else None
    if not keep:
        module.host.close()
    return result
