"""One program under preview 1 and under preview 2, its two traces side by side.

The same core module runs twice: as it is, under the preview 1 host (flat calls over integers),
and wrapped with the preview 1 adapter into a ``wasi:cli/command`` component, under the preview
2 host (typed calls over resources). Neither trace sees the other's run, so the two are lined
up by what each call does: every call is given an *action* on a *target* (``open`` of
``/data/out.txt``, ``write`` to ``stdout``, ``exit``), read from its decoded arguments; calls in
a row with the same action and target on one side are one step (the adapter writes ``puts``'s
text and its newline in two calls where preview 1 made one), and the two lists of steps are
matched in order, the longest common sequence of ``(action, target)``. A call with no action of
its own (``fd_fdstat_get`` on stdin, a stream dropped) joins the step before it. What neither
side matches is one row, the preview 1 calls and the preview 2 calls left between two matches.

:func:`run_side_by_side` runs both and returns a :class:`SideBySide` (its HTML is the view a
notebook shows, the trace's own table for each half of each row); :func:`align` does the lining
up of two event lists.
"""

from __future__ import annotations

import copy
import difflib
import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import messages
from .result import RunResult
from .sandbox import Sandbox
from .trace import TraceEvent, html_table

__all__ = ["Step", "SideBySide", "align", "action_of_p1", "action_of_p2", "run_side_by_side"]

#: actions a learner reads in a row's first column, in the catalogue as ``p1p2_action_*``
ACTIONS = ("preopens", "args", "env", "describe", "open", "read", "write", "seek", "stat",
           "readdir", "mkdir", "unlink", "rmdir", "rename", "close", "clock", "random", "poll",
           "exit")  # fmt: skip

_STDIO = {0: "stdin", 1: "stdout", 2: "stderr"}

_P1_ON_PATH = {
    "path_filestat_get": "stat", "path_create_directory": "mkdir",
    "path_unlink_file": "unlink", "path_remove_directory": "rmdir", "path_rename": "rename",
}  # fmt: skip
_P1_ON_FD = {
    "fd_write": "write", "fd_pwrite": "write", "fd_read": "read", "fd_pread": "read",
    "fd_close": "close", "fd_fdstat_get": "describe", "fd_filestat_get": "stat",
    "fd_seek": "seek", "fd_tell": "seek", "fd_readdir": "readdir",
}  # fmt: skip
_P1_PLAIN = {
    "fd_prestat_get": "preopens", "fd_prestat_dir_name": "preopens", "args_get": "args",
    "args_sizes_get": "args", "environ_get": "env", "environ_sizes_get": "env",
    "clock_time_get": "clock", "clock_res_get": "clock", "random_get": "random",
    "poll_oneoff": "poll", "proc_exit": "exit",
}  # fmt: skip

_P2_PLAIN = {
    "get-directories": "preopens", "get-arguments": "args", "get-environment": "env",
    "initial-cwd": "env", "now": "clock", "resolution": "clock", "get-random-bytes": "random",
    "get-random-u64": "random", "get-insecure-random-bytes": "random",
    "get-insecure-random-u64": "random", "poll": "poll", "exit": "exit",
    "exit-with-code": "exit",
}  # fmt: skip
_P2_STREAM = {
    "write": "write", "blocking-write-and-flush": "write", "write-zeroes": "write",
    "blocking-write-zeroes-and-flush": "write", "read": "read", "blocking-read": "read",
    "skip": "read", "blocking-skip": "read",
}  # fmt: skip
_P2_DESCRIPTOR = {
    "read": "read", "write": "write", "get-type": "describe", "get-flags": "describe",
    "stat": "stat", "read-directory": "readdir", "set-size": "write", "sync": "write",
    "sync-data": "write", "write-via-stream": "write", "append-via-stream": "write",
    "read-via-stream": "read",
}  # fmt: skip
_P2_AT = {
    "open-at": "open", "stat-at": "stat", "create-directory-at": "mkdir",
    "unlink-file-at": "unlink", "remove-directory-at": "rmdir", "rename-at": "rename",
}  # fmt: skip


@dataclass
class Step:
    """One row of the side-by-side view: ``action`` on ``target`` (``"open"``,
    ``"/data/out.txt"``), with the preview 1 calls and the preview 2 calls that did it.
    ``action`` is None for a row of calls that have no counterpart on the other side."""

    action: str | None
    target: str
    p1: list[TraceEvent] = field(default_factory=list)
    p2: list[TraceEvent] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        """Whether both sides did this step."""
        return self.action is not None

    def label(self) -> str:
        """The step in words, in the language of the messages."""
        if self.action is None:
            return messages.t("p1p2_unmatched")
        return messages.t(f"p1p2_action_{self.action}", target=self.target).strip()


