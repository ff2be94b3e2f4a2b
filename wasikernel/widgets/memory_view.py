"""``MemoryView``: the linear memory in hex and ASCII, a page at a time.

The browser never receives the whole memory. It asks for one page by custom message
(``{"kind": "page", "index": i, "which": "after" | "before"}``) and gets back
``{"kind": "page", ...}`` with the page's bytes as one binary buffer of ``page_size`` bytes
(16 KiB, at most 64 KiB by contract).
"""

from __future__ import annotations

from typing import Any

import traitlets as t

from ..messages import t as _t
from ..result import MemorySnapshot, RunResult
from ..trace import MemoryAccess
from . import _html, _model
from ._base import StaticHtmlWidget, browser_module, browser_style

__all__ = ["MemoryView", "PAGE_SIZE", "MAX_MESSAGE_BYTES"]

PAGE_SIZE = 16 * 1024
MAX_MESSAGE_BYTES = 64 * 1024
#: above this many changed pages the changed bytes are not counted (the pages are listed)
COUNT_PAGES_LIMIT = 64


def _unchanging(memory: Any) -> MemorySnapshot | bytes:
    """``memory`` itself when nothing can change it under the view (a snapshot, bytes), else
    a copy of its bytes (a bytearray a learner passed in, say)."""
    return memory if isinstance(memory, (MemorySnapshot, bytes)) else bytes(memory)


class MemoryView(StaticHtmlWidget):
    """Hex and ASCII of ``result.memory_after``, regions coloured from ``result.layout``,
    the bytes of a syscall highlighted (``highlight(event)``), and the bytes that changed
    since ``result.memory_before`` marked when ``diff`` is on.

    ``address`` is the first address on screen; setting it scrolls the view there.
    Raises ``TypeError`` when not given a RunResult, ``ValueError`` for a page size over 64 KiB.
    """

    _esm = browser_module("memory.js")
    _words = "memory"
    _css = browser_style("memory.css")

    size = t.Int(0).tag(sync=True)
    page_size = t.Int(PAGE_SIZE).tag(sync=True)
    has_before = t.Bool(False).tag(sync=True)
    diff = t.Bool(True).tag(sync=True)
    changed_pages = t.List().tag(sync=True)
    changed_bytes = t.Int(0).tag(sync=True)  # -1: not counted (too many pages changed)
    regions = t.List().tag(sync=True)
    highlights = t.List().tag(sync=True)  # [{"addr", "len", "access"}, ...]
    highlight_label = t.Unicode("").tag(sync=True)
    address = t.Int(0).tag(sync=True)
    note = t.Unicode("").tag(sync=True)
    generation = t.Int(0).tag(sync=True)  # bumped when the bytes shown change (a step shown)

    def __init__(self, result: RunResult, *, page_size: int = PAGE_SIZE, **kwargs: Any) -> None:
        if not isinstance(result, RunResult):
            raise TypeError(f"MemoryView needs a RunResult, got {type(result).__name__}")
        if not 0 < page_size <= MAX_MESSAGE_BYTES:
            raise ValueError(f"page_size must be between 1 and {MAX_MESSAGE_BYTES} bytes")
        self.result = result
        after, before = result.memory_after, result.memory_before
        self._after = _unchanging(after) if after is not None else b""
        self._before = _unchanging(before) if before is not None else None
        size = len(self._after)
        pages = _model.changed_pages(self._before, self._after, page_size)
        note = ""
        if after is None:
            note = _model.no_memory_note(result)
        elif result.layout is None:
            note = _t("widget_no_layout")
        super().__init__(
            size=size,
            page_size=page_size,
            has_before=self._before is not None,
            changed_pages=pages,
            regions=_model.regions(result.layout, size),
            note=note,
            **kwargs,
        )
        data = next((r for r in self.regions if r["kind"] == "data"), None)
        if data is not None and "address" not in kwargs:
            self.address = data["start"]  # open on the static data, not on address 0
        if pages:  # counting is per byte: only when few pages changed, to keep paint fast
            count = len(pages) <= COUNT_PAGES_LIMIT
            self.changed_bytes = self._count_changed(pages) if count else -1
        self.on_msg(self._on_message)

    def _count_changed(self, pages: list[int]) -> int:
        before, after, p = self._before or b"", self._after, self.page_size
        n = 0
        for i in pages:
            a, b = after[i * p : (i + 1) * p], before[i * p : (i + 1) * p]
            common = min(len(a), len(b))
            x = int.from_bytes(a[:common], "big") ^ int.from_bytes(b[:common], "big")
            n += common - x.to_bytes(common, "big").count(0) + (len(a) - common)
        return n

    def page_message(self, index: int, which: str = "after") -> tuple[dict, list[memoryview]]:
        """The message that carries page ``index`` of the memory ``which`` ("after" or
        "before"): its JSON content and its one binary buffer (empty past the end).

        Raises ``ValueError`` for another ``which``.
        """
        if which not in ("after", "before"):
            raise ValueError(f'which must be "after" or "before", not {which!r}')
        mem = self._after if which == "after" else (self._before or b"")
        start = index * self.page_size
        chunk = memoryview(mem)[start : start + self.page_size] if 0 <= start < len(mem) else b""
        content = {"kind": "page", "index": index, "which": which, "offset": start,
                   "length": len(chunk)}
        return content, [memoryview(chunk)]

    def _on_message(self, _widget: Any, content: dict, _buffers: list) -> None:
        if isinstance(content, dict) and content.get("kind") == "page":
            which = content.get("which", "after")
            if which in ("after", "before"):
                message, buffers = self.page_message(int(content.get("index", 0)), which)
                self.send(message, buffers=buffers)

    def show_memory(self, data: bytes, writes: list[tuple[int, int]], label: str = "") -> None:
        """Show ``data`` in place of the memory after the run (the memory at a recorded step),
        the bytes in ``writes`` (``(addr, len)``) highlighted as written, and what changed
        since the start of the run marked. The browser forgets the pages it had."""
        self._after = bytes(data)
        pages = _model.changed_pages(self._before, self._after, self.page_size)
        self.size = len(self._after)
        self.changed_pages = pages
        count = pages and len(pages) <= COUNT_PAGES_LIMIT
        self.changed_bytes = self._count_changed(pages) if count else (-1 if pages else 0)
        self.generation += 1
        self.highlight([MemoryAccess(addr, n, "w") for addr, n in writes], label)

    def goto(self, address: int) -> None:
        """Scroll the view to ``address`` (clamped to the memory)."""
        self.address = max(0, min(int(address), max(0, self.size - 1)))

    def highlight(self, accesses: list[MemoryAccess], label: str = "") -> None:
        """Highlight the ranges a call read or wrote, and scroll to the largest of them (the
        data of a read or write, rather than its iovec array or its result word)."""
        self.highlights = [
            {"addr": m.addr, "len": m.len, "access": m.access} for m in accesses if m.len > 0
        ]
        self.highlight_label = label
        if self.highlights:
            largest = max(self.highlights, key=lambda m: m["len"])
            self.goto(largest["addr"] - largest["addr"] % 16 - 32)

    def to_html(self) -> str:
        """The static HTML form: size, regions and hex dumps of what changed."""
        return _html.memory_html(self.result)
