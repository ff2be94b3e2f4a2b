"""A module rewritten so that it checks a deadline by itself: a time limit and an interrupt
for an engine that no other thread can stop (the browser's, under Pyodide).

:func:`with_deadline_checks` adds to a core module

* one function import, ``"wasikernel:deadline" "tick"`` of type ``() -> i32``, placed after the
  module's own function imports (every later function index moves up by one, and every
  ``call``, ``return_call``, ``ref.func``, export, start function, element segment and function
  name is renumbered to match);
* one mutable ``i32`` global, the budget, appended after the module's own globals (no index
  moves);
* at the entry of every function and at the head of every ``loop``, a check: the budget counts
  down, and when it reaches 0 the module calls ``tick``, which answers the next budget, or 0 to
  stop; the module then traps (``unreachable``) on the spot.

The checks leave the operand stack as they found it, so the module stays valid. The DWARF
sections are dropped (their code offsets no longer hold); the ``name`` section is kept,
renumbered. An instruction this rewriter does not know raises :class:`DecodeError` naming it.
"""

from __future__ import annotations

from collections.abc import Callable

from ._reader import DecodeError, Reader, encode_u32
from ._sections import SectionId, module_sections

__all__ = ["DEADLINE_MODULE", "DEADLINE_NAME", "with_deadline_checks"]

DEADLINE_MODULE = "wasikernel:deadline"
DEADLINE_NAME = "tick"

#: the order sections must come in (by id); the tag section (13) sits between memory and global
_ORDER = {sid: i for i, sid in enumerate((1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11))}
_SIMPLE_BLOCKTYPES = frozenset({0x40, 0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F})


def _vec(items: list[bytes]) -> bytes:
    return encode_u32(len(items)) + b"".join(items)


def _name(text: str) -> bytes:
    raw = text.encode()
    return encode_u32(len(raw)) + raw


def _sleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40):
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


