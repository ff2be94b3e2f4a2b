"""What a C or Rust cell became: its functions as WAT, each instruction with its source line.

``wasm-tools print --print-offsets`` writes the module as text with each line's byte offset;
the DWARF line table of a module built with ``-g`` (:func:`wasikernel.wasm.read_line_table`)
says which source line each offset came from. A :class:`Listing` keeps the functions that have
code from the cell's own file (the C library's functions are counted, not shown) as
:class:`ListingLine` rows, the way Compiler Explorer shows a compilation::

    listing = compiled_listing(wasm, source, "cell.c")
    print(listing.to_text())        # WAT with ";; cell.c:4" at each change of source line
    listing.offsets_of_line(4)      # the module offsets of line 4's instructions
"""

from __future__ import annotations

import posixpath
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CompileError
from ..messages import t
from ..wasm import DecodeError, LineTable, SectionId, read_line_table, sections

__all__ = [
    "Listing",
    "ListedFunction",
    "ListingLine",
    "compiled_listing",
    "is_cell_file",
    "source_line_finder",
]

_OFFSET = re.compile(r"^\(;@([0-9a-f]+)\s*;\)(.*)$")
_FUNC = re.compile(r"^  \(func (\$\S+)?(?: \(;(\d+);\))?")
_TIMEOUT_S = 60
#: where the ";; FILE:LINE" comments of :meth:`Listing.to_text` begin
COMMENT_COLUMN = 40


@dataclass
class ListingLine:
    """One line of WAT text: ``offset`` is its byte offset in the module (``None`` for a line
    the printer wrote without one), ``line`` the cell's source line it came from (``None``
    for code the compiler made up, or from another file)."""

    text: str
    offset: int | None
    line: int | None


@dataclass
class ListedFunction:
    """One function of the module, whose code came (at least partly) from the cell."""

    name: str
    index: int | None
    lines: list[ListingLine] = field(default_factory=list)

    @property
    def source_lines(self) -> list[int]:
        """The cell's lines this function has code for, in order, once each."""
        return sorted({ln.line for ln in self.lines if ln.line is not None})


@dataclass
class Listing:
    """The cell's functions as WAT with their source lines (see the module docstring).

    ``source`` is the cell's text, ``filename`` the name its lines are shown under,
    ``left_out`` how many functions of the module (the C or Rust library's) are not listed.
    """

    filename: str
    source: str
    functions: list[ListedFunction]
    left_out: int

    def lines(self) -> list[ListingLine]:
        """Every listed line, function after function."""
        return [ln for f in self.functions for ln in f.lines]

    def line_of_offset(self, offset: int) -> int | None:
        """The cell's source line of the instruction at module byte ``offset``, if listed."""
        for ln in self.lines():
            if ln.offset == offset:
                return ln.line
        return None

    def offsets_of_line(self, line: int) -> list[int]:
        """The module offsets of the instructions that came from source ``line``."""
        return [ln.offset for ln in self.lines() if ln.line == line and ln.offset is not None]

    def to_text(self) -> str:
        """The listing as WAT text, with ``;; FILE:LINE`` after the first WAT line of each run
        of lines from the same source line."""
        name = posixpath.basename(self.filename)
        out = [";; " + t("listing_header", file=name, n=len(self.functions), left=self.left_out)]
        out.append("(module")
        for func in self.functions:
            previous: int | None = None
            for ln in func.lines:
                text = ln.text
                if ln.line is not None and ln.line != previous:
                    text = f"{text.ljust(COMMENT_COLUMN - 1)} ;; {name}:{ln.line}"
                if ln.line is not None:
                    previous = ln.line
                out.append(text)
        out.append(")")
        return "\n".join(out) + "\n"


def is_cell_file(path: str, filename: str) -> bool:
    """Whether a file named by the line table is the cell's ``filename`` (``./cell.c`` is
    ``cell.c``; the Rust library's ``library/core/src/cell.rs`` is not ``cell.rs``)."""
    return posixpath.normpath(path) == posixpath.normpath(filename)


