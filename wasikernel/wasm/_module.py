"""A core module decoded whole, strictly: what the stepper instantiates and runs.

Function bodies are kept as byte ranges here; the stepper turns each body into its own form the
first time the function is called. The module is expected to be valid (the stepper asks wasmtime
to validate it first): this decoder checks the structure it reads and raises
:class:`DecodeError` on anything it cannot read, without checking types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ._reader import DecodeError, Reader, encode_u32
from ._sections import (
    Data,
    Import,
    SectionId,
    module_sections,
    read_code_entry,
    read_data,
    read_export,
    read_global,
    read_import,
    read_names,
)

__all__ = ["Body", "Elem", "FuncType", "ModuleInfo", "decode_module"]


@dataclass(frozen=True)
class FuncType:
    """A function signature: value type names of the parameters and of the results."""

    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        res = self.results[0] if len(self.results) == 1 else "(" + ", ".join(self.results) + ")"
        return "(" + ", ".join(self.params) + ") -> " + res


@dataclass
class Body:
    locals: list[str]
    start: int  # offset of the first instruction in the module bytes
    end: int  # offset just past the final ``end``


@dataclass
class Elem:
    mode: str  # "active" | "passive" | "declarative"
    table: int
    offset: bytes | None  # constant expression (bytes) for active segments
    reftype: str
    items: list[bytes]  # one constant expression per element


@dataclass
class ModuleInfo:
    """Everything a module declares, decoded once."""

    raw: bytes
    types: list[FuncType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    func_types: list[int] = field(default_factory=list)  # defined functions only
    tables: list[tuple[str, int, int | None]] = field(default_factory=list)
    memories: list[tuple[int, int | None]] = field(default_factory=list)
    globals: list[tuple[str, bool, bytes]] = field(default_factory=list)
    exports: dict[str, tuple[str, int]] = field(default_factory=dict)
    start: int | None = None
    elems: list[Elem] = field(default_factory=list)
    datas: list[Data] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    func_names: dict[int, str] = field(default_factory=dict)
    global_names: dict[int, str] = field(default_factory=dict)
    local_names: dict[int, dict[int, str]] = field(default_factory=dict)

    @property
    def num_imported_funcs(self) -> int:
        return sum(1 for i in self.imports if i.kind == "func")

    def func_type(self, index: int) -> FuncType:
        """The signature of function ``index`` (imports first, as in the index space)."""
        imported = [i for i in self.imports if i.kind == "func"]
        if index < len(imported):
            return self.types[imported[index].desc]  # type: ignore[index]
        return self.types[self.func_types[index - len(imported)]]


_IMPORT_KINDS = ("func", "table", "memory", "global")


def decode_module(data: bytes) -> ModuleInfo:
    """Decode a core module's sections; raises :class:`DecodeError` on bytes it cannot read
    (a component among them)."""
    data = bytes(data)
    m = ModuleInfo(raw=data)
    for section in module_sections(data):
        sid = section.id
        s = section.reader(data)
        if sid == SectionId.CUSTOM:
            try:
                is_names = s.name() == "name"
            except DecodeError:
                continue
            if is_names:
                names = read_names(s)
                m.func_names, m.global_names, m.local_names = (
                    names.functions, names.globals, names.locals)
        elif sid == SectionId.TYPE:
            for _ in range(s.u32()):
                if s.byte() != 0x60:
                    raise DecodeError("function type without the 0x60 form")
                params = tuple(s.valtype() for _ in range(s.u32()))
                results = tuple(s.valtype() for _ in range(s.u32()))
                m.types.append(FuncType(params, results))
        elif sid == SectionId.IMPORT:
            for _ in range(s.u32()):
                imp = read_import(s)
                if imp.kind not in _IMPORT_KINDS:
                    raise DecodeError(f"an import of a {imp.kind}, which the stepper does not run")
                m.imports.append(imp)
        elif sid == SectionId.FUNCTION:
            m.func_types = [s.u32() for _ in range(s.u32())]
        elif sid == SectionId.TABLE:
            for _ in range(s.u32()):
                rt = s.valtype()
                lo, hi = s.limits()
                m.tables.append((rt, lo, hi))
        elif sid == SectionId.MEMORY:
            m.memories = [s.limits() for _ in range(s.u32())]
        elif sid == SectionId.GLOBAL:
            m.globals = [read_global(s) for _ in range(s.u32())]
        elif sid == SectionId.EXPORT:
            for _ in range(s.u32()):
                name, kind, index = read_export(s)
                m.exports[name] = (kind, index)
        elif sid == SectionId.START:
            m.start = s.u32()
        elif sid == SectionId.ELEMENT:
            for _ in range(s.u32()):
                m.elems.append(_elem(s))
        elif sid == SectionId.CODE:
            for _ in range(s.u32()):
                start, end = read_code_entry(s)
                body = Reader(data, start, end)
                locals_: list[str] = []
                for _ in range(body.u32()):
                    n = body.u32()
                    t = body.valtype()
                    locals_.extend([t] * n)
                m.bodies.append(Body(locals_, body.pos, end))
        elif sid == SectionId.DATA:
            for _ in range(s.u32()):
                m.datas.append(read_data(s))
        elif sid == SectionId.DATA_COUNT:
            s.u32()
        else:
            raise DecodeError(f"unknown section id {sid}")
    return m


def _elem(s: Reader) -> Elem:
    flag = s.u32()
    table = 0
    offset = None
    mode = "active"
    if flag & 1:
        mode = "declarative" if flag & 2 else "passive"
    elif flag & 2:
        table = s.u32()
    if not flag & 1:
        offset = s.const_expr()
    reftype = "funcref"
    if flag & 4:  # expressions
        if flag & 3:
            reftype = s.valtype()
        items = [s.const_expr() for _ in range(s.u32())]
    else:
        if flag & 3:
            s.byte()  # elemkind 0x00 = funcref
        items = [b"\xd2" + encode_u32(s.u32()) + b"\x0b" for _ in range(s.u32())]
    return Elem(mode, table, offset, reftype, items)