class _Rewriter:
    """One pass over one module; see :func:`with_deadline_checks`."""

    def __init__(self, data: bytes, budget: int) -> None:
        self.data = data
        self.budget = budget
        self.func_imports = 0
        self.global_imports = 0
        self.globals = 0
        self.types = 0
        for section in module_sections(data):  # counts first: indices depend on them
            s = section.reader(data)
            if section.id == SectionId.TYPE:
                self.types = s.u32()
            elif section.id == SectionId.IMPORT:
                for _ in range(s.u32()):
                    s.name()
                    s.name()
                    kind = s.byte()
                    self.func_imports += kind == 0
                    self.global_imports += kind == 3
                    self._skip_import_desc(s, kind)
            elif section.id == SectionId.GLOBAL:
                self.globals = s.u32()
        self.tick = self.func_imports  # the new import's function index
        self.counter = self.global_imports + self.globals  # the new global's index
        self.check = self._check_code()

    # ------------------------------------------------------------------------ pieces

    def func(self, index: int) -> int:
        """The new index of function ``index``."""
        return index if index < self.func_imports else index + 1

    def _check_code(self) -> bytes:
        g = encode_u32(self.counter)
        return b"".join((
            b"\x23", g, b"\x45",  # global.get budget; i32.eqz
            b"\x04\x40",  # if
            b"\x10", encode_u32(self.tick), b"\x24", g,  # call tick; global.set budget
            b"\x23", g, b"\x45", b"\x04\x40\x00\x0b",  # budget == 0: unreachable
            b"\x0b",  # end
            b"\x23", g, b"\x41\x01\x6b", b"\x24", g,  # budget -= 1
        ))  # fmt: skip

    @staticmethod
    def _skip_import_desc(s: Reader, kind: int) -> None:
        if kind == 0:
            s.u32()
        elif kind == 1:
            s.valtype()
            s.limits()
        elif kind == 2:
            s.limits()
        elif kind == 3:
            s.valtype()
            s.byte()
        elif kind == 4:
            s.byte()
            s.u32()
        else:
            raise DecodeError(f"unknown import kind {kind}")

    def const_expr(self, s: Reader) -> bytes:
        """A constant expression with its ``ref.func`` renumbered."""
        out = bytearray()
        start = s.pos
        while True:
            op = s.byte()
            if op == 0xD2:
                out += self.data[start : s.pos - 1] + b"\xd2" + encode_u32(self.func(s.u32()))
                start = s.pos
            elif op == 0x0B:
                return bytes(out + self.data[start : s.pos])
            elif op in (0x41, 0x42):
                s.sleb(64)
            elif op == 0x43:
                s.bytes(4)
            elif op == 0x44:
                s.bytes(8)
            elif op == 0x23:
                s.u32()
            elif op == 0xD0:
                self._heaptype(s)
            elif op not in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):
                raise DecodeError(f"opcode 0x{op:02x} in a constant expression")

    @staticmethod
    def _heaptype(s: Reader) -> None:
        if s.data[s.pos] in _SIMPLE_BLOCKTYPES or s.data[s.pos] >= 0x69:
            s.byte()
        else:
            s.sleb(33)

    @staticmethod
    def _blocktype(s: Reader) -> None:
        if s.pos < s.end and s.data[s.pos] in _SIMPLE_BLOCKTYPES:
            s.byte()
        else:
            s.sleb(33)

    # ------------------------------------------------------------------------ sections

    def type_section(self, s: Reader | None) -> bytes:
        if s is not None:
            s.u32()
        entries = b"" if s is None else bytes(self.data[s.pos : s.end])
        return encode_u32(self.types + 1) + entries + b"\x60\x00\x01\x7f"

    def import_section(self, s: Reader | None) -> bytes:
        entries: list[bytes] = []
        tick = _name(DEADLINE_MODULE) + _name(DEADLINE_NAME) + b"\x00" + encode_u32(self.types)
        if s is not None:
            for _ in range(s.u32()):
                start = s.pos
                s.name()
                s.name()
                kind = s.byte()
                self._skip_import_desc(s, kind)
                entries.append(bytes(self.data[start : s.pos]))
        # after the last function import, so the function indices before it do not move
        last_func = -1
        for i, entry in enumerate(entries):
            r = Reader(entry)
            r.name()
            r.name()
            if r.byte() == 0:
                last_func = i
        entries.insert(last_func + 1, tick)
        return _vec(entries)

    def global_section(self, s: Reader | None) -> bytes:
        entries: list[bytes] = []
        if s is not None:
            for _ in range(s.u32()):
                start = s.pos
                s.valtype()
                s.byte()
                head = bytes(self.data[start : s.pos])
                entries.append(head + self.const_expr(s))
        entries.append(b"\x7f\x01\x41" + _sleb(self.budget) + b"\x0b")
        return _vec(entries)

    def export_section(self, s: Reader) -> bytes:
        entries = []
        for _ in range(s.u32()):
            start = s.pos
            s.name()
            kind = s.byte()
            head = bytes(self.data[start : s.pos])
            index = s.u32()
            entries.append(head + encode_u32(self.func(index) if kind == 0 else index))
        return _vec(entries)

    def element_section(self, s: Reader) -> bytes:
        entries = []
        for _ in range(s.u32()):
            flag = s.u32()
            out = bytearray(encode_u32(flag))
            if not flag & 1 and flag & 2:
                out += encode_u32(s.u32())  # table index
            if not flag & 1:
                out += self.const_expr(s)  # offset
            if flag & 4:  # expressions
                if flag & 3:
                    start = s.pos
                    self._heaptype(s)
                    out += self.data[start : s.pos]
                items = [self.const_expr(s) for _ in range(s.u32())]
            else:
                if flag & 3:
                    out.append(s.byte())  # elemkind
                items = [encode_u32(self.func(s.u32())) for _ in range(s.u32())]
            out += _vec(items)
            entries.append(bytes(out))
        return _vec(entries)

    def code_section(self, s: Reader) -> bytes:
        bodies = []
        for _ in range(s.u32()):
            size = s.u32()
            end = s.pos + size
            body = Reader(self.data, s.pos, end)
            for _ in range(body.u32()):
                body.u32()
                body.valtype()
            head = bytes(self.data[s.pos : body.pos])
            code = self.expression(body)
            whole = head + self.check + code
            bodies.append(encode_u32(len(whole)) + whole)
            s.pos = end
        return _vec(bodies)

    def name_section(self, s: Reader) -> bytes:
        out = bytearray(_name("name"))
        while s.pos < s.end:
            sub = s.byte()
            size = s.u32()
            end = s.pos + size
            if sub in (1, 2, 3):  # function names, local names, label names: by function index
                entries = []
                for _ in range(s.u32()):
                    index = s.u32()
                    start = s.pos
                    if sub == 1:
                        s.name()
                    else:
                        for _ in range(s.u32()):
                            s.u32()
                            s.name()
                    entries.append(encode_u32(self.func(index)) + self.data[start : s.pos])
                contents = _vec(entries)
            else:
                contents = bytes(self.data[s.pos : end])
            s.pos = end
            out += bytes([sub]) + encode_u32(len(contents)) + contents
        return bytes(out)

    # ------------------------------------------------------------------------ code

    def expression(self, r: Reader) -> bytes:
        """The instructions of one body, checks added at each ``loop``, calls renumbered."""
        data = self.data
        out = bytearray()
        start = r.pos
        while r.pos < r.end:
            op = r.byte()
            if op in (0x10, 0x12, 0xD2):  # call, return_call, ref.func
                out += data[start : r.pos] + encode_u32(self.func(r.u32()))
                start = r.pos
                continue
            if op == 0x03:  # loop: the check goes first inside it
                self._blocktype(r)
                out += data[start : r.pos] + self.check
                start = r.pos
                continue
            skip = _IMMEDIATES.get(op)
            if skip is None:
                raise DecodeError(
                    f"the instruction 0x{op:02x} at byte {r.pos - 1} is not known to the "
                    "deadline rewriter"
                )
            skip(self, r)
        return bytes(out + data[start : r.pos])

    # ------------------------------------------------------------------------ whole

    def rewrite(self) -> bytes:
        data = self.data
        made: list[tuple[int, bytes]] = []  # (section id, contents), in order
        seen: set[int] = set()
        for section in module_sections(data):
            s = section.reader(data)
            sid = section.id
            seen.add(sid)
            if sid == SectionId.CUSTOM:
                name = Reader(data, section.start, section.end).name()
                if name.startswith(".debug") or name in ("sourceMappingURL", "external_debug_info"):
                    continue
                if name == "name":
                    s.name()
                    try:
                        made.append((0, self.name_section(s)))
                    except DecodeError:
                        pass  # a damaged name section is dropped: the names are only shown
                    continue
                made.append((0, bytes(data[section.start : section.end])))
                continue
            builder: Callable[[Reader], bytes] | None = {
                SectionId.TYPE: self.type_section,
                SectionId.IMPORT: self.import_section,
                SectionId.GLOBAL: self.global_section,
                SectionId.EXPORT: self.export_section,
                SectionId.ELEMENT: self.element_section,
                SectionId.CODE: self.code_section,
            }.get(sid)
            if sid == SectionId.START:
                contents = encode_u32(self.func(s.u32()))
            elif builder is not None:
                contents = builder(s)
            else:
                contents = bytes(data[section.start : section.end])
            made.append((sid, contents))
        for sid, builder in ((SectionId.TYPE, self.type_section),
                             (SectionId.IMPORT, self.import_section),
                             (SectionId.GLOBAL, self.global_section)):  # fmt: skip
            if sid not in seen:
                _insert(made, sid, builder(None))
        return data[:8] + b"".join(
            bytes([sid]) + encode_u32(len(contents)) + contents for sid, contents in made
        )


