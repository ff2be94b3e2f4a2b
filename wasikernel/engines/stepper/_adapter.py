"""The stepper as an engine (:data:`STEPPER`): it instantiates a module and calls one export;
linking the host, choosing the export and ending the run are the lifecycle's
(:mod:`wasikernel.engines._lifecycle`), as for every engine that runs our host."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ... import messages
from ...errors import EngineError
from ...result import INTERRUPTED, Frame, MemoryLayout, MemorySnapshot, RunResult, Trap
from ...sandbox import Sandbox
from ...wasm import DecodeError, FuncType, ModuleInfo, decode_module
from .._engine import (
    NUMBER_TYPES,
    HostedEngine,
    RunRequest,
    not_a_number,
    signature_text,
    unknown_export,
    wrong_arity,
)
from .._lifecycle import (
    LAYOUT_GLOBALS,
    Ending,
    Import,
    call_kept,
    conclude,
    layout_from_globals,
    link,
    open_host,
    run_hosted,
)
from ._machine import Instance, LinkFailure, Store
from ._numeric import M32, M64, ff, s32, s64, tf
from ._numeric import Trap as WasmTrap
from ._objects import Function, Global, Memory
from ._session import Session

__all__ = ["STEPPER", "StepperEngine", "StepperModule", "load", "run_module"]

_TIMEOUT = "\0time limit"
_CANCELLED = "interrupted"
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

    Under Pyodide (a browser has no wasmtime) the browser's own engine validates it.

    Raises EngineError naming what is wrong (an invalid module, or a feature past 2.0).
    """
    if sys.platform == "emscripten":
        return _validate_in_browser(wasm)
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


