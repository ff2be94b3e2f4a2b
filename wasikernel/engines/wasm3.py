"""The ``wasm3`` engine: the wasm3 interpreter (``pywasm3``) linked to our own WASI host.

wasm3 calls Python functions for a module's imports, so our tracing host serves it exactly as
it serves wasmtime, and the run's trace is real. wasm3 cannot be interrupted from outside while
it runs wasm code, and on a trap it prints a backtrace straight to the process's stdout; so each
run happens in a forked child process (its native output sent to ``/dev/null``): the wall-time
limit and ``cancel`` stop it by ending that process, and the kernel never blocks nor sees those
prints. The child runs the same lifecycle as every engine of our host
(:func:`~._lifecycle.run_hosted`) and sends its RunResult back through a pipe, output as it
comes; a run the parent had to stop ends the same way as elsewhere (a limit, or the trap
``interrupted``), with the closing note as the only trace left.

Limits: wall time, output and trace size as everywhere. Memory: wasm3 keeps linear memory in
the process's heap, so the child caps its own data segment near ``max_memory_mib`` (a
``memory.grow`` beyond it fails in the guest) and a memory found over the limit after the run
is reported as the limit. The cap sits above the data segment the child inherits, so in a
process that already holds much freed heap (a long test run, say) a grow can reuse that heap
and go past the limit before the run ends; it is still reported as the limit.
A process cannot hand back a live instance, so ``keep=True`` is refused.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from .. import messages
from ..result import MemorySnapshot, RunResult, Trap
from ..sandbox import Sandbox
from ..trace import Trace
from ..wasm import without_custom_sections
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
from ._lifecycle import (
    Ending,
    Import,
    compile_for_reading,
    conclude,
    function_exports,
    imports_of,
    link,
    refusal_result,
    run_hosted,
)  # fmt: skip

__all__ = ["WASM3", "Wasm3Engine", "available"]

_SIG = {"i32": "i", "i64": "I", "f32": "f", "f64": "F"}
_STACK_BYTES = 1 << 20
_LEB_HINT = (
    " (wasm3 0.5 cannot decode an instruction of this module; C compiled with zig's libc hits"
    " this in stdio: compile with --toolchain clang, or run it under another engine)"
)


def available() -> str | None:
    """Return None when pywasm3 imports, else the reason it does not."""
    try:
        import wasm3  # noqa: F401
    except ImportError as exc:
        return messages.t("engine_wasm3_absent", error=exc)
    return None


class _Wasm3Memory:
    """The GuestMemory protocol over wasm3's memory 0 (fetched again at each access, because
    a ``memory.grow`` moves it)."""

    __slots__ = ("runtime",)

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    def size(self) -> int:
        return len(self.runtime.get_memory(0))

    def read(self, addr: int, length: int) -> bytes:
        view = self.runtime.get_memory(0)
        if addr < 0 or length < 0 or addr + length > len(view):
            raise IndexError(f"{length} bytes at {addr} are out of bounds")
        return bytes(view[addr : addr + length])

    def write(self, addr: int, data: bytes) -> None:
        view = self.runtime.get_memory(0)
        if addr < 0 or addr + len(data) > len(view):
            raise IndexError(f"{len(data)} bytes at {addr} are out of bounds")
        view[addr : addr + len(data)] = data


def _describe(wasm: bytes) -> tuple[list[Import], dict[str, tuple[str, ...]]]:
    """Return the module's imports and its function exports (name -> parameter types).

    Raises EngineError when the module is not valid WebAssembly.
    """
    module = compile_for_reading(wasm)
    return imports_of(module), function_exports(wasm)


class _Wasm3Instance:
    """A module loaded in wasm3 inside the child process (see ``_lifecycle.Instance``)."""

    def __init__(self, wasm: bytes, host: Any, linked: dict, exports: dict) -> None:
        import wasm3

        t0 = time.perf_counter_ns()
        self.exports = {name: f"({', '.join(params)})" for name, params in exports.items()}
        env = wasm3.Environment()
        self.runtime = env.new_runtime(_STACK_BYTES)
        module = env.parse_module(wasm)
        self.runtime.load(module)
        memory = _Wasm3Memory(self.runtime)
        for (mod_name, name), imp in linked.items():
            signature = (
                (_SIG[imp.results[0]] if imp.results else "v")
                + "("
                + "".join(_SIG[p] for p in imp.params)
                + ")"
            )

            def thunk(*args: int, _call: Callable = imp.call) -> int | None:
                return _call(memory, *args)

            module.link_function(mod_name, name, signature, thunk)
        self.instantiate_ns = time.perf_counter_ns() - t0
        self.call_ns = 0

    def call(self, name: str, args: Sequence[int | float]) -> Ending:
        from ..wasi import LimitReached, ProcExit

        t1 = time.perf_counter_ns()
        try:
            values = self.runtime.find_function(name)(*args)
            if values is None:
                return Ending.returning(None)
            return Ending.returning(list(values) if isinstance(values, tuple) else [values])
        except ProcExit as exc:
            return Ending(exit_code=exc.code)
        except LimitReached as exc:
            return Ending(limit=exc.message)
        except RuntimeError as exc:
            message = str(exc).removeprefix("[trap] ").strip()
            if "LEB encoded value overflow" in message:
                message += _LEB_HINT
            return Ending(trap=Trap(message))
        finally:
            self.call_ns = time.perf_counter_ns() - t1
            _cap_data(None)  # the guest is done: room to copy its memory for the parent

    def memory_size(self) -> int:
        try:
            return len(self.runtime.get_memory(0))
        except Exception:
            return 0

    def snapshot(self) -> MemorySnapshot | bytes | None:
        try:
            return MemorySnapshot.of(self.runtime.get_memory(0))
        except Exception:
            return None

    def layout(self) -> None:
        return None

    def kept(self) -> None:
        return None

    def close(self) -> None:
        """Nothing to release: the child process ends with the run."""


class _InChild(HostedEngine):
    """wasm3 as the lifecycle drives it, inside the child process."""

    name = "wasm3"

    def __init__(self, imports: list[Import], exports: dict[str, tuple[str, ...]]) -> None:
        self.imports, self.exports = imports, exports
        self.instance: _Wasm3Instance | None = None

    def load(self, request: RunRequest) -> _InChild:
        return self

    def instantiate(self, host: Any, linked: dict) -> _Wasm3Instance:
        self.instance = _Wasm3Instance(self.wasm, host, linked, self.exports)
        return self.instance


def _child(engine: _InChild, request: RunRequest, conn: Any) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        _cap_data(request.sandbox.limits.max_memory_mib)
        request = request.but(on_output=lambda stream, chunk: conn.send(("out", stream, chunk)),
                              cancel=None)  # fmt: skip
        result = run_hosted(engine, request)
        if engine.instance is not None:
            result.instantiate_ns = engine.instance.instantiate_ns
            result.duration_ns = engine.instance.call_ns
        result.module = None
        conn.send(("done", result))
    except BaseException as exc:  # the parent reports it; nothing may escape a child
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
        os._exit(0)


def _cap_data(max_memory_mib: int | None) -> None:
    """Let this child allocate at most ``max_memory_mib`` (plus room for the interpreter) more;
    ``None`` lifts the cap.

    wasm3 keeps linear memory in the process's heap, so the cap makes a ``memory.grow`` past
    the sandbox's limit fail inside the guest instead of filling the machine.
    """
    import resource

    if max_memory_mib is None:
        resource.setrlimit(resource.RLIMIT_DATA, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        return
    try:
        with open("/proc/self/status") as status:
            data_kib = next(int(line.split()[1]) for line in status if line.startswith("VmData:"))
        cap = (data_kib << 10) + ((max_memory_mib + 64) << 20)
        resource.setrlimit(resource.RLIMIT_DATA, (cap, resource.RLIM_INFINITY))
    except (OSError, StopIteration, ValueError):
        pass  # no /proc or no limit support: the size is still checked after the run


class Wasm3Engine(HostedEngine):
    """wasm3 with our WASI host, each run in a forked child process (see the module's text)."""

    name = "wasm3"
    title = "wasm3 interpreter (pywasm3)"
    install = "pip install pywasm3"
    keeps = False

    def available(self) -> str | None:
        """None when pywasm3 imports, else the reason it does not."""
        return available()

    def version(self) -> str | None:
        """pywasm3's version, or None when it is not installed."""
        return dist_version("pywasm3")

    def run(self, request: RunRequest) -> RunResult:
        """Run ``request`` in a wasm3 child process; ``RunResult.duration_ns`` is the time the
        export ran (start-up excluded).

        Raises EngineError when pywasm3 is missing, the module is invalid, ``keep`` is asked,
        or the export to call does not exist.
        """
        from ..wasi import WasiHost

        self.refuse_unavailable_or_keep(request)
        imports, exports = _describe(bytes(request.wasm))
        _, refusal = link(WasiHost(Sandbox()), imports)  # this host opens no folder
        if refusal is not None:
            return refusal_result(request, self.name, imports)
        target = request.invoke or "_start"
        if target not in exports:
            if request.invoke is None:  # no _start: instantiating is all there is to do
                return RunResult(
                    b"",
                    b"",
                    0,
                    None,
                    None,
                    Trace(),
                    request.sandbox,
                    engine=self.name,
                    layout=request.layout,
                    outcome="exit",
                )
            raise unknown_export(request.invoke, exports)
        params = exports[target]
        if request.invoke and len(params) != len(request.invoke_args):
            read = next(e.type for e in compile_for_reading(bytes(request.wasm)).exports
                        if e.name == target)
            raise wrong_arity(target, len(params), signature_text(read.params, read.results),
                              len(request.invoke_args))
        if request.invoke:
            for param in params:
                if param not in NUMBER_TYPES:
                    raise not_a_number(target, param)
        args = tuple(
            float(v) if exports[target][i] in ("f32", "f64") else int(v)
            for i, v in enumerate(request.invoke_args)
        ) if request.invoke else ()  # fmt: skip
        inner = _InChild(imports, exports)
        # wasm3 looks a function up by its debug name before its export name: in a C program the
        # internal ``_start`` (which skips the constructors that find the preopened folders)
        # would run instead of the exported one. Without the custom sections only exports are
        # found.
        inner.wasm = without_custom_sections(bytes(request.wasm))
        return _run_in_child(inner, request.but(invoke_args=args))


def _run_in_child(inner: _InChild, request: RunRequest) -> RunResult:
    sandbox = request.sandbox
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(inner, request, sender), daemon=True)
    started = time.perf_counter_ns()
    process.start()
    sender.close()
    timeout = sandbox.limits.timeout_s
    deadline = None if timeout is None else time.monotonic() + timeout
    result: RunResult | None = None
    failure: str | None = None
    stopped: str | None = None
    stdout, stderr = bytearray(), bytearray()
    while result is None:
        if receiver.poll(0.02):
            try:
                message = receiver.recv()
            except EOFError:
                break
            if message[0] == "out":
                (stdout if message[1] == "stdout" else stderr).extend(message[2])
                if request.on_output is not None:
                    request.on_output(message[1], message[2])
            elif message[0] == "failed":
                failure = message[1]
                break
            else:
                result = message[1]
            continue
        if request.cancel is not None and request.cancel.is_set():
            stopped = "cancel"
        elif deadline is not None and time.monotonic() > deadline:
            stopped = "time"
        elif not process.is_alive() and not receiver.poll(0):
            break
        if stopped:
            process.kill()
            break
    process.join(timeout=5)
    process.close()
    receiver.close()
    if result is not None:
        result.sandbox = sandbox
        return result
    # the child was stopped or died: its trace is lost, this run's ending is the parent's
    from .. import messages
    from ..wasi import WasiHost

    if stopped == "time":
        ending = Ending(limit=messages.t("limit_time", seconds=timeout))
    elif stopped == "cancel":
        ending = Ending(interrupted=True)
    elif failure:
        ending = Ending(trap=Trap(f"wasm3 could not run this module: {failure}"))
    else:
        ending = Ending(trap=Trap(f"the wasm3 interpreter stopped abnormally (exit "
                                  f"{process.exitcode})"))  # fmt: skip
    notes = WasiHost(Sandbox())  # no folder: only its trace, for the closing note
    conclude(ending, 0, notes, sandbox.limits)
    return RunResult(
        bytes(stdout), bytes(stderr), ending.exit_code, ending.trap, ending.limit, notes.trace,
        sandbox, engine="wasm3", duration_ns=time.perf_counter_ns() - started,
        layout=request.layout,
        outcome=RunResult.outcome_of(None, ending.trap, ending.limit, ending.interrupted),
    )  # fmt: skip


#: the engine ``wasm3``
WASM3 = Wasm3Engine()
