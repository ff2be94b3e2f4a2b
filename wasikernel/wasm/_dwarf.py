"""The DWARF line table (``.debug_line``, versions 2 to 5): which source line each wasm
instruction came from.

A C or Rust module compiled with ``-g`` carries one line program per compilation unit in its
``.debug_line`` custom section. Each program is a small state machine (DWARF 5, section 6.2):
opcodes move an address and a line forward and append *rows*; the row with the greatest address
at or below an instruction's says its file, line and column until the sequence ends. In a wasm
module the addresses count from the start of the code section's contents, so an instruction's
byte offset in the module is its address plus :func:`code_section_start`.

Example::

    table = read_line_table(wasm)                 # LineTable, or DecodeError
    table.line_at(module_offset)                  # ("/src/cell.c", 4) or None
    table.files()                                 # every source file named by a row
"""

from __future__ import annotations

import bisect
import posixpath
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from ._reader import DecodeError, Reader

__all__ = ["LineRow", "LineTable", "read_line_table", "parse_debug_line"]

# standard opcodes (DWARF 5, 6.2.5.2)
_COPY, _ADVANCE_PC, _ADVANCE_LINE, _SET_FILE, _SET_COLUMN = 1, 2, 3, 4, 5
_NEGATE_STMT, _SET_BASIC_BLOCK, _CONST_ADD_PC, _FIXED_ADVANCE_PC = 6, 7, 8, 9
# extended opcodes
_END_SEQUENCE, _SET_ADDRESS, _DEFINE_FILE = 1, 2, 3
# DWARF 5 entry formats: content types and the forms they may be written in
_LNCT_PATH, _LNCT_DIRECTORY_INDEX = 1, 2
_FORM_SIZES = {0x0B: 1, 0x05: 2, 0x06: 4, 0x07: 8, 0x1E: 16}  # data1 data2 data4 data8 data16
_FORM_STRING, _FORM_LINE_STRP, _FORM_STRP, _FORM_UDATA, _FORM_BLOCK = 0x08, 0x1F, 0x0E, 0x0F, 0x09
_FORM_STRX = {0x1A, 0x25, 0x26, 0x27, 0x28}
#: wasm-ld writes this address (or -2 for .debug_ranges) for the code of a discarded function
_TOMBSTONES = (0xFFFFFFFF, 0xFFFFFFFE)


@dataclass(frozen=True)
class LineRow:
    """One row of a line table: code from ``address`` on came from ``file``, ``line``
    (0: no source line, code the compiler made up), ``column``."""

    address: int
    file: str
    line: int
    column: int
    is_stmt: bool


@dataclass
class LineTable:
    """The rows of every line program of a module, by sequence, and the shift (``code_start``)
    from a DWARF address to a byte offset in the module."""

    code_start: int
    sequences: list[tuple[int, int, list[LineRow]]] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)
    _addresses: list[list[int]] = field(default_factory=list, repr=False)

    def add_sequence(self, rows: list[LineRow], end: int) -> None:
        """Add one sequence (its rows in address order, ``end`` its end address)."""
        if not rows or rows[0].address in _TOMBSTONES or end <= rows[0].address:
            return
        at = bisect.bisect_left(self._starts, rows[0].address)
        self._starts.insert(at, rows[0].address)
        self.sequences.insert(at, (rows[0].address, end, rows))
        self._addresses.insert(at, [r.address for r in rows])

    def row_at(self, module_offset: int) -> LineRow | None:
        """The row that covers the instruction at byte ``module_offset`` of the module, or
        ``None`` when no sequence covers it."""
        address = module_offset - self.code_start
        i = bisect.bisect_right(self._starts, address) - 1
        if i < 0:
            return None
        start, end, rows = self.sequences[i]
        if not start <= address < end:
            return None
        k = bisect.bisect_right(self._addresses[i], address) - 1
        return rows[k] if k >= 0 else None

    def line_at(self, module_offset: int) -> tuple[str, int] | None:
        """``(file, line)`` of the instruction at byte ``module_offset`` of the module;
        ``None`` when no row covers it or its line is 0."""
        row = self.row_at(module_offset)
        if row is None or row.line == 0:
            return None
        return row.file, row.line

    def files(self) -> list[str]:
        """Every file named by a row with a line, in order of first appearance."""
        seen: dict[str, None] = {}
        for _start, _end, rows in self.sequences:
            for row in rows:
                if row.line:
                    seen.setdefault(row.file, None)
        return list(seen)


