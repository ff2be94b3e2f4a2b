"""The compiled-code view and the stack view stepping a C program by source line, in Python
(the browser halves are driven in tests/browser/)."""

from __future__ import annotations

import html
import re

import pytest
from test_compile import program
from test_stepper_lines import SQUARES_LINES

from wasikernel import messages
from wasikernel.compile import CompileOptions, compile_source
from wasikernel.compile.listing import compiled_listing
from wasikernel.engines import run
from wasikernel.kernel._compiled import use_source_lines
from wasikernel.widgets import CompiledView, RunView
from wasikernel.widgets._base import static_dir
from wasikernel.widgets.stack_view import steps_of

pytestmark = [pytest.mark.zig, pytest.mark.usefixtures("isolated_cache")]


@pytest.fixture(scope="module")
def squares():
    source = program("squares.c")
    module = compile_source("c", source, CompileOptions(debug=True))
    return module.wasm, source


@pytest.fixture
def stepped(squares):
    wasm, source = squares
    result = run(wasm, engine="stepper")
    use_source_lines(result, wasm, "cell.c", source)
    return RunView(result, history=steps_of(result))


def test_the_compiled_view_links_source_lines_and_instructions(squares):
    wasm, source = squares
    view = CompiledView(compiled_listing(wasm, source, "cell.c"))
    assert view.filename == "cell.c" and view.source[3] == "    int y = x * x;"
    assert [f["name"] for f in view.functions] == ["$square", "$__original_main"]
    mul = next(row for row in view.functions[0]["lines"] if row[0].strip() == "i32.mul")
    assert mul[2] == 4 and isinstance(mul[1], int)
    view.select(11)
    assert view.selected_line == 11
    view.select(400)  # no such line: nothing selected
    assert view.selected_line == -1
    page = view.to_html()
    assert "What cell.c became: 2 functions as WAT" in page
    # line 4 is the second line with code: the second colour, on both sides
    assert re.search(r'<span class="wk-c1">\s*local\.get 1  ;; cell\.c:4</span>', page)
    assert '<span class="wk-c1">   4      int y = x * x;</span>' in page
    ranks = view.colour_ranks()
    assert list(ranks) == [3, 4, 5, 8, 9, 10, 11, 13, 14]  # nine lines: no two neighbours alike


def test_the_compiled_view_speaks_french(squares):
    wasm, source = squares
    messages.set_language("fr")
    try:
        view = CompiledView(compiled_listing(wasm, source, "cell.c"))
        page = view.to_html()
    finally:
        messages.set_language("en")
    assert view.labels["title"].startswith("Ce qu'est devenu {file}")
    assert "Ce qu'est devenu cell.c : 2 fonctions en WAT" in html.unescape(page)


def test_every_word_of_the_compiled_view_comes_in_its_labels(squares):
    wasm, source = squares
    view = CompiledView(compiled_listing(wasm, source, "cell.c"))
    script = (static_dir() / "compiled.js").read_text()
    keys = {k for arg in re.findall(r"say\(model, ([^,)]+)", script)
            for k in re.findall(r'"(\w+)"', arg)}
    assert len(keys) >= 5 and keys <= set(view.labels), sorted(keys - set(view.labels))
    css = (static_dir() / "compiled.css").read_text()
    assert "var(--jp-" in css and all(f".wk-c{i} " in css for i in range(8))


def test_the_stack_view_steps_by_line_and_back(stepped):
    stack = stepped.stack_view
    assert stack.by_line and stack.line_steps == len(SQUARES_LINES)
    assert stack.filename == "cell.c" and stack.source[10] == "        total += square(i);"
    assert stack.state["line"] == 8  # it opens on main's first line, past libc's start-up
    lines = []
    for k in range(stack.line_steps):
        stack.line_step = k
        lines.append(stack.state["line"])
    assert lines == SQUARES_LINES
    stack.line_step = 4  # into square
    assert stack.state["func"] == "square"
    stack.line_step = 3  # and back
    assert stack.state["func"] == "__original_main" and stack.state["line"] == 11
    # an instruction step inside a line keeps the line step it belongs to
    stack.step += 1
    assert stack.line_step == 3 and stack.state["line"] == 11
    # by instruction, a step back over a line's start lands on the last step of the line before
    start = stack.step - 1
    stack.step = start - 1
    assert stack.step == start - 1 and stack.line_step == 2 and stack.state["line"] == 10
    stack.step = 0  # libc's start-up, before main's first line, can be shown too
    assert stack.step == 0 and stack.state.get("line") is None
    stack.line_step = 3
    page = stack.to_html()
    assert "line step 4 of 23 · cell.c:11" in page and "total += square(i);" in page


def test_the_shadow_stack_and_the_memory_view_follow_the_line_steps(stepped):
    stack, memory = stepped.stack_view, stepped.memory_view
    stack.line_step = SQUARES_LINES.index(13)
    shadow = stack.state["shadow"]
    sp = shadow["sp"]
    words = dict(shadow["words"])
    assert words[sp + 8] == 0 + 1 + 4  # total, in main's frame on the shadow stack
    # the memory view shows the memory at that step, the bytes the line before wrote marked
    generation = memory.generation
    assert memory.highlight_label == "before cell.c:13, written by the line before"
    assert {"addr": sp + 4, "len": 4, "access": "w"} in memory.highlights  # i++
    content, buffers = memory.page_message((sp + 8) // memory.page_size)
    offset = (sp + 8) % memory.page_size
    assert int.from_bytes(bytes(buffers[0])[offset:offset + 4], "little") == 5
    assert content["offset"] == (sp + 8) // memory.page_size * memory.page_size
    stack.line_step = 1  # line 9: total = 0 has not run yet
    assert memory.generation == generation + 1
    content, buffers = memory.page_message((sp + 8) // memory.page_size)
    assert int.from_bytes(bytes(buffers[0])[offset:offset + 4], "little") == 0


def test_a_program_without_lines_steps_by_instruction_as_before():
    import wasmtime

    wat = '(module (func (export "_start") i32.const 1 i32.const 2 i32.add drop))'
    result = run(wasmtime.wat2wasm(wat), engine="stepper")
    view = RunView(result, history=steps_of(result))
    assert view.stack_view.line_steps == 0 and not view.stack_view.by_line
    assert view.stack_view.step == 0 and "line" not in view.stack_view.state
