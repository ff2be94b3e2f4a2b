"""In a live WASI kernel: what a C cell became (``%%c --wat``), stepping it by source line
(``--engine stepper``), and the WAT reference behind ``?``, inspection and completion."""

from __future__ import annotations

import pytest
from jupyter_client.manager import start_new_kernel
from test_compile import program
from test_kernel_runs import execute, html_of, streams, text_of
from test_stepper_lines import SQUARES_LINES

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="wasi", startup_timeout=60)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def reply_of(kc, msg_id: str) -> dict:
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def paged(reply: dict) -> str:
    """What ``name?`` shows: the pager's text, which comes as a payload of the reply."""
    return "".join(p["data"]["text/plain"] for p in reply["content"].get("payload", [])
                   if p.get("source") == "page")


@pytest.mark.zig
def test_c_wat_shows_the_compiled_view_and_still_runs(kernel):
    _km, kc = kernel
    reply, outputs = execute(kc, "%%c --wat --no-trace\n" + program("squares.c"), timeout=300)
    assert reply["content"]["status"] == "ok", text_of(outputs)
    views = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"
             and WIDGET in m["content"]["data"]]
    assert views, text_of(outputs)
    page = html_of(outputs)
    assert "What cell.c became: 2 functions as WAT" in page
    assert "local.get 1  ;; cell.c:4" in page and "call $square" in page
    assert streams(outputs) == "5\n"


def test_wat_on_a_wat_cell_says_it_is_already_wat(kernel):
    _km, kc = kernel
    reply, outputs = execute(kc, '%%wat --wat\n(module (func (export "_start")))')
    assert reply["content"]["status"] == "error"
    text = text_of(outputs)
    assert "a WAT cell is already WAT" in text and "Traceback" not in text


@pytest.mark.zig
def test_a_c_cell_under_the_stepper_steps_by_its_source_lines(kernel):
    _km, kc = kernel
    reply, outputs = execute(kc, "%%c --engine stepper --no-trace\n" + program("squares.c"),
                             timeout=300)
    assert reply["content"]["status"] == "ok", text_of(outputs)
    reply, outputs = execute(
        kc, "%%python\ns = last_run.steps\nprint([s.line_of_step(i) for i in s.line_starts()])")
    assert streams(outputs).strip() == str(SQUARES_LINES)


def test_question_mark_and_inspection_show_the_wat_reference(kernel):
    _km, kc = kernel
    reply, _outputs = execute(kc, "folded?")
    assert "Flat and folded instructions" in paged(reply)
    reply = reply_of(kc, kc.inspect("(module (table 1 funcref))", cursor_pos=10))
    assert reply["found"] and reply["data"]["text/plain"].startswith("(table $t 2 funcref)")
    reply = reply_of(kc, kc.inspect("(mod", cursor_pos=3))
    assert reply["found"] is False  # a part of a word is not the word


def test_completion_items_say_what_each_word_is(kernel):
    _km, kc = kernel
    reply = reply_of(kc, kc.complete("(module (glo", cursor_pos=12))
    assert reply["matches"] == ["global", "global.get", "global.set"]
    items = {i["text"]: i for i in reply["metadata"]["_jupyter_types_experimental"]}
    assert items["global"]["type"] == "keyword"
    assert items["global"]["signature"].startswith("(global $g (mut i32) (i32.const 0))")
    assert items["global.get"]["type"] == "instruction"
    assert items["global.get"]["signature"].startswith("global.get  [] -> [t]")
    reply = reply_of(kc, kc.complete('(call "fd_wr', cursor_pos=12))
    item = reply["metadata"]["_jupyter_types_experimental"][0]
    assert item["type"] == "function" and item["signature"].startswith("fd_write(")


def test_the_kernel_completes_the_options_of_magic_lines(kernel):
    _km, kc = kernel
    for line, expected in [("%%c --ti", "--timeout"), ("%%p1p2 --ti", "--timeout"),
                           ("%%wat --compo", "--component"), ("%wit --allow-n", "--allow-net"),
                           ("%sandbox max", "max-memory")]:  # fmt: skip
        reply = reply_of(kc, kc.complete(line, cursor_pos=len(line)))
        assert expected in reply["matches"], (line, reply["matches"])


def test_the_reference_speaks_french_after_sandbox_lang_fr(kernel):
    _km, kc = kernel
    execute(kc, "%sandbox lang fr")
    try:
        reply = reply_of(kc, kc.inspect("local.get", cursor_pos=3))
        assert reply["data"]["text/plain"].startswith(
            "local.get  [] -> [t] : empile la valeur d'une variable locale")
        reply, _outputs = execute(kc, "memory?")
        assert "une mémoire linéaire d'une page au départ" in paged(reply)
    finally:
        execute(kc, "%sandbox lang en")
