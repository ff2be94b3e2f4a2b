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
        spec, floor, dh, text, ends = decode_instruction(
            op, r, mod, inst, func, h, branch_target, ctrls, local_types
        )
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


def decode_instruction(
    op: int,
    r: Reader,
    mod: Any,
    inst: Any,
    func: Any,
    h: int,
    branch_target: Any,
    ctrls: list,
    local_types: list,
) -> tuple:
    """(spec, floor, height change, WAT text, ends-reachability) of one instruction."""
    if op in NUMERIC:
        name, k, _ = NUMERIC[op]
        return ["num", name], h - k, 1 - k, name, False
    if 0x41 <= op <= 0x44:
        if op == 0x41:
            v = r.sleb(32)
            return ["const", v], h, 1, f"i32.const {_signed(v, 32)}", False
        if op == 0x42:
            v = r.sleb(64)
            return ["const", v], h, 1, f"i64.const {_signed(v, 64)}", False
        if op == 0x43:
            v = r.f32()
            text = f"f32.const {struct.unpack('<f', struct.pack('<I', v))[0]!r}"
            return ["const", v], h, 1, text, False
        v = r.f64()
        return ["const", v], h, 1, f"f64.const {v!r}", False
    if op == 0x20:
        i = r.u32()
        return ["local.get", i], h, 1, f"local.get {_local(mod, func, i)}", False
    if op == 0x21:
        i = r.u32()
        return ["local.set", i], h - 1, -1, f"local.set {_local(mod, func, i)}", False
    if op == 0x22:
        i = r.u32()
        return ["local.tee", i], h - 1, 0, f"local.tee {_local(mod, func, i)}", False
    if op == 0x23:
        i = r.u32()
        return ["global.get", i], h, 1, f"global.get {_global(mod, i)}", False
    if op == 0x24:
        i = r.u32()
        return ["global.set", i], h - 1, -1, f"global.set {_global(mod, i)}", False
    if op in LOADS:
        r.u32()
        o = r.u32()
        name = LOADS[op][0]
        return ["load", op, o], h - 1, 0, name + (f" offset={o}" if o else ""), False
    if op in STORES:
        r.u32()
        o = r.u32()
        name = STORES[op][0]
        return ["store", op, o], h - 2, -2, name + (f" offset={o}" if o else ""), False
    if op == 0x0C or op == 0x0D:  # br br_if
        d = r.u32()
        cond = op == 0x0D
        hh = h - 1 if cond else h
        t = branch_target(d)
        name = "br_if" if cond else "br"
        if t is None:
            n = ctrls[0].nresults
            if cond:
                return ["ret_if"], hh - n, -1, f"{name} {d}", False
            return ["return"], hh - n, 0, f"{name} {d}", True
        holder, base, arity = t
        spec = [name, holder, base, arity, hh]
        return spec, min(base, hh - arity), (-1 if cond else 0), f"{name} {d}", not cond
    if op == 0x0E:
        n = r.u32()
        depths = [r.u32() for _ in range(n + 1)]
        hh = h - 1
        targets = []
        floor = hh
        for d in depths:
            t = branch_target(d)
            if t is None:
                nr = ctrls[0].nresults
                targets.append((None, hh - nr, nr))
                floor = min(floor, hh - nr)
            else:
                targets.append(t)
                floor = min(floor, t[1])
        return ["br_table", targets, hh], floor, 0, "br_table " + " ".join(map(str, depths)), True
    if op == 0x0F:
        n = ctrls[0].nresults
        return ["return"], h - n, 0, "return", True
    if op == 0x00:
        return ["unreachable"], h, 0, "unreachable", True
    if op == 0x01:
        return ["nop"], h, 0, "nop", False
    if op == 0x10:
        fi = r.u32()
        t = inst.funcs[fi].type
        name = inst.info.func_names.get(fi)
        text = f"call ${name}" if name else f"call {fi}"
        k = len(t.params)
        return ["call", fi], h - k, len(t.results) - k, text, False
    if op == 0x11:
        ti = r.u32()
        tab = r.u32()
        t = mod.types[ti]
        k = len(t.params) + 1
        return (
            ["call_indirect", ti, tab],
            h - k,
            len(t.results) - k + 0,
            f"call_indirect {tab} (type {ti})",
            False,
        )
    if op == 0x1A:
        return ["drop"], h - 1, -1, "drop", False
    if op == 0x1B:
        return ["select"], h - 3, -2, "select", False
    if op == 0x1C:
        for _ in range(r.u32()):
            r.valtype()
        return ["select"], h - 3, -2, "select", False
    if op == 0x25:
        t = r.u32()
        return ["table.get", t], h - 1, 0, f"table.get {t}", False
    if op == 0x26:
        t = r.u32()
        return ["table.set", t], h - 2, -2, f"table.set {t}", False
    if op == 0x3F:
        r.byte()
        return ["memory.size"], h, 1, "memory.size", False
    if op == 0x40:
        r.byte()
        return ["memory.grow"], h - 1, 0, "memory.grow", False
    if op == 0xD0:
        t = r.valtype()
        return ["const", None], h, 1, f"ref.null {t[:-3]}", False
    if op == 0xD1:
        return ["ref.is_null"], h - 1, 0, "ref.is_null", False
    if op == 0xD2:
        fi = r.u32()
        return ["ref.func", fi], h, 1, f"ref.func {fi}", False
    if op == 0xFC:
        sub = r.u32()
        if sub in NUMERIC_FC:
            name = NUMERIC_FC[sub][0]
            return ["num", name], h - 1, 0, name, False
        if sub == 8:
            seg = r.u32()
            r.byte()
            return ["memory.init", seg], h - 3, -3, f"memory.init {seg}", False
        if sub == 9:
            seg = r.u32()
            return ["data.drop", seg], h, 0, f"data.drop {seg}", False
        if sub == 10:
            r.byte()
            r.byte()
            return ["memory.copy"], h - 3, -3, "memory.copy", False
        if sub == 11:
            r.byte()
            return ["memory.fill"], h - 3, -3, "memory.fill", False
        if sub == 12:
            seg = r.u32()
            t = r.u32()
            return ["table.init", seg, t], h - 3, -3, f"table.init {t} {seg}", False
        if sub == 13:
            seg = r.u32()
            return ["elem.drop", seg], h, 0, f"elem.drop {seg}", False
        if sub == 14:
            d = r.u32()
            s = r.u32()
            return ["table.copy", d, s], h - 3, -3, f"table.copy {d} {s}", False
        if sub == 15:
            t = r.u32()
            return ["table.grow", t], h - 2, -1, f"table.grow {t}", False
        if sub == 16:
            t = r.u32()
            return ["table.size", t], h, 1, f"table.size {t}", False
        if sub == 17:
            t = r.u32()
            return ["table.fill", t], h - 3, -3, f"table.fill {t}", False
        raise Trap(f"unsupported instruction 0xfc {sub}")
    raise Trap(f"unsupported instruction 0x{op:02x}")


def _local(mod: Any, func: Any, i: int) -> str:
    name = mod.local_names.get(func.index, {}).get(i)
    return f"${name}" if name else str(i)


def _global(mod: Any, i: int) -> str:
    name = mod.global_names.get(i)
    return f"${name}" if name else str(i)


def _signed(v: int, bits: int) -> int:
    return v - (1 << bits) if v >> (bits - 1) else v
