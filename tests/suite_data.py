"""Where the tests find data from public conformance suites, and how to get it when it is missing.

The data is not in this repository. Each suite is read in place from the folder its environment
variable names, else from ``../shared/testsuites/FOLDER`` beside the repository. Tests that need
it skip, saying where to get it, when neither is there; a variable that names a missing folder
is an error, so a CI that sets the variables (``.ci/run``) always runs the suites.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "testsuites"


class SuiteDataMissing(Exception):
    """The suite's folder is not there. ``named`` is true when the environment variable named it
    (a broken set-up, not an absent option)."""

    def __init__(self, message: str, named: bool) -> None:
        super().__init__(message)
        self.named = named


@dataclass(frozen=True)
class SuiteData:
    """One suite: its environment variable, its folder under ``../shared/testsuites``, what it
    is, and where to get it."""

    variable: str
    folder: str
    what: str
    source: str

    def locate(self) -> Path:
        """The suite's folder; raises :class:`SuiteDataMissing` when it is not there."""
        named = os.environ.get(self.variable)
        if named:
            path = Path(named).expanduser()
            if not path.is_dir():
                raise SuiteDataMissing(
                    f"{self.variable}={named} is not a folder: point it at {self.source}",
                    named=True,
                )
            return path
        path = SHARED / self.folder
        if not path.is_dir():
            raise SuiteDataMissing(
                f"{self.what} are not on this machine: set {self.variable} to {self.source}, "
                f"or place them at {path}",
                named=False,
            )
        return path


SPEC = SuiteData(
    variable="WASM_SPEC_TESTSUITE",
    folder="spec-wasm2.0",
    what="the WebAssembly 2.0 spec scripts",
    source="a folder holding the top-level .wast files of github.com/WebAssembly/testsuite "
    "at commit a8101597d3c3c660086c3cd1eedee608ff18d3c3",
)

WASI = SuiteData(
    variable="WASI_TESTSUITE",
    folder="wasi-testsuite",
    what="the WASI conformance suite's prebuilt preview 1 tests",
    source="a checkout of github.com/WebAssembly/wasi-testsuite, branch prod/testsuite-base "
    "(commit 9f80ca35)",
)
