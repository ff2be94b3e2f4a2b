"""Checks for the exercises of the course: each says what is right and what is not.

Every ``check_*`` function returns a :class:`Feedback`: ``ok`` is true when the answer is right;
``right`` lists what is already correct, ``wrong`` what is not, each a sentence in the language
of the lessons (English, or French after ``wasikernel.messages.set_language("fr")``), taken
from the catalogue of :mod:`wasikernel.messages` (keys ``lesson_*``). A check
never raises for a wrong answer, a module that does not compile or a guest that traps: those
are feedback too. Checks that run code compile it with :func:`wasikernel.compile.compile_source`
and run it with :func:`wasikernel.engines.run`, in a sandbox the check builds.

An exercise is a cell the learner edits, checked by name: ``%%c --check 05-linear-memory.ex1``
runs the cell as usual, then the exercise's check (registered in :data:`EXERCISES`) reads the
cell's source and its :class:`RunResult` and shows its feedback, which says what is wrong and
where to look, never the expected value. The locked cell that follows, ``grade(NAME)``, says
whether the last answer passed; under nbgrader (which sets ``NBGRADER_EXECUTION`` while it
autogrades or validates a notebook) a wrong or missing answer fails that cell instead, so
nbgrader scores it, while a learner's Run All goes on.
"""

from __future__ import annotations

import contextlib
import html
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import messages
from .errors import UsageError
from .result import RunResult
from .sandbox import Preopen, Sandbox

__all__ = [
    "EXERCISES",
    "Exercise",
    "ExerciseNotPassed",
    "Feedback",
    "answered",
    "checked_answer",
    "grade",
    "check_exit_code",
    "check_perimeter",
    "check_two_iovecs",
    "check_refused_open",
    "check_least_sandbox",
    "check_reproducible",
    "check_memory_regions",
    "check_smallest_module",
    "check_speedup",
    "check_link_refusals",
    "check_line_counter",
    "check_ctf",
    "check_escape",
    "check_addresses",
    "check_small_c",
    "check_cache_saving",
    "check_compiled_reading",
    "COMPILED_VIEW_C",
    "check_runtime_choice",
    "RUNTIME_NAMES",
    "check_links",
    "check_handle_order",
    "check_open_write_close",
    "check_client_grant",
    "grading",
    "grant_data",
    "run_source",
]

def _t(key: str, **fields: Any) -> str:
    return messages.t(f"lesson_{key}", **fields)


@dataclass
class Feedback:
    """The verdict of a check: ``ok``, what is ``right`` and what is ``wrong``, in words.

    It is true when the answer is right, shows as a short list in a notebook and as text in a
    terminal.
    """

    ok: bool = True
    right: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def good(self, key: str, **fields: Any) -> None:
        """Add a sentence to what is right."""
        self.right.append(_t(key, **fields))

    def bad(self, key: str, **fields: Any) -> None:
        """Add a sentence to what must change; the answer is then not right."""
        self.wrong.append(_t(key, **fields))
        self.ok = False

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        lines = [_t("title_ok" if self.ok else "title_ko")]
        lines += [f"  ✔ {s}" for s in self.right]
        lines += [f"  ✘ {s}" for s in self.wrong]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#b35900"
        items = "".join(
            f'<li style="color:#1a7f37">✔ {html.escape(s)}</li>' for s in self.right
        ) + "".join(f'<li style="color:#b42318">✘ {html.escape(s)}</li>' for s in self.wrong)
        title = html.escape(_t("title_ok" if self.ok else "title_ko"))
        return (
            f'<div class="wasikernel-feedback" style="border-left:4px solid {colour};'
            f'padding:4px 10px"><b>{title}</b><ul style="margin:4px 0">{items}</ul></div>'
        )


# ---------------------------------------------------------------- exercises checked by name


@dataclass(frozen=True)
class Exercise:
    """One exercise of the course: its name (``"03-sandbox.ex1"``), the languages its cell may
    be written in, and its check, ``check(source, result) -> Feedback``."""

    name: str
    languages: tuple[str, ...]
    check: Callable[[str, RunResult], Feedback]


#: every exercise of the course, by name
EXERCISES: dict[str, Exercise] = {}
#: the exercises whose answer is a Python value, kept by :func:`answered`
VALUE_EXERCISES = ("05-linear-memory.ex2", "07-choosing-a-runtime.ex1", "07-choosing-a-runtime.ex2",
                   "10-components.ex3")
#: the feedback of the last answer to each exercise in this kernel
_ANSWERS: dict[str, Feedback] = {}


def _exercise(
    name: str, *languages: str
) -> Callable[[Callable[[str, RunResult], Feedback]], Callable[[str, RunResult], Feedback]]:
    def register(check: Callable[[str, RunResult], Feedback]) -> Callable[..., Feedback]:
        EXERCISES[name] = Exercise(name, languages, check)
        return check

    return register


def _display(value: Any) -> None:
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with the kernel
        print(value)
    else:
        display(value)


class _Answer:
    """What the cell of an exercise produced: its run, once the kernel has run it."""

    result: RunResult | None = None


@contextlib.contextmanager
def checked_answer(name: str, language: str, source: str) -> Iterator[_Answer]:
    """Check the cell run inside the ``with`` block as the answer to the exercise ``name``.

    The block sets ``answer.result``; the check's feedback is then shown and kept for
    :func:`grade`. A block that raises (the cell does not compile, say) records that the
    exercise is not passed and lets the error through. Raises UsageError before the block for
    an unknown exercise or a cell in a language the exercise does not take.
    """
    exercise = EXERCISES.get(name)
    if exercise is None:
        raise UsageError(_t("unknown_exercise", name=name[:80], names=", ".join(EXERCISES)))
    if language not in exercise.languages:
        raise UsageError(_t("exercise_language", name=name, language=language,
                            languages=", ".join(exercise.languages)))
    answer = _Answer()
    try:
        yield answer
    except BaseException:
        failed = Feedback()
        failed.bad("cell_failed")
        _ANSWERS[name] = failed
        raise
    if answer.result is None:  # pragma: no cover - the kernel always sets it
        return
    feedback = exercise.check(source, answer.result)
    _ANSWERS[name] = feedback
    _display(feedback)


