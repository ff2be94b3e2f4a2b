"""The ``node`` engine: Node.js's own WASI (``node:wasi``) on V8.

Node runs in a child process with a small runner script; our Python host is not in the loop,
so the run's trace holds only a note saying so (plus the libc refusals the module itself
reports, which reach us through our own import). The runner reports, on a side file, how long
compiling + instantiating and then running took inside Node, so the start-up of Node itself is
kept apart from the module's. ``node:wasi`` follows symbolic links out of a granted folder,
those the folder already holds and those the guest makes during the run (a link to ``..``,
then a path through it): nothing checked before the run can keep a guest inside, nor can a copy
of the folder, so a run is given no folder at all (``grants``) and one asking for a folder is
refused with a sentence naming the engines that confine folders. Only :meth:`run_alone` (the
escape table, the conformance count) hands it folders, read-only and in-memory ones through
temporary copies (``node:wasi`` cannot map a folder read-only).
The wall-time limit, ``cancel`` and the output limit apply. Node has no setting for a module's
memory, so the process's data segment is capped at ``max_memory_mib`` plus room for Node itself
(NODE_HEADROOM_MIB): a ``memory.grow`` past that fails in the guest, close to (not exactly
at) the limit.
"""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from .. import messages
from ..result import RunResult
from ..trace import TraceEvent
from ._engine import LIBC_HOOK, OwnWasiEngine, RunRequest
from ._lifecycle import function_exports
from .cli._process import result_from_outcome, run_process, trace_unavailable

__all__ = ["NODE", "NodeEngine", "node_path", "node_version", "NODE_HEADROOM_MIB"]

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
    return list(function_exports(wasm).get(name, ()))


class NodeEngine(OwnWasiEngine):
    """Node.js's own WASI (see the module's text); ``RunResult.duration_ns`` is the time the
    module ran inside Node (start-up excluded)."""

    name = "node"
    title = "Node.js WASI (V8)"
    install = "apt-get install nodejs"
    #: no folder: its WASI follows the links a guest makes out of one (see the module's text)
    grants = frozenset({"env", "args", "stdin"})

    def available(self) -> str | None:
        """None when a ``node`` of version 20 or later is on PATH, else why not."""
        if node_path() is None:
            return messages.t("engine_node_absent")
        version = node_version() or "v0"
        if int(version.lstrip("v").split(".")[0] or 0) < 20:
            return messages.t("engine_node_old", version=version)
        return None

    def version(self) -> str | None:
        """Node's version, or None when it is not installed."""
        return node_version()

    def provides(self, module: str, name: str) -> bool:
        """WASI preview 1, and the libc hook our C modules import."""
        return module == "wasi_snapshot_preview1" or (module, name) == LIBC_HOOK

    def launch(
        self, request: RunRequest, dirs: Sequence[tuple[str, str]], workdir: str
    ) -> RunResult:
        """Run the module under ``node`` with the runner script."""
        sandbox, wasm, invoke = request.sandbox, request.wasm, request.invoke
        work = Path(workdir)
        (work / "module.wasm").write_bytes(wasm)
        (work / "runner.js").write_text(_RUNNER)
        config = {
            "module": str(work / "module.wasm"),
            "report": str(work / "report.json"),
            "args": [sandbox.program_name, *sandbox.args],
            "env": dict(sandbox.env),
            "preopens": {guest: host for host, guest in dirs},
            "invoke": invoke,
            "invoke_args": list(request.invoke_args),
            "param_types": _param_types(wasm, invoke),
        }
        (work / "config.json").write_text(json.dumps(config))
        argv = [node_path() or "node", "--no-warnings", str(work / "runner.js"),
                str(work / "config.json")]  # fmt: skip
        outcome = run_process(
            argv,
            sandbox,
            on_output=request.on_output,
            cancel=request.cancel,
            env={"PATH": "/usr/bin:/bin", "HOME": workdir},
            data_cap_mib=sandbox.limits.max_memory_mib + NODE_HEADROOM_MIB,
        )
        try:
            report = json.loads((work / "report.json").read_text())
        except (OSError, ValueError):
            report = {}
        if outcome.returncode not in (None, 0) and not report and outcome.limit is None:
            text = outcome.stderr.decode("utf-8", "replace")
            if "out of memory" in text.lower():  # V8 gives up when the data cap stops a grow
                outcome.limit = messages.t("limit_memory", mib=sandbox.limits.max_memory_mib)
                outcome.returncode = None
            else:
                lines = text.strip().splitlines()
                report = {
                    "trap": "node failed: " + (lines[0] if lines else f"exit {outcome.returncode}")
                }
        trace = trace_unavailable("node")
        for path in report.get("libc", []):
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
        result.instantiate_ns = report.get("instantiate_ns")
        return result


#: the engine ``node``
NODE = NodeEngine()
