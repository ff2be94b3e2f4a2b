"""The widgets' state and their static HTML, from RunResults shaped like the host's."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
import widget_samples as ws

from wasikernel.kernel._display import summary_text
from wasikernel.sandbox import Sandbox
from wasikernel.trace import Trace
from wasikernel.widgets import MemoryView, RunView, SandboxView, StackView, TraceView, show
from wasikernel.widgets._base import static_dir
from wasikernel.widgets.memory_view import MAX_MESSAGE_BYTES
from wasikernel.widgets.sandbox_view import apply_grants

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class _Collect(HTMLParser):
    """Text of an HTML fragment, and whether its tags balance."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.stack: list[str] = []
        self.balanced = True
        self.marks = 0

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            self.marks += 1
        if tag not in ("br", "meta", "input", "img", "path", "polygon", "ellipse", "polyline"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("path", "polygon", "ellipse", "polyline"):
            return
        if not self.stack or self.stack.pop() != tag:
            self.balanced = False

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> _Collect:
    p = _Collect()
    p.feed(fragment)
    p.close()
    return p


def sent(widget):
    """Capture what ``widget.send`` sends."""
    out = []
    widget.send = lambda content, buffers=None: out.append((content, buffers or []))
    return out


# -- trace ---------------------------------------------------------------------------------


def test_trace_counts_calls_and_refusals():
    v = TraceView(ws.run_result())
    assert v.count == 16 and v.shown == 16
    assert v.refused == 4
    calls = {c: (n, r) for c, n, r in v.calls}
    assert calls["path_open"] == (3, 2)
    assert v.fds == [1, 3, 4, 5]


def test_trace_rows_are_sent_a_block_at_a_time_on_request():
    v = TraceView(ws.big_result(5000))
    out = sent(v)
    v._on_message(v, {"kind": "rows", "start": 100, "stop": 200, "version": 0}, [])
    (content, buffers), = out
    assert content["start"] == 100 and len(content["rows"]) == 100
    assert [r["i"] for r in content["rows"]] == list(range(100, 200))
    # a request past the end gets what there is, a huge one is capped
    v._on_message(v, {"kind": "rows", "start": 4990, "stop": 6000, "version": 0}, [])
    assert len(out[-1][0]["rows"]) == 10
    v._on_message(v, {"kind": "rows", "start": 0, "stop": 10**9, "version": 0}, [])
    assert len(out[-1][0]["rows"]) == 500


def test_trace_filters_by_call_fd_and_refusals():
    v = TraceView(ws.run_result())
    v0 = v.version
    v.filter_call = "path_open"
    assert v.shown == 3 and v.version == v0 + 1
    assert [r["seq"] for r in v.rows(0, 10)] == [5, 8, 10]
    v.refused_only = True
    assert [r["seq"] for r in v.rows(0, 10)] == [8, 10]
    v.filter_call = ""
    assert [r["call"] for r in v.rows(0, 10)] == [
        "path_open", "libc_path_refused", "path_open", "sock_accept"]
    v.refused_only = False
    v.filter_fd = "1"
    assert [r["call"] for r in v.rows(0, 10)] == ["fd_write"]
    v.filter_fd = "not a number"
    assert v.shown == 0
    v.filter_fd = ""
    assert v.shown == 16


def test_trace_rows_carry_the_reason_of_a_refusal():
    row = TraceView(ws.run_result()).row(8)
    assert row["denied"] and row["errno"] == "notcapable"
    assert "outside every folder" in row["reason"]
    assert 'path="../etc/passwd"' in row["args"]


def test_selecting_a_row_opens_its_decoded_event():
    v = TraceView(ws.run_result())
    v.selected = 5
    assert v.detail["call"] == "path_open"
    assert v.detail["args"]["path"] == "notes.txt"
    assert v.detail["results"] == {"opened_fd": 5}
    assert v.detail["memory"][0] == {"addr": ws.DATA_START + 100, "len": 9, "access": "r"}
    v.selected = -1
    assert v.detail == {}


def test_trace_accepts_a_bare_trace_and_refuses_other_things():
    assert TraceView(Trace(ws.events())).count == 16
    with pytest.raises(TypeError, match="RunResult or a Trace"):
        TraceView("strace output")


def test_trace_static_html_marks_refusals_and_cuts_long_traces():
    page = TraceView(ws.run_result()).to_html()
    p = parse(page)
    text = "".join(p.text)
    assert p.balanced
    # the count the cell's summary prints: 15 WASI calls (the libc refusal is no call)
    assert "15 WASI calls, 4 refused" in text
    assert "15 WASI calls · 4 refused" in summary_text(ws.run_result())
    assert text.count("(refused)") == 4
    assert "outside every folder it was given" in text
    big = TraceView(ws.big_result(100_000)).to_html(max_rows=100)
    assert "99,900 more calls" in html.unescape(big)
    assert big.count("<tr") < 400  # the head, some refusals past the cut, the summary


def test_display_bundle_has_the_widget_and_its_static_html():
    v = TraceView(ws.run_result())
    data, _meta = v._repr_mimebundle_()
    assert data[WIDGET_MIME]["model_id"] == v.model_id
    assert data["text/html"] == v.to_html()


# -- memory --------------------------------------------------------------------------------


def test_memory_pages_go_one_at_a_time_as_binary_buffers():
    r = ws.run_result()
    v = MemoryView(r)
    out = sent(v)
    v._on_message(v, {"kind": "page", "index": 1, "which": "after"}, [])
    (content, buffers), = out
    assert content == {"kind": "page", "index": 1, "which": "after",
                       "offset": v.page_size, "length": v.page_size}
    assert len(buffers) == 1 and bytes(buffers[0]) == r.memory_after[v.page_size: 2 * v.page_size]
    assert len(bytes(buffers[0])) <= MAX_MESSAGE_BYTES
    v._on_message(v, {"kind": "page", "index": 1, "which": "before"}, [])
    assert bytes(out[-1][1][0]) == r.memory_before[v.page_size: 2 * v.page_size]
    v._on_message(v, {"kind": "page", "index": 10**6, "which": "after"}, [])
    assert out[-1][0]["length"] == 0


def test_memory_state_has_regions_and_the_diff():
    r = ws.run_result()
    v = MemoryView(r)
    assert v.size == len(r.memory_after) == 131072
    kinds = [(g["kind"], g["start"], g["end"]) for g in v.regions]
    assert kinds == [("stack", 0, ws.STACK_HIGH), ("data", ws.DATA_START, ws.DATA_END),
                     ("heap", ws.HEAP_BASE, v.size)]
    expected = sum(a != b for a, b in zip(r.memory_before, r.memory_after, strict=True))
    assert v.changed_bytes == expected > 0
    assert v.changed_pages == [0, 1]  # the stack page (0) and the data/heap page (1)


def test_memory_views_show_the_same_of_a_snapshot_as_of_its_bytes():
    from wasikernel.result import MemorySnapshot
    from wasikernel.widgets import _html

    plain = ws.run_result()
    compact = ws.run_result()
    compact.memory_before = MemorySnapshot.of(plain.memory_before)
    compact.memory_after = MemorySnapshot.of(plain.memory_after)
    ours, theirs = MemoryView(compact), MemoryView(plain)
    for name in ("size", "changed_pages", "changed_bytes", "regions", "address", "note"):
        assert getattr(ours, name) == getattr(theirs, name), name
    for which in ("after", "before"):
        for index in range(ours.size // ours.page_size + 1):
            content, buffers = ours.page_message(index, which)
            expected, expected_buffers = theirs.page_message(index, which)
            assert (content, bytes(buffers[0])) == (expected, bytes(expected_buffers[0]))
    assert _html.memory_html(compact) == _html.memory_html(plain)
    assert ours.to_html() == theirs.to_html()


def test_memory_counts_changed_bytes_only_when_few_pages_changed():
    v = MemoryView(ws.big_result(10, memory_mib=2))  # a byte changed in every 4 KiB
    assert len(v.changed_pages) == 128 and v.changed_bytes == -1
    v = MemoryView(ws.big_result(10, memory_mib=1))
    assert len(v.changed_pages) == 64 and v.changed_bytes == 256


def test_memory_refuses_pages_over_64_kib_and_non_results():
    with pytest.raises(ValueError, match="page_size"):
        MemoryView(ws.run_result(), page_size=128 * 1024)
    with pytest.raises(TypeError, match="RunResult"):
        MemoryView(b"\0" * 10)


def test_memory_highlight_and_goto():
    v = MemoryView(ws.run_result())
    ev = ws.run_result().trace.events[6]  # fd_read wrote the read buffer
    v.highlight(ev.memory, "#6 fd_read")
    assert v.highlights == [{"addr": ws.READ_BUF, "len": len(ws.READ_TEXT), "access": "w"}]
    assert v.address <= ws.READ_BUF < v.address + 20 * 16
    v.goto(10**12)
    assert v.address == v.size - 1


def test_memory_without_memory_or_layout_says_so():
    r = ws.link_refused_result()
    v = MemoryView(r)
    assert v.size == 0 and "no memory" in v.note.lower()
    assert "kept no memory" in v.to_html()
    r2 = ws.run_result()
    r2.layout = None
    assert "No layout" in MemoryView(r2).note


def test_memory_static_html_marks_changed_bytes():
    page = MemoryView(ws.run_result()).to_html()
    p = parse(page)
    text = "".join(p.text)
    assert p.balanced
    assert "131,072 bytes (2 wasm pages)" in text
    assert "shadow stack: 0x0 – 0x4000" in text
    assert "three no" in text and ">three no</mark>" in page
    assert p.marks >= 2 * 6  # hex and ASCII of each changed run


# -- stack ---------------------------------------------------------------------------------


def test_stack_shows_the_trap_backtrace():
    v = StackView(ws.trapped_result())
    assert v.mode == "trap" and "divide by zero" in v.ended
    assert [f["func_name"] for f in v.frames] == ["divide", "main", "_start"]
    text = "".join(parse(v.to_html()).text)
    assert "trap: wasm trap: integer divide by zero" in text
    assert "cell.c:4" in text


def test_stack_pointer_is_estimated_from_stack_addresses_and_says_so():
    v = StackView(ws.run_result())
    assert v.mode == "exit"
    addrs = [a for _i, a, _c in v.sp_samples]
    assert addrs and all(0 <= a < ws.STACK_HIGH for a in addrs)
    assert "estimated" in v.sp_source and "does not record" in v.sp_source
    assert v.high_water == ws.STACK_HIGH - 64 - 40  # the deepest byte the run wrote


def test_stack_pointer_ignores_empty_accesses():
    r = ws.run_result()
    r.trace.events[7].memory.append(ws.MemoryAccess(0, 0, "r"))  # an empty iovec at address 0
    assert min(a for _i, a, _c in StackView(r).sp_samples) > 0


def test_stack_without_layout_explains_why_there_is_no_pointer():
    r = ws.run_result()
    r.layout = None
    v = StackView(r)
    assert v.sp_samples == [] and "__stack_pointer" in v.sp_source


def test_stack_steps_through_a_history():
    history = [
        {"instr": "i32.const 2", "stack": [], "locals": [7], "frames": ["main"]},
        {"instr": "i32.const 3", "stack": [2], "locals": [7], "frames": ["main"]},
        {"instr": "i32.add", "stack": [2, 3], "locals": [7], "frames": ["main"]},
    ]
    v = StackView(ws.run_result(), history=history)
    assert v.mode == "stepper" and v.steps == 3
    assert v.state["instr"] == "i32.const 2"
    v.step = 2
    assert v.state["stack"] == [2, 3]
    v.step = 99
    assert v.step == 2
    v.step = -5
    assert v.step == 0
    v.set_history(history[:1])
    assert v.steps == 1 and v.state["instr"] == "i32.const 2"
    assert "Step 1 of 1" in v.to_html()


# -- sandbox -------------------------------------------------------------------------------


def svg_edges(svg: str) -> dict[str, str]:
    """edge id -> its class and colour, from the SVG."""
    out = {}
    for m in re.finditer(r'<g id="(edge-[^"]+)" class="([^"]+)">(.*?)</g>', svg, re.S):
        color = re.search(r'<path[^>]*stroke="([^"]+)"', m.group(3))
        out[m.group(1)] = f"{m.group(2)} {color.group(1) if color else ''}"
    return out


@pytest.fixture(params=["dot", "own layout"])
def drawn_by(request, monkeypatch):
    """The sandbox diagram drawn by graphviz's ``dot``, then by our own layout (as in a
    browser, where there is no ``dot``): both must show the same edges and words."""
    from wasikernel.widgets import _diagram

    if request.param == "own layout":
        monkeypatch.setattr(_diagram.shutil, "which", lambda name: None)
    elif _diagram.shutil.which("dot") is None:
        pytest.skip("graphviz's dot is not installed (scripts/test.sh installs it)")
    return request.param


def test_sandbox_diagram_has_red_edges_for_refusals(drawn_by):
    v = SandboxView(ws.run_result())
    edges = svg_edges(v.svg)
    for refused in ("edge-preopen0-refused", "edge-network-refused", "edge-outside-refused"):
        assert "wk-refused" in edges[refused] and "#d93025" in edges[refused]
    assert "wk-refused" not in edges["edge-stdout"]
    assert "fd_write ×1" in v.svg
    assert "15 WASI calls" in v.svg  # as the cell's summary counts them
    assert {r["call"] for r in v.refusals} == {"path_open", "sock_accept", "libc_path_refused"}


def test_sandbox_edge_of_each_event_follows_descriptors():
    v = SandboxView(ws.run_result())
    assert v.edge_of(6) == "edge-preopen0"  # fd 5 was opened under the preopen fd 3
    assert v.edge_of(7) == "edge-stdout"
    assert v.edge_of(8) == "edge-outside-refused"
    assert v.edge_of(10) == "edge-preopen0-refused"
    assert v.edge_of(13) == "edge-network-refused"


def test_sandbox_shows_imports_refused_at_link_time(drawn_by):
    v = SandboxView(ws.link_refused_result())
    assert "edge-link-0" in svg_edges(v.svg)
    assert "sock_open" in v.svg and "not provided" in v.svg
    assert v.refusals[0]["resource"] == "link time"


def test_our_own_layout_keeps_every_node_inside_the_picture(monkeypatch):
    from wasikernel.widgets import _diagram

    monkeypatch.setattr(_diagram.shutil, "which", lambda name: None)
    svg = SandboxView(ws.run_result()).svg
    width, height = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    for x, y, w, h in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                                 r'height="([\d.]+)"', svg):
        assert float(x) + float(w) <= width and float(y) + float(h) <= height
    assert 'id="node-module"' in svg and 'id="node-host"' in svg
    assert "<title>" in svg  # a refused edge's reason as its tooltip


def test_toggling_a_capability_reruns_with_the_new_sandbox():
    seen: list[Sandbox] = []

    def rerun(sandbox: Sandbox):
        seen.append(sandbox)
        r = ws.run_result()
        r.sandbox = sandbox
        r.trace = Trace([e for e in r.trace.events if e.call != "sock_accept"])
        return r

    v = SandboxView(ws.run_result(), rerun=rerun)
    assert v.can_rerun
    v.grants = {**v.grants, "preopen:0": False, "env": False}
    assert len(seen) == 1
    assert seen[0].preopens == [] and seen[0].env == {} and seen[0].args == ["--verbose"]
    assert "edge-network-refused" not in svg_edges(v.svg)
    assert v.status.startswith("re-ran: exit 0")


def test_rerun_errors_are_shown_not_raised():
    def broken(sandbox):
        raise RuntimeError("the module is gone")

    v = SandboxView(ws.run_result(), rerun=broken)
    v.grants = {**v.grants, "args": False}
    assert "the module is gone" in v.status and not v.busy
    assert SandboxView(ws.run_result()).rerun(Sandbox()) is None


def test_apply_grants_can_take_write_access_away():
    base = Sandbox(preopens=[ws.sandbox().preopens[0]])
    base.preopens[0].read_only = False
    s = apply_grants(base, {"preopen:0:write": False})
    assert s.preopens[0].read_only and not base.preopens[0].read_only


def test_sandbox_static_html_has_the_diagram_and_the_refusals():
    page = SandboxView(ws.run_result()).to_html()
    assert "<svg" in page and "wk-refused" in page
    text = "".join(parse(page).text)
    assert "was granted read-only" in text


# -- linked --------------------------------------------------------------------------------


def test_selecting_a_trace_row_highlights_memory_edge_and_stack_point():
    v = show(ws.run_result())
    assert isinstance(v, RunView)
    v.select(7)  # fd_write of "hello from wasm\n"
    assert v.memory_view.highlights[0] == {"addr": ws.HELLO_ADDR, "len": len(ws.HELLO),
                                           "access": "r"}
    assert "fd_write" in v.memory_view.highlight_label
    assert v.sandbox_view.selected_edge == "edge-stdout"
    assert v.stack_view.selected == 7
    v.trace_view.selected = -1
    assert v.memory_view.highlights == [] and v.sandbox_view.selected_edge == ""


def test_a_rerun_refreshes_the_linked_views():
    def rerun(sandbox):
        return ws.trapped_result()

    v = RunView(ws.run_result(), rerun=rerun)
    old_trace = v.trace_view
    v.select(8)
    v.sandbox_view.grants = {**v.sandbox_view.grants, "stdin": False}
    assert v.trace_view is not old_trace and v.trace_view.count == 8
    assert v.sandbox_view.selected_edge == ""  # nothing is selected in the new trace
    assert v.stack_view.mode == "trap"
    v.select(7)
    assert v.sandbox_view.selected_edge == "edge-stdout"


def test_run_view_bundle_has_all_four_static_forms():
    data, _ = RunView(ws.run_result())._repr_mimebundle_()
    page = data["text/html"]
    for title in ("Syscall trace", "Linear memory", "Sandbox boundary", "Stack"):
        assert title in page
    assert WIDGET_MIME in data


def test_browser_files_exist_for_every_view():
    d = static_dir()
    for name in ("trace", "memory", "stack", "sandbox"):
        assert (d / f"{name}.js").read_text().rstrip().endswith("export default { render };")
        css = (d / f"{name}.css").read_text()
        assert "var(--jp-" in css  # follows the JupyterLab theme


def test_every_view_module_carries_the_shared_helpers_once():
    from wasikernel.widgets import CompiledView
    from wasikernel.widgets._base import browser_module, browser_style

    for view in (TraceView, MemoryView, StackView, SandboxView, CompiledView):
        module = view._esm
        assert module.count("function h(") == 1 and module.count("function say(") == 1, view
        assert module.rstrip().endswith("export default { render };")
    for name in ("trace", "memory", "stack", "sandbox", "compiled"):
        own = (static_dir() / f"{name}.js").read_text()
        assert "function say(" not in own and "function h(" not in own  # only in _common.js
        assert browser_module(f"{name}.js").endswith(own)
        style = browser_style(f"{name}.css")
        assert style.count(f".wk-{name}-view,") + style.count(f".wk-{name}-view {{") == 1
        assert "var(--jp-border-color2" in style  # the box every view shares


@pytest.mark.slow  # nbconvert alone takes several seconds to load its templates
def test_nbconvert_html_of_a_saved_notebook_shows_the_static_views():
    """A notebook saved without widget state (JupyterLab's default) still reads as HTML."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook()
    for widget in (RunView(ws.run_result()), TraceView(ws.big_result(1000))):
        data, meta = widget._repr_mimebundle_()
        cell = nbformat.v4.new_code_cell("show(result)")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
        nb.cells.append(cell)
    page, _ = HTMLExporter().from_notebook_node(nb)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Syscall trace: 15 WASI calls, 4 refused" in text  # the summary's count
    assert "Syscall trace: 1,000 WASI calls" in text
    assert "was granted read-only" in text  # the refusal table under the diagram
    assert 'id="edge-preopen0-refused"' in page  # the diagram itself, inline
    assert "Deepest shadow-stack address written" in text


def test_memory_static_html_stays_quick_when_everything_changed():
    r = ws.big_result(10, memory_mib=64)
    r.memory_after = bytes([1]) * len(r.memory_after)  # every byte changed
    page = MemoryView(r).to_html()
    assert "4,096 pages of 16 KiB changed" in page
    assert page.count('class="wk-hex"') <= 4


def test_diagram_survives_guest_chosen_names_and_paths():
    r = ws.link_refused_result()
    ev = r.trace.events[0]
    ev.call = 'evil\\N"name<b>\n'
    ev.args = {"module": "env\\G"}
    ev.reason = 'path "C:\\Node"\nwith\ta newline <and> tags'
    svg = SandboxView(r).svg
    text = html.unescape(re.sub(r"<[^>]+>", " ", svg))
    assert 'evil\\N"name<b>' in text  # shown as written, not read as graphviz escapes
    assert "C:\\Node" in text


def test_the_widgets_own_words_follow_the_language_of_the_messages():
    from wasikernel import messages

    messages.set_language("fr")
    try:
        svg = SandboxView(ws.link_refused_result()).svg
        assert "hôte WASI" in svg and "0 appel WASI<" in svg and "non fourni" in svg
        assert "refusé à l&#39;édition des liens" in svg
        view = SandboxView(ws.run_result())
        assert "15 appels WASI" in view.svg and "+2 autres" in view.svg
        assert "refusé ×1 : path_open ×1" in view.svg and "refusés ×2" in view.svg
        labels = [c["label"] for c in view.caps]
        assert "écriture dans /data" in labels and "environnement (1 variable)" in labels
        assert "entrée standard (0 octet)" in labels
        assert StackView(ws.trapped_result()).ended.startswith("trap : ")
        r = ws.run_result()
        r.layout = None
        assert MemoryView(r).note.startswith("Aucune disposition")
    finally:
        messages.set_language("en")
    view = SandboxView(ws.run_result())
    labels = [c["label"] for c in view.caps]
    assert "write to /data" in labels and "env (1 variable)" in labels
    assert "stdin (0 bytes)" in labels and "+2 more" in view.svg
    assert "0 WASI calls<" in SandboxView(ws.link_refused_result()).svg


@pytest.mark.parametrize("name", ["trace", "memory", "stack", "sandbox"])
def test_every_word_the_browser_half_shows_comes_in_its_labels(name):
    from wasikernel import messages

    view = {"trace": TraceView, "memory": MemoryView, "stack": StackView,
            "sandbox": SandboxView}[name](ws.run_result())
    script = (static_dir() / f"{name}.js").read_text()
    keys = set()
    for argument in re.findall(r"say\(model, ([^,)]+)", script):
        keys.update(re.findall(r'(?<!=== )"(\w+)"', argument))  # not the "w" of m.access === "w"
    assert len(keys) >= 5
    assert keys <= set(view.labels), sorted(keys - set(view.labels))
    messages.set_language("fr")
    try:
        french = type(view)(ws.run_result()).labels
    finally:
        messages.set_language("en")
    assert french["lang"] == "fr" and view.labels["lang"] == "en"
    assert french["title"] != view.labels["title"]
