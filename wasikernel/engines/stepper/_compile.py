"""Pre-decoding a function body, once, into the form the interpreter dispatches on.

Pass one reads the body and produces a flat list of *specs* (one per executed instruction) with
every branch target resolved to an index and every operand-stack height known statically
(validation guarantees it), so a branch knows how many values to keep and where.
``block``, ``loop`` and ``end`` of a block produce no instruction at all.

Pass two turns each spec into a closure ``handler(stack, locals) -> next_index`` through the
table of handler factories in :mod:`._handlers` (a negative index means: call (-1) or return
(-2), which the machine's outer loop handles). The recording table comes from the same
factories; only the handlers that write memory differ, noting the bytes they overwrite, so no
handler tests whether it is recording. (Locals, globals, calls and returns need no note: the
recorded operand stack says what they took.)
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from ...wasm import FuncType, Reader
from ._handlers import LOADS, STORES, make_handler
from ._numeric import NUMERIC, NUMERIC_FC, Trap

__all__ = ["Code", "ZERO", "blocktype", "compile_function", "decode_instruction"]

ZERO = {"i32": 0, "i64": 0, "f32": 0, "f64": 0.0, "funcref": None, "externref": None}


class Code:
    """A function's pre-decoded form: handler tables, static floors and WAT text per index."""

    __slots__ = (
        "func",
        "ops",
        "rec",
        "floors",
        "offsets",
        "texts",
        "zeros",
        "nparams",
        "nresults",
        "specs",
        "local_types",
        "stack_types",
        "_store",
    )

    def __init__(self) -> None:
        self.rec: list[Any] | None = None

    def recording_ops(self) -> list[Any]:
        """The recording table (made on first use)."""
        if self.rec is None:
            self.rec = [make_handler(self._store, self.func, s, i + 1, True)
                        for i, s in enumerate(self.specs)]
        return self.rec


class _Ctrl:
    __slots__ = (
        "kind",
        "base",
        "nparams",
        "nresults",
        "loop_pc",
        "fixups",
        "else_spec",
        "dead_start",
        "ptypes",
        "rtypes",
    )

    def __init__(self, kind: str, base: int, np: int, nr: int, dead: bool) -> None:
        self.kind = kind
        self.base = base
        self.nparams = np
        self.nresults = nr
        self.loop_pc = -1
        self.fixups: list[tuple[list, int]] = []
        self.else_spec: list | None = None
        self.dead_start = dead
        self.ptypes: list[str] = []
        self.rtypes: tuple = ()


def blocktype(r: Reader, types: list[FuncType]) -> tuple[int, int, str, tuple, tuple]:
    """(params, results, WAT text, param types, result types) of a block type."""
    b = r.data[r.pos]
    if b == 0x40:
        r.pos += 1
        return 0, 0, "", (), ()
    if b in (0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F):
        t = r.valtype()
        return 0, 1, f" (result {t})", (), (t,)
    idx = r.sleb(33)
    t = types[idx]
    return len(t.params), len(t.results), f" (type {idx})", t.params, t.results


_CMP = ("eqz", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
        "lt", "gt", "le", "ge")


def _pushed_types(spec: list, text: str, inst: Any, local_types: list, tstack: list,
                  q: int) -> list[str]:
    """The static types of the ``q`` values an instruction pushes."""
    kind = spec[0]
    if q == 0:
        return []
    if kind == "num":
        name = spec[1]
        return ["i32" if name.split(".")[1] in _CMP else name[:3]]
    if kind == "const":
        return [text[9:] + "ref" if text.startswith("ref.null") else text[:3]]
    if kind == "local.get":
        return [local_types[spec[1]]]
    if kind == "local.tee":
        return [tstack[-1]]
    if kind == "global.get":
        return [inst.globals[spec[1]].type]
    if kind == "load":
        return [LOADS[spec[1]][0][:3]]
    if kind == "select":
        return [tstack[-3]]
    if kind == "table.get":
        return [inst.tables[spec[1]].reftype]
    if kind == "ref.func":
        return ["funcref"]
    if kind == "call":
        return list(inst.funcs[spec[1]].type.results)
    if kind == "call_indirect":
        return list(inst.info.types[spec[1]].results)
    return ["i32"] * q  # memory.size/grow, table.size/grow, ref.is_null


