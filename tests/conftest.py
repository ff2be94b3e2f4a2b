"""What every test folder shares: the ``zig`` marker and fixture (tests that compile C with zig
skip, saying how to install it, when it is missing), a compile cache of a test module's own, the
conformance suites' data, and a report of the suites' pass counts printed at the end of the run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import suite_data

from wasikernel.compile import CompileOptions, toolchain_version
from wasikernel.errors import ToolchainMissing

_REPORT = pytest.StashKey[list[str]]()


@functools.cache
def zig_missing() -> str | None:
    """Why C cannot be compiled with zig here (the ``ziglang`` wheel is not installed), or
    None when it can."""
    try:
        toolchain_version("c", CompileOptions(toolchain="zig"))
    except ToolchainMissing as missing:
        return f"{str(missing).splitlines()[0]}; fix: {missing.install_hint}"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("zig") is not None and zig_missing():
        pytest.skip(zig_missing())


@pytest.fixture(scope="session")
def zig() -> None:
    """For fixtures that compile C with zig: skips, saying how to install it, when missing."""
    if zig_missing():
        pytest.skip(zig_missing())


@pytest.fixture(scope="module")
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A compile cache of the test module's own (``WASIKERNEL_CACHE``), restored after it; a
    module uses it with ``pytestmark = pytest.mark.usefixtures("isolated_cache")``."""
    previous = os.environ.get("WASIKERNEL_CACHE")
    os.environ["WASIKERNEL_CACHE"] = str(tmp_path_factory.mktemp("wasikernel-cache"))
    yield Path(os.environ["WASIKERNEL_CACHE"])
    if previous is None:
        del os.environ["WASIKERNEL_CACHE"]
    else:
        os.environ["WASIKERNEL_CACHE"] = previous


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
