"""Pre-decoding a function body, once, into the form the interpreter dispatches on.

Pass one reads the body and produces a flat list of *specs* (one per executed instruction) with
every branch target resolved to an index and every operand-stack height known statically
(validation guarantees it), so a branch knows how many values to keep and where.
``block``, ``loop`` and ``end`` of a block produce no instruction at all.

Pass two turns each spec into a closure ``handler(stack, locals) -> next_index`` (a negative
index means: call (-1) or return (-2), which the machine's outer loop handles). The recording
table is the same except for the handlers that write memory, whose recording
twins also note the bytes they overwrite; no handler tests whether it is recording. (Locals,
globals, calls and returns need no note: the recorded operand stack says what they took.)
"""

from __future__ import annotations

import struct
from typing import Any

from ...wasm import FuncType, Reader
from ._numeric import HELPERS, M32, M64, NUMERIC, NUMERIC_FC, Trap

__all__ = ["Code", "compile_function", "ZERO"]

CALL = -1
RETURN = -2
OOB = "out of bounds memory access"
TOOB = "out of bounds table access"
ZERO = {"i32": 0, "i64": 0, "f32": 0, "f64": 0.0, "funcref": None, "externref": None}

# opcode -> (name, struct format, result mask or None, access size)
LOADS = {
    0x28: ("i32.load", "<I", None, 4),
    0x29: ("i64.load", "<Q", None, 8),
    0x2A: ("f32.load", "<I", None, 4),
    0x2B: ("f64.load", "<d", None, 8),
    0x2C: ("i32.load8_s", "<b", M32, 1),
    0x2D: ("i32.load8_u", "<B", None, 1),
    0x2E: ("i32.load16_s", "<h", M32, 2),
    0x2F: ("i32.load16_u", "<H", None, 2),
    0x30: ("i64.load8_s", "<b", M64, 1),
    0x31: ("i64.load8_u", "<B", None, 1),
    0x32: ("i64.load16_s", "<h", M64, 2),
    0x33: ("i64.load16_u", "<H", None, 2),
    0x34: ("i64.load32_s", "<i", M64, 4),
    0x35: ("i64.load32_u", "<I", None, 4),
}
# opcode -> (name, struct format, value mask or None, access size)
STORES = {
    0x36: ("i32.store", "<I", None, 4),
    0x37: ("i64.store", "<Q", None, 8),
    0x38: ("f32.store", "<I", None, 4),
    0x39: ("f64.store", "<d", None, 8),
    0x3A: ("i32.store8", "<B", 0xFF, 1),
    0x3B: ("i32.store16", "<H", 0xFFFF, 2),
    0x3C: ("i64.store8", "<B", 0xFF, 1),
    0x3D: ("i64.store16", "<H", 0xFFFF, 2),
    0x3E: ("i64.store32", "<I", M32, 4),
}


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
            self.rec = [
                _make(self._store, self.func, s, i + 1, True) for i, s in enumerate(self.specs)
            ]
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


