"""What the four views show, computed once from a :class:`RunResult` (no widget code here).

The live widgets and their static HTML forms both read these helpers, so a notebook saved
with outputs shows the same rows, regions and resources as the live view did.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..messages import t as _t
from ..result import MemoryLayout, RunResult
from ..sandbox import Sandbox
from ..trace import Trace, TraceEvent, shown_args, shown_results, shown_text

__all__ = [
    "row_args",
    "row_results",
    "event_json",
    "event_fd",
    "Resource",
    "Boundary",
    "boundary",
    "boundary_of_runs",
    "runs_together",
    "regions",
    "changed_ranges",
    "stack_pointer_samples",
]

STDIO = {0: "stdin", 1: "stdout", 2: "stderr"}

#: calls that do not name a file descriptor, and the resource each one reaches
CALL_RESOURCE = {
    "args_get": "args",
    "args_sizes_get": "args",
    "environ_get": "env",
    "environ_sizes_get": "env",
    "clock_time_get": "clocks",
    "clock_res_get": "clocks",
    "poll_oneoff": "clocks",
    "random_get": "random",
    "proc_exit": "process",
    "proc_raise": "process",
    "sched_yield": "process",
}

#: result keys a call that opens a descriptor may use for the new descriptor
OPENED_KEYS = ("opened_fd", "fd", "opened")


def _jsonable(value: Any) -> Any:
    """``value`` with bytes turned into text (UTF-8 when it decodes, base64 otherwise)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def row_args(ev: TraceEvent, limit: int = 110) -> str:
    """A trace row's arguments: as the table and the text show them (:func:`shown_args`)."""
    return shown_text(shown_args(ev, 40), limit)


def row_results(ev: TraceEvent, limit: int = 60) -> str:
    """A trace row's results, as :func:`row_args` shows arguments."""
    return shown_text(shown_results(ev, 60), limit)


def _view(shown: list) -> list[dict[str, Any]]:
    return [{"name": s.name, "text": s.full, "rows": s.rows} for s in shown]


def event_json(index: int, ev: TraceEvent) -> dict[str, Any]:
    """The whole of one event, as plain JSON data (what a row shows when it is opened): the
    decoded values as the contract has them, and under ``view`` each argument and result as a
    learner reads it (``{"name", "text", "rows"}``, ``rows`` the fields of a structure)."""
    return {
        "view": {"args": _view(shown_args(ev, 1 << 20)),
                 "results": _view(shown_results(ev, 1 << 20))},
        "index": index,
        "seq": ev.seq,
        "phase": ev.phase,
        "call": ev.call,
        "args": _jsonable(ev.args),
        "results": _jsonable(ev.results),
        "errno": ev.errno,
        "denied": ev.denied,
        "capability": ev.capability,
        "reason": ev.reason,
        "t_ns": ev.t_ns,
        "dur_ns": ev.dur_ns,
        "memory": [{"addr": m.addr, "len": m.len, "access": m.access} for m in ev.memory],
        "memory_dropped": ev.memory_dropped,
        "exit_code": ev.exit_code,
        "abi": ev.abi,
    }


def event_fd(ev: TraceEvent) -> int | None:
    """The file descriptor a call names (its ``fd`` argument), or ``None``."""
    fd = ev.args.get("fd")
    return fd if isinstance(fd, int) and not isinstance(fd, bool) else None


# -- the sandbox boundary ------------------------------------------------------------------


@dataclass
class Resource:
    """One thing beyond the host the guest may reach: a preopen, args, stdout, the network..."""

    key: str
    label: str
    granted: bool = True
    calls: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    reasons: dict[str, str] = field(default_factory=dict)  # call -> first refusal reason
    #: the preview 2 interfaces through which a component reached it (empty for preview 1)
    interfaces: set[str] = field(default_factory=set)

    @property
    def edge_id(self) -> str:
        """The SVG id of the host → resource edge for allowed calls."""
        return f"edge-{self.key}"

    @property
    def refused_edge_id(self) -> str:
        """The SVG id of the red host → resource edge for refused calls."""
        return f"edge-{self.key}-refused"


@dataclass
class Boundary:
    """Every resource of a run, the calls that reached each, and the imports refused at link."""

    resources: dict[str, Resource]
    link_refused: list[TraceEvent]
    event_edges: list[str]  # event index -> the edge id the event travelled
    total_calls: int

    def edge_of(self, index: int) -> str:
        """The edge id of event ``index`` ("" when out of range)."""
        return self.event_edges[index] if 0 <= index < len(self.event_edges) else ""


def _preopen_label(p: Any) -> str:
    where = _t("model_host_folder", path=p.host_path) if p.host_path else _t("model_in_memory")
    mode = _t("model_read_only") if p.read_only else _t("model_read_write")
    return f"{p.guest_path}  ({where}, {mode})"