def _cstring(r: Reader) -> str:
    end = r.data.find(b"\0", r.pos, r.end)
    if end < 0:
        raise DecodeError("a string of the line table header has no end")
    text = bytes(r.data[r.pos:end]).decode("utf-8", errors="replace")
    r.pos = end + 1
    return text


def _signed(r: Reader) -> int:
    value = r.sleb(64)
    return value - (1 << 64) if value >> 63 else value


def _fixed(r: Reader, size: int) -> int:
    return int.from_bytes(r.bytes(size), "little")


def _string_at(section: bytes | None, offset: int, name: str) -> str:
    if section is None or not 0 <= offset < len(section):
        raise DecodeError(f"the line table points into {name}, which the module lacks")
    end = section.find(b"\0", offset)
    return bytes(section[offset: end if end >= 0 else len(section)]).decode("utf-8", "replace")


def _entries(
    r: Reader, offset_size: int, strings: dict[str, bytes | None]
) -> list[dict[int, object]]:
    """A DWARF 5 directory or file name table: its format, then its entries."""
    formats = [(r.u64(), r.u64()) for _ in range(r.byte())]
    count = r.u64()
    if count and (not formats or count > r.end - r.pos):  # each entry takes a byte at least
        raise DecodeError(f"a line table header claims {count} entries it has no room for")
    out: list[dict[int, object]] = []
    for _ in range(count):
        entry: dict[int, object] = {}
        for content, form in formats:
            if form == _FORM_STRING:
                value: object = _cstring(r)
            elif form == _FORM_LINE_STRP:
                value = _string_at(strings[".debug_line_str"], _fixed(r, offset_size),
                                   ".debug_line_str")
            elif form == _FORM_STRP:
                value = _string_at(strings[".debug_str"], _fixed(r, offset_size), ".debug_str")
            elif form == _FORM_UDATA:
                value = r.u64()
            elif form in _FORM_SIZES:
                value = _fixed(r, _FORM_SIZES[form])
            elif form == _FORM_BLOCK:
                value = r.bytes(r.u64())
            elif form in _FORM_STRX:
                raise DecodeError("the line table names files through .debug_str_offsets, "
                                  "which is not read here")
            else:
                raise DecodeError(f"unknown DWARF form 0x{form:x} in the line table header")
            entry[content] = value
        out.append(entry)
    return out


def _join(directory: str, name: str) -> str:
    if not directory or posixpath.isabs(name):
        return name
    return posixpath.join(directory, name)


