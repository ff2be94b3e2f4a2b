"""Engines: what instantiates a module, links the WASI host, runs it, and reports.

:func:`run` is the one entry point. :data:`REGISTRY` (also named ``ENGINES``) maps each engine
name to its :class:`~._engine.Engine`; the CLI, the kernel, ``doctor`` and the runtime
comparison all loop over it. Every engine follows the same protocol (``name``, ``traced``,
``confines_folders``, ``available() -> reason | None``, ``version()``, ``run(request)``) and
plugs in at one of two levels (see :mod:`._engine`):

* engines that run our traced WASI host (:class:`~._engine.HostedEngine`): ``wasmtime`` (the
  default), ``pulley``, ``stepper``, ``wasm3``, and ``browser`` (the browser's own engine,
  under Pyodide only); they go through the one lifecycle of :mod:`._lifecycle`;
  ``wasmtime-p2`` runs components (WASI 0.2) under our traced preview 2 host, on wasmtime's
  component model (:mod:`.component`);
* engines that bring their own WASI (:class:`~._engine.OwnWasiEngine`): ``node``, the
  runtimes that Python packages bring (``pywasm``, ``wasmer-sdk``) and the runtimes' command
  lines (``wasmtime-cli``, ``wasmedge``, ``wasmer``, ``iwasm``); they are not traced, and
  refuse a granted folder they cannot confine and a capability they cannot give (``node`` and
  ``pywasm`` follow the links a guest makes out of a folder, so they are given none).

An engine's code is imported the first time it is asked anything, so naming the engines costs
nothing at start-up. A new engine is one entry in :data:`REGISTRY`.

Each engine says which kinds of binary it ``takes`` (core modules, components). :func:`run`
tells a component from a core module by its header and hands it to an engine that takes it:
``wasmtime`` and ``wasmtime-p2`` are the two faces of our host on wasmtime (preview 1 for core
modules, preview 2 for components), so either name runs either kind; any other engine is asked
only for what it takes.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import messages
from ..errors import EngineError
from ..result import MemoryLayout, RunResult
from ..sandbox import Sandbox
from ._engine import LIBC_HOOK, Engine, HostedEngine, OwnWasiEngine, RunRequest

__all__ = [
    "REGISTRY", "ENGINES", "Engine", "HostedEngine", "OwnWasiEngine", "RunRequest", "find",
    "run", "load_module_bytes", "is_component", "kind_of", "engine_for", "engines_taking",
    "OUR_WASMTIME", "default_engine", "serves_libc_hook", "LIBC_HOOK",
]  # fmt: skip


class _Deferred:
    """A registry entry whose engine is imported on first use; it answers as the engine."""

    def __init__(self, name: str, where: str, attribute: str) -> None:
        self.name = name
        self._where = where
        self._attribute = attribute
        self._engine: Engine | None = None

    def load(self) -> Engine:
        """Return the engine itself; raises ImportError when its code cannot be imported."""
        if self._engine is None:
            found: Any = importlib.import_module(self._where)
            for part in self._attribute.split("."):
                found = found[part] if isinstance(found, Mapping) else getattr(found, part)
            self._engine = found
        return self._engine

    def available(self) -> str | None:
        """None when the engine can run here, else why not (its code not importable, say)."""
        try:
            engine = self.load()
        except ImportError as exc:
            return messages.t("engine_not_loadable", name=self.name, error=exc)
        return engine.available()

    def run(self, request: RunRequest) -> RunResult:
        """Run ``request`` under the engine. Raises EngineError when it cannot be loaded."""
        try:
            engine = self.load()
        except ImportError as exc:
            raise EngineError(messages.t("engine_not_loadable", name=self.name,
                                         error=exc)) from exc  # fmt: skip
        return engine.run(request)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.load(), attribute)

    def __repr__(self) -> str:
        return f"<engine {self.name!r}>"


class _Registry(Mapping[str, Any]):
    """Engine name -> engine, in the order doctor and the comparison list them."""

    def __init__(self, entries: Sequence[tuple[str, str, str]]) -> None:
        self._entries = {name: _Deferred(name, where, attr) for name, where, attr in entries}

    def __getitem__(self, name: str) -> Any:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


#: engine name -> engine (first the ones that run our traced host, then those with their own WASI)
REGISTRY = _Registry([
    ("wasmtime", "wasikernel.engines.wasmtime", "WASMTIME"),
    ("wasmtime-p2", "wasikernel.engines.component", "COMPONENTS"),
    ("stepper", "wasikernel.engines.stepper", "STEPPER"),
    ("pulley", "wasikernel.engines.pulley", "PULLEY"),
    ("wasm3", "wasikernel.engines.wasm3", "WASM3"),
    ("browser", "wasikernel.engines.browser", "BROWSER"),
    ("node", "wasikernel.engines.node", "NODE"),
    ("wasmtime-cli", "wasikernel.engines.cli", "RUNTIMES.wasmtime-cli"),
    ("pywasm", "wasikernel.engines.python_runtimes", "PYWASM"),
    ("wasmer-sdk", "wasikernel.engines.python_runtimes", "WASMER_SDK"),
    ("wasmedge", "wasikernel.engines.cli", "RUNTIMES.wasmedge"),
    ("wasmer", "wasikernel.engines.cli", "RUNTIMES.wasmer"),
    ("iwasm", "wasikernel.engines.cli", "RUNTIMES.iwasm"),
])  # fmt: skip

#: the same registry under its older name
ENGINES = REGISTRY

_WASM_MAGIC = b"\0asm"

#: our host on wasmtime, by the kind of binary it runs: either name runs either kind
OUR_WASMTIME = {"module": "wasmtime", "component": "wasmtime-p2"}


def default_engine() -> str:
    """The engine a run gets when none is named: ``browser`` under Pyodide (the only one
    there), ``wasmtime`` everywhere else."""
    import sys

    return "browser" if sys.platform == "emscripten" else "wasmtime"


def find(engine: str) -> Any:
    """Return the registered engine named ``engine``.

    Raises EngineError naming the engines when there is none of that name.
    """
    try:
        return REGISTRY[engine]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise EngineError(f"unknown engine {engine!r}; the engines are: {known}") from None


def load_module_bytes(module: bytes | str | os.PathLike) -> bytes:
    """Return the wasm bytes of ``module`` (bytes, a path, or WAT text).

    Raises EngineError when the file is missing or is not a wasm module (nor WAT text).
    """
    if isinstance(module, (bytes, bytearray, memoryview)):
        data = bytes(module)
    else:
        text = os.fspath(module)
        if isinstance(module, str) and text.lstrip().startswith("("):
            data = text.encode()
        else:
            path = Path(text)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise EngineError(f"cannot read the module {text}: {exc.strerror}") from exc
    if data.startswith(_WASM_MAGIC):
        return data
    if data.lstrip().startswith(b"("):
        from ..compile import compile_source
        from ..errors import CompileError

        try:
            return compile_source("wat", data.decode("utf-8", "replace")).wasm
        except CompileError as exc:
            raise EngineError(f"the WAT text does not assemble: {exc.message}") from exc
    raise EngineError(
        "this is not a WebAssembly module (a .wasm file starts with the bytes \\0asm); "
        "compile it first with `wasikernel compile`"
    )


def is_component(wasm: bytes) -> bool:
    """Whether ``wasm`` is a component (WASI 0.2) rather than a core module, by its header."""
    from ..wasm import COMPONENT, DecodeError, read_header

    try:
        return read_header(wasm) == COMPONENT
    except DecodeError:
        return False


def kind_of(wasm: bytes) -> str:
    """``"component"`` or ``"module"`` (a core module), by the header of ``wasm``."""
    return "component" if is_component(wasm) else "module"


def _takes(engine: Any) -> frozenset[str]:
    try:
        return engine.takes
    except (AttributeError, ImportError):
        return frozenset()


def engines_taking(kind: str) -> list[str]:
    """The names of the registered engines that run a binary of ``kind``, in registry order."""
    return [name for name, engine in REGISTRY.items() if kind in _takes(engine)]


def engine_for(engine: str, wasm: bytes) -> Any:
    """The registered engine that runs ``wasm`` when ``engine`` is asked for: ``engine`` itself
    when it takes that kind of binary, the other face of our host when ``engine`` is one face
    (``wasmtime`` for a core module, ``wasmtime-p2`` for a component).

    Raises EngineError naming the engines that take it when ``engine`` does not, or when
    there is no engine of that name.
    """
    chosen = find(engine)
    kind = kind_of(wasm)
    if kind in _takes(chosen):
        return chosen
    if engine in OUR_WASMTIME.values():
        return REGISTRY[OUR_WASMTIME[kind]]
    from .. import messages

    raise EngineError(messages.t(
        f"engine_takes_no_{kind}", engine=engine, engines=", ".join(engines_taking(kind)),
    ))  # fmt: skip


def serves_libc_hook(engine: str, kind: str = "module") -> bool:
    """Whether the engine named ``engine`` serves the libc hook's import (:data:`LIBC_HOOK`)
    of a binary of ``kind`` (``"module"`` or ``"component"``) compiled with it: our host does,
    on every engine that runs it (for a component, as ``wasikernel:libc/trace``); a runtime
    with its own WASI only when it :meth:`~._engine.Engine.provides` it. A C or Rust cell is
    compiled with the hook only for an engine that serves it, so that it links there. An
    unknown or unloadable engine, or one that does not take ``kind``, serves none.
    """
    chosen = REGISTRY.get(engine)
    if chosen is None:
        return False
    if kind not in _takes(chosen) and engine in OUR_WASMTIME.values():
        chosen = REGISTRY[OUR_WASMTIME[kind]]
    if kind not in _takes(chosen):
        return False
    try:
        return bool(chosen.provides(*LIBC_HOOK))
    except (AttributeError, ImportError):
        return False


def run(
    module: bytes | str | os.PathLike,
    sandbox: Sandbox | None = None,
    *,
    engine: str | None = None,
    invoke: str | None = None,
    invoke_args: Sequence[int | float] = (),
    on_output: Callable[[str, bytes], None] | None = None,
    cancel: threading.Event | None = None,
    keep: bool = False,
    layout: MemoryLayout | None = None,
    snapshots: bool = True,
) -> RunResult:
    """Run ``module`` (wasm bytes, a path to a ``.wasm`` file, or WAT text) under ``sandbox``.

    Without ``invoke`` the module's ``_start`` runs (a module without ``_start`` is only
    instantiated and handed back live in ``RunResult.module``); with it, the export ``invoke``
    is called with ``invoke_args`` and its values land in ``RunResult.returned``.
    ``on_output(stream, chunk)`` sees stdout/stderr as the guest writes them; setting
    ``cancel`` stops the guest within a second. ``snapshots=False`` leaves the memory copies
    (``memory_before``/``memory_after``) out. A trap, an exit, a limit or an import the engine
    does not provide is reported in the RunResult (its ``outcome`` says which), never raised.

    ``engine`` is a name of :data:`REGISTRY`; None is :func:`default_engine`.
    A component (WASI 0.2, told by its header) runs under an engine that takes components
    (see :func:`engine_for`): with ``engine="wasmtime"``, the default, under our preview 2 host.

    Raises EngineError when ``module`` is not a wasm module, ``engine`` is not known, cannot
    run here or does not run this kind of binary, or the engine cannot run this module or
    sandbox at all.
    """
    engine = engine or default_engine()
    find(engine)  # an unknown name is refused before the module is read
    wasm = load_module_bytes(module)
    chosen = engine_for(engine, wasm)
    request = RunRequest(
        wasm, sandbox if sandbox is not None else Sandbox(), invoke, tuple(invoke_args),
        on_output, cancel, keep, layout, snapshots,
    )  # fmt: skip
    return chosen.run(request)
