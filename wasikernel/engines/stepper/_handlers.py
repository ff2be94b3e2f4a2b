"""Pass two: the table from instruction kind to handler factory.

:mod:`._compile` decodes a body into *specs*, one per executed instruction, whose first item
names the instruction's kind (``"local.get"``, ``"load"``, ``"br_if"`` ...). ``HANDLERS`` maps
each kind to a factory ``(store, instance, spec, next index, recording) -> handler``, and a
handler is a closure ``handler(stack, locals) -> next index`` with every immediate bound, so the
machine's loop is ``pc = ops[pc](stack, locals)`` and dispatch is a list index, as in CPython's
eval loop. A negative index asks the machine to call (:data:`CALL`) or return (:data:`RETURN`).

The recording table is built by the same factories with ``recording=True``: only the handlers
that write memory differ (they also note the bytes they overwrite in ``store.fx``), so no
handler tests whether it is recording. Numeric handlers are generated from the expressions in
:mod:`._numeric`, which the translation to Python source (:mod:`._translate`) uses too.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from ._numeric import HELPERS, M32, M64, NUMERIC, NUMERIC_FC, Trap

__all__ = [
    "CALL",
    "HANDLERS",
    "LOADS",
    "OOB",
    "RETURN",
    "STORES",
    "TOOB",
    "indirect_callee",
    "make_handler",
]

CALL = -1
RETURN = -2
OOB = "out of bounds memory access"
TOOB = "out of bounds table access"

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

Handler = Callable[[list, list], int]
Factory = Callable[[Any, Any, list, int, bool], Handler]

HANDLERS: dict[str, Factory] = {}


def make_handler(store: Any, func: Any, spec: list, nxt: int, recording: bool) -> Handler:
    """The handler of one spec of ``func``'s body; ``nxt`` is the index it returns normally."""
    return HANDLERS[spec[0]](store, func.instance, spec, nxt, recording)


def _kinds(*kinds: str) -> Callable[[Factory], Factory]:
    """Register the decorated factory in :data:`HANDLERS` under each of ``kinds``."""

    def register(factory: Factory) -> Factory:
        for kind in kinds:
            HANDLERS[kind] = factory
        return factory

    return register


# -- numeric: one generated factory per instruction -------------------------------------------


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


