"""Escape tests: every route out of a preopened folder is refused, and nothing outside it is
read, written, listed or created.

Each route (:data:`wasikernel.escape.ROUTES`, shared with the runtime comparison's escape
table) is a tiny WAT module calling the WASI imports directly (so the exact path reaches
the host; wasi-libc would refuse some of them itself) and runs under both hosts: wasmtime's own
WASI shows that the route is a fair test, ours must do at least as well. The folder next to the
preopen (``outside``: a secret file and a private folder) is watched for any change of entries,
contents and times (atime included: a read or a listing moves it). Under our host, each
refusal must also be in the trace: ``denied=True``, the missing capability, a sentence.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from wasiharness import PROGRAMS, Dir, Outcome, RunSpec, run_ours, run_wasmtime, snapshot
from wasiprobe import CREAT, FILESTAT, I64, TRUNC, errnos, probe

from wasikernel.escape import NOT_A_DENIAL, ROUTES, SECRET, WRITE, no_setup, open_

HOSTS = [
    pytest.param(run_wasmtime, id="wasmtime"),
    pytest.param(run_ours, id="ours"),
]


def _run(runner: Callable[[RunSpec], Outcome], wasm: bytes, dirs: list[Dir]) -> Outcome:
    return runner(RunSpec(wasm, dirs))


def _assert_denied_in_trace(outcome: Outcome, calls: list[str]) -> None:
    """Under our host: each refused call has a denied event with a capability and a reason."""
    result = outcome.result
    if result is None:  # wasmtime's side has no trace
        return
    for call in calls:
        events = [e for e in result.trace.events if e.call == call and e.errno != "success"]
        assert events, f"no failed {call} event in the trace"
        denied = [e for e in events if e.denied]
        assert denied, f"{call} failed with {events[-1].errno} but is not marked denied"
        event = denied[-1]
        assert event.capability, f"{call}: denied without naming the missing capability"
        assert isinstance(event.reason, str) and len(event.reason.split()) >= 4, (
            f"{call}: the reason is not a sentence: {event.reason!r}"
        )


@pytest.mark.parametrize("runner", HOSTS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_route_is_refused_and_outside_untouched(route, runner, jail):
    jail_dir, watched = jail
    setup, calls, must_fail = ROUTES[route]
    setup(jail_dir, watched.path)
    watched.record()  # again: setting up host symlinks in the jail may not touch outside
    outcome = _run(runner, probe(*calls(jail_dir, watched.path)), [Dir(jail_dir)])
    assert outcome.trap is None, outcome.trap
    codes = errnos(outcome.stdout)
    for call in must_fail:
        assert codes.get(call, 0) != 0, f"{call} succeeded: {outcome.stdout!r}"
    assert SECRET not in outcome.stdout
    assert b"key.txt" not in outcome.stdout and b"secret.txt" not in outcome.stdout
    assert watched.changes() == []
    if route in ("rename-out", "rename-out-through-symlinked-dir"):
        assert (jail_dir / "inside.txt").read_bytes() == b"inside\n"
    if runner is run_ours:
        _assert_denied_in_trace(
            outcome, [c for c in must_fail if c not in NOT_A_DENIAL.get(route, ())]
        )


def test_routes_are_not_vacuous(jail):
    """The same probes work inside the preopen: a refusal above is the sandbox, not a typo."""
    jail_dir, watched = jail
    (jail_dir / "innerlink").symlink_to("inside.txt")
    calls = [
        open_("inside.txt"),
        open_("subdir/../inside.txt"),
        open_("innerlink"),
        ("path_symlink", "inside.txt", 3, "guestlink"),
        ("path_link", 3, 0, "inside.txt", 3, "subdir/hard"),
        ("path_create_directory", 3, "subdir/newdir"),
        ("path_filestat_get", 3, 0, "inside.txt", FILESTAT),
    ]
    outcome = run_wasmtime(RunSpec(probe(*calls), [Dir(jail_dir)]))
    assert set(errnos(outcome.stdout).values()) == {0}, outcome.stdout
    assert outcome.stdout.count(b"inside\n") == 3
    assert watched.changes() == []


# ---------------------------------------------------------------- read-only preopen

READ_ONLY_ATTEMPTS = {
    "create": [open_("new.txt", WRITE, CREAT)],
    "truncate": [open_("inside.txt", WRITE, TRUNC)],
    "open-for-write": [open_("inside.txt", I64(1 << 6))],
    "unlink": [("path_unlink_file", 3, "inside.txt")],
    "rename": [("path_rename", 3, "inside.txt", 3, "renamed.txt")],
    "mkdir": [("path_create_directory", 3, "newdir")],
    "rmdir": [("path_remove_directory", 3, "subdir")],
    "symlink": [("path_symlink", "inside.txt", 3, "link")],
    "link": [("path_link", 3, 0, "inside.txt", 3, "hard")],
    "set-times": [("path_filestat_set_times", 3, 0, "inside.txt", I64(5), I64(5), 0b0101)],
}


@pytest.mark.parametrize("runner", HOSTS)
@pytest.mark.parametrize("attempt", list(READ_ONLY_ATTEMPTS))
def test_read_only_preopen_refuses_changes(attempt, runner, jail):
    jail_dir, outside = jail
    before = snapshot(jail_dir)
    mtime = os.stat(jail_dir / "inside.txt").st_mtime_ns
    calls = READ_ONLY_ATTEMPTS[attempt]
    outcome = _run(runner, probe(*calls), [Dir(jail_dir, read_only=True)])
    assert outcome.trap is None, outcome.trap
    name = calls[0][0]
    assert errnos(outcome.stdout).get(name, 0) != 0, f"{name} succeeded: {outcome.stdout!r}"
    assert snapshot(jail_dir) == before
    assert os.stat(jail_dir / "inside.txt").st_mtime_ns == mtime
    assert outside.changes() == []
    if runner is run_ours:
        _assert_denied_in_trace(outcome, [name])


@pytest.mark.parametrize("runner", HOSTS)
def test_read_only_preopen_still_reads(runner, jail):
    jail_dir, outside = jail
    outcome = _run(runner, probe(open_("inside.txt")), [Dir(jail_dir, read_only=True)])
    assert errnos(outcome.stdout) == {"path_open": 0}
    assert b"inside\n" in outcome.stdout


# ---------------------------------------------------------------- the same, written in C


@pytest.mark.parametrize("runner", HOSTS)
def test_c_program_cannot_leave_its_folder(runner, c_escape, jail):
    """A C program trying the usual routes through wasi-libc: each is refused, nothing leaks,
    the folder outside is untouched (wasi-libc refuses some paths itself, before any call)."""
    jail_dir, watched = jail
    spec = RunSpec(c_escape, [Dir(jail_dir)], [str(watched.path)])
    outcome = runner(spec)
    text = outcome.stdout.decode()
    assert outcome.exit_code == 0, (outcome.trap, outcome.stderr)
    attempts = [line for line in text.splitlines() if ": refused" in line or ": ALLOWED" in line]
    assert len(attempts) == 18, text
    assert "ALLOWED" not in text, text
    assert "TOP SECRET" not in text
    assert watched.changes() == []
    assert (jail_dir / "inside.txt").read_bytes() == b"inside\n"
    if runner is run_ours:
        denied = [e for e in outcome.result.trace.events if e.denied]
        # at least the routes that reach the host (symlinks made inside, then followed out)
        assert any(e.call == "path_open" for e in denied), [e.call for e in denied]
        assert all(e.capability and e.reason for e in denied)


@pytest.mark.zig
def test_libc_refusals_reach_the_trace(jail):
    """Compiled by the project's own C route (libc's path lookup wrapped), a program whose
    only preopen is /sandbox asks for paths no preopen covers: wasi-libc refuses them before
    any WASI call, and each refusal still appears in the trace as a libc event. (With a "."
    preopen, wasi-libc hands every absolute path to the host, relative to ".".)"""
    compile_mod = pytest.importorskip("wasikernel.compile")
    jail_dir, watched = jail
    module = compile_mod.compile_source(
        "c", (PROGRAMS / "escape.c").read_text(), compile_mod.CompileOptions(optimize="1")
    )
    outcome = run_ours(RunSpec(module.wasm, [Dir(jail_dir, "/sandbox")], [str(watched.path)]))
    assert outcome.exit_code == 0, (outcome.trap, outcome.stderr)
    assert "ALLOWED" not in outcome.stdout.decode()
    libc = [e for e in outcome.result.trace.events if e.phase == "libc"]
    paths = [e.args.get("path") for e in libc]
    assert "/etc/passwd" in paths
    assert str(watched.path / "secret.txt") in paths
    for event in libc:
        assert event.call == "libc_path_refused"
        assert (event.denied, event.capability, event.errno) == (True, "preopen", "noent")
        assert event.args["path"] in event.reason
    assert watched.changes() == []


@pytest.mark.parametrize("route", [r for r, spec in ROUTES.items() if spec[0] is no_setup])
def test_route_is_refused_from_an_in_memory_tree(route, jail, monkeypatch):
    """The same routes from an in-memory preopen: refused and traced, and no path reaches the
    disk (the process runs inside the jail's parent, so a path leaking through to the host
    file system would land in the watched folder)."""
    from wasikernel.engines import run
    from wasikernel.sandbox import Preopen, Sandbox

    jail_dir, watched = jail
    monkeypatch.chdir(jail_dir)
    _setup, calls, must_fail = ROUTES[route]
    tree = {"inside.txt": b"inside\n", "subdir": {}}
    result = run(probe(*calls(jail_dir, watched.path)), Sandbox(preopens=[Preopen("/", tree=tree)]))
    assert result.trap is None, result.trap
    codes = errnos(result.stdout)
    for call in must_fail:
        assert codes.get(call, 0) != 0, f"{call} succeeded: {result.stdout!r}"
    assert SECRET not in result.stdout
    assert watched.changes() == []
    assert sorted(p.name for p in jail_dir.iterdir()) == ["inside.txt", "subdir"]
    outcome = Outcome(result.stdout, result.stderr, result.exit_code, None, result)
    _assert_denied_in_trace(outcome, [c for c in must_fail if c not in NOT_A_DENIAL.get(route, ())])
