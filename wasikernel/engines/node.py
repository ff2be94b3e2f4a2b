"""The ``node`` engine: Node.js's own WASI (``node:wasi``) on V8.

Node runs in a child process with a small runner script; our Python host is not in the loop,
so the run's trace holds only a note saying so (plus the libc refusals the module itself
reports, which reach us through our own import). The runner reports, on a side file, how long
compiling + instantiating and then running took inside Node, so the start-up of Node itself is
kept apart from the module's. Read-only and in-memory folders are mapped through temporary
copies (``node:wasi`` cannot map a folder read-only). The wall-time limit, ``cancel`` and the
output limit apply. Node has no setting for a module's memory, so the process's data segment is
capped at ``max_memory_mib`` plus room for Node itself (NODE_HEADROOM_MIB): a ``memory.grow``
past that fails in the guest, close to (not exactly at) the limit.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import EngineError
from ..result import MemoryLayout, RunResult
from ..sandbox import Sandbox
from ..trace import TraceEvent
from .cli._process import (
    prepare_dirs,
    refuse_unknown_imports,
    result_from_outcome,
    run_process,
    trace_unavailable,
)

__all__ = ["run_module", "node_path", "node_version", "NODE_HEADROOM_MIB"]

#: data segment Node needs for itself, on top of the module's memory limit
NODE_HEADROOM_MIB = 384

_RUNNER = r"""
'use strict';
const fs = require('node:fs');
const { WASI } = require('node:wasi');
const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const report = { libc: [] };
const save = () => fs.writeFileSync(cfg.report, JSON.stringify(report));
const t0 = process.hrtime.bigint();
const wasi = new WASI({ version: 'preview1', args: cfg.args, env: cfg.env,
                        preopens: cfg.preopens, returnOnExit: true });
let memory = null;
const imports = { wasi_snapshot_preview1: wasi.wasiImport, wasikernel: {
  libc_path_refused(ptr, len) {
    const bytes = new Uint8Array(memory.buffer, ptr, len);
    report.libc.push(Buffer.from(bytes).toString('utf8'));
  } } };
