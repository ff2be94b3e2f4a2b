"""How a run shows in a cell: a one-line summary, the trap, the trace, the widgets.

Every display carries a ``text/plain`` form beside its HTML, so a notebook saved with outputs
reads well without a kernel and in a terminal client.
"""

from __future__ import annotations

import html
from typing import Any

from IPython.display import display

from ..messages import t
from ..result import Frame, RunResult, Trap

__all__ = [
    "CellError",
    "summary_text",
    "trap_text",
    "show_run",
    "show_trace",
    "show_widget",
    "count_calls",
]

_RED = "\x1b[31m"
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


class CellError(Exception):
    """An error the learner must fix (compile error, bad option), shown without a traceback.

    IPython calls ``_render_traceback_`` instead of formatting a Python traceback, so the cell
    shows ``title`` and ``detail`` only, and the cell's status is still an error (a notebook run
    stops there, as it should).
    """

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(f"{title}: {detail}")
        self.title = title
        self.detail = detail

    def _render_traceback_(self) -> list[str]:
        return [f"{_RED}{_BOLD}{self.title}{_RESET}", *self.detail.rstrip().splitlines()]


def count_calls(result: RunResult) -> tuple[int, int]:
    """Return (WASI calls made, refusals) of a run; link-time and libc refusals count too
    (:func:`wasikernel.trace.counted`, the count every view prints)."""
    from ..trace import counted

    return counted(result.trace.events)


def _duration(ns: int) -> str:
    if ns < 1_000_000:
        return f"{ns / 1000:.0f} µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.1f} ms"
    return f"{ns / 1e9:.2f} s"


def _outcome(result: RunResult) -> tuple[str, bool]:
    """The words saying how the run ended, and whether that is a success."""
    if result.trap is not None:
        return t("kernel_trap", message=result.trap.text()), False
    if result.limit is not None:
        return t("kernel_limit", message=result.limit), False
    if result.returned:
        values = ", ".join(str(v) for v in result.returned)
        return t("kernel_returned", values=values), True
    if result.module is not None and not _has_start(result):
        entry = getattr(result.module, "entry_point", "_start")  # a component's: wasi:cli/run
        return t("kernel_instantiated" if entry == "_start" else "kernel_instantiated_no_run"), True
    code = result.exit_code
    return t("kernel_exit", code=code), code == 0


def _has_start(result: RunResult) -> bool:
    """Whether the kept module or component has an entry point (which the run called):
    ``_start``, or a component's ``wasi:cli/run``."""
    exports = getattr(result.module, "exports", None) or {}
    return any(name == "_start" or name.startswith("wasi:cli/run@") for name in exports)


def summary_text(result: RunResult) -> str:
    """One line: how the run ended, WASI calls, refusals, time and engine."""
    outcome, _ = _outcome(result)
    if any(e.phase == "note" and e.call == "trace_unavailable" for e in result.trace.events):
        # an engine with its own WASI (node, a runtime's CLI): no count rather than a false 0
        parts = [outcome, t("kernel_untraced", engine=result.engine),
                 _duration(result.duration_ns), result.engine]
        return " · ".join(parts)
    calls, refused = count_calls(result)
    parts = [outcome, t("kernel_calls", n=calls), t("kernel_refused", n=refused),
             _duration(result.duration_ns), result.engine]
    return " · ".join(parts)


def _summary_html(result: RunResult) -> str:
    _, good = _outcome(result)
    colour = "#1a7f37" if good else "#cf222e"
    mark = "✔" if good else "✘"
    return (
        f'<div class="wasikernel-summary" style="font-family:monospace;color:{colour}">'
        f"{mark} {html.escape(summary_text(result))}</div>"
    )


_RUST_ESCAPES = {"$LT$": "<", "$GT$": ">", "$RF$": "&", "$BP$": "*", "$C$": ",",
                 "$SP$": "@", "$u20$": " ", "$u27$": "'", "$u5b$": "[", "$u5d$": "]",
                 "$u7b$": "{", "$u7d$": "}", "$u7e$": "~"}


def demangle(name: str) -> str:
    """``_ZN4cell5check17h0123456789abcdefE`` -> ``cell::check`` (Rust's legacy mangling);
    any other name comes back unchanged."""
    if not (name.startswith("_ZN") and name.endswith("E")):
        return name
    parts, i, body = [], 0, name[3:-1]
    while i < len(body):
        j = i
        while j < len(body) and body[j].isdigit():
            j += 1
        if j == i:
            return name
        length = int(body[i:j])
        part = body[j:j + length]
        parts.append(part[1:] if part.startswith("_$") else part)
        i = j + length
    if parts and len(parts[-1]) == 17 and parts[-1][0] == "h":
        parts.pop()  # the hash that tells crate versions apart
    text = "::".join(parts)
    for code, char in _RUST_ESCAPES.items():
        text = text.replace(code, char)
    return text.replace("..", "::")


