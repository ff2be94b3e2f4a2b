"""What a cell became: the DWARF line table read by our own decoder, checked against LLVM's
``llvm-dwarfdump``, and the WAT listing labelled with the cell's source lines."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_compile import PROGRAMS, program

from wasikernel import wasm
from wasikernel.compile import CompileOptions, compile_source
from wasikernel.compile._toolchains import find_clang, find_rustc
from wasikernel.compile.listing import compiled_listing, is_cell_file
from wasikernel.errors import CompileError

pytestmark = pytest.mark.usefixtures("isolated_cache")

DWARFDUMP = shutil.which("llvm-dwarfdump") or shutil.which("llvm-dwarfdump-14")
needs_dwarfdump = pytest.mark.skipif(DWARFDUMP is None,
                                     reason="llvm-dwarfdump (Debian llvm) is absent")
ROW = re.compile(r"^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)[ \t]+\d+[ \t]+\d+[ \t]*(.*)$", re.M)


def dwarfdump_rows(path) -> list[tuple[int, int, int, bool]]:
    """(address, line, column, is_stmt) of every row llvm-dwarfdump prints, end rows left out
    (our table keeps a sequence's end as its bound, not as a row)."""
    out = subprocess.run([DWARFDUMP, "--debug-line", str(path)], capture_output=True,
                         text=True, check=True).stdout
    rows = []
    for m in ROW.finditer(out):
        flags = m.group(5).split()
        if "end_sequence" in flags:
            continue
        rows.append((int(m.group(1), 16), int(m.group(2)), int(m.group(3)), "is_stmt" in flags))
    return rows


def our_rows(data: bytes) -> list[tuple[int, int, int, bool]]:
    table = wasm.read_line_table(data)
    return [(r.address, r.line, r.column, r.is_stmt)
            for _start, _end, rows in table.sequences for r in rows]


C_BUILDS = [
    pytest.param("zig", [], id="zig-dwarf4", marks=pytest.mark.zig),
    pytest.param("zig", ["-gdwarf-5"], id="zig-dwarf5", marks=pytest.mark.zig),
    pytest.param("clang", ["-gdwarf-5"], id="clang-dwarf5", marks=pytest.mark.skipif(
        find_clang() is None, reason="clang with wasi-libc is not installed")),
]


@needs_dwarfdump
@pytest.mark.parametrize(("toolchain", "flags"), C_BUILDS)
def test_line_rows_match_llvm_dwarfdump(tmp_path, toolchain, flags):
    module = compile_source("c", program("squares.c"),
                            CompileOptions(debug=True, toolchain=toolchain, extra_flags=flags))
    path = tmp_path / "squares.wasm"
    path.write_bytes(module.wasm)
    expected = dwarfdump_rows(path)
    assert len(expected) > 100  # the C library's line programs too
    assert sorted(our_rows(module.wasm)) == sorted(expected)


def test_an_address_outside_every_sequence_has_no_line():
    module = compile_source("c", program("squares.c"), CompileOptions(debug=True))
    table = wasm.read_line_table(module.wasm)
    assert table.line_at(0) is None and table.line_at(len(module.wasm) + 10) is None
    assert any(is_cell_file(f, "cell.c") for f in table.files())


def test_a_table_of_the_cells_own_programs_has_the_same_rows_for_the_cell():
    module = compile_source("c", program("squares.c"), CompileOptions(debug=True))
    whole = wasm.read_line_table(module.wasm)
    own = wasm.read_line_table(module.wasm, keep=lambda path: is_cell_file(path, "cell.c"))
    assert own.files() == ["cell.c"] and len(whole.files()) > 10
    offsets = range(len(module.wasm))
    assert [own.line_at(o) for o in offsets] == [
        found if found and found[0] == "cell.c" else None
        for found in (whole.line_at(o) for o in offsets)]


@pytest.mark.zig
def test_the_listing_labels_each_instruction_with_its_source_line():
    source = program("squares.c")
    module = compile_source("c", source, CompileOptions(debug=True))
    listing = compiled_listing(module.wasm, source, "cell.c")
    names = [f.name for f in listing.functions]
    assert names == ["$square", "$__original_main"]  # the cell's functions, not libc's
    assert listing.left_out > 10
    square, main = listing.functions

    def line_of(func, text):
        return next(ln.line for ln in func.lines if ln.text.strip() == text)

    assert line_of(square, "i32.mul") == 4  # int y = x * x;
    assert line_of(square, "return") == 5
    assert line_of(main, "call $square") == 11
    assert line_of(main, "call $printf") == 13
    assert square.source_lines == [3, 4, 5]
    assert main.source_lines == [8, 9, 10, 11, 13, 14]
    # both ways: a line's instructions, and an instruction's line
    offsets = listing.offsets_of_line(11)
    assert offsets and all(listing.line_of_offset(o) == 11 for o in offsets)
    text = listing.to_text()
    assert re.search(r"^\s+i32\.mul\b", text, re.M)
    assert re.search(r"^\s+local\.get 1\s+;; cell\.c:4$", text, re.M)
    assert "call $printf" in text and "$fwrite" not in text


@pytest.mark.skipif(find_rustc() is None, reason="no rustc with the wasm32 WASI std")
def test_a_rust_cell_is_listed_with_its_lines():
    source = program("squares.rs")
    module = compile_source("rust", source, CompileOptions(debug=True))
    listing = compiled_listing(module.wasm, source, "cell.rs")
    square = next(f for f in listing.functions if "square" in f.name)
    assert 2 in square.source_lines and set(square.source_lines) <= {1, 2, 3, 4}
    # x * x is checked for overflow: an i64.mul, on line 2
    assert any(ln.text.strip() == "i64.mul" and ln.line == 2 for ln in square.lines)
    # the cell's own functions only (core's library/core/src/cell.rs is not cell.rs)
    assert all("4cell" in f.name for f in listing.functions), [f.name for f in listing.functions]


@pytest.mark.zig
def test_a_module_without_debug_info_says_to_compile_with_g():
    module = compile_source("c", program("squares.c"))
    with pytest.raises(CompileError, match="-g"):
        compiled_listing(module.wasm, program("squares.c"), "cell.c")


@pytest.mark.zig
def test_wasikernel_compile_wat_prints_the_listing(tmp_path):
    out = tmp_path / "squares.wasm"
    done = subprocess.run(
        [sys.executable, "-m", "wasikernel", "compile", "c", str(PROGRAMS / "squares.c"),
         "--wat", "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    mul = next(i for i, line in enumerate(lines) if line.strip() == "i32.mul")
    above = [line for line in lines[:mul] if ";; " in line and "squares.c:" in line]
    assert above[-1].endswith(f"{PROGRAMS / 'squares.c'}:4".rsplit("/", 1)[-1])
    assert ";; squares.c:11" in done.stdout and out.exists()
    # the module written is the one listed: it carries the line table
    assert ".debug_line" in wasm.custom_sections(out.read_bytes())


def test_wasikernel_compile_wat_refuses_a_wat_source(tmp_path):
    src = tmp_path / "m.wat"
    src.write_text("(module)")
    done = subprocess.run([sys.executable, "-m", "wasikernel", "compile", "wat", str(src),
                           "--wat"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "C or Rust" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_damaged_line_table_is_a_decode_error():
    with pytest.raises(wasm.DecodeError):
        wasm.parse_debug_line(b"\x10\x00\x00\x00\x04\x00", 0)
    with pytest.raises(wasm.DecodeError):
        wasm.parse_debug_line(b"\xff\x00\x00\x00\x09\x00" + b"\0" * 8, 0)  # version 9


def test_a_zero_format_entry_table_with_a_huge_count_is_refused_at_once():
    header = (b"\x05\x00" b"\x04\x00" + b"\x00" * 4 + b"\x01\x01\x01\xfb\x0e\x0d"
              + bytes(12) + b"\x00" + b"\xff\xff\xff\xff\x0f")  # 0 formats, 2**32-1 dirs
    unit = len(header).to_bytes(4, "little") + header
    with pytest.raises(wasm.DecodeError, match="no room"):
        wasm.parse_debug_line(unit, 0)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_as_a_line_table_give_a_table_or_a_decode_error(data):
    try:
        wasm.parse_debug_line(data, 0)
    except wasm.DecodeError:
        pass
