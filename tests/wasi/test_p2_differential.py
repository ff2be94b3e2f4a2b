"""Differential tests of the preview 2 host: tour.c wrapped into a component with the preview 1
adapter, run on fresh copies of the same folder under our host and under wasmtime's own
preview 2 (``Linker.add_wasip2``). Stdout, stderr, the exit code and the files left behind
must match; so must a run on an in-memory tree against wasmtime on a real folder.
"""

from __future__ import annotations

import pytest
from test_differential import C_CASES, MEMORY_TREE, RUST_CASES, _assert_same, _case_id
from wasiharness import FIXTURE_FILES, Dir, RunSpec, fresh_copy, make_sandbox, run_wasip2, snapshot

#: the adapter turns proc_exit(n != 0) into ``exit(err)``: exit code 1 under every p2 host
P2_CASES = [
    (g, a, e, s, 1 if x not in (0, None) else x) for g, a, e, s, x in C_CASES
]  # fmt: skip
P2_RUST_CASES = [
    (g, a, e, s, 1 if x not in (0, None) else x) for g, a, e, s, x in RUST_CASES
]  # fmt: skip


def _run_ours(spec: RunSpec):
    from wasiharness import Outcome

    from wasikernel.engines import run

    result = run(spec.wasm, make_sandbox(spec))
    trap = result.trap.message if result.trap is not None else result.limit
    return Outcome(result.stdout, result.stderr, result.exit_code, trap, result)


@pytest.mark.parametrize("case", P2_CASES, ids=_case_id)
def test_c_component_matches_wasip2(c_tour_component, fixture_folder, tmp_path, case):
    group, args, env, stdin, expected = case
    theirs_dir = fresh_copy(fixture_folder, tmp_path / "wasmtime")
    ours_dir = fresh_copy(fixture_folder, tmp_path / "ours")
    spec = RunSpec(c_tour_component, [Dir(theirs_dir)], [group, *args], env, stdin, "tour.wasm")
    theirs = run_wasip2(spec)
    assert theirs.trap is None and theirs.exit_code == expected, theirs
    spec.dirs = [Dir(ours_dir)]
    ours = _run_ours(spec)
    _assert_same(theirs, snapshot(theirs_dir), ours, snapshot(ours_dir))
    assert {e.abi for e in ours.result.trace.events} == {"p2"}


@pytest.fixture(scope="module")
def rust_tour_component(rust_tour, c_tour_component):
    """tour.rs as a component (the C fixture skips when the component tools are missing)."""
    from wasikernel.compile.component import wrap

    return wrap(rust_tour)


@pytest.mark.parametrize("case", P2_RUST_CASES, ids=_case_id)
def test_rust_component_matches_wasip2(rust_tour_component, fixture_folder, tmp_path, case):
    group, args, env, stdin, _ = case
    theirs_dir = fresh_copy(fixture_folder, tmp_path / "wasmtime")
    ours_dir = fresh_copy(fixture_folder, tmp_path / "ours")
    spec = RunSpec(rust_tour_component, [Dir(theirs_dir)], [group, *args], env, stdin,
                   "tour.wasm")  # fmt: skip
    theirs = run_wasip2(spec)
    # (a panic traps on both hosts; so does the adapter itself on "files", in its path_open)
    spec.dirs = [Dir(ours_dir)]
    ours = _run_ours(spec)
    _assert_same(theirs, snapshot(theirs_dir), ours, snapshot(ours_dir))


@pytest.mark.parametrize("group", ["files", "dirs", "links", "symlinks", "stdin"])
def test_c_component_on_an_in_memory_tree_matches_wasip2_on_disk(c_tour_component, tmp_path, group):
    from wasikernel.engines import run
    from wasikernel.sandbox import Preopen, Sandbox

    root = tmp_path / "disk"
    for rel, data in FIXTURE_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    stdin = b"typed in\n"
    theirs = run_wasip2(RunSpec(c_tour_component, [Dir(root)], [group], {}, stdin, "tour.wasm"))
    assert theirs.trap is None and theirs.exit_code == 0, theirs
    sandbox = Sandbox(
        preopens=[Preopen("/", tree=MEMORY_TREE)], args=[group], stdin=stdin,
        program_name="tour.wasm",
    )  # fmt: skip
    ours = run(c_tour_component, sandbox)
    assert ours.trap is None, ours.trap.message
    assert ours.stdout.decode() == theirs.stdout.decode()
    assert ours.stderr.decode() == theirs.stderr.decode()
    assert ours.exit_code == theirs.exit_code
