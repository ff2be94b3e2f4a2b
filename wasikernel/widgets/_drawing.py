"""The sandbox diagram drawn without graphviz's ``dot`` (a browser under Pyodide has none).

:class:`Drawing` takes the same ``node``/``edge``/``attr`` calls as a ``graphviz.Digraph``, so
:func:`~._diagram.build_graph` describes the boundary once for both; :meth:`Drawing.svg` lays it
out left to right by hand: each node in the column of its distance from the first node (the
module, then the host and the imports refused at link, then the resources), each edge fanning
out of its node then running level into the node it reaches, under or over its label. Ids,
classes and tooltips are graphviz's, so the widget's script and style treat both drawings alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

__all__ = ["Drawing"]

NODE_FONT, EDGE_FONT = 11, 9
LINE = {NODE_FONT: 14, EDGE_FONT: 11}
CHAR = {NODE_FONT: 6.3, EDGE_FONT: 5.2}  # the width of a character, about (Helvetica)
PAD_X, PAD_Y, GAP_Y, MARGIN = 10, 7, 8, 8
FAN = 70  # the width where the edges out of a node fan out, before their level runs


def label_lines(label: str) -> list[str]:
    """The lines of a graphviz label: ``\\n`` ends a line, ``\\\\`` is one backslash."""
    lines, line, i = [], "", 0
    while i < len(label):
        ch = label[i]
        if ch == "\\" and i + 1 < len(label):
            nxt = label[i + 1]
            if nxt == "n":
                lines.append(line)
                line = ""
            else:
                line += "\\" if nxt == "\\" else ch + nxt
            i += 2
            continue
        line += ch
        i += 1
    return [*lines, line] if line or not lines else lines


def _width(lines: list[str], size: int) -> float:
    return max((len(line) for line in lines), default=0) * CHAR[size]


@dataclass
class _Node:
    name: str
    lines: list[str]
    attrs: dict[str, str]
    column: int = 0
    x: float = 0.0
    y: float = 0.0  # the top
    width: float = 0.0
    height: float = 0.0
    room: float = 0.0  # the width the labels of the edges into its column take


@dataclass
class _Edge:
    tail: str
    head: str
    lines: list[str]
    attrs: dict[str, str]
    side: int = 0  # -1: drawn above the middle of the two nodes, +1: below, 0: through it


@dataclass
class Drawing:
    """A graph described as to graphviz, drawn by :meth:`svg`."""

    defaults: dict[str, dict[str, str]] = field(default_factory=lambda: {"node": {}, "edge": {}})
    nodes: dict[str, _Node] = field(default_factory=dict)
    edges: list[_Edge] = field(default_factory=list)

    def attr(self, kind: str | None = None, **attrs: Any) -> None:
        """Defaults for nodes (``attr("node", ...)``) or edges; the graph's own are not used."""
        if kind in self.defaults:
            self.defaults[kind].update({k: str(v) for k, v in attrs.items()})

    def node(self, name: str, label: str = "", **attrs: Any) -> None:
        """A box named ``name`` showing ``label`` (graphviz's escapes)."""
        merged = {**self.defaults["node"], **{k: str(v) for k, v in attrs.items()}}
        self.nodes[name] = _Node(name, label_lines(label or name), merged)

    def edge(self, tail: str, head: str, label: str = "", **attrs: Any) -> None:
        """An arrow from ``tail`` to ``head`` labelled ``label`` (graphviz's escapes)."""
        merged = {**self.defaults["edge"], **{k: str(v) for k, v in attrs.items()}}
        self.edges.append(_Edge(tail, head, label_lines(label) if label else [], merged))

    # ----- layout ---------------------------------------------------------------------------

    def _columns(self) -> list[list[_Node]]:
        names = list(self.nodes)
        column = {names[0]: 0} if names else {}
        changed = True
        while changed:  # each node one column right of the nearest node with an edge to it
            changed = False
            for e in self.edges:
                if e.tail in column and e.head not in column:
                    column[e.head] = column[e.tail] + 1
                    changed = True
        columns: list[list[_Node]] = []
        for name in names:
            node = self.nodes[name]
            node.column = column.get(name, 0)
            while len(columns) <= node.column:
                columns.append([])
            columns[node.column].append(node)
        return columns

    def _layout(self) -> tuple[float, float]:
        columns = self._columns()
        between: dict[tuple[str, str], list[_Edge]] = {}
        for e in self.edges:
            between.setdefault((e.tail, e.head), []).append(e)
        for pair in between.values():
            if len(pair) > 1:
                for i, e in enumerate(pair):
                    e.side = -1 if i == 0 else 1
        for n in self.nodes.values():
            n.width = _width(n.lines, NODE_FONT) + 2 * PAD_X
            n.height = len(n.lines) * LINE[NODE_FONT] + 2 * PAD_Y
        x, tallest, heights = MARGIN, 0.0, []
        for c, nodes in enumerate(columns):
            incoming = [e for e in self.edges if self.nodes[e.head].column == c and c > 0]
            room = max((_width(e.lines, EDGE_FONT) for e in incoming), default=0) + 16
            x += room + FAN if c > 0 else 0
            # an edge ends in a level run under or over its label, so a node's slot is twice
            # as tall as the labels on one side of it: the labels of two slots never meet
            slots = []
            for n in nodes:
                into = [e for e in self.edges if e.head == n.name]
                over = max((len(e.lines) for e in into if e.side <= 0), default=0)
                under = max((len(e.lines) for e in into if e.side > 0), default=0)
                slots.append(max(n.height, 2 * (max(over, under) * LINE[EDGE_FONT] + 6)))
            height = sum(slots) + GAP_Y * (len(slots) - 1)
            heights.append((nodes, slots, height))
            tallest = max(tallest, height)
            for n in nodes:
                n.x, n.room = x, room if c > 0 else 0
            x += max(n.width for n in nodes)
        for nodes, slots, height in heights:
            y = MARGIN + (tallest - height) / 2
            for n, slot in zip(nodes, slots, strict=True):
                n.y = y + (slot - n.height) / 2
                y += slot + GAP_Y
        return x + MARGIN, tallest + 2 * MARGIN

    # ----- drawing --------------------------------------------------------------------------

    def svg(self) -> str:
        """The drawing as an inline SVG (text in ``currentColor`` unless an edge says)."""
        width, height = self._layout()
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}pt" '
               f'height="{height:.0f}pt" viewBox="0 0 {width:.0f} {height:.0f}" '
               f'font-family="Helvetica,Arial,sans-serif">']  # fmt: skip
        out += [self._edge_svg(e) for e in self.edges]
        out += [self._node_svg(n) for n in self.nodes.values()]
        out.append("</svg>")
        return "\n".join(out)

    @staticmethod
    def _color(value: str | None) -> str:
        return "currentColor" if not value or value.startswith("#0102") else escape(value)

    @staticmethod
    def _dash(style: str) -> str:
        if "dashed" in style:
            return ' stroke-dasharray="5,3"'
        if "dotted" in style:
            return ' stroke-dasharray="1,3"'
        return ""

    def _group(self, attrs: dict[str, str]) -> str:
        head = "<g"
        if "id" in attrs:
            head += f' id="{escape(attrs["id"])}"'
        if "class" in attrs:
            head += f' class="{escape(attrs["class"])}"'
        head += ">"
        if "tooltip" in attrs:
            head += f"<title>{escape(attrs['tooltip'])}</title>"
        return head

    def _text(self, lines: list[str], x: float, y: float, size: int, color: str,
              anchor: str = "middle") -> str:  # fmt: skip
        spans = "".join(
            f'<tspan x="{x:.1f}" y="{y + i * LINE[size]:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        return (f'<text text-anchor="{anchor}" font-size="{size}" fill="{color}">'
                f"{spans}</text>")  # fmt: skip

    def _node_svg(self, n: _Node) -> str:
        a = n.attrs
        style = a.get("style", "")
        rx = 6 if "rounded" in style else 0
        stroke = self._color(a.get("color"))
        rect = (f'<rect x="{n.x:.1f}" y="{n.y:.1f}" width="{n.width:.1f}" '
                f'height="{n.height:.1f}" rx="{rx}" fill="none" stroke="{stroke}" '
                f'stroke-width="{a.get("penwidth", "1")}"{self._dash(style)}/>')  # fmt: skip
        first = n.y + PAD_Y + LINE[NODE_FONT] * 0.8
        text = self._text(n.lines, n.x + n.width / 2, first, NODE_FONT,
                          self._color(a.get("fontcolor")))  # fmt: skip
        return f"{self._group(a)}{rect}{text}</g>"

    def _edge_svg(self, e: _Edge) -> str:
        a = e.attrs
        tail, head = self.nodes[e.tail], self.nodes[e.head]
        x1, x2 = tail.x + tail.width, head.x
        y1 = tail.y + tail.height / 2 + e.side * 5
        y2 = head.y + head.height / 2 + e.side * 5
        stroke = self._color(a.get("color"))
        width = "2" if "bold" in a.get("style", "") else a.get("penwidth", "1")
        bend = x2 - head.room  # from here the edge runs level into the node, under its label
        parts = [self._group(a),
                 f'<path d="M{x1:.1f},{y1:.1f} L{bend:.1f},{y2:.1f} L{x2 - 6:.1f},{y2:.1f}" '
                 f'fill="none" stroke="{stroke}" stroke-width="{width}"'
                 f'{self._dash(a.get("style", ""))}/>']
        if a.get("arrowhead") != "none":
            parts.append(f'<polygon points="{x2:.1f},{y2:.1f} {x2 - 7:.1f},{y2 - 3.5:.1f} '
                         f'{x2 - 7:.1f},{y2 + 3.5:.1f}" fill="{stroke}" stroke="{stroke}"/>')
        if e.lines:
            block = len(e.lines) * LINE[EDGE_FONT]
            top = y2 - block - 3 if e.side <= 0 else y2 + 3
            parts.append(self._text(e.lines, (bend + x2) / 2, top + LINE[EDGE_FONT] * 0.8,
                                    EDGE_FONT, self._color(a.get("fontcolor"))))  # fmt: skip
        parts.append("</g>")
        return "".join(parts)
