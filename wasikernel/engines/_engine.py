"""What an engine is: the :class:`Engine` protocol, the :class:`RunRequest` every run is, and
the two levels engines plug in at.

* :class:`HostedEngine`, the first level: the engine runs our traced WASI host (wasmtime,
  pulley, the stepper, wasm3). It only knows how to instantiate a module with the host's
  functions and call one export; :mod:`._lifecycle` does everything else, the same way for all.
* :class:`OwnWasiEngine`, the second level: the engine brings its own WASI (Node, a runtime's
  command line), so its calls are not traced (the trace says so) and it is handed only a
  sandbox it can confine: a host folder holding a symbolic link that leads out of it is refused
  (refusing is the honest rule: a copy without those links could not write back what the guest
  changes), and a runtime whose WASI follows the links the guest itself makes (Node, pywasm)
  is handed no folder at all (see :attr:`OwnWasiEngine.grants`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from .. import messages
from .._records import record, replace
from ..errors import EngineError

if TYPE_CHECKING:
    from ..result import MemoryLayout, RunResult
    from ..sandbox import Sandbox

__all__ = [
    "RunRequest", "Engine", "HostedEngine", "OwnWasiEngine", "dist_version", "CAPABILITIES",
    "FOLDER_CAPABILITIES", "asked_of", "LIBC_HOOK", "unknown_export", "wrong_arity",
    "not_a_number", "NUMBER_TYPES", "signature_text",
]  # fmt: skip


def dist_version(distribution: str) -> str | None:
    """Return ``"NAME VERSION"`` of an installed Python distribution, or None without it."""
    import importlib.metadata

    try:
        return f"{distribution} {importlib.metadata.version(distribution)}"
    except importlib.metadata.PackageNotFoundError:
        return None


#: the parameter types a call from the command line or ``%call`` can pass (numbers)
NUMBER_TYPES = frozenset({"i32", "i64", "f32", "f64"})


def signature_text(params: Iterable[object], results: Iterable[object]) -> str:
    """A function type as the export errors show it, as a component's: ``(i32, i32) -> i32``."""
    shown = [str(r) for r in results]
    returned = shown[0] if len(shown) == 1 else f"({', '.join(shown)})"
    return f"({', '.join(str(p) for p in params)}) -> {returned}"


def unknown_export(name: str, exports: Iterable[str]) -> EngineError:
    """The error of a call to ``name``, which is none of the exported functions ``exports``;
    the same sentence for a core module and a component."""
    return EngineError(messages.t("export_unknown", name=name,
                                  exports=", ".join(sorted(exports)) or "-"))  # fmt: skip


def wrong_arity(name: str, n: int, signature: str, given: int) -> EngineError:
    """The error of a call to ``name`` (``n`` parameters, ``signature``) with ``given`` values."""
    return EngineError(messages.t("export_arity", name=name, n=n, signature=signature,
                                  given=given))  # fmt: skip


def not_a_number(name: str, type_name: str) -> EngineError:
    """The error of a call to ``name``, one of whose parameters (``type_name``) takes no
    number."""
    return EngineError(messages.t("export_not_a_number", name=name, type=type_name))


@record(frozen=True)
class RunRequest:
    """One run, as :func:`wasikernel.engines.run` takes it (see there for each field)."""

    wasm: bytes
    sandbox: Sandbox
    invoke: str | None = None
    invoke_args: Sequence[int | float] = ()
    on_output: Callable[[str, bytes], None] | None = None
    cancel: threading.Event | None = None
    keep: bool = False
    layout: MemoryLayout | None = None
    #: False leaves ``memory_before``/``memory_after`` empty (the command line never shows them)
    snapshots: bool = True

    def but(self, **changes: Any) -> RunRequest:
        """Return this request with ``changes``."""
        return replace(self, **changes)


