"""The header, the sections, and the entries of the sections that more than one stage reads.

Every function here is strict (it raises :class:`DecodeError`); the listings in
:mod:`._listings` call them and keep what they read before any damage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from .._records import field, record
from ._reader import DecodeError, Reader

__all__ = [
    "COMPONENT",
    "boundary_signatures",
    "MODULE",
    "Data",
    "Import",
    "Names",
    "Section",
    "SectionId",
    "read_data",
    "read_export",
    "read_global",
    "read_header",
    "read_import",
    "read_names",
    "module_sections",
    "read_code_entry",
    "sections",
]

MODULE = "module"
COMPONENT = "component"

_MAGIC = b"\0asm"
_MODULE_VERSION = b"\x01\x00\x00\x00"  # version 1, layer 0
_COMPONENT_VERSION = b"\x0d\x00\x01\x00"  # version 0x0d, layer 1
EXTERNAL_KINDS = ("func", "table", "memory", "global", "tag")


class SectionId:
    """The section ids of a core module (a component numbers its own sections differently)."""

    CUSTOM = 0
    TYPE = 1
    IMPORT = 2
    FUNCTION = 3
    TABLE = 4
    MEMORY = 5
    GLOBAL = 6
    EXPORT = 7
    START = 8
    ELEMENT = 9
    CODE = 10
    DATA = 11
    DATA_COUNT = 12


class Section(NamedTuple):
    """One section: its id, the offset of its id byte, and where its contents start and end."""

    id: int
    offset: int
    start: int
    end: int

    def reader(self, data: bytes) -> Reader:
        """A :class:`Reader` over the section's contents."""
        return Reader(data, self.start, self.end)


@record
class Import:
    """One import: ``kind`` is ``"func"``, ``"table"``, ``"memory"``, ``"global"`` or ``"tag"``;
    ``desc`` a type index, ``(reftype, min, max)``, ``(min, max)``, ``(valtype, mutable)`` or
    ``(attribute, type index)``."""

    module: str
    name: str
    kind: str
    desc: object


@record
class Data:
    """A data segment: ``"active"`` (copied to ``memory`` at ``offset``, a constant expression)
    or ``"passive"``."""

    mode: str
    memory: int
    offset: bytes | None
    data: bytes


@record
class Names:
    """What the ``name`` custom section says: function, local and global names by index."""

    functions: dict[int, str] = field(default_factory=dict)
    locals: dict[int, dict[int, str]] = field(default_factory=dict)
    globals: dict[int, str] = field(default_factory=dict)


def read_header(data: bytes) -> str:
    """Return :data:`MODULE` for a core module, :data:`COMPONENT` for a component.

    Raises DecodeError when the bytes are neither, saying what they are instead.
    """
    head = bytes(data[:8])
    if head[:4] != _MAGIC:
        raise DecodeError("not WebAssembly: the bytes do not begin with \\0asm")
    version = head[4:8]
    if version == _MODULE_VERSION:
        return MODULE
    if version == _COMPONENT_VERSION:
        return COMPONENT
    if len(version) < 4:
        raise DecodeError("not WebAssembly: the header stops before its version")
    if version[2:4] == b"\x01\x00":
        raise DecodeError(
            f"a component in a draft binary format (version 0x{version[0]:02x}, the component "
            "model's stable format is 0x0d): build it again with a current toolchain"
        )
    raise DecodeError(
        f"unknown WebAssembly version {version.hex(' ')} (a core module has 01 00 00 00, "
        "a component 0d 00 01 00)"
    )


def sections(data: bytes) -> Iterator[Section]:
    """The sections of a module or a component, in order, after checking the header.

    Raises DecodeError on a bad header or a section that runs past the end of the bytes.
    """
    read_header(data)
    r = Reader(data, 8)
    while r.pos < r.end:
        offset = r.pos
        section_id = r.byte()
        size = r.u32()
        if r.pos + size > r.end:
            raise DecodeError(f"section {section_id} runs past the end of the bytes")
        yield Section(section_id, offset, r.pos, r.pos + size)
        r.pos += size


def module_sections(data: bytes) -> Iterator[Section]:
    """:func:`sections` of a core module; raises DecodeError on a component."""
    if read_header(data) != MODULE:
        raise DecodeError("this is a component, not a core module")
    return sections(data)


