"""The static HTML form of each view: what nbconvert, nbviewer and GitHub show without a kernel.

Colours come from JupyterLab's ``--jp-*`` variables (with fallbacks for pages outside
JupyterLab); meaning never rests on colour alone: refusals say "refused" and byte highlights
are ``<mark>`` elements, so a sanitiser that drops the styles keeps the sense.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from typing import Any

from ..messages import t
from ..result import RunResult
from ..trace import counted, html_table
from . import _model

__all__ = ["STYLE", "trace_html", "memory_html", "stack_html", "sandbox_html", "run_html"]

STYLE = """<style>
.wk-static{font-family:var(--jp-ui-font-family,system-ui,sans-serif);
 font-size:var(--jp-ui-font-size1,13px);color:var(--jp-ui-font-color1,#1f1f1f);margin:4px 0}
.wk-static h4{margin:6px 0 4px;font-size:var(--jp-ui-font-size2,14px)}
.wk-static table{border-collapse:collapse;font-family:var(--jp-code-font-family,monospace);
 font-size:var(--jp-code-font-size,12px)}
.wk-static th,.wk-static td{padding:1px 8px;text-align:left;vertical-align:top;
 border-bottom:1px solid var(--jp-border-color2,#e0e0e0)}
.wk-static th{color:var(--jp-ui-font-color2,#555);font-weight:600}
.wk-static tr.wk-refused td,.wk-static tr.wk-denied td{color:var(--jp-error-color1,#d93025)}
.wk-static tr.wk-denied{background:transparent!important}
.wk-static .wk-reason{color:var(--jp-error-color1,#d93025);font-family:var(--jp-ui-font-family,
 sans-serif)}
.wk-static .wk-note{color:var(--jp-ui-font-color2,#5f6368)}
.wk-static pre.wk-hex{font-family:var(--jp-code-font-family,monospace);
 font-size:var(--jp-code-font-size,12px);line-height:1.35;margin:2px 0}
.wk-static mark{background:var(--jp-warn-color3,#fff3c4);color:inherit}
.wk-static mark.wk-w{background:var(--jp-error-color3,#fad2cf)}
.wk-static mark.wk-diff{background:var(--jp-success-color3,#cdebd4)}
.wk-static .wk-swatch{display:inline-block;width:10px;height:10px;margin-right:4px;
 border-radius:2px;vertical-align:middle}
.wk-static .wk-svg svg{max-width:100%;height:auto;color:var(--jp-ui-font-color1,#1f1f1f)}
</style>"""

REGION_COLORS = {"stack": "#8e7cc3", "data": "#e69138", "heap": "#6aa84f"}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _wrap(kind: str, body: str) -> str:
    return f'{STYLE}<div class="wk-static wk-{kind}">{body}</div>'


# -- trace ---------------------------------------------------------------------------------


def _more_calls(n: int, refusals_follow: bool) -> str:
    return t("html_more_calls", n=n) + (t("html_refusals_follow") if refusals_follow else "")


def trace_html(result: RunResult, max_rows: int = 200) -> str:
    """The trace as HTML: the trace's one table (:func:`wasikernel.trace.html_table`: its first
    ``max_rows`` calls, refusals marked with their reason, and the refusals past the cut too),
    then a per-call summary."""
    events = result.trace.events
    calls, refused = counted(events)  # as the cell's summary and the live widget count
    head = f"<h4>{_e(t('widget_trace_title', n=calls, refused=refused))}</h4>"
    table = html_table(events, max_rows, dropped=result.trace.dropped, more=_more_calls)
    counts = Counter(ev.call for ev in events)
    denied = Counter(ev.call for ev in events if ev.denied)
    summary = "".join(
        f"<tr><td>{_e(call)}</td><td>{n:,}</td><td>{denied[call]:,}</td></tr>"
        for call, n in counts.most_common()
    )
    summary = (
        f"<details><summary>{_e(t('html_calls_by_name'))}</summary><table><thead><tr>"
        f"<th>{_e(t('widget_trace_call'))}</th><th>{_e(t('html_col_count'))}</th>"
        f"<th>{_e(t('html_col_refused'))}</th></tr></thead><tbody>{summary}</tbody></table>"
        "</details>"
    )
    return _wrap("trace", head + table + summary)


# -- memory --------------------------------------------------------------------------------


def _hex_rows(
    mem: bytes, start: int, end: int, marks: list[tuple[int, int, str]], width: int = 16
) -> str:
    lines = []
    start -= start % width
    for row in range(start, min(end, len(mem)), width):
        chunk = mem[row : row + width]
        hexes: list[tuple[str | None, str]] = []
        chars: list[tuple[str | None, str]] = []
        for k, byte in enumerate(chunk):
            addr = row + k
            cls = next((m for a, b, m in marks if a <= addr < b), None)
            hexes.append((cls, f"{byte:02x}"))
            chars.append((cls, chr(byte) if 32 <= byte < 127 else "."))
        lines.append(f"{row:08x}  {_runs(hexes, ' ')}  {_runs(chars, '')}")
    return '<pre class="wk-hex">' + "\n".join(lines) + "</pre>"


def _runs(cells: list[tuple[str | None, str]], sep: str) -> str:
    """Cells joined by ``sep``, each run of cells of one class wrapped in one ``<mark>``."""
    out, k = [], 0
    while k < len(cells):
        cls = cells[k][0]
        j = k
        while j < len(cells) and cells[j][0] == cls:
            j += 1
        text = _e(sep.join(c for _, c in cells[k:j]))
        out.append(text if cls is None else f'<mark class="{cls}">{text}</mark>')
        k = j
    return sep.join(out)


def memory_html(result: RunResult, max_windows: int = 4, window_rows: int = 6) -> str:
    """The memory as HTML: size, coloured region legend, and hex dumps of the places that
    changed during the run (changed bytes marked), at most ``max_windows`` of them."""
    mem = result.memory_after
    if mem is None:
        return _wrap("memory", f"<h4>{_e(t('widget_memory_title_empty'))}</h4>"
                     f"<p class='wk-note'>{_e(_model.no_memory_note(result))}</p>")
    size = len(mem)
    regs = _model.regions(result.layout, size)
    legend = "".join(
        f'<li><span class="wk-swatch" style="background:{REGION_COLORS[r["kind"]]}"></span>'
        + _e(t("html_region", name=r["name"], start=hex(r["start"]), end=hex(r["end"]),
               n=r["end"] - r["start"]))
        + "</li>"
        for r in regs
    )
    if not regs:
        legend = f"<li class='wk-note'>{_e(t('widget_no_layout'))}</li>"
    pages = size // 65536
    head = f"<h4>{_e(t('widget_memory_title', n=size, pages=pages))}</h4><ul>{legend}</ul>"
    page = 16384
    changed = _model.changed_pages(result.memory_before, mem, page)
    ranges = _model.changed_ranges(result.memory_before, mem, page, limit=200, max_pages=8)
    body = []
    if ranges and len(changed) > 8:
        body.append(f"<p>{_e(t('html_pages_changed', n=len(changed)))}</p>")
    elif ranges:
        total = sum(b - a for a, b in ranges)
        body.append(f"<p>{_e(t('html_bytes_changed', n=total, places=len(ranges)))}</p>")
        marks = [(a, b, "wk-diff") for a, b in ranges]
        shown_until = -1
        for a, _b in ranges:
            if len(body) > max_windows or a < shown_until:
                continue
            lo = max(0, a - a % 16 - 16)
            hi = min(size, lo + window_rows * 16)
            body.append(_hex_rows(mem, lo, hi, marks))
            shown_until = hi
    elif result.memory_before is not None:
        body.append(f"<p class='wk-note'>{_e(t('html_no_change'))}</p>")
    first = next((r for r in regs if r["kind"] == "data"), None)
    if first is not None and not ranges:
        body.append(f"<p>{_e(t('html_data_start', addr=hex(first['start'])))}</p>")
        body.append(_hex_rows(mem, first["start"], first["start"] + window_rows * 16, []))
    return _wrap("memory", head + "".join(body))


# -- stack ---------------------------------------------------------------------------------


def stack_html(result: RunResult) -> str:
    """The stack as HTML: the trap's wasm backtrace (or how the run ended), and the
    shadow-stack pointer samples with where they come from."""
    parts = [f"<h4>{_e(t('widget_stack_title'))}</h4>"]
    if result.trap is not None:
        frames = "".join(
            f"<tr><td>{i}</td><td>{_e(f.func_name or f'func[{f.func_index}]')}</td>"
            f"<td>{'' if f.module_offset is None else hex(f.module_offset)}</td>"
            f"<td>{_e(f.source or '')}</td></tr>"
            for i, f in enumerate(result.trap.frames)
        )
        parts.append(f'<p class="wk-reason">{_e(t("html_trap", message=result.trap.text()))}</p>')
        if frames:
            heads = "".join(f"<th>{_e(t(key))}</th>" for key in (
                "trace_col_seq", "widget_stack_col_function", "widget_stack_col_offset",
                "widget_stack_col_source"))
            parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>{frames}</tbody></table>")
        else:
            parts.append(f"<p class='wk-note'>{_e(t('widget_stack_no_backtrace'))}</p>")
    elif result.limit is not None:
        parts.append(f'<p class="wk-reason">{_e(t("widget_stopped_by_limit", limit=result.limit))}'
                     "</p>")
    else:
        parts.append(f"<p>{_e(t('html_exited_no_trap', code=result.exit_code))}</p>")
    samples, source = _model.stack_pointer_samples(result)
    hw = _model.stack_high_water(result)
    if hw is not None and result.layout is not None and result.layout.stack_high is not None:
        top = result.layout.stack_high
        deepest = t("widget_stack_deepest", addr=hex(hw), n=top - hw, top=hex(top))
        parts.append(f"<p>{_e(deepest)}</p>")
    if samples:
        rows = "".join(
            f"<tr><td>{_e(result.trace.events[i].seq)}</td><td>{_e(call)}</td>"
            f"<td>0x{addr:x}</td></tr>"
            for i, addr, call in samples[:50]
        )
        parts.append(f"<p class='wk-note'>{_e(t('widget_stack_pointer', source=source))}</p>")
        heads = "".join(f"<th>{_e(t(key))}</th>" for key in (
            "trace_col_seq", "widget_trace_call", "html_col_stack_pointer"))
        parts.append(f"<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>")
    else:
        parts.append(f"<p class='wk-note'>{_e(t('widget_stack_pointer', source=source))}</p>")
    return _wrap("stack", "".join(parts))


# -- sandbox -------------------------------------------------------------------------------


def sandbox_html(result: RunResult, svg: str | None = None,
                 b: _model.Boundary | None = None) -> str:
    """The boundary as HTML: the diagram (inline SVG) and a table of what was refused
    (``b``, the boundary, is worked out from ``result`` when not given)."""
    b = b if b is not None else _model.boundary(result)
    if svg is None:
        from ._diagram import render_svg

        svg = render_svg(result, b)
    refused = []
    for r in b.resources.values():
        for call, n in r.refused.items():
            refused.append(f"<tr class='wk-refused'><td>{_e(r.label)}</td><td>{_e(call)}</td>"
                           f"<td>{n}</td><td>{_e(r.reasons.get(call, ''))}</td></tr>")
    for ev in b.link_refused:
        refused.append(f"<tr class='wk-refused'><td>{_e(t('widget_at_link_time'))}</td>"
                       f"<td>{_e(ev.call)}</td>"
                       f"<td>1</td><td>{_e(ev.reason or '')}</td></tr>")
    heads = "".join(f"<th>{_e(t(key))}</th>" for key in (
        "html_col_resource", "widget_sandbox_col_call", "html_col_refused",
        "widget_sandbox_col_reason"))
    table = (
        f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(refused)}</tbody></table>"
        if refused
        else f"<p>{_e(t('widget_sandbox_nothing_refused'))}</p>"
    )
    return _wrap(
        "sandbox",
        f"<h4>{_e(t('widget_sandbox_title'))}</h4><div class='wk-svg'>{svg}</div>{table}",
    )


def run_html(result: RunResult) -> str:
    """All four static views, one after the other."""
    return "".join(
        [trace_html(result), memory_html(result), sandbox_html(result), stack_html(result)]
    )


def script_json(value: Any) -> str:
    """``value`` as JSON safe to put inside a ``<script>`` element."""
    return json.dumps(value).replace("</", "<\\/")
