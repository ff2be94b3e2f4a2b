"""Stepping and recorded history.

A :class:`Session` runs one call instruction by instruction with the *recording* handler table.
Every step appends to the :class:`History` only what cannot be worked out again:

* where it ran: the function's base position plus the instruction index (an ``array('q')``;
  each function seen gets a range of small integers, so the hot loop adds small ints),
* the values on the running frame's operand stack above the instruction's static floor after
  it ran (the floor, the lowest slot the instruction can touch, is known from pre-decoding):
  the value itself when there is one (most steps), else a tuple,
* rarer facts, by step: memory written ``("m", addr, old bytes, new bytes)`` and grown
  ``("grow", old pages)`` (``extras``), the function a call entered (``calls``), the steps that
  returned from a frame (``returns``; their pushed values are the results).

Locals, globals and a callee's arguments are not recorded: ``local.set`` / ``global.set`` take
the top of the operand stack before the step, a call takes its arguments from there, and that
stack is known exactly when a step is rebuilt.

Every ``CHECKPOINT_EVERY`` steps a checkpoint keeps the whole state of the frames (function,
index, locals, operand stack) and of the globals. Showing step *i* starts from the checkpoint
before it and applies at most ``CHECKPOINT_EVERY`` deltas, without running any wasm, so any step
shows in a few milliseconds however long the history is. Memory as it was at step *i* is
rebuilt on demand by undoing the recorded writes from the present backwards
(:meth:`Session.memory_at`).

Stepping by source line (as Python Tutor steps C) groups these steps: given where each
instruction came from (:meth:`Session.use_source_lines`, from the module's DWARF line table),
a *line step* begins at each recorded step whose source line, or call depth, differs from the
last step that had a line; steps without one (the C library's code, code the compiler made up)
belong to the line step before them. :meth:`Session.line_starts` lists where each begins (so
any line step shows, forwards or backwards, as :meth:`Session.view` of its first step) and
:meth:`Session.step_line` runs to the start of the next one.
"""

from __future__ import annotations

import bisect
import gc
import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._compile import Code
from ._handlers import CALL
from ._machine import Frame, Instance, Store, _fast_frames, _offset
from ._numeric import Trap, ff
from ._objects import Function

__all__ = ["Session", "History", "StepView", "FrameView", "CHECKPOINT_EVERY"]

CHECKPOINT_EVERY = 2048


@dataclass
class FrameView:
    """One call frame at a step: which function, where in it, its locals and operand stack."""

    func_index: int
    func_name: str
    index: int  # instruction index in the pre-decoded function
    offset: int  # byte offset of that instruction in the module
    instruction: str  # WAT text of the instruction about to run
    locals: list[Any]
    local_types: list[str]
    local_names: list[str | None]  # from the module's name section, when it has one
    stack: list[Any]  # bottom first; values shown by type (i32/i64 signed, f32 as float)
    stack_types: list[str] = field(default_factory=list)


@dataclass
class StepView:
    """The machine before step ``step`` runs (``step == len(history)``: the present).

    ``frames`` are outermost first; the shortcuts below read the innermost one.
    ``memory_writes`` lists ``(addr, old bytes, new bytes)`` that step ``step`` wrote.
    """

    step: int
    frames: list[FrameView]
    globals: dict[str, Any]
    memory_writes: list[tuple[int, bytes, bytes]] = field(default_factory=list)
    finished: bool = False

    @property
    def top(self) -> FrameView | None:
        return self.frames[-1] if self.frames else None

    @property
    def func_name(self) -> str | None:
        return self.frames[-1].func_name if self.frames else None

    @property
    def instruction(self) -> str | None:
        return self.frames[-1].instruction if self.frames else None

    @property
    def offset(self) -> int | None:
        return self.frames[-1].offset if self.frames else None

    @property
    def stack(self) -> list[Any]:
        return self.frames[-1].stack if self.frames else []

    @property
    def stack_types(self) -> list[str]:
        return self.frames[-1].stack_types if self.frames else []

    @property
    def locals(self) -> list[Any]:
        return self.frames[-1].locals if self.frames else []