class Engine:
    """The protocol every engine follows.

    ``name`` is what ``--engine`` and ``engine=`` take; ``traced`` says whether the engine runs
    our traced WASI host; ``confines_folders`` whether a granted folder's symbolic links are kept
    from leading the guest out of it; ``keeps`` whether a run can hand back a live module;
    ``takes`` which kinds of binary it runs (core modules, components).
    """

    name: str
    title: str
    #: the command that installs what the engine needs (for ``doctor``)
    install: str
    traced: ClassVar[bool] = True
    confines_folders: ClassVar[bool] = True
    keeps: ClassVar[bool] = True
    #: the kinds of wasm binary the engine runs: ``"module"`` (a core module, preview 1) and/or
    #: ``"component"`` (WASI 0.2 and later); :func:`wasikernel.engines.run` tells them apart
    #: by their header
    takes: ClassVar[frozenset[str]] = frozenset({"module"})

    def available(self) -> str | None:
        """Return None when the engine can run here, else the reason it cannot."""
        return None

    def provides(self, module: str, name: str) -> bool:
        """Whether the engine serves a core module's import ``module.name``: our host serves
        WASI preview 1 and the libc hook (:data:`LIBC_HOOK`; under our preview 2 host, as
        ``wasikernel:libc/trace``)."""
        return module == "wasi_snapshot_preview1" or (module, name) == LIBC_HOOK

    def version(self) -> str | None:
        """Return the engine's version, or None when it is not known or not installed."""
        return None

    def run(self, request: RunRequest) -> RunResult:
        """Run ``request``; a trap, an exit, a limit or a refused import is in the RunResult.

        Raises EngineError when the engine cannot run the module at all.
        """
        raise NotImplementedError

    def refuse_unavailable_or_keep(self, request: RunRequest) -> None:
        """Raise EngineError when the engine is not usable here, or ``keep`` is asked of an
        engine that cannot hand back a live module."""
        reason = self.available()
        if reason is not None:
            raise EngineError(reason)
        if request.keep and not self.keeps:
            raise EngineError(
                f"the engine {self.name!r} runs each module in a separate process and cannot "
                "keep the instance alive; use engine='wasmtime' to call its exports afterwards"
            )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class HostedEngine(Engine):
    """First level: an engine that runs our traced WASI host, through the one lifecycle.

    A subclass implements :meth:`load`; :func:`._lifecycle.run_hosted` links the host,
    picks the export to run, ends the run and hands back memory the same way for every engine.
    """

    traced = True
    confines_folders = True
    grants: ClassVar[frozenset[str]] = frozenset(
        {"folders", "read_only_folders", "memory_folders", "env", "args", "stdin"}
    )

    def load(self, request: RunRequest) -> Any:
        """Read ``request.wasm`` for one run: return an object with ``imports`` (a list of
        :class:`._lifecycle.Import`) and ``instantiate(host, linked)``, which instantiates the
        module with ``linked`` (``(module, name) -> HostImport``), runs its start function and
        returns an :class:`._lifecycle.Instance`, or the :class:`._lifecycle.Ending` of a start
        function that did not return.

        Raises EngineError when the module is not valid for this engine.
        """
        raise NotImplementedError

    def run(self, request: RunRequest) -> RunResult:
        """Run ``request`` through the lifecycle; see :func:`wasikernel.engines.run`."""
        from ._lifecycle import run_hosted

        self.refuse_unavailable_or_keep(request)
        return run_hosted(self, request)


#: the import a C or Rust module compiled with the libc hook has (see
#: :mod:`wasikernel.compile._libc_trace`); only an engine that :meth:`Engine.provides` it can
#: run such a module, so a cell is compiled with the hook only for one
LIBC_HOOK = ("wasikernel", "libc_path_refused")  # written here: a run imports no compiler

#: what a run can ask of an engine's WASI, in the order doctor lists them
CAPABILITIES = ("folders", "read_only_folders", "memory_folders", "env", "args", "stdin")
#: the capabilities of :data:`CAPABILITIES` that hand the guest a folder
FOLDER_CAPABILITIES = frozenset({"folders", "read_only_folders", "memory_folders"})


def asked_of(sandbox: Sandbox) -> list[str]:
    """Return the capabilities of :data:`CAPABILITIES` that ``sandbox`` asks for."""
    asked = set()
    for pre in sandbox.preopens:
        asked.add("folders" if pre.host_path is not None else "memory_folders")
        if pre.read_only:
            asked.add("read_only_folders")
    if sandbox.env:
        asked.add("env")
    if sandbox.args:
        asked.add("args")
    if sandbox.stdin:
        asked.add("stdin")
    return [c for c in CAPABILITIES if c in asked]


def _grants_of(engine: Any) -> frozenset[str]:
    try:
        return engine.grants
    except (AttributeError, ImportError):
        return frozenset(CAPABILITIES)  # an engine running our host gives every one