def _frame_text(frame: Frame) -> str:
    name = demangle(frame.func_name) if frame.func_name else (
        f"func[{frame.func_index}]" if frame.func_index is not None else "?"
    )
    where = f" at {frame.source}" if frame.source else ""
    offset = frame.module_offset
    at = f" (@0x{offset:x})" if offset is not None and 0 <= offset < 1 << 32 else ""
    return f"{name}{where}{at}"


def trap_text(trap: Trap, max_lines: int = 24) -> str:
    """The trap's message and its wasm backtrace, innermost first. Runs of the same frame (a
    runaway recursion) fold into one line with a count; past ``max_lines`` the rest is
    counted, not listed."""
    lines = [trap.text()]
    if not trap.frames:
        return lines[0]
    lines.append(t("kernel_backtrace"))
    runs: list[tuple[int, str, int]] = []  # (index of first frame, text, repeats)
    for i, frame in enumerate(trap.frames):
        text = _frame_text(frame)
        if runs and runs[-1][1] == text:
            first, _, count = runs[-1]
            runs[-1] = (first, text, count + 1)
        else:
            runs.append((i, text, 1))
    for shown, (first, text, count) in enumerate(runs):
        if shown == max_lines:
            lines.append(f"  ... {len(trap.frames) - first} more frames")
            break
        repeat = f"  × {count}" if count > 1 else ""
        lines.append(f"  {first}: {text}{repeat}")
    return "\n".join(lines)


def _trace_text(result: RunResult, max_lines: int = 200) -> str:
    """The strace-like text of the trace, cut after ``max_lines`` calls (a saved notebook
    would otherwise carry every one of 200 000 calls)."""
    trace = result.trace
    if len(trace.events) > max_lines:
        from ..trace import Trace

        trace = Trace(trace.events[:max_lines])
    to_text = getattr(trace, "to_text", None)
    text = to_text() if to_text is not None else "\n".join(
        f"{e.call}(...) = {e.errno}" for e in trace.events)
    rest = len(result.trace.events) - len(trace.events)
    if rest > 0:
        text = text.rstrip("\n") + "\n" + t("kernel_trace_more", n=rest) + "\n"
    return text


def _trace_bundle(result: RunResult, fold_rows: int, max_rows: int) -> dict[str, str] | None:
    """The trace's display: open when short, folded in a ``<details>`` when longer than
    ``fold_rows``; ``None`` for a run without events."""
    events = result.trace.events
    if not events:
        return None
    calls, refused = count_calls(result)
    title = html.escape(t("kernel_trace_title", n=calls, refused=refused))
    table = result.trace.to_html(max_rows=max_rows)
    is_open = " open" if len(events) <= fold_rows else ""
    body = (
        f'<details class="wasikernel-trace"{is_open}><summary>{title}</summary>{table}</details>'
    )
    return {"text/html": body, "text/plain": _trace_text(result)}


def show_trace(result: RunResult, *, fold_rows: int = 12, max_rows: int = 500) -> Any:
    """Display the trace: open when short, folded in a ``<details>`` when longer than
    ``fold_rows`` (or when it holds no refusal worth seeing at once). Returns the display's
    handle (its ``update`` shows another run's trace in its place), or ``None``."""
    bundle = _trace_bundle(result, fold_rows, max_rows)
    if bundle is None:
        return None
    return display(bundle, raw=True, display_id=True)


def show_widget(name: str, result: RunResult | list[RunResult], rerun: Any = None) -> None:
    """Display one widget (trace, memory, stack, sandbox, or all four linked) of ``result``
    (for the sandbox, a list of runs draws them in one diagram).

    ``rerun(sandbox) -> RunResult`` lets the sandbox view run the module again with other
    capabilities.
    When the widget cannot be built (the widgets are missing or fail), a short note is shown
    and, for the trace, the static table instead; a learner never sees a traceback.
    """
    class_name = {"trace": "TraceView", "memory": "MemoryView", "stack": "StackView",
                  "sandbox": "SandboxView", "all": "RunView"}[name]
    try:
        from .. import widgets

        cls = getattr(widgets, class_name)
        # a run of the stepper engine carries its recorded steps: the stack view walks them
        history = widgets.stack_view.steps_of(result) if isinstance(result, RunResult) else None
        if name == "all":
            widget: Any = cls(result, rerun=rerun, history=history)
        elif name == "sandbox":
            widget = cls(result, rerun=rerun)
        elif name == "stack" and history is not None:
            widget = cls(result, history=history)
        else:
            widget = cls(result)
    except Exception as exc:  # the widget layer must never break a cell
        note = t("kernel_widgets_missing", error=f"{class_name}: {exc}")
        display({"text/plain": note}, raw=True)
        if name == "trace":
            show_trace(result, fold_rows=0)
        return
    display(widget)


