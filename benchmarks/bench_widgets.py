"""The widgets' first paint on the kernel side: a 64 MiB memory and a 100,000-call trace.

What the browser needs before it can draw is measured, not the drawing itself (the browser
tests check the drawing): each view's construction, its display bundle (the widget reference
and the static HTML form), and its first page of memory or first block of rows. Baselines are
what a widget that sent everything would pay: copying the whole memory once, serialising every
event to JSON once. Targets: under 300 ms, at most 64 KiB a message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from harness import Row, median_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import widget_samples as ws  # noqa: E402

from wasikernel.widgets import MemoryView, TraceView  # noqa: E402
from wasikernel.widgets._model import event_json  # noqa: E402
from wasikernel.widgets.memory_view import MAX_MESSAGE_BYTES  # noqa: E402

TARGET_S = 0.300


def _message_bytes(content: dict, buffers: list) -> int:
    return len(json.dumps(content).encode()) + sum(len(bytes(b)) for b in buffers)


def rows() -> list[Row]:
    mem_result = ws.big_result(n=10, memory_mib=64)
    trace_result = ws.big_result(n=100_000, memory_mib=1)

    def memory_first_paint() -> None:
        view = MemoryView(mem_result)
        view._repr_mimebundle_()  # what displaying it costs: widget reference + static HTML
        view.page_message(0)
        view.close()

    def copy_whole_memory() -> None:
        bytes(bytearray(mem_result.memory_after))

    def trace_first_paint() -> None:
        view = TraceView(trace_result)
        view._repr_mimebundle_()  # widget reference + static HTML (first 200 rows, summary)
        view.rows(0, 100)
        view.close()

    def trace_as_json() -> None:
        json.dumps([event_json(i, ev) for i, ev in enumerate(trace_result.trace.events)])

    mem = median_of(memory_first_paint, repeat=5)
    mem_base = median_of(copy_whole_memory, repeat=5)
    trace = median_of(trace_first_paint, repeat=5)
    trace_base = median_of(trace_as_json, repeat=3)

    view = MemoryView(mem_result)
    sizes = [_message_bytes(*view.page_message(i)) for i in (0, 1, view.size // view.page_size - 1)]
    sizes += [_message_bytes(*view.page_message(0, "before"))]
    per_page = max(sizes)
    view.close()

    browser = Path(__file__).resolve().parent.parent / "test-artifacts/memory-first-paint-ms.txt"
    seen = (f"; in Chromium the last browser test drew the first bytes "
            f"{browser.read_text().strip()} ms after the view was created (kernel round trip "
            f"included)") if browser.exists() else ""
    return [
        Row("memory view first paint, 64 MiB (build + display bundle + first page)", mem, "s",
            "copy the whole 64 MiB memory once", mem_base, target="< 300 ms",
            met=mem < TARGET_S,
            note=f"{mem * 1e3:.1f} ms against the 300 ms target; the 64 MiB before/after "
                 f"page diff is computed at build time{seen}"),
        Row("memory view bytes per page message (largest)", per_page, "B",
            "64 KiB message limit", MAX_MESSAGE_BYTES, target="<= 1x"),
        Row("100,000-call trace first paint (build + display bundle + 100 rows)", trace, "s",
            "serialise every event to JSON once", trace_base, target="< 300 ms",
            met=trace < TARGET_S,
            note=f"{trace * 1e3:.1f} ms against the 300 ms target"),
    ]