class History:
    """The recorded steps of a session; ``len(history)`` steps, shown by :meth:`Session.view`."""

    def __init__(self) -> None:
        self.pos = array("q")
        self.pushed: list[Any] = []
        self.extras: dict[int, list] = {}
        self.calls: dict[int, int] = {}
        self.returns: set[int] = set()
        self.cp_steps: list[int] = []
        self.cp_states: list[tuple] = []
        self.next_cp = 0
        self.first = 0  # the run's step number of history step 0 (after a window slid)
        self.low = 0  # the lowest frame depth since the last checkpoint
        self.funcs: list[Function] = []
        self.bases: list[int] = []
        self._next_base = 0
        self._keys: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.pushed)

    def fkey(self, func: Function) -> int:
        """The function's index in ``funcs``; its positions start at ``bases[index]``."""
        k = self._keys.get(id(func))
        if k is None:
            k = self._keys[id(func)] = len(self.funcs)
            self.funcs.append(func)
            self.bases.append(self._next_base)
            self._next_base += len(func.code.offsets) + 1
        return k

    def where(self, position: int) -> tuple[int, int]:
        """(function index in ``funcs``, instruction index) of a recorded position."""
        k = bisect.bisect_right(self.bases, position) - 1
        return k, position - self.bases[k]

    def memory_writes(self, step: int) -> list[tuple[int, bytes, bytes]]:
        """The writes of history step ``step``: (addr, old bytes, new bytes)."""
        g = self.first + step
        return [(e[1], e[2], e[3]) for e in self.extras.get(g, ()) if e[0] == "m"]

    def _slide(self, keep: int) -> None:
        """Forgets the oldest steps, keeping about ``keep`` (cut at a checkpoint)."""
        total = self.first + len(self.pushed)
        i = bisect.bisect_left(self.cp_steps, total - keep)
        if i >= len(self.cp_steps) or self.cp_steps[i] <= self.first:
            return
        cut = self.cp_steps[i]
        drop = cut - self.first
        del self.pos[:drop]
        del self.pushed[:drop]
        for table in (self.extras, self.calls):
            for k in [k for k in table if k < cut]:
                del table[k]
        self.returns.difference_update([k for k in self.returns if k < cut])
        del self.cp_steps[:i]
        del self.cp_states[:i]
        self.first = cut