def _base_resources(sandbox: Sandbox) -> dict[str, Resource]:
    res: dict[str, Resource] = {}
    for i, p in enumerate(sandbox.preopens):
        res[f"preopen{i}"] = Resource(f"preopen{i}", _preopen_label(p))
    args = " ".join([sandbox.program_name, *sandbox.args])
    if len(args) > 40:
        args = args[:39] + "…"
    res["args"] = Resource("args", _t("model_args", args=args))
    res["env"] = Resource("env", _t("model_env", n=len(sandbox.env)))
    frozen = sandbox.clock_ns is not None
    res["clocks"] = Resource("clocks", _t("model_clocks_frozen" if frozen else "model_clocks_real"))
    rnd = (_t("model_random_seeded", seed=sandbox.random_seed)
           if sandbox.random_seed is not None else _t("model_random_real"))
    res["random"] = Resource("random", rnd)
    res["stdin"] = Resource("stdin", _t("widget_cap_stdin", n=len(sandbox.stdin)))
    res["stdout"] = Resource("stdout", "stdout")
    res["stderr"] = Resource("stderr", "stderr")
    if sandbox.network or sandbox.dns:  # a component's sockets (preview 1 has none)
        granted = [f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}" for ip, port in
                   sandbox.network] + (["DNS"] if sandbox.dns else [])  # fmt: skip
        res["network"] = Resource("network", _t("widget_network_granted",
                                                addresses=", ".join(granted)))
    else:
        res["network"] = Resource("network", _t("model_network"), granted=False)
    return res


#: the preview 2 interfaces that reach a resource of their own (the rest reach the process)
P2_INTERFACE_RESOURCE = {
    "wasi:cli/stdin": "stdin",
    "wasi:cli/stdout": "stdout",
    "wasi:cli/stderr": "stderr",
    "wasi:cli/terminal-stdin": "stdin",
    "wasi:cli/terminal-stdout": "stdout",
    "wasi:cli/terminal-stderr": "stderr",
    "wasi:clocks/monotonic-clock": "clocks",
    "wasi:clocks/wall-clock": "clocks",
    "wasi:random/random": "random",
    "wasi:random/insecure": "random",
    "wasi:random/insecure-seed": "random",
}


def ran_a_component(result: RunResult) -> bool:
    """Whether ``result`` is a component's run (its calls are preview 2 ones)."""
    from ..engines import OUR_WASMTIME

    return result.engine == OUR_WASMTIME["component"] or any(
        ev.abi == "p2" for ev in result.trace.events)


def no_memory_note(result: RunResult) -> str:
    """Why ``result`` holds no memory to show: a component keeps its own, or the module or
    engine gave none."""
    return _t("widget_component_memory" if ran_a_component(result) else "widget_no_memory")


def interface_of(call: str) -> str:
    """``wasi:io/streams`` of a preview 2 call ``wasi:io/streams@0.2.12#[method]...``."""
    return call.partition("#")[0].partition("@")[0]


def _p2_resource(ev: TraceEvent, sandbox: Sandbox) -> str:
    """The key of the resource a preview 2 call reached: the folder its descriptor or stream
    stands for, the stream's own stdio, or the resource its interface gives."""
    interface = interface_of(ev.call)
    if interface.startswith("wasi:sockets/"):
        return "network"
    if interface == "wasi:cli/environment":
        return "env" if ev.call.endswith("#get-environment") else "args"
    if interface in P2_INTERFACE_RESOURCE:
        return P2_INTERFACE_RESOURCE[interface]
    where = None
    held = ev.args.get("self")
    if isinstance(held, dict):
        where = held.get("path") or held.get("of")
    elif interface == "wasi:filesystem/preopens":
        found = ev.results.get("result")
        if isinstance(found, list) and found and isinstance(found[0], list) and found[0]:
            first = found[0][0]
            where = first.get("path") if isinstance(first, dict) else None
    if where in ("stdin", "stdout", "stderr"):
        return str(where)
    if isinstance(where, str):
        best, key = -1, None
        for i, p in enumerate(sandbox.preopens):
            root = p.guest_path.rstrip("/")
            inside = where == p.guest_path or where == root or where.startswith(root + "/")
            if inside and len(root) > best:
                best, key = len(root), f"preopen{i}"
        if key is not None:
            return key
    return "process"