def answered(name: str, feedback: Feedback) -> Feedback:
    """Keep ``feedback`` as the answer to the exercise ``name`` (for :func:`grade`) and return
    it: the form of an exercise whose answer is a Python value rather than a cell (one of
    :data:`VALUE_EXERCISES`). Raises UsageError for any other name: a cell's exercise is
    answered by its cell."""
    if name not in VALUE_EXERCISES:
        raise UsageError(_t("unknown_exercise", name=str(name)[:80],
                            names=", ".join(VALUE_EXERCISES)))
    _ANSWERS[name] = feedback
    return feedback


class ExerciseNotPassed(Exception):
    """Raised by :func:`grade` under nbgrader when the exercise's answer is wrong or missing;
    it shows as its feedback, without a Python traceback."""

    def __init__(self, name: str, feedback: Feedback) -> None:
        super().__init__(_t("grade_failed", name=name))
        self.name, self.feedback = name, feedback

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead
        return [str(self), *str(self.feedback).splitlines()]


def grading() -> bool:
    """Whether nbgrader is running this notebook (``nbgrader autograde`` or ``validate``)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def grade(name: str) -> None:
    """Say whether the last answer to the exercise ``name`` passed its check.

    Under nbgrader (``NBGRADER_EXECUTION`` set) a wrong or missing answer raises
    :class:`ExerciseNotPassed`, so the graded cell fails; otherwise it only says so, and a
    learner's Run All goes on. Raises UsageError for an unknown exercise.
    """
    if name not in EXERCISES and name not in VALUE_EXERCISES:
        names = ", ".join([*EXERCISES, *VALUE_EXERCISES])
        raise UsageError(_t("unknown_exercise", name=str(name)[:80], names=names))
    feedback = _ANSWERS.get(name)
    if feedback is None:
        feedback = Feedback()
        feedback.bad("not_answered")
    if feedback.ok:
        print(_t("grade_passed", name=name))
        return
    if grading():
        raise ExerciseNotPassed(name, feedback)
    print(_t("grade_not_yet", name=name))


# ---------------------------------------------------------------- running code for a check


def _compile(feedback: Feedback, language: str, source: str) -> Any:
    """Compile ``source``; on a compile error add it to ``feedback`` and return None."""
    from .compile import compile_source
    from .errors import CompileError

    try:
        return compile_source(language, source)
    except CompileError as error:
        feedback.bad("compile_error", language=language.upper(), message=error.message.strip())
        return None


def _run(
    feedback: Feedback,
    language: str,
    source: str,
    sandbox: Sandbox | None = None,
    **run_options: Any,
) -> RunResult | None:
    """Compile and run ``source``; on a compile error add it to ``feedback`` and return None."""
    from .engines import run

    compiled = _compile(feedback, language, source)
    if compiled is None:
        return None
    return run(compiled.wasm, sandbox or Sandbox(), layout=compiled.layout, **run_options)


def _run_answer(feedback: Feedback, wat_source: str) -> RunResult | None:
    """Compile and run the learner's WAT module in an empty sandbox: say that it compiles and,
    when it stopped on a trap or a limit, how; return None when it does not compile."""
    result = _run(feedback, "wat", wat_source)
    if result is not None:
        feedback.good("compiles")
        _report_end(feedback, result)
    return result


def _report_end(feedback: Feedback, result: RunResult) -> None:
    if result.trap is not None and result.outcome != "link":
        feedback.bad("trapped", message=result.trap.text())
    if result.limit is not None:
        feedback.bad("limit", message=result.limit)


def _events(result: RunResult, call: str) -> list[Any]:
    return [e for e in result.trace.events if e.call == call]


def _path_of(event: Any) -> str:
    args = event.args
    for key in ("path", "old_path", "new_path"):
        if isinstance(args.get(key), str):
            return args[key]
    return "?"


# ---------------------------------------------------------------- lesson 0


def check_exit_code(wat_source: str, expected: int = 7) -> Feedback:
    """Lesson 0: the WAT module must end by calling ``proc_exit(expected)``."""
    feedback = Feedback()
    result = _run_answer(feedback, wat_source)
    if result is None:
        return feedback
    if _events(result, "proc_exit"):
        feedback.good("proc_exit_seen")
    else:
        feedback.bad("proc_exit_missing")
    if result.exit_code == expected:
        feedback.good("exit_ok", code=expected)
    elif result.exit_code is None:
        feedback.bad("exit_none")
    else:
        feedback.bad("exit_bad", got=result.exit_code, want=expected)
    return feedback


# ---------------------------------------------------------------- lesson 1


def check_perimeter(wat_source: str) -> Feedback:
    """Lesson 1: the module exports ``perimeter(w, h) = 2 * (w + h)`` on i32."""
    from .engines import run

    feedback = Feedback()
    compiled = _compile(feedback, "wat", wat_source)
    if compiled is None:
        return feedback
    feedback.good("compiles")
    exports = _exports(compiled.wasm)
    if "perimeter" not in exports:
        feedback.bad("export_missing", name="perimeter")
        return feedback
    sig = exports["perimeter"]
    if sig != ([_I32, _I32], [_I32]):
        feedback.bad("signature_bad", name="perimeter", sig=_sig_text(sig))
        return feedback
    feedback.good("export_ok", name="perimeter", sig=_sig_text(sig))
    for w, h in ((3, 4), (0, 0), (10, 1), (7, 7)):
        result = run(compiled.wasm, Sandbox(), invoke="perimeter", invoke_args=(w, h))
        call = f"perimeter({w}, {h})"
        if result.trap is not None:
            feedback.bad("trapped", message=result.trap.text())
            continue
        got = result.returned[0] if result.returned else None
        want = 2 * (w + h)
        if got == want:
            feedback.good("case_ok", call=call, got=got)
        else:
            feedback.bad("case_bad", call=call, got=got, want=want)
    return feedback


_I32 = "i32"


def _exports(wasm: bytes) -> dict[str, tuple[list[str], list[str]]]:
    """The function exports of a module, name -> (params, results), read with wasmtime."""
    import wasmtime

    module = wasmtime.Module(wasmtime.Engine(), wasm)
    found = {}
    for export in module.exports:
        kind = export.type
        if isinstance(kind, wasmtime.FuncType):
            found[export.name] = ([str(p) for p in kind.params], [str(r) for r in kind.results])
    return found


def _sig_text(sig: tuple[list[str], list[str]]) -> str:
    return f"({', '.join(sig[0])}) -> ({', '.join(sig[1])})"


# ---------------------------------------------------------------- lesson 2


def _iovec_count(event: Any) -> int | None:
    args = event.args
    for key in ("iovs_len", "iovs.len", "iovs_count"):
        if isinstance(args.get(key), int):
            return args[key]
    iovs = args.get("iovs")
    if isinstance(iovs, list):
        return len(iovs)
    # the first memory the call reads is the iovec table, 8 bytes per iovec
    reads = [m for m in event.memory if m.access == "r"]
    if reads and reads[0].len % 8 == 0:
        return reads[0].len // 8
    return None


def check_two_iovecs(wat_source: str, expected: str = "Hello, WASI!\n") -> Feedback:
    """Lesson 2: print ``expected`` with a single ``fd_write`` that carries two iovecs."""
    feedback = Feedback()
    result = _run_answer(feedback, wat_source)
    if result is None:
        return feedback
    got = result.stdout.decode("utf-8", "replace")
    if got == expected:
        feedback.good("stdout_ok", text=got)
    else:
        feedback.bad("stdout_bad", got=got, want=expected)
    writes = _events(result, "fd_write")
    if not writes:
        feedback.bad("no_fd_write")
        return feedback
    counts = [_iovec_count(e) for e in writes]
    if len(writes) == 1 and counts[0] == 2:
        feedback.good("iovecs_ok", n=2)
    else:
        feedback.bad("iovecs_bad", got=", ".join(str(c) for c in counts))
    return feedback


# ---------------------------------------------------------------- lesson 3


def check_refused_open(wat_source: str, errno_answer: str | None = None) -> Feedback:
    """Lesson 3: the module tries ``path_open`` and an empty sandbox refuses it.

    With ``errno_answer`` the learner's reading of the trace (an errno name such as
    ``"badf"``) is checked against what the host returned.
    """
    feedback = Feedback()
    result = _run_answer(feedback, wat_source)
    if result is None:
        return feedback
    opens = _events(result, "path_open")
    if not opens:
        feedback.bad("open_missing")
        return feedback
    event = opens[0]
    feedback.good("open_tried", path=_path_of(event))
    if event.errno != "success":
        reason = event.reason
        if not reason and event.errno == "badf":
            reason = _t("badf_reason", fd=event.args.get("fd", "?"))
        feedback.good("open_refused", errno=event.errno, reason=reason or _t("no_reason"))
    else:
        feedback.bad("open_not_refused", errno=event.errno)
    if errno_answer is not None:
        answer = errno_answer.strip().lower().removeprefix("errno_").removeprefix("e")
        if answer in (event.errno, event.errno.removeprefix("e")) or errno_answer == event.errno:
            feedback.good("errno_answer_ok", answer=errno_answer)
        else:
            feedback.bad("errno_answer_bad", answer=errno_answer, errno=event.errno)
    return feedback


# ---------------------------------------------------------------- lesson 4

# Reads /data/notes.txt to stdout, then tries to create /data/out.txt (prints "write ok" if it can).
_PROBE_READ_WRITE = r"""
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "notes.txt")
  (data (i32.const 32) "out.txt")
  (data (i32.const 48) "write ok\n")
  (func (export "_start") (local $n i32)
    ;; open notes.txt in the first preopen (fd 3), rights: read
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 9)
                  (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))
      (then
        ;; iovec at 200: buffer 1024, length 4096
        (i32.store (i32.const 200) (i32.const 1024))
        (i32.store (i32.const 204) (i32.const 4096))
        (drop (call $fd_read (i32.load (i32.const 100)) (i32.const 200) (i32.const 1)
                (i32.const 208)))
        (i32.store (i32.const 204) (i32.load (i32.const 208)))
        (drop (call $fd_write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 212)))))
    ;; create out.txt (oflags creat = 1), rights: write (fd_write = 64)
    (if (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 7)
                  (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 100)))
      (then
        (i32.store (i32.const 200) (i32.const 48))
        (i32.store (i32.const 204) (i32.const 9))
        (drop (call $fd_write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 212)))))))
