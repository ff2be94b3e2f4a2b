"""Reading the memory layout of a compiled module from its own bytes.

A module linked by ``wasm-ld`` exports the globals ``__stack_pointer``, ``__data_end`` and
``__heap_base`` (when asked to); their initial values, plus the offsets of the active data
segments, say where the shadow stack, the static data and the heap live. Nothing is
instantiated: the binary is read section by section.
"""

from __future__ import annotations

from ..result import MemoryLayout

_GLOBAL_SECTION = 6
_EXPORT_SECTION = 7
_DATA_SECTION = 11
_IMPORT_SECTION = 2


class _Reader:
    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise ValueError("unexpected end of section")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uleb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def sleb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result

    def name(self) -> str:
        length = self.uleb()
        raw = self.data[self.pos : self.pos + length]
        self.pos += length
        return raw.decode("utf-8", "replace")

    def const_expr(self) -> int | None:
        """Read a constant expression up to ``end``; return its value when it is one i32.const."""
        value: int | None = None
        first = True
        while True:
            op = self.byte()
            if op == 0x0B:
                return value
            if op == 0x41 and first:
                value = self.sleb()
            elif op == 0x42:
                self.sleb()
                value = None
            elif op == 0x23:
                self.uleb()
                value = None
            elif op == 0x44:
                self.pos += 8
                value = None
            elif op == 0x43:
                self.pos += 4
                value = None
            else:
                value = None
                if op == 0x41:
                    self.sleb()
            first = False


def _skip_limits(reader: _Reader) -> None:
    flags = reader.uleb()
    reader.uleb()
    if flags & 1:
        reader.uleb()


def _read_import(body: _Reader) -> tuple[str, str, int]:
    """Read one entry of the import section: ``(module, name, kind)``, its descriptor skipped."""
    module = body.name()
    name = body.name()
    kind = body.byte()
    if kind == 0:  # function: a type index
        body.uleb()
    elif kind == 1:  # table: a reference type and limits
        body.byte()
        _skip_limits(body)
    elif kind == 2:  # memory: limits
        _skip_limits(body)
    elif kind == 3:  # global: a value type and mutability
        body.byte()
        body.byte()
    else:
        body.byte()
        body.uleb()
    return module, name, kind


def read_layout(wasm: bytes) -> MemoryLayout | None:
    """Return the module's :class:`MemoryLayout`, or ``None`` when it exports none of the symbols.

    Never raises on a malformed module: what cannot be read is left ``None``.
    """
    if wasm[:4] != b"\0asm":
        return None
    imported_globals = 0
    global_init: list[int | None] = []
    exported_globals: dict[str, int] = {}
    data_offsets: list[tuple[int, int]] = []
    pos = 8
    try:
        while pos < len(wasm):
            section_id = wasm[pos]
            reader = _Reader(wasm, pos + 1)
            size = reader.uleb()
            start = reader.pos
            body = _Reader(wasm, start, start + size)
            if section_id == _IMPORT_SECTION:
                for _ in range(body.uleb()):
                    if _read_import(body)[2] == 3:
                        imported_globals += 1
            elif section_id == _GLOBAL_SECTION:
                for _ in range(body.uleb()):
                    body.byte()  # value type
                    body.byte()  # mutability
                    global_init.append(body.const_expr())
            elif section_id == _EXPORT_SECTION:
                for _ in range(body.uleb()):
                    name = body.name()
                    kind = body.byte()
                    index = body.uleb()
                    if kind == 3:
                        exported_globals[name] = index
            elif section_id == _DATA_SECTION:
                for _ in range(body.uleb()):
                    flags = body.uleb()
                    if flags == 1:
                        length = body.uleb()
                        body.pos += length
                        continue
                    if flags == 2:
                        body.uleb()
                    offset = body.const_expr()
                    length = body.uleb()
                    body.pos += length
                    if offset is not None and length:
                        data_offsets.append((offset, offset + length))
            pos = start + size
    except (ValueError, IndexError):
        pass

    def value(name: str) -> int | None:
        index = exported_globals.get(name)
        if index is None or index < imported_globals:
            return None
        local = index - imported_globals
        return global_init[local] if local < len(global_init) else None

    stack_pointer = value("__stack_pointer")
    data_end = value("__data_end")
    heap_base = value("__heap_base")
    if stack_pointer is None and data_end is None and heap_base is None:
        return None
    data_start = min((start for start, _ in data_offsets), default=None)
    stack_low = stack_high = None
    if stack_pointer is not None:
        stack_high = stack_pointer
        if data_start is not None and stack_pointer <= data_start:
            stack_low = 0  # --stack-first: the stack sits below the data, from address 0
        elif data_end is not None:
            stack_low = (data_end + 15) & ~15  # the stack follows the data, up to __heap_base
        elif data_start is None:
            stack_low = 0
    if data_start is None and data_end is not None:
        data_start = stack_high if stack_low == 0 and stack_high is not None else data_end
    return MemoryLayout(
        data_start=data_start,
        data_end=data_end,
        stack_low=stack_low,
        stack_high=stack_high,
        heap_base=heap_base,
    )
