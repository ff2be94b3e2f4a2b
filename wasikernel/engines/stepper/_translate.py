"""Run mode at full speed: each wasm function translated once into a Python function.

Operand-stack slots become local variables (``s0``, ``s1`` ...; heights are static), wasm locals
are ``l0``, ``l1`` ..., so CPython's own eval loop does the dispatch. Structured control flow
maps onto Python's: a block or loop that some branch targets becomes ``while True:`` (a branch
is ``break`` / ``continue``; a branch across several such loops sets ``_t`` to the target's
depth and each loop on the way out passes it on); ``if`` is ``if``. Each function entry and each
loop iteration tests ``X[0]``, which :meth:`Store.interrupt` sets, so cancel and time limits
reach it. Numeric instructions are the same expressions the handler table is generated from
(:mod:`._numeric`); the rare instructions (bulk memory, tables) call their handler from the
table on a small list.

A function Python cannot compile (more than 20 nested loops, say) keeps running in the handler
table; the two call each other freely. Stepping and recording never use this mode.
"""

from __future__ import annotations

import re
import struct
from typing import Any

from ...wasm import Reader
from ._compile import Decoding, blocktype, decode_instruction
from ._handlers import LOADS, OOB, STORES, indirect_callee, make_handler
from ._numeric import HELPERS, NUMERIC, NUMERIC_FC, Trap

__all__ = ["translate", "MAX_BODY_BYTES"]

#: bodies larger than this stay on the handler table (Python compiles huge sources slowly)
MAX_BODY_BYTES = 200_000

_EXPR = {name: (k, expr) for table in (NUMERIC, NUMERIC_FC) for name, k, expr in table.values()}
_A = re.compile(r"\ba\b")
_B = re.compile(r"\bb\b")


class _FnCtrl:
    __slots__ = ("nresults",)

    def __init__(self, nresults: int) -> None:
        self.nresults = nresults


def _namespace(store: Any, inst: Any) -> dict[str, Any]:
    ns = getattr(inst, "fast_ns", None)
    if ns is None:
        ns = dict(HELPERS)
        ns["Trap"] = Trap
        ns["_SE"] = struct.error
        ns["OOB"] = OOB
        ns["X"] = store.stop
        ns["__inst__"] = inst
        if inst.memories:
            ns["M"] = inst.memories[0].data
        for fmt in {v[1] for v in LOADS.values()} | {v[1] for v in STORES.values()}:
            s = struct.Struct(fmt)
            ns["U" + _fmt_name(fmt)] = s.unpack_from
            ns["P" + _fmt_name(fmt)] = s.pack_into
        inst.fast_ns = ns
    return ns


def _fmt_name(fmt: str) -> str:
    return {"b": "i8", "B": "u8", "h": "i16", "H": "u16", "i": "i32", "I": "u32",
            "q": "i64", "Q": "u64", "d": "f64"}[fmt[1]]


def _callable_name(store: Any, inst: Any, ns: dict, fi: int) -> str:
    name = f"F{fi}"
    if name not in ns:
        f = inst.funcs[fi]
        if f.host is not None:
            ns[name] = f.host
        else:
            def stub(*args: Any, _f: Any = f, _name: str = name) -> Any:
                fast = store.fast_of(_f)
                ns[_name] = fast
                return fast(*args)
            ns[name] = stub
    return name


