"""wasi-testsuite's preview 1 programs as components (wrapped with the preview 1 adapter), under
our preview 2 host and under wasmtime's own preview 2 (``Linker.add_wasip2``).

Usage::

    python tests/wasi_testsuite/run_suite_p2.py PATH [-k SUBSTRING] [-v]

Both sides run in this process on the same component, each on a fresh copy of the test's root
folder, and are judged by the upstream runner's checks (:func:`wasikernel.conformance.judge`).
The script prints each failure with its reason and both pass counts; it exits 0 when ours passes
every test that ``add_wasip2`` passes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from wasikernel.conformance import Case, Ran, find_cases, fresh_root, judge

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "wasi"))

TRAP_EXIT = 134


def run_ours(case: Case, component: bytes, timeout_s: float) -> Ran:
    """Run the component under wasikernel's preview 2 host."""
    from wasikernel.engines.component import run_component
    from wasikernel.sandbox import Limits, Preopen, Sandbox

    with tempfile.TemporaryDirectory(prefix="wasi-suite-p2-ours-") as tmp:
        root = fresh_root(case, Path(tmp))
        sandbox = Sandbox(
            preopens=[Preopen("/", host_path=str(root))] if root else [],
            args=list(case.args), env=dict(case.env), program_name=case.wasm.name,
            limits=Limits(timeout_s=timeout_s),
        )  # fmt: skip
        result = run_component(component, sandbox)
        code, note = result.exit_code, ""
        if result.trap is not None:
            code, note = TRAP_EXIT, f"trap: {result.trap.message}"
        elif result.limit is not None:
            code, note = 137, f"limit: {result.limit}"
        return Ran(code, result.stdout.decode(errors="replace"),
                   result.stderr.decode(errors="replace"), note)  # fmt: skip


def run_wasip2(case: Case, component: bytes, timeout_s: float) -> Ran:
    """Run the component under wasmtime's own preview 2."""
    from wasiharness import Dir, RunSpec
    from wasiharness import run_wasip2 as oracle

    with tempfile.TemporaryDirectory(prefix="wasi-suite-p2-wasmtime-") as tmp:
        root = fresh_root(case, Path(tmp))
        spec = RunSpec(component, [Dir(root)] if root else [], list(case.args),
                       dict(case.env), b"", case.wasm.name)  # fmt: skip
        out = oracle(spec, timeout_s)
        code, note = out.exit_code, ""
        if out.trap is not None:
            code, note = TRAP_EXIT, "trap: " + out.trap.splitlines()[0]
        return Ran(code, out.stdout.decode(errors="replace"),
                   out.stderr.decode(errors="replace"), note)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the suite as components; print failures and pass counts; 0 when ours keeps up."""
    from wasikernel.compile.component import wrap

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="a wasi-testsuite checkout (prod/testsuite-base)")
    parser.add_argument("-k", dest="keyword", help="only tests whose name contains this")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every test")
    opts = parser.parse_args(argv)
    cases = find_cases(opts.path)
    if opts.keyword:
        cases = [c for c in cases if opts.keyword in c.name]
    failures: dict[str, dict[str, str]] = {"ours": {}, "wasip2": {}}
    for case in cases:
        # the adapter turns proc_exit(n != 0) into exit(err): 1 under every preview 2 host
        expected = Case(**{**case.__dict__, "exit_code": min(case.exit_code, 1)})
        component = wrap(case.wasm.read_bytes())
        for side, runner in (("ours", run_ours), ("wasip2", run_wasip2)):
            reason = judge(expected, runner(case, component, opts.timeout))
            if reason is not None:
                failures[side][case.name] = reason
            if opts.verbose:
                print(f"{side:7} {'FAIL' if reason else 'ok  '} {case.name}", flush=True)
    for side, failed in failures.items():
        for name, reason in failed.items():
            print(f"FAIL [{side}] {name}: {reason}")
    print()
    labels = {"ours": "wasikernel preview 2 host", "wasip2": "wasmtime add_wasip2 (wasmtime-py)"}
    for side, failed in failures.items():
        print(f"{labels[side]}: {len(cases) - len(failed)}/{len(cases)} passed")
    worse = sorted(set(failures["ours"]) - set(failures["wasip2"]))
    print(f"failing under wasikernel only: {', '.join(worse) if worse else 'none'}")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