"""


def check_least_sandbox(sandbox: Sandbox, notes_text: str | None = None) -> Feedback:
    """Lesson 4: ``sandbox`` lets a tool read ``/data/notes.txt`` and nothing more.

    The check runs a probe that reads the file and then tries to create ``/data/out.txt``; it
    works on a copy of a host folder, so a wrong answer never leaves a file behind.
    """
    feedback = Feedback()
    probe_box = _copy_of_folders(sandbox)
    try:
        result = _run(feedback, "wat", _PROBE_READ_WRITE, probe_box)
    finally:
        _remove_copies(probe_box, sandbox)
    if result is None:
        return feedback
    out = result.stdout.decode("utf-8", "replace")
    read_ok = bool(out.replace("write ok\n", "")) and (notes_text is None or notes_text in out)
    if read_ok:
        feedback.good("read_ok", path="/data/notes.txt")
    else:
        feedback.bad("read_bad", path="/data/notes.txt")
    if "write ok" in out:
        feedback.bad("write_allowed")
    elif read_ok:
        feedback.good("write_refused")
    _least_grants(feedback, sandbox)
    if not sandbox.env:
        feedback.good("env_ok")
    return feedback


def _least_grants(feedback: Feedback, sandbox: Sandbox, read_only: bool = False) -> bool:
    """Say what ``sandbox`` grants beyond one folder: more folders, write access (when the
    tool only reads, ``read_only``), environment variables; return True when it grants none."""
    least = True
    if len(sandbox.preopens) > 1:
        feedback.bad("extra_preopens", n=len(sandbox.preopens))
        least = False
    if read_only and any(not p.read_only for p in sandbox.preopens):
        feedback.bad("least_ro")
        least = False
    if sandbox.env:
        feedback.bad("env_extra", names=", ".join(sorted(sandbox.env)))
        least = False
    return least


def _copy_of_folders(sandbox: Sandbox) -> Sandbox:
    """The same sandbox with each host folder replaced by a temporary copy."""
    import copy
    import shutil
    import tempfile

    clone = copy.deepcopy(sandbox)
    for preopen in clone.preopens:
        if preopen.host_path is not None:
            target = tempfile.mkdtemp(prefix="wasikernel-check-")
            shutil.copytree(preopen.host_path, target, dirs_exist_ok=True)
            preopen.host_path = target
    return clone


def _remove_copies(clone: Sandbox, original: Sandbox) -> None:
    import shutil

    for copied, first in zip(clone.preopens, original.preopens, strict=True):
        if copied.host_path is not None and copied.host_path != first.host_path:
            shutil.rmtree(copied.host_path, ignore_errors=True)


# Prints the realtime clock (8 bytes) and 8 random bytes as 32 hex digits.
_PROBE_CLOCK_RANDOM = r"""
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "0123456789abcdef")
  (func (export "_start") (local $i i32) (local $b i32)
    (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 0)))
    (drop (call $random (i32.const 8) (i32.const 8)))
    (loop $hex
      (local.set $b (i32.load8_u (local.get $i)))
      (i32.store8 (i32.add (i32.const 128) (i32.shl (local.get $i) (i32.const 1)))
        (i32.load8_u (i32.add (i32.const 64) (i32.shr_u (local.get $b) (i32.const 4)))))
      (i32.store8 (i32.add (i32.const 129) (i32.shl (local.get $i) (i32.const 1)))
        (i32.load8_u (i32.add (i32.const 64) (i32.and (local.get $b) (i32.const 15)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $hex (i32.lt_u (local.get $i) (i32.const 16))))
    (i32.store8 (i32.const 160) (i32.const 10))
    (i32.store (i32.const 200) (i32.const 128))
    (i32.store (i32.const 204) (i32.const 33))
    (drop (call $fd_write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 212)))))