def read_import(s: Reader) -> Import:
    """One entry of the import section; raises DecodeError on an unknown kind."""
    module, name, kind = s.name(), s.name(), s.byte()
    if kind == 0:
        return Import(module, name, "func", s.u32())
    if kind == 1:
        reftype = s.valtype()
        lo, hi = s.limits()
        return Import(module, name, "table", (reftype, lo, hi))
    if kind == 2:
        return Import(module, name, "memory", s.limits())
    if kind == 3:
        valtype = s.valtype()
        return Import(module, name, "global", (valtype, bool(s.byte())))
    if kind == 4:
        attribute = s.byte()
        return Import(module, name, "tag", (attribute, s.u32()))
    raise DecodeError(f"unknown import kind {kind}")


def read_export(s: Reader) -> tuple[str, str, int]:
    """One entry of the export section: ``(name, kind, index)``."""
    name = s.name()
    kind = s.byte()
    if kind >= len(EXTERNAL_KINDS):
        raise DecodeError(f"unknown export kind {kind}")
    return name, EXTERNAL_KINDS[kind], s.u32()


def read_global(s: Reader) -> tuple[str, bool, bytes]:
    """One entry of the global section: ``(value type, mutable, initial constant expression)``."""
    valtype = s.valtype()
    mutable = bool(s.byte())
    return valtype, mutable, s.const_expr()


def read_data(s: Reader) -> Data:
    """One entry of the data section."""
    flag = s.u32()
    if flag == 1:
        return Data("passive", 0, None, s.bytes(s.u32()))
    if flag not in (0, 2):
        raise DecodeError(f"unknown data segment flags {flag}")
    memory = s.u32() if flag == 2 else 0
    offset = s.const_expr()
    return Data("active", memory, offset, s.bytes(s.u32()))


def read_code_entry(s: Reader) -> tuple[int, int]:
    """One entry of the code section: where the function's body (locals, then code) starts
    and ends; the reader is left after it."""
    size = s.u32()
    start, end = s.pos, s.pos + size
    if end > s.end:
        raise DecodeError("a function body runs past the end of the code section")
    s.pos = end
    return start, end


def read_names(s: Reader) -> Names:
    """The contents of the ``name`` custom section after its name.

    Never raises: a damaged subsection ends the reading, and the names read before it stay.
    """
    names = Names()
    try:
        while s.pos < s.end:
            sub = s.byte()
            size = s.u32()
            end = s.pos + size
            if sub in (1, 7):
                target = names.functions if sub == 1 else names.globals
                for _ in range(s.u32()):
                    index = s.u32()
                    target[index] = s.name()
            elif sub == 2:
                for _ in range(s.u32()):
                    func = s.u32()
                    local = names.locals.setdefault(func, {})
                    for _ in range(s.u32()):
                        index = s.u32()
                        local[index] = s.name()
            s.pos = end
    except DecodeError:
        pass  # a damaged name section only costs the names after the damage
    return names


def boundary_signatures(
    data: bytes,
) -> tuple[dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
           dict[str, tuple[tuple[str, ...], tuple[str, ...]]]]:
    """The signatures of the functions a core module imports (keyed ``"module.name"``) and of
    those it exports (keyed by export name), as two dicts of ``(params, results)`` type names,
    read from the type, import, function and export sections only (no code is decoded).

    Raises DecodeError when those sections cannot be read.
    """
    types: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    imported: dict[str, int] = {}
    defined: list[int] = []
    exported: list[tuple[str, int]] = []
    for sec in module_sections(data):
        r = sec.reader(data)
        if sec.id == SectionId.TYPE:
            for _ in range(r.u32()):
                if r.byte() != 0x60:
                    raise DecodeError("a type that is not a function type")
                params = tuple(r.valtype() for _ in range(r.u32()))
                types.append((params, tuple(r.valtype() for _ in range(r.u32()))))
        elif sec.id == SectionId.IMPORT:
            for _ in range(r.u32()):
                entry = read_import(r)
                if entry.kind == "func":
                    imported[f"{entry.module}.{entry.name}"] = int(entry.desc)  # type: ignore
        elif sec.id == SectionId.FUNCTION:
            defined = [r.u32() for _ in range(r.u32())]
        elif sec.id == SectionId.EXPORT:
            exported = [(name, index) for name, kind, index in
                        (read_export(r) for _ in range(r.u32())) if kind == "func"]  # fmt: skip

    def of(type_index: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if type_index >= len(types):
            raise DecodeError(f"a function of type {type_index}, past the type section")
        return types[type_index]

    function_types = list(imported.values()) + defined
    exports = {name: of(function_types[index]) for name, index in exported
               if index < len(function_types)}  # fmt: skip
    return {name: of(index) for name, index in imported.items()}, exports