def compile_function(store: Any, func: Any) -> Code:
    """Pre-decodes ``func`` (a wasm :class:`Function`) into a :class:`Code`."""
    inst = func.instance
    mod = inst.info
    body = mod.bodies[func.index - mod.num_imported_funcs]
    r = Reader(mod.raw, body.start, body.end)
    ftype: FuncType = func.type
    specs: list[list] = []
    floors: list[int] = []
    offsets: list[int] = []
    texts: list[str] = []
    stack_types: list[tuple[str, ...]] = []
    tstack: list[str] = []
    h = 0
    dead = False
    ctrls = [_Ctrl("func", 0, 0, len(ftype.results), False)]
    local_types = list(ftype.params) + body.locals

    def emit(spec: list, floor: int, off: int, text: str) -> None:
        specs.append(spec)
        floors.append(floor)
        offsets.append(off)
        texts.append(text)
        stack_types.append(tuple(tstack))

    def branch_target(depth: int) -> tuple[list, int, int] | None:
        """(target holder, base, arity) of label ``depth``; None for the function label."""
        c = ctrls[-1 - depth]
        if c.kind == "func":
            return None
        if c.kind == "loop":
            return [c.loop_pc], c.base, c.nparams
        holder = [-1]
        c.fixups.append((holder, 0))
        return holder, c.base, c.nresults

    decoding = Decoding(inst, func, ctrls, branch_target)
    while r.pos < r.end:
        off = r.pos
        op = r.byte()
        if op == 0x02 or op == 0x03 or op == 0x04:  # block loop if
            np, nr, bt, _pt, rt = blocktype(r, mod.types)
            name = {2: "block", 3: "loop", 4: "if"}[op]
            if op == 0x04 and not dead:
                h -= 1
            c = _Ctrl(name, h - np, np, nr, dead)
            c.rtypes = rt
            if not dead:
                if op == 0x04:
                    emit_if_types = list(tstack)
                    del tstack[h:]
                c.ptypes = tstack[h - np : h]
            if op == 0x03:
                c.loop_pc = len(specs)
            if op == 0x04 and not dead:
                spec = ["if", -1]
                c.else_spec = spec
                tstack[:] = emit_if_types
                emit(spec, h, off, "if" + bt)
                del tstack[h:]
            ctrls.append(c)
            continue
        if op == 0x05:  # else
            c = ctrls[-1]
            if not c.dead_start:
                if not dead:
                    holder = ["jmp", -1]
                    c.fixups.append((holder, 1))
                    emit(holder, h, off, "else")
                assert c.else_spec is not None
                c.else_spec[1] = len(specs)
                c.else_spec = None
                h = c.base + c.nparams
                tstack[c.base:] = c.ptypes
                dead = False
            continue
        if op == 0x0B:  # end
            c = ctrls.pop()
            if c.kind == "func":
                if not dead:
                    emit(["return"], h - c.nresults, off, "end")
                break
            if c.dead_start:
                continue
            if c.else_spec is not None:  # an if without else
                c.else_spec[1] = len(specs)
            for holder, i in c.fixups:
                holder[i] = len(specs)
            h = c.base + c.nresults
            tstack[c.base:] = c.rtypes
            dead = False
            continue
        # Every other instruction: decode its immediates, then emit unless unreachable.
        spec, floor, dh, text, ends = decode_instruction(op, r, decoding, h)
        if dead:
            continue
        if spec is not None:
            emit(spec, floor, off, text)
        if not ends:
            kind = spec[0]
            pops = 1 if kind in ("br_if", "ret_if") else h - floor
            pushed = _pushed_types(spec, text, inst, local_types, tstack, pops + dh)
            del tstack[h - pops:]
            tstack.extend(pushed)
        h += dh
        if ends:
            dead = True

    code = Code()
    code.func = func
    code._store = store
    code.specs = specs
    code.floors = floors
    code.offsets = offsets
    code.texts = texts
    code.local_types = local_types
    code.stack_types = stack_types
    code.zeros = tuple(ZERO[t] for t in body.locals)
    code.nparams = len(ftype.params)
    code.nresults = len(ftype.results)
    code.ops = [make_handler(store, func, s, i + 1, False) for i, s in enumerate(specs)]
    return code