def translate(store: Any, func: Any) -> Any:  # noqa: C901
    """A Python function running ``func`` (arguments in, result / tuple / None out).

    Raises any exception when the function cannot be translated (the caller falls back).
    """
    inst = func.instance
    mod = inst.info
    ns = _namespace(store, inst)
    body = mod.bodies[func.index - mod.num_imported_funcs]
    ftype = func.type
    nparams = len(ftype.params)
    nres = len(ftype.results)
    if body.end - body.start > MAX_BODY_BYTES:
        raise ValueError("too large to translate; the handler table runs it")

    # Pass one: events, and which blocks some branch targets.
    r = Reader(mod.raw, body.start, body.end)
    events: list[tuple] = []
    fn = _FnCtrl(nres)
    scan: list[int] = [-1]  # block ordinals (-1 = the function)
    targeted: set[int] = set()
    ordinal = 0

    def target(depth: int) -> tuple:
        t = scan[-1 - depth]
        if t >= 0:
            targeted.add(t)
        return ["D", depth], 0, 0

    decoding = Decoding(inst, func, [fn], target)
    while r.pos < r.end:
        off = r.pos
        op = r.byte()
        if op in (0x02, 0x03, 0x04):
            np, nr, *_ = blocktype(r, mod.types)
            events.append(("open", op, np, nr, ordinal, off))
            scan.append(ordinal)
            ordinal += 1
            continue
        if op == 0x05:
            events.append(("else", off))
            continue
        if op == 0x0B:
            events.append(("end", off))
            scan.pop()
            if not scan:
                break
            continue
        spec, floor, dh, _text, ends = decode_instruction(op, r, decoding, 0)
        events.append(("ins", spec, floor, dh, ends, off))

    # Pass two: Python source.
    lines: list[str] = []
    offsets: list[int] = []
    consts: dict[str, Any] = {}
    ind = 2
    cur_off = body.start

    def emit(text: str, extra: int = 0) -> None:
        lines.append("    " * (ind + extra) + text)
        offsets.append(cur_off)

    def slots(lo: int, hi: int) -> str:
        return ", ".join(f"s{i}" for i in range(lo, hi))

    def ret_line(h: int) -> str:
        if nres == 0:
            return "return"
        if nres == 1:
            return f"return s{h - 1}"
        return f"return ({slots(h - nres, h)},)"

    # ctrl: [kind, base, np, nr, pydepth or None, dead_start]
    ctrls: list[list] = [["func", 0, 0, nres, None, False]]
    pyloops: list[str] = []  # kinds of the Python loops open, outermost first
    h = 0
    dead = False
    nslots = 0

    def branch(depth: int, hh: int, extra: int) -> None:
        c = ctrls[-1 - depth]
        if c[0] == "func":
            emit(ret_line(hh), extra)
            return
        arity = c[2] if c[0] == "loop" else c[3]
        for i in range(arity):
            dst, src = c[1] + i, hh - arity + i
            if dst != src:
                emit(f"s{dst} = s{src}", extra)
        if c[4] == len(pyloops) - 1:
            emit("continue" if c[0] == "loop" else "break", extra)
        else:
            emit(f"_t = {c[4]}", extra)
            emit("break", extra)

    for ev in events:
        tag = ev[0]
        if tag == "open":
            _, op, np, nr, ordn, cur_off = ev
            if dead:
                ctrls.append(["dead", 0, 0, 0, None, True])
                continue
            kind = {2: "block", 3: "loop", 4: "if"}[op]
            if op == 0x04:
                h -= 1
            c = [kind, h - np, np, nr, None, False]
            if ordn in targeted or op == 0x03:
                emit("while True:")
                ind += 1
                pyloops.append(kind)
                c[4] = len(pyloops) - 1
                if op == 0x03:
                    emit("if X[0]: raise Trap(X[0])")
            if op == 0x04:
                emit(f"if s{h}:")
                ind += 1
                emit("pass")
            ctrls.append(c)
            continue
        if tag == "else":
            cur_off = ev[1]
            c = ctrls[-1]
            if c[5]:
                continue
            ind -= 1
            emit("else:")
            ind += 1
            emit("pass")
            h = c[1] + c[2]
            dead = False
            continue
        if tag == "end":
            cur_off = ev[1]
            c = ctrls.pop()
            if c[0] == "func":
                if not dead:
                    emit(ret_line(h))
                break
            if c[5]:
                continue
            if c[0] == "if":
                ind -= 1
            if c[4] is not None:
                emit("break")
                ind -= 1
                pyloops.pop()
                if pyloops:
                    emit("if _t != -1:")
                    emit(f"if _t == {len(pyloops) - 1}:", 1)
                    emit("_t = -1", 2)
                    emit("continue" if pyloops[-1] == "loop" else "break", 2)
                    emit("break", 1)
            h = c[1] + c[3]
            dead = False
            continue
        _, spec, floor, dh, ends, cur_off = ev
        if dead:
            continue
        kind = spec[0]
        if kind == "num":
            k, expr = _EXPR[spec[1]]
            if k == 1:
                emit(f"s{h - 1} = " + _A.sub(f"s{h - 1}", expr))
            else:
                e = _B.sub(f"s{h - 1}", _A.sub(f"s{h - 2}", expr))
                emit(f"s{h - 2} = " + e)
        elif kind == "const":
            v = spec[1]
            if v is None or isinstance(v, float):
                name = f"C{func.index}_{len(consts)}"
                consts[name] = v
                emit(f"s{h} = {name}")
            else:
                emit(f"s{h} = {v}")
        elif kind == "local.get":
            emit(f"s{h} = l{spec[1]}")
        elif kind in ("local.set", "local.tee"):
            emit(f"l{spec[1]} = s{h - 1}")
        elif kind == "global.get":
            ns.setdefault(f"G{spec[1]}", inst.globals[spec[1]])
            emit(f"s{h} = G{spec[1]}.value")
        elif kind == "global.set":
            ns.setdefault(f"G{spec[1]}", inst.globals[spec[1]])
            emit(f"G{spec[1]}.value = s{h - 1}")
        elif kind == "load":
            _, fmt, mask, _size = LOADS[spec[1]]
            tail = f" & {mask}" if mask is not None else ""
            addr = f"s{h - 1} + {spec[2]}" if spec[2] else f"s{h - 1}"
            emit(f"s{h - 1} = U{_fmt_name(fmt)}(M, {addr})[0]{tail}")
        elif kind == "store":
            _, fmt, mask, _size = STORES[spec[1]]
            val = f"s{h - 1} & {mask}" if mask is not None else f"s{h - 1}"
            addr = f"s{h - 2} + {spec[2]}" if spec[2] else f"s{h - 2}"
            emit(f"P{_fmt_name(fmt)}(M, {addr}, {val})")
        elif kind == "br":
            branch(spec[1][1], h, 0)
        elif kind == "br_if":
            emit(f"if s{h - 1}:")
            branch(spec[1][1], h - 1, 1)
        elif kind == "ret_if":
            emit(f"if s{h - 1}:")
            emit(ret_line(h - 1), 1)
        elif kind == "br_table":
            depths = [t[0][1] for t in spec[1]]
            groups: dict[int, list[int]] = {}
            for i, d in enumerate(depths[:-1]):
                groups.setdefault(d, []).append(i)
            first = True
            for d, idxs in groups.items():
                if d == depths[-1]:
                    continue
                test = f"s{h - 1} == {idxs[0]}" if len(idxs) == 1 else \
                    f"s{h - 1} in {set(idxs)!r}"
                emit(("if " if first else "elif ") + test + ":")
                branch(d, h - 1, 1)
                first = False
            if first:
                branch(depths[-1], h - 1, 0)
            else:
                emit("else:")
                branch(depths[-1], h - 1, 1)
        elif kind == "return":
            emit(ret_line(h))
        elif kind == "unreachable":
            emit('raise Trap("unreachable")')
        elif kind == "nop" or kind == "drop":
            pass
        elif kind == "select":
            emit(f"if not s{h - 1}: s{h - 3} = s{h - 2}")
        elif kind == "memory.size":
            emit(f"s{h} = len(M) >> 16")
        elif kind in ("call", "call_indirect"):
            if kind == "call":
                callee = _callable_name(store, inst, ns, spec[1])
                t = inst.funcs[spec[1]].type
                top = h
            else:
                t = mod.types[spec[1]]
                name = f"CI{spec[1]}_{spec[2]}"
                if name not in ns:
                    ns[name] = _indirect(store, inst.tables[spec[2]], t)
                callee = f"{name}(s{h - 1})"
                top = h - 1
            n, q = len(t.params), len(t.results)
            call = f"{callee}({slots(top - n, top)})"
            if q == 0:
                emit(call)
            elif q == 1:
                emit(f"s{top - n} = {call}")
            else:
                emit(f"{slots(top - n, top - n + q)}, = {call}")
        else:
            pops = -floor  # decoded at height 0
            pushes = pops + dh
            name = f"H{len(lines)}_{func.index}"
            ns[name] = make_handler(store, func, spec, 0, False)
            emit(f"_s = [{slots(h - pops, h)}]")
            emit(f"{name}(_s, None)")
            if pushes == 1:
                emit(f"s{h - pops} = _s[0]")
            elif pushes > 1:
                emit(f"{slots(h - pops, h - pops + pushes)}, = _s")
        h += dh
        nslots = max(nslots, h + 1)
        if ends:
            dead = True

    ns.update(consts)
    zeros = {"i32": "0", "i64": "0", "f32": "0", "f64": "0.0", "funcref": "None",
             "externref": "None"}
    head = [f"def wasm_f{func.index}({', '.join(f'l{i}' for i in range(nparams))}):"]
    for i, t in enumerate(body.locals):
        head.append(f"    l{nparams + i} = {zeros[t]}")
    head.append("    _t = -1")
    head.append("    if X[0]: raise Trap(X[0])")
    head.append("    try:")
    tail = ["    except _SE:", "        raise Trap(OOB) from None"]
    if len(lines) == 0:
        lines.append("        pass")
        offsets.append(body.start)
    src = "\n".join(head + lines + tail) + "\n"
    code = compile(src, f"<wasm function {func.index}>", "exec")
    local_ns: dict[str, Any] = {}
    exec(code, ns, local_ns)  # noqa: S102 - source generated from a validated module
    fast = local_ns[f"wasm_f{func.index}"]
    func.fast_lines = ([body.start] * len(head)) + offsets + [body.start] * len(tail)
    return fast


def _indirect(store: Any, table: Any, ftype: Any) -> Any:
    def pick(i: int) -> Any:
        f = indirect_callee(table.elems, i, ftype)
        fast = f.direct
        return fast if fast is not None else store.fast_of(f)
    return pick