def _insert(made: list[tuple[int, bytes]], sid: int, contents: bytes) -> None:
    """Put a new section where the order of sections wants it (custom sections stay put)."""
    rank = _ORDER[sid]
    at = len(made)
    for i, (other, _) in enumerate(made):
        if other and _ORDER.get(other, 99) > rank:
            at = i
            break
    made.insert(at, (sid, contents))


# ---------------------------------------------------------------------------- immediates


def _none(self: _Rewriter, r: Reader) -> None:
    pass


def _u32(self: _Rewriter, r: Reader) -> None:
    r.u32()


def _two_u32(self: _Rewriter, r: Reader) -> None:
    r.u32()
    r.u32()


def _block(self: _Rewriter, r: Reader) -> None:
    self._blocktype(r)


def _memarg(self: _Rewriter, r: Reader) -> None:
    align = r.u32()
    if align & 0x40:
        r.u32()  # memory index (multi-memory)
    r.u64()


def _br_table(self: _Rewriter, r: Reader) -> None:
    for _ in range(r.u32() + 1):
        r.u32()


def _select_typed(self: _Rewriter, r: Reader) -> None:
    for _ in range(r.u32()):
        self._heaptype(r)


def _try_table(self: _Rewriter, r: Reader) -> None:
    self._blocktype(r)
    for _ in range(r.u32()):
        kind = r.byte()
        if kind in (0, 1):
            r.u32()
        r.u32()