def _program(
    r: Reader,
    table: LineTable,
    strings: dict[str, bytes | None],
    keep: Callable[[str], bool] | None,
) -> int:
    """Read one line program (header and opcodes) at ``r.pos``; return where it ends. A
    program none of whose files ``keep`` keeps is skipped, its rows left undecoded."""
    unit_length = _fixed(r, 4)
    offset_size = 4
    if unit_length == 0xFFFFFFFF:
        unit_length, offset_size = _fixed(r, 8), 8
    end = r.pos + unit_length
    if end > r.end:
        raise DecodeError("a line program runs past the end of .debug_line")
    version = _fixed(r, 2)
    if not 2 <= version <= 5:
        raise DecodeError(f"DWARF line table version {version} is not one of 2 to 5")
    if version >= 5:
        r.bytes(2)  # address size (set_address says it again), segment selector size
    header_length = _fixed(r, offset_size)
    program_start = r.pos + header_length
    min_length = r.byte()
    max_ops = r.byte() if version >= 4 else 1
    default_is_stmt = bool(r.byte())
    line_base = struct.unpack("b", r.bytes(1))[0]
    line_range = r.byte()
    opcode_base = r.byte()
    if line_range == 0 or opcode_base == 0:
        raise DecodeError("a line program header has a line range or opcode base of 0")
    lengths = [r.byte() for _ in range(opcode_base - 1)]
    if version >= 5:
        dirs = [str(e.get(_LNCT_PATH, "")) for e in _entries(r, offset_size, strings)]
        files = []
        for e in _entries(r, offset_size, strings):
            d = int(e.get(_LNCT_DIRECTORY_INDEX, 0) or 0)
            files.append(_join(dirs[d] if d < len(dirs) else "", str(e.get(_LNCT_PATH, ""))))
        first_file = 0
    else:
        dirs = [""]  # directory 0 is the compilation's own directory, which .debug_info holds
        while (name := _cstring(r)) != "":
            dirs.append(name)
        files = []
        while (name := _cstring(r)) != "":
            d = r.u64()
            r.u64(), r.u64()  # modification time, length
            files.append(_join(dirs[d] if d < len(dirs) else "", name))
        first_file = 1
    if keep is not None and not any(keep(name) for name in files):
        return end
    r = Reader(r.data, program_start, end)

    def file_name(index: int) -> str:
        k = index - first_file
        return files[k] if 0 <= k < len(files) else f"file {index}"

    def reset() -> None:
        nonlocal address, op_index, file, line, column, is_stmt
        address, op_index, file, line, column, is_stmt = 0, 0, 1, 1, 0, default_is_stmt

    address = op_index = file = line = column = 0
    is_stmt = default_is_stmt
    reset()
    rows: list[LineRow] = []

    def advance(operation_advance: int) -> None:
        nonlocal address, op_index
        if max_ops <= 1:
            address += min_length * operation_advance
        else:
            address += min_length * ((op_index + operation_advance) // max_ops)
            op_index = (op_index + operation_advance) % max_ops

    def emit() -> None:
        rows.append(LineRow(address, file_name(file), line, column, is_stmt))

    while r.pos < r.end:
        op = r.byte()
        if op >= opcode_base:
            adjusted = op - opcode_base
            advance(adjusted // line_range)
            line += line_base + adjusted % line_range
            emit()
        elif op == 0:
            size = r.u64()
            after = r.pos + size
            if size == 0 or after > r.end:
                raise DecodeError("an extended opcode of the line program runs past its end")
            sub = r.byte()
            if sub == _END_SEQUENCE:
                table.add_sequence(rows, address)
                rows = []
                reset()
            elif sub == _SET_ADDRESS:
                address, op_index = _fixed(r, min(size - 1, 8)), 0
            elif sub == _DEFINE_FILE:
                name = _cstring(r)
                d = r.u64()
                files.append(_join(dirs[d] if d < len(dirs) else "", name))
            r.pos = after  # set_discriminator and vendor opcodes: skipped
        elif op == _COPY:
            emit()
        elif op == _ADVANCE_PC:
            advance(r.u64())
        elif op == _ADVANCE_LINE:
            line += _signed(r)
        elif op == _SET_FILE:
            file = r.u64()
        elif op == _SET_COLUMN:
            column = r.u64()
        elif op == _NEGATE_STMT:
            is_stmt = not is_stmt
        elif op == _CONST_ADD_PC:
            advance((255 - opcode_base) // line_range)
        elif op == _FIXED_ADVANCE_PC:
            address += _fixed(r, 2)
            op_index = 0
        elif op in (_SET_BASIC_BLOCK, 10, 11):  # basic block, prologue end, epilogue begin
            pass
        else:  # set_isa, or an opcode of a later version: skip its operands
            for _ in range(lengths[op - 1]):
                r.u64()
    return end


def parse_debug_line(
    debug_line: bytes,
    code_start: int,
    debug_line_str: bytes | None = None,
    debug_str: bytes | None = None,
    keep: Callable[[str], bool] | None = None,
) -> LineTable:
    """The line table of a ``.debug_line`` section's contents; with ``keep``, only the line
    programs that name a file ``keep`` accepts (a cell's own, not the C library's).

    Raises DecodeError naming what cannot be read (a damaged program, an unknown form).
    """
    table = LineTable(code_start)
    strings = {".debug_line_str": debug_line_str, ".debug_str": debug_str}
    r = Reader(debug_line)
    while r.pos < r.end:
        r.pos = _program(r, table, strings, keep)
    return table


def read_line_table(wasm: bytes, keep: Callable[[str], bool] | None = None) -> LineTable:
    """The DWARF line table of a core module built with debug info (with ``keep``, of the
    programs that name a file it accepts, as :func:`parse_debug_line`).

    Raises DecodeError when the module has no code section or no ``.debug_line`` section
    (it was built without ``-g``), or when the section cannot be read.
    """
    from ._listings import code_section_start, custom_section

    code_start = code_section_start(wasm)
    if code_start is None:
        raise DecodeError("the module has no code section")
    debug_line = custom_section(wasm, ".debug_line")
    if debug_line is None:
        raise DecodeError("the module has no .debug_line section: build it with -g")
    return parse_debug_line(debug_line, code_start, custom_section(wasm, ".debug_line_str"),
                            custom_section(wasm, ".debug_str"), keep)
