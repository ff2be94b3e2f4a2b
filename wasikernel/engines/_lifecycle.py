"""The one lifecycle of a run under our WASI host, the same for every hosted engine.

:func:`run_hosted` takes a :class:`~._engine.HostedEngine` and a :class:`~._engine.RunRequest`
and goes through the same steps for all of them:

1. open the host (the sandbox's folders) and link: each import is served by ``host.lookup``
   when the host has it with the same signature, else refused with ``host.refuse_import``
   (one ``phase="link"`` event each; the run ends with ``outcome == "link"``);
2. instantiate (the engine's part; a start function may already end the run);
3. pick what to run: ``invoke`` (after ``_initialize`` when the module has one), else
   ``_start``; a module with neither is only initialised and handed back live;
4. end the run (:func:`conclude`): a non-zero exit near the memory cap means the memory limit;
   a limit, a trap or a cancel adds one closing note to the trace;
5. copy the memory, hand back a live module when kept (whatever ended the call), and close the
   host's files otherwise.

An engine supplies only an :class:`Instance`: its function exports and how to call one of them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .. import messages
from .._records import record
from ..errors import EngineError
from ..result import INTERRUPTED, MemoryLayout, MemorySnapshot, RunResult, Trap
from ..trace import Trace

if TYPE_CHECKING:
    from ..sandbox import Limits, Sandbox
    from ._engine import HostedEngine, RunRequest

__all__ = [
    "Import", "Ending", "Instance", "read_imports", "open_host", "link", "run_hosted", "conclude",
    "call_kept", "refusal_result", "LAYOUT_GLOBALS", "layout_from_globals",
    "compile_for_reading", "imports_of", "function_exports",
]  # fmt: skip


@record(frozen=True)
class Import:
    """One import of a module: where from, what kind, and for a function its signature."""

    module: str
    name: str
    kind: str = "func"  # "func" | "memory" | "global" | "table"
    params: tuple[str, ...] | None = None
    results: tuple[str, ...] | None = None


@record
class Ending:
    """How one call ended: an exit code (0 when it returned), a trap, a limit, or a cancel."""

    exit_code: int | None = None
    trap: Trap | None = None
    limit: str | None = None
    returned: list[Any] | None = None
    interrupted: bool = False
    steps: Any = None

    @classmethod
    def returning(cls, values: Sequence[Any] | None) -> Ending:
        """The ending of a call that returned ``values``."""
        return cls(exit_code=0, returned=list(values or []))

    @property
    def ok(self) -> bool:
        """True when the call exited with 0 (or returned)."""
        return self.exit_code == 0 and self.trap is None and self.limit is None


class Instance(Protocol):
    """An instantiated module, as a hosted engine hands it to the lifecycle.

    ``exports`` maps each exported function to its signature text; ``call`` runs one under the
    sandbox's time limit and ``cancel`` and never raises for what the guest does (an unknown
    export or a wrong number of arguments raise EngineError).
    """

    exports: dict[str, str]

    def call(self, name: str, args: Sequence[int | float]) -> Ending: ...

    def memory_size(self) -> int: ...

    def snapshot(self) -> MemorySnapshot | bytes | None: ...

    def layout(self) -> MemoryLayout | None: ...

    def kept(self) -> Any: ...

    def close(self) -> None: ...


def compile_for_reading(wasm: bytes) -> Any:
    """Return ``wasm`` as a ``wasmtime.Module`` to read its imports and exports from.

    Raises EngineError when the module is not valid WebAssembly, or an import takes ``v128``.
    """
    import wasmtime

    from .wasmtime import refuse_v128_at_the_boundary

    refuse_v128_at_the_boundary(wasm, exports=False)  # only the imports are read here
    try:
        return wasmtime.Module(_reader(), wasm)
    except wasmtime.WasmtimeError as exc:
        raise EngineError(messages.t("engine_invalid_module", error=_first_line(exc))) from exc


def imports_of(module: Any) -> list[Import]:
    """Return the imports of a ``wasmtime.Module``."""
    import wasmtime

    out = []
    for imp in module.imports:
        ty = imp.type
        if isinstance(ty, wasmtime.FuncType):
            params, results = tuple(str(p) for p in ty.params), tuple(str(r) for r in ty.results)
            out.append(Import(imp.module, imp.name or "", "func", params, results))
        else:
            kind = type(ty).__name__.removesuffix("Type").lower()
            out.append(Import(imp.module, imp.name or "", kind))
    return out


def function_exports(wasm: bytes) -> dict[str, tuple[str, ...]]:
    """Return the function exports of a core module: name -> parameter types, read by our own
    reader (asking wasmtime-py for a function type with ``v128`` in it ends the process).

    Raises EngineError when the module's sections cannot be read.
    """
    from ..wasm import DecodeError, boundary_signatures

    try:
        return {name: params for name, (params, _) in boundary_signatures(wasm)[1].items()}
    except DecodeError as exc:
        raise EngineError(messages.t("engine_invalid_module", error=str(exc))) from exc


def read_imports(wasm: bytes) -> list[Import]:
    """Return the imports of ``wasm`` (read by wasmtime, which also validates the module).

    Raises EngineError when the module is not valid WebAssembly.
    """
    return imports_of(compile_for_reading(wasm))


_READER: list[Any] = []


def _reader() -> Any:
    """One wasmtime engine with its default features, only to read and validate modules."""
    if not _READER:
        import wasmtime

        _READER.append(wasmtime.Engine())
    return _READER[0]


#: the exported globals a compiled C or Rust module describes its memory with
LAYOUT_GLOBALS = ("__data_end", "__heap_base", "__stack_pointer", "__global_base")


def layout_from_globals(values: dict[str, int]) -> MemoryLayout | None:
    """Return the memory layout the values of :data:`LAYOUT_GLOBALS` describe (None without
    any): the shadow stack below the data when ``__stack_pointer <= __data_end`` (zig cc's
    ``--stack-first``), above it otherwise."""
    if not values:
        return None
    sp, end = values.get("__stack_pointer"), values.get("__data_end")
    heap = values.get("__heap_base")
    if sp is not None and end is not None and sp <= end:
        return MemoryLayout(data_start=values.get("__global_base", sp), data_end=end,
                            stack_low=0, stack_high=sp, heap_base=heap)  # fmt: skip
    return MemoryLayout(
        data_start=values.get("__global_base", 1024 if end is not None else None),
        data_end=end, stack_low=end if sp is not None else None, stack_high=sp, heap_base=heap,
    )  # fmt: skip


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_host(request: RunRequest, **options: Any) -> Any:
    """Return the WASI host of ``request`` (its sandbox's folders opened).

    Raises EngineError when a granted folder cannot be opened.
    """
    from ..wasi import WasiHost
    from ..wasi.fs import FsError

    try:
        return WasiHost(request.sandbox, on_output=request.on_output, cancel=request.cancel,
                        **options)  # fmt: skip
    except FsError as exc:
        raise EngineError(messages.t("engine_preopen_unopenable", note=exc.note)) from exc


def _signature(params: Sequence[str], results: Sequence[str]) -> str:
    shown = f"({', '.join(params)}) -> "
    return shown + (results[0] if len(results) == 1 else f"({', '.join(results)})")


def link(host: Any, imports: Sequence[Import]) -> tuple[dict[tuple[str, str], Any], str | None]:
    """Serve each import from ``host``; return ``(module, name) -> HostImport`` and the link
    error of the first import refused (None when every import is served)."""
    linked: dict[tuple[str, str], Any] = {}
    errors: list[str] = []
    for imp in imports:
        hi = host.lookup(imp.module, imp.name) if imp.kind == "func" else None
        if hi is not None and (imp.params, imp.results) == (tuple(hi.params), tuple(hi.results)):
            linked[(imp.module, imp.name)] = hi
            continue
        kind = imp.kind
        if hi is not None:
            kind = (
                f"{_signature(imp.params or (), imp.results or ())}, but WASI declares "
                f"{_signature(hi.params, hi.results)}"
            )
        errors.append(host.refuse_import(imp.module, imp.name, kind))
    if not errors:
        return linked, None
    more = messages.t("link_refused_more", n=len(errors) - 1) if len(errors) > 1 else ""
    return linked, errors[0] + (f" {more}" if more else "")


def refusal_result(request: RunRequest, engine: str, refused: Sequence[Import]) -> RunResult:
    """The RunResult of a run refused at link time: one ``phase="link"`` event per import."""
    from ..wasi import WasiHost

    host = WasiHost(request.sandbox)
    try:
        _, message = link(host, refused)
    finally:
        host.close()
    return RunResult(
        stdout=b"", stderr=b"", exit_code=None, trap=Trap(message or "link error"), limit=None,
        trace=host.trace, sandbox=request.sandbox, engine=engine, layout=request.layout,
        outcome="link",
    )  # fmt: skip


def conclude(ending: Ending, memory_size: int, host: Any, limits: Limits) -> Ending:
    """End a call the same way under every engine, and return ``ending``.

    A non-zero exit with the memory within a page of its cap is the memory limit (libc's
    malloc exits when ``memory.grow`` fails), and so is a memory found past its cap (an engine
    that cannot stop a grow at the cap exactly); a cancel is the trap ``interrupted``. A limit, a
    trap or a cancel adds its closing note to the trace: ``limit``/``canceled``,
    ``trap``/``fault``, ``interrupted``/``canceled``.
    """
    if ending.interrupted and ending.trap is None:
        ending.trap = Trap(INTERRUPTED)
    cap = limits.max_memory_mib * 1024 * 1024
    if ending.limit is None and (
        memory_size > cap
        or (ending.trap is None and ending.exit_code not in (0, None) and memory_size + 65536 > cap)
    ):
        ending.limit = messages.t("limit_memory", mib=limits.max_memory_mib)
        ending.exit_code, ending.trap = None, None
    if ending.limit is not None:
        ending.exit_code = None
        host.note("limit", "canceled", ending.limit)
    elif ending.interrupted:
        host.note("interrupted", "canceled", ending.trap.message)
    elif ending.trap is not None:
        host.note("trap", "fault", ending.trap.message)
    return ending


def _apply(result: RunResult, ending: Ending) -> None:
    result.exit_code, result.trap, result.limit = ending.exit_code, ending.trap, ending.limit
    result.returned, result.steps = ending.returned, ending.steps
    result.outcome = RunResult.outcome_of(ending.exit_code, ending.trap, ending.limit,
                                          ending.interrupted)  # fmt: skip


def call_kept(
    instance: Instance,
    host: Any,
    sandbox: Sandbox,
    engine: str,
    name: str,
    args: Sequence[int | float],
    module: Any,
) -> RunResult:
    """Call export ``name`` of a kept module; the RunResult holds only this call's output and
    trace events. Raises EngineError for an unknown export or a wrong number of arguments."""
    n_out, n_err, n_ev = len(host.stdout), len(host.stderr), len(host.trace)
    start = time.perf_counter_ns()
    ending = conclude(instance.call(name, args), instance.memory_size(), host, sandbox.limits)
    result = RunResult(
        stdout=bytes(host.stdout[n_out:]), stderr=bytes(host.stderr[n_err:]),
        exit_code=None, trap=None, limit=None,
        trace=Trace(host.trace.events[n_ev:], dropped=host.trace.dropped),
        sandbox=sandbox, engine=engine, duration_ns=time.perf_counter_ns() - start,
        memory_after=instance.snapshot(), module=module,
    )  # fmt: skip
    _apply(result, ending)
    return result


def run_hosted(engine: HostedEngine, request: RunRequest) -> RunResult:
    """Run ``request`` under ``engine`` with our WASI host (the steps in the module's text).

    Raises EngineError when the module is invalid for the engine, a granted folder cannot be
    opened, or ``invoke`` names no exported function (or is given the wrong arguments).
    """
    start = time.perf_counter_ns()
    sandbox = request.sandbox
    loaded = engine.load(request)
    host = open_host(request)
    result = RunResult(
        stdout=b"", stderr=b"", exit_code=None, trap=None, limit=None, trace=host.trace,
        sandbox=sandbox, engine=engine.name, layout=request.layout,
    )  # fmt: skip
    instance: Instance | None = None
    keep = request.keep
    try:
        linked, refusal = link(host, loaded.imports)
        if refusal is not None:
            result.trap, result.outcome = Trap(refusal), "link"
            return result
        made = loaded.instantiate(host, linked)
        if isinstance(made, Ending):
            _apply(result, conclude(made, 0, host, sandbox.limits))
            return result
        instance = made
        if result.layout is None:
            result.layout = instance.layout()
        snapshots = request.snapshots
        result.memory_before = instance.snapshot() if snapshots else None
        target = request.invoke
        if target is None and "_start" in instance.exports:
            target = "_start"
        if target is None:  # neither invoke nor _start: initialise, and hand the module back
            keep = True
            ending = (
                instance.call("_initialize", ())
                if "_initialize" in instance.exports
                else Ending.returning(None)
            )
        else:
            if target != "_start" and "_initialize" in instance.exports:
                first = conclude(instance.call("_initialize", ()), instance.memory_size(), host,
                                 sandbox.limits)  # fmt: skip
                if not first.ok:
                    _apply(result, first)
                    return result
            ending = instance.call(target, request.invoke_args if request.invoke else ())
        _apply(result, conclude(ending, instance.memory_size(), host, sandbox.limits))
        result.memory_after = instance.snapshot() if snapshots else None
        if keep:  # after a limit too: the next call gets the whole limit again
            result.module = instance.kept()
        return result
    finally:
        result.stdout, result.stderr = bytes(host.stdout), bytes(host.stderr)
        result.duration_ns = time.perf_counter_ns() - start
        if result.module is None:
            host.close()
            if instance is not None:
                instance.close()
