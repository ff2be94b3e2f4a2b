"""Fixtures shared by every test folder: the conformance suites' data, and a report of the
suites' pass counts printed at the end of the run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import suite_data

_REPORT = pytest.StashKey[list[str]]()


def _located(suite: suite_data.SuiteData) -> Path:
    try:
        return suite.locate()
    except suite_data.SuiteDataMissing as missing:
        problem = missing
    if problem.named:
        pytest.fail(str(problem), pytrace=False)
    pytest.skip(str(problem))


@pytest.fixture(scope="session")
def spec_testsuite() -> Path:
    """The folder of the WebAssembly 2.0 spec scripts (``WASM_SPEC_TESTSUITE``); skips, saying
    where to get them, when they are not on this machine."""
    return _located(suite_data.SPEC)


@pytest.fixture(scope="session")
def wasi_testsuite() -> Path:
    """The WASI conformance suite's preview 1 tests (``WASI_TESTSUITE``); skips, saying where
    to get them, when they are not on this machine."""
    return _located(suite_data.WASI)


@pytest.fixture
def conformance_report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Adds a line to the "conformance suites" section printed at the end of the run, so a CI
    log shows the pass counts even when every test passed."""
    return request.config.stash.setdefault(_REPORT, []).append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT, [])
    if lines:
        terminalreporter.section("conformance suites")
        for line in lines:
            terminalreporter.write_line(line)