class OwnWasiEngine(Engine):
    """Second level: an engine with a WASI of its own, run as a child process.

    Our host is not in the loop: the run's trace holds a note saying so (and the link-time
    refusals, which are ours: the module's imports are read before the runtime starts).
    A subclass implements :meth:`launch`; :meth:`run` does the rest the same way for all.
    """

    traced = False
    confines_folders = False
    keeps = False
    #: what a run may ask of this runtime's WASI (see :data:`CAPABILITIES`); a run asking for
    #: anything else is refused, never run in a weaker sandbox. A runtime that maps folders
    #: (``maps_folders``) but is granted none is one whose WASI lets a guest out of any folder,
    #: through a symbolic link the guest makes itself, say: no check made before the run can
    #: stop that, and a copy of the folder would not either.
    grants: ClassVar[frozenset[str]] = frozenset(
        {"folders", "read_only_folders", "memory_folders", "env", "args", "stdin"}
    )
    #: whether the runtime's WASI can be handed a host folder at all (what it does with one is
    #: measured by :func:`wasikernel.compare.escape_table`, granted or not)
    maps_folders: ClassVar[bool] = True
    #: the sentence that refuses it a folder: its WASI was seen to follow links out of one
    folder_refusal: ClassVar[str] = "engine_cannot_confine_any_folder"

    def refuse_ungranted(self, sandbox: Sandbox) -> None:
        """Refuse a sandbox that asks for a capability this runtime cannot give.

        Raises EngineError naming the capability and the engines that give it; for a folder
        that the runtime could map but would not keep the guest inside, the sentence says so
        and names the engines that keep a guest inside its folders.
        """
        for capability in asked_of(sandbox):
            if capability in self.grants:
                continue
            from . import REGISTRY

            able = [n for n, e in REGISTRY.items() if capability in _grants_of(e)]
            key = "engine_cannot_grant"
            if capability in FOLDER_CAPABILITIES and self.maps_folders:
                able = [n for n in able if REGISTRY[n].confines_folders]
                key = self.folder_refusal
            raise EngineError(messages.t(
                key, engine=self.name, capability=messages.t(f"capability_{capability}"),
                engines=", ".join(able),
            ))  # fmt: skip

    def provides(self, module: str, name: str) -> bool:
        """Whether the runtime provides the import ``module.name``."""
        return module == "wasi_snapshot_preview1"

    def run(self, request: RunRequest) -> RunResult:
        """Run ``request`` in the runtime's own process; see :func:`wasikernel.engines.run`.

        Raises EngineError when the runtime is not usable here, ``keep`` is asked, or the
        sandbox asks for a capability the runtime cannot give (a folder, to a runtime whose
        WASI is not known to keep a module inside one).
        """
        self.refuse_ungranted(request.sandbox)
        return self.run_alone(request)

    def run_alone(self, request: RunRequest) -> RunResult:
        """Run ``request`` with the runtime's own WASI and nothing of ours in front: no check
        of the capabilities it gives nor of the links a folder holds. It measures what the
        runtime itself does (the escape table, the conformance count), on folders made for it;
        a learner's run goes through :meth:`run`.

        Raises EngineError when the runtime is not usable here or ``keep`` is asked.
        """
        from . import kind_of
        from .cli._process import prepare_dirs, refuse_unknown_imports

        self.refuse_unavailable_or_keep(request)
        # a core module's imports are read here (a component's, by the runtime itself)
        refused = (refuse_unknown_imports(request.wasm, request.sandbox, self.provides)
                   if kind_of(request.wasm) == "module" else None)  # fmt: skip
        if refused is not None:
            refused.engine = self.name
            refused.layout = request.layout
            return refused
        import shutil
        import tempfile

        workdir = tempfile.mkdtemp(prefix=f"wasikernel-{self.name}-")
        dirs = prepare_dirs(request.sandbox.preopens)
        try:
            result = self.launch(request, dirs.pairs, workdir)
        finally:
            dirs.cleanup()
            shutil.rmtree(workdir, ignore_errors=True)
        result.layout = request.layout
        return result

    def launch(
        self, request: RunRequest, dirs: Sequence[tuple[str, str]], workdir: str
    ) -> RunResult:
        """Run the module in the runtime, with ``dirs`` as ``(host, guest)`` folders and
        ``workdir`` a private scratch folder removed afterwards; return the RunResult."""
        raise NotImplementedError
