"""The syscall trace: one :class:`TraceEvent` per WASI call, gathered in a :class:`Trace`.

The JSON form of an event is the contract of ``--trace-json`` (see the design document).
A host records each call as a compact raw record and the trace decodes it into a TraceEvent
only when read (``trace.events``, iteration, the views), so recording stays cheap.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ._records import field, record

__all__ = [
    "MemoryAccess", "TraceEvent", "Trace", "Shown", "format_value", "format_values",
    "shown_args", "shown_results", "shown_text", "short_call", "counted", "html_table",
]  # fmt: skip


@record(slots=True)
class MemoryAccess:
    """A range of linear memory a call read (``"r"``) or wrote (``"w"``)."""

    addr: int
    len: int
    access: str


@record(slots=True)
class TraceEvent:
    """One WASI call (``phase="run"``), one import refused at link time (``phase="link"``),
    or one refusal made by the guest's libc before any syscall (``phase="libc"``).
    ``phase="end"`` is a closing note (a limit or a trap that ended the run)."""

    seq: int
    call: str
    args: dict[str, Any]
    results: dict[str, Any]
    errno: str
    denied: bool = False
    capability: str | None = None
    reason: str | None = None
    t_ns: int = 0
    dur_ns: int = 0
    memory: list[MemoryAccess] = field(default_factory=list)
    phase: str = "run"
    exit_code: int | None = None
    memory_dropped: int = 0
    #: the ABI of the call: ``"p1"`` (wasi_snapshot_preview1) or ``"p2"`` (a WIT interface)
    abi: str = "p1"

    def to_dict(self) -> dict[str, Any]:
        """Return the event as the ``--trace-json`` contract's object."""
        out: dict[str, Any] = {
            "seq": self.seq,
            "call": self.call,
            "args": self.args,
            "results": self.results,
            "errno": self.errno,
            "denied": self.denied,
            "capability": self.capability,
            "reason": self.reason,
            "t_ns": self.t_ns,
            "dur_ns": self.dur_ns,
            "memory": [{"addr": m.addr, "len": m.len, "access": m.access} for m in self.memory],
            "phase": self.phase,
            "abi": self.abi,
        }
        if self.exit_code is not None:
            out["exit_code"] = self.exit_code
        if self.memory_dropped:
            out["memory_dropped"] = self.memory_dropped
        return out

    def to_json(self) -> str:
        """Return :meth:`to_dict` as one line of JSON, as ``json.dumps(..., ensure_ascii=False)``
        writes it (the fixed fields are written directly: it is several times faster)."""
        json_line, text = _json_coders()
        mem = ", ".join([
            f'{{"addr": {m.addr}, "len": {m.len}, "access": {text(m.access)}}}'
            for m in self.memory
        ])  # fmt: skip
        capability = "null" if self.capability is None else text(self.capability)
        reason = "null" if self.reason is None else text(self.reason)
        tail = "" if self.exit_code is None else f', "exit_code": {int(self.exit_code)}'
        if self.memory_dropped:
            tail += f', "memory_dropped": {int(self.memory_dropped)}'
        return (
            f'{{"seq": {int(self.seq)}, "call": {text(self.call)}, '
            f'"args": {json_line(self.args)}, "results": {json_line(self.results)}, '
            f'"errno": {text(self.errno)}, "denied": {"true" if self.denied else "false"}, '
            f'"capability": {capability}, "reason": {reason}, "t_ns": {int(self.t_ns)}, '
            f'"dur_ns": {int(self.dur_ns)}, "memory": [{mem}], "phase": {text(self.phase)}, '
            f'"abi": {text(self.abi)}{tail}}}'
        )

    def to_text(self) -> str:
        """Return one strace-like line: ``fd_write(fd=1, iovs="hi\\n") = 3 (success)``, the
        values as every view shows them (:func:`shown_args`)."""
        from .messages import t

        args = shown_text(shown_args(self, 60))
        if self.phase == "link":
            where = self.call if self.abi == "p2" else f"{self.args.get('module', '?')}.{self.call}"
            line = t("trace_link_line", where=where)
        elif self.phase == "end":
            line = f"[end] {self.call}"
        else:
            line = f"{self.call}({args})"
            if self.exit_code is not None:
                line += " = " + t("trace_exit", code=self.exit_code)
            else:
                res = shown_text(shown_results(self, 60))
                line += f" = {self.errno}" + (f" [{res}]" if res else "")
        if self.phase == "libc":
            line = "[libc] " + line
        if self.denied:
            line += "  " + t("trace_denied_line", capability=self.capability, reason=self.reason)
        elif self.reason:
            line += f"  ({self.reason})"
        return line


