"""Pointing a wasm validation error at the WAT instruction that caused it.

``wasmtime.Module.validate`` reports a byte offset in the binary. This module finds which
function body holds it and which instruction of that body starts there, then the same
instruction in the cell's text: the k-th instruction of a body written in the flat style
(``local.get 0`` ``i32.add`` ...) is the k-th instruction in the binary. For folded
expressions (``(i32.add (local.get 0) ...)``), whose binary order differs from the text, it
stops at the function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..wasm import DecodeError, Reader, function_bodies


@dataclass
class Node:
    """An s-expression of the cell: a list (``children``) or a token (``text``)."""

    start: int
    end: int
    text: str | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def head(self) -> str | None:
        first = self.children[0] if self.children else None
        return first.text if first is not None else None


def parse_sexpr(source: str) -> list[Node]:
    """Return the top-level nodes of ``source``; raises ValueError when parentheses do not
    balance (the text parser has already accepted the cell, so that is not expected)."""
    stack: list[Node] = [Node(0, len(source))]
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace():
            i += 1
        elif source.startswith(";;", i):
            j = source.find("\n", i)
            i = n if j < 0 else j + 1
        elif source.startswith("(;", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if source.startswith("(;", i):
                    depth, i = depth + 1, i + 2
                elif source.startswith(";)", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "(":
            node = Node(i, i)
            stack[-1].children.append(node)
            stack.append(node)
            i += 1
        elif c == ")":
            if len(stack) == 1:
                raise ValueError("unbalanced")
            stack.pop().end = i + 1
            i += 1
        elif c == '"':
            j = i + 1
            while j < n and source[j] != '"':
                j += 2 if source[j] == "\\" else 1
            stack[-1].children.append(Node(i, j + 1, source[i : j + 1]))
            i = j + 1
        else:
            j = i
            while j < n and not source[j].isspace() and source[j] not in '();"':
                j += 1
            stack[-1].children.append(Node(i, j, source[i:j]))
            i = j
    if len(stack) != 1:
        raise ValueError("unbalanced")
    return stack[0].children


def defined_functions(source: str) -> list[Node]:
    """The ``(func ...)`` fields that have a body, in order (imported functions excluded)."""
    fields = parse_sexpr(source)
    if len(fields) == 1 and fields[0].head == "module":
        fields = fields[0].children[1:]
    return [
        node for node in fields
        if node.head == "func" and not any(c.head == "import" for c in node.children)
    ]


_HEADER = {"export", "import", "type", "param", "result", "local"}
_BLOCK_TYPE = {"result", "param", "type"}
_WORD_IMMEDIATE = re.compile(r"^(?:[if](?:32|64)\.const|ref\.null|v128\.const)$")
_INSTRUCTION = re.compile(r"^[a-z][a-z0-9_.]*$")


def flat_instructions(func: Node) -> list[int] | None:
    """Source offsets of the instructions of a flat-style body, or None for folded code."""
    body = func.children[1:]
    while body and (body[0].text is not None and body[0].text.startswith("$")):
        body = body[1:]
    while body and body[0].text is None and body[0].head in _HEADER:
        body = body[1:]
    starts: list[int] = []
    word_immediates = 0
    for node in body:
        if node.text is None:
            if node.head in _BLOCK_TYPE and starts:
                continue  # a block type: part of the instruction before it
            return None  # a folded instruction
        if word_immediates:
            word_immediates -= 1
            continue
        if _INSTRUCTION.match(node.text):
            starts.append(node.start)
            if _WORD_IMMEDIATE.match(node.text):
                word_immediates = 1
    return starts


def _skip_blocktype(r: Reader) -> None:
    if r.data[r.pos] in (0x40, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F):
        r.pos += 1
    else:
        r.sleb(33)


def _skip_memarg(r: Reader) -> None:
    align = r.u32()
    if align & 0x40:
        r.u32()
    r.u32()


def binary_instructions(wasm: bytes, body_index: int) -> list[int] | None:
    """Byte offsets of the instructions of function body ``body_index`` (its final ``end``
    included), or None when the body uses an opcode this reader does not know."""
    bodies = function_bodies(wasm)
    if not 0 <= body_index < len(bodies):
        return None
    start, end = bodies[body_index]
    return _decode_body(Reader(wasm, start, end))


def _decode_body(r: Reader) -> list[int] | None:
    for _ in range(r.u32()):  # local declarations
        r.u32()
        r.byte()
    offsets = []
    while r.pos < r.end:
        offsets.append(r.pos)
        op = r.byte()
        if op in (0x02, 0x03, 0x04):
            _skip_blocktype(r)
        elif op in (0x0C, 0x0D, 0x10, 0x12, 0xD2) or 0x20 <= op <= 0x26:
            r.u32()
        elif op == 0x0E:
            for _ in range(r.u32() + 1):
                r.u32()
        elif op in (0x11, 0x13):
            r.u32()
            r.u32()
        elif op == 0x1C:
            r.pos += r.u32()
        elif 0x28 <= op <= 0x3E:
            _skip_memarg(r)
        elif op in (0x3F, 0x40):
            r.u32()
        elif op in (0x41, 0x42):
            r.sleb(64)
        elif op == 0x43:
            r.pos += 4
        elif op == 0x44:
            r.pos += 8
        elif op == 0xD0:
            r.byte()
        elif op == 0xFC:
            sub = r.u32()
            if sub in (8, 12, 14):
                r.u32()
                r.u32() if sub != 8 else r.byte()
            elif sub == 10:
                r.byte()
                r.byte()
            elif sub in (9, 11, 13, 15, 16, 17):
                r.byte() if sub == 11 else r.u32()
            elif sub > 17:
                return None
        elif op in (0x00, 0x01, 0x05, 0x0B, 0x0F, 0x1A, 0x1B, 0xD1) or 0x45 <= op <= 0xC4:
            pass
        else:
            return None
    return offsets


def locate(source: str, wasm: bytes, body_index: int, offset: int) -> tuple[int, bool] | None:
    """Return ``(source offset, at_end)`` of the instruction at binary ``offset`` in body
    ``body_index``; ``at_end`` when it is the implicit ``end`` of the function (then the
    source offset is the function's closing parenthesis). None when it cannot tell."""
    try:
        funcs = defined_functions(source)
        if not 0 <= body_index < len(funcs):
            return None
        text = flat_instructions(funcs[body_index])
        binary = binary_instructions(wasm, body_index)
    except (ValueError, IndexError, DecodeError):
        return None
    if text is None or binary is None or offset not in binary:
        return None
    k = binary.index(offset)
    if len(binary) != len(text) + 1:
        return None  # the text and the binary disagree: do not guess
    if k == len(text):
        return funcs[body_index].end - 1, True
    return text[k], False
