"""A whole class on one server: N students, each with a "wasi" kernel, running a lesson at once.

Each student gets a kernel started through jupyter_client (loopback only) in a private copy of
the lessons folder, as a JupyterHub user would have a home of their own. When every kernel is
up, all students run the same lesson's code cells top to bottom at the same moment, ``rounds``
times. For each N the report gives the cell latency (median and 95th percentile; WAT cells on
their own, since they are what a class runs most), the memory of each kernel (RSS after the
run) and the failures: a cell that timed out, a kernel that died, or a cell whose outcome
(ok, or the error's name) or its outputs differ from what one student alone gets.

    python benchmarks/bench_load.py --students 10 30
    python benchmarks/bench_load.py --students 4 --lesson lessons/en/02-hello-wasi.ipynb

``rows()`` (for ``benchmarks/run.py``) compares 4 students at once with 1 student.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LESSON = ROOT / "lessons" / "en" / "03-sandbox.ipynb"
KERNEL = "wasi"
CELL_TIMEOUT_S = 60.0

# Used when the lessons are not there: a hello world, a trap, a refused import, a C program.
FALLBACK_CELLS = [
    """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, class\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 13))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))""",
    """(module (memory (export "memory") 1)
  (func (export "_start") (drop (i32.load (i32.const 70000)))))""",
    """(module (import "env" "system" (func (param i32) (result i32)))
  (memory (export "memory") 1) (func (export "_start")))""",
    '%%c\n#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n',
]


@dataclass
class Cell:
    """One code cell: its source and its kind (``wat``, ``c``, ``rust``, ``python``, ``magic``)."""

    source: str
    kind: str


def cell_kind(source: str) -> str:
    """Return the kind of a cell from its first line (a cell with no magic is WAT)."""
    first = source.lstrip().split("\n", 1)[0].strip()
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        return {"wat": "wat", "c": "c", "rust": "rust", "python": "python"}.get(magic, magic)
    if first.startswith("%") or first.startswith("!"):
        return "magic"
    return "wat"


def lesson_cells(path: Path | None) -> list[Cell]:
    """Return the code cells of the notebook at ``path`` (the fallback cells when absent)."""
    if path is None or not path.exists():
        return [Cell(s, cell_kind(s)) for s in FALLBACK_CELLS]
    notebook = json.loads(path.read_text())
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            if source.strip():
                cells.append(Cell(source, cell_kind(source)))
    return cells


@dataclass
class CellRun:
    kind: str
    index: int
    seconds: float
    outcome: str  # "ok", the error's name, or "timeout" / "dead"
    round: int = 0
    outputs: tuple = ()  # output_signature() of what the cell showed


def percentile(values: list[float], q: float) -> float:
    """Return the ``q``-th percentile of ``values`` (nearest rank; NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def cell_outcome(reply_content: dict, errors: list[str]) -> str:
    """Return a cell's outcome from its execute_reply content and the names of the errors it
    showed: ``ok``, or the error's name."""
    if reply_content.get("status") == "ok" and not errors:
        return "ok"
    return reply_content.get("ename") or (errors[0] if errors else reply_content.get("status", "?"))


def output_signature(messages: list[dict]) -> tuple:
    """Return what a cell showed, in a form two runs of the same cell share: each output's
    type and MIME types in order, a stream's text (adjacent chunks joined, digits as 0, since
    timings vary) and an error's name. Comm and status messages are left out."""
    signature: list[tuple] = []
    for msg in messages:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            text = re.sub(r"[0-9]+", "0", content.get("text", ""))
            if signature and signature[-1][:2] == ("stream", content.get("name")):
                signature[-1] = ("stream", content.get("name"), signature[-1][2] + text)
            else:
                signature.append(("stream", content.get("name"), text))
        elif kind in ("display_data", "execute_result", "update_display_data"):
            signature.append((kind, tuple(sorted(content.get("data", {})))))
        elif kind == "error":
            signature.append((kind, content.get("ename", "")))
    return tuple(signature)


@dataclass
class Student:
    manager: KernelManager
    home: Path
    runs: list[CellRun] = field(default_factory=list)
    rss: int = 0
    error: str | None = None
    ready_at: float = 0.0


def _start(home: Path) -> Student:
    manager = KernelManager(kernel_name=KERNEL, ip="127.0.0.1", transport="tcp")
    manager.start_kernel(cwd=str(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Student(manager, home)


def _run_cell(client: object, source: str) -> tuple[float, str, tuple]:
    messages: list[dict] = []
    start = time.perf_counter()
    reply = client.execute_interactive(  # type: ignore[attr-defined]
        source,
        timeout=CELL_TIMEOUT_S,
        output_hook=messages.append,
        allow_stdin=False,
        store_history=False,
    )
    elapsed = time.perf_counter() - start
    errors = [m["content"].get("ename", "error") for m in messages if m["msg_type"] == "error"]
    return elapsed, cell_outcome(reply["content"], errors), output_signature(messages)


def _student_session(
    student: Student, cells: list[Cell], rounds: int, barrier: threading.Barrier
) -> None:
    client = student.manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        student.ready_at = time.perf_counter()
        barrier.wait()
        for round_ in range(rounds):
            for index, cell in enumerate(cells):
                outputs: tuple = ()
                try:
                    seconds, outcome, outputs = _run_cell(client, cell.source)
                except TimeoutError:
                    seconds, outcome = CELL_TIMEOUT_S, "timeout"
                if not student.manager.is_alive():
                    outcome = "dead"
                student.runs.append(CellRun(cell.kind, index, seconds, outcome, round_, outputs))
                if outcome in ("dead", "timeout"):  # the rest would only wait on it
                    return
    except Exception as exc:  # a student whose kernel failed is a failure, not a crash
        student.error = f"{type(exc).__name__}: {exc}"
        try:
            barrier.abort()
        except threading.BrokenBarrierError:
            pass
    finally:
        try:
            process = psutil.Process(student.manager.provisioner.process.pid)  # type: ignore
            student.rss = process.memory_info().rss
        except Exception:
            student.rss = 0
        client.stop_channels()
        _close_thread_loop()


def _close_thread_loop() -> None:
    """Close the event loop jupyter_client made for this thread (else it is closed, noisily,
    at interpreter exit)."""
    from jupyter_core.utils import ensure_event_loop

    try:
        ensure_event_loop().close()
    except Exception:
        pass


@dataclass
class ClassResult:
    """What N students at once measured."""

    students: int
    start_s: float
    cells_run: int
    wat_latencies: list[float]
    all_latencies: list[float]
    rss: list[int]
    failures: list[str]
    outcomes: dict[int, str]
    runs: list[CellRun] = field(default_factory=list)
    signatures: dict[int, tuple] = field(default_factory=dict)  # each cell's first outputs

    def percentile(self, values: list[float], q: float) -> float:
        return percentile(values, q)

    def summary(self) -> dict[str, object]:
        return {
            "students": self.students,
            "kernels_start_s": round(self.start_s, 2),
            "cells_run": self.cells_run,
            "wat_p50_s": self.percentile(self.wat_latencies, 50),
            "wat_p95_s": self.percentile(self.wat_latencies, 95),
            "all_p50_s": self.percentile(self.all_latencies, 50),
            "all_p95_s": self.percentile(self.all_latencies, 95),
            "rss_median_mib": statistics.median(self.rss) / 2**20 if self.rss else float("nan"),
            "rss_max_mib": max(self.rss) / 2**20 if self.rss else float("nan"),
            "failures": len(self.failures),
        }


def run_class(
    students: int,
    cells: list[Cell],
    rounds: int = 2,
    reference: dict[int, str] | None = None,
    lessons_dir: Path | None = None,
    say: object = print,
    reference_outputs: dict[int, tuple] | None = None,
) -> ClassResult:
    """Start ``students`` kernels, run ``cells`` in all of them at once, and measure.

    ``reference`` maps a cell's index to its outcome for one student alone, and
    ``reference_outputs`` to its ``output_signature``; a different outcome or output here is a
    failure. The kernels are shut down and their homes removed even when the run is
    interrupted.
    """
    work = Path(tempfile.mkdtemp(prefix="wasikernel-class-"))
    class_members: list[Student] = []
    try:
        homes = []
        for i in range(students):
            home = work / f"student{i:02d}"
            if lessons_dir is not None and lessons_dir.exists():
                shutil.copytree(lessons_dir, home)
            else:
                home.mkdir()
            homes.append(home)
        started = time.perf_counter()
        failures: list[str] = []
        for home in homes:  # launching is quick; each student's thread waits for its kernel
            try:
                class_members.append(_start(home))
            except Exception as exc:
                failures.append(f"{home.name}: kernel did not start: {exc}")
        say(f"  {len(class_members)} kernels starting; each runs the cells once all are ready")
        barrier = threading.Barrier(len(class_members))
        # daemon threads: an interrupted run ends without waiting for their cells to time out
        threads = [
            threading.Thread(target=_student_session, args=(s, cells, rounds, barrier), daemon=True)
            for s in class_members
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ready = [s.ready_at for s in class_members if s.ready_at]
        start_s = (max(ready) - started) if ready else float("nan")
        runs = [run for student in class_members for run in student.runs]
        for student in class_members:
            if student.error:
                failures.append(f"{student.home.name}: {student.error}")
            failures += run_failures(
                student.home.name, student.runs, reference or {}, reference_outputs or {}
            )
            expected_runs = len(cells) * rounds
            if len(student.runs) < expected_runs and not student.error:
                failures.append(f"{student.home.name}: ran {len(student.runs)} of {expected_runs}")
        rss = [s.rss for s in class_members if s.rss]
    finally:
        for student in class_members:
            try:
                student.manager.shutdown_kernel(now=True)
            except Exception:
                pass
        _close_thread_loop()
        shutil.rmtree(work, ignore_errors=True)
    outcomes: dict[int, str] = {}
    signatures: dict[int, tuple] = {}
    for run in runs:
        outcomes.setdefault(run.index, run.outcome)
        signatures.setdefault(run.index, run.outputs)
    return ClassResult(
        students,
        start_s,
        len(runs),
        [run.seconds for run in runs if run.kind == "wat"],
        [run.seconds for run in runs],
        rss,
        failures,
        outcomes,
        runs,
        signatures,
    )


def run_failures(
    who: str, runs: list[CellRun], reference: dict[int, str], reference_outputs: dict[int, tuple]
) -> list[str]:
    """Return a sentence for each of ``who``'s cell runs that timed out, found its kernel dead,
    or whose outcome or outputs differ from one student's alone (the references)."""
    failures = []
    for run in runs:
        expected = reference.get(run.index, run.outcome)
        if run.outcome in ("timeout", "dead") or run.outcome != expected:
            failures.append(
                f"{who}: cell {run.index} ({run.kind}): {run.outcome}, alone: {expected}"
            )
        elif run.outputs != reference_outputs.get(run.index, run.outputs):
            failures.append(
                f"{who}: cell {run.index} ({run.kind}): showed {run.outputs}, "
                f"alone: {reference_outputs[run.index]}"
            )
    return failures


def alone(cells: list[Cell], lessons_dir: Path | None) -> dict[str, dict]:
    """Each cell's outcome and outputs for one student alone, as ``run_class``'s keyword
    arguments ``reference`` and ``reference_outputs`` (this also warms the compile caches)."""
    result = run_class(1, cells, rounds=1, lessons_dir=lessons_dir, say=lambda _m: None)
    return {"reference": result.outcomes, "reference_outputs": result.signatures}


def _table(results: list[ClassResult]) -> str:
    header = (
        "students",
        "kernels up",
        "cells",
        "WAT p50",
        "WAT p95",
        "all p50",
        "all p95",
        "RSS/kernel (median)",
        "RSS max",
        "failures",
    )
    lines = [header]
    for r in results:
        s = r.summary()
        lines.append(
            (
                str(s["students"]),
                f"{s['kernels_start_s']:.1f} s",
                str(s["cells_run"]),
                f"{s['wat_p50_s'] * 1e3:.0f} ms",
                f"{s['wat_p95_s'] * 1e3:.0f} ms",
                f"{s['all_p50_s'] * 1e3:.0f} ms",
                f"{s['all_p95_s'] * 1e3:.0f} ms",
                f"{s['rss_median_mib']:.0f} MiB",
                f"{s['rss_max_mib']:.0f} MiB",
                str(s["failures"]),
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = []
    for i, row in enumerate(lines):
        out.append(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def rows() -> list:
    """Four students at once against one student alone (for benchmarks/run.py)."""
    from harness import Row

    cells = lesson_cells(DEFAULT_LESSON)
    lessons_dir = DEFAULT_LESSON.parent
    reference = alone(cells, lessons_dir)
    one = run_class(1, cells, rounds=2, lessons_dir=lessons_dir, say=lambda _m: None, **reference)
    four = run_class(4, cells, rounds=2, lessons_dir=lessons_dir, say=lambda _m: None, **reference)
    a, f = one.summary(), four.summary()
    note = (
        f"4 students: WAT p50 {f['wat_p50_s'] * 1e3:.0f} ms, p95 {f['wat_p95_s'] * 1e3:.0f} "
        f"ms, {f['failures']} failures; 1 student: {a['failures']} failures"
    )
    first = (four.failures or one.failures or [None])[0]
    if first:
        note += f" (first: {first})"
    return [
        Row(
            "WAT cell p95 latency, 4 students at once",
            f["wat_p95_s"],
            "s",
            "1 student alone",
            a["wat_p95_s"],
            note=note,
        ),
        Row(
            "any cell p95 latency, 4 students at once",
            f["all_p95_s"],
            "s",
            "1 student alone",
            a["all_p95_s"],
        ),
        Row(
            "kernel RSS (median), 4 students",
            f["rss_median_mib"] * 2**20,
            "B",
            "1 student alone",
            a["rss_median_mib"] * 2**20,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--students",
        type=int,
        nargs="+",
        default=[10, 30],
        help="class sizes to measure (default: 10 30)",
    )
    parser.add_argument(
        "--lesson",
        type=Path,
        default=DEFAULT_LESSON,
        help="the notebook whose code cells every student runs",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times each student runs the lesson's cells (default 3)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    cells = lesson_cells(args.lesson)
    lessons_dir = args.lesson.parent if args.lesson.exists() else None
    kinds = ", ".join(
        f"{k}: {sum(c.kind == k for c in cells)}" for k in sorted({c.kind for c in cells})
    )
    source = args.lesson if args.lesson.exists() else "built-in cells (lesson not found)"
    print(f"cells of {source} ({kinds}), {args.rounds} rounds per student", flush=True)
    reference = alone(cells, lessons_dir)
    print(f"one student alone: {reference['reference']}", flush=True)
    results = []
    for n in args.students:
        print(f"{n} students ...", flush=True)
        result = run_class(
            n, cells, rounds=args.rounds, lessons_dir=lessons_dir, **reference
        )
        results.append(result)
        for failure in result.failures[:10]:
            print(f"  failure: {failure}")
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps([r.summary() for r in results], indent=2))
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