class Decoding:
    """What decoding one body needs besides its bytes: the module, the instance, the function,
    the blocks open, and how to resolve a branch depth (``branch_target``)."""

    __slots__ = ("mod", "inst", "func", "ctrls", "branch_target")

    def __init__(self, inst: Any, func: Any, ctrls: list, branch_target: Any) -> None:
        self.mod = inst.info
        self.inst = inst
        self.func = func
        self.ctrls = ctrls
        self.branch_target = branch_target


Decoder = Callable[[int, Reader, Decoding, int], tuple]
#: opcode -> decoder of its immediates; ``0xFC`` goes on to :data:`FC_DECODERS` by sub-opcode
DECODERS: dict[int, Decoder] = {}
FC_DECODERS: dict[int, Decoder] = {}


def decode_instruction(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    """(spec, floor, height change, WAT text, ends-reachability) of the instruction whose opcode
    ``op`` was just read, at operand-stack height ``h``.

    Raises Trap on an instruction the stepper does not run.
    """
    decoder = DECODERS.get(op)
    if decoder is None:
        raise Trap(f"unsupported instruction 0x{op:02x}")
    return decoder(op, r, d, h)


def _opcodes(*ops: int, table: dict[int, Decoder] = DECODERS) -> Callable[[Decoder], Decoder]:
    """Register the decorated decoder in ``table`` under each of ``ops``."""

    def register(decoder: Decoder) -> Decoder:
        for op in ops:
            table[op] = decoder
        return decoder

    return register


def _fixed(kind: str, pops: int, pushes: int, *immediates: str, text: str = "") -> Decoder:
    """The decoder of an instruction that takes ``pops`` values and pushes ``pushes``; its
    immediates are ``"u32"`` (kept in the spec) or ``"byte"`` (a reserved zero, skipped), and
    ``text`` formats the kept ones (default: the kind, then the immediates)."""

    def decode(op: int, r: Reader, d: Decoding, h: int) -> tuple:
        kept = []
        for imm in immediates:
            if imm == "u32":
                kept.append(r.u32())
            else:
                r.byte()
        shown = text.format(*kept) if text else " ".join([kind, *map(str, kept)])
        return [kind, *kept], h - pops, pushes - pops, shown, False

    return decode


for _op in NUMERIC:
    DECODERS[_op] = lambda op, r, d, h: _numeric(NUMERIC[op], h)
for _sub in NUMERIC_FC:
    FC_DECODERS[_sub] = lambda sub, r, d, h: _numeric(NUMERIC_FC[sub], h)


def _numeric(entry: tuple[str, int, str], h: int) -> tuple:
    name, k, _ = entry
    return ["num", name], h - k, 1 - k, name, False


@_opcodes(0x41)
def _i32_const(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    v = r.sleb(32)
    return ["const", v], h, 1, f"i32.const {_signed(v, 32)}", False


@_opcodes(0x42)
def _i64_const(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    v = r.sleb(64)
    return ["const", v], h, 1, f"i64.const {_signed(v, 64)}", False


@_opcodes(0x43)
def _f32_const(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    v = r.f32()
    text = f"f32.const {struct.unpack('<f', struct.pack('<I', v))[0]!r}"
    return ["const", v], h, 1, text, False


@_opcodes(0x44)
def _f64_const(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    v = r.f64()
    return ["const", v], h, 1, f"f64.const {v!r}", False


# opcode -> (kind, values taken, values pushed)
_VARIABLES = {
    0x20: ("local.get", 0, 1),
    0x21: ("local.set", 1, 0),
    0x22: ("local.tee", 1, 1),
    0x23: ("global.get", 0, 1),
    0x24: ("global.set", 1, 0),
}


@_opcodes(*_VARIABLES)
def _variable(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    kind, pops, pushes = _VARIABLES[op]
    i = r.u32()
    name = _local(d.mod, d.func, i) if op <= 0x22 else _global(d.mod, i)
    return [kind, i], h - pops, pushes - pops, f"{kind} {name}", False


@_opcodes(*LOADS, *STORES)
def _memory_access(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    r.u32()  # alignment
    o = r.u32()
    if op in LOADS:
        kind, name, floor, dh = "load", LOADS[op][0], h - 1, 0
    else:
        kind, name, floor, dh = "store", STORES[op][0], h - 2, -2
    return [kind, op, o], floor, dh, name + (f" offset={o}" if o else ""), False


@_opcodes(0x0C, 0x0D)
def _br(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    depth = r.u32()
    cond = op == 0x0D
    hh = h - 1 if cond else h
    t = d.branch_target(depth)
    name = "br_if" if cond else "br"
    if t is None:
        n = d.ctrls[0].nresults
        if cond:
            return ["ret_if"], hh - n, -1, f"{name} {depth}", False
        return ["return"], hh - n, 0, f"{name} {depth}", True
    holder, base, arity = t
    spec = [name, holder, base, arity, hh]
    return spec, min(base, hh - arity), (-1 if cond else 0), f"{name} {depth}", not cond


@_opcodes(0x0E)
def _br_table(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    n = r.u32()
    depths = [r.u32() for _ in range(n + 1)]
    hh = h - 1
    targets = []
    floor = hh
    for depth in depths:
        t = d.branch_target(depth)
        if t is None:
            nr = d.ctrls[0].nresults
            targets.append((None, hh - nr, nr))
            floor = min(floor, hh - nr)
        else:
            targets.append(t)
            floor = min(floor, t[1])
    return ["br_table", targets, hh], floor, 0, "br_table " + " ".join(map(str, depths)), True


@_opcodes(0x0F)
def _return(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    return ["return"], h - d.ctrls[0].nresults, 0, "return", True


@_opcodes(0x00)
def _unreachable(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    return ["unreachable"], h, 0, "unreachable", True


@_opcodes(0x10)
def _call(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    fi = r.u32()
    t = d.inst.funcs[fi].type
    name = d.inst.info.func_names.get(fi)
    text = f"call ${name}" if name else f"call {fi}"
    k = len(t.params)
    return ["call", fi], h - k, len(t.results) - k, text, False


@_opcodes(0x11)
def _call_indirect(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    ti = r.u32()
    tab = r.u32()
    t = d.mod.types[ti]
    k = len(t.params) + 1
    return ["call_indirect", ti, tab], h - k, len(t.results) - k, \
        f"call_indirect {tab} (type {ti})", False


@_opcodes(0x1C)
def _select_typed(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    for _ in range(r.u32()):
        r.valtype()
    return ["select"], h - 3, -2, "select", False


@_opcodes(0xD0)
def _ref_null(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    t = r.valtype()
    return ["const", None], h, 1, f"ref.null {t[:-3]}", False


@_opcodes(0xFC)
def _prefixed(op: int, r: Reader, d: Decoding, h: int) -> tuple:
    sub = r.u32()
    decoder = FC_DECODERS.get(sub)
    if decoder is None:
        raise Trap(f"unsupported instruction 0xfc {sub}")
    return decoder(sub, r, d, h)


DECODERS.update({
    0x01: _fixed("nop", 0, 0),
    0x1A: _fixed("drop", 1, 0),
    0x1B: _fixed("select", 3, 1),
    0x25: _fixed("table.get", 1, 1, "u32"),
    0x26: _fixed("table.set", 2, 0, "u32"),
    0x3F: _fixed("memory.size", 0, 1, "byte"),
    0x40: _fixed("memory.grow", 1, 1, "byte"),
    0xD1: _fixed("ref.is_null", 1, 1),
    0xD2: _fixed("ref.func", 0, 1, "u32"),
})
FC_DECODERS.update({
    8: _fixed("memory.init", 3, 0, "u32", "byte"),
    9: _fixed("data.drop", 0, 0, "u32"),
    10: _fixed("memory.copy", 3, 0, "byte", "byte"),
    11: _fixed("memory.fill", 3, 0, "byte"),
    12: _fixed("table.init", 3, 0, "u32", "u32", text="table.init {1} {0}"),
    13: _fixed("elem.drop", 0, 0, "u32"),
    14: _fixed("table.copy", 3, 0, "u32", "u32"),
    15: _fixed("table.grow", 2, 1, "u32"),
    16: _fixed("table.size", 0, 1, "u32"),
    17: _fixed("table.fill", 3, 0, "u32"),
})


def _local(mod: Any, func: Any, i: int) -> str:
    name = mod.local_names.get(func.index, {}).get(i)
    return f"${name}" if name else str(i)


def _global(mod: Any, i: int) -> str:
    name = mod.global_names.get(i)
    return f"${name}" if name else str(i)


def _signed(v: int, bits: int) -> int:
    return v - (1 << bits) if v >> (bits - 1) else v
