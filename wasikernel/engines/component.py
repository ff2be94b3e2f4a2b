"""Running a component (WASI 0.2) under our preview 2 host, on wasmtime's component model.

The lifecycle is the core modules' one (:mod:`wasikernel.engines.wasmtime`): a fresh engine per
run with epoch interruption (a time limit or an interrupt ends the guest), a store whose limiter
bounds memory, compiled artefacts cached by content hash. What differs is the link step: every
imported interface the host does not provide is refused with one ``phase="link"`` event each,
then the host's interfaces are defined in a ``wasmtime.component.Linker``. The rest follows
the lifecycle of :mod:`wasikernel.engines._lifecycle`: a :class:`ComponentInstance` is its
``Instance`` (function exports and how to call one), the run calls ``invoke`` or else
``wasi:cli/run#run`` (``err`` is exit code 1, as under wasmtime), a component with neither is
handed back live, and so is a kept one (``keep=True``, ``--keep``), whose functions
``%call`` calls afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import wasmtime
from wasmtime import component as wc

from .. import messages
from ..errors import EngineError
from ..result import INTERRUPTED, RunResult, Trap
from ..sandbox import Sandbox
from ..wasi import LimitReached, ProcExit
from ..wasi.fs import FsError
from . import engines_taking, kind_of
from ._engine import Engine, RunRequest, dist_version, not_a_number, unknown_export, wrong_arity
from ._lifecycle import Ending, _apply, call_kept, conclude
from .wasmtime import _frames, _trap_message, _Watch, compile_cached, new_engine

__all__ = ["COMPONENTS", "ComponentEngine", "ComponentInstance", "LiveComponent", "run_component",
           "compile_component", "imported_interfaces", "function_exports", "function_params",
           "wave_call", "wit_value"]  # fmt: skip


def compile_component(engine: wasmtime.Engine, wasm: bytes) -> wc.Component:
    """Return ``wasm`` compiled for ``engine`` (once per content, in the core modules' cache).

    Raises EngineError when the bytes are not a valid component."""
    return compile_cached(
        engine, wasm, "component", wc.Component, wc.Component.deserialize,
        lambda exc: messages.t("component_invalid", error=_trap_message(exc)),
    )  # fmt: skip


def imported_interfaces(engine: wasmtime.Engine, component: wc.Component) -> list[str]:
    """The names of the instances ``component`` imports (``wasi:io/streams@0.2.12`` ...)."""
    return list(component.type.imports(engine))


def _wit_type(ty: Any) -> str:
    """A WIT value type as a word: ``u32``, ``string``, ``result`` ..."""
    return type(ty).__name__.removesuffix("Type").lower()


def function_exports(engine: wasmtime.Engine, component: wc.Component) -> dict[str, str]:
    """The functions ``component`` exports, each with its signature text: a top-level function
    by its name (``add``: ``"(u32, u32) -> u32"``), one of an exported interface as
    ``INTERFACE#NAME`` (``wasi:cli/run@0.2.12#run``: ``"() -> result"``)."""
    out: dict[str, str] = {}
    for name, ty in _functions(engine, component):
        params = ", ".join(_wit_type(t) for _, t in ty.params)
        result = "()" if ty.result is None else _wit_type(ty.result)
        out[name] = f"({params}) -> {result}"
    return out


def function_params(engine: wasmtime.Engine, component: wc.Component) -> dict[str, list[str]]:
    """The functions ``component`` exports (named as by :func:`function_exports`), each with
    the WIT types of its parameters as words."""
    return {name: [_wit_type(t) for _, t in ty.params]
            for name, ty in _functions(engine, component)}  # fmt: skip


def _functions(engine: wasmtime.Engine, component: wc.Component) -> Iterator[tuple[str, Any]]:
    for name, ext in component.type.exports(engine).items():
        ty = ext.ty
        if isinstance(ty, wc.ComponentInstanceType):
            for inner, inner_ext in ty.exports(engine).items():
                if isinstance(inner_ext.ty, wc.FuncType):
                    yield f"{name}#{inner}", inner_ext.ty
        elif isinstance(ty, wc.FuncType):
            yield name, ty


def wit_value(number: int | float, wit_type: str, name: str) -> Any:
    """``number`` as a value of the WIT type ``wit_type``, a parameter of the function
    ``name``. Raises EngineError when the type takes no number, or not this one."""
    if wit_type in ("f32", "f64"):
        return float(number)
    if wit_type == "bool" and number in (0, 1):
        return bool(number)
    low, high = _INT_RANGES.get(wit_type, (None, None))
    if low is None or not isinstance(number, int) or not low <= number <= high:
        if low is None:
            raise not_a_number(name, wit_type)
        raise EngineError(messages.t("option_component_int", option=name, value=number,
                                     type=wit_type, low=low, high=high))
    return number


def wave_call(wasm: bytes, name: str, args: Sequence[int | float]) -> str:
    """The call of the component's exported function ``name`` (named as by
    :func:`function_exports`) with ``args``, written in WAVE, as ``wasmtime run --invoke``
    takes it: ``add(40, 2)``, ``wasi:cli/run.run@0.2.12()``.

    Raises EngineError, with the sentences our host's call gives, when the bytes are not a
    valid component, there is no such function, or the arguments do not fit its parameters.
    """
    engine = new_engine()
    component = compile_component(engine, wasm)
    params = function_params(engine, component)
    if name not in params:
        raise unknown_export(name, params)
    if len(params[name]) != len(args):
        raise wrong_arity(name, len(params[name]), function_exports(engine, component)[name],
                          len(args))
    values = [_wave(wit_value(a, ty, name)) for a, ty in zip(args, params[name], strict=True)]
    iface, _, inner = name.rpartition("#")
    if iface:  # wasi:cli/run@0.2.12#run -> wasi:cli/run.run@0.2.12
        base, at, version = iface.partition("@")
        inner = f"{base}.{inner}{at}{version}"
    return f"{inner}({', '.join(values)})"


def _wave(value: int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return repr(value) if isinstance(value, float) else str(value)


def _is_run(name: str) -> bool:
    return name.startswith("wasi:cli/run@0.2.") and name.endswith("#run")


#: the integer types of WIT and the whole numbers each holds
_INT_RANGES = {f"{sign}{bits}": ((-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if sign == "s"
                                 else (0, (1 << bits) - 1))
               for sign in "su" for bits in (8, 16, 32, 64)}  # fmt: skip


class ComponentInstance:
    """A component instantiated under the preview 2 host, as the lifecycle calls it.

    ``exports`` maps each exported function to its signature text (see
    :func:`function_exports`); :meth:`call` runs one under the sandbox's time limit and
    ``cancel`` and returns how it ended, never raising for what the guest does. A component
    shows no linear memory: wasmtime-py does not reach a component's memories.
    """

    def __init__(self, engine: wasmtime.Engine, component: wc.Component, host: Any,
                 sandbox: Sandbox, cancel: threading.Event | None, engine_name: str) -> None:
        self.engine, self.component, self.host = engine, component, host
        self.sandbox, self.cancel, self.engine_name = sandbox, cancel, engine_name
        self.store = wasmtime.Store(engine)
        self.store.set_limits(memory_size=sandbox.limits.max_memory_mib * 1024 * 1024)
        self.instance: wc.Instance | None = None
        self.exports = function_exports(engine, component)
        self.run_name = next((name for name in self.exports if _is_run(name)), None)

    def instantiate(self, linker: wc.Linker) -> ComponentInstance | Ending:
        """Instantiate the component (its start functions run): self, or how it ended."""

        def make() -> None:
            self.instance = linker.instantiate(self.store, self.component)

        ending = self._guarded(make)
        return self if ending is None else ending

    def call(self, name: str, args: Sequence[int | float]) -> Ending:
        """Call the exported function ``name`` with ``args`` (numbers); how it ended.

        ``wasi:cli/run``'s ``run`` ends as a command does: exit code 0 for ``ok``, 1 for
        ``err``. Raises EngineError when there is no such function, or the arguments do not
        fit its parameters (their number, or a value a parameter's type cannot hold)."""
        assert self.instance is not None
        if name not in self.exports:
            raise unknown_export(name, self.exports)
        store = self.store
        iface, _, inner = name.rpartition("#")
        index = self.instance.get_export_index(store, iface) if iface else None
        func = self.instance.get_func(store, self.instance.get_export_index(store, inner, index))
        params = func.type(store).params
        if len(params) != len(args):
            raise wrong_arity(name, len(params), self.exports[name], len(args))
        values = [wit_value(a, _wit_type(ty), name) for a, (_, ty) in zip(args, params,
                                                                          strict=True)]
        box: list[Any] = []

        def call() -> None:
            box.append(func(store, *values))
            func.post_return(store)

        ending = self._guarded(call)
        if ending is not None:
            return ending
        value = box[0]
        if _is_run(name):
            return Ending(exit_code=0 if getattr(value, "tag", "ok") == "ok" else 1)
        if value is None:
            return Ending.returning(None)
        from ..wasi.p2._host import shown_value

        return Ending.returning([shown_value(value)])  # a record as a dict, as the trace

    def _guarded(self, action: Callable[[], None]) -> Ending | None:
        """Run ``action`` (into the guest) under the time limit and ``cancel``: None when it
        returned, else how it ended (an exit, a limit, a trap, an interrupt)."""
        from ..wasi.p2 import HostTrap

        limits = self.sandbox.limits
        self.host.deadline = (None if limits.timeout_s is None
                              else time.monotonic() + limits.timeout_s)  # fmt: skip
        watch = _Watch(self.engine, limits.timeout_s, self.cancel)
        self.store.set_epoch_deadline(1)
        try:
            with watch:
                action()
            return None
        except ProcExit as exc:
            return Ending(exit_code=exc.code)
        except LimitReached as exc:
            return Ending(limit=exc.message)
        except HostTrap as exc:
            return Ending(trap=Trap(exc.message))
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            code = getattr(exc, "trap_code", None)
            if watch.fired == "time" or (code == wasmtime.TrapCode.INTERRUPT and not watch.fired):
                return Ending(limit=messages.t("limit_time", seconds=limits.timeout_s or 0))
            if watch.fired == "cancel":
                return Ending(trap=Trap(INTERRUPTED, _frames(exc)), interrupted=True)
            text = str(exc)
            if "memory" in text and ("limit" in text or "maximum" in text):
                return Ending(limit=messages.t("limit_memory", mib=limits.max_memory_mib))
            message = _trap_message(exc)
            if "handle index" in message:  # a borrowed or stale handle, say so
                message = messages.t("p2_bad_handle", detail=message)
            return Ending(trap=Trap(message, _frames(exc)))

    def memory_size(self) -> int:
        """0: a component's memories are out of wasmtime-py's reach."""
        return 0

    def snapshot(self) -> None:
        """None: a component's memories are out of wasmtime-py's reach."""
        return None

    def layout(self) -> None:
        """None: a component's memories are out of wasmtime-py's reach."""
        return None

    def kept(self) -> LiveComponent:
        """The live component a kept run hands back."""
        return LiveComponent(self)

    def close(self) -> None:
        """Release the guest's resources and the preopened folders (the run is over)."""
        host = self.host
        for obj in list(host.table.values()):
            try:
                obj.close()
            except Exception:
                pass
        host.table.clear()
        host.close_filesystems()


class LiveComponent:
    """An instantiated component whose exported functions can still be called.

    ``exports`` maps each function to its signature text (``"(u32, u32) -> u32"``);
    :meth:`call` runs one and returns a RunResult with only that call's new output and trace
    events.
    """

    #: what a command runs (a core module's is ``_start``)
    entry_point = "wasi:cli/run"

    def __init__(self, instance: ComponentInstance) -> None:
        self._instance = instance
        self.exports: dict[str, str] = dict(instance.exports)

    def call(self, name: str, *args: int | float) -> RunResult:
        """Call the function ``name`` with ``args``; raises EngineError for an unknown one or
        arguments that do not fit it."""
        i = self._instance
        return call_kept(i, i.host, i.sandbox, i.engine_name, name, args, self)

    def memory(self) -> None:
        """None: a component's memories are out of wasmtime-py's reach."""
        return None

    def __repr__(self) -> str:
        return f"<LiveComponent exports={list(self.exports)}>"


def run_component(
    wasm: bytes,
    sandbox: Sandbox,
    *,
    on_output: Callable[[str, bytes], None] | None = None,
    cancel: threading.Event | None = None,
    trace: bool = True,
    engine_name: str = "wasmtime",
    invoke: str | None = None,
    invoke_args: Sequence[int | float] = (),
    keep: bool = False,
    **_ignored: Any,
) -> RunResult:
    """Run the component ``wasm`` under the preview 2 host, as the lifecycle runs a module.

    Without ``invoke`` its ``wasi:cli/run`` runs; with it, the exported function ``invoke``
    (see :func:`function_exports` for the names) is called with ``invoke_args`` and its value
    lands in ``RunResult.returned``. A component that exports no ``wasi:cli/run`` (and is given
    no ``invoke``) is only instantiated and handed back live in ``RunResult.module``, as is any
    run with ``keep=True``. A trap, an exit, a limit or an interface the host does not provide
    is reported in the RunResult, never raised. ``trace=False`` runs the host without its
    recording wrapper. Raises EngineError when the bytes are not a valid component, a preopened
    folder cannot be opened, or ``invoke`` names no exported function (or is given arguments
    that do not fit it).
    """
    from ..wasi.p2 import ComponentHost

    start = time.perf_counter_ns()
    engine = new_engine()
    component = compile_component(engine, wasm)
    try:
        host = ComponentHost(sandbox, on_output=on_output, cancel=cancel, trace=trace)
    except FsError as exc:
        raise EngineError(messages.t("engine_preopen_unopenable", note=exc.note)) from exc
    result = RunResult(
        stdout=b"", stderr=b"", exit_code=None, trap=None, limit=None, trace=host.trace,
        sandbox=sandbox, engine=engine_name,
    )  # fmt: skip
    limits = sandbox.limits
    instance = ComponentInstance(engine, component, host, sandbox, cancel, engine_name)
    try:
        missing = [n for n in imported_interfaces(engine, component) if not host.provides(n)]
        if missing:
            errors = [host.refuse_import(name) for name in missing]
            more = (" " + messages.t("link_refused_more", n=len(errors) - 1)
                    if len(errors) > 1 else "")  # fmt: skip
            result.trap = Trap(errors[0] + more)
            result.outcome = "link"
            return result
        linker = wc.Linker(engine)
        host.link(linker)
        made = instance.instantiate(linker)
        if isinstance(made, Ending):
            _apply(result, conclude(made, 0, host, limits))
            return result
        target = invoke if invoke is not None else instance.run_name
        if target is None:  # neither invoke nor wasi:cli/run: hand the component back
            keep = True
            ending = Ending.returning(None)
        else:
            ending = instance.call(target, invoke_args if invoke is not None else ())
        _apply(result, conclude(ending, 0, host, limits))
        if keep:  # after a limit too: the next call gets the whole limit again
            result.module = instance.kept()
        return result
    finally:
        result.stdout = bytes(host.stdout)
        result.stderr = bytes(host.stderr)
        result.duration_ns = time.perf_counter_ns() - start
        if result.module is None:
            instance.close()


class ComponentEngine(Engine):
    """Components on wasmtime's component model under our preview 2 host (traced).

    Registered as ``wasmtime-p2``; :func:`wasikernel.engines.run` also hands it the components
    asked of ``wasmtime`` (the same host's preview 1 face). A kept run hands back a
    :class:`LiveComponent`.
    """

    name = "wasmtime-p2"
    title = "wasmtime (component model), wasikernel's preview 2 host"
    install = "pip install wasmtime"
    takes = frozenset({"component"})

    def available(self) -> str | None:
        """None: wasmtime-py's component model is imported with this module."""
        return None

    def version(self) -> str | None:
        """wasmtime-py's version."""
        return (dist_version("wasmtime") or "").replace("wasmtime", "wasmtime-py") or None

    def run(self, request: RunRequest) -> RunResult:
        """Run the component of ``request``; see :func:`run_component`.

        Raises EngineError for a core module, an invalid component, or an ``invoke`` that
        names no exported function or is given arguments that do not fit it."""
        if kind_of(request.wasm) != "component":
            raise EngineError(messages.t("engine_takes_no_module", engine=self.name,
                                         engines=", ".join(engines_taking("module"))))
        return run_component(
            request.wasm, request.sandbox, on_output=request.on_output, cancel=request.cancel,
            engine_name=self.name, invoke=request.invoke, invoke_args=request.invoke_args,
            keep=request.keep,
        )


#: the one component engine
COMPONENTS = ComponentEngine()
