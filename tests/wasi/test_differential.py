"""Differential tests: the same C and Rust programs, on fresh copies of the same folder, under
our tracing host and under wasmtime's own WASI. Everything a user sees must match: stdout,
stderr, the exit code, and the files left behind.

Each case first checks the program on wasmtime alone (so a broken test program is told apart
from a broken host), then compares our host against it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from wasiharness import (
    FIXTURE_FILES,
    Dir,
    Outcome,
    RunSpec,
    fresh_copy,
    make_sandbox,
    run_ours,
    run_wasmtime,
    snapshot,
)

# (group, extra args, env, stdin, expected exit code)
C_CASES = [
    ("args", ["one", "two words", "", "é"], {"GREETING": "bonjour", "EMPTY": ""}, b"", 0),
    ("clocks", [], {}, b"", 0),
    ("random", [], {}, b"", 0),
    ("files", [], {}, b"", 0),
    ("dirs", [], {}, b"", 0),
    ("links", [], {}, b"", 0),
    ("symlinks", [], {}, b"", 0),
    ("stdin", [], {}, b"line one\nline two\n", 0),
    ("stdin", [], {}, b"", 0),
    ("stdio", [], {}, b"", 0),
    ("exit", ["0"], {}, b"", 0),
    ("exit", ["3"], {}, b"", 3),
    ("exit", ["3", "proc_exit"], {}, b"", 3),
    ("exit", ["125", "proc_exit"], {}, b"", 125),
    ("nonsense", [], {}, b"", 2),
]

RUST_CASES = [
    ("args", ["alpha", "beta gamma"], {"GREETING": "hi", "LANG": "C"}, b"", 0),
    ("clocks", [], {}, b"", 0),
    ("files", [], {}, b"", 0),
    ("dirs", [], {}, b"", 0),
    ("symlinks", [], {}, b"", 0),
    ("stdin", [], {}, b"ligne\nzweite Zeile\n", 0),
    ("exit", ["0"], {}, b"", 0),
    ("exit", ["7"], {}, b"", 7),
    ("panic", [], {}, b"", None),  # a Rust panic ends in `unreachable`: a trap on both hosts
]


def _case_id(case: tuple) -> str:
    group, args = case[0], case[1]
    return "-".join([group, *[a for a in args if a][:2]]) if args else group


def _run_both(
    wasm: bytes,
    fixture: Path,
    tmp_path: Path,
    group: str,
    args: list[str],
    env: dict[str, str],
    stdin: bytes,
    guest: str,
) -> tuple[Outcome, dict, Outcome, dict]:
    theirs_dir = fresh_copy(fixture, tmp_path / "wasmtime")
    ours_dir = fresh_copy(fixture, tmp_path / "ours")
    spec = RunSpec(wasm, [Dir(theirs_dir, guest)], [group, *args], env, stdin, "tour.wasm")
    theirs = run_wasmtime(spec)
    spec.dirs = [Dir(ours_dir, guest)]
    ours = run_ours(spec)
    return theirs, snapshot(theirs_dir), ours, snapshot(ours_dir)


def _assert_same(theirs: Outcome, theirs_files: dict, ours: Outcome, ours_files: dict) -> None:
    assert ours.stdout.decode(errors="replace") == theirs.stdout.decode(errors="replace")
    assert ours.stderr.decode(errors="replace") == theirs.stderr.decode(errors="replace")
    assert (ours.exit_code, ours.trap is None) == (theirs.exit_code, theirs.trap is None), (
        f"ours ended with exit={ours.exit_code} trap={ours.trap!r}; "
        f"wasmtime with exit={theirs.exit_code} trap={theirs.trap!r}"
    )
    assert ours_files == theirs_files
    if ours.result is not None:
        # a program that stays inside its folder meets no refusal: every failure it printed
        # is an ordinary errno, not the sandbox
        denied = [(e.call, e.args, e.reason) for e in ours.result.trace.events if e.denied]
        assert denied == []


def _check_oracle(theirs: Outcome, expected_exit: int | None) -> None:
    """The program itself behaves on wasmtime: right exit, no unexpected trap."""
    if expected_exit is None:
        assert theirs.trap is not None, "the program should trap"
    else:
        assert theirs.trap is None, theirs.trap
        assert theirs.exit_code == expected_exit, theirs.stdout + theirs.stderr
        assert theirs.stdout or theirs.stderr, "the program printed nothing"


@pytest.mark.parametrize("case", C_CASES, ids=_case_id)
def test_c_program_matches_wasmtime(c_tour, fixture_folder, tmp_path, case):
    group, args, env, stdin, expected = case
    theirs, theirs_files, ours, ours_files = _run_both(
        c_tour, fixture_folder, tmp_path, group, args, env, stdin, "/"
    )
    _check_oracle(theirs, expected)
    _assert_same(theirs, theirs_files, ours, ours_files)


@pytest.mark.parametrize("case", RUST_CASES, ids=_case_id)
def test_rust_program_matches_wasmtime(rust_tour, fixture_folder, tmp_path, case):
    group, args, env, stdin, expected = case
    theirs, theirs_files, ours, ours_files = _run_both(
        rust_tour, fixture_folder, tmp_path, group, args, env, stdin, "/"
    )
    _check_oracle(theirs, expected)
    _assert_same(theirs, theirs_files, ours, ours_files)


@pytest.mark.parametrize("group", ["files", "symlinks"])
def test_c_program_matches_wasmtime_under_a_dot_preopen(c_tour, fixture_folder, tmp_path, group):
    """The preopen named "." (wasmtime's `--dir .` spelling) resolves relative paths the same."""
    theirs, theirs_files, ours, ours_files = _run_both(
        c_tour, fixture_folder, tmp_path, group, [], {}, b"", "."
    )
    _check_oracle(theirs, 0)
    _assert_same(theirs, theirs_files, ours, ours_files)


@pytest.mark.parametrize(
    "case", [c for c in C_CASES if c[0] in ("files", "symlinks")], ids=_case_id
)
def test_c_program_runs_on_wasmtime(c_tour, fixture_folder, tmp_path, case):
    """The oracle side alone, so this file checks something before the host lands: the
    program changes the fixture the way its source says."""
    group, args, env, stdin, expected = case
    root = fresh_copy(fixture_folder, tmp_path / "w")
    theirs = run_wasmtime(RunSpec(c_tour, [Dir(root)], [group, *args], env, stdin))
    _check_oracle(theirs, expected)
    files = snapshot(root)
    if group == "files":
        assert files["log.txt"] == ("file", b"on")
        assert files["data.txt"][1].startswith(b"hello")
        assert "open missing: ENOENT" in theirs.stdout.decode()
        assert "mtime=1300000000.000000005" in theirs.stdout.decode()
    else:
        assert files["dangling"] == ("symlink", "nothing-here")
        assert "link" not in files


MEMORY_TREE = {
    "readme.txt": FIXTURE_FILES["readme.txt"],
    "sub": {"hello.txt": FIXTURE_FILES["sub/hello.txt"], "deeper": {"empty.txt": b""}},
}


@pytest.mark.parametrize("group", ["files", "dirs", "links", "symlinks", "stdin"])
def test_c_program_on_an_in_memory_tree_matches_wasmtime_on_disk(c_tour, tmp_path, group):
    """The in-memory file system (a Preopen with ``tree``) behaves as a real folder does under
    wasmtime: the program prints every listing, size, content and errno it meets, so equal
    output means equal behaviour (the tree a run leaves is not handed back by ``run``)."""
    from wasikernel.engines import run
    from wasikernel.sandbox import Preopen, Sandbox

    root = tmp_path / "disk"
    for rel, data in FIXTURE_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    stdin = b"typed in\n"
    theirs = run_wasmtime(RunSpec(c_tour, [Dir(root)], [group], {}, stdin, "tour.wasm"))
    _check_oracle(theirs, 0)
    sandbox = Sandbox(
        preopens=[Preopen("/", tree=MEMORY_TREE)], args=[group], stdin=stdin,
        program_name="tour.wasm",
    )  # fmt: skip
    ours = run(c_tour, sandbox)
    assert ours.trap is None, ours.trap.message
    assert ours.stdout.decode() == theirs.stdout.decode()
    assert ours.stderr.decode() == theirs.stderr.decode()
    assert ours.exit_code == theirs.exit_code


@pytest.mark.parametrize("engine", ["stepper", "pulley"])
@pytest.mark.parametrize(
    "case", [c for c in C_CASES if c[0] in ("files", "dirs", "links", "symlinks", "stdin")
             or c[1][:2] == ["3", "proc_exit"]], ids=_case_id,
)  # fmt: skip
def test_c_program_matches_wasmtime_on_other_engines(
    c_tour, fixture_folder, tmp_path, engine, case
):
    """The host is engine-agnostic: linked by our interpreter (stepper) or by wasmtime's Pulley
    interpreter, it must still behave as wasmtime's own WASI does."""
    from wasikernel.engines import ENGINES, run

    if engine not in ENGINES:
        pytest.skip(f"the {engine} engine is not registered in this checkout")
    group, args, env, stdin, expected = case
    theirs_dir = fresh_copy(fixture_folder, tmp_path / "wasmtime")
    ours_dir = fresh_copy(fixture_folder, tmp_path / "ours")
    spec = RunSpec(c_tour, [Dir(theirs_dir)], [group, *args], env, stdin, "tour.wasm")
    theirs = run_wasmtime(spec)
    _check_oracle(theirs, expected)
    spec.dirs = [Dir(ours_dir)]
    result = run(c_tour, make_sandbox(spec), engine=engine)
    ours = Outcome(result.stdout, result.stderr, result.exit_code,
                   result.trap.message if result.trap else result.limit)  # fmt: skip
    _assert_same(theirs, snapshot(theirs_dir), ours, snapshot(ours_dir))