class Session:
    """Runs ``func(*args)`` step by step, recording each step.

    ``step``, ``step_over``, ``step_out`` and ``run`` move forward (``run`` stops at a
    breakpoint or at the end); ``view(i)`` shows any recorded step, ``current()`` the present.
    When the call ends, ``finished`` is true and either ``returned`` holds its values or
    ``error`` the exception that ended it (a :class:`Trap`, or the host's ProcExit /
    LimitReached).
    """

    def __init__(
        self,
        store: Store,
        instance: Instance,
        func: Function,
        args: list[Any],
        history_limit: int = 1_000_000,
        keep: str = "first",
    ) -> None:
        if keep not in ("first", "last"):
            raise ValueError(f"keep is 'first' or 'last', not {keep!r}")
        self.keep = keep
        self.store = store
        self.instance = instance
        self.func = func
        self.history = History()
        self.history_limit = history_limit
        self.breakpoints: set[int] = set()
        self.finished = False
        self.returned: list[Any] | None = None
        self.error: BaseException | None = None
        self.trap_frames: list[tuple[Function, int | None]] = []
        self.base = len(store.frames)
        if func.host is not None:
            raise ValueError("a host function cannot be stepped")
        code = store.code_of(func)
        store.frames.append(Frame(func, code, 0, [], list(args) + list(code.zeros)))
        self._line_of: Callable[[int], int | None] | None = None
        self._lines = _LineSteps()
        self.source: str | None = None
        self.filename: str | None = None

    # -- moving forward -----------------------------------------------------------------------

    def step(self, n: int = 1) -> StepView:
        """Runs ``n`` instructions (stepping into calls); returns the new present."""
        self._advance(n, -1)
        return self.current()

    def step_over(self) -> StepView:
        """Runs one instruction; a call runs whole, up to its return."""
        self._advance(1 << 62, len(self.store.frames))
        return self.current()

    def step_out(self) -> StepView:
        """Runs until the current function has returned to its caller."""
        self._advance(1 << 62, len(self.store.frames) - 1)
        return self.current()

    def run(self, max_steps: int | None = None) -> StepView:
        """Runs to the next breakpoint, the end, or ``max_steps`` instructions.

        With ``keep="first"`` (the default), past ``history_limit`` recorded steps a run without
        breakpoints goes on unrecorded (at full speed) and the history keeps the first steps.
        With ``keep="last"`` every step is recorded and the history keeps the latest
        ``history_limit`` (to ``history_limit + CHECKPOINT_EVERY``) steps, so the steps before
        a trap are there; ``history.first`` is then the run's number of history step 0.
        """
        limit = (1 << 62) if max_steps is None else max_steps
        room = self.history_limit - len(self.history)
        if self.keep == "first" and max_steps is None and not self.breakpoints and room < limit:
            self._advance(max(room, 0), -1)
            if not self.finished:
                self._run_unrecorded()
        else:
            self._advance(limit, -1)
        return self.current()

    def add_breakpoint(self, func: int | str | Function, offset: int | None = None) -> int:
        """Stops ``run`` before the instruction at module byte ``offset`` of ``func`` (its
        first instruction when ``offset`` is None); returns the instruction index.

        ``func`` is a function index, a name (export or name section) or a Function.
        Raises ValueError when there is no such function or no instruction at that offset.
        """
        f = self._function(func)
        code = self.store.code_of(f)
        if not code.offsets:
            raise ValueError(f"{f.name} has no instruction to stop at")
        if offset is None:
            index = 0
        else:
            index = bisect.bisect_left(code.offsets, offset)
            if index >= len(code.offsets):
                raise ValueError(f"no instruction of {f.name} at or after offset {offset}")
        H = self.history  # noqa: N806
        self.breakpoints.add(H.bases[H.fkey(f)] + index)
        return index

    def clear_breakpoints(self) -> None:
        """Removes every breakpoint: the next :meth:`run` goes to the end (or ``max_steps``)."""
        self.breakpoints.clear()

    # -- by source line -------------------------------------------------------------------------

    def use_source_lines(
        self,
        line_of: Callable[[int], int | None],
        source: str | None = None,
        filename: str | None = None,
    ) -> None:
        """Group the steps by source line from now on: ``line_of(offset)`` is the source line of
        the instruction at module byte ``offset``, or ``None`` for one that has none of the
        program's own (see :func:`wasikernel.compile.listing.source_line_finder`).
        ``source`` and ``filename``, the program's text and name, are kept for views to show."""
        self._line_of = line_of
        self._lines = _LineSteps()
        self.source = source
        self.filename = filename

    @property
    def by_line(self) -> bool:
        """Whether :meth:`use_source_lines` gave the session its source lines."""
        return self._line_of is not None

    def line_of_step(self, step: int) -> int | None:
        """The source line of the instruction history step ``step`` runs (``None``: none).

        Raises IndexError outside the history, ValueError before :meth:`use_source_lines`.
        """
        H = self.history  # noqa: N806
        if not 0 <= step < len(H):
            raise IndexError(f"step {step} is outside the history (0..{len(H) - 1})")
        return self._line_at(H.pos[step])

    def line_starts(self) -> list[int]:
        """The history steps where a line step begins, in order (see the module docstring).

        Raises ValueError before :meth:`use_source_lines`.
        """
        lines, H = self._lines, self.history  # noqa: N806
        if lines.first != H.first:  # the window slid: the steps are numbered afresh
            self._lines = lines = _LineSteps(H.first, lines)
        by_position = self._position_lines()
        pos, calls, returns, first = H.pos, H.calls, H.returns, H.first
        starts = lines.starts
        depth = lines.depth
        last_line, last_depth = lines.last if lines.last is not None else (None, -1)
        for j in range(lines.done, len(H)):
            line = by_position[pos[j]]
            if line is not None and (line != last_line or depth != last_depth):
                starts.append(j)
                last_line, last_depth = line, depth
            g = first + j
            if g in calls:
                depth += 1
            elif g in returns:
                depth -= 1
        lines.done, lines.depth = len(H), depth
        lines.last = None if last_line is None else (last_line, last_depth)
        return starts

    def step_line(self, max_steps: int = 1_000_000) -> StepView:
        """Runs to the start of the next line step (into a call of the program's own code,
        over the library's), the end, or ``max_steps`` instructions; returns the new present.

        Raises ValueError before :meth:`use_source_lines`.
        """
        self.line_starts()  # brings the grouping up to the present
        lines, frames = self._lines, self.store.frames
        ran = 0
        while not self.finished and ran < max_steps:
            self._advance(1, -1)
            ran += 1
            self.line_starts()
            if self.finished:
                break
            fr = frames[-1]
            line = self._line_at_offset(fr.code.offsets[fr.pc]) if fr.code.offsets else None
            if line is not None and (line, lines.depth) != lines.last:
                break
        return self.current()

    def _line_at(self, position: int) -> int | None:
        return self._position_lines()[position]

    def _position_lines(self) -> list[int | None]:
        """The source line of every recorded position (a function's base plus an instruction
        index), extended as the history meets new functions."""
        table = self._lines.by_position
        H = self.history  # noqa: N806
        for k in range(self._lines.functions, len(H.funcs)):
            table += [self._line_at_offset(o) for o in H.funcs[k].code.offsets]
            table.append(None)  # the position past the function's last instruction
        self._lines.functions = len(H.funcs)
        return table

    def _line_at_offset(self, offset: int) -> int | None:
        if self._line_of is None:
            raise ValueError("this session has no source lines: call use_source_lines first")
        return self._line_of(offset)

    # -- looking back ---------------------------------------------------------------------------

    def current(self) -> StepView:
        """The present: the machine before its next instruction (after the end: no frames)."""
        n = len(self.history)
        if self.finished:  # no frame is left; view(n - 1) shows the last instruction
            return StepView(n, [], self._globals_now(), finished=True)
        frames = []
        for fr in self.store.frames[self.base :]:
            frames.append(
                self._frame_view(
                    fr.func, fr.pc if fr is self.store.frames[-1] else fr.pc - 1, fr.loc, fr.st
                )
            )
        return StepView(n, frames, self._globals_now())

    def view(self, step: int) -> StepView:
        """The machine as it was before step ``step`` ran (0 <= step <= len(history)).

        Raises IndexError outside that range.
        """
        H = self.history  # noqa: N806
        n = len(H)
        if step < 0 or step > n:
            raise IndexError(f"step {step} is outside the history (0..{n})")
        first = H.first
        g = first + step
        i = bisect.bisect_right(H.cp_steps, g) - 1
        cp_step = H.cp_steps[i]
        frames_t, globals_t = H.cp_states[i]
        frames = [[k, pc, list(loc), list(st)] for k, pc, loc, st in frames_t]
        gvals = list(globals_t)
        pos, pushed, calls, returns = H.pos, H.pushed, H.calls, H.returns
        funcs = H.funcs
        own = self.instance
        for j in range(cp_step, g):
            top = frames[-1]
            fk, pc = H.where(pos[j - first])
            top[1] = pc
            st = top[3]
            if j in returns:
                frames.pop()
                if not frames:
                    break
                frames[-1][3].extend(pushed[j - first])
                continue
            func = funcs[fk]
            code = func.code
            spec = code.specs[pc]
            kind = spec[0]
            if kind == "local.set" or kind == "local.tee":
                top[2][spec[1]] = st[-1]
            elif kind == "global.set" and func.instance is own:
                gvals[spec[1]] = st[-1]
            callee = calls.get(j)
            if callee is not None:
                f = funcs[callee]
                n = len(f.type.params)
                top_n = len(st) - (1 if kind == "call_indirect" else 0)
                args = st[top_n - n : top_n] if n else []
                del st[code.floors[pc]:]
                st.extend(pushed[j - first])
                frames.append([callee, 0, args + list(f.code.zeros), []])
            else:
                del st[code.floors[pc]:]
                v = pushed[j - first]
                if type(v) is tuple:
                    st.extend(v)
                else:
                    st.append(v)
        if frames and step < len(pos):
            frames[-1][1] = H.where(pos[step])[1]
        views = [self._frame_view(H.funcs[k], pc, loc, st) for k, pc, loc, st in frames]
        names = self._global_names()
        return StepView(
            step,
            views,
            dict(zip(names, gvals, strict=True)),
            H.memory_writes(step),
            finished=not frames,
        )

    def memory_at(self, step: int) -> bytes:
        """Linear memory 0 as it was before step ``step`` (undoing later writes).

        Raises IndexError outside the history and ValueError when the module has no memory.
        """
        if not self.instance.memories:
            raise ValueError("this module has no linear memory")
        n = len(self.history)
        if step < 0 or step > n:
            raise IndexError(f"step {step} is outside the history (0..{n})")
        mem = bytearray(self.instance.memories[0].data)
        extras = self.history.extras
        g = self.history.first + step
        for j in reversed(extras):  # steps were added in order
            if j < g:
                break
            for e in reversed(extras[j]):
                if e[0] == "m":
                    mem[e[1] : e[1] + len(e[2])] = e[2]
                elif e[0] == "grow":
                    del mem[e[1] * 65536 :]
        return bytes(mem)

    # -- internals ------------------------------------------------------------------------------

    def _function(self, func: int | str | Function) -> Function:
        inst = self.instance
        if isinstance(func, Function):
            return func
        if isinstance(func, int):
            if 0 <= func < len(inst.funcs):
                return inst.funcs[func]
            raise ValueError(f"no function {func} (the module has {len(inst.funcs)})")
        target = inst.exports.get(func)
        if isinstance(target, Function):
            return target
        for i, name in inst.info.func_names.items():
            if name == func:
                return inst.funcs[i]
        raise ValueError(f"no function named {func!r}")

    def _global_names(self) -> list[str]:
        inst = self.instance
        names = inst.info.global_names
        exported = {id(v): k for k, v in inst.exports.items()}
        return [
            names.get(i) or exported.get(id(g)) or f"global[{i}]"
            for i, g in enumerate(inst.globals)
        ]

    def _globals_now(self) -> dict[str, Any]:
        inst = self.instance
        return {
            n: _show(g.type, g.value)
            for n, g in zip(self._global_names(), inst.globals, strict=True)
        }

    def _frame_view(self, func: Function, pc: int, loc: list, st: list) -> FrameView:
        code: Code = func.code
        pc = min(pc, len(code.offsets) - 1)
        types = code.local_types
        names = func.instance.info.local_names.get(func.index, {})
        st_types = list(code.stack_types[pc][: len(st)]) if pc >= 0 else []
        st_types += ["?"] * (len(st) - len(st_types))
        return FrameView(
            func_index=func.index,
            func_name=func.name or f"func[{func.index}]",
            index=pc,
            offset=code.offsets[pc] if pc >= 0 else -1,
            instruction=code.texts[pc] if pc >= 0 else "",
            locals=[_show(t, v) for t, v in zip(types, loc, strict=False)],
            local_types=list(types),
            local_names=[names.get(i) for i in range(len(types))],
            stack=[_show(t, v) for t, v in zip(st_types, st, strict=True)],
            stack_types=st_types,
        )

    def _checkpoint(self, n: int, low: int) -> None:
        """Keeps the whole state before step ``n``. Frames below depth ``low - 1`` have not run
        since the previous checkpoint, so their entries are shared with it (deep recursion
        would otherwise make checkpoints cost depth x steps)."""
        frames = self.store.frames[self.base:]
        H = self.history  # noqa: N806
        last = len(frames) - 1
        keep = 0
        if H.cp_states:
            prev = H.cp_states[-1][0]
            keep = max(0, min(low - self.base - 1, len(prev), len(frames)))
        fresh = tuple((H.fkey(fr.func), fr.pc if i == last else fr.pc - 1, tuple(fr.loc),
                       tuple(fr.st)) for i, fr in enumerate(frames[keep:], keep))
        H.cp_steps.append(n)
        H.cp_states.append(((prev[:keep] + fresh) if keep else fresh,
                            tuple(g.value for g in self.instance.globals)))

    def _run_unrecorded(self) -> None:
        try:
            old = sys.getrecursionlimit()
            sys.setrecursionlimit(max(old, len(self.store.frames) + self.store.max_depth + 100))
            try:
                self.returned = self.store._run(self.base)
            except RecursionError:
                raise Trap("call stack exhausted") from None
            except Trap as exc:
                self.store.last_trap_frames = _fast_frames(exc) + self.store.last_trap_frames
                raise
            finally:
                sys.setrecursionlimit(old)
        except BaseException as exc:  # noqa: BLE001 - the session reports how the call ended
            self.trap_frames = self.store.last_trap_frames
            self.error = exc
            if not isinstance(exc, Exception):
                self.finished = True
                raise
        self.finished = True

    def _advance(self, max_steps: int, stop_depth: int) -> None:  # noqa: C901
        if self.finished or max_steps <= 0:
            return
        store = self.store
        frames = store.frames
        base = self.base
        H = self.history  # noqa: N806
        pos, pushed, extras, calls, returns = H.pos, H.pushed, H.extras, H.calls, H.returns
        pos_ap, push_ap = pos.append, pushed.append
        fx = store.fx
        fx.clear()
        bps = self.breakpoints
        check = bool(bps) or stop_depth >= 0
        mems = self.instance.memories
        for m in mems:
            m.recorder = store
        fr = frames[-1]
        code = fr.code
        ops = code.recording_ops()
        floors = code.floors
        st, loc, pc = fr.st, fr.loc, fr.pc
        bases = H.bases
        keys = H._keys
        key = bases[H.fkey(fr.func)]
        remaining = max_steps
        sliding = self.keep == "last"
        off = H.first
        fl = 0
        # The history is made of tuples of numbers, which hold no reference cycles; the cyclic
        # collector would only rescan them as they pile up (it tripled the cost of a step).
        collecting = gc.isenabled()
        gc.disable()
        try:
            while remaining > 0:
                if sliding and len(pushed) >= self.history_limit:
                    H._slide(self.history_limit)
                off = H.first
                n = off + len(pushed)
                if n >= H.next_cp:
                    fr.pc = pc
                    self._checkpoint(n, H.low)
                    H.low = len(frames)
                    H.next_cp = n + CHECKPOINT_EVERY
                chunk = min(remaining, H.next_cp - n)
                remaining -= chunk
                for _ in range(chunk):
                    pos_ap(key + pc)
                    fl = floors[pc]
                    npc = ops[pc](st, loc)
                    d = len(st) - fl
                    push_ap(st[-1] if d == 1 else tuple(st[fl:]) if d else ())
                    if fx:
                        extras[off + len(pushed) - 1] = fx[:]
                        fx.clear()
                    if npc >= 0:
                        pc = npc
                        if check and ((key + pc) in bps or len(frames) <= stop_depth):
                            break
                        continue
                    if npc == CALL:
                        f, args, ret = store.pending
                        if f.host is not None:
                            fr.pc = ret
                            r = f.host(*args)
                            if r is not None:
                                if type(r) is tuple or type(r) is list:
                                    st.extend(r)
                                else:
                                    st.append(r)
                            pushed[-1] = tuple(st[fl:])
                            if fx:
                                extras.setdefault(off + len(pushed) - 1, []).extend(fx)
                                fx.clear()
                            pc = ret
                        else:
                            c = f.code or store.code_of(f)
                            if len(frames) >= store.max_depth:
                                pc = ret - 1
                                raise Trap("call stack exhausted")
                            if c.zeros:
                                args.extend(c.zeros)
                            fk = keys.get(id(f))
                            if fk is None:
                                fk = H.fkey(f)
                            calls[off + len(pushed) - 1] = fk
                            fr.pc = ret
                            fr = Frame(f, c, 0, [], args)
                            frames.append(fr)
                            code = c
                            ops = c.rec or c.recording_ops()
                            floors = c.floors
                            st, loc, pc = fr.st, args, 0
                            key = bases[fk]
                    else:
                        nres = code.nresults
                        res = st[len(st) - nres:] if nres else []
                        returns.add(off + len(pushed) - 1)
                        pushed[-1] = tuple(res)
                        frames.pop()
                        if len(frames) < H.low:
                            H.low = len(frames)
                        if len(frames) == base:
                            self.finished = True
                            self.returned = res
                            break
                        fr = frames[-1]
                        code = fr.code
                        ops = code.rec or code.recording_ops()
                        floors = code.floors
                        st, loc, pc = fr.st, fr.loc, fr.pc
                        key = bases[keys[id(fr.func)]]
                        st.extend(res)
                    if check and ((key + pc) in bps or len(frames) <= stop_depth):
                        break
                else:
                    continue
                break
        except BaseException as exc:  # noqa: BLE001 - the session reports how the call ended
            if len(pushed) < len(pos):
                push_ap(tuple(st[min(fl, len(st)):]))
            if fx:
                extras[H.first + len(pushed) - 1] = fx[:]
            fx.clear()
            fr.pc = pc
            self.trap_frames = [(f.func, _offset(f.func, f.pc if f is fr else f.pc - 1))
                                for f in reversed(frames[base:])]
            del frames[base:]
            self.finished = True
            self.error = exc
            if not isinstance(exc, Exception):
                raise
        else:
            fr.pc = pc
        finally:
            if collecting:
                gc.enable()
            for m in mems:
                m.recorder = None