#: the kinds of pointer parameters the host writes through, and the result that says what
#: it wrote there (the decoded text, strings or directory entries)
_POINTED = {"outbuf": "text", "strings": "strings", "dirents": "entries"}
#: most names of a list of flags (rights) one line shows before "+N"
_LIST_SHOWN = 3


@record(slots=True)
class Shown:
    """One argument or result of a call as a learner reads it: ``text`` on one line (cut),
    ``full`` the same uncut, and ``rows`` the ``(name, text)`` lines of a structure (a stat,
    a prestat, a resource) that a view shows as a small table (``None`` for a plain value)."""

    name: str
    text: str
    full: str
    rows: list[tuple[str, str]] | None = None


def _param_kinds(call: str) -> dict[str, str]:
    """The declared kind of each parameter of preview 1 call ``call`` (``{}`` for another)."""
    kinds = _KINDS.get(call)
    if kinds is None:
        from .wasi._table import SPECS  # the host's own declarations, read once

        for spec in SPECS:
            _KINDS[spec.name] = {name.removeprefix("result."): kind for name, kind in spec.params}
        kinds = _KINDS.setdefault(call, {})
    return kinds


_KINDS: dict[str, dict[str, str]] = {}
#: kinds whose decoded value is the name of a witx enum case
_ENUM_KINDS = frozenset({"whence", "clockid", "advice", "signal"})


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flag_list(values: Sequence[Any], limit: int | None) -> str:
    names = [str(v) for v in values]
    if not names:
        return "0"
    if limit is not None and len(names) > _LIST_SHOWN + 1:
        from .messages import t

        return "|".join(names[:_LIST_SHOWN]) + "|…" + t("trace_value_more",
                                                       n=len(names) - _LIST_SHOWN)
    return "|".join(names)


