"""``RunView``: the four views of one run, linked.

Selecting a trace row highlights the bytes that call read or wrote in the memory view, marks
its edge in the sandbox diagram and its point on the stack chart. For a step-through run, the
memory view follows the stack view's step (by instruction or by source line). A re-run from the
sandbox view (a capability toggled) refreshes the three other views with the new result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets

from ..messages import t as _t
from ..result import RunResult
from ..sandbox import Sandbox
from .memory_view import MemoryView
from .sandbox_view import SandboxView
from .stack_view import StackView
from .trace_view import TraceView

__all__ = ["RunView", "show"]


class RunView(ipywidgets.VBox):
    """Trace, memory, sandbox boundary and stack of ``result``, one under the other, linked.

    ``rerun(sandbox) -> RunResult`` makes the capabilities of the sandbox view toggleable;
    ``history`` (a step-through run's recorded steps) feeds the stack view.
    Raises ``TypeError`` when ``result`` is not a RunResult.
    """

    def __init__(
        self,
        result: RunResult,
        rerun: Callable[[Sandbox], RunResult] | None = None,
        history: Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(result, RunResult):
            raise TypeError(f"RunView needs a RunResult, got {type(result).__name__}")
        self.result = result
        self.sandbox_view = SandboxView(result, rerun=rerun)
        self._history = history
        self._build(result)
        super().__init__(children=self._children(), **kwargs)
        self.add_class("wk-run")
        self.sandbox_view.on_result.append(self._rerun_done)

    def _build(self, result: RunResult) -> None:
        self.trace_view = TraceView(result)
        self.memory_view = MemoryView(result)
        self.stack_view = StackView(result, history=self._history)
        self.trace_view.observe(self._on_select, names="selected")
        if self._history is not None and hasattr(self._history, "memory"):
            self.stack_view.observe(self._on_step, names="step")
            self._on_step({"new": self.stack_view.step})

    def _on_step(self, change: dict) -> None:
        """The memory view follows the stepper: the memory before the step on screen, the bytes
        written since the previous line (or instruction) highlighted."""
        memory = self._history.memory(change["new"])
        if memory is None:
            return
        stack = self.stack_view
        line = stack.state.get("line") if stack.by_line else None
        label = (_t("widget_memory_at_line", file=stack.filename, line=line) if line
                 else _t("widget_memory_at_step", step=change["new"] + 1))
        self.memory_view.show_memory(memory, stack.line_writes(), label)

    def _children(self) -> tuple:
        return (self.trace_view, self.memory_view, self.sandbox_view, self.stack_view)

    def _on_select(self, change: dict) -> None:
        i = change["new"]
        ev = self.trace_view.selected_event
        if ev is None:
            self.memory_view.highlight([], "")
            self.sandbox_view.selected_edge = ""
            self.stack_view.selected = -1
            return
        self.memory_view.highlight(ev.memory, f"#{ev.seq} {ev.call}")
        self.sandbox_view.selected_edge = self.sandbox_view.edge_of(i)
        self.stack_view.selected = i

    def _rerun_done(self, result: RunResult) -> None:
        self.result = result
        self._history = None  # the recorded steps belonged to the previous run
        self.trace_view.unobserve(self._on_select, names="selected")
        old = (self.trace_view, self.memory_view, self.stack_view)
        self._build(result)
        self.sandbox_view.selected_edge = ""  # the new trace has no row selected
        self.children = self._children()
        for w in old:
            w.close()

    def select(self, index: int) -> None:
        """Open trace row ``index`` (an index into ``result.trace.events``), as a click does."""
        self.trace_view.selected = index

    def to_html(self) -> str:
        """The static HTML form of the four views."""
        return "".join(
            w.to_html()
            for w in (self.trace_view, self.memory_view, self.sandbox_view, self.stack_view)
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | dict | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        return {**data, "text/html": self.to_html()}, meta


def show(
    result: RunResult,
    rerun: Callable[[Sandbox], RunResult] | None = None,
    history: Sequence[Any] | None = None,
) -> RunView:
    """The four linked views of ``result`` (see :class:`RunView`), ready to display."""
    return RunView(result, rerun=rerun, history=history)


