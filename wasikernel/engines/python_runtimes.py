"""Runtimes that a Python package brings, each with a WASI of its own: ``pywasm`` and
``wasmer-sdk``.

* ``pywasm`` (PyPI ``pywasm``) is an interpreter written in pure Python, with its own
  ``wasi_snapshot_preview1``: the honest peer of our step-through interpreter. It is given
  args, env and stdin, but no folder: its WASI checks ``..`` only when opening a file, so a
  guest renames, unlinks, links and creates outside a granted folder, and follows symbolic
  links out of it (see :func:`wasikernel.compare.escape_table`). A run that asks it for a
  folder is refused; the escape table and the conformance count measure its WASI alone.
* ``wasmer-sdk`` (PyPI ``wasmer-sdk``) embeds the Wasmer runtime. A local module runs with
  args, env and stdin, without any package registry; it grants no host folder at all (its files
  live in an in-memory ``/workspace``), so a run that asks for a folder is refused rather than
  run without it.

Each run happens in a child Python process (a runner script and a JSON configuration written to
a private folder), so the sandbox's wall-time limit, ``cancel`` and output limit apply as for
every engine with its own WASI, and neither runtime can block or crash the kernel. The runner
writes a report (exit code, trap, values returned, libc refusals) to a side file; the guest's
stdout and stderr are the child's. ``RunResult.duration_ns`` is the whole child process,
Python's start-up included.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from .. import messages
from ..result import RunResult
from ..trace import TraceEvent
from ._engine import LIBC_HOOK, OwnWasiEngine, RunRequest, dist_version, unknown_export
from ._lifecycle import compile_for_reading, function_exports
from .cli._process import TRAP_EXIT, result_from_outcome, run_process, trace_unavailable

__all__ = ["PythonRuntime", "PYWASM", "WASMER_SDK"]

_PYWASM_RUNNER = r"""
import json, os, sys
cfg = json.load(open(sys.argv[1]))
report = {"libc": []}
def save(code):
    with open(cfg["report"], "w") as f:
        json.dump(report, f)
    sys.stdout.flush(); sys.stderr.flush()
    os._exit(code)
import pywasm
runtime = pywasm.core.Runtime()
wasi = pywasm.wasi.Preview1(cfg["args"], cfg["dirs"], cfg["env"])
wasi.bind(runtime)
i32 = pywasm.core.ValType.i32()
def libc_path_refused(m, args):
    mem = m.store.mems[m.stack.frame[-1].module.mems[0]]
    report["libc"].append(bytes(mem.get(args[0], args[1])).decode("utf-8", "replace"))
    return []
runtime.imports.setdefault("wasikernel", {})["libc_path_refused"] = runtime.allocate_func_host(
    pywasm.core.FuncType([i32, i32], []), libc_path_refused)
try:
    module = runtime.instance_from_file(cfg["module"])
except Exception as e:
    report["trap"] = "link error: " + (str(e) or type(e).__name__)
    save(134)
try:
    if cfg["invoke"] is None:
        report["exit_code"] = wasi.main(runtime, module)
    else:
        out = runtime.invocate(module, cfg["invoke"], cfg["invoke_args"])
        report["returned"] = [v if isinstance(v, (int, float)) else str(v) for v in out]
        report["exit_code"] = 0
except Exception as e:
    report["trap"] = str(e) or type(e).__name__
    save(134)
save(report["exit_code"] & 0xFF)
"""

_WASMER_RUNNER = r"""
import asyncio, json, os, sys
cfg = json.load(open(sys.argv[1]))
report = {}
def save(code):
    with open(cfg["report"], "w") as f:
        json.dump(report, f)
    os._exit(code)
from wasmer_sdk import Wasmer, WasmerError
async def main():
    async with Wasmer(cache_root=cfg["cache"]) as wasmer:
        try:
            package = await wasmer.packages.load(open(cfg["module"], "rb").read())
        except WasmerError as e:
            report["trap"] = "link error: " + str(e)
            return 134
        async with await wasmer.sandboxes.create(packages=[package], env=cfg["env"]) as box:
            out = await box.command(package, cfg["args"]).run(
                check=False, stdin=bytes.fromhex(cfg["stdin"]))
    os.write(1, out.stdout.bytes)
    os.write(2, out.stderr.bytes)
    if out.exit_code is None:
        report["trap"] = str(out.reason.value)
        return 134
    report["exit_code"] = out.exit_code
    return out.exit_code & 0xFF
try:
    code = asyncio.run(main())
except Exception as e:
    report["trap"] = str(e) or type(e).__name__
    code = 134
