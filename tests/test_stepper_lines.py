"""Stepping a C program by source line: the stepper's instruction steps grouped by the line
each came from (the DWARF line table), forwards live and backwards from the history."""

from __future__ import annotations

import pytest
from test_compile import program

from wasikernel.compile import CompileOptions, compile_source
from wasikernel.compile._toolchains import find_rustc
from wasikernel.compile.listing import source_line_finder
from wasikernel.engines import run
from wasikernel.engines.stepper import load

pytestmark = [pytest.mark.zig, pytest.mark.usefixtures("isolated_cache")]

#: squares.c line by line, as a person reads it: main's lines, each call of square, the loop
SQUARES_LINES = [8, 9, 10, 11, 3, 4, 5, 11, 10, 11, 3, 4, 5, 11, 10, 11, 3, 4, 5, 11, 10, 13, 14]


@pytest.fixture(scope="module")
def squares():
    module = compile_source("c", program("squares.c"), CompileOptions(debug=True))
    return module.wasm, source_line_finder(module.wasm, "cell.c")


@pytest.fixture(scope="module")
def recorded(squares):
    wasm, line_of = squares
    result = run(wasm, engine="stepper")
    assert result.exit_code == 0 and result.stdout == b"5\n"
    session = result.steps
    session.use_source_lines(line_of)
    return session


def test_a_c_program_steps_line_by_line_as_it_reads(recorded):
    starts = recorded.line_starts()
    assert [recorded.line_of_step(i) for i in starts] == SQUARES_LINES
    assert recorded.view(starts[4]).func_name == "square"  # line 3: the call entered square
    assert recorded.view(starts[3]).func_name == "__original_main"


def test_line_steps_are_the_instruction_steps_grouped(recorded, squares):
    """The grouping made from the history equals one made from every step's own view: its
    instruction's line and its call depth, a new group at each change of either."""
    _wasm, line_of = squares
    expected, last = [], None
    for i in range(len(recorded.history)):
        view = recorded.view(i)
        line = line_of(view.offset)
        if line is not None:
            if (line, len(view.frames)) != last:
                expected.append(i)
            last = (line, len(view.frames))
    assert recorded.line_starts() == expected


def test_stepping_live_by_line_stops_where_the_recorded_run_starts_its_lines(squares, recorded):
    wasm, line_of = squares
    session = load(wasm).session("_start")
    session.use_source_lines(line_of)
    seen = []
    while not session.finished:
        present = session.step_line()
        if not session.finished:
            seen.append((present.step, line_of(present.offset), present.stack, present.locals,
                         present.globals["__stack_pointer"]))
    starts = recorded.line_starts()
    assert [s[0] for s in seen] == starts
    assert [s[1] for s in seen] == SQUARES_LINES
    # backwards: each line step rebuilt from the recorded history shows what the live run saw
    for step, _line, stack, local_values, sp in reversed(seen):
        view = recorded.view(step)
        assert (view.stack, view.locals, view.globals["__stack_pointer"]) == (
            stack, local_values, sp)


def test_the_shadow_stack_and_memory_follow_the_lines(recorded):
    starts = recorded.line_starts()
    sp = [recorded.view(i).globals["__stack_pointer"] for i in starts]
    # line 8 is main's prologue: by line 9 it has taken its 16-byte frame on the shadow stack
    assert sp[1] == sp[0] - 16 and set(sp[1:]) == {sp[1]}
    # `total += square(i)` stores the sum in main's frame: the memory at line 13 shows it
    frame = sp[1]
    totals = [int.from_bytes(recorded.memory_at(i)[frame + 8: frame + 12], "little")
              for i in starts]
    assert totals[SQUARES_LINES.index(13)] == 0 + 1 + 4


def test_a_session_without_source_lines_says_so(squares):
    wasm, _line_of = squares
    session = load(wasm).session("_start")
    assert not session.by_line
    with pytest.raises(ValueError, match="use_source_lines"):
        session.step_line()


@pytest.mark.skipif(find_rustc() is None, reason="no rustc with the wasm32 WASI std")
def test_a_rust_program_steps_line_by_line_too():
    source = program("squares.rs")
    module = compile_source("rust", source, CompileOptions(debug=True))
    result = run(module.wasm, engine="stepper")
    result.steps.use_source_lines(source_line_finder(module.wasm, "cell.rs"))
    lines = [result.steps.line_of_step(i) for i in result.steps.line_starts()]
    assert lines == [6, 7, 8, 9, 1, 2, 4, 9, 8, 9, 1, 2, 4, 9, 8, 9, 1, 2, 4, 9, 8, 11, 12]