def _blocktype(r: Reader, types: list[FuncType]) -> tuple[int, int, str, tuple, tuple]:
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
            np, nr, bt, _pt, rt = _blocktype(r, mod.types)
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
        spec, floor, dh, text, ends = _decode_instr(
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
    code.ops = [_make(store, func, s, i + 1, False) for i, s in enumerate(specs)]
    return code


def _decode_instr(
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


# ---------------------------------------------------------------------------------------------
# Pass two: handlers. Numeric handlers are generated from the expressions in _numeric.


def _numeric_factories() -> dict[str, Any]:
    out: dict[str, Any] = {}
    src = []
    for table in (NUMERIC, NUMERIC_FC):
        for name, k, expr in table.values():
            fn = "mk_" + name.replace(".", "_")
            if k == 1:
                body = f"        a = st[-1]\n        st[-1] = {expr}"
            else:
                body = f"        b = st.pop()\n        a = st[-1]\n        st[-1] = {expr}"
            src.append(
                f"def {fn}(nxt):\n    def h(st, loc):\n{body}\n        return nxt\n    return h\n"
            )
            out[name] = fn
    ns: dict[str, Any] = dict(HELPERS)
    exec("\n".join(src), ns)  # noqa: S102 - our own fixed templates
    return {name: ns[fn] for name, fn in out.items()}


_NUM = _numeric_factories()
_STRUCTS: dict[str, struct.Struct] = {}


def _st(fmt: str) -> struct.Struct:
    s = _STRUCTS.get(fmt)
    if s is None:
        s = _STRUCTS[fmt] = struct.Struct(fmt)
    return s


def _make(S: Any, func: Any, spec: list, nxt: int, rec: bool) -> Any:  # noqa: C901, N803
    kind = spec[0]
    inst = func.instance
    if kind == "num":
        return _NUM[spec[1]](nxt)
    if kind == "const":
        v = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            st.append(v)
            return nxt

        return h
    if kind == "local.get":
        i = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            st.append(loc[i])
            return nxt

        return h
    if kind == "local.set":
        i = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            loc[i] = st.pop()
            return nxt
        return h
    if kind == "local.tee":
        i = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            loc[i] = st[-1]
            return nxt
        return h
    if kind == "global.get":
        g = inst.globals[spec[1]]

        def h(st, loc):  # noqa: ANN001, ANN202
            st.append(g.value)
            return nxt

        return h
    if kind == "global.set":
        g = inst.globals[spec[1]]

        def h(st, loc):  # noqa: ANN001, ANN202
            g.value = st.pop()
            return nxt
        return h
    if kind == "load":
        _, fmt, mask, _size = LOADS[spec[1]]
        off = spec[2]
        data = inst.memories[0].data
        unpack_from = _st(fmt).unpack_from
        err = struct.error
        if mask is None:

            def h(st, loc):  # noqa: ANN001, ANN202
                try:
                    st[-1] = unpack_from(data, st[-1] + off)[0]
                except err:
                    raise Trap(OOB) from None
                return nxt

            return h

        def h(st, loc):  # noqa: ANN001, ANN202
            try:
                st[-1] = unpack_from(data, st[-1] + off)[0] & mask
            except err:
                raise Trap(OOB) from None
            return nxt

        return h
    if kind == "store":
        _, fmt, mask, size = STORES[spec[1]]
        off = spec[2]
        data = inst.memories[0].data
        pack_into = _st(fmt).pack_into
        err = struct.error
        if rec:

            def h(st, loc):  # noqa: ANN001, ANN202
                v = st.pop()
                ea = st.pop() + off
                old = bytes(data[ea : ea + size])
                try:
                    pack_into(data, ea, v if mask is None else v & mask)
                except err:
                    raise Trap(OOB) from None
                S.fx.append(("m", ea, old, bytes(data[ea : ea + size])))
                return nxt

            return h
        if mask is None:

            def h(st, loc):  # noqa: ANN001, ANN202
                v = st.pop()
                try:
                    pack_into(data, st.pop() + off, v)
                except err:
                    raise Trap(OOB) from None
                return nxt

            return h

        def h(st, loc):  # noqa: ANN001, ANN202
            v = st.pop() & mask
            try:
                pack_into(data, st.pop() + off, v)
            except err:
                raise Trap(OOB) from None
            return nxt

        return h
    if kind == "br" or kind == "jmp":
        if kind == "jmp":
            tgt = spec[1]
            return lambda st, loc: tgt
        holder, base, arity, hh = spec[1], spec[2], spec[3], spec[4]
        tgt = holder[0]
        if hh - arity == base:
            return lambda st, loc: tgt
        if arity == 0:

            def h(st, loc):  # noqa: ANN001, ANN202
                del st[base:]
                return tgt

            return h

        def h(st, loc):  # noqa: ANN001, ANN202
            st[base:] = st[-arity:]
            return tgt

        return h
    if kind == "br_if":
        holder, base, arity, hh = spec[1], spec[2], spec[3], spec[4]
        tgt = holder[0]
        if hh - arity == base:

            def h(st, loc):  # noqa: ANN001, ANN202
                return tgt if st.pop() else nxt

            return h
        if arity == 0:

            def h(st, loc):  # noqa: ANN001, ANN202
                if st.pop():
                    del st[base:]
                    return tgt
                return nxt

            return h

        def h(st, loc):  # noqa: ANN001, ANN202
            if st.pop():
                st[base:] = st[-arity:]
                return tgt
            return nxt

        return h
    if kind == "if":
        tgt = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            return nxt if st.pop() else tgt

        return h
    if kind == "br_table":
        targets = [(t[0][0] if t[0] is not None else RETURN, t[1], t[2]) for t in spec[1]]
        last = len(targets) - 1

        def h(st, loc):  # noqa: ANN001, ANN202
            i = st.pop()
            tgt, base, arity = targets[i if i < last else last]
            if tgt == RETURN:
                return RETURN
            if arity:
                st[base:] = st[-arity:]
            else:
                del st[base:]
            return tgt

        return h
    if kind == "return":
        return lambda st, loc: RETURN
    if kind == "ret_if":

        def h(st, loc):  # noqa: ANN001, ANN202
            return RETURN if st.pop() else nxt

        return h
    if kind == "call":
        f = inst.funcs[spec[1]]
        n = len(f.type.params)
        if n == 0:

            def h(st, loc):  # noqa: ANN001, ANN202
                S.pending = (f, [], nxt)
                return CALL

            return h

        def h(st, loc):  # noqa: ANN001, ANN202
            args = st[-n:]
            del st[-n:]
            S.pending = (f, args, nxt)
            return CALL

        return h
    if kind == "call_indirect":
        ftype = inst.info.types[spec[1]]
        table = inst.tables[spec[2]]
        n = len(ftype.params)

        def h(st, loc):  # noqa: ANN001, ANN202
            i = st.pop()
            elems = table.elems
            if i >= len(elems):
                raise Trap("undefined element")
            f = elems[i]
            if f is None:
                raise Trap(f"uninitialized element {i}")
            if f.type is not ftype and f.type != ftype:
                raise Trap("indirect call type mismatch")
            if n:
                args = st[-n:]
                del st[-n:]
            else:
                args = []
            S.pending = (f, args, nxt)
            return CALL

        return h
    if kind == "drop":

        def h(st, loc):  # noqa: ANN001, ANN202
            st.pop()
            return nxt

        return h
    if kind == "select":

        def h(st, loc):  # noqa: ANN001, ANN202
            c = st.pop()
            b = st.pop()
            if not c:
                st[-1] = b
            return nxt

        return h
    if kind == "nop":
        return lambda st, loc: nxt
    if kind == "unreachable":

        def h(st, loc):  # noqa: ANN001, ANN202
            raise Trap("unreachable")

        return h
    if kind == "ref.is_null":

        def h(st, loc):  # noqa: ANN001, ANN202
            st[-1] = 1 if st[-1] is None else 0
            return nxt

        return h
    if kind == "ref.func":
        f = inst.funcs[spec[1]]

        def h(st, loc):  # noqa: ANN001, ANN202
            st.append(f)
            return nxt

        return h
    if kind.startswith("memory.") or kind == "data.drop":
        return _memory_op(S, inst, spec, nxt, rec)
    return _table_op(inst, spec, nxt)


def _memory_op(S: Any, inst: Any, spec: list, nxt: int, rec: bool) -> Any:  # noqa: N803
    kind = spec[0]
    if kind == "data.drop":
        seg = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            inst.datas[seg] = b""
            return nxt

        return h
    mem = inst.memories[0]
    data = mem.data
    if kind == "memory.size":

        def h(st, loc):  # noqa: ANN001, ANN202
            st.append(len(data) >> 16)
            return nxt

        return h
    if kind == "memory.grow":

        def h(st, loc):  # noqa: ANN001, ANN202
            r = mem.grow(st[-1])
            st[-1] = r & M32
            if rec and r >= 0:
                S.fx.append(("grow", r))
            return nxt

        return h

    def note(d: int, n: int) -> bytes | None:
        return bytes(data[d : d + n]) if rec else None

    if kind == "memory.fill":

        def h(st, loc):  # noqa: ANN001, ANN202
            n = st.pop()
            v = st.pop()
            d = st.pop()
            if d + n > len(data):
                raise Trap(OOB)
            old = note(d, n)
            data[d : d + n] = bytes((v & 0xFF,)) * n
            if old is not None:
                S.fx.append(("m", d, old, bytes(data[d : d + n])))
            return nxt

        return h
    if kind == "memory.copy":

        def h(st, loc):  # noqa: ANN001, ANN202
            n = st.pop()
            s = st.pop()
            d = st.pop()
            if s + n > len(data) or d + n > len(data):
                raise Trap(OOB)
            old = note(d, n)
            data[d : d + n] = data[s : s + n]
            if old is not None:
                S.fx.append(("m", d, old, bytes(data[d : d + n])))
            return nxt

        return h
    if kind == "memory.init":
        seg = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            n = st.pop()
            s = st.pop()
            d = st.pop()
            src = inst.datas[seg]
            if s + n > len(src) or d + n > len(data):
                raise Trap(OOB)
            old = note(d, n)
            data[d : d + n] = src[s : s + n]
            if old is not None:
                S.fx.append(("m", d, old, bytes(data[d : d + n])))
            return nxt

        return h
    raise Trap(f"unsupported instruction {kind}")


def _table_op(inst: Any, spec: list, nxt: int) -> Any:
    kind = spec[0]
    if kind == "elem.drop":
        seg = spec[1]

        def h(st, loc):  # noqa: ANN001, ANN202
            inst.elems[seg] = []
            return nxt

        return h
    if kind == "table.copy":
        dt = inst.tables[spec[1]]
        srt = inst.tables[spec[2]]

        def h(st, loc):  # noqa: ANN001, ANN202
            n = st.pop()
            s = st.pop()
            d = st.pop()
            if s + n > len(srt.elems) or d + n > len(dt.elems):
                raise Trap(TOOB)
            dt.elems[d : d + n] = srt.elems[s : s + n]
            return nxt

        return h
    if kind == "table.init":
        seg = spec[1]
        t = inst.tables[spec[2]]

        def h(st, loc):  # noqa: ANN001, ANN202
            n = st.pop()
            s = st.pop()
            d = st.pop()
            src = inst.elems[seg]
            if s + n > len(src) or d + n > len(t.elems):
                raise Trap(TOOB)
            t.elems[d : d + n] = src[s : s + n]
            return nxt

        return h
    t = inst.tables[spec[1]]
    if kind == "table.get":

        def h(st, loc):  # noqa: ANN001, ANN202
            i = st[-1]
            if i >= len(t.elems):
                raise Trap(TOOB)
            st[-1] = t.elems[i]
            return nxt

        return h
    if kind == "table.set":

        def h(st, loc):  # noqa: ANN001, ANN202
            v = st.pop()
            i = st.pop()
            if i >= len(t.elems):
                raise Trap(TOOB)
            t.elems[i] = v
            return nxt

        return h
    if kind == "table.size":

        def h(st, loc):  # noqa: ANN001, ANN202
            st.append(len(t.elems))
            return nxt

        return h
    if kind == "table.grow":

        def h(st, loc):  # noqa: ANN001, ANN202
            n = st.pop()
            st[-1] = t.grow(n, st[-1]) & M32
            return nxt

        return h
    if kind == "table.fill":

        def h(st, loc):  # noqa: ANN001, ANN202
            n = st.pop()
            v = st.pop()
            i = st.pop()
            if i + n > len(t.elems):
                raise Trap(TOOB)
            t.elems[i : i + n] = [v] * n
            return nxt

        return h
    raise Trap(f"unsupported instruction {kind}")