let instance;
try {
  const module = new WebAssembly.Module(fs.readFileSync(cfg.module));
  instance = new WebAssembly.Instance(module, imports);
} catch (e) {
  report.trap = 'link error: ' + e.message; save(); process.exit(134);
}
memory = instance.exports.memory;
const t1 = process.hrtime.bigint();
report.instantiate_ns = Number(t1 - t0);
try {
  if (cfg.invoke === null) {
    report.exit_code = wasi.start(instance);
  } else {
    if (memory) wasi.initialize({ exports: { memory } });
    const f = instance.exports[cfg.invoke];
    if (typeof f !== 'function') throw new Error('no exported function ' + cfg.invoke);
    const args = cfg.invoke_args.map((v, i) => cfg.param_types[i] === 'i64' ? BigInt(v) : v);
    let out = f(...args);
    if (out === undefined) out = []; else if (!Array.isArray(out)) out = [out];
    report.returned = out.map((v) => typeof v === 'bigint' ? v.toString() : v);
    report.exit_code = 0;
  }
} catch (e) {
  report.trap = (e instanceof WebAssembly.RuntimeError ? '' : e.name + ': ') + e.message;
}
report.run_ns = Number(process.hrtime.bigint() - t1);
save();
process.exitCode = report.trap !== undefined ? 134 : report.exit_code;
"""


def node_path() -> str | None:
    """Return the ``node`` program on PATH, or None."""
    return shutil.which("node")


@functools.cache
def node_version() -> str | None:
    """Return Node's version (``v20.x``), or None when it is not installed."""
    import subprocess

    path = node_path()
    if path is None:
        return None
    try:
        return (
            subprocess.run(
                [path, "--version"], capture_output=True, text=True, timeout=10
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def _param_types(wasm: bytes, name: str | None) -> list[str]:
    if name is None:
        return []
    import wasmtime

    module = wasmtime.Module(wasmtime.Engine(), wasm)
    for export in module.exports:
        if export.name == name and isinstance(export.type, wasmtime.FuncType):
            return [str(t) for t in export.type.params]
    return []


def _provided(module: str, name: str) -> bool:
    return module == "wasi_snapshot_preview1" or (module, name) == (
        "wasikernel",
        "libc_path_refused",
    )


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
    """Run ``wasm`` under Node's WASI; the keywords are those of ``wasikernel.engines.run``.

    ``RunResult.duration_ns`` is the time the module ran inside Node (start-up excluded).
    Raises EngineError when ``node`` is not on PATH or ``keep`` is asked.
    """
    node = node_path()
    if node is None:
        raise EngineError(
            "Node.js is not installed (no `node` on PATH); install it with "
            "`apt-get install nodejs` (version 20 or later has node:wasi)"
        )
    version = node_version() or "v0"
    if int(version.lstrip("v").split(".")[0] or 0) < 20:
        raise EngineError(
            f"Node.js {version} is too old: its node:wasi needs version 20 or later; "
            "install a newer Node.js"
        )
    if keep:
        raise EngineError(
            "the engine 'node' runs in another process and cannot keep the "
            "instance alive; use engine='wasmtime' to call its exports afterwards"
        )
    refused = refuse_unknown_imports(wasm, sandbox, _provided)
    if refused is not None:
        refused.engine = "node"
        return refused
    workdir = Path(tempfile.mkdtemp(prefix="wasikernel-node-"))
    dirs = prepare_dirs(sandbox.preopens)
    try:
        (workdir / "module.wasm").write_bytes(wasm)
        (workdir / "runner.js").write_text(_RUNNER)
        config = {
            "module": str(workdir / "module.wasm"),
            "report": str(workdir / "report.json"),
            "args": [sandbox.program_name, *sandbox.args],
            "env": dict(sandbox.env),
            "preopens": {guest: host for host, guest in dirs.pairs},
            "invoke": invoke,
            "invoke_args": list(invoke_args),
            "param_types": _param_types(wasm, invoke),
        }
        (workdir / "config.json").write_text(json.dumps(config))
        argv = [node, "--no-warnings", str(workdir / "runner.js"), str(workdir / "config.json")]
        outcome = run_process(
            argv,
            sandbox,
            on_output=on_output,
            cancel=cancel,
            env={"PATH": "/usr/bin:/bin", "HOME": str(workdir)},
            data_cap_mib=sandbox.limits.max_memory_mib + NODE_HEADROOM_MIB,
        )
        try:
            report = json.loads((workdir / "report.json").read_text())
        except (OSError, ValueError):
            report = {}
    finally:
        dirs.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    if outcome.returncode not in (None, 0) and not report and outcome.limit is None:
        text = outcome.stderr.decode("utf-8", "replace")
        if "out of memory" in text.lower():  # V8 gives up when the data cap stops a grow
            from .. import messages

            outcome.limit = messages.t("limit_memory", mib=sandbox.limits.max_memory_mib)
            outcome.returncode = None
        else:
            lines = text.strip().splitlines()
            report = {
                "trap": "node failed: " + (lines[0] if lines else f"exit {outcome.returncode}")
            }
    trace = trace_unavailable("node")
    for path in report.get("libc", []):
        from .. import messages

        trace.events.append(
            TraceEvent(
                seq=len(trace.events),
                call="libc_path_refused",
                args={"path": path},
                results={},
                errno="noent",
                denied=True,
                capability="preopen",
                reason=messages.t("outside_preopen", path=path),
                phase="libc",
            )
        )
    if "exit_code" in report and outcome.returncode is not None:
        outcome.returncode = report["exit_code"]
    returned = None
    if report.get("returned") is not None:
        returned = [int(v) if isinstance(v, str) else v for v in report["returned"]]
    result = result_from_outcome(
        outcome,
        sandbox,
        "node",
        trap_message=report.get("trap"),
        returned=returned,
        duration_ns=report.get("run_ns"),
        trace=trace,
    )
    result.instantiate_ns = report.get("instantiate_ns")  # type: ignore[attr-defined]
    return result
