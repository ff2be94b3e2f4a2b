"""``StackView``: how the run ended and what its stack looked like.

For a run under wasmtime (or any engine that only reports the end): the trap's wasm backtrace
and the shadow-stack pointer over time, as far as the trace shows it. For a run under the
step-through interpreter: the operand stack, locals and call frames at any recorded step, with
step / back / play controls and a slider over the history.

A history is any sequence (``len(h)`` and ``h[i]``) of snapshots; a snapshot is a mapping or an
object with ``stack``, ``locals`` and ``frames`` (and optionally ``instr`` / ``instruction``,
``func`` / ``function``, ``pc``). The widget reads only the step on screen.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

import traitlets as t

from ..messages import t as _t
from ..result import RunResult
from . import _html, _model
from ._base import StaticHtmlWidget, browser_module, browser_style

__all__ = ["StackView", "snapshot_json", "SessionSteps", "steps_of", "SHADOW_WORDS"]

#: how many 4-byte words of the shadow stack, from the stack pointer up, a step shows
SHADOW_WORDS = 16


def _get(snap: Any, *names: str) -> Any:
    for name in names:
        if isinstance(snap, dict) and name in snap:
            return snap[name]
        if hasattr(snap, name):
            return getattr(snap, name)
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, int, str)) or value is None:
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return str(value)


def snapshot_json(snap: Any) -> dict[str, Any]:
    """One recorded step as plain JSON: ``instr``, ``func``, ``pc``, ``stack`` (bottom first),
    ``locals`` and ``frames`` (innermost first), plus ``globals`` and ``memory_writes`` when
    the snapshot has them."""
    out = {
        "instr": _plain(_get(snap, "instr", "instruction", "op", "opcode")),
        "func": _plain(_get(snap, "func", "function", "func_name")),
        "pc": _plain(_get(snap, "pc", "offset", "ip")),
        "stack": _plain(_get(snap, "stack", "operand_stack", "operands") or []),
        "locals": _plain(_get(snap, "locals", "local_values") or []),
        "frames": _plain(_get(snap, "frames", "call_stack", "callstack") or []),
    }
    for extra in ("globals", "memory_writes", "line"):
        value = _get(snap, extra)
        if value:
            out[extra] = _plain(value)
    return out


class SessionSteps:
    """The recorded steps of a stepper session (``result.steps``) as a history: ``len`` and
    ``[i]`` give the machine before step ``i`` as a snapshot mapping. When the session has
    source lines (a C or Rust cell built with ``-g``), :meth:`line_starts` says where each
    line step begins and the snapshots say their line."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._memory: tuple[int, bytes] | None = None

    def __len__(self) -> int:
        return len(self.session.history)

    @property
    def by_line(self) -> bool:
        """Whether the steps can be walked by source line."""
        return bool(getattr(self.session, "by_line", False))

    def line_starts(self) -> list[int]:
        """The steps where a line step begins (empty without source lines)."""
        return self.session.line_starts() if self.by_line else []

    def line_step_of(self, step: int) -> int:
        """The index of the line step that ``step`` belongs to (-1: before the first)."""
        return bisect.bisect_right(self.line_starts(), step) - 1

    def line_of(self, step: int) -> int | None:
        """The source line of the line step that ``step`` belongs to, or None."""
        k = self.line_step_of(step)
        return self.session.line_of_step(self.line_starts()[k]) if k >= 0 else None

    def memory(self, step: int) -> bytes | None:
        """Linear memory before ``step`` (the last one asked for is kept), or None without."""
        if self._memory is not None and self._memory[0] == step:
            return self._memory[1]
        try:
            data = self.session.memory_at(step)
        except (ValueError, IndexError):
            return None
        self._memory = (step, data)
        return data

    def writes(self, first: int, end: int) -> list[tuple[int, int]]:
        """``(addr, len)`` of the memory steps ``first`` to ``end - 1`` wrote."""
        history = self.session.history
        return [(addr, len(new)) for j in range(max(0, first), min(end, len(history)))
                for addr, _old, new in history.memory_writes(j)]

    def __getitem__(self, index: int) -> dict[str, Any]:
        if index < 0:
            index += len(self)
        view = self.session.view(index)
        frames = [
            f"{f.func_name} @{f.offset:#x}" if isinstance(f.offset, int) else str(f.func_name)
            for f in reversed(view.frames)
        ]
        writes = [
            {"addr": addr, "old": bytes(old).hex(" "), "new": bytes(new).hex(" ")}
            for addr, old, new in (getattr(view, "memory_writes", None) or [])
        ]
        snapshot = {
            "instr": view.instruction,
            "func": view.func_name,
            "pc": view.offset,
            "stack": list(view.stack),
            "locals": list(view.locals),
            "frames": frames,
            "globals": dict(getattr(view, "globals", {}) or {}),
            "memory_writes": writes,
        }
        if self.by_line:
            snapshot["line"] = self.line_of(index)
        return snapshot


