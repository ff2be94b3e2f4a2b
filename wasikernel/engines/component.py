"""Running a component (WASI 0.2) under our preview 2 host, on wasmtime's component model.

The lifecycle is the core modules' one (:mod:`wasikernel.engines.wasmtime`): a fresh engine per
run with epoch interruption (a time limit or an interrupt ends the guest), a store whose limiter
bounds memory, compiled artefacts cached by content hash. What differs is the link step: every
imported interface the host does not provide is refused with one ``phase="link"`` event each,
then the host's interfaces are defined in a ``wasmtime.component.Linker`` and the export
``wasi:cli/run#run`` is called. ``run`` returning ``err`` is exit code 1, as under wasmtime.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import wasmtime
from wasmtime import component as wc

from .. import messages
from ..errors import EngineError
from ..result import RunResult, Trap
from ..sandbox import Sandbox
from ..wasi import LimitReached, ProcExit
from ..wasi.fs import FsError
from . import engines_taking, kind_of
from ._engine import Engine, RunRequest, dist_version
from .wasmtime import _frames, _trap_message, _Watch, compile_cached, new_engine

__all__ = ["COMPONENTS", "ComponentEngine", "run_component", "compile_component",
           "imported_interfaces"]  # fmt: skip

def compile_component(engine: wasmtime.Engine, wasm: bytes) -> wc.Component:
    """Return ``wasm`` compiled for ``engine`` (once per content, in the core modules' cache).

    Raises EngineError when the bytes are not a valid component."""
    return compile_cached(
        engine, wasm, "component", wc.Component, wc.Component.deserialize,
        lambda exc: f"the component is not valid: {_trap_message(exc)}",
    )  # fmt: skip


def imported_interfaces(engine: wasmtime.Engine, component: wc.Component) -> list[str]:
    """The names of the instances ``component`` imports (``wasi:io/streams@0.2.12`` ...)."""
    return list(component.type.imports(engine))


def _run_export(instance: wc.Instance, store: wasmtime.Store) -> wc.Func | None:
    for name in ("wasi:cli/run@0.2.12", *_RUN_NAMES):
        index = instance.get_export_index(store, name)
        if index is not None:
            run = instance.get_export_index(store, "run", index)
            if run is not None:
                return instance.get_func(store, run)
    return None


_RUN_NAMES = tuple(f"wasi:cli/run@0.2.{n}" for n in range(0, 20))


def run_component(
    wasm: bytes,
    sandbox: Sandbox,
    *,
    on_output: Callable[[str, bytes], None] | None = None,
    cancel: threading.Event | None = None,
    trace: bool = True,
    engine_name: str = "wasmtime",
    **_ignored: Any,
) -> RunResult:
    """Run the component ``wasm`` (a ``wasi:cli/command``) under the preview 2 host.

    A trap, an exit, a limit or an interface the host does not provide is reported in the
    RunResult, never raised. ``trace=False`` runs the host without its recording wrapper.
    Raises EngineError when the bytes are not a valid component, export no ``wasi:cli/run``,
    or a preopened folder cannot be opened.
    """
    from ..wasi.p2 import ComponentHost, HostTrap

    start = time.perf_counter_ns()
    engine = new_engine()
    component = compile_component(engine, wasm)
    try:
        host = ComponentHost(sandbox, on_output=on_output, cancel=cancel, trace=trace)
    except FsError as exc:
        raise EngineError(f"a preopened directory cannot be opened: {exc.note}") from exc
    result = RunResult(
        stdout=b"", stderr=b"", exit_code=None, trap=None, limit=None, trace=host.trace,
        sandbox=sandbox, engine=engine_name,
    )  # fmt: skip
    limits = sandbox.limits
    store = wasmtime.Store(engine)
    store.set_epoch_deadline(1)
    store.set_limits(memory_size=limits.max_memory_mib * 1024 * 1024)
    linker = wc.Linker(engine)
    try:
        missing = [n for n in imported_interfaces(engine, component) if not host.provides(n)]
        if missing:
            errors = [host.refuse_import(name) for name in missing]
            more = (" " + messages.t("link_refused_more", n=len(errors) - 1)
                    if len(errors) > 1 else "")  # fmt: skip
            result.trap = Trap(errors[0] + more)
            result.outcome = "link"
            return result
        host.link(linker)
        watch = _Watch(engine, limits.timeout_s, cancel)
        host.deadline = None if limits.timeout_s is None else time.monotonic() + limits.timeout_s
        try:
            with watch:
                instance = linker.instantiate(store, component)
                run = _run_export(instance, store)
                if run is None:
                    raise EngineError(
                        "the component exports no wasi:cli/run: it is not a command "
                        "(wrap a preview 1 program with `wasikernel component new`)"
                    )
                outcome = run(store)
            result.exit_code = 0 if getattr(outcome, "tag", "ok") == "ok" else 1
        except ProcExit as exc:
            result.exit_code = exc.code
        except LimitReached as exc:
            result.limit = exc.message
        except HostTrap as exc:
            result.trap = Trap(exc.message)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            code = getattr(exc, "trap_code", None)
            if watch.fired == "time" or (code == wasmtime.TrapCode.INTERRUPT and not watch.fired):
                result.limit = messages.t("limit_time", seconds=limits.timeout_s or 0)
            elif watch.fired == "cancel":
                result.trap = Trap("interrupted", _frames(exc))
            else:
                text = str(exc)
                if "memory" in text and ("limit" in text or "maximum" in text):
                    result.limit = messages.t("limit_memory", mib=limits.max_memory_mib)
                else:
                    message = _trap_message(exc)
                    if "handle index" in message:  # a borrowed or stale handle, say so
                        message = messages.t("p2_bad_handle", detail=message)
                    result.trap = Trap(message, _frames(exc))
        interrupted = watch.fired == "cancel"
        result.outcome = RunResult.outcome_of(
            result.exit_code, result.trap, result.limit, interrupted
        )
        if result.limit:
            host.note("limit", "canceled", result.limit)
        elif result.trap is not None:
            host.note("trap", "fault", result.trap.message)
        return result
    finally:
        result.stdout = bytes(host.stdout)
        result.stderr = bytes(host.stderr)
        result.duration_ns = time.perf_counter_ns() - start
        for obj in list(host.table.values()):
            try:
                obj.close()
            except Exception:
                pass
        host.table.clear()
        host.close_filesystems()
        del store


class ComponentEngine(Engine):
    """Components on wasmtime's component model under our preview 2 host (traced).

    Registered as ``wasmtime-p2``; :func:`wasikernel.engines.run` also hands it the components
    asked of ``wasmtime`` (the same host's preview 1 face). It hands back no live instance
    (``keep`` is ignored: a command's one entry point is ``wasi:cli/run``).
    """

    name = "wasmtime-p2"
    title = "wasmtime (component model), wasikernel's preview 2 host"
    install = "pip install wasmtime"
    keeps = False
    takes = frozenset({"component"})

    def available(self) -> str | None:
        """None: wasmtime-py's component model is imported with this module."""
        return None

    def version(self) -> str | None:
        """wasmtime-py's version."""
        return (dist_version("wasmtime") or "").replace("wasmtime", "wasmtime-py") or None

    def run(self, request: RunRequest) -> RunResult:
        """Run the component of ``request``; see :func:`run_component`.

        Raises EngineError for a core module, an invalid component, or ``invoke`` asked of it."""
        if kind_of(request.wasm) != "component":
            raise EngineError(messages.t("engine_takes_no_module", engine=self.name,
                                         engines=", ".join(engines_taking("module"))))
        if request.invoke is not None:
            raise EngineError(messages.t("component_no_invoke"))
        return run_component(
            request.wasm, request.sandbox, on_output=request.on_output, cancel=request.cancel,
            engine_name=self.name,
        )


#: the one component engine
COMPONENTS = ComponentEngine()