def source_line_finder(wasm: bytes, filename: str) -> Callable[[int], int | None] | None:
    """``line_of(module offset)``: the line of ``filename`` an instruction came from (``None``
    for another file's code, or code without a line), for the stepper's line steps; ``None``
    when the module has no line table or none of its lines are from ``filename``."""
    try:
        table = read_line_table(wasm, keep=lambda path: is_cell_file(path, filename))
    except DecodeError:
        return None
    own = {path for path in table.files() if is_cell_file(path, filename)}
    if not own:
        return None

    def line_of(offset: int) -> int | None:
        found = table.line_at(offset)
        return found[1] if found is not None and found[0] in own else None

    return line_of


def _without_debug_sections(wasm: bytes) -> bytes:
    """``wasm`` without the DWARF sections that follow its code (the printer would write them
    out as bytes, most of its work); every offset up to the end of the code stays the same."""
    out = bytearray(wasm[:8])
    after_code = False
    try:
        for section in sections(wasm):
            if after_code and section.id == SectionId.CUSTOM \
                    and section.reader(wasm).name().startswith(".debug"):
                continue
            after_code = after_code or section.id == SectionId.CODE
            out += wasm[section.offset:section.end]
    except DecodeError:
        return wasm
    return bytes(out)


def _printed(wasm: bytes) -> str:
    """The module as WAT with offsets. Raises ToolchainMissing without wasm-tools,
    CompileError when it cannot print the module."""
    from .component import wasm_tools

    tool = wasm_tools()
    with tempfile.TemporaryDirectory(prefix="wasikernel-listing-") as tmp:
        path = Path(tmp) / "module.wasm"
        path.write_bytes(_without_debug_sections(wasm))
        try:
            done = subprocess.run([str(tool), "print", "--print-offsets", str(path)],
                                  capture_output=True, text=True, timeout=_TIMEOUT_S,
                                  errors="replace")
        except (OSError, subprocess.SubprocessError) as exc:
            raise CompileError(t("listing_print_failed", detail=exc), language="wasm") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise CompileError(t("listing_print_failed",
                             detail=detail[0] if detail else f"exit code {done.returncode}"),
                           language="wasm")
    return done.stdout


def compiled_listing(wasm: bytes, source: str, filename: str) -> Listing:
    """The functions of ``wasm`` with code from ``filename`` (the cell, whose text is
    ``source``), as WAT lines labelled with their source line.

    Raises CompileError when the module has no line table (it was built without ``-g``) or
    cannot be printed, ToolchainMissing when wasm-tools is not installed.
    """
    try:
        table = read_line_table(wasm, keep=lambda path: is_cell_file(path, filename))
    except DecodeError as exc:
        raise CompileError(t("listing_no_lines", detail=exc), language="wasm") from None
    return _listing(_printed(wasm), table, source, filename)


def _listing(printed: str, table: LineTable, source: str, filename: str) -> Listing:
    functions: list[ListedFunction] = []
    others = 0
    current: ListedFunction | None = None
    cell: dict[str, bool] = {}

    def line_of(offset: int | None) -> int | None:
        if offset is None:
            return None
        found = table.line_at(offset)
        if found is None:
            return None
        path, line = found
        if path not in cell:
            cell[path] = is_cell_file(path, filename)
        return line if cell[path] else None

    def close(func: ListedFunction | None) -> int:
        if func is None:
            return 0
        if any(ln.line is not None for ln in func.lines):
            functions.append(func)
            return 0
        return 1

    for raw in printed.splitlines():
        m = _OFFSET.match(raw)
        offset, text = (int(m.group(1), 16), m.group(2)) if m else (None, raw)
        text = text.removeprefix("  ")  # the printer's two spaces after the offset
        if current is None:
            start = _FUNC.match("  " + text)
            if start:
                index = int(start.group(2)) if start.group(2) else None
                current = ListedFunction(start.group(1) or f"func[{index}]", index)
                current.lines.append(ListingLine(text, offset, line_of(offset)))
            continue
        current.lines.append(ListingLine(text, offset, line_of(offset)))
        if text.startswith(")"):  # the function's own closing parenthesis
            others += close(current)
            current = None
    others += close(current)
    return Listing(filename, source, functions, others)