"""


def check_reproducible(sandbox: Sandbox) -> Feedback:
    """Lesson 4: two runs of a clock-and-random probe in ``sandbox`` print the same thing."""
    feedback = Feedback()
    first = _run(feedback, "wat", _PROBE_CLOCK_RANDOM, sandbox)
    if first is None:
        return feedback
    second = _run(feedback, "wat", _PROBE_CLOCK_RANDOM, sandbox)
    assert second is not None
    if sandbox.clock_ns is not None:
        feedback.good("clock_frozen")
    else:
        feedback.bad("clock_free")
    if sandbox.random_seed is not None:
        feedback.good("seed_set")
    else:
        feedback.bad("seed_free")
    a, b = first.stdout.decode().strip(), second.stdout.decode().strip()
    if a == b:
        feedback.good("same_twice")
    else:
        feedback.bad("differ_twice", a=a, b=b)
    return feedback


# ---------------------------------------------------------------- lesson 5

#: each pointer of the lesson's program -> the region it lands in
_REGIONS = {"greeting": "data", "counter": "data", "local": "stack", "block": "heap"}
#: what a learner may answer in French -> the region's name
_FRENCH_REGIONS = {"pile": "stack", "tas": "heap", "données": "data", "donnees": "data"}


def check_memory_regions(answers: Mapping[str, str]) -> Feedback:
    """Lesson 5: in which region (``"data"``, ``"stack"``, ``"heap"``) each pointer lands.

    ``answers`` maps ``"greeting"``, ``"counter"``, ``"local"`` and ``"block"`` to a region.
    """
    feedback = Feedback()
    for what, region in _REGIONS.items():
        got = (answers.get(what) or "").strip().lower()
        got = _FRENCH_REGIONS.get(got, got)
        name = _t(f"region_{region}")
        if not got:
            feedback.bad("region_missing", what=what)
        elif got == region:
            feedback.good("region_ok", what=what, region=name)
        else:
            feedback.bad("region_bad", what=what, got=got, want=name, why=_t(f"why_{what}"))
    return feedback


# ---------------------------------------------------------------- lesson 6


def check_smallest_module(answer: str, sizes: Mapping[str, int]) -> Feedback:
    """Lesson 6: ``answer`` names the language whose module is smallest in ``sizes``."""
    feedback = Feedback()
    key = answer.strip().lower()
    lowered = {k.lower(): v for k, v in sizes.items()}
    if key not in lowered:
        feedback.bad("unknown_choice", answer=answer, choices=", ".join(sizes))
        return feedback
    best = min(lowered, key=lambda k: lowered[k])
    if lowered[key] == lowered[best]:
        feedback.good("smallest_ok", answer=answer, size=lowered[key])
    else:
        feedback.bad(
            "smallest_bad", answer=answer, got=lowered[key], best=best, size=lowered[best]
        )
    return feedback


# ---------------------------------------------------------------- lesson 7


def check_speedup(
    answer: float, slower_s: float, faster_s: float, claim: float | None = None
) -> Feedback:
    """Lesson 7: ``answer`` is the speed-up ``slower_s / faster_s`` (within 10 %).

    With ``claim`` (say 100 for "100x faster"), the feedback also says whether the measured
    ratio supports it.
    """
    feedback = Feedback()
    ratio = slower_s / faster_s
    if not answer:
        feedback.bad("ratio_missing", base=slower_s, cand=faster_s)
        return feedback
    fields = dict(answer=float(answer), base=slower_s, cand=faster_s, ratio=ratio)
    if abs(answer - ratio) <= 0.1 * ratio:
        feedback.good("ratio_ok", **fields)
    elif abs(1 / answer - ratio) <= 0.1 * ratio:
        feedback.bad("ratio_inverted", **fields)
    else:
        feedback.bad("ratio_bad", **fields)
    if claim is not None:
        verdict = "claim_supported" if ratio >= claim else "claim_not_supported"
        feedback.right.append(_t(verdict, claim=claim))
    return feedback


# ---------------------------------------------------------------- lesson 8


def check_link_refusals(answer: Iterable[str], wat_source: str) -> Feedback:
    """Lesson 8: ``answer`` names every import of the module the host refuses at link time.

    Names are ``"module.name"`` or just ``"name"``.
    """
    feedback = Feedback()
    result = _run(feedback, "wat", wat_source)
    if result is None:
        return feedback
    refused = set()
    for event in result.trace.events:
        if event.phase == "link" and event.denied:
            refused.add(event.call.split(".")[-1])
    given = {a.strip().split(".")[-1] for a in answer if a.strip()}
    if not refused:
        feedback.bad("link_none")
    for name in sorted(refused):
        if name in given:
            feedback.good("link_named", name=name)
        else:
            feedback.bad("link_missed", name=name)
    for name in sorted(given - refused):
        feedback.bad("link_extra", name=name)
    return feedback


# ---------------------------------------------------------------- lesson 9


def check_line_counter(
    c_source: str, sandbox: Sandbox, data_folder: str, language: str = "c"
) -> Feedback:
    """Lesson 9: the tool prints the number of lines of ``/data/input.txt``, least-privileged.

    ``data_folder`` is the host folder that must be granted as ``/data``, read-only, and alone.
    """
    import os

    feedback = Feedback()
    with open(os.path.join(data_folder, "input.txt"), "rb") as handle:
        want = handle.read().count(b"\n")
    result = _run(feedback, language, c_source, sandbox)
    if result is None:
        return feedback
    _report_end(feedback, result)
    got = result.stdout.decode("utf-8", "replace").strip()
    if got == str(want):
        feedback.good("count_ok", want=want)
    else:
        feedback.bad("count_bad", got=got, want=want)
    if result.exit_code not in (0, None):
        feedback.bad("exit_nonzero", code=result.exit_code)
    if _least_grants(feedback, sandbox, read_only=True):
        feedback.good("least_ok")
    return feedback


def check_ctf(result: RunResult, secret: str, min_routes: int = 3) -> Feedback:
    """Lesson 9: a capture-the-flag attempt; right when at least ``min_routes`` different paths
    were tried, each was refused, and ``secret`` never reached stdout or stderr."""
    feedback = Feedback()
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    if secret in output:
        feedback.bad("secret_leaked")
    else:
        feedback.good("secret_kept")
    routes: dict[str, Any] = {}
    for event in result.trace.events:
        if event.denied or (event.call == "path_open" and event.errno != "success"):
            routes.setdefault(_path_of(event), event)
    for path, event in routes.items():
        feedback.right.append(
            _t(
                "route_refused",
                call=event.call,
                path=path,
                errno=event.errno,
                reason=event.reason or _t("no_reason"),
            )
        )
    if len(routes) >= min_routes:
        feedback.good("routes_ok", n=len(routes))
    else:
        feedback.bad("routes_few", n=len(routes), want=min_routes)
    return feedback


def run_source(
    language: str, source: str, sandbox: Sandbox | None = None, **run_options: Any
) -> RunResult:
    """Compile ``source`` (``"wat"``, ``"c"`` or ``"rust"``) and run it in ``sandbox``.

    Keyword options go to :func:`wasikernel.engines.run` (``engine=``, ``invoke=`` ...); the
    libc hook is compiled in only for an engine that serves it.
    Raises :class:`wasikernel.CompileError` when the source does not compile.
    """
    from .compile import CompileOptions, compile_source
    from .engines import default_engine, run, serves_libc_hook

    engine = run_options.get("engine") or default_engine()
    compiled = compile_source(language, source, CompileOptions(trace_libc=serves_libc_hook(engine)))
    return run(compiled.wasm, sandbox or Sandbox(), layout=compiled.layout, **run_options)


def grant_data(folder: str, read_only: bool = True) -> Sandbox:
    """A sandbox that grants the host ``folder`` as ``/data`` and nothing else."""
    return Sandbox(preopens=[Preopen("/data", folder, read_only=read_only)])


# ---------------------------------------------------------------- the exercises, by name


@_exercise("00-getting-started.ex1", "wat")
def _exit_seven(source: str, result: RunResult) -> Feedback:
    return check_exit_code(source, expected=7)


@_exercise("01-stack-machine.ex1", "wat")
def _perimeter(source: str, result: RunResult) -> Feedback:
    return check_perimeter(source)


@_exercise("02-hello-wasi.ex1", "wat")
def _two_iovecs(source: str, result: RunResult) -> Feedback:
    return check_two_iovecs(source)


@_exercise("03-sandbox.ex1", "wat", "c", "rust")
def check_escape(source: str, result: RunResult) -> Feedback:
    """Lesson 3: the module, granted a folder, tries to reach a file outside it and the
    sandbox refuses (a refusal the run's summary counts)."""
    feedback = Feedback()
    _report_end(feedback, result)
    if not result.sandbox.preopens:
        feedback.bad("escape_no_grant")
        return feedback
    refused = [e for e in result.trace.events if e.denied and e.phase != "link"]
    for event in refused:
        feedback.good("escape_refused", call=event.call, path=_path_of(event),
                      reason=event.reason or _t("no_reason"))
    if refused:
        return feedback
    opens = _events(result, "path_open")
    if not opens:
        feedback.bad("open_missing")
    for event in opens:
        if event.errno == "success":
            feedback.bad("escape_inside", path=_path_of(event))
        else:
            feedback.bad("escape_failed", path=_path_of(event), errno=event.errno)
    return feedback


@_exercise("04-capabilities.ex1", "c", "wat", "rust")
def _least_sandbox(source: str, result: RunResult) -> Feedback:
    return check_least_sandbox(result.sandbox)


@_exercise("04-capabilities.ex2", "c", "wat", "rust")
def _reproducible(source: str, result: RunResult) -> Feedback:
    return check_reproducible(result.sandbox)


#: the regions lesson 5's program prints an address of, in the order it prints them
_REGION_LINES = ("data", "stack", "heap")


def _region_of(layout: Any, address: int) -> str | None:
    if layout is None or layout.heap_base is None:
        return None
    if layout.stack_low is not None and layout.stack_high is not None:
        if layout.stack_low <= address < layout.stack_high:
            return "stack"
    if address >= layout.heap_base:
        return "heap"
    start = layout.data_start if layout.data_start is not None else layout.stack_high or 0
    return "data" if start <= address < layout.heap_base else None


@_exercise("05-linear-memory.ex1", "c")
def check_addresses(source: str, result: RunResult) -> Feedback:
    """Lesson 5: the C program prints one address from each region, a line ``data 0x...``,
    ``stack 0x...`` and ``heap 0x...``; each must lie in the region it names."""
    feedback = Feedback()
    _report_end(feedback, result)
    printed: dict[str, str] = {}
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in _REGION_LINES:
            printed.setdefault(words[0], words[1])
    for region in _REGION_LINES:
        name = _t(f"region_{region}")
        text = printed.get(region)
        if text is None:
            feedback.bad("address_missing", region=region)
            continue
        try:
            address = int(text, 16)
        except ValueError:
            feedback.bad("address_unreadable", region=region, text=text)
            continue
        if _region_of(result.layout, address) == region:
            feedback.good("address_ok", region=region, address=text, name=name)
        else:
            feedback.bad("address_bad", region=region, address=text, name=name)
    return feedback


#: the most bytes lesson 6's C module may take
SMALL_C_BYTES = 1500


@_exercise("06-three-languages.ex1", "c")
def check_small_c(source: str, result: RunResult) -> Feedback:
    """Lesson 6: the C program still prints ``Hello, WASI!`` and its module (compiled with
    the default options) takes at most :data:`SMALL_C_BYTES` bytes."""
    feedback = Feedback()
    _report_end(feedback, result)
    text = result.stdout.decode("utf-8", "replace")
    if text == "Hello, WASI!\n":
        feedback.good("stdout_ok", text=text)
    else:
        feedback.bad("small_stdout", got=text)
    compiled = _compile(feedback, "c", source)
    if compiled is None:
        return feedback
    size = len(compiled.wasm)
    if size <= SMALL_C_BYTES:
        feedback.good("small_ok", size=size, most=SMALL_C_BYTES)
    else:
        feedback.bad("small_bad", size=size, most=SMALL_C_BYTES)
    return feedback


#: lesson 5's program, seen through the compiled-code view (``%%c -O1 --wat``): a global, a
#: local whose address is taken, plain locals; ``noinline`` keeps each function in the view
COMPILED_VIEW_C = r"""#include <stdio.h>

int total;

__attribute__((noinline)) void fill(int *out) {
    *out = 20;
}

__attribute__((noinline)) int add_twice(int x) {
    int doubled = x * 2;
    total = total + doubled;
    return doubled;
}

int main(void) {
    int kept;
    fill(&kept);
    int y = add_twice(kept);
    printf("%d %d\n", y, total);
    return 0;
}
"""
#: where the compiled code of ``add_twice`` keeps each of its variables
_ADD_TWICE_VARIABLES = {"x": "local", "doubled": "local", "total": "memory"}


def _compiled_view_lines() -> dict[int, list[str]]:
    """Each source line of :data:`COMPILED_VIEW_C` -> the instructions the compiled-code view
    shows beside it, as the lesson's cell compiles it (``-O1 -g``). Raises CompileError (and
    ToolchainMissing) as :func:`wasikernel.compile.listing.compiled_listing` does."""
    from .compile import CompileOptions, compile_source
    from .compile.listing import compiled_listing

    compiled = compile_source("c", COMPILED_VIEW_C, CompileOptions(optimize="1", debug=True),
                              filename="cell.c")  # fmt: skip
    listing = compiled_listing(compiled.wasm, COMPILED_VIEW_C, "cell.c")
    lines: dict[int, list[str]] = {}
    for row in listing.lines():
        words = row.text.split()
        if row.line is not None and row.offset is not None and words:
            lines.setdefault(row.line, []).append(words[0])
    return lines


def check_compiled_reading(answer: object) -> Feedback:
    """Lesson 5: ``answer`` maps ``shift_line`` to the line of :data:`COMPILED_VIEW_C` whose
    compiled code shifts (``i32.shl``), read from the compiled-code view, and ``in_memory`` to
    the variable of ``add_twice`` that its code reads and writes in linear memory. A wrong line
    is told which instructions it became; a wrong variable, how its code reaches it; never
    which line or variable is right."""
    from .errors import CompileError

    feedback = Feedback()
    if not isinstance(answer, Mapping):
        feedback.bad("reading_not_a_dict")
        return feedback
    try:
        lines = _compiled_view_lines()
    except CompileError as exc:
        feedback.bad("reading_no_view", error=str(exc).splitlines()[0])
        return feedback
    line = answer.get("shift_line")
    if isinstance(line, bool) or not isinstance(line, int) or line <= 0:
        feedback.bad("reading_line_missing")
    elif "i32.shl" in lines.get(line, []):
        feedback.good("reading_line_ok", line=line)
    elif lines.get(line):
        shown = ", ".join(dict.fromkeys(lines[line]))
        feedback.bad("reading_line_other", line=line, instructions=shown)
    else:
        feedback.bad("reading_line_none", line=line)
    raw = answer.get("in_memory")
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        feedback.bad("reading_memory_missing")
    elif name not in _ADD_TWICE_VARIABLES:
        feedback.bad("reading_memory_unknown", name=name[:40])
    elif _ADD_TWICE_VARIABLES[name] == "memory":
        feedback.good("reading_memory_ok", name=name)
    else:
        feedback.bad("reading_memory_local", name=name)
    return feedback


#: the rows of lesson 7's start-up table the ratio is read from, as its English and its French
#: notebook name them
_CACHE_ROWS = (
    ("wasmtime, Cranelift opt speed (compile + instantiate)",
     "wasmtime, Cranelift opt speed (instantiate)"),
    ("wasmtime, Cranelift opt speed (compilation + instanciation)",
     "wasmtime, Cranelift opt speed (instanciation)"),
)


def check_cache_saving(answer: float, startup: Mapping[str, Any]) -> Feedback:
    """Lesson 7: ``answer`` is how many times longer wasmtime's start-up takes when it also
    compiles the module than when it only instantiates a compiled one (within 10 %), read from
    the lesson's ``startup`` table."""
    both, only = next(((startup[a], startup[b]) for a, b in _CACHE_ROWS
                       if a in startup and b in startup), (None, None))  # fmt: skip
    feedback = Feedback()
    if not isinstance(both, float) or not isinstance(only, float) or only <= 0:
        feedback.bad("cache_unmeasured")
        return feedback
    ratio = both / only
    if not answer:
        feedback.bad("cache_missing")
    elif abs(answer - ratio) <= 0.1 * ratio:
        feedback.good("cache_ok", answer=float(answer))
    elif abs(1 / answer - ratio) <= 0.1 * ratio:
        feedback.bad("cache_inverted", answer=float(answer))
    else:
        feedback.bad("cache_bad", answer=float(answer))
    return feedback


#: the names lesson 7's use-case exercise takes: the engines of the tables, our host as a
#: whole, a container and a native process
RUNTIME_NAMES = ("wasikernel", "wasmtime", "wasmtime-cli", "pulley", "wasm3", "stepper",
                 "node", "pywasm", "wasmer-sdk", "wasmedge", "iwasm", "container", "native")
#: lesson 7's use cases, each with the runtimes that fit it
_FITS = {
    "iot": ("wasm3", "iwasm"),
    "serverless": ("wasmtime",),
    "plugin": ("wasmtime",),
    "class": ("wasikernel", "wasmtime-cli"),
}


def check_runtime_choice(choice: object, footprint: Sequence[Any] = ()) -> Feedback:
    """Lesson 7: ``choice`` maps each use case (``iot``, ``serverless``, ``plugin``,
    ``class``) to a runtime of :data:`RUNTIME_NAMES`. A wrong choice is told the trade-off to
    weigh, and, when ``footprint`` (rows of :func:`wasikernel.compare.measure_footprint`) has
    the chosen runtime, what it measured here; never which runtime fits."""
    feedback = Feedback()
    if not isinstance(choice, Mapping):
        feedback.bad("choice_not_a_dict")
        return feedback
    measured = {getattr(row, "engine", ""): row for row in footprint}
    for case, fits in _FITS.items():
        raw = choice.get(case)
        name = raw.strip().lower() if isinstance(raw, str) else ""
        if not name:
            feedback.bad("choice_missing", case=case)
        elif name not in RUNTIME_NAMES:
            feedback.bad("choice_unknown", name=str(raw)[:40], names=", ".join(RUNTIME_NAMES))
        elif name in fits:
            feedback.good(f"choice_ok_{case}", name=name)
        else:
            feedback.bad(f"choice_bad_{case}")
            row = measured.get(name)
            if row is not None and row.peak_bytes and row.disk_bytes:
                feedback.bad("choice_measured", name=name, peak=_mib(row.peak_bytes),
                             disk=_mib(row.disk_bytes))  # fmt: skip
    return feedback


def _mib(size: int) -> str:
    return f"{size / (1 << 20):.1f} MiB" if size >= 1 << 20 else f"{size / 1024:.0f} KiB"


#: the imports of lesson 8's module that the host serves, and must stay
_SERVED = ("fd_write", "clock_time_get")


@_exercise("08-limits.ex1", "wat")
def check_links(source: str, result: RunResult) -> Feedback:
    """Lesson 8: the module, rid of every import the host refuses, links and runs, and still
    imports the calls the host serves (``fd_write``, ``clock_time_get``)."""
    feedback = Feedback()
    compiled = _compile(feedback, "wat", source)
    if compiled is None:
        return feedback
    refused = [e for e in result.trace.events if e.phase == "link" and e.denied]
    if refused:
        feedback.bad("links_refused", n=len(refused))
    else:
        feedback.good("links_ok")
    imported = {name for _module, name in _imports(compiled.wasm)}
    kept = [name for name in _SERVED if name in imported]
    if len(kept) == len(_SERVED):
        feedback.good("served_kept")
    else:
        feedback.bad("served_removed", n=len(_SERVED) - len(kept))
    return feedback


def _imports(wasm: bytes) -> list[tuple[str, str]]:
    import wasmtime

    module = wasmtime.Module(wasmtime.Engine(), wasm)
    return [(i.module, i.name or "") for i in module.imports]


def _granted_data(result: RunResult) -> str:
    for preopen in result.sandbox.preopens:
        if preopen.guest_path == "/data" and preopen.host_path is not None:
            return preopen.host_path
    return os.path.abspath("data")


@_exercise("09-capstone.ex1", "c")
def _line_counter(source: str, result: RunResult) -> Feedback:
    return check_line_counter(source, result.sandbox, _granted_data(result))


@_exercise("09-capstone.ex2", "c", "wat", "rust")
def _capture_the_flag(source: str, result: RunResult) -> Feedback:
    return check_ctf(result, "FLAG{")



# ---------------------------------------------------------------- lesson 10


def _component(feedback: Feedback, wat_source: str) -> bytes | None:
    """The component of ``wat_source``; None (said in ``feedback``) when it does not compile
    or is a core module."""
    import wasmtime
    from wasmtime import component

    try:
        wasm = wasmtime.wat2wasm(wat_source)
        if wasm[4:8] != b"\x01\x00\x00\x00":
            component.Component(wasmtime.Engine(), wasm)  # valid, as well as well-formed
    except (wasmtime.WasmtimeError, ValueError) as error:
        feedback.bad("compile_error", language="WAT", message=str(error).strip()[:400])
        return None
    if wasm[4:8] == b"\x01\x00\x00\x00":
        feedback.bad("not_component")
        return None
    feedback.good("compiles")
    return wasm


@_exercise("10-components.ex1", "wat")
def check_handle_order(wat_source: str, result: RunResult | None = None) -> Feedback:
    """Lesson 10: the component writes its two lines to stdout and gives its stdout handle
    back once done, without using it after (which traps). ``result`` is the cell's run; without
    it the check runs the component in an empty sandbox."""
    from .engines import run

    feedback = Feedback()
    wasm = _component(feedback, wat_source)
    if wasm is None:
        return feedback
    if result is None:
        result = run(wasm, Sandbox())
    stale = result.trap is not None and "handle" in result.trap.message
    if stale:
        feedback.bad("handle_stale")
    else:
        _report_end(feedback, result)
    got = result.stdout.decode("utf-8", "replace")
    if got == "hello\nworld\n":
        feedback.good("handle_output_ok", got=repr(got))
    else:
        feedback.bad("handle_output", got=repr(got))
    events = result.trace.events
    writes = [e.seq for e in events if e.call.endswith("output-stream.blocking-write-and-flush")]
    drops = [e.seq for e in events if e.call.endswith("[resource-drop]output-stream")]
    if drops and writes and drops[-1] > writes[-1] and not stale:
        feedback.good("handle_dropped")
    elif not drops:
        feedback.bad("handle_kept")
    return feedback


#: the file lesson 10's C program writes its greeting into
GREETING_PATH = "/data/greeting.txt"


@_exercise("10-components.ex2", "c")
def check_open_write_close(source: str, result: RunResult) -> Feedback:
    """Lesson 10: run as a core module and as a component, the C program opens
    :data:`GREETING_PATH`, writes to it and closes it, on both sides, and both runs succeed.
    The check runs it again on an in-memory ``/data`` (so it needs no folder of its own)."""
    from .compile import CompileOptions, compile_source
    from .errors import CompileError
    from .side_by_side import run_side_by_side

    feedback = Feedback()
    try:
        compiled = compile_source("c", source, CompileOptions(trace_libc=False))
    except CompileError as error:
        feedback.bad("compile_error", language="C", message=error.message.strip())
        return feedback
    view = run_side_by_side(compiled.wasm, Sandbox(preopens=[Preopen("/data", tree={})]))
    for side in (view.core, view.component):
        _report_end(feedback, side)
    path = GREETING_PATH
    opens = [s for s in view.matched("open") if s.target == path]
    if not opens:
        feedback.bad("p1p2_no_open", path=path)
        return feedback
    feedback.good("p1p2_open_ok", path=path, p1=_short_calls(opens[0].p1),
                  p2=_short_calls(opens[0].p2))  # fmt: skip
    writes = [s for s in view.matched("write") if s.target == path]
    if writes:
        feedback.good("p1p2_write_ok", path=path, p1=sum(len(s.p1) for s in writes),
                      p2=sum(len(s.p2) for s in writes))  # fmt: skip
    else:
        feedback.bad("p1p2_no_write", path=path)
    if any(s.target == path for s in view.matched("close")):
        feedback.good("p1p2_close_ok", path=path)
    else:
        feedback.bad("p1p2_no_close", path=path)
    if (view.core.exit_code, view.component.exit_code) != (0, 0):
        feedback.bad("p1p2_exit_bad", p1=_ending(view.core), p2=_ending(view.component))
    return feedback


def _short_calls(events: list[Any]) -> str:
    return ", ".join(e.call.rpartition("#")[2] for e in events)


def _ending(result: RunResult) -> str:
    if result.exit_code is not None:
        return f"exit {result.exit_code}"
    return result.outcome


def check_client_grant(sandbox: Any, server: Any) -> Feedback:
    """Lesson 10: ``sandbox`` lets the UDP client component talk to the echo ``server`` (an
    :class:`wasikernel.examples.EchoServer`) and grants nothing else. The client runs with a
    time limit of at most 10 s, whatever ``sandbox`` says."""
    import copy

    from . import examples
    from .engines import run

    feedback = Feedback()
    if not isinstance(sandbox, Sandbox):
        feedback.bad("net_not_sandbox", got=type(sandbox).__name__)
        return feedback
    box = copy.deepcopy(sandbox)
    box.limits.timeout_s = min(box.limits.timeout_s or 10.0, 10.0)
    result = run(examples.udp_client(server.port, "hello, server\n"), box)
    refused = [e for e in result.trace.events if e.denied]
    for event in refused:
        feedback.bad("net_refused", call=event.call.rpartition("#")[2])
    if not refused:
        if result.exit_code == 0 and result.stdout:
            feedback.good("net_ok", got=repr(result.stdout.decode("utf-8", "replace")))
        else:
            feedback.bad("net_no_answer")
    least = True
    if len(sandbox.network) > 1:
        feedback.bad("net_extra", n=len(sandbox.network))
        least = False
    if sandbox.dns:
        feedback.bad("net_dns")
        least = False
    least = _least_grants(feedback, sandbox) and least
    if least and feedback.ok:
        feedback.good("net_least")
    return feedback
