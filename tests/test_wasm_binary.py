"""The one reader of the WebAssembly binary format: the header, strict decoding, the listings.

Modules and components come from ``wasmtime.wat2wasm``, a real producer of the format, and
wasmtime's own reading of the same bytes is the oracle for the imports and exports.
"""

from __future__ import annotations

import pytest
import wasmtime
from hypothesis import given, settings
from hypothesis import strategies as st

from wasikernel import wasm
from wasikernel.compile import compile_source

MODULE = wasmtime.wat2wasm("""(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "base" (global $base i32))
  (import "env" "table" (table 1 funcref))
  (memory (export "memory") 1 2)
  (global $counter (export "counter") (mut i32) (i32.const 7))
  (data (i32.const 16) "hello")
  (func $main (export "_start") (local $tmp i64) (drop (global.get $counter)))
  (func $second (result i32) (i32.const 1)))""")
COMPONENT = wasmtime.wat2wasm("(component)")


def test_the_header_tells_a_core_module_from_a_component():
    assert wasm.read_header(MODULE) == wasm.MODULE == "module"
    assert wasm.read_header(COMPONENT) == wasm.COMPONENT == "component"
    assert COMPONENT[4:8] == b"\x0d\x00\x01\x00"  # version 0x0d, layer 1
    assert wasm.binary_kind(MODULE) == "module" and wasm.binary_kind(COMPONENT) == "component"
    assert wasm.binary_kind(b"#!/bin/sh\n") is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"ELF\0\0\0\0\0", "\\0asm"),
        (b"\0asm\x01", "stops before its version"),
        (b"\0asm\x0c\x00\x01\x00", "draft"),
        (b"\0asm\x02\x00\x00\x00", "02 00 00 00"),
    ],
)
def test_bytes_that_are_neither_say_what_is_wrong(data, words):
    with pytest.raises(wasm.DecodeError) as info:
        wasm.read_header(data)
    assert words in str(info.value)


def test_a_component_is_not_decoded_as_a_core_module():
    with pytest.raises(wasm.DecodeError, match="component"):
        wasm.decode_module(COMPONENT)
    assert wasm.module_imports(COMPONENT) == []
    assert wasm.read_layout(COMPONENT) is None
    assert wasm.function_bodies(COMPONENT) == []


def test_strict_decoding_reads_what_wasmtime_reads():
    info = wasm.decode_module(MODULE)
    oracle = wasmtime.Module(wasmtime.Engine(), MODULE)
    assert [(i.module, i.name) for i in info.imports] == [
        (i.module, i.name) for i in oracle.imports
    ]
    assert sorted(info.exports) == sorted(e.name for e in oracle.exports)
    assert [i.kind for i in info.imports] == ["func", "global", "table"]
    assert info.memories == [(1, 2)]
    assert [d.data for d in info.datas] == [b"hello"]
    assert info.func_names == {0: "fd_write", 1: "main", 2: "second"}
    assert info.local_names[1] == {0: "tmp"}
    assert info.bodies[0].locals == ["i64"]


def test_the_lenient_listings_agree_with_the_strict_decoder():
    info = wasm.decode_module(MODULE)
    assert wasm.module_imports(MODULE) == info.imports
    bodies = wasm.function_bodies(MODULE)
    assert [end for _, end in bodies] == [body.end for body in info.bodies]
    assert wasm.custom_sections(MODULE) == ["name"]
    assert wasm.code_section_start(MODULE) is not None


def test_stripping_the_custom_sections_keeps_a_valid_module_with_the_same_exports():
    stripped = wasm.without_custom_sections(MODULE)
    assert wasm.custom_sections(stripped) == [] and len(stripped) < len(MODULE)
    module = wasmtime.Module(wasmtime.Engine(), stripped)
    assert [e.name for e in module.exports] == ["memory", "counter", "_start"]
    assert wasm.decode_module(stripped).func_names == {}