def boundary(result: RunResult) -> Boundary:
    """Sort every event of ``result`` onto the resource it reached (or tried to reach).

    Descriptors are followed through the run: preopens are fds 3, 4, ... in the sandbox's
    order, ``path_open`` gives the new fd its directory's resource, ``fd_renumber`` and
    ``fd_close`` move and drop them.
    """
    res = _base_resources(result.sandbox)
    fds: dict[int, str] = dict(STDIO)
    for i in range(len(result.sandbox.preopens)):
        fds[3 + i] = f"preopen{i}"
    link: list[TraceEvent] = []
    edges: list[str] = []
    total = 0  # the WASI calls, as trace.counted counts them

    def extra(key: str, label: str, granted: bool = False) -> Resource:
        if key not in res:
            res[key] = Resource(key, label, granted=granted)
        return res[key]

    for ev in result.trace.events:
        if ev.phase == "link":
            link.append(ev)
            edges.append(f"edge-link-{len(link) - 1}")
            continue
        if ev.phase not in ("run", "libc"):
            edges.append("")
            continue
        total += ev.phase == "run"
        fd = event_fd(ev)
        if ev.phase == "libc" or (ev.denied and ev.capability == "preopen"):
            key = "outside"
            extra(key, _t("model_outside"))
        elif ev.denied and ev.capability == "memory":
            key = "memory"
            extra(key, _t("model_memory"))
        elif ev.abi == "p2":
            key = _p2_resource(ev, result.sandbox)
            if key == "process":
                extra(key, _t("model_process"), granted=True)
            res[key].interfaces.add(interface_of(ev.call))
        elif ev.call.startswith("sock_"):
            key = "network"
        elif ev.call in CALL_RESOURCE:
            key = CALL_RESOURCE[ev.call]
            if key == "process":
                extra(key, _t("model_process"), granted=True)
        elif fd is not None and fd in fds:
            key = fds[fd]
        elif fd is not None:
            key = "badfd"
            extra(key, _t("model_bad_fd"))
        else:
            key = "process"
            extra(key, _t("model_process"), granted=True)
        r = res[key]
        if ev.denied:
            r.refused[ev.call] += 1
            if ev.reason and ev.call not in r.reasons:
                r.reasons[ev.call] = ev.reason
            edges.append(r.refused_edge_id)
        else:
            r.calls[ev.call] += 1
            edges.append(r.edge_id)
        if ev.errno == "success" and ev.abi == "p1":
            if ev.call == "path_open" and fd in fds:
                for k in OPENED_KEYS:
                    new = ev.results.get(k)
                    if isinstance(new, int):
                        fds[new] = fds[fd]
                        break
            elif ev.call == "fd_close" and fd is not None:
                fds.pop(fd, None)
            elif ev.call == "fd_renumber" and fd in fds:
                to = ev.args.get("to")
                if isinstance(to, int):
                    fds[to] = fds.pop(fd)
    return Boundary(res, link, edges, total)


def boundary_of_runs(results: list[RunResult]) -> Boundary:
    """The boundaries of several runs in one: each run's calls sorted onto its own resources
    (:func:`boundary`, descriptors followed within each run), then the counts, reasons and
    link refusals of every run added up, resource by resource."""
    merged: dict[str, Resource] = {}
    link: list[TraceEvent] = []
    edges: list[str] = []
    total = 0
    for result in results:
        b = boundary(result)
        for key, r in b.resources.items():
            into = merged.setdefault(key, Resource(key, r.label, granted=r.granted))
            into.calls.update(r.calls)
            into.refused.update(r.refused)
            for call, reason in r.reasons.items():
                into.reasons.setdefault(call, reason)
        edges += [f"edge-link-{len(link) + int(e[10:])}" if e.startswith("edge-link-") else e
                  for e in b.event_edges]
        link += b.link_refused
        total += b.total_calls
    return Boundary(merged, link, edges, total)


def runs_together(results: list[RunResult]) -> RunResult:
    """One RunResult standing for ``results`` (a lesson's several attempts): their events in
    order, the last run's sandbox and outcome, named after how many runs it holds. Its
    boundary is :func:`boundary_of_runs`. Raises ``ValueError`` for no run at all."""
    import dataclasses

    if not results:
        raise ValueError("runs_together needs at least one run")
    events = []
    for result in results:
        for ev in result.trace.events:
            events.append(dataclasses.replace(ev, seq=len(events)))
    last = results[-1]
    engines = sorted({r.engine for r in results})
    sandbox = dataclasses.replace(last.sandbox, program_name=_t("model_runs", n=len(results)))
    return dataclasses.replace(last, trace=Trace(events), sandbox=sandbox,
                               engine=", ".join(engines), memory_before=None,
                               memory_after=None)


# -- memory --------------------------------------------------------------------------------


