"""The ``wasm3`` engine: the wasm3 interpreter (``pywasm3``) linked to our own WASI host.

wasm3 calls Python functions for a module's imports, so our tracing host serves it exactly as
it serves wasmtime, and the run's trace is real. wasm3 cannot be interrupted from outside while
it runs wasm code, and on a trap it prints a backtrace straight to the process's stdout; so each
run happens in a forked child process (its native output sent to ``/dev/null``): the wall-time
limit and ``cancel`` stop it by ending that process, and the kernel never blocks nor sees those
prints. Output, trace and final memory come back through a pipe.

Limits: wall time, output and trace size as everywhere. Memory: wasm3 keeps linear memory in
the process's heap, so the child caps its own data segment near ``max_memory_mib`` (a
``memory.grow`` beyond it fails in the guest) and a memory found over the limit after the run
is reported as the limit. The cap sits above the data segment the child inherits, so in a
process that already holds much freed heap (a long test run, say) a grow can reuse that heap
and go past the limit before the run ends; it is still reported as the limit.
A process cannot hand back a live instance, so ``keep=True`` is
refused.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import EngineError
from ..result import MemoryLayout, RunResult, Trap
from ..sandbox import Sandbox
from ..trace import Trace
from ..wasm import without_custom_sections

__all__ = ["run_module", "available"]

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
        return f"pywasm3 is not installed ({exc}); install it with `pip install pywasm3`"
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


def _describe(wasm: bytes) -> tuple[list[tuple[str, str, str]], dict[str, tuple[str, ...]]]:
    """Return the module's imports ``(module, name, kind)`` and its function exports."""
    import wasmtime

    try:
        module = wasmtime.Module(wasmtime.Engine(), wasm)
    except wasmtime.WasmtimeError as exc:
        raise EngineError(f"this WebAssembly module is not valid: {exc}") from exc
    imports = []
    for imp in module.imports:
        kind = (
            "func"
            if isinstance(imp.type, wasmtime.FuncType)
            else type(imp.type).__name__.removesuffix("Type").lower()
        )
        imports.append((imp.module, imp.name or "", kind))
    exports = {
        e.name: tuple(str(p) for p in e.type.params)
        for e in module.exports
        if isinstance(e.type, wasmtime.FuncType)
    }
    return imports, exports


def _child(
    wasm: bytes,
    sandbox: Sandbox,
    imports: list[tuple[str, str, str]],
    invoke: str | None,
    invoke_args: Sequence[int | float],
    conn: Any,
) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        _run_child(wasm, sandbox, imports, invoke, invoke_args, conn)
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


def _run_child(
    wasm: bytes,
    sandbox: Sandbox,
    imports: list[tuple[str, str, str]],
    invoke: str | None,
    invoke_args: Sequence[int | float],
    conn: Any,
) -> None:
    import wasm3

    from ..wasi import LimitReached, ProcExit, WasiHost

    _cap_data(sandbox.limits.max_memory_mib)

    host = WasiHost(sandbox, on_output=lambda stream, chunk: conn.send(("out", stream, chunk)))
    outcome: dict[str, Any] = {"exit_code": None, "trap": None, "limit": None, "returned": None}
    t0 = time.perf_counter_ns()
    env = wasm3.Environment()
    runtime = env.new_runtime(_STACK_BYTES)
    module = env.parse_module(wasm)
    runtime.load(module)
    memory = _Wasm3Memory(runtime)
    for mod_name, name, _kind in imports:
        imp = host.lookup(mod_name, name)
        signature = (
            (_SIG[imp.results[0]] if imp.results else "v")
            + "("
            + "".join(_SIG[p] for p in imp.params)
            + ")"
        )

        def thunk(*args: int, _call: Callable = imp.call) -> int | None:
            return _call(memory, *args)

        module.link_function(mod_name, name, signature, thunk)
    outcome["instantiate_ns"] = time.perf_counter_ns() - t0
    t1 = time.perf_counter_ns()
    try:
        function = runtime.find_function(invoke or "_start")
        values = function(*invoke_args)
        if invoke is not None:
            outcome["returned"] = (
                [] if values is None else (list(values) if isinstance(values, tuple) else [values])
            )
        outcome["exit_code"] = 0
    except ProcExit as exc:
        outcome["exit_code"] = exc.code
    except LimitReached as exc:
        outcome["limit"] = exc.message
        host.note("limit", "success", exc.message)
    except RuntimeError as exc:
        message = str(exc).removeprefix("[trap] ").strip()
        if "LEB encoded value overflow" in message:
            message += _LEB_HINT
        outcome["trap"] = message
        host.note("trap", "success", message)
    outcome["duration_ns"] = time.perf_counter_ns() - t1
    _cap_data(None)  # the guest is done: room to copy its memory for the parent
    try:
        outcome["memory_after"] = bytes(runtime.get_memory(0))
    except Exception:
        outcome["memory_after"] = None
    outcome["stdout"], outcome["stderr"] = host.stdout, host.stderr
    outcome["trace"] = host.trace
    conn.send(("done", outcome))


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
) -> RunResult:
    """Run ``wasm`` in wasm3 with our WASI host; the keywords are those of ``engines.run``.

    ``RunResult.duration_ns`` is the time the export ran (start-up excluded).
    Raises EngineError when pywasm3 is missing, the module is invalid, ``keep`` is asked, or
    the export to call does not exist.
    """
    reason = available()
    if reason is not None:
        raise EngineError(reason)
    if keep:
        raise EngineError(
            "the engine 'wasm3' runs each module in a separate process and cannot "
            "keep the instance alive; use engine='wasmtime' to call its exports "
            "afterwards"
        )
    from ..wasi import WasiHost

    imports, exports = _describe(bytes(wasm))
    provided = WasiHost(Sandbox())  # only asked what it provides: it opens no folder
    missing = [(m, n, k) for m, n, k in imports if k != "func" or provided.lookup(m, n) is None]
    if missing:
        host = WasiHost(sandbox)
        try:
            message = ""
            for mod_name, name, kind in missing:
                message = message or host.refuse_import(mod_name, name, kind)
        finally:
            host.close()
        return RunResult(
            b"", b"", None, Trap(message), None, host.trace, sandbox, engine="wasm3", layout=layout
        )
    target = invoke or "_start"
    if target not in exports:
        if invoke is None:  # no _start: instantiating is all there is to do
            return RunResult(
                b"", b"", 0, None, None, Trace(), sandbox, engine="wasm3", layout=layout
            )
        raise EngineError(
            f"the module exports no function named {invoke!r}; its functions "
            f"are: {', '.join(sorted(exports)) or 'none'}"
        )
    args = (
        [
            float(v) if exports[target][i] in ("f32", "f64") else int(v)
            for i, v in enumerate(invoke_args)
        ]
        if invoke
        else []
    )
    # wasm3 looks a function up by its debug name before its export name: in a C program the
    # internal ``_start`` (which skips the constructors that find the preopened folders) would
    # run instead of the exported one. Without the custom sections only exports are found.
    return _run_in_child(
        without_custom_sections(bytes(wasm)),
        sandbox,
        imports,
        invoke,
        args,
        on_output,
        cancel,
        layout,
    )