def show_run(
    result: RunResult,
    *,
    trace: bool = True,
    widgets: tuple[str, ...] = (),
    fold_rows: int = 12,
    rerun: Any = None,
) -> None:
    """Display what follows a run: the summary, the trap, what is kept, the trace, widgets.

    A re-run from the sandbox view (a capability toggled) puts its own summary and trace in
    place of this run's, so the cell's printed lines always describe the run its views show.
    """
    summary = display({"text/html": _summary_html(result), "text/plain": summary_text(result)},
                      raw=True, display_id=True)
    if result.trap is not None and (result.trap.frames or "\n" in result.trap.message):
        text = trap_text(result.trap)
        display(
            {
                "text/plain": text,
                "text/html": f'<pre class="wasikernel-trap" style="color:#cf222e">'
                f"{html.escape(text)}</pre>",
            },
            raw=True,
        )
    exports = getattr(result.module, "exports", None)
    if exports:
        listed = ", ".join(f"{name}{sig}" if sig.startswith("(") else f"{name} {sig}"
                           for name, sig in exports.items() if not name.startswith("__"))
        if listed:
            display({"text/plain": t("kernel_kept", exports=listed)}, raw=True)
    dropped = getattr(result.trace, "dropped", 0)
    shown_trace = None
    if trace and "trace" not in widgets:
        shown_trace = show_trace(result, fold_rows=fold_rows)
        if dropped:
            display({"text/plain": t("trace_dropped", dropped=dropped,
                                     kept=len(result.trace.events))}, raw=True)
    if rerun is not None:
        first_rerun = rerun

        def rerun(sandbox: Any) -> RunResult:  # the same re-run, and the cell's lines follow it
            new = first_rerun(sandbox)
            if summary is not None:
                summary.update({"text/html": _summary_html(new),
                                "text/plain": summary_text(new)}, raw=True)
            bundle = _trace_bundle(new, fold_rows, 500)
            if shown_trace is not None and bundle is not None:
                shown_trace.update(bundle, raw=True)
            return new

    if set(widgets) >= {"trace", "memory", "stack", "sandbox"}:
        show_widget("all", result, rerun)
        return
    for name in widgets:
        show_widget(name, result, rerun)


def _short_bytes(data: bytes | None, limit: int = 60) -> str:
    if data is None:
        return "None"
    shown = repr(data[:limit]) + ("..." if len(data) > limit else "")
    return f"{shown} ({len(data)} bytes)"


def pretty_run(result: RunResult, p: Any, cycle: bool) -> None:
    """IPython's text form of a RunResult: a few lines, never the guest's memory (the dataclass
    repr of a C run is over 100 MB of bytes)."""
    if cycle:
        p.text("RunResult(...)")
        return
    memory = result.memory_after if result.memory_after is not None else result.memory_before
    lines = [
        f"RunResult({summary_text(result)})",
        f"  stdout: {_short_bytes(result.stdout)}",
        f"  stderr: {_short_bytes(result.stderr)}",
        f"  trace: {len(result.trace.events)} events"
        + (f" (+{result.trace.dropped} dropped)" if result.trace.dropped else "")
        + (f" · memory: {len(memory)} bytes" if memory is not None else ""),
    ]
    if result.trap is not None:
        lines.append("  trap: " + trap_text(result.trap, max_lines=6).replace("\n", "\n  "))
    exports = getattr(result.module, "exports", None)
    if exports:
        lines.append("  module: " + ", ".join(f"{n}{sig}" for n, sig in exports.items()))
    p.text("\n".join(lines))


def pretty_trace(trace: Any, p: Any, cycle: bool) -> None:
    """IPython's text form of a Trace: its size and its first calls, strace-like."""
    if cycle:
        p.text("Trace(...)")
        return
    head = f"Trace({len(trace.events)} events" + (
        f", {trace.dropped} dropped)" if trace.dropped else ")")
    lines = trace.to_text().splitlines() if hasattr(trace, "to_text") else []
    more = f"\n  ... {len(lines) - 20} more lines" if len(lines) > 20 else ""
    p.text(head + "".join("\n  " + line for line in lines[:20]) + more)