class _LineSteps:
    """How far :meth:`Session.line_starts` has grouped the history, so each call goes on
    from there: the starts found, the steps read, the call depth and (line, depth) reached."""

    __slots__ = ("first", "starts", "done", "depth", "last", "by_position", "functions")

    def __init__(self, first: int = 0, before: _LineSteps | None = None) -> None:
        self.first = first
        self.starts: list[int] = []
        self.done = 0
        self.depth = 0
        self.last: tuple[int, int] | None = None
        # the line of each position, for the first ``functions`` functions of the history
        # (kept when the window slides: the positions stay the same)
        self.by_position: list[int | None] = before.by_position if before else []
        self.functions = before.functions if before else 0


def _show(valtype: str, value: Any) -> Any:
    """A value as a learner reads it (and as wasmtime prints it): i32 and i64 signed, f32 bit
    patterns as floats, references as text (``ref.func NAME``; null is None)."""
    if valtype == "i32" and isinstance(value, int):
        return value - 0x100000000 if value & 0x80000000 else value
    if valtype == "i64" and isinstance(value, int):
        return value - (1 << 64) if value >> 63 else value
    if valtype == "f32" and isinstance(value, int):
        return ff(value)
    if isinstance(value, Function):
        return f"ref.func {value.name or value.index}"
    if value is not None and valtype in ("funcref", "externref"):
        return repr(value)
    return value