def _timestamp(ns: int) -> str:
    import datetime

    try:
        when = datetime.datetime.fromtimestamp(ns / 1e9, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return f"{ns} ns"
    return f"{when:%Y-%m-%d %H:%M:%S} UTC ({ns} ns)"


def _field(name: str, value: Any, limit: int | None = None) -> str:
    """One field of a structure (a time as a date in a table, flags by name, a name as it is)."""
    if isinstance(value, str):
        return value
    if (limit is None and name in ("atim", "mtim", "ctim") and isinstance(value, int)
            and not isinstance(value, bool)):
        return _timestamp(value)
    return format_value(value, limit)


def format_value(value: Any, limit: int | None = 60) -> str:
    """One decoded value as strace would print it, cut to about ``limit`` characters (``None``:
    uncut): text in quotes, iovec contents as text (or ``b64:...``) with their whole size when
    cut, flags by name joined by ``|`` (``0`` for none, the first few and ``+N`` past a few), a
    resource as its kind, handle and what it stands for, a structure as ``name=value`` pairs."""
    from .messages import t

    cap = limit if limit is not None else 1 << 62
    if isinstance(value, dict) and ("text" in value or "base64" in value):
        body = value.get("text")
        text = _json_coders()[1](body) if body is not None else "b64:" + str(value.get("base64"))
        if len(text) > cap:
            text = text[: cap - 3] + "..."
        return text + ("" if not value.get("cut") else t("trace_value_total", n=value.get("len")))
    if isinstance(value, dict) and "resource" in value:
        extra = ", ".join(f"{k}={format_value(v, cap)}" for k, v in value.items()
                          if k not in ("resource", "handle"))
        text = f"{value['resource']} #{value.get('handle', '?')}" + (f" ({extra})" if extra else "")
        return _cut(text, cap)
    if isinstance(value, dict) and set(value) == {"ptr", "len"}:  # a path the host could not read
        return t("trace_value_unread", addr=_address(value["ptr"]), n=value["len"])
    if isinstance(value, (list, tuple)):
        return _cut(_flag_list(value, limit), cap)
    if isinstance(value, str):
        text = _json_coders()[1](value)
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}={_field(str(k), v, limit)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= cap else text[: cap - 3] + "..."


def _address(value: Any) -> str:
    return f"0x{value:x}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def format_values(values: dict[str, Any], limit: int | None = None, each: int = 60) -> str:
    """Arguments (or results) as ``name=value, ...`` (each value by :func:`format_value`, cut
    at ``each``), the whole cut to ``limit`` characters when given."""
    text = ", ".join(f"{k}={format_value(v, each)}" for k, v in values.items())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _pointed(ev: TraceEvent, name: str, kind: str) -> str | None:
    """What pointer argument ``name`` of ``ev`` points to once the call is done: the text,
    strings or entries the host wrote there, else the bytes it wrote; ``None`` if nothing."""
    from .messages import t

    addr = ev.args.get(name)
    result = _POINTED.get(kind)
    if result is not None and result in ev.results:
        value = ev.results[result]
        if isinstance(value, list):
            return " ".join(_json_coders()[1](str(v)) for v in value) or "[]"
        return format_value(value, None)
    written = sum(m.len for m in ev.memory if m.access == "w" and m.addr == addr)
    if written and kind == "ptr<ptr<u8>>":
        return t("trace_value_pointers", n=written // 4)
    return t("trace_value_written", n=written) if written else None


def shown_args(ev: TraceEvent, each: int = 40) -> list[Shown]:
    """The arguments of ``ev`` as a learner reads them: a path as text, flags and rights by
    name, a pointer as its address and what it points to, each cut at ``each`` characters."""
    kinds = _param_kinds(ev.call) if ev.abi == "p1" else {}
    out = []
    for name, value in ev.args.items():
        kind = kinds.get(name, "")
        if (kind in _POINTED or kind.startswith("ptr<")) and isinstance(value, int):
            what = _pointed(ev, name, kind)
            full = _address(value) + (f" → {what}" if what is not None else "")
            out.append(Shown(name, _cut(full, each + 12), full))
        elif kind in _ENUM_KINDS and isinstance(value, str):
            out.append(Shown(name, value, value))  # a name of the witx enum, not text
        else:
            out.append(_shown(name, value, each))
    return out


def shown_results(ev: TraceEvent, each: int = 60) -> list[Shown]:
    """The results of ``ev`` as :func:`shown_args` shows arguments, without what a pointer
    argument already shows it points to; a structure (a stat) has its fields as ``rows``."""
    kinds = _param_kinds(ev.call) if ev.abi == "p1" else {}
    pointed = {_POINTED[k] for n, k in kinds.items() if k in _POINTED and n in ev.args}
    return [_shown(name, value, each) for name, value in ev.results.items()
            if name not in pointed]


def _shown(name: str, value: Any, each: int) -> Shown:
    rows = None
    if isinstance(value, dict) and not ("text" in value or "base64" in value
                                        or set(value) == {"ptr", "len"}):
        rows = [(str(k), _field(str(k), v)) for k, v in value.items()]
    return Shown(name, format_value(value, each), format_value(value, None), rows)


def shown_text(shown: list[Shown], limit: int | None = None) -> str:
    """``name=value, ...`` of :func:`shown_args` or :func:`shown_results`, cut to ``limit``."""
    text = ", ".join(f"{s.name}={s.text}" for s in shown)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def short_call(call: str) -> str:
    """A call's name short enough for a table column: a preview 1 name as it is, a WIT name
    without its package and version (``wasi:filesystem/types@0.2.3#[method]descriptor.open-at``
    reads ``descriptor.open-at``, ``[resource-drop]descriptor`` reads ``descriptor.drop``)."""
    if "#" not in call:
        return call
    interface, _, func = call.partition("#")
    for tag, tail in (("[method]", ""), ("[static]", ""), ("[constructor]", ".new"),
                      ("[resource-drop]", ".drop")):
        if func.startswith(tag):
            return func[len(tag):] + tail
    return interface.split("/")[-1].split("@")[0] + "." + func


def counted(events: Sequence[TraceEvent]) -> tuple[int, int]:
    """(WASI calls, refusals) of a run, as every view prints them: the calls the module made
    (``phase="run"``), and every refusal (a call, an import at link time, a path its libc
    refused before any call)."""
    calls = refused = 0
    for ev in events:
        calls += ev.phase == "run"
        refused += ev.denied
    return calls, refused


def html_table(
    events: Sequence[TraceEvent],
    max_rows: int = 500,
    *,
    dropped: int = 0,
    more: Callable[[int, bool], str] | None = None,
    later_refusals: int = 50,
    header: bool = True,
) -> str:
    """The static HTML table of a trace, the one every view shows: its first ``max_rows``
    events (a refusal marked ``wk-denied``, its errno followed by "(refused)" and its reason;
    a structure such as a stat as a small table in its cell), then a row
    ``more(n, refusals_follow)`` saying how many were left out, the first ``later_refusals``
    refusals among those, and a row for the ``dropped`` calls. Without ``header`` the column
    names are left out (a table inside another view's row)."""
    import html  # only for HTML views: `wasikernel run` never builds one

    from .messages import t

    rows = [_html_row(ev) for ev in events[:max_rows]]
    rest = len(events) - max_rows
    if rest > 0:
        later = [ev for ev in events[max_rows:] if ev.denied][:later_refusals]
        say = more(rest, bool(later)) if more is not None else t("trace_more_events", n=rest)
        rows.append(f'<tr><td colspan="6" class="wk-note">{html.escape(say)}</td></tr>')
        rows += [_html_row(ev) for ev in later]
    if dropped:
        rows.append(f'<tr><td colspan="6" class="wk-note">'
                    f'{html.escape(t("trace_dropped_row", n=dropped))}</td></tr>')
    cols = "".join(f"<th>{html.escape(t(key))}</th>" for key in (
        "trace_col_seq", "widget_trace_call", "widget_trace_col_args",
        "widget_trace_col_results", "widget_trace_col_errno", "trace_col_us"))
    head = f"<thead><tr>{cols}</tr></thead>" if header else ""
    return "<table class='wk-trace'>" + head + "<tbody>" + "".join(rows) + "</tbody></table>"


def _html_cell(shown: list[Shown], limit: int) -> str:
    """One arguments or results cell: the one-line values, and each structure's fields as a
    small table under them."""
    from html import escape as esc

    plain = [s for s in shown if s.rows is None]
    parts = [f"<code>{esc(shown_text(plain, limit))}</code>"] if plain else []
    for s in shown:
        if s.rows is not None:
            body = "".join(f"<tr><td>{esc(k)}</td><td><code>{esc(v)}</code></td></tr>"
                           for k, v in s.rows)
            parts.append(f"<table class='wk-struct'><caption>{esc(s.name)}</caption>"
                         f"<tbody>{body}</tbody></table>")
    return "".join(parts)


def _html_row(ev: TraceEvent) -> str:
    from html import escape as esc

    from .messages import t

    if ev.exit_code is not None:
        result = f"<code>{esc(t('trace_exit', code=ev.exit_code))}</code>"
    else:
        result = _html_cell(shown_results(ev, 60), 60)
    phase = "" if ev.phase == "run" else f" [{esc(ev.phase)}]"
    errno = esc(ev.errno) + (" " + esc(t("trace_refused_mark")) if ev.denied else "")
    reason = f'<div class="wk-reason">{esc(ev.reason)}</div>' if ev.reason else ""
    mark = ' class="wk-denied" style="background:#fde8e8"' if ev.denied else ""
    call = esc(short_call(ev.call))
    title = f' title="{esc(ev.call)}"' if call != ev.call else ""
    return (
        f"<tr{mark}><td>{ev.seq}</td><td><code{title}>{call}</code>{phase}</td>"
        f"<td>{_html_cell(shown_args(ev, 40), 110)}</td>"
        f"<td>{result}</td><td>{errno}{reason}</td>"
        f"<td style='text-align:right'>{ev.dur_ns / 1000:.1f}</td></tr>"
    )


class Trace:
    """The events of one run, in order; ``dropped`` counts calls past the trace's limits.

    ``events`` is the list of :class:`TraceEvent`; ``len()`` and iteration see the same.

    A host records through :meth:`record`: a compact record of its own, which ``decode(record,
    seq) -> TraceEvent`` (given here) turns into an event only when someone reads the trace.
    ``max_events`` and ``max_bytes`` bound what is kept (``None``: no bound); past either,
    calls are counted in ``dropped``, ``cut`` says why, and the JSON lines end with a
    ``trace_cut`` event (:meth:`cut_event`) that carries the count.
    """

    def __init__(
        self,
        events: list[TraceEvent] | None = None,
        dropped: int = 0,
        *,
        decode: Callable[[Any, int], TraceEvent] | None = None,
        max_events: int | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self._events: list[TraceEvent] = list(events or [])
        self._pending: list[Any] = []  # records (and added events) not decoded yet, in order
        self._decode = decode
        self.dropped = dropped
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._events_left = max_events if max_events is not None else 1 << 62
        self._bytes_left = max_bytes if max_bytes is not None else 1 << 62
        #: the sentence saying why the trace was cut (None while nothing was dropped)
        self.cut: str | None = None

    def record(self, record: Any, size: int) -> None:
        """Keep ``record`` (decoded later by ``decode``), which takes about ``size`` bytes once
        decoded; past ``max_events`` or ``max_bytes`` count it in ``dropped`` instead."""
        left = self._bytes_left - size
        if left >= 0 and self._events_left:
            self._bytes_left = left
            self._events_left -= 1
            self._pending.append(record)
        else:
            self._full()

    def _full(self) -> None:
        self.dropped += 1
        if self.cut is None:
            from . import messages

            self._events_left = 0  # nothing more is kept, however small
            events = "∞" if self.max_events is None else f"{self.max_events:,}"
            mib = "∞" if self.max_bytes is None else f"{self.max_bytes / (1 << 20):g}"
            self.cut = messages.t("trace_cut", events=events, mib=mib)

    @property
    def recorded_bytes(self) -> int:
        """What the kept records take once decoded, as their recorder estimated it."""
        return (self.max_bytes if self.max_bytes is not None else 1 << 62) - self._bytes_left

    def cut_event(self) -> TraceEvent | None:
        """The closing note of a cut trace (``call="trace_cut"``, ``phase="end"``, the count
        in ``args["dropped"]``), or None when nothing was dropped; not one of ``events``."""
        if not self.dropped:
            return None
        return TraceEvent(
            seq=len(self), call="trace_cut", args={"dropped": self.dropped}, results={},
            errno="success", reason=self.cut, phase="end",
        )  # fmt: skip

    @property
    def events(self) -> list[TraceEvent]:
        """Every event, decoded (the records of a host are decoded once, here)."""
        pending = self._pending
        if pending:
            events = self._events
            decode = self._decode
            append = events.append
            # the collector would walk the growing list again and again: decoding 200,000
            # events would take several times longer
            collecting = gc.isenabled()
            gc.disable()
            try:
                for rec in pending:
                    if type(rec) is TraceEvent:
                        rec.seq = len(events)
                        append(rec)
                    else:
                        append(decode(rec, len(events)))  # type: ignore[misc]
            finally:
                if collecting:
                    gc.enable()
            pending.clear()
        return self._events

    @events.setter
    def events(self, value: list[TraceEvent]) -> None:
        self._pending.clear()
        self._events = list(value)

    def add(self, event: TraceEvent) -> None:
        """Append an already decoded event (numbered when the trace is read); the limits do
        not apply to it (a link refusal, a closing note)."""
        event.seq = len(self)
        self._pending.append(event)

    def __len__(self) -> int:
        return len(self._events) + len(self._pending)

    def __iter__(self) -> Iterator[TraceEvent]:
        return iter(self.events)

    def __getitem__(self, index: int) -> TraceEvent:
        return self.events[index]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Trace):
            return NotImplemented
        return self.events == other.events and self.dropped == other.dropped

    def __repr__(self) -> str:
        return f"<Trace {len(self)} events, {self.dropped} dropped>"

    # ------------------------------------------------------------------ views

    def filter(
        self, call: str | None = None, fd: int | None = None, denied: bool | None = None
    ) -> Trace:
        """Return a Trace of the events matching every given criterion.

        ``call`` is a call name (or a prefix ending in ``*``, e.g. ``"path_*"``), ``fd`` matches
        any fd-like argument or result, ``denied`` keeps only refused (True) or granted calls.
        """
        out = []
        for ev in self.events:
            if call is not None:
                if call.endswith("*"):
                    if not ev.call.startswith(call[:-1]):
                        continue
                elif ev.call != call:
                    continue
            if denied is not None and ev.denied != denied:
                continue
            if fd is not None and not _mentions_fd(ev, fd):
                continue
            out.append(ev)
        return Trace(out)

    def to_text(self) -> str:
        """Return the trace strace-like, one line per call (plus a line for dropped events)."""
        lines = [ev.to_text() for ev in self.events]
        if self.dropped:
            from .messages import t

            lines.append(t("trace_dropped_line", n=self.dropped))
        return "\n".join(lines) + ("\n" if lines else "")

    def to_jsonl(self) -> str:
        """Return one JSON object per line, per event (the ``--trace-json`` contract)."""
        cut = self.cut_event()
        events = self.events if cut is None else [*self.events, cut]
        return "".join([ev.to_json() + "\n" for ev in events])

    def summary(self) -> list[dict[str, Any]]:
        """Return per-call totals like ``strace -c``: calls, errors, denied, time.

        Each row is ``{"call", "calls", "errors", "denied", "total_ns", "per_call_ns"}``, the
        most time-consuming first.
        """
        rows: dict[str, dict[str, Any]] = {}
        for ev in self.events:
            if ev.phase not in ("run", "libc"):
                continue
            row = rows.setdefault(
                ev.call,
                {"call": ev.call, "calls": 0, "errors": 0, "denied": 0, "total_ns": 0},
            )
            row["calls"] += 1
            row["errors"] += ev.errno != "success"
            row["denied"] += ev.denied
            row["total_ns"] += ev.dur_ns
        out = sorted(rows.values(), key=lambda r: (-r["total_ns"], r["call"]))
        for row in out:
            row["per_call_ns"] = row["total_ns"] // max(row["calls"], 1)
        return out

    def summary_text(self) -> str:
        """Return :meth:`summary` as a fixed-width table."""
        rows = self.summary()
        total = sum(r["total_ns"] for r in rows) or 1
        lines = [f"{'% time':>6} {'usecs':>10} {'usecs/call':>10} {'calls':>7} "
                 f"{'errors':>7} {'denied':>7}  call"]  # fmt: skip
        for r in rows:
            lines.append(
                f"{100 * r['total_ns'] / total:6.2f} {r['total_ns'] / 1000:10.1f} "
                f"{r['per_call_ns'] / 1000:10.1f} {r['calls']:7d} {r['errors']:7d} "
                f"{r['denied']:7d}  {r['call']}"
            )
        return "\n".join(lines) + "\n"

    def to_html(self, max_rows: int = 500) -> str:
        """Return the trace as an HTML table (:func:`html_table`): the first ``max_rows``
        events, refusals marked, then how many more there are."""
        return html_table(self.events, max_rows, dropped=self.dropped)

    def _repr_html_(self) -> str:
        return self.to_html()


def _json_line_encoder() -> Callable[[Any], str]:
    """Return ``obj -> str``, the same text as ``json.dumps(obj, ensure_ascii=False)``, with
    the C encoder made once instead of once per call (most of the cost of a small object)."""
    from json import JSONEncoder, encoder

    plain = JSONEncoder(ensure_ascii=False, check_circular=False).encode
    make = getattr(encoder, "c_make_encoder", None)
    if make is None:
        return plain

    def refuse(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    try:
        chunks = make(None, refuse, encoder.encode_basestring, None, ": ", ", ", False, False, True)
        if "".join(chunks({"a": [1, "é"]}, 0)) != plain({"a": [1, "é"]}):
            return plain
    except TypeError:  # another signature in another Python
        return plain
    return lambda obj: "".join(chunks(obj, 0))


@functools.cache
def _json_coders() -> tuple[Callable[[Any], str], Callable[[str], str]]:
    """``(obj -> one line of JSON, str -> a JSON string with non-ASCII kept)``, made on first
    use: a run that writes neither trace text nor JSON never loads :mod:`json`."""
    from json import encoder

    return _json_line_encoder(), encoder.encode_basestring

_FD_KEYS = ("fd", "old_fd", "new_fd", "to", "opened_fd")


def _mentions_fd(ev: TraceEvent, fd: int) -> bool:
    for key in _FD_KEYS:
        if ev.args.get(key) == fd or ev.results.get(key) == fd:
            return True
    return False
