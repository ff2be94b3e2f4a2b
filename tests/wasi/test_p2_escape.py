"""The escape suite again, through the preview 1 adapter: each route's probe module wrapped into
a component, so every path reaches our preview 2 host as an ``open-at``, ``stat-at``,
``link-at`` ... Under wasmtime's ``add_wasip2`` (showing that the route is a fair test) and under
ours, each route must fail, nothing outside the preopen may change, and under ours the refusal
must be in the trace with its capability and sentence.
"""

from __future__ import annotations

import functools
import os

import pytest
from test_escape import NOT_A_DENIAL, READ_ONLY_ATTEMPTS, ROUTES, SECRET, open_
from wasiharness import Dir, RunSpec, run_ours, run_wasip2, snapshot
from wasiprobe import errnos, probe

HOSTS = [pytest.param(run_wasip2, id="wasip2"), pytest.param(run_ours, id="ours")]


@functools.cache
def _wrapped(wasm: bytes) -> bytes:
    from wasikernel.compile.component import wrap

    return wrap(wasm)


def _component(wasm: bytes | bytearray) -> bytes:
    return _wrapped(bytes(wasm))


def _assert_refusals_in_trace(outcome, expected: bool) -> None:
    if outcome.result is None:
        return
    events = outcome.result.trace.events
    assert {e.abi for e in events} == {"p2"}
    denied = [e for e in events if e.denied]
    if expected:
        assert denied, "no refusal in the trace"
    for event in denied:
        assert event.capability and len(event.reason.split()) >= 4, event


@pytest.mark.parametrize("runner", HOSTS)
@pytest.mark.parametrize("route", list(ROUTES))
def test_route_through_the_adapter_is_refused_and_outside_untouched(
    route, runner, jail, c_tour_component
):
    jail_dir, watched = jail
    setup, calls, must_fail = ROUTES[route]
    setup(jail_dir, watched.path)
    watched.record()
    outcome = runner(RunSpec(_component(probe(*calls(jail_dir, watched.path))), [Dir(jail_dir)]))
    assert outcome.trap is None, outcome.trap
    codes = errnos(outcome.stdout)
    for call in must_fail:
        assert codes.get(call, 0) != 0, f"{call} succeeded: {outcome.stdout!r}"
    assert SECRET not in outcome.stdout
    assert b"key.txt" not in outcome.stdout and b"secret.txt" not in outcome.stdout
    assert watched.changes() == []
    _assert_refusals_in_trace(outcome, bool(set(must_fail) - NOT_A_DENIAL.get(route, set())))


@pytest.mark.parametrize("runner", HOSTS)
@pytest.mark.parametrize("attempt", list(READ_ONLY_ATTEMPTS))
def test_read_only_preopen_refuses_changes_through_the_adapter(
    attempt, runner, jail, c_tour_component
):
    jail_dir, outside = jail
    before = snapshot(jail_dir)
    mtime = os.stat(jail_dir / "inside.txt").st_mtime_ns
    calls = READ_ONLY_ATTEMPTS[attempt]
    outcome = runner(RunSpec(_component(probe(*calls)), [Dir(jail_dir, read_only=True)]))
    assert outcome.trap is None, outcome.trap
    name = calls[0][0]
    assert errnos(outcome.stdout).get(name, 0) != 0, f"{name} succeeded: {outcome.stdout!r}"
    assert snapshot(jail_dir) == before
    assert os.stat(jail_dir / "inside.txt").st_mtime_ns == mtime
    assert outside.changes() == []
    _assert_refusals_in_trace(outcome, True)


@pytest.mark.parametrize("runner", HOSTS)
def test_read_only_preopen_still_reads_through_the_adapter(runner, jail, c_tour_component):
    jail_dir, _ = jail
    outcome = runner(RunSpec(_component(probe(open_("inside.txt"))),
                             [Dir(jail_dir, read_only=True)]))  # fmt: skip
    assert errnos(outcome.stdout) == {"path_open": 0}
    assert b"inside\n" in outcome.stdout


@pytest.mark.parametrize("runner", HOSTS)
def test_c_program_as_a_component_cannot_leave_its_folder(runner, c_escape, jail,
                                                          c_tour_component):  # fmt: skip
    jail_dir, watched = jail
    outcome = runner(RunSpec(_component(c_escape), [Dir(jail_dir)], [str(watched.path)]))
    text = outcome.stdout.decode()
    assert outcome.exit_code == 0, (outcome.trap, outcome.stderr)
    attempts = [line for line in text.splitlines() if ": refused" in line or ": ALLOWED" in line]
    assert len(attempts) == 18, text
    assert "ALLOWED" not in text and "TOP SECRET" not in text
    assert watched.changes() == []
    assert (jail_dir / "inside.txt").read_bytes() == b"inside\n"
    _assert_refusals_in_trace(outcome, True)
