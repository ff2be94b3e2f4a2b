"""The sandbox-boundary diagram: module → WASI host → resources, drawn by graphviz as SVG,
or by our own small layout (:mod:`._drawing`) where graphviz's ``dot`` is missing (a browser).

Edges carry call counts; refused calls travel a red edge labelled with the reason; imports the
host refused at link time hang off the module in red. Text uses ``currentColor`` so the SVG
reads in light and dark themes; refused edges keep an explicit red that reads on both.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

from ..messages import t
from ..result import RunResult
from ..trace import short_call  # the trace table's short name for a WIT call, on the edges too
from ._model import Boundary, Resource, boundary

__all__ = ["build_graph", "render_svg", "REFUSED_COLOR"]

REFUSED_COLOR = "#d93025"
GRANTED_COLOR = "#1a73e8"
UNUSED_COLOR = "#9aa0a6"
FONT = "Helvetica"
FG = "#010203"  # replaced by currentColor in the SVG


def _counts(counter: dict[str, int], limit: int = 3) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    text = "\\n".join(f"{_gv(short_call(call))} ×{n}" for call, n in items[:limit])
    if len(items) > limit:
        text += "\\n" + t("widget_more", n=len(items) - limit)
    return text


def _gv(text: str) -> str:
    """``text`` safe inside a graphviz label: printable characters only, backslashes doubled
    (graphviz reads ``\\N``, ``\\G``, ``\\l`` ... as escapes; a path or an import name comes
    from the guest)."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text.replace("\\", "\\\\")


def _cut(text: str, limit: int = 48) -> str:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return _gv(text)


def _wrap(text: str, width: int = 34, lines: int = 3) -> str:
    words, out, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            out.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1] + " …"
        out[-1] = last if len(last) <= width + 2 else last[: width + 1] + "…"
    return "\\n".join(_gv(line) for line in out)


def build_graph(result: RunResult, b: Boundary | None = None, into: Any = None) -> Any:
    """The diagram of ``result``'s sandbox boundary, described into ``into`` (anything with
    graphviz's ``attr``/``node``/``edge``; a new ``graphviz.Digraph`` by default), not drawn."""
    b = b or boundary(result)
    if into is None:
        import graphviz  # on first use: a browser (Pyodide) has neither it nor ``dot``

        into = graphviz.Digraph("boundary")
    g = into
    g.attr(rankdir="LR", bgcolor="transparent", fontname=FONT, nodesep="0.18", ranksep="0.9")
    g.attr("node", shape="box", style="rounded", fontname=FONT, fontsize="11",
           color=FG, fontcolor=FG, penwidth="1.2")
    g.attr("edge", fontname=FONT, fontsize="9", color=FG, fontcolor=FG,
           arrowsize="0.6")
    name = result.sandbox.program_name
    g.node("module", f"{t('widget_module')}\\n{_cut(name, 28)}\\n({result.engine})",
           id="node-module",
           **{"class": "wk-module"}, penwidth="1.8")
    g.node("host", f"{t('widget_host')}\\n{_gv(_abi_of(result))}", id="node-host",
           **{"class": "wk-host"}, penwidth="1.8")
    g.edge("module", "host", t("kernel_calls", n=b.total_calls),
           id="edge-module-host", **{"class": "wk-edge"})
    for r in b.resources.values():
        _resource(g, r)
    for i, ev in enumerate(b.link_refused):
        node = f"link{i}"
        module = ev.args.get("module", "")
        label = f"import {module}.{ev.call}" if module else f"import {ev.call}"
        g.node(node, f"{_cut(label, 40)}\\n{t('widget_not_provided')}", id=f"node-{node}",
               color=REFUSED_COLOR, fontcolor=REFUSED_COLOR, style="rounded,dashed",
               **{"class": "wk-refused"})
        g.edge("module", node, _wrap(t("widget_refused_at_link_because", reason=ev.reason or ""),
                                     30),
               id=f"edge-link-{i}", color=REFUSED_COLOR, fontcolor=REFUSED_COLOR,
               style="dashed", tooltip=_gv(ev.reason or t("widget_refused_at_link")),
               **{"class": "wk-edge wk-refused"})
    return g


def _graphviz_importable() -> bool:
    import importlib.util

    return importlib.util.find_spec("graphviz") is not None


def _abi_of(result: RunResult) -> str:
    """What the host served: ``wasi_snapshot_preview1``, or the preview 2 world
    ``wasi:cli/command@0.2.x`` for a component (its version read off the trace)."""
    for ev in result.trace.events:
        if ev.abi == "p2":
            version = ev.call.partition("#")[0].partition("@")[2]
            return f"wasi:cli/command@{version}" if version else "wasi:cli/command"
    return "wasi_snapshot_preview1"


def _label(r: Resource, width: int) -> str:
    """A resource's node text; a component's also names the interfaces it came through."""
    text = _wrap(r.label, width)
    if r.interfaces:
        names = sorted(n.removeprefix("wasi:") for n in r.interfaces)
        more = f" +{len(names) - 2}" if len(names) > 2 else ""
        text += "\\n" + _gv(", ".join(names[:2]) + more)
    return text


def _resource(g: Any, r: Resource) -> None:
    used = bool(r.calls or r.refused)
    if not r.granted:
        g.node(r.key, _label(r, 26), id=f"node-{r.key}", color=REFUSED_COLOR,
               fontcolor=REFUSED_COLOR, style="rounded,dashed", **{"class": "wk-resource"})
    elif used:
        g.node(r.key, _label(r, 30), id=f"node-{r.key}", color=GRANTED_COLOR,
               **{"class": "wk-resource"})
    else:
        g.node(r.key, _label(r, 30), id=f"node-{r.key}", color=UNUSED_COLOR,
               fontcolor=UNUSED_COLOR, **{"class": "wk-resource wk-unused"})
    if not used:  # keeps the node beside the others, drawn as "not used"
        g.edge("host", r.key, id=f"edge-{r.key}-unused", style="dotted", arrowhead="none",
               color=REFUSED_COLOR if not r.granted else UNUSED_COLOR,
               **{"class": "wk-edge wk-unused"})
    if r.calls:
        g.edge("host", r.key, _counts(r.calls), id=r.edge_id, color=GRANTED_COLOR,
               **{"class": "wk-edge"})
    if r.refused:
        n = sum(r.refused.values())
        reason = next(iter(r.reasons.values()), "")
        label = t("widget_refused_times", n=n, calls=_counts(r.refused, 2))
        if reason:
            label += "\\n" + _wrap(reason, 34, 3)
        g.edge("host", r.key, label, id=r.refused_edge_id, color=REFUSED_COLOR,
               fontcolor=REFUSED_COLOR, penwidth="2", style="bold",
               tooltip=_gv(" | ".join(f"{call}: {why}" for call, why in r.reasons.items())
                           or t("widget_refused")),
               **{"class": "wk-edge wk-refused"})


def render_svg(result: RunResult, b: Boundary | None = None) -> str:
    """The boundary diagram of ``result`` as an inline SVG string: laid out by graphviz's
    ``dot`` where it is installed, by :class:`~._drawing.Drawing` elsewhere (a browser)."""
    if shutil.which("dot") is None or not _graphviz_importable():
        from ._drawing import Drawing

        return build_graph(result, b, into=Drawing()).svg()
    svg = build_graph(result, b).pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg") :]
    # the outer white background polygon graphviz draws even with a transparent bgcolor
    svg = re.sub(r'<polygon fill="(white|transparent)" stroke="none"[^>]*/>', "", svg, count=1)
    return svg.replace(FG, "currentColor").replace("&#45;", "-")