def steps_of(result: RunResult) -> Sequence[Any] | None:
    """The recorded steps of ``result`` when the stepper engine recorded it, else ``None``."""
    session = result.steps
    if session is None or not hasattr(session, "view") or not len(session.history):
        return None
    return SessionSteps(session)


class StackView(StaticHtmlWidget):
    """The trap backtrace and shadow-stack pointer of ``result``, or, given ``history`` (the
    step-through interpreter's recorded steps), the stack at any step.

    ``step`` is the step on screen (0-based); ``state`` holds that step as JSON.
    Raises ``TypeError`` when ``result`` is not a RunResult.
    """

    _esm = browser_module("stack.js")
    _words = "stack"
    _css = browser_style("stack.css")

    mode = t.Unicode("exit").tag(sync=True)  # "trap" | "exit" | "limit" | "stepper"
    ended = t.Unicode("").tag(sync=True)
    frames = t.List().tag(sync=True)
    sp_samples = t.List().tag(sync=True)  # [[event index, address, call], ...]
    sp_source = t.Unicode("").tag(sync=True)
    stack_low = t.Int(-1).tag(sync=True)
    stack_high = t.Int(-1).tag(sync=True)
    high_water = t.Int(-1).tag(sync=True)
    events = t.Int(0).tag(sync=True)
    selected = t.Int(-1).tag(sync=True)  # a trace event index, marked on the chart
    step = t.Int(0).tag(sync=True)
    steps = t.Int(0).tag(sync=True)
    playing = t.Bool(False).tag(sync=True)
    interval_ms = t.Int(300).tag(sync=True)
    state = t.Dict().tag(sync=True)
    # stepping by source line (a C or Rust cell built with -g, run under the stepper)
    line_steps = t.Int(0).tag(sync=True)  # 0: the steps have no source lines
    line_step = t.Int(0).tag(sync=True)
    by_line = t.Bool(False).tag(sync=True)
    source = t.List().tag(sync=True)  # the program's lines, the first is line 1
    filename = t.Unicode("").tag(sync=True)

    def __init__(
        self, result: RunResult, history: Sequence[Any] | None = None, **kwargs: Any
    ) -> None:
        if not isinstance(result, RunResult):
            raise TypeError(f"StackView needs a RunResult, got {type(result).__name__}")
        self.result = result
        if history is None:
            history = steps_of(result)
        self._history = history
        if result.trap is not None:
            mode, ended = "trap", _t("kernel_trap", message=result.trap.text())
        elif result.limit is not None:
            mode, ended = "limit", _t("widget_stopped_by_limit", limit=result.limit)
        else:
            mode, ended = "exit", _t("widget_exited", code=result.exit_code)
        frames = [
            {
                "func_index": f.func_index,
                "func_name": f.func_name,
                "module_offset": f.module_offset,
                "source": f.source,
            }
            for f in (result.trap.frames if result.trap else [])
        ]
        samples, source = _model.stack_pointer_samples(result)
        layout = result.layout
        hw = _model.stack_high_water(result)
        super().__init__(
            mode="stepper" if history is not None else mode,
            ended=ended,
            frames=frames,
            sp_samples=samples,
            sp_source=source,
            stack_low=layout.stack_low if layout and layout.stack_low is not None else -1,
            stack_high=layout.stack_high if layout and layout.stack_high is not None else -1,
            high_water=-1 if hw is None else hw,
            events=len(result.trace.events),
            steps=len(history) if history is not None else 0,
            **kwargs,
        )
        self._starts: list[int] = []
        if history is not None and len(history):
            self._use_lines(history)
            self.state = self._snapshot(self.step)

    def _use_lines(self, history: Sequence[Any]) -> None:
        """Walk ``history`` by source line when it has lines, from its first line step."""
        starts = list(history.line_starts()) if getattr(history, "by_line", False) else []
        self._starts = starts
        session = getattr(history, "session", None)
        self.source = (getattr(session, "source", None) or "").splitlines() if starts else []
        self.filename = (getattr(session, "filename", None) or "") if starts else ""
        self.line_steps = len(starts)
        self.by_line = bool(starts)
        if starts:
            self.step = starts[0]  # the program's first line, past the C library's start-up

    def _snapshot(self, step: int) -> dict[str, Any]:
        """Step ``step`` as JSON, with the shadow stack from the stack pointer up, when known."""
        history = self._history
        state = snapshot_json(history[step])
        sp = (state.get("globals") or {}).get("__stack_pointer")
        top = self.stack_high
        memory = history.memory(step) if hasattr(history, "memory") else None
        if isinstance(sp, int) and top > sp >= 0 and memory is not None:
            words = [[addr, int.from_bytes(memory[addr:addr + 4], "little")]
                     for addr in range(sp, min(top, sp + 4 * SHADOW_WORDS, len(memory) - 3), 4)]
            state["shadow"] = {"sp": sp, "top": top, "words": words}
        return state

    @t.validate("step")
    def _clamp(self, proposal: dict) -> int:
        return max(0, min(int(proposal["value"]), max(0, self.steps - 1)))

    @t.validate("line_step")
    def _clamp_line(self, proposal: dict) -> int:
        return max(0, min(int(proposal["value"]), max(0, self.line_steps - 1)))

    @t.observe("step")
    def _show_step(self, change: dict) -> None:
        if self._history is not None and len(self._history):
            self.state = self._snapshot(change["new"])
            if self._starts:  # (the steps before the first line count with the first)
                self.line_step = self._line_step_of(change["new"])
            last = self._starts[-1] if self.by_line and self._starts else self.steps - 1
            if change["new"] >= last:
                self.playing = False

    @t.observe("line_step")
    def _show_line_step(self, change: dict) -> None:
        # a step inside that line step stays where it is (an instruction step moved it there)
        if self._starts and self._line_step_of(self.step) != change["new"]:
            self.step = self._starts[change["new"]]

    def _line_step_of(self, step: int) -> int:
        return max(0, bisect.bisect_right(self._starts, step) - 1)

    def line_writes(self) -> list[tuple[int, int]]:
        """``(addr, len)`` of the memory written since the previous line step (by line) or by
        the previous instruction: what the memory view highlights as the steps go."""
        history = self._history
        if not hasattr(history, "writes"):
            return []
        if self.by_line and self._starts:
            k = self.line_step
            first = self._starts[k - 1] if k > 0 else 0
            return history.writes(first, self.step)
        return history.writes(self.step - 1, self.step)

    def set_history(self, history: Sequence[Any]) -> None:
        """Plug in (or replace) the recorded steps of a step-through run; shows its first
        step (its first source line, when it has lines)."""
        self._history = history
        self.steps = len(history)
        self.mode = "stepper"
        self.step = 0
        self._use_lines(history)
        self.state = self._snapshot(self.step) if len(history) else {}

    def to_html(self) -> str:
        """The static HTML form: the backtrace or exit, the stack-pointer samples, and (for a
        step-through run) the stack at the step on screen."""
        out = _html.stack_html(self.result)
        if self.mode == "stepper" and self.state:
            s = self.state
            step = _t("widget_step_of", step=self.step + 1, steps=self.steps,
                      instr=s.get("instr") or "")
            body = (
                f"<h4>{_html._e(step)}</h4>"
                f"<p>{_html._e(_t('widget_operand_stack', stack=s.get('stack')))}</p>"
                f"<p>{_html._e(_t('widget_locals', locals=s.get('locals')))}</p>"
                f"<p>{_html._e(_t('widget_frames', frames=s.get('frames')))}</p>"
            )
            line = s.get("line")
            if self.by_line and isinstance(line, int) and 0 < line <= len(self.source):
                where = _t("widget_stack_line_step_of", step=self.line_step + 1,
                           steps=self.line_steps, file=self.filename, line=line)
                body = (f"<h4>{_html._e(where)}</h4>"
                        f"<pre>{line:>4}  {_html._e(self.source[line - 1])}</pre>" + body)
            out += f'<div class="wk-static">{body}</div>'
        return out