def _run_in_child(
    wasm: bytes,
    sandbox: Sandbox,
    imports: list,
    invoke: str | None,
    args: list,
    on_output: Callable[[str, bytes], None] | None,
    cancel: threading.Event | None,
    layout: MemoryLayout | None,
) -> RunResult:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(wasm, sandbox, imports, invoke, args, sender), daemon=True
    )
    started = time.perf_counter_ns()
    process.start()
    sender.close()
    timeout = sandbox.limits.timeout_s
    deadline = None if timeout is None else time.monotonic() + timeout
    outcome = None
    failure: str | None = None
    stopped: str | None = None
    stdout, stderr = bytearray(), bytearray()
    while outcome is None:
        if receiver.poll(0.02):
            try:
                message = receiver.recv()
            except EOFError:
                break
            if message[0] == "out":
                (stdout if message[1] == "stdout" else stderr).extend(message[2])
                if on_output is not None:
                    on_output(message[1], message[2])
            elif message[0] == "failed":
                failure = message[1]
                break
            else:
                outcome = message[1]
            continue
        if cancel is not None and cancel.is_set():
            stopped = "interrupted"
        elif deadline is not None and time.monotonic() > deadline:
            stopped = "limit"
        elif not process.is_alive() and not receiver.poll(0):
            break
        if stopped:
            process.kill()
            break
    process.join(timeout=5)
    receiver.close()
    wall = time.perf_counter_ns() - started
    if outcome is None:
        from .. import messages

        trace = Trace()
        if stopped == "limit":
            limit = messages.t("limit_time", seconds=timeout)
            return RunResult(
                bytes(stdout),
                bytes(stderr),
                None,
                None,
                limit,
                trace,
                sandbox,
                engine="wasm3",
                duration_ns=wall,
                layout=layout,
            )
        if stopped:
            message = "interrupted"
        elif failure:
            message = f"wasm3 could not run this module: {failure}"
        else:
            message = f"the wasm3 interpreter stopped abnormally (exit {process.exitcode})"
        return RunResult(
            bytes(stdout),
            bytes(stderr),
            None,
            Trap(message),
            None,
            trace,
            sandbox,
            engine="wasm3",
            duration_ns=wall,
            layout=layout,
        )
    limit = outcome["limit"]
    memory_after = outcome["memory_after"]
    cap = sandbox.limits.max_memory_mib << 20
    if limit is None and memory_after is not None and len(memory_after) > cap:
        from .. import messages

        limit = messages.t("limit_memory", mib=sandbox.limits.max_memory_mib)
    result = RunResult(
        stdout=outcome["stdout"],
        stderr=outcome["stderr"],
        exit_code=outcome["exit_code"] if limit is None else None,
        trap=Trap(outcome["trap"]) if outcome["trap"] else None,
        limit=limit,
        trace=outcome["trace"],
        sandbox=sandbox,
        engine="wasm3",
        duration_ns=outcome["duration_ns"],
        returned=outcome["returned"],
        memory_after=memory_after,
        layout=layout,
    )
    result.instantiate_ns = outcome["instantiate_ns"]  # type: ignore[attr-defined]
    return result
