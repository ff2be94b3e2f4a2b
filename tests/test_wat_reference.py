"""The WAT reference behind ``?``, inspection and completion: its topics and every instruction's
description, in English and in French."""

from __future__ import annotations

import re

import pytest
import wasmtime

from wasikernel.kernel._wat import WAT_INSTRUCTIONS, WAT_KEYWORDS, describe_instruction
from wasikernel.kernel._wat_reference import REFERENCE, TOPIC_OF, reference_text
from wasikernel.kernel.kernel import completion_item

#: the forms the reference must explain (issue: forms, folded vs flat, tables, globals, memory,
#: imports/exports, control flow)
REQUIRED = ("module", "func", "folded", "table", "global", "memory", "import", "export",
            "block", "call_indirect")


def test_the_reference_has_the_forms_a_learner_meets_in_both_languages():
    for topic in REQUIRED:
        assert topic in REFERENCE
    for topic, entry in REFERENCE.items():
        assert set(entry) == {"en", "fr"}, topic
        assert entry["en"] != entry["fr"], topic
        assert entry["en"].splitlines()[0] and entry["fr"].splitlines()[0]


def test_every_keyword_of_a_wat_cell_has_a_topic():
    missing = [w for w in WAT_KEYWORDS if w not in TOPIC_OF and w not in ("i32", "i64", "f32",
                                                                         "f64")]
    assert missing == []
    assert all(topic in REFERENCE for topic in TOPIC_OF.values())


def test_the_examples_of_the_reference_are_wat_that_assembles():
    """Each line of a topic that is a whole module field assembles inside a module."""
    fields = []
    for entry in REFERENCE.values():
        for line in entry["en"].splitlines():
            code = line.strip()
            if code.startswith("(") and code.count("(") == code.count(")") \
                    and "..." not in code and code.split()[0][1:] in (
                        "memory", "global", "table", "type", "data", "export", "import"):
                fields.append(code.split(": ")[0].split("  ")[0])
    assert len(fields) >= 5
    text = "(module (func $f) (func $g) (func $init) " + " ".join(
        f for f in fields if not f.startswith("(import")) + ")"
    wasmtime.Module(wasmtime.Engine(), wasmtime.wat2wasm(text))


@pytest.mark.parametrize("word", WAT_INSTRUCTIONS)
def test_every_instruction_is_described_in_french_with_the_same_stack_effect(word):
    english, french = describe_instruction(word, "en"), describe_instruction(word, "fr")
    assert french.startswith(word) and french != english
    effect = re.compile(r"\[[a-z0-9 .]*\] -> (?:\[[a-z0-9 .]*\]|trap)")
    assert effect.findall(english)[:1] == effect.findall(french)[:1]
    # French typography: a space before the colon that follows the stack effect
    assert not re.search(r"\] ?-> \[[^\]]*\]:", french)


def test_control_flow_instructions_come_with_their_topic():
    text = describe_instruction("br_if", "en")
    assert text.startswith("br_if  [i32] -> []: br label, only when the value is not 0.")
    assert "Control flow is structured" in text
    assert describe_instruction("module", "fr").startswith("(module CHAMP...) : un module")
    assert describe_instruction("nothing", "fr") is None
    assert reference_text("param", "fr") == REFERENCE["func"]["fr"]


def test_completion_items_carry_a_type_and_a_short_doc():
    assert completion_item("table") == {
        "type": "keyword", "signature": REFERENCE["table"]["en"].splitlines()[0]}
    assert completion_item("i32.add") == {
        "type": "instruction", "signature": "i32.add  [i32 i32] -> [i32]: adds."}
    assert completion_item("__wasi_fd_write")["type"] == "function"
