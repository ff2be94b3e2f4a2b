"""Run wasi-testsuite's preview1 tests under ``wasikernel run`` and under wasmtime's own WASI.

Usage::

    python tests/wasi_testsuite/run_suite.py PATH [--only ours|wasmtime] [-k SUBSTRING] [-v]

PATH is a checkout of github.com/WebAssembly/wasi-testsuite on branch ``prod/testsuite-base``
(or any folder under it): every ``*/testsuite/wasm32-wasip1/NAME.wasm`` found below PATH is a
test, with an optional ``NAME.json`` giving ``args``, ``env``, ``root`` (a folder preopened as
``/``), the expected ``exit_code`` (default 0) and the expected start of ``stdout``/``stderr``,
as the upstream runner reads them. Each test runs on a fresh copy of its root folder.

"ours" runs the command line our adapter (``adapter.py`` beside this file) builds, in a
subprocess, exactly as the upstream runner would (``WASIKERNEL_ENGINE=stepper`` picks the
engine); "wasmtime" runs the same module in this
process through wasmtime-py's ``Linker.define_wasi`` (wasmtime's built-in WASI, same machine).
The script prints each failure with its reason and both pass counts; it exits 0 when ours
passes every test that wasmtime passes. Reading the tests and judging a run are
:mod:`wasikernel.conformance`'s, which also counts the suite under any engine.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from wasikernel.conformance import Case, Ran, find_cases, fresh_root, judge

HERE = Path(__file__).resolve().parent


def _load_adapter():  # noqa: ANN202 - a module object
    spec = importlib.util.spec_from_file_location("wasikernel_adapter", HERE / "adapter.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_ours(case: Case, adapter, timeout_s: float) -> Ran:  # noqa: ANN001
    """Run ``case`` through the adapter's command line, as the upstream runner does."""
    with tempfile.TemporaryDirectory(prefix="wasi-suite-ours-") as tmp:
        root = fresh_root(case, Path(tmp))
        argv = adapter.compute_argv(
            str(case.wasm),
            (case.args, case.env, str(root) if root else None),
            [],
            "wasi:cli/command",
            "wasm32-wasip1",
        )
        try:
            proc = subprocess.run(argv, input="", capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return Ran(None, "", "", f"timed out after {timeout_s:g} s")
        return Ran(proc.returncode, proc.stdout, proc.stderr)


def run_wasmtime(case: Case, timeout_s: float) -> Ran:
    """Run ``case`` under wasmtime's built-in WASI through wasmtime-py."""
    import wasmtime

    config = wasmtime.Config()
    config.epoch_interruption = True
    engine = wasmtime.Engine(config)
    with tempfile.TemporaryDirectory(prefix="wasi-suite-wasmtime-") as tmp:
        tmp_path = Path(tmp)
        root = fresh_root(case, tmp_path)
        wasi = wasmtime.WasiConfig()
        wasi.argv = [case.wasm.name, *case.args]
        wasi.env = list(case.env.items())
        (tmp_path / "stdin").write_bytes(b"")
        wasi.stdin_file = str(tmp_path / "stdin")
        wasi.stdout_file = str(tmp_path / "stdout")
        wasi.stderr_file = str(tmp_path / "stderr")
        if root is not None:
            wasi.preopen_dir(str(root), "/")
        store = wasmtime.Store(engine)
        store.set_wasi(wasi)
        store.set_epoch_deadline(1)
        timer = threading.Timer(timeout_s, engine.increment_epoch)
        timer.daemon = True
        timer.start()
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        code: int | None = 0
        note = ""
        try:
            module = wasmtime.Module.from_file(engine, str(case.wasm))
            instance = linker.instantiate(store, module)
            instance.exports(store)["_start"](store)
        except wasmtime.ExitTrap as exc:
            code = exc.code
        except (wasmtime.WasmtimeError, wasmtime.Trap) as exc:
            # the wasmtime CLI exits 134 (abort) on a trap; say what the trap was
            code, note = 134, "trap: " + str(exc).splitlines()[0]
        finally:
            timer.cancel()
        del store
        out = (tmp_path / "stdout").read_text(errors="replace")
        err = (tmp_path / "stderr").read_text(errors="replace")
        return Ran(code, out, err, note)


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print failures and pass counts; return 0 when ours keeps up."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="a wasi-testsuite checkout (prod/testsuite-base)")
    parser.add_argument("--only", choices=["ours", "wasmtime"], help="run one side only")
    parser.add_argument("-k", dest="keyword", help="only tests whose name contains this")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every test")
    opts = parser.parse_args(argv)
    cases = find_cases(opts.path)
    if opts.keyword:
        cases = [c for c in cases if opts.keyword in c.name]
    if not cases:
        print(f"no wasm32-wasip1 tests found below {opts.path}", file=sys.stderr)
        return 2
    sides = [opts.only] if opts.only else ["ours", "wasmtime"]
    adapter = _load_adapter() if "ours" in sides else None
    failures: dict[str, dict[str, str]] = {side: {} for side in sides}
    for case in cases:
        for side in sides:
            if side == "ours":
                ran = run_ours(case, adapter, opts.timeout)
            else:
                ran = run_wasmtime(case, opts.timeout)
            reason = judge(case, ran)
            if reason is not None:
                failures[side][case.name] = reason
            if opts.verbose:
                print(f"{side:9} {'FAIL' if reason else 'ok  '} {case.name}", flush=True)
    for side in sides:
        for name, reason in failures[side].items():
            print(f"FAIL [{side}] {name}: {reason}")
    print()
    for side in sides:
        label = "wasikernel run" if side == "ours" else "wasmtime built-in WASI (wasmtime-py)"
        passed = len(cases) - len(failures[side])
        print(f"{label}: {passed}/{len(cases)} passed")
    if len(sides) == 2:
        worse = sorted(set(failures["ours"]) - set(failures["wasmtime"]))
        print(f"failing under wasikernel only: {', '.join(worse) if worse else 'none'}")
        return 1 if worse else 0
    return 1 if failures[sides[0]] else 0


if __name__ == "__main__":
    sys.exit(main())
