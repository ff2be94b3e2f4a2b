"""``TraceView``: the syscall trace as a table that stays fast at 100,000 rows.

The browser holds only the rows on screen: it asks for a block of rows by custom message
(``{"kind": "rows", "start", "stop", "version"}``) and the kernel answers with those rows.
Filters are traits; changing one recomputes the matching indices here and bumps ``version``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import traitlets as t

from ..messages import t as _t
from ..result import RunResult
from ..sandbox import Sandbox
from ..trace import Trace, TraceEvent, counted, short_call
from . import _html, _model
from ._base import StaticHtmlWidget, browser_module, browser_style

__all__ = ["TraceView"]

#: the most rows one message carries
MAX_BLOCK = 500


def _as_result(value: RunResult | Trace) -> RunResult:
    if isinstance(value, RunResult):
        return value
    if isinstance(value, Trace):
        return RunResult(b"", b"", 0, None, None, value, Sandbox())
    raise TypeError(f"expected a RunResult or a Trace, got {type(value).__name__}")


class TraceView(StaticHtmlWidget):
    """The calls of one run, filterable by call name, fd and refusals; a row opens its
    decoded arguments and results.

    ``selected`` is the index (in ``result.trace.events``) of the opened row, or -1.
    Raises ``TypeError`` when given something other than a RunResult or a Trace.
    """

    _esm = browser_module("trace.js")
    _words = "trace"
    _css = browser_style("trace.css")

    count = t.Int(0).tag(sync=True)  # rows: every event, link-time and closing notes too
    wasi_calls = t.Int(0).tag(sync=True)  # as the cell's summary counts them (trace.counted)
    shown = t.Int(0).tag(sync=True)
    refused = t.Int(0).tag(sync=True)
    dropped = t.Int(0).tag(sync=True)
    calls = t.List().tag(sync=True)  # [[name, calls, refused], ...] most frequent first
    fds = t.List().tag(sync=True)
    filter_call = t.Unicode("").tag(sync=True)
    filter_fd = t.Unicode("").tag(sync=True)
    refused_only = t.Bool(False).tag(sync=True)
    version = t.Int(0).tag(sync=True)
    selected = t.Int(-1).tag(sync=True)
    detail = t.Dict().tag(sync=True)

    def __init__(self, result: RunResult | Trace, **kwargs: Any) -> None:
        self.result = _as_result(result)
        self._events: list[TraceEvent] = self.result.trace.events
        self._index: list[int] | None = None  # None: every event
        events = self._events
        counts = Counter(ev.call for ev in events)
        refused = Counter(ev.call for ev in events if ev.denied)
        fds = {fd for fd in (ev.args.get("fd") for ev in events) if type(fd) is int}
        wasi_calls, refusals = counted(events)
        super().__init__(
            count=len(self._events),
            wasi_calls=wasi_calls,
            shown=len(self._events),
            refused=refusals,
            dropped=self.result.trace.dropped,
            calls=[[c, n, refused[c]] for c, n in counts.most_common()],
            fds=sorted(fds),
            **kwargs,
        )
        self.on_msg(self._on_message)

    # -- filtering -------------------------------------------------------------------------

    @t.observe("filter_call", "filter_fd", "refused_only")
    def _refilter(self, change: dict | None = None) -> None:
        call = self.filter_call or None
        fd: int | None = None
        if self.filter_fd.strip():
            try:
                fd = int(self.filter_fd)
            except ValueError:
                fd = -1  # matches nothing; the box shows what was typed
        if call is None and fd is None and not self.refused_only:
            self._index = None
            self.shown = len(self._events)
        else:
            self._index = [
                i
                for i, ev in enumerate(self._events)
                if (call is None or ev.call == call)
                and (fd is None or _model.event_fd(ev) == fd)
                and (not self.refused_only or ev.denied)
            ]
            self.shown = len(self._index)
        self.version += 1

    def visible_indices(self) -> list[int]:
        """The event indices the table shows under the current filters, in order."""
        return list(range(len(self._events))) if self._index is None else list(self._index)

    # -- rows ------------------------------------------------------------------------------

    def row(self, i: int) -> dict[str, Any]:
        """One table row (the brief form) for event index ``i``."""
        ev = self._events[i]
        result = _model.row_results(ev)
        if ev.exit_code is not None:
            result = _t("trace_exit", code=ev.exit_code)
        return {
            "i": i,
            "seq": ev.seq,
            "call": short_call(ev.call),
            "full_call": ev.call,
            "abi": ev.abi,
            "phase": ev.phase,
            "args": _model.row_args(ev),
            "results": result,
            "errno": ev.errno,
            "denied": ev.denied,
            "reason": ev.reason or "",
            "dur": ev.dur_ns,
            "mem": len(ev.memory),
        }

    def rows(self, start: int, stop: int) -> list[dict[str, Any]]:
        """Rows ``start``..``stop`` (positions in the filtered table, at most 500 of them)."""
        stop = min(stop, start + MAX_BLOCK, self.shown)
        start = max(0, start)
        if self._index is None:
            idx = range(start, stop)
        else:
            idx = self._index[start:stop]
        return [self.row(i) for i in idx]

    def _on_message(self, _widget: Any, content: dict, _buffers: list) -> None:
        if not isinstance(content, dict):
            return
        if content.get("kind") == "rows":
            start, stop = int(content.get("start", 0)), int(content.get("stop", 0))
            self.send(
                {
                    "kind": "rows",
                    "start": start,
                    "version": content.get("version", self.version),
                    "rows": self.rows(start, stop),
                }
            )

    @t.observe("selected")
    def _open(self, change: dict) -> None:
        i = change["new"]
        self.detail = _model.event_json(i, self._events[i]) if 0 <= i < len(self._events) else {}

    @property
    def selected_event(self) -> TraceEvent | None:
        """The event whose row is open, or ``None``."""
        return self._events[self.selected] if 0 <= self.selected < len(self._events) else None

    def to_html(self, max_rows: int = 200) -> str:
        """The static HTML form: the first ``max_rows`` calls, the refusals, a summary."""
        return _html.trace_html(self.result, max_rows=max_rows)