def _validate_in_browser(wasm: bytes) -> ModuleInfo:
    import js
    from pyodide.ffi import to_js

    if not js.WebAssembly.validate(to_js(wasm)):
        raise EngineError("this WebAssembly module is not valid (the browser's engine refuses it)")
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
            raise unknown_export(name, self.exports)
        return f

    def _args(self, f: Function, name: str, args: Sequence[Any]) -> list[Any]:
        if len(args) != len(f.type.params):
            raise wrong_arity(name, len(f.type.params),
                              signature_text(f.type.params, f.type.results), len(args))
        for param in f.type.params:
            if str(param) not in NUMBER_TYPES:
                raise not_a_number(name, str(param))
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

        With ``record=True`` the call is recorded (``result.steps`` is its Session).
        Raises EngineError for an unknown export or a wrong number of arguments.
        """
        instance = _Instance(self, record=record)
        return call_kept(instance, self.host, self.sandbox, "stepper", name, args, self)

    def run_export(self, name: str, args: Sequence[Any], *, record: bool,
                   history_limit: int = 1_000_000, history: str = "first") -> Ending:
        """Runs export ``name`` to its end under the time limit and ``cancel``; how it ended
        (with the recorded Session in ``steps`` when ``record``).

        Raises EngineError for an unknown export or a wrong number of arguments.
        """
        session = self.session(name, *args, history_limit=history_limit, keep=history)
        ending = self._finish(session, record)
        ending.steps = session if record else None
        return ending

    def _finish(self, session: Session, record: bool) -> Ending:
        """Runs ``session`` to its end under the time limit and ``cancel``."""
        limits = self.sandbox.limits
        self.host.deadline = (None if limits.timeout_s is None
                              else time.monotonic() + limits.timeout_s)
        if not record:
            session.history_limit = 0
        with _Watch(self.store, limits.timeout_s, self.cancel):
            session.run()
        self.store.resume_tables()
        return self._ending(session)

    def _ending(self, session: Session) -> Ending:
        exc = session.error
        if exc is None:
            types = session.func.type.results
            return Ending.returning([_from_wasm(t, v) for t, v in
                                     zip(types, session.returned or [], strict=False)])
        from ...wasi import LimitReached, ProcExit

        if isinstance(exc, ProcExit):
            return Ending(exit_code=exc.code)
        if isinstance(exc, LimitReached):
            return Ending(limit=exc.message)
        if isinstance(exc, WasmTrap) and exc.message == _TIMEOUT:
            return Ending(limit=messages.t("limit_time",
                                           seconds=self.sandbox.limits.timeout_s or 0))
        if isinstance(exc, WasmTrap) and exc.message == _CANCELLED:
            return Ending(trap=Trap(INTERRUPTED, self._frames(session)), interrupted=True)
        message = exc.message if isinstance(exc, WasmTrap) else \
            f"internal error in the stepper ({type(exc).__name__}: {exc})"
        return Ending(trap=Trap(message, self._frames(session)))

    def _frames(self, session: Session) -> list[Frame]:
        frames = []
        for func, offset in session.trap_frames:
            names = func.instance.info.func_names if func.instance is not None else {}
            frames.append(Frame(func.index, names.get(func.index), offset))
        return frames

    def layout(self) -> MemoryLayout | None:
        """The layout from the exported ``__data_end`` / ``__heap_base`` / ``__stack_pointer``."""
        return layout_from_globals({n: g.value for n, g in self.instance.exports.items()
                                    if isinstance(g, Global) and n in LAYOUT_GLOBALS})

    def __repr__(self) -> str:
        return f"<StepperModule exports={list(self.exports)}>"


class _Watch:
    """A thread that swaps in trapping handler tables on a timeout or a cancel (none under
    Pyodide, which starts no thread: there the kernel's interrupt reaches the stepper's
    Python loop as KeyboardInterrupt, and no time limit applies)."""

    def __init__(self, store: Store, timeout_s: float | None,
                 cancel: threading.Event | None) -> None:
        self.store = store
        self.timeout_s = timeout_s
        self.cancel = cancel
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def __enter__(self) -> _Watch:
        if sys.platform != "emscripten" and (self.timeout_s is not None
                                             or self.cancel is not None):
            self.thread = threading.Thread(target=self._run, name="stepper-watch", daemon=True)
            self.thread.start()
        return self

    def _run(self) -> None:
        end = None if self.timeout_s is None else time.monotonic() + self.timeout_s
        while not self.done.wait(0.05):
            if self.cancel is not None and self.cancel.is_set():
                self.store.interrupt(_CANCELLED)
                return
            if end is not None and time.monotonic() >= end:
                self.store.interrupt(_TIMEOUT)
                return

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


class _Instance:
    """A StepperModule as the lifecycle sees it (see ``_lifecycle.Instance``)."""

    def __init__(self, module: StepperModule, *, record: bool = False,
                 history_limit: int = 1_000_000, history: str = "first") -> None:
        self.module = module
        self.exports = module.exports
        self.record, self.history_limit, self.history = record, history_limit, history

    def call(self, name: str, args: Sequence[int | float]) -> Ending:
        return self.module.run_export(name, args, record=self.record and name != "_initialize",
                                      history_limit=self.history_limit, history=self.history)

    def memory_size(self) -> int:
        return len(self.module.memory.data) if self.module.memory is not None else 0

    def snapshot(self) -> MemorySnapshot | bytes | None:
        memory = self.module.memory
        return MemorySnapshot.of(memory.data) if memory is not None else None

    def layout(self) -> MemoryLayout | None:
        return self.module.layout()

    def kept(self) -> StepperModule:
        return self.module

    def close(self) -> None:
        """Nothing to release: the module is plain Python objects."""


class _Loaded:
    """A validated, decoded module for one run."""

    def __init__(self, engine: StepperEngine, request: RunRequest) -> None:
        self.engine = engine
        self.request = request
        self.info = info = validate(bytes(request.wasm))
        self.imports = []
        for imp in info.imports:
            if imp.kind == "func":
                ty = info.types[imp.desc]  # type: ignore[index]
                self.imports.append(Import(imp.module, imp.name, "func", tuple(ty.params),
                                           tuple(ty.results)))
            else:
                self.imports.append(Import(imp.module, imp.name, imp.kind))

    def instantiate(self, host: Any, linked: dict[tuple[str, str], Any]) -> _Instance | Ending:
        """Instantiates with ``linked`` host functions and runs the start function."""
        info, sandbox = self.info, self.request.sandbox
        store = Store(memory_limit_pages=max(1, sandbox.limits.max_memory_mib * 16))
        box: list[Any] = [Memory(0, 0)]
        funcs = {key: Function(FuncType(tuple(hi.params), tuple(hi.results)),
                               host=_thunk(hi.call, box), name=f"{key[0]}.{key[1]}")
                 for key, hi in linked.items()}
        try:
            instance = store.instantiate(info, lambda m, n, k: funcs.get((m, n)),
                                         run_start=False)
        except LinkFailure as exc:
            return Ending(trap=Trap(f"link error: {exc}"))
        except WasmTrap as exc:
            if "over the limit" in exc.message:
                return Ending(limit=messages.t("limit_memory", mib=sandbox.limits.max_memory_mib))
            return Ending(trap=Trap(exc.message))
        if instance.memories:
            box[0] = instance.memories[0]
        module = StepperModule(info, store, instance, host, sandbox, self.request.cancel)
        if info.start is not None:
            start = instance.funcs[info.start]
            if start.host is None:
                ending = module._finish(Session(store, instance, start, []), record=False)
                if ending.exit_code != 0:
                    return ending
        return _Instance(module, record=self.engine.record,
                         history_limit=self.engine.history_limit, history=self.engine.history)


class StepperEngine(HostedEngine):
    """The stepper with our WASI host. ``record`` records the run (``result.steps``);
    ``history="first"`` keeps the first ``history_limit`` steps and runs on at full speed past
    them, ``history="last"`` records to the end and keeps the latest ones."""

    name = "stepper"
    title = "wasikernel step-through interpreter"
    install = "(part of wasikernel)"

    def __init__(self, *, record: bool = True, history_limit: int = 1_000_000,
                 history: str = "first") -> None:
        self.record, self.history_limit, self.history = record, history_limit, history

    def version(self) -> str | None:
        """The stepper is wasikernel's own: its version is wasikernel's."""
        from ... import __version__

        return f"wasikernel {__version__}"

    def load(self, request: RunRequest) -> _Loaded:
        """Validates and decodes ``request.wasm``.

        Raises EngineError for a module the stepper cannot run.
        """
        return _Loaded(self, request)


#: the engine ``stepper`` (its runs are recorded)
STEPPER = StepperEngine()


def load(wasm: bytes, sandbox: Sandbox | None = None, *,
         on_output: Callable[[str, bytes], None] | None = None,
         cancel: threading.Event | None = None) -> StepperModule | RunResult:
    """Instantiates ``wasm`` in the stepper with the WASI host (start function included).

    Returns the :class:`StepperModule`, or a RunResult when linking or the start function
    failed (``outcome`` ``"link"``, a trap, an exit). Raises EngineError for a module the
    stepper cannot run.
    """
    request = RunRequest(bytes(wasm), sandbox if sandbox is not None else Sandbox(),
                         on_output=on_output, cancel=cancel)
    loaded = STEPPER.load(request)
    host = open_host(request)
    linked, refusal = link(host, loaded.imports)
    made: _Instance | Ending = Ending(trap=Trap(refusal)) if refusal else \
        loaded.instantiate(host, linked)
    if isinstance(made, _Instance):
        return made.module
    ending = conclude(made, 0, host, request.sandbox.limits) if refusal is None else made
    host.close()
    result = RunResult(stdout=bytes(host.stdout), stderr=bytes(host.stderr), exit_code=None,
                       trap=None, limit=None, trace=host.trace, sandbox=request.sandbox,
                       engine="stepper")
    result.exit_code, result.trap, result.limit = ending.exit_code, ending.trap, ending.limit
    result.outcome = "link" if refusal is not None else RunResult.outcome_of(
        ending.exit_code, ending.trap, ending.limit, ending.interrupted)
    return result


def _thunk(call: Callable[..., Any], box: list[Any]) -> Callable[..., Any]:
    def thunk(*args: Any) -> Any:
        return call(box[0], *args)
    return thunk


def run_module(wasm: bytes, sandbox: Sandbox, *, record: bool = True,
               history_limit: int = 1_000_000, history: str = "first",
               **keywords: Any) -> RunResult:
    """Runs ``wasm`` in the stepper with our WASI host; the other keywords are those of
    :func:`wasikernel.engines.run`.

    With ``record`` (the default) the run is recorded: ``result.steps`` is the
    :class:`Session` to walk (``view(i)``, ``current()``, ``history``). ``history="first"``
    keeps the first ``history_limit`` steps and runs on at full speed past them;
    ``history="last"`` records to the end and keeps the latest steps (those before a trap).
    ``result.module`` is the live :class:`StepperModule` when ``keep`` is set or the module
    has no ``_start``.
    Raises EngineError for a module the stepper cannot run or an unknown export.
    """
    engine = StepperEngine(record=record, history_limit=history_limit, history=history)
    return run_hosted(engine, RunRequest(bytes(wasm), sandbox, **keywords))