def regions(layout: MemoryLayout | None, size: int) -> list[dict[str, Any]]:
    """The coloured regions of a memory of ``size`` bytes: shadow stack, data, heap.

    Each is ``{"kind", "name", "start", "end"}`` with ``end`` exclusive; a region the layout
    does not give is left out.
    """
    if layout is None or size <= 0:
        return []
    out = []

    def add(kind: str, name: str, start: int | None, end: int | None) -> None:
        if start is None or end is None:
            return
        start, end = max(0, start), min(size, end)
        if end > start:
            out.append({"kind": kind, "name": name, "start": start, "end": end})

    add("stack", _t("model_region_stack"), layout.stack_low, layout.stack_high)
    data_start = layout.data_start
    if data_start is None and layout.data_end is not None:
        data_start = 1024 if layout.stack_high is None or layout.stack_high < 1024 else None
        if data_start is None and layout.stack_high is not None:
            data_start = layout.stack_high
    add("data", _t("model_region_data"), data_start, layout.data_end)
    add("heap", _t("model_region_heap"), layout.heap_base, size)
    out.sort(key=lambda r: r["start"])
    return out


def changed_ranges(
    before: bytes | None,
    after: bytes | None,
    page: int = 16384,
    limit: int = 10_000,
    max_pages: int | None = None,
) -> list[tuple[int, int]]:
    """Byte ranges ``(start, end)`` where ``after`` differs from ``before`` (grown memory counts
    as changed), at most ``limit`` of them, from at most ``max_pages`` changed pages (the
    comparison inside a changed page goes byte by byte). Whole pages that are equal are
    skipped with one comparison each."""
    if before is None or after is None:
        return []
    out: list[tuple[int, int]] = []
    n = min(len(before), len(after))
    scanned = 0
    for p in range(0, n, page):
        q = min(n, p + page)
        if before[p:q] == after[p:q]:
            continue
        scanned += 1
        if max_pages is not None and scanned > max_pages:
            return out[:limit]
        start = -1
        a, b = after[p:q], before[p:q]
        for i in range(q - p):
            if a[i] != b[i]:
                if start < 0:
                    start = p + i
            elif start >= 0:
                _append_range(out, start, p + i)
                start = -1
        if start >= 0:
            _append_range(out, start, q)
        if len(out) >= limit:
            return out[:limit]
    if len(after) > n:
        _append_range(out, n, len(after))
    return out[:limit]


def _append_range(out: list[tuple[int, int]], start: int, end: int) -> None:
    if out and out[-1][1] == start:
        out[-1] = (out[-1][0], end)
    else:
        out.append((start, end))


def changed_pages(before: bytes | None, after: bytes | None, page: int) -> list[int]:
    """Indices of the ``page``-byte pages of ``after`` that differ from ``before``."""
    if before is None or after is None:
        return []
    n = min(len(before), len(after))
    out = [
        i for i, p in enumerate(range(0, n, page)) if before[p : p + page] != after[p : p + page]
    ]
    seen = set(out)
    out += [i for i in range(n // page, -(-len(after) // page)) if i not in seen]
    return out


# -- the stack -----------------------------------------------------------------------------


def stack_pointer_samples(result: RunResult) -> tuple[list[list[Any]], str]:
    """Points ``[event index, address, call]`` of the shadow-stack pointer over the run, and a
    sentence that says where they come from.

    When an event carries ``stack_pointer`` (in its args or results) that value is used. Else
    each syscall that read or wrote memory inside the shadow stack gives an upper bound: the
    stack pointer was at or below the lowest stack address the call touched.
    """
    trace: Trace = result.trace
    exact = []
    for i, ev in enumerate(trace.events):
        sp = ev.results.get("stack_pointer", ev.args.get("stack_pointer"))
        if isinstance(sp, int):
            exact.append([i, sp, ev.call])
    if exact:
        return exact, _t("model_sp_exact")
    layout = result.layout
    if layout is None or layout.stack_low is None or layout.stack_high is None:
        return [], _t("model_sp_unknown")
    lo, hi = layout.stack_low, layout.stack_high
    out = []
    for i, ev in enumerate(trace.events):
        inside = [m.addr for m in ev.memory if m.len > 0 and lo <= m.addr < hi]
        if inside:
            out.append([i, min(inside), ev.call])
    return out, _t("model_sp_estimated")


def stack_high_water(result: RunResult) -> int | None:
    """The lowest shadow-stack address the run wrote (the deepest the stack grew), from the
    memory after the run, or ``None`` when the stack or the memory is not known."""
    layout, mem = result.layout, result.memory_after
    if mem is None or layout is None or layout.stack_low is None or layout.stack_high is None:
        return None
    lo, hi = max(0, layout.stack_low), min(len(mem), layout.stack_high)
    before = result.memory_before
    region = mem[lo:hi]
    if before is not None and len(before) >= hi:
        old = before[lo:hi]
        step = 4096
        for p in range(0, hi - lo, step):
            if region[p : p + step] != old[p : p + step]:
                a, b = region[p : p + step], old[p : p + step]
                for i in range(len(a)):
                    if a[i] != b[i]:
                        return lo + p + i
        return None
    stripped = region.lstrip(b"\0")
    return hi - len(stripped) if stripped else None
