"""wasi-testsuite's 72 preview1 tests under ``wasikernel run``, beside wasmtime's built-in WASI.

The prebuilt test binaries are not in this repository (they belong to
github.com/WebAssembly/wasi-testsuite, branch ``prod/testsuite-base``); point the environment
variable ``WASI_TESTSUITE`` at a checkout of that branch to run this test.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

SUITE = os.environ.get("WASI_TESTSUITE")


def _run_suite_module():  # noqa: ANN202 - a module object
    path = Path(__file__).with_name("run_suite.py")
    spec = importlib.util.spec_from_file_location("run_suite", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_suite"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.skipif(
    not SUITE,
    reason="WASI_TESTSUITE is not set: point it at a checkout of WebAssembly/wasi-testsuite "
    "(branch prod/testsuite-base) to run its prebuilt preview1 tests",
)
def test_wasikernel_passes_what_wasmtime_passes(capsys):
    run_suite = _run_suite_module()
    assert len(run_suite.find_cases(Path(SUITE))) == 72
    status = run_suite.main([SUITE])
    report = capsys.readouterr().out
    assert status == 0, report
