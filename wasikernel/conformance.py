"""The WASI conformance suite's preview 1 programs, run under any engine: a pass count per runtime.

The suite (github.com/WebAssembly/wasi-testsuite, branch ``prod/testsuite-base``: 72 preview 1
programs) is test data, not part of this package: :func:`suite_folder` finds it in the folder
named by ``WASI_TESTSUITE``, else in ``../shared/testsuites/wasi-testsuite`` beside the
repository. A test is ``NAME.wasm`` plus an optional ``NAME.json`` giving ``args``, ``env``,
``root`` (a fixture folder preopened as ``/``), the expected ``exit_code`` (default 0) and the
expected start of ``stdout``/``stderr``, as the upstream runner reads them (:func:`judge`).
Each test runs on a fresh copy of its fixture folder.

An engine that runs our host is run as a learner's run is; an engine with its own WASI is run
through :meth:`~wasikernel.engines.OwnWasiEngine.run_alone`, so the count is the runtime's own
(a runtime the project refuses folders, such as pywasm, is still counted on the suite's
fixtures, which are copies made for it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .messages import t

__all__ = [
    "Case", "Ran", "Conformance", "find_cases", "judge", "suite_folder", "run_case", "conformance",
    "PUBLISHED",
]  # fmt: skip

#: pass counts on these 72 programs measured on this kind of machine (2026-12) and published
#: upstream, for a row whose runtime or suite is missing here
PUBLISHED = {
    "wasmtime": 72, "wasmtime-cli": 72, "pywasm": 72, "node": 60, "wasmer-sdk": 23,
    "wasmedge": 72, "iwasm": 70,
}  # fmt: skip


@dataclass
class Case:
    """One test of the suite, as its NAME.json describes it."""

    wasm: Path
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    root: Path | None = None
    exit_code: int = 0
    stdout: str | None = None
    stderr: str | None = None

    @property
    def name(self) -> str:
        """``SUITE/NAME``, e.g. ``c/fopen-with-access``."""
        return f"{self.wasm.parts[-4]}/{self.wasm.stem}"


@dataclass
class Ran:
    """What one run of a test did."""

    exit_code: int | None
    stdout: str
    stderr: str
    note: str = ""


@dataclass
class Conformance:
    """One runtime's result on the suite: ``passed`` of ``total``, each failure with its
    reason; ``reason`` says why nothing ran (the runtime or the suite missing here)."""

    engine: str
    passed: int
    total: int
    failures: dict[str, str] = field(default_factory=dict)
    reason: str | None = None

    def __str__(self) -> str:
        if self.reason is not None:
            return f"{self.engine}: " + t("compare_not_measured", reason=self.reason)
        return f"{self.engine}: {self.passed}/{self.total}"


def suite_folder() -> Path | None:
    """The suite's folder (``WASI_TESTSUITE``, else ``../shared/testsuites/wasi-testsuite``
    beside the repository), or None when it is not on this machine."""
    named = os.environ.get("WASI_TESTSUITE")
    if named:
        path = Path(named).expanduser()
        return path if path.is_dir() else None
    beside = Path(__file__).resolve().parents[2] / "shared" / "testsuites" / "wasi-testsuite"
    return beside if beside.is_dir() else None


def find_cases(path: Path) -> list[Case]:
    """Every preview 1 test below ``path``, sorted by suite and name."""
    cases = []
    for wasm in sorted(path.rglob("wasm32-wasip1/*.wasm")):
        if wasm.parent.parent.name != "testsuite":
            continue
        config = wasm.with_suffix(".json")
        data = json.loads(config.read_text()) if config.exists() else {}
        cases.append(
            Case(
                wasm=wasm,
                args=list(data.get("args", [])),
                env=dict(data.get("env", {})),
                root=(wasm.parent / data["root"]) if data.get("root") else None,
                exit_code=int(data.get("exit_code", 0)),
                stdout=data.get("stdout"),
                stderr=data.get("stderr"),
            )
        )
    return cases


def judge(case: Case, ran: Ran) -> str | None:
    """The reason ``ran`` fails ``case`` (the upstream runner's checks), or None if it passes."""
    problems = []
    if ran.exit_code != case.exit_code:
        problems.append(f"exit code {ran.exit_code}, expected {case.exit_code}")
    # Upstream reads as many characters as expected from each stream and compares them.
    if case.stdout is not None and ran.stdout[: len(case.stdout)] != case.stdout:
        problems.append(f"stdout {ran.stdout[:200]!r}, expected {case.stdout!r}")
    if case.stderr is not None and ran.stderr[: len(case.stderr)] != case.stderr:
        problems.append(f"stderr {ran.stderr[:200]!r}, expected {case.stderr!r}")
    if not problems:
        return None
    if ran.note:
        problems.append(ran.note)
    if ran.stderr and case.stderr is None:
        # the first lines say why (a panic message, a trap line); the backtrace adds little
        lines = [line for line in ran.stderr.strip().splitlines() if line.strip()]
        problems.append("stderr: " + " | ".join(lines[:4])[:600])
    return "; ".join(problems)


def fresh_root(case: Case, into: Path) -> Path | None:
    """A copy of the test's fixture folder inside ``into`` (two folders down, so a runtime
    that lets the guest out of it lands in ``into`` still), or None when it has none."""
    if case.root is None:
        return None
    dest = into / "a" / "b" / case.root.name
    shutil.copytree(case.root, dest, symlinks=True)
    return dest


def run_case(engine: str, case: Case, timeout_s: float = 60.0) -> Ran:
    """Run ``case`` under ``engine`` on a fresh copy of its fixture folder."""
    from . import engines
    from .errors import EngineError
    from .sandbox import Limits, Preopen, Sandbox

    chosen = engines.find(engine)
    with tempfile.TemporaryDirectory(prefix="wasikernel-suite-") as tmp:
        root = fresh_root(case, Path(tmp))
        sandbox = Sandbox(
            args=case.args, env=case.env, stdin=b"", program_name=case.wasm.name,
            preopens=[Preopen("/", host_path=str(root))] if root is not None else [],
            limits=Limits(timeout_s=timeout_s, max_trace_events=1000),
        )  # fmt: skip
        request = engines.RunRequest(case.wasm.read_bytes(), sandbox, snapshots=False)
        try:
            if getattr(chosen, "traced", True):
                result = chosen.run(request)
            else:
                result = chosen.run_alone(request)
        except EngineError as exc:
            return Ran(None, "", "", f"refused: {exc}")
    out = result.stdout.decode("utf-8", "replace")
    err = result.stderr.decode("utf-8", "replace")
    if result.limit is not None:
        return Ran(None, out, err, f"limit: {result.limit}")
    if result.trap is not None:  # a runtime's command line exits 134 (abort) on a trap
        return Ran(134, out, err, f"trap: {result.trap.message}")
    return Ran(result.exit_code, out, err)


def conformance(
    engine: str, *, path: Path | None = None, names: Sequence[str] | None = None
) -> Conformance:
    """Run the suite (or the tests named in ``names``) under ``engine``; return its count.

    A runtime not usable here, or a suite not on this machine, gives a Conformance whose
    ``reason`` says why, with no count.
    """
    from . import engines

    reason = engines.find(engine).available()
    folder = path or suite_folder()
    if reason is None and folder is None:
        reason = t("conformance_no_suite")
    if reason is not None:
        return Conformance(engine, 0, 0, reason=reason)
    cases = find_cases(folder)
    if names is not None:
        cases = [c for c in cases if c.name in names]
    failures = {}
    for case in cases:
        why = judge(case, run_case(engine, case))
        if why is not None:
            failures[case.name] = why
    return Conformance(engine, len(cases) - len(failures), len(cases), failures)
