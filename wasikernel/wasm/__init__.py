"""The WebAssembly binary format, read in one place for every stage.

Its files, each built on the ones above it::

    _reader.py     Reader: bytes, LEB128 integers, names, value types, limits, constant
                   expressions; DecodeError for whatever cannot be read
    _sections.py   the header (a core module or a component), the sections, and the entries
                   several stages read (imports, exports, data segments, code bodies, names)
    _module.py     decode_module: a core module decoded whole and strictly (the stepper)
    _listings.py   lenient listings that never raise (imports, bodies, custom sections ...)
    _deadline.py   with_deadline_checks: a module that asks for the time at each loop head
    _layout.py     memory_layout: where the stack, data and heap are, from wasm-ld's symbols
    _dwarf.py      read_line_table: the DWARF line table (which source line each instruction
                   came from), for a module built with -g

Strict readers raise :class:`DecodeError` naming the problem; lenient ones answer from what they
could read. The header check knows a component (version 0x0d, layer 1) from a core module
(version 1); reading a component's own sections is not done here yet.

Example::

    from wasikernel import wasm

    wasm.read_header(data)                  # "module" or "component", or DecodeError
    [(i.module, i.name) for i in wasm.module_imports(data)]
    wasm.read_layout(data)                  # MemoryLayout or None
    wasm.read_line_table(data).line_at(off) # ("cell.c", 4): the source line of an instruction
    info = wasm.decode_module(data)         # ModuleInfo, or DecodeError
"""

from __future__ import annotations

from ._reader import VALTYPE_NAMES, DecodeError, Reader, encode_u32
from ._sections import (
    COMPONENT,
    MODULE,
    Data,
    Import,
    Names,
    Section,
    SectionId,
    boundary_signatures,
    module_sections,
    read_code_entry,
    read_data,
    read_export,
    read_global,
    read_header,
    read_import,
    read_names,
    sections,
)

__all__ = [
    "COMPONENT",
    "DEADLINE_MODULE",
    "DEADLINE_NAME",
    "LAYOUT_SYMBOLS",
    "MODULE",
    "VALTYPE_NAMES",
    "Body",
    "Data",
    "DecodeError",
    "Elem",
    "FuncType",
    "Import",
    "LineRow",
    "LineTable",
    "ModuleInfo",
    "Names",
    "Reader",
    "Section",
    "SectionId",
    "binary_kind",
    "boundary_signatures",
    "code_section_start",
    "custom_section",
    "custom_sections",
    "decode_module",
    "encode_u32",
    "function_bodies",
    "memory_layout",
    "module_imports",
    "module_sections",
    "parse_debug_line",
    "read_code_entry",
    "read_data",
    "read_export",
    "read_global",
    "read_header",
    "read_import",
    "read_layout",
    "read_line_table",
    "read_names",
    "sections",
    "with_deadline_checks",
    "without_custom_sections",
]

#: the names of the strict decoder, the listings, the layout and the deadline rewriting, each
#: loaded from its file on first use: ``wasikernel run`` asks only for the header (``_reader``
#: and ``_sections``)
_LATER = {
    **dict.fromkeys(("Body", "Elem", "FuncType", "ModuleInfo", "decode_module"), "_module"),
    **dict.fromkeys(("binary_kind", "code_section_start", "custom_section", "custom_sections",
                     "function_bodies", "module_imports", "without_custom_sections"), "_listings"),
    **dict.fromkeys(("LineRow", "LineTable", "parse_debug_line", "read_line_table"), "_dwarf"),
    **dict.fromkeys(("LAYOUT_SYMBOLS", "memory_layout", "read_layout"), "_layout"),
    **dict.fromkeys(("DEADLINE_MODULE", "DEADLINE_NAME", "with_deadline_checks"), "_deadline"),
}  # fmt: skip


def __getattr__(name: str) -> object:
    if name in _LATER:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LATER[name]}"), name)
        globals()[name] = value  # asked once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
