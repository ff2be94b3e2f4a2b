"""Running a wasm runtime as a child process: the shared half of the engines with their own WASI
(node and the CLI adapters; see :class:`wasikernel.engines.OwnWasiEngine`).

These runtimes bring their own WASI: our Python host is not in the loop, so their runs have no
trace of ours. A run says so with one ``phase="note"`` event (never an invented syscall), and
:func:`trace_unavailable` is how every such adapter builds it.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ... import messages
from ...result import INTERRUPTED, RunResult, Trap
from ...sandbox import Preopen, Sandbox
from ...trace import Trace, TraceEvent

__all__ = [
    "ProcessOutcome",
    "PreparedDirs",
    "prepare_dirs",
    "run_process",
    "trace_unavailable",
    "refuse_unknown_imports",
    "result_from_outcome",
]

#: exit status a trap maps to, as wasmtime's CLI does (abort)
TRAP_EXIT = 134


def trace_unavailable(engine: str) -> Trace:
    """Return a trace holding only a note that ``engine`` ran with its own WASI, untraced."""
    reason = messages.t("trace_unavailable", engine=engine)
    event = TraceEvent(
        seq=0,
        call="trace_unavailable",
        args={"engine": engine},
        results={},
        errno="success",
        reason=reason,
        phase="note",
    )
    return Trace(events=[event])


@dataclass
class PreparedDirs:
    """Host folders to hand a runtime as ``(host, guest)`` pairs, and what to clean up after."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    temp: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        """Remove the temporary copies made for in-memory and read-only preopens."""
        for path in self.temp:
            shutil.rmtree(path, ignore_errors=True)


def _materialise(tree: dict, into: Path) -> None:
    for name, value in tree.items():
        target = into / name
        if isinstance(value, dict):
            target.mkdir()
            _materialise(value, target)
        else:
            target.write_bytes(bytes(value))


def prepare_dirs(preopens: Sequence[Preopen]) -> PreparedDirs:
    """Turn the sandbox's preopens into host folders a runtime of its own can map.

    A host folder is mapped as is; a read-only one is mapped through a temporary copy (these
    runtimes cannot map a folder read-only, so the original stays untouched); an in-memory tree
    is written into a temporary folder first.
    """
    prepared = PreparedDirs()
    for pre in preopens:
        if pre.host_path is not None and not pre.read_only:
            prepared.pairs.append((os.path.abspath(pre.host_path), pre.guest_path))
            continue
        temp = tempfile.mkdtemp(prefix="wasikernel-dir-")
        prepared.temp.append(temp)
        if pre.host_path is not None:
            shutil.copytree(pre.host_path, temp, dirs_exist_ok=True, symlinks=True)
        elif pre.tree:
            _materialise(pre.tree, Path(temp))
        prepared.pairs.append((temp, pre.guest_path))
    return prepared


@dataclass
class ProcessOutcome:
    """What a child process did: its output, exit status, and whether a limit stopped it."""

    stdout: bytes
    stderr: bytes
    returncode: int | None
    limit: str | None
    interrupted: bool
    wall_ns: int


def _pump(
    stream: Any,
    name: str,
    sink: bytearray,
    budget: list[int],
    on_output: Callable[[str, bytes], None] | None,
) -> None:
    while True:
        chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
        if not chunk:
            break
        if budget[0] > 0:
            kept = chunk[: budget[0]]
            budget[0] -= len(kept)
            sink.extend(kept)
            if on_output is not None:
                on_output(name, kept)
        else:
            budget[1] = 1


def run_process(
    argv: Sequence[str],
    sandbox: Sandbox,
    *,
    on_output: Callable[[str, bytes], None] | None = None,
    cancel: threading.Event | None = None,
    env: dict[str, str] | None = None,
    data_cap_mib: int | None = None,
) -> ProcessOutcome:
    """Run ``argv`` with the sandbox's stdin and limits; stream its output to ``on_output``.

    The wall-time limit and ``cancel`` kill the process (``limit`` or ``interrupted`` says
    which); output past ``max_output_bytes`` is dropped and reported as a limit.
    ``data_cap_mib`` caps the process's data segment (``RLIMIT_DATA``), which bounds a
    runtime that keeps linear memory in it.
    Raises OSError when ``argv[0]`` cannot be started.
    """
    limits = sandbox.limits
    start = time.perf_counter_ns()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        preexec_fn=None if data_cap_mib is None else functools.partial(_cap_data, data_cap_mib),
    )
    out, err = bytearray(), bytearray()
    budget = [limits.max_output_bytes, 0]
    pumps = [
        threading.Thread(
            target=_pump, args=(proc.stdout, "stdout", out, budget, on_output), daemon=True
        ),
        threading.Thread(
            target=_pump, args=(proc.stderr, "stderr", err, budget, on_output), daemon=True
        ),
    ]
    for pump in pumps:
        pump.start()

    def feed() -> None:
        try:
            if sandbox.stdin:
                proc.stdin.write(sandbox.stdin)
            proc.stdin.close()
        except OSError:
            pass  # the guest exited without reading its stdin

    threading.Thread(target=feed, daemon=True).start()
    deadline = None if limits.timeout_s is None else time.monotonic() + limits.timeout_s
    limit = None
    interrupted = False
    while True:
        try:
            proc.wait(timeout=0.02)
            break
        except subprocess.TimeoutExpired:
            pass
        if cancel is not None and cancel.is_set():
            interrupted = True
        elif deadline is not None and time.monotonic() > deadline:
            limit = messages.t("limit_time", seconds=limits.timeout_s)
        if interrupted or limit:
            _kill(proc)
            break
    for pump in pumps:
        pump.join(timeout=5)
    wall = time.perf_counter_ns() - start
    if budget[1] and limit is None:
        limit = messages.t("limit_output", bytes=limits.max_output_bytes)
    code = None if (interrupted or limit) else proc.returncode
    return ProcessOutcome(bytes(out), bytes(err), code, limit, interrupted, wall)


def _cap_data(mib: int) -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (mib << 20, resource.RLIM_INFINITY))


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, 9)
    except OSError:
        proc.kill()
    proc.wait()


def refuse_unknown_imports(
    wasm: bytes, sandbox: Sandbox, provided: Callable[[str, str], bool]
) -> RunResult | None:
    """Return the link-time refusal of the imports ``provided`` rejects, or None if all are.

    The refusal is ours (we read the module's imports before starting the runtime), so its
    events are real: one ``phase="link"`` event per missing import, from the WASI host.
    Raises EngineError when the module is not valid WebAssembly.
    """
    from ...wasi import WasiHost
    from .._lifecycle import read_imports

    missing = [imp for imp in read_imports(wasm) if not provided(imp.module, imp.name)]
    if not missing:
        return None
    host = WasiHost(sandbox)
    try:
        texts = [host.refuse_import(imp.module, imp.name, imp.kind) for imp in missing]
    finally:
        host.close()
    return RunResult(
        stdout=b"",
        stderr=b"",
        exit_code=None,
        trap=Trap(texts[0]),
        limit=None,
        trace=host.trace,
        sandbox=sandbox,
        outcome="link",
    )


def result_from_outcome(
    outcome: ProcessOutcome,
    sandbox: Sandbox,
    engine: str,
    *,
    trap_message: str | None = None,
    returned: list | None = None,
    duration_ns: int | None = None,
    trace: Trace | None = None,
) -> RunResult:
    """Build the RunResult of a child-process run, with the note that it has no trace of ours."""
    trap = None
    exit_code = outcome.returncode
    if outcome.interrupted:
        trap, exit_code = Trap(INTERRUPTED), None
    elif trap_message is not None:
        trap, exit_code = Trap(trap_message), None
    return RunResult(
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        exit_code=exit_code,
        trap=trap,
        limit=outcome.limit,
        trace=trace if trace is not None else trace_unavailable(engine),
        sandbox=sandbox,
        engine=engine,
        duration_ns=outcome.wall_ns if duration_ns is None else duration_ns,
        returned=returned,
        outcome=RunResult.outcome_of(exit_code, trap, outcome.limit, outcome.interrupted),
    )