save(code)
"""


class PythonRuntime(OwnWasiEngine):
    """A runtime that a Python package brings, run in a child Python process by a runner."""

    distribution: str = ""
    importable: str = ""
    runner: str = ""
    #: whether the runtime can call a function export (``invoke``)
    invokes: ClassVar[bool] = True
    provided_extra: ClassVar[frozenset[tuple[str, str]]] = frozenset()

    def available(self) -> str | None:
        """None when the package imports here, else why not and how to install it."""
        if importlib.util.find_spec(self.importable) is None:
            return messages.t("engine_package_absent", distribution=self.distribution,
                              install=self.install)  # fmt: skip
        return None

    def version(self) -> str | None:
        """``"NAME VERSION"`` of the package, or None when it is not installed."""
        return dist_version(self.distribution)

    def provides(self, module: str, name: str) -> bool:
        """WASI preview 1, and whatever else the runner links."""
        return module == "wasi_snapshot_preview1" or (module, name) in self.provided_extra

    def config(self, request: RunRequest, dirs: Sequence[tuple[str, str]], work: Path) -> dict:
        """The runner's configuration for one run."""
        sandbox = request.sandbox
        return {
            "module": str(work / "module.wasm"),
            "report": str(work / "report.json"),
            "args": [sandbox.program_name, *sandbox.args],
            "env": dict(sandbox.env),
            "dirs": {guest: host for host, guest in dirs},
            "stdin": bytes(sandbox.stdin or b"").hex(),
            "invoke": request.invoke,
            "invoke_args": list(request.invoke_args),
            "cache": str(work / "cache"),
        }

    def launch(
        self, request: RunRequest, dirs: Sequence[tuple[str, str]], workdir: str
    ) -> RunResult:
        """Run the module in a child Python process with the runner script."""
        from ..errors import EngineError

        sandbox = request.sandbox
        if request.invoke is not None:
            if not self.invokes:
                raise EngineError(messages.t("engine_runs_only_start", engine=self.name,
                                             export=request.invoke))  # fmt: skip
            compile_for_reading(request.wasm)  # valid, and no v128 in what it imports
            exports = function_exports(request.wasm)
            if request.invoke not in exports:
                raise unknown_export(request.invoke, exports)
        work = Path(workdir)
        (work / "module.wasm").write_bytes(request.wasm)
        (work / "runner.py").write_text(self.runner)
        (work / "config.json").write_text(json.dumps(self.config(request, dirs, work)))
        outcome = run_process(
            [sys.executable, "-S", str(work / "runner.py"), str(work / "config.json")],
            sandbox, on_output=request.on_output, cancel=request.cancel,
            env={"PATH": "/usr/bin:/bin", "HOME": workdir, "PYTHONPATH": _site_paths()},
        )  # fmt: skip
        try:
            report = json.loads((work / "report.json").read_text())
        except (OSError, ValueError):
            report = {}
        if not report and outcome.returncode not in (None, 0) and outcome.limit is None:
            lines = outcome.stderr.decode("utf-8", "replace").strip().splitlines()
            report = {"trap": f"{self.name} failed: " + (lines[-1] if lines else
                                                         f"exit {outcome.returncode}")}  # fmt: skip
        if "exit_code" in report and outcome.returncode is not None:
            outcome.returncode = report["exit_code"]
        trap = report.get("trap")
        if trap is not None and outcome.returncode == TRAP_EXIT:
            outcome.returncode = None
        trace = trace_unavailable(self.name)
        for path in report.get("libc", []):
            trace.events.append(TraceEvent(
                seq=len(trace.events), call="libc_path_refused", args={"path": path}, results={},
                errno="noent", denied=True, capability="preopen",
                reason=messages.t("outside_preopen", path=path), phase="libc",
            ))  # fmt: skip
        return result_from_outcome(
            outcome, sandbox, self.name, trap_message=trap, returned=report.get("returned"),
            trace=trace,
        )  # fmt: skip


def _site_paths() -> str:
    """The import path of this Python's packages, for a child started with ``-I -S``."""
    import os

    return os.pathsep.join(p for p in sys.path if p and "site-packages" in p)


class PywasmEngine(PythonRuntime):
    """pywasm's interpreter and its own WASI (see the module's text)."""

    name = "pywasm"
    title = "pywasm (pure-Python interpreter)"
    install = "pip install pywasm"
    distribution = "pywasm"
    importable = "pywasm"
    runner = _PYWASM_RUNNER
    provided_extra = frozenset({LIBC_HOOK})
    #: no folder: its WASI lets a guest out of one (see the module's text)
    grants = frozenset({"env", "args", "stdin"})


class WasmerSdkEngine(PythonRuntime):
    """Wasmer, embedded by the ``wasmer-sdk`` package (see the module's text)."""

    name = "wasmer-sdk"
    title = "Wasmer (wasmer-sdk)"
    install = "pip install wasmer-sdk"
    distribution = "wasmer-sdk"
    importable = "wasmer_sdk"
    runner = _WASMER_RUNNER
    invokes = False
    grants = frozenset({"env", "args", "stdin"})
    maps_folders = False

    def config(self, request: RunRequest, dirs: Sequence[tuple[str, str]], work: Path) -> dict:
        """As for every runtime, but the arguments without the program's name: Wasmer gives
        the module its own ``argv[0]``."""
        config = super().config(request, dirs, work)
        config["args"] = config["args"][1:]
        return config


#: the engine ``pywasm``
PYWASM = PywasmEngine()
#: the engine ``wasmer-sdk``
WASMER_SDK = WasmerSdkEngine()
