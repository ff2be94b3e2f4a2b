"""The machine: instantiation, frames and the two dispatch loops (run, record).

Each frame has its own operand stack (a list) and locals (a list). The run loop is
``pc = ops[pc](stack, locals)`` until a handler returns a negative index: -1 asks the outer loop
to call ``store.pending`` (a wasm function gets a new frame, a host function is called in place),
-2 returns from the current frame. There is no Python recursion for wasm calls, so the depth of
the wasm call stack is bounded by ``max_depth`` ("call stack exhausted"), not by Python's.

Interrupting: :meth:`Store.interrupt` swaps every compiled handler table for one whose handlers
trap, so a guest in a loop stops at its next instruction (the CPython trick of swapping the
table rather than testing a flag in every handler).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from ...wasm import ModuleInfo
from ._compile import Code, compile_function
from ._handlers import CALL, OOB, TOOB
from ._numeric import Trap
from ._objects import ExternRef, Function, Global, Memory, Table

__all__ = ["Frame", "Instance", "Store", "LinkFailure", "Trap", "ExternRef"]


class LinkFailure(Exception):
    """An import that is missing or has the wrong type (``unknown import``, ``incompatible``)."""


class Frame:
    """One activation: the function, its code, the next index, its operand stack and locals."""

    __slots__ = ("func", "code", "pc", "st", "loc")

    def __init__(self, func: Function, code: Code, pc: int, st: list, loc: list) -> None:
        self.func = func
        self.code = code
        self.pc = pc
        self.st = st
        self.loc = loc


class Instance:
    """A module instance: its functions, tables, memories, globals, segments and exports."""

    def __init__(self, info: ModuleInfo, store: Store) -> None:
        self.info = info
        self.store = store
        self.funcs: list[Function] = []
        self.tables: list[Table] = []
        self.memories: list[Memory] = []
        self.globals: list[Global] = []
        self.elems: list[list[Any]] = []
        self.datas: list[bytes] = []
        self.exports: dict[str, Any] = {}

    def func_name(self, index: int) -> str:
        return self.info.func_names.get(index) or f"func[{index}]"


def _const(expr: bytes, inst: Instance) -> Any:
    """Evaluates a constant expression."""
    from ...wasm import Reader
    from ._numeric import M32, M64

    r = Reader(expr)
    stack: list[Any] = []
    while True:
        op = r.byte()
        if op == 0x0B:
            return stack[-1]
        if op == 0x41:
            stack.append(r.sleb(32))
        elif op == 0x42:
            stack.append(r.sleb(64))
        elif op == 0x43:
            stack.append(r.f32())
        elif op == 0x44:
            stack.append(r.f64())
        elif op == 0x23:
            stack.append(inst.globals[r.u32()].value)
        elif op == 0xD0:
            r.byte()
            stack.append(None)
        elif op == 0xD2:
            stack.append(inst.funcs[r.u32()])
        else:
            b = stack.pop()
            a = stack.pop()
            m = M32 if op in (0x6A, 0x6B, 0x6C) else M64
            v = {0x6A: a + b, 0x6B: a - b, 0x6C: a * b, 0x7C: a + b, 0x7D: a - b, 0x7E: a * b}[op]
            stack.append(v & m)


class Store:
    """Where instances live and wasm code runs; one thread of execution at a time."""

    def __init__(self, max_depth: int = 20000, memory_limit_pages: int = 16384,
                 translate: bool = True) -> None:
        self.translate = translate
        self.stop: list[str | None] = [None]  # translated loops trap when stop[0] is set
        self.frames: list[Frame] = []
        self._nesting = 0
        self.pending: Any = None
        self.fx: list[Any] = []
        self.max_depth = max_depth
        self.memory_limit_pages = memory_limit_pages
        self.codes: list[Code] = []
        self.interrupted: str | None = None
        self.last_trap_frames: list[tuple[Function, int | None]] = []
        self._saved_ops: list[tuple[Code, list, list | None]] | None = None

    # -- instantiation ------------------------------------------------------------------------

    def instantiate(
        self, info: ModuleInfo, resolve: Callable[[str, str, str], Any], *, run_start: bool = True
    ) -> Instance:
        """Links and initialises a module.

        ``resolve(module, name, kind)`` returns the object to import or ``None``. Raises
        :class:`LinkFailure` (unknown or incompatible import) or :class:`Trap` (a segment out
        of bounds, or the start function trapped).
        """
        inst = Instance(info, self)
        for imp in info.imports:
            obj = resolve(imp.module, imp.name, imp.kind)
            if obj is None:
                raise LinkFailure(f"unknown import {imp.module}.{imp.name}")
            _check_import(imp, obj, info)
            if imp.kind == "func":
                inst.funcs.append(obj)
            elif imp.kind == "table":
                inst.tables.append(obj)
            elif imp.kind == "memory":
                inst.memories.append(obj)
            else:
                inst.globals.append(obj)
        first = len(inst.funcs)
        for i, ti in enumerate(info.func_types):
            idx = first + i
            inst.funcs.append(
                Function(info.types[ti], instance=inst, index=idx, name=inst.func_name(idx))
            )
        for vt, mut, expr in info.globals:
            inst.globals.append(Global(vt, mut, _const(expr, inst)))
        for rt, lo, hi in info.tables:
            inst.tables.append(Table(rt, lo, hi))
        for lo, hi in info.memories:
            if lo > self.memory_limit_pages:
                raise Trap(
                    f"memory of {lo} pages is over the limit of {self.memory_limit_pages} pages"
                )
            inst.memories.append(Memory(lo, hi, self.memory_limit_pages))
        for name, (kind, idx) in info.exports.items():
            space = {
                "func": inst.funcs,
                "table": inst.tables,
                "memory": inst.memories,
                "global": inst.globals,
            }[kind]
            inst.exports[name] = space[idx]
        inst.elems = [[_const(e, inst) for e in seg.items] for seg in info.elems]
        inst.datas = [d.data for d in info.datas]
        for i, seg in enumerate(info.elems):
            if seg.mode == "active":
                off = _const(seg.offset, inst)
                table = inst.tables[seg.table]
                items = inst.elems[i]
                if off + len(items) > len(table.elems):
                    raise Trap(TOOB)
                table.elems[off : off + len(items)] = items
            if seg.mode != "passive":
                inst.elems[i] = []
        for i, d in enumerate(info.datas):
            if d.mode == "active":
                off = _const(d.offset, inst)
                mem = inst.memories[d.memory]
                if off + len(d.data) > len(mem.data):
                    raise Trap(OOB)
                mem.data[off : off + len(d.data)] = d.data
                inst.datas[i] = b""
        if info.start is not None and run_start:
            self.invoke(inst.funcs[info.start], [])
        return inst

    # -- running ------------------------------------------------------------------------------

    def code_of(self, func: Function) -> Code:
        code = func.code
        if code is None:
            code = func.code = compile_function(self, func)
            self.codes.append(code)
            if self._saved_ops is not None:  # compiled while interrupted
                self._saved_ops.append((code, list(code.ops), None))
                code.ops[:] = [_interrupt_handler(self)] * len(code.ops)
        return code

    def fast_of(self, func: Function) -> Callable[..., Any]:
        """A Python callable running ``func`` at full speed: its translation, or (when it
        cannot be translated) a wrapper around the handler table."""
        if func.direct is not None:
            return func.direct
        if not func.tried:
            func.tried = True
            if self.translate:
                from ._translate import translate

                try:
                    func.direct = translate(self, func)
                    return func.direct
                except Exception:  # noqa: BLE001, S110 - this function keeps the table
                    pass
        nres = len(func.type.results)

        def table_mode(*args: Any) -> Any:
            r = self._invoke_table(func, list(args))
            return None if nres == 0 else r[0] if nres == 1 else tuple(r)
        return table_mode

    def invoke(self, func: Function, args: Iterable[Any]) -> list[Any]:
        """Calls ``func`` with ``args`` to completion; raises :class:`Trap`."""
        args = list(args)
        if func.host is not None:
            return _host_results(func, func.host(*args))
        if not self.translate:
            return self._invoke_table(func, args)
        fast = self.fast_of(func)
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, len(self.frames) + self.max_depth + 100))
        try:
            r = fast(*args)
        except RecursionError:
            raise Trap("call stack exhausted") from None
        except Trap as exc:
            self.last_trap_frames = _fast_frames(exc) or self.last_trap_frames
            raise
        finally:
            sys.setrecursionlimit(old)
        nres = len(func.type.results)
        return [] if nres == 0 else [r] if nres == 1 else list(r)

    def _invoke_table(self, func: Function, args: list[Any]) -> list[Any]:
        base = len(self.frames)
        # Each nested table run costs C stack (translated code calling back into the table):
        # bound the nesting well below what the C stack holds.
        if base >= self.max_depth or self._nesting >= 500:
            raise Trap("call stack exhausted")
        code = self.code_of(func)
        self.frames.append(Frame(func, code, 0, [], args + list(code.zeros)))
        self._nesting += 1
        try:
            return self._run(base)
        finally:
            self._nesting -= 1

    def _run(self, base: int) -> list[Any]:
        frames = self.frames
        fr = frames[-1]
        code = fr.code.ops
        st = fr.st
        loc = fr.loc
        pc = fr.pc
        max_depth = self.max_depth
        try:
            while True:
                while pc >= 0:
                    pc = code[pc](st, loc)
                if pc == CALL:
                    f, args, ret = self.pending
                    d = f.direct
                    if d is None and not f.tried and self.translate:
                        self.fast_of(f)
                        d = f.direct
                    if d is not None:
                        fr.pc = ret
                        r = d(*args)
                        if r is not None:
                            if type(r) is tuple or type(r) is list:
                                st.extend(r)
                            else:
                                st.append(r)
                        pc = ret
                        continue
                    fr.pc = ret
                    c = f.code or self.code_of(f)
                    if len(frames) >= max_depth:
                        pc = ret - 1
                        raise Trap("call stack exhausted")
                    if c.zeros:
                        args.extend(c.zeros)
                    fr = Frame(f, c, 0, [], args)
                    frames.append(fr)
                    code = c.ops
                    st = fr.st
                    loc = args
                    pc = 0
                else:
                    n = fr.code.nresults
                    res = st[len(st) - n :] if n else []
                    frames.pop()
                    if len(frames) == base:
                        return res
                    fr = frames[-1]
                    code = fr.code.ops
                    st = fr.st
                    loc = fr.loc
                    pc = fr.pc
                    if n:
                        st.extend(res)
        except BaseException:
            fr.pc = pc
            self.last_trap_frames = [(f.func, _offset(f.func, f.pc if f is fr else f.pc - 1))
                                     for f in reversed(frames[base:])]
            del frames[base:]
            raise

    # -- interruption -------------------------------------------------------------------------

    def interrupt(self, message: str = "interrupted") -> None:
        """Makes the running guest trap with ``message`` at its next instruction (translated
        code: at its next loop iteration)."""
        if self._saved_ops is not None:
            return
        self.interrupted = message
        self.stop[0] = message
        handler = _interrupt_handler(self)
        saved = []
        for code in list(self.codes):
            saved.append((code, list(code.ops), list(code.rec) if code.rec else None))
        self._saved_ops = saved
        for code, ops, rec in saved:
            code.ops[:] = [handler] * len(ops)
            if rec is not None and code.rec is not None:
                code.rec[:] = [handler] * len(rec)

    def resume_tables(self) -> None:
        """Puts back the handler tables that :meth:`interrupt` swapped out."""
        saved = self._saved_ops
        if saved is None:
            return
        self._saved_ops = None
        self.interrupted = None
        self.stop[0] = None
        for code, ops, rec in saved:
            code.ops[:] = ops
            if rec is not None and code.rec is not None:
                code.rec[:] = rec


def _interrupt_handler(store: Store) -> Callable[[list, list], int]:
    def h(st: list, loc: list) -> int:
        raise Trap(store.interrupted or "interrupted")

    return h


def _offset(func: Function, pc: int) -> int | None:
    code = func.code
    if code is None or not code.offsets:
        return None
    return code.offsets[max(0, min(pc, len(code.offsets) - 1))]


def _fast_frames(exc: BaseException) -> list[tuple[Function, int | None]]:
    """The wasm frames of a trap raised in translated code, innermost first."""
    out = []
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        name = frame.f_code.co_name
        inst = frame.f_globals.get("__inst__")
        if name.startswith("wasm_f") and inst is not None:
            func = inst.funcs[int(name[6:])]
            lines = func.fast_lines
            line = tb.tb_lineno - 1
            out.append((func, lines[line] if 0 <= line < len(lines) else None))
        tb = tb.tb_next
    out.reverse()
    return out


def _host_results(func: Function, r: Any) -> list[Any]:
    if not func.type.results:
        return []
    if type(r) is tuple or type(r) is list:
        return list(r)
    return [r]


def _check_import(imp: Any, obj: Any, info: ModuleInfo) -> None:
    bad = LinkFailure(f"incompatible import type for {imp.module}.{imp.name}")
    if imp.kind == "func":
        if not isinstance(obj, Function) or obj.type != info.types[imp.desc]:
            raise bad
    elif imp.kind == "global":
        vt, mut = imp.desc
        if not isinstance(obj, Global) or obj.type != vt or obj.mutable != mut:
            raise bad
    elif imp.kind == "table":
        rt, lo, hi = imp.desc
        if not isinstance(obj, Table) or obj.reftype != rt or len(obj.elems) < lo:
            raise bad
        if hi is not None and (obj.max is None or obj.max > hi):
            raise bad
    elif imp.kind == "memory":
        lo, hi = imp.desc
        if not isinstance(obj, Memory) or obj.pages() < lo:
            raise bad
        if hi is not None and (obj.max is None or obj.max > hi):
            raise bad
