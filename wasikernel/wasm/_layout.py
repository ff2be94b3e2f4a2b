"""Where a module linked by ``wasm-ld`` keeps its stack, data and heap: one rule, two sources.

``wasm-ld`` exports the globals ``__stack_pointer``, ``__data_end`` and ``__heap_base`` (and,
when asked, ``__global_base``). Their values, plus the offsets of the active data segments when
they are known, say where the shadow stack, the static data and the heap live.
:func:`memory_layout` is the rule; :func:`read_layout` applies it to a module's own bytes
(initial values, nothing instantiated), and an engine may apply it to the live exported globals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..result import MemoryLayout
from ._reader import DecodeError, Reader
from ._sections import (
    SectionId,
    module_sections,
    read_data,
    read_export,
    read_global,
    read_import,
)

__all__ = ["LAYOUT_SYMBOLS", "memory_layout", "read_layout"]

LAYOUT_SYMBOLS = ("__stack_pointer", "__data_end", "__heap_base", "__global_base")
_WASM_LD_GLOBAL_BASE = 1024  # where wasm-ld puts static data unless told otherwise


def memory_layout(
    symbols: Mapping[str, int], data_segments: Iterable[tuple[int, int]] | None = None
) -> MemoryLayout | None:
    """Return the layout the layout symbols describe, or ``None`` when none of
    ``__stack_pointer``, ``__data_end``, ``__heap_base`` is given.

    ``data_segments`` holds ``(start, end)`` of each active data segment, ``None`` when they are
    not known (then static data is taken to start at ``__global_base``, or at wasm-ld's 1024).
    The stack comes first (``--stack-first``, zig's default: from address 0 up to
    ``__stack_pointer``) when the stack pointer starts at or below the data; otherwise it
    follows the data, from ``__data_end`` rounded up to 16 bytes.
    """
    sp = symbols.get("__stack_pointer")
    data_end = symbols.get("__data_end")
    heap_base = symbols.get("__heap_base")
    if sp is None and data_end is None and heap_base is None:
        return None
    known = data_segments is not None
    starts = [start for start, end in data_segments or () if end > start]
    data_start = min(starts) if starts else symbols.get("__global_base")
    stack_first = sp is not None and any(
        bound is not None and sp <= bound for bound in (data_start, data_end)
    )
    stack_low: int | None = None
    if sp is not None:
        if stack_first:
            stack_low = 0
        elif data_end is not None:
            stack_low = (data_end + 15) & ~15
        elif data_start is None:
            stack_low = 0  # nothing else in memory is known: the stack may reach address 0
    if data_start is None and data_end is not None:
        if stack_first:
            data_start = sp
        else:
            data_start = data_end if known else _WASM_LD_GLOBAL_BASE
    return MemoryLayout(
        data_start=data_start,
        data_end=data_end,
        stack_low=stack_low,
        stack_high=sp,
        heap_base=heap_base,
    )


def i32_const(expr: bytes | None) -> int | None:
    """The value of a constant expression that is one ``i32.const``, else ``None``."""
    if not expr or expr[0] != 0x41:
        return None
    r = Reader(expr, 1)
    try:
        value = r.sleb(32)
        return value if r.byte() == 0x0B and r.pos == len(expr) else None
    except DecodeError:
        return None


def read_layout(wasm: bytes) -> MemoryLayout | None:
    """Return the module's :class:`MemoryLayout` from its own bytes, or ``None`` when it exports
    none of the symbols.

    Never raises: a section that cannot be read is passed over, and what it held stays unknown.
    """
    imported_globals = 0
    global_init: list[int | None] = []
    exported_globals: dict[str, int] = {}
    segments: list[tuple[int, int]] = []
    try:
        for section in module_sections(wasm):
            s = section.reader(wasm)
            try:
                if section.id == SectionId.IMPORT:
                    for _ in range(s.u32()):
                        if read_import(s).kind == "global":
                            imported_globals += 1
                elif section.id == SectionId.GLOBAL:
                    for _ in range(s.u32()):
                        global_init.append(i32_const(read_global(s)[2]))
                elif section.id == SectionId.EXPORT:
                    for _ in range(s.u32()):
                        name, kind, index = read_export(s)
                        if kind == "global":
                            exported_globals[name] = index
                elif section.id == SectionId.DATA:
                    for _ in range(s.u32()):
                        segment = read_data(s)
                        start = i32_const(segment.offset)
                        if start is not None:
                            segments.append((start, start + len(segment.data)))
            except DecodeError:
                continue
    except DecodeError:
        pass

    symbols: dict[str, int] = {}
    for name in LAYOUT_SYMBOLS:
        local = exported_globals.get(name, -1) - imported_globals
        if 0 <= local < len(global_init) and global_init[local] is not None:
            symbols[name] = global_init[local]  # type: ignore[assignment]
    return memory_layout(symbols, segments)