def _fc(self: _Rewriter, r: Reader) -> None:
    sub = r.u32()
    if sub <= 7:
        return
    if sub in (8, 10, 12, 14):
        r.u32()
        r.u32()
    elif sub in (9, 11, 13, 15, 16, 17):
        r.u32()
    else:
        raise DecodeError(f"the instruction 0xfc {sub} is not known to the deadline rewriter")


def _fd(self: _Rewriter, r: Reader) -> None:
    sub = r.u32()
    if sub <= 11 or sub in (92, 93):
        _memarg(self, r)
    elif sub in (12, 13):
        r.bytes(16)
    elif 21 <= sub <= 34:
        r.byte()
    elif 84 <= sub <= 91:
        _memarg(self, r)
        r.byte()


def _fe(self: _Rewriter, r: Reader) -> None:
    sub = r.u32()
    if sub == 3:
        r.byte()
    else:
        _memarg(self, r)


_IMMEDIATES: dict[int, Callable[[_Rewriter, Reader], None]] = {
    **dict.fromkeys((0x00, 0x01, 0x05, 0x0A, 0x0B, 0x0F, 0x19, 0x1A, 0x1B, 0xD1, 0xD3, 0xD5),
                    _none),
    **dict.fromkeys(range(0x45, 0xC5), _none),
    **dict.fromkeys((0x02, 0x04, 0x06), _block),
    **dict.fromkeys((0x07, 0x08, 0x09, 0x0C, 0x0D, 0x14, 0x15, 0x18, 0x20, 0x21, 0x22, 0x23,
                     0x24, 0x25, 0x26, 0x3F, 0x40, 0xD4, 0xD6), _u32),
    **dict.fromkeys((0x11, 0x13), _two_u32),
    **dict.fromkeys(range(0x28, 0x3F), _memarg),
    0x0E: _br_table,
    0x1C: _select_typed,
    0x1F: _try_table,
    0x41: lambda self, r: r.sleb(32),
    0x42: lambda self, r: r.sleb(64),
    0x43: lambda self, r: r.bytes(4),
    0x44: lambda self, r: r.bytes(8),
    0xD0: lambda self, r: self._heaptype(r),
    0xFC: _fc,
    0xFD: _fd,
    0xFE: _fe,
}  # fmt: skip


def with_deadline_checks(wasm: bytes, budget: int = 10_000) -> bytes:
    """Return ``wasm`` rewritten to call ``"wasikernel:deadline" "tick"`` (``() -> i32``)
    every ``budget`` loop iterations and function entries, and to trap when it answers 0.

    Raises DecodeError when the bytes are not a core module this rewriter can read (an
    instruction it does not know, a damaged section).
    """
    if not 0 < budget < 2**31:
        raise ValueError("the budget is a positive i32")
    return _Rewriter(bytes(wasm), budget).rewrite()
