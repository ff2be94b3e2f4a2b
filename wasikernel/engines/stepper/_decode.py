"""The binary decoder: a ``.wasm`` module's bytes into a :class:`ModuleInfo`.

Function bodies are kept as byte ranges here; :mod:`._compile` turns each body into its
pre-decoded form the first time the function is called. Validation is not done here (the engine
asks wasmtime to validate first), so the decoder trusts the module's structure and only guards
against running off the end of the bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

__all__ = ["DecodeError", "FuncType", "ModuleInfo", "decode_module", "VALTYPE_NAMES"]

VALTYPE_NAMES = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
}


class DecodeError(Exception):
    """The bytes are not a WebAssembly module this interpreter can read."""


@dataclass(frozen=True)
class FuncType:
    """A function signature: value type names of the parameters and of the results."""

    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        res = self.results[0] if len(self.results) == 1 else "(" + ", ".join(self.results) + ")"
        return "(" + ", ".join(self.params) + ") -> " + res


@dataclass
class Import:
    module: str
    name: str
    kind: str  # "func" | "table" | "memory" | "global"
    desc: object  # type index | (reftype, min, max) | (min, max) | (valtype, mutable)


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
class Data:
    mode: str  # "active" | "passive"
    memory: int
    offset: bytes | None
    data: bytes


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


class Reader:
    """A cursor over bytes with the LEB128 readers the format needs."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise DecodeError("unexpected end of the module bytes")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u32(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                if shift == 28 and b > 0x0F:
                    raise DecodeError("integer too large")
                return result
            shift += 7
            if shift > 28:
                raise DecodeError("integer representation too long")

    def sleb(self, bits: int) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if b & 0x40:
            result -= 1 << shift
        return result & ((1 << bits) - 1)  # unsigned representation

    def bytes(self, n: int) -> bytes:
        if self.pos + n > self.end:
            raise DecodeError("unexpected end of the module bytes")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return bytes(out)

    def name(self) -> str:
        return self.bytes(self.u32()).decode("utf-8", errors="replace")

    def f32(self) -> int:
        return struct.unpack("<I", self.bytes(4))[0]

    def f64(self) -> float:
        return struct.unpack("<d", self.bytes(8))[0]

    def valtype(self) -> str:
        b = self.byte()
        try:
            return VALTYPE_NAMES[b]
        except KeyError:
            raise DecodeError(f"unknown value type 0x{b:02x}") from None

    def limits(self) -> tuple[int, int | None]:
        flag = self.byte()
        lo = self.u32()
        hi = self.u32() if flag & 1 else None
        return lo, hi

    def const_expr(self) -> bytes:
        """The bytes of a constant expression, up to and including its ``end``."""
        start = self.pos
        while True:
            op = self.byte()
            if op == 0x0B:
                return bytes(self.data[start : self.pos])
            if op in (0x41, 0x42):
                self.sleb(64)
            elif op == 0x43:
                self.pos += 4
            elif op == 0x44:
                self.pos += 8
            elif op in (0x23, 0xD2):
                self.u32()
            elif op == 0xD0:
                self.byte()
            elif op in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):
                pass  # extended constant expressions
            else:
                raise DecodeError(f"opcode 0x{op:02x} in a constant expression")


def decode_module(data: bytes) -> ModuleInfo:
    """Decode a module's sections; raises :class:`DecodeError` on bytes it cannot read."""
    data = bytes(data)
    if data[:4] != b"\0asm" or data[4:8] != b"\x01\0\0\0":
        raise DecodeError("not a WebAssembly module (no \\0asm version 1 header)")
    m = ModuleInfo(raw=data)
    r = Reader(data, 8)
    while r.pos < r.end:
        sid = r.byte()
        size = r.u32()
        s = Reader(data, r.pos, r.pos + size)
        r.pos += size
        if sid == 0:
            _custom(m, s)
        elif sid == 1:
            for _ in range(s.u32()):
                if s.byte() != 0x60:
                    raise DecodeError("function type without the 0x60 form")
                params = tuple(s.valtype() for _ in range(s.u32()))
                results = tuple(s.valtype() for _ in range(s.u32()))
                m.types.append(FuncType(params, results))
        elif sid == 2:
            for _ in range(s.u32()):
                mod, name, kind = s.name(), s.name(), s.byte()
                if kind == 0:
                    m.imports.append(Import(mod, name, "func", s.u32()))
                elif kind == 1:
                    rt = s.valtype()
                    lo, hi = s.limits()
                    m.imports.append(Import(mod, name, "table", (rt, lo, hi)))
                elif kind == 2:
                    m.imports.append(Import(mod, name, "memory", s.limits()))
                elif kind == 3:
                    vt = s.valtype()
                    m.imports.append(Import(mod, name, "global", (vt, bool(s.byte()))))
                else:
                    raise DecodeError(f"unknown import kind {kind}")
        elif sid == 3:
            m.func_types = [s.u32() for _ in range(s.u32())]
        elif sid == 4:
            for _ in range(s.u32()):
                rt = s.valtype()
                lo, hi = s.limits()
                m.tables.append((rt, lo, hi))
        elif sid == 5:
            m.memories = [s.limits() for _ in range(s.u32())]
        elif sid == 6:
            for _ in range(s.u32()):
                vt = s.valtype()
                mut = bool(s.byte())
                m.globals.append((vt, mut, s.const_expr()))
        elif sid == 7:
            kinds = {0: "func", 1: "table", 2: "memory", 3: "global"}
            for _ in range(s.u32()):
                name = s.name()
                kind = kinds[s.byte()]
                m.exports[name] = (kind, s.u32())
        elif sid == 8:
            m.start = s.u32()
        elif sid == 9:
            for _ in range(s.u32()):
                m.elems.append(_elem(s))
        elif sid == 10:
            for _ in range(s.u32()):
                size = s.u32()
                end = s.pos + size
                locals_: list[str] = []
                for _ in range(s.u32()):
                    n = s.u32()
                    t = s.valtype()
                    locals_.extend([t] * n)
                m.bodies.append(Body(locals_, s.pos, end))
                s.pos = end
        elif sid == 11:
            for _ in range(s.u32()):
                flag = s.u32()
                if flag == 1:
                    m.datas.append(Data("passive", 0, None, s.bytes(s.u32())))
                else:
                    mem = s.u32() if flag == 2 else 0
                    off = s.const_expr()
                    m.datas.append(Data("active", mem, off, s.bytes(s.u32())))
        elif sid == 12:
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
        items = [b"\xd2" + _uleb(s.u32()) + b"\x0b" for _ in range(s.u32())]
    return Elem(mode, table, offset, reftype, items)


def _uleb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _custom(m: ModuleInfo, s: Reader) -> None:
    try:
        name = s.name()
    except DecodeError:
        return
    if name != "name":
        return
    try:
        while s.pos < s.end:
            sub = s.byte()
            size = s.u32()
            end = s.pos + size
            if sub in (1, 7):
                target = m.func_names if sub == 1 else m.global_names
                for _ in range(s.u32()):
                    idx = s.u32()
                    target[idx] = s.name()
            elif sub == 2:
                for _ in range(s.u32()):
                    fidx = s.u32()
                    names = m.local_names.setdefault(fidx, {})
                    for _ in range(s.u32()):
                        idx = s.u32()
                        names[idx] = s.name()
            s.pos = end
    except (DecodeError, UnicodeDecodeError):
        pass  # a damaged name section only costs us the names