def test_a_stack_first_module_without_data_gets_a_stack_from_address_zero():
    """The stack pointer starts below ``__data_end`` and no data segment says where data is:
    the stack is first (from 0), not an empty range from ``__data_end`` upwards."""
    module = compile_source("wat", """
      (memory (export "memory") 2)
      (global (export "__stack_pointer") (mut i32) (i32.const 65536))
      (global (export "__data_end") i32 (i32.const 66000))
      (global (export "__heap_base") i32 (i32.const 66048))""")
    layout = module.layout
    assert (layout.stack_low, layout.stack_high, layout.data_end, layout.heap_base) == (
        0, 65536, 66000, 66048,
    )  # fmt: skip


def test_the_layout_rule_reads_live_symbols_as_it_reads_the_bytes():
    stack_after_data = {"__stack_pointer": 70000, "__data_end": 2000, "__heap_base": 70000}
    layout = wasm.memory_layout(stack_after_data)
    assert (layout.data_start, layout.stack_low, layout.stack_high) == (1024, 2000, 70000)
    layout = wasm.memory_layout(stack_after_data, [(1024, 1990)])
    assert (layout.data_start, layout.data_end) == (1024, 2000)
    assert wasm.memory_layout({"__data_end": 5}, []).data_start == 5
    assert wasm.memory_layout({"__stack_pointer": 65536, "__data_end": 66000}).stack_low == 0
    assert wasm.memory_layout({}) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_damaged_bytes_raise_only_decode_errors_or_give_short_listings(tail):
    data = b"\0asm\x01\0\0\0" + tail
    try:
        wasm.decode_module(data)
    except wasm.DecodeError:
        pass
    assert isinstance(wasm.function_bodies(data), list)
    assert isinstance(wasm.custom_sections(data), list)
    wasm.code_section_start(data)
    assert isinstance(wasm.without_custom_sections(data), bytes)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_leb128_reads_back_what_it_writes(n):
    encoded = wasm.encode_u32(n)
    reader = wasm.Reader(encoded)
    assert reader.u32() == n and reader.pos == len(encoded)


@pytest.mark.parametrize(
    ("data", "bits", "words"),
    [
        (b"\x80\x80\x80\x80\x10", 32, "too large"),
        (b"\x80\x80\x80\x80\x80\x00", 32, "too long"),
        (b"\xff" * 9 + b"\x02", 64, "too large"),
        (b"\xff" * 10 + b"\x00", 64, "too long"),
        (b"\x80", 32, "unexpected end"),
    ],
)
def test_leb128_refuses_integers_past_their_width(data, bits, words):
    with pytest.raises(wasm.DecodeError) as info:
        wasm.Reader(data).unsigned(bits)
    assert words in str(info.value)
    assert wasm.Reader(b"\xff\xff\xff\xff\x0f").u32() == 2**32 - 1


def test_boundary_signatures_match_what_wasmtime_reads():
    import wasmtime

    from wasikernel.compile import compile_source
    from wasikernel.wasm import boundary_signatures

    wasm = compile_source("wat", """(module
      (import "env" "log" (func $log (param i32 i64)))
      (import "env" "mem" (memory 1))
      (func $add (export "add") (param i32 f64) (result i64 f32) i64.const 0 f32.const 0)
      (func (export "_start"))
      (export "again" (func $log)))""").wasm
    imported, exported = boundary_signatures(wasm)
    module = wasmtime.Module(wasmtime.Engine(), wasm)

    def text(ty):
        return tuple(str(p) for p in ty.params), tuple(str(r) for r in ty.results)

    assert imported == {f"{i.module}.{i.name}": text(i.type) for i in module.imports
                        if isinstance(i.type, wasmtime.FuncType)}  # fmt: skip
    assert exported == {e.name: text(e.type) for e in module.exports}
    assert exported["again"] == (("i32", "i64"), ())  # an import exported again
