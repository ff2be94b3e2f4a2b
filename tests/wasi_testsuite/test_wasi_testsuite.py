"""wasi-testsuite's 72 preview1 tests under ``wasikernel run``, beside wasmtime's built-in WASI.

The prebuilt test binaries are not in this repository (they belong to
github.com/WebAssembly/wasi-testsuite, branch ``prod/testsuite-base``): the test reads them from
``$WASI_TESTSUITE``, else ``../shared/testsuites/wasi-testsuite``, and skips, saying where to get
them, when neither is there. Both pass counts go to the run's "conformance suites" summary.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def _run_suite_module():  # noqa: ANN202 - a module object
    path = Path(__file__).with_name("run_suite.py")
    spec = importlib.util.spec_from_file_location("run_suite", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_suite"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_wasikernel_passes_what_wasmtime_passes(wasi_testsuite, conformance_report, capsys):
    run_suite = _run_suite_module()
    assert len(run_suite.find_cases(wasi_testsuite)) == 72
    status = run_suite.main([str(wasi_testsuite)])
    report = capsys.readouterr().out
    for line in report.splitlines():
        if line.endswith(" passed") or line.startswith("failing under wasikernel only"):
            conformance_report(f"WASI testsuite, preview 1: {line}")
    assert status == 0, report


@pytest.mark.slow
def test_preview2_host_passes_what_add_wasip2_passes_on_the_suite_as_components(
    wasi_testsuite, conformance_report, capsys
):
    """The same 72 programs wrapped with the preview 1 adapter, under our preview 2 host and
    under wasmtime's ``add_wasip2``: ours fails none that wasmtime passes."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "wasi"))
    from wasiharness import component_tools_missing

    missing = component_tools_missing()
    if missing:
        pytest.skip(missing)
    path = Path(__file__).with_name("run_suite_p2.py")
    spec = importlib.util.spec_from_file_location("run_suite_p2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    status = module.main([str(wasi_testsuite)])
    report = capsys.readouterr().out
    for line in report.splitlines():
        if line.endswith(" passed") or line.startswith("failing under wasikernel only"):
            conformance_report(f"WASI testsuite, as components (preview 2): {line}")
    assert status == 0, report