@_kinds("num")
def _numeric(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    return _NUM[spec[1]](nxt)


# -- constants, locals, globals ---------------------------------------------------------------


@_kinds("const")
def _const(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    v = spec[1]

    def h(st, loc):  # noqa: ANN001, ANN202
        st.append(v)
        return nxt

    return h


@_kinds("local.get")
def _local_get(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    i = spec[1]

    def h(st, loc):  # noqa: ANN001, ANN202
        st.append(loc[i])
        return nxt

    return h


@_kinds("local.set")
def _local_set(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    i = spec[1]

    def h(st, loc):  # noqa: ANN001, ANN202
        loc[i] = st.pop()
        return nxt

    return h


@_kinds("local.tee")
def _local_tee(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    i = spec[1]

    def h(st, loc):  # noqa: ANN001, ANN202
        loc[i] = st[-1]
        return nxt

    return h


@_kinds("global.get")
def _global_get(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    g = inst.globals[spec[1]]

    def h(st, loc):  # noqa: ANN001, ANN202
        st.append(g.value)
        return nxt

    return h


@_kinds("global.set")
def _global_set(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    g = inst.globals[spec[1]]

    def h(st, loc):  # noqa: ANN001, ANN202
        g.value = st.pop()
        return nxt

    return h


# -- loads and stores -------------------------------------------------------------------------

_STRUCTS: dict[str, struct.Struct] = {}


def _struct(fmt: str) -> struct.Struct:
    s = _STRUCTS.get(fmt)
    if s is None:
        s = _STRUCTS[fmt] = struct.Struct(fmt)
    return s


@_kinds("load")
def _load(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    _, fmt, mask, _size = LOADS[spec[1]]
    off = spec[2]
    data = inst.memories[0].data
    unpack_from = _struct(fmt).unpack_from
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


@_kinds("store")
def _store(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    _, fmt, mask, size = STORES[spec[1]]
    off = spec[2]
    data = inst.memories[0].data
    pack_into = _struct(fmt).pack_into
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


# -- control ----------------------------------------------------------------------------------


@_kinds("jmp")
def _jump(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    tgt = spec[1]
    return lambda st, loc: tgt


@_kinds("br")
def _br(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
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


@_kinds("br_if")
def _br_if(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
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


@_kinds("if")
def _if(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    tgt = spec[1]

    def h(st, loc):  # noqa: ANN001, ANN202
        return nxt if st.pop() else tgt

    return h


@_kinds("br_table")
def _br_table(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
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


@_kinds("return")
def _return(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    return lambda st, loc: RETURN


@_kinds("ret_if")
def _return_if(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    def h(st, loc):  # noqa: ANN001, ANN202
        return RETURN if st.pop() else nxt

    return h


@_kinds("nop")
def _nop(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    return lambda st, loc: nxt


@_kinds("unreachable")
def _unreachable(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    def h(st, loc):  # noqa: ANN001, ANN202
        raise Trap("unreachable")

    return h


# -- calls ------------------------------------------------------------------------------------


@_kinds("call")
def _call(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
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


def indirect_callee(elems: list, i: int, ftype: Any) -> Any:
    """The function at ``elems[i]`` for a ``call_indirect`` of type ``ftype``.

    Raises Trap (``undefined element``, ``uninitialized element``, ``indirect call type
    mismatch``) as the spec says.
    """
    if i >= len(elems):
        raise Trap("undefined element")
    f = elems[i]
    if f is None:
        raise Trap(f"uninitialized element {i}")
    if f.type is not ftype and f.type != ftype:
        raise Trap("indirect call type mismatch")
    return f


@_kinds("call_indirect")
def _call_indirect(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    ftype = inst.info.types[spec[1]]
    table = inst.tables[spec[2]]
    n = len(ftype.params)

    def h(st, loc):  # noqa: ANN001, ANN202
        f = indirect_callee(table.elems, st.pop(), ftype)
        if n:
            args = st[-n:]
            del st[-n:]
        else:
            args = []
        S.pending = (f, args, nxt)
        return CALL

    return h


# -- parametric and references ----------------------------------------------------------------


@_kinds("drop")
def _drop(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    def h(st, loc):  # noqa: ANN001, ANN202
        st.pop()
        return nxt

    return h


@_kinds("select")
def _select(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    def h(st, loc):  # noqa: ANN001, ANN202
        c = st.pop()
        b = st.pop()
        if not c:
            st[-1] = b
        return nxt

    return h


@_kinds("ref.is_null")
def _ref_is_null(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    def h(st, loc):  # noqa: ANN001, ANN202
        st[-1] = 1 if st[-1] is None else 0
        return nxt

    return h


@_kinds("ref.func")
def _ref_func(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    f = inst.funcs[spec[1]]

    def h(st, loc):  # noqa: ANN001, ANN202
        st.append(f)
        return nxt

    return h


# -- memory and tables: sizes, growth, and the bulk operations they share ---------------------


@_kinds("memory.size")
def _memory_size(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    data = inst.memories[0].data

    def h(st, loc):  # noqa: ANN001, ANN202
        st.append(len(data) >> 16)
        return nxt

    return h


@_kinds("memory.grow")
def _memory_grow(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    mem = inst.memories[0]

    def h(st, loc):  # noqa: ANN001, ANN202
        r = mem.grow(st[-1])
        st[-1] = r & M32
        if rec and r >= 0:
            S.fx.append(("grow", r))
        return nxt

    return h


@_kinds("data.drop")
def _data_drop(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    seg = spec[1]

    def h(st, loc):  # noqa: ANN001, ANN202
        inst.datas[seg] = b""
        return nxt

    return h


@_kinds("elem.drop")
def _elem_drop(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    seg = spec[1]

    def h(st, loc):  # noqa: ANN001, ANN202
        inst.elems[seg] = []
        return nxt

    return h


def _copy(S, nxt, dest, source, error, note):  # noqa: ANN001, ANN202, N803
    """``memory.copy``/``memory.init``/``table.copy``/``table.init``: ``n`` items from
    ``source()[s:]`` to ``dest()[d:]``, bounds checked first; ``note`` records the bytes."""

    def h(st, loc):  # noqa: ANN001, ANN202
        n = st.pop()
        s = st.pop()
        d = st.pop()
        src = source()
        dst = dest()
        if s + n > len(src) or d + n > len(dst):
            raise Trap(error)
        old = bytes(dst[d : d + n]) if note else None
        dst[d : d + n] = src[s : s + n]
        if note:
            S.fx.append(("m", d, old, bytes(dst[d : d + n])))
        return nxt

    return h


def _fill(S, nxt, dest, repeat, error, note):  # noqa: ANN001, ANN202, N803
    """``memory.fill``/``table.fill``: ``n`` copies of a value at ``dest()[d:]``."""

    def h(st, loc):  # noqa: ANN001, ANN202
        n = st.pop()
        v = st.pop()
        d = st.pop()
        dst = dest()
        if d + n > len(dst):
            raise Trap(error)
        old = bytes(dst[d : d + n]) if note else None
        dst[d : d + n] = repeat(v, n)
        if note:
            S.fx.append(("m", d, old, bytes(dst[d : d + n])))
        return nxt

    return h


@_kinds("memory.copy")
def _memory_copy(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    data = inst.memories[0].data
    return _copy(S, nxt, lambda: data, lambda: data, OOB, rec)


@_kinds("memory.init")
def _memory_init(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    data = inst.memories[0].data
    seg = spec[1]
    return _copy(S, nxt, lambda: data, lambda: inst.datas[seg], OOB, rec)


@_kinds("memory.fill")
def _memory_fill(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    data = inst.memories[0].data
    return _fill(S, nxt, lambda: data, lambda v, n: bytes((v & 0xFF,)) * n, OOB, rec)


@_kinds("table.copy")
def _table_copy(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    dt = inst.tables[spec[1]]
    srt = inst.tables[spec[2]]
    return _copy(S, nxt, lambda: dt.elems, lambda: srt.elems, TOOB, False)


@_kinds("table.init")
def _table_init(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    seg = spec[1]
    t = inst.tables[spec[2]]
    return _copy(S, nxt, lambda: t.elems, lambda: inst.elems[seg], TOOB, False)


@_kinds("table.fill")
def _table_fill(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    t = inst.tables[spec[1]]
    return _fill(S, nxt, lambda: t.elems, lambda v, n: [v] * n, TOOB, False)


@_kinds("table.get")
def _table_get(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    t = inst.tables[spec[1]]

    def h(st, loc):  # noqa: ANN001, ANN202
        i = st[-1]
        if i >= len(t.elems):
            raise Trap(TOOB)
        st[-1] = t.elems[i]
        return nxt

    return h


@_kinds("table.set")
def _table_set(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    t = inst.tables[spec[1]]

    def h(st, loc):  # noqa: ANN001, ANN202
        v = st.pop()
        i = st.pop()
        if i >= len(t.elems):
            raise Trap(TOOB)
        t.elems[i] = v
        return nxt

    return h


@_kinds("table.size")
def _table_size(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    t = inst.tables[spec[1]]

    def h(st, loc):  # noqa: ANN001, ANN202
        st.append(len(t.elems))
        return nxt

    return h


@_kinds("table.grow")
def _table_grow(S, inst, spec, nxt, rec):  # noqa: ANN001, ANN202, N803
    t = inst.tables[spec[1]]

    def h(st, loc):  # noqa: ANN001, ANN202
        n = st.pop()
        st[-1] = t.grow(n, st[-1]) & M32
        return nxt

    return h