# ------------------------------------------------------------------------------- actions


def _joined(folder: str, path: Any) -> str:
    path = path if isinstance(path, str) else "?"
    if path.startswith("/"):
        return path
    return folder.rstrip("/") + "/" + path if folder else path


def _text(value: Any) -> str | None:
    """A decoded string result: a plain string, or the text of a byte buffer."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return None


class _P1Names:
    """What each fd stands for, learned while reading a preview 1 trace in order."""

    def __init__(self) -> None:
        self.names: dict[int, str] = dict(_STDIO)

    def of(self, fd: Any) -> str:
        return self.names.get(fd, f"fd {fd}") if isinstance(fd, int) else "?"

    def learn(self, ev: TraceEvent) -> None:
        if ev.call == "fd_prestat_dir_name" and ev.errno == "success":
            for value in ev.results.values():
                if _text(value) is not None:
                    self.names[ev.args.get("fd")] = _text(value)  # type: ignore[index]
        elif ev.call == "path_open" and ev.errno == "success":
            opened = ev.results.get("opened_fd")
            if isinstance(opened, int):
                self.names[opened] = _joined(self.of(ev.args.get("fd")), ev.args.get("path"))
        elif ev.call == "fd_renumber" and ev.errno == "success":
            self.names[ev.args.get("to")] = self.of(ev.args.get("fd"))  # type: ignore[index]


def action_of_p1(ev: TraceEvent, names: _P1Names) -> tuple[str, str] | None:
    """The ``(action, target)`` of a preview 1 call, or None for a call without one."""
    call = ev.call
    if call in _P1_PLAIN:
        return _P1_PLAIN[call], ""
    if call == "path_open":
        return "open", _joined(names.of(ev.args.get("fd")), ev.args.get("path"))
    if call in _P1_ON_PATH:
        key = "old_path" if call == "path_rename" else "path"
        return _P1_ON_PATH[call], _joined(names.of(ev.args.get("fd")), ev.args.get(key))
    if call in _P1_ON_FD:
        return _P1_ON_FD[call], names.of(ev.args.get("fd"))
    return None


def _resource(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) and "resource" in value else {}


def action_of_p2(ev: TraceEvent) -> tuple[str, str] | None:
    """The ``(action, target)`` of a preview 2 call, or None for a call without one."""
    name = ev.call.rpartition("#")[2]
    this = _resource(ev.args.get("self"))
    if name.startswith("[method]"):
        kind, _, method = name.removeprefix("[method]").partition(".")
        if kind in ("output-stream", "input-stream") and method in _P2_STREAM:
            return _P2_STREAM[method], str(this.get("of", "?"))
        if kind == "descriptor":
            if method in _P2_AT:
                return _P2_AT[method], _joined(str(this.get("path", "")), ev.args.get(
                    "old-path" if method == "rename-at" else "path"))  # fmt: skip
            if method in _P2_DESCRIPTOR:
                return _P2_DESCRIPTOR[method], str(this.get("path", "?"))
        return None
    if name == "[resource-drop]descriptor":
        return "close", str(this.get("path", "?"))
    if name.startswith("get-terminal-"):
        return "describe", name.removeprefix("get-terminal-")
    if name in _P2_PLAIN:
        return _P2_PLAIN[name], ""
    return None


# ------------------------------------------------------------------------------- alignment


def _steps(events: Sequence[TraceEvent], p1: bool) -> list[Step]:
    """The calls of one side as steps: runs of one ``(action, target)`` merged, calls without
    an action joined to the step before them."""
    names = _P1Names()
    steps: list[Step] = []
    for ev in events:
        if ev.phase == "libc":  # a path the guest's libc refused, on either side
            key = ("libc_refused", str(ev.args.get("path", "?")))
        elif ev.phase != "run":
            key = None
        elif p1:
            key = action_of_p1(ev, names)
            names.learn(ev)
        else:
            key = action_of_p2(ev)
        side = "p1" if p1 else "p2"
        if key is not None and steps and (steps[-1].action, steps[-1].target) == key:
            getattr(steps[-1], side).append(ev)
        elif key is None and steps:
            getattr(steps[-1], side).append(ev)
        else:
            action, target = key if key is not None else (None, "")
            steps.append(Step(action, target, **{side: [ev]}))
    return steps


def align(p1_events: Sequence[TraceEvent], p2_events: Sequence[TraceEvent]) -> list[Step]:
    """Line up a preview 1 trace and a preview 2 trace of the same program: a matched
    :class:`Step` for each action both did in the same order, and between two matches one
    unmatched step holding what each side did besides (either list may be empty)."""
    one, two = _steps(p1_events, True), _steps(p2_events, False)
    keys_one = [(s.action, s.target) for s in one]
    keys_two = [(s.action, s.target) for s in two]
    rows: list[Step] = []
    matcher = difflib.SequenceMatcher(None, keys_one, keys_two, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(one[i1:i2], two[j1:j2], strict=True):
                if a.action is None:  # calls before the first action: not a match
                    rows.append(Step(None, "", a.p1, b.p2))
                else:
                    rows.append(Step(a.action, a.target, a.p1, b.p2))
            continue
        rows.append(Step(None, "", [e for s in one[i1:i2] for e in s.p1],
                         [e for s in two[j1:j2] for e in s.p2]))  # fmt: skip
    return rows


# ------------------------------------------------------------------------------- running


@dataclass
class SideBySide:
    """The two runs of one program, ``core`` (preview 1) and ``component`` (preview 2), and
    their traces lined up in ``steps``."""

    core: RunResult
    component: RunResult
    steps: list[Step]

    def matched(self, action: str) -> list[Step]:
        """The matched steps that did ``action`` (``"open"``, ``"write"``, ``"exit"`` ...)."""
        return [s for s in self.steps if s.action == action]

    def to_text(self) -> str:
        """The rows as text: the step, then its preview 1 calls and its preview 2 calls."""
        lines = []
        for step in self.steps:
            lines.append(f"== {step.label()}")
            lines += [f"   p1 {ev.to_text()}" for ev in step.p1]
            lines += [f"   p2 {ev.to_text()}" for ev in step.p2]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return f"<SideBySide {len(self.steps)} steps>"

    def _repr_html_(self) -> str:
        return side_by_side_html(self)


def side_by_side_html(view: SideBySide) -> str:
    """The view: one row per step, its words, then the trace's table of each side's calls."""
    from .kernel._display import summary_text
    from .widgets._html import STYLE

    t = messages.t
    head = (
        f"<h4>{html.escape(t('p1p2_title'))}</h4>"
        f"<div class='wk-note'>{html.escape(t('p1p2_core'))}: "
        f"{html.escape(summary_text(view.core))}<br>{html.escape(t('p1p2_component'))}: "
        f"{html.escape(summary_text(view.component))}</div>"
    )
    rows = []
    for step in view.steps:
        mark = "" if step.matched else " class='wk-note'"
        cells = [html_table(events, 40, header=False) if events else "" for events in
                 (step.p1, step.p2)]  # fmt: skip
        rows.append(f"<tr{mark}><td><b>{html.escape(step.label())}</b></td>"
                    f"<td>{cells[0]}</td><td>{cells[1]}</td></tr>")  # fmt: skip
    table = (
        "<table class='wk-p1p2'><thead><tr>"
        f"<th>{html.escape(t('p1p2_step'))}</th><th>{html.escape(t('p1p2_core'))}</th>"
        f"<th>{html.escape(t('p1p2_component'))}</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>"
    )
    return f'{STYLE}<div class="wk-static wk-p1p2">{head}{table}</div>'


@contextmanager
def _own_folders(sandbox: Sandbox) -> Iterator[Sandbox]:
    """``sandbox`` with each host folder replaced by a temporary copy, removed afterwards."""
    import shutil
    import tempfile

    clone = copy.deepcopy(sandbox)
    made = []
    try:
        for preopen in clone.preopens:
            if preopen.host_path is not None:
                target = tempfile.mkdtemp(prefix="wasikernel-p1p2-")
                made.append(target)
                shutil.copytree(preopen.host_path, target, dirs_exist_ok=True, symlinks=True)
                preopen.host_path = target
        yield clone
    finally:
        for target in made:
            shutil.rmtree(target, ignore_errors=True)


def run_side_by_side(core: bytes, sandbox: Sandbox | None = None, **run_options: Any
                     ) -> SideBySide:
    """Run the preview 1 module ``core`` as it is and wrapped into a component, each in a copy
    of ``sandbox`` (its host folders copied, so neither run sees what the other left and the
    folders themselves stay as they are), and line up the two traces. A libc hook in ``core``
    is kept in the component (as ``wasikernel:libc/trace``): a path libc refuses is a row.

    Keyword options go to :func:`wasikernel.engines.run` (``cancel=``, ``on_output=`` ...).
    Raises ToolchainMissing without the adapter or wasm-tools, CompileError when ``core``
    cannot be wrapped, EngineError when an engine cannot run it.
    """
    from .compile.component import wrap
    from .engines import run

    sandbox = sandbox or Sandbox()
    component = wrap(core, libc_trace=True)  # a libc hook of ``core`` is kept on both sides
    with _own_folders(sandbox) as box:
        first = run(core, box, **run_options)
    with _own_folders(sandbox) as box:
        second = run(component, box, **run_options)
    return SideBySide(first, second, align(first.trace.events, second.trace.events))
