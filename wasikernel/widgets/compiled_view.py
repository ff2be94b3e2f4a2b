"""``CompiledView``: what a C or Rust cell became, as Compiler Explorer shows a compilation.

The cell's source on the left and its functions as WAT on the right; each source line and the
instructions that came from it share a colour, and each run of instructions is labelled with its
line (``cell.c:4``). Clicking a source line highlights its instructions, clicking an instruction
highlights its source line (``selected_line``, synced both ways).
"""

from __future__ import annotations

import posixpath
from typing import Any

import traitlets as t

from ..compile.listing import Listing
from ..messages import t as _t
from . import _html
from ._base import StaticHtmlWidget, browser_module, browser_style

__all__ = ["COLOURS", "CompiledView", "PALETTE_SIZE"]


class CompiledView(StaticHtmlWidget):
    """The source and the WAT of ``listing`` side by side, linked by source line.

    ``selected_line`` is the source line highlighted on both sides (-1: none).
    Raises ``TypeError`` when not given a :class:`~wasikernel.compile.listing.Listing`.
    """

    _esm = browser_module("compiled.js")
    _words = "compiled"
    _css = browser_style("compiled.css")

    filename = t.Unicode("").tag(sync=True)
    source = t.List().tag(sync=True)  # the cell's lines, the first is line 1
    functions = t.List().tag(sync=True)  # [{"name", "lines": [[text, offset, line], ...]}]
    left_out = t.Int(0).tag(sync=True)
    selected_line = t.Int(-1).tag(sync=True)

    def __init__(self, listing: Listing, **kwargs: Any) -> None:
        if not isinstance(listing, Listing):
            raise TypeError(f"CompiledView needs a Listing, got {type(listing).__name__}")
        self.listing = listing
        super().__init__(
            filename=posixpath.basename(listing.filename),
            source=listing.source.splitlines(),
            functions=[
                {"name": f.name, "lines": [[ln.text, ln.offset, ln.line] for ln in f.lines]}
                for f in listing.functions
            ],
            left_out=listing.left_out,
            **kwargs,
        )

    @t.validate("selected_line")
    def _known_line(self, proposal: dict) -> int:
        line = int(proposal["value"])
        return line if 1 <= line <= len(self.source) else -1

    def colour_ranks(self) -> dict[int, int]:
        """Each source line that has code -> its place among them: the lines take the
        colours in turn, so that neighbouring lines never share one."""
        lined = sorted({ln for f in self.functions for _text, _off, ln in f["lines"] if ln})
        return {line: i for i, line in enumerate(lined)}

    def select(self, line: int) -> None:
        """Highlight source ``line`` and its instructions, as a click on it does."""
        self.selected_line = line

    def to_html(self) -> str:
        """The static HTML form: the source with each line's colour, then the WAT with each
        instruction in the colour of its line and labelled ``FILE:LINE`` where a run begins."""
        name = self.filename
        rank = self.colour_ranks()
        source = "".join(
            f'<span class="{_colour(rank[i]) if i in rank else ""}">'
            f"{i:>4}  {_html._e(text)}</span>\n"
            for i, text in enumerate(self.source, 1)
        )
        wat = []
        for f in self.functions:
            previous = None
            for text, _offset, line in f["lines"]:
                label = f"  ;; {name}:{line}" if line and line != previous else ""
                previous = line or previous
                wat.append(f'<span class="{_colour(rank[line]) if line else ""}">'
                           f"{_html._e(text)}{_html._e(label)}</span>")
        head = _t("widget_compiled_title", file=name, n=len(self.functions), left=self.left_out)
        body = (f"<h4>{_html._e(head)}</h4>"
                f'<div class="wk-cols"><pre class="wk-src">{source}</pre>'
                f'<pre class="wk-wat">{chr(10).join(wat)}</pre></div>')
        return f"{_html.STYLE}{_STYLE}<div class=\"wk-static wk-compiled\">{body}</div>"


def _colour(rank: int) -> str:
    return f"wk-c{rank % PALETTE_SIZE}"


#: the colours the source lines cycle through (compiled.css gives the live view the same)
COLOURS = ("66,133,244,.18", "52,168,83,.2", "251,188,5,.22", "234,67,53,.16",
           "142,124,195,.22", "0,172,193,.2", "255,112,67,.2", "124,179,66,.22")
PALETTE_SIZE = len(COLOURS)
_STYLE = ("<style>.wk-compiled .wk-cols{display:flex;gap:12px;align-items:flex-start}"
          ".wk-compiled pre{font-family:var(--jp-code-font-family,monospace);"
          "font-size:var(--jp-code-font-size,12px);line-height:1.35;margin:2px 0;overflow:auto}"
          ".wk-compiled pre span{display:block}"
          + "".join(f".wk-compiled .wk-c{i}{{background:rgba({c})}}" for i, c in enumerate(COLOURS))
          + "</style>")
