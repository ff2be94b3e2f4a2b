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

from collections.abc import Sequence
from typing import Any

import traitlets as t

from ..messages import t as _t
from ..result import RunResult
from . import _html, _model
from ._base import StaticHtmlWidget, static_file

__all__ = ["StackView", "snapshot_json", "SessionSteps", "steps_of"]


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
    for extra in ("globals", "memory_writes"):
        value = _get(snap, extra)
        if value:
            out[extra] = _plain(value)
    return out


class SessionSteps:
    """The recorded steps of a stepper session (``result.steps``) as a history: ``len`` and
    ``[i]`` give the machine before step ``i`` as a snapshot mapping."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def __len__(self) -> int:
        return len(self.session.history)

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
        return {
            "instr": view.instruction,
            "func": view.func_name,
            "pc": view.offset,
            "stack": list(view.stack),
            "locals": list(view.locals),
            "frames": frames,
            "globals": dict(getattr(view, "globals", {}) or {}),
            "memory_writes": writes,
        }


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

    _esm = static_file("stack.js")
    _words = "stack"
    _css = static_file("stack.css")

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
            mode, ended = "trap", _t("kernel_trap", message=result.trap.message)
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
        if history is not None and len(history):
            self.state = snapshot_json(history[0])

    @t.validate("step")
    def _clamp(self, proposal: dict) -> int:
        return max(0, min(int(proposal["value"]), max(0, self.steps - 1)))

    @t.observe("step")
    def _show_step(self, change: dict) -> None:
        if self._history is not None and len(self._history):
            self.state = snapshot_json(self._history[change["new"]])
            if change["new"] >= self.steps - 1:
                self.playing = False

    def set_history(self, history: Sequence[Any]) -> None:
        """Plug in (or replace) the recorded steps of a step-through run; shows step 0."""
        self._history = history
        self.steps = len(history)
        self.mode = "stepper"
        self.step = 0
        self.state = snapshot_json(history[0]) if len(history) else {}

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
            out += f'<div class="wk-static">{body}</div>'
        return out
