"""Measuring the runtimes against each other, live, for the lesson on choosing a runtime.

Three measurements, the first two lists of :class:`Measurement` rows (runtime, figure,
baseline, ratio, and whether it could be measured here, with the reason when not), the third
of :class:`Footprint` rows:

* :func:`measure_startup`: the time from a module's bytes to its end, for a program that only
  prints a line, against starting the same program built natively (``gcc -O2``) as a process,
  and against starting a container with Debian's ``runc`` (a busybox root filesystem, no
  daemon, no image registry) where the machine lets one start.
* :func:`measure_execution`: the time one C program spends computing, compiled to wasm (``-O2``)
  and run by each runtime, against the same C compiled natively with ``gcc -O2``. Start-up is
  taken out: each figure is the time of the run with the work minus the time of the same run
  with no work. Slow runtimes (interpreters) run a fraction of the work; their figure is scaled
  up to the whole, and the row says so.
* :func:`measure_footprint`: the peak resident memory of a whole process running the hello
  program under each runtime, and the bytes on disk the runtime needs (for the container: its
  image and runc), against the native process.

The runtimes: wasmtime with Cranelift at the optimisation levels ``none``, ``speed`` and
``speed_and_size``; wasmtime's Pulley interpreter; wasm3; our step-through interpreter; Node's
WASI (V8); and any of the runtimes' own command lines found on ``PATH`` (wasmtime, WasmEdge,
Wasmer, iwasm). Each row whose runtime is missing says why instead of giving a number.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .messages import t
from .result import RunResult
from .sandbox import Limits, Sandbox

__all__ = [
    "Contender",
    "Measurement",
    "BENCH_C",
    "HELLO_C",
    "contenders",
    "measure_startup",
    "measure_execution",
    "native_build",
    "container_status",
    "container_bundle",
    "run_container",
    "to_table",
    "Footprint",
    "measure_footprint",
    "footprint_table",
    "peak_memory",
    "EscapeTable",
    "escape_table",
    "ESCAPE_ENGINES",
    "conformance_table",
    "CONFORMANCE_ENGINES",
    "main",
]

#: The program whose execution is compared: argv[1] rounds of a small hash over a table, which
#: is linear in the work asked and cannot be folded away by a compiler (its result is printed).
BENCH_C = r"""
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long rounds = argc > 1 ? atol(argv[1]) : 1000000;
    uint32_t table[256] = {0};
    uint32_t x = 12345u;
    for (long i = 0; i < rounds; i++) {
        x = x * 1103515245u + 12345u;
        table[x >> 24] += (uint32_t)i ^ (x >> 7);
    }
    uint32_t sum = 0;
    for (int i = 0; i < 256; i++) sum = sum * 31u + table[i];
    printf("%u\n", sum);
    return 0;
}
"""

#: the line the start-up program prints
HELLO_LINE = "hello from a freshly started program"

#: The program whose start-up is compared: it prints one line and exits.
HELLO_C = r"""
#include <stdio.h>

int main(void) {
    puts("hello from a freshly started program");
    return 0;
}
"""

#: rounds of BENCH_C for the full work (about a fifth of a second natively here)
FULL_WORK = 100_000_000


@dataclass
class Contender:
    """One runtime to measure: a label for the table, and how to run a module with it.

    ``engine`` is a name of ``wasikernel.engines.REGISTRY``; ``cranelift_opt_level`` picks the
    wasmtime configuration; ``work_share`` is the fraction of the full work an interpreter runs.
    """

    label: str
    engine: str
    cranelift_opt_level: str | None = None
    work_share: float = 1.0
    family: str = "wasm"
    #: run through ``python -m wasikernel run`` in a process of its own (Python's start-up,
    #: the import and the compile included), not in this process
    whole_process: bool = False

    def unavailable(self) -> str | None:
        """Return why this runtime cannot run here, or None when it can."""
        from .engines import REGISTRY

        if self.engine not in REGISTRY:
            return t("compare_engine_absent", engine=self.engine)
        return REGISTRY[self.engine].available()

    def sandboxing(self) -> str:
        """Say how the runtime runs WASI (see :func:`wasikernel.doctor.sandboxing`)."""
        from .doctor import sandboxing
        from .engines import REGISTRY

        return sandboxing(REGISTRY[self.engine])

    def run(self, wasm: bytes, sandbox: Sandbox) -> RunResult:
        """Run ``wasm`` under ``sandbox`` with this runtime; return the RunResult."""
        from . import engines

        if self.whole_process:
            return _run_command(wasm, sandbox, self.engine)
        if self.cranelift_opt_level is not None:
            from .engines.wasmtime import WasmtimeEngine

            engine = WasmtimeEngine(
                f"wasmtime ({self.cranelift_opt_level})",
                {"cranelift_opt_level": self.cranelift_opt_level},
            )
            return engine.run(engines.RunRequest(wasm, sandbox))
        return engines.run(wasm, sandbox, engine=self.engine)


def contenders() -> list[Contender]:
    """Return every runtime the comparison knows, available here or not."""
    from .engines import REGISTRY, cli, engines_taking

    found = [
        Contender(t("compare_label_hosted"), "wasmtime", whole_process=True),
        Contender("wasmtime, Cranelift opt none", "wasmtime", "none"),
        Contender("wasmtime, Cranelift opt speed", "wasmtime", "speed"),
        Contender("wasmtime, Cranelift opt speed_and_size", "wasmtime", "speed_and_size"),
        Contender(t("compare_label_pulley"), "pulley", work_share=0.1),
        Contender(t("compare_label_wasm3"), "wasm3", work_share=0.1),
        Contender(t("compare_label_stepper"), "stepper", work_share=0.0005),
        Contender("Node.js WASI (V8)", "node"),
        Contender(t("compare_label_pywasm"), "pywasm", work_share=0.0005),
        Contender("Wasmer (wasmer-sdk)", "wasmer-sdk"),
    ]
    for name, runtime in cli.RUNTIMES.items():
        found.append(Contender(t("compare_label_cli", title=runtime.title), name))
    listed = {c.engine for c in found}
    found += [Contender(REGISTRY[n].title, n) for n in engines_taking("module") if n not in listed]
    return found


def _run_command(wasm: bytes, sandbox: Sandbox, engine: str) -> RunResult:
    """Run ``wasm`` with ``python -m wasikernel run --engine ENGINE`` as a process of its own;
    return what it did as a RunResult (the trace is not read back)."""
    from .engines.cli._process import result_from_outcome, run_process

    with tempfile.TemporaryDirectory(prefix="wasikernel-run-") as tmp:
        module = Path(tmp) / "main.wasm"
        module.write_bytes(wasm)
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "PYTHONPATH",
                                                            "WASIKERNEL_CACHE")}  # fmt: skip
        argv = [sys.executable, "-m", "wasikernel", "run", "--engine", engine, str(module),
                *sandbox.args]  # fmt: skip
        outcome = run_process(argv, sandbox, env=env)
    return result_from_outcome(outcome, sandbox, engine)


@dataclass
class Measurement:
    """One row of a comparison.

    ``seconds`` is the figure (None when it could not be measured), ``baseline`` the figure of
    ``baseline_name`` measured in the same call; ``reason`` says why a row is not available;
    ``note`` qualifies a figure (work scaled, start-up of Node included, ...).
    """

    runtime: str
    seconds: float | None
    baseline_name: str
    baseline: float | None
    available: bool
    reason: str | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    sandboxing: str = ""

    @property
    def ratio(self) -> float | None:
        """``seconds / baseline``, or None when either is missing."""
        if self.seconds is None or not self.baseline:
            return None
        return self.seconds / self.baseline

    def as_dict(self) -> dict[str, object]:
        """Return the row as plain data (for a table or a plot)."""
        return {
            "runtime": self.runtime,
            "seconds": self.seconds,
            "baseline": self.baseline_name,
            "baseline_seconds": self.baseline,
            "ratio": self.ratio,
            "available": self.available,
            "reason": self.reason,
            "note": self.note,
            "sandboxing": self.sandboxing,
        }


def _gcc() -> str | None:
    """gcc (or cc) as PATH has it now: not cached, so a compiler installed later is found."""
    return shutil.which("gcc") or shutil.which("cc")


def native_build(source: str, name: str, *, static: bool = False) -> Path | None:
    """Compile C ``source`` natively with ``gcc -O2`` (``-static`` with ``static``, for a
    container's root filesystem); return the program, or None without gcc (or, with
    ``static``, without the static C library).

    Raises RuntimeError with the compiler's message when the source does not compile.
    """
    gcc = _gcc()
    if gcc is None:
        return None
    folder = Path(tempfile.gettempdir()) / "wasikernel-native"
    folder.mkdir(exist_ok=True)
    import hashlib

    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    program = folder / f"{name}-{digest}"
    if not program.exists():
        src = folder / f"{name}-{digest}.c"
        src.write_text(source)
        done = subprocess.run(
            [gcc, "-O2", *(["-static"] if static else []), "-o", str(program), str(src)],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0 and static:
            return None
        if done.returncode != 0:
            raise RuntimeError(f"gcc could not compile {name}: {done.stderr.strip()}")
    return program


#: where a container's bundle (root filesystem and config.json) is made, once per machine
_BUNDLE_NAME = "wasikernel-container"


def _runc() -> str | None:
    return shutil.which("runc")


def container_bundle(program: Path | None = None) -> Path:
    """Return an OCI bundle for ``runc``: a read-only root filesystem made of ``busybox``
    (Debian's busybox-static, when present) and ``program`` as ``/hello`` (a static build of
    the hello program), and the ``config.json`` that runs it (``/hello``, else busybox's
    ``echo``), with no terminal. No image registry is involved.

    Raises RuntimeError when there is neither a program nor busybox to put in it, or
    ``runc spec`` fails.
    """
    import json

    bundle = Path(tempfile.gettempdir()) / _BUNDLE_NAME
    rootfs = bundle / "rootfs"
    (rootfs / "bin").mkdir(parents=True, exist_ok=True)
    busybox = shutil.which("busybox")
    if busybox is not None:
        shutil.copy2(busybox, rootfs / "bin" / "busybox")
        for applet in ("sh", "echo"):
            if not (rootfs / "bin" / applet).is_symlink():
                (rootfs / "bin" / applet).symlink_to("busybox")
    if program is not None:
        shutil.copy2(program, rootfs / "hello")
        args = ["/hello"]
    elif busybox is not None:
        args = ["/bin/echo", HELLO_LINE]
    else:
        raise RuntimeError("neither busybox nor a static C compiler is here to fill the image")
    config = bundle / "config.json"
    config.unlink(missing_ok=True)
    done = subprocess.run([_runc() or "runc", "spec"], cwd=bundle, capture_output=True,
                          text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"`runc spec` failed: {done.stderr.strip()}")
    spec = json.loads(config.read_text())
    spec["process"]["args"] = args
    spec["process"]["terminal"] = False
    spec["root"]["readonly"] = True
    config.write_text(json.dumps(spec, indent=1))
    return bundle


def _image_bytes(bundle: Path) -> int:
    return sum(p.stat().st_size for p in (bundle / "rootfs").rglob("*")
               if p.is_file() and not p.is_symlink())  # fmt: skip


_CONTAINERS = [0]


def run_container(bundle: Path) -> subprocess.CompletedProcess:
    """Start, run and remove one container of ``bundle`` with ``runc run`` (whole process)."""
    _CONTAINERS[0] += 1
    name = f"wasikernel-{os.getpid()}-{_CONTAINERS[0]}"
    return subprocess.run([_runc() or "runc", "run", "--bundle", str(bundle), name],
                          capture_output=True, timeout=60)  # fmt: skip


def container_status() -> str | None:
    """Return None when a container can start here with ``runc``, else the reason it cannot
    (runc missing, not root, or runc refused: inside an unprivileged container such as Binder's,
    say)."""
    if not sys.platform.startswith("linux"):
        return "containers are Linux's: this machine is not Linux"
    if _runc() is None:
        return ("runc is not installed here; on Debian: `apt-get install runc busybox-static` "
                "(the README's test command installs them)")  # fmt: skip
    if os.geteuid() != 0:
        return (f"starting a container with runc needs root here (this process runs as uid "
                f"{os.geteuid()}); inside Binder or an unprivileged container no container can "
                "start at all")  # fmt: skip
    return None


def _container_row(base_name: str, native_now: Callable[[], float | None], repeat: int,
                   expected: bytes | None) -> Measurement:  # fmt: skip
    label = t("compare_container_start")
    reason = container_status()
    if reason is None:
        try:
            static = native_build(HELLO_C, "hello-static", static=True)
            bundle = container_bundle(static)
            first = run_container(bundle)
            if first.returncode != 0:
                lines = (first.stderr or b"").decode("utf-8", "replace").strip().splitlines()
                detail = lines[-1] if lines else t("compare_exit", status=first.returncode)
                reason = t("compare_container_refused", detail=detail)
            elif expected is not None and first.stdout.strip() != expected.strip():
                reason = t("compare_container_printed", got=first.stdout, expected=expected)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
            reason = t("compare_container_unprepared", error=exc)
    if reason is not None:
        return Measurement(label, None, base_name, None, False, reason)
    baseline = native_now()
    samples = _time(lambda: run_container(bundle), repeat)
    what = t("compare_container_program" if static is not None else "compare_container_echo")
    note = t("compare_note_container", what=what, megabytes=_image_bytes(bundle) / 1e6)
    return Measurement(label, min(samples), base_name, baseline, True, None, note, samples,
                       t("compare_container_sandboxing"))


def _time(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _compile(source: str) -> bytes:
    """Compile C to wasm at -O2, with clang + wasi-libc when present (wasm3 0.5 cannot decode
    zig's libc stdio), else with zig. Every runtime runs the same bytes."""
    from .compile import CompileOptions, compile_source
    from .compile._toolchains import find_clang

    toolchain = "clang" if find_clang() is not None else "zig"
    options = CompileOptions(optimize="2", trace_libc=False, toolchain=toolchain)
    return compile_source("c", source, options).wasm


def _sandbox(args: Sequence[str] = ()) -> Sandbox:
    return Sandbox(args=list(args), limits=Limits(timeout_s=120.0, max_trace_events=10_000))


def _check(result: RunResult, expected: bytes | None, label: str) -> None:
    if not result.ok:
        why = (result.trap.message if result.trap
               else result.limit or t("compare_exit", status=result.exit_code))  # fmt: skip
        raise RuntimeError(t("compare_unfinished", label=label, why=why))
    if expected is not None and result.stdout.strip() != expected.strip():
        raise RuntimeError(t("compare_printed", label=label, got=result.stdout,
                             expected=expected))  # fmt: skip


def _baseline_row(name: str, seconds: float | None, measured: bool) -> Measurement:
    """The first row of a comparison: the native baseline itself (ratio 1)."""
    reason = None if measured else t("compare_no_gcc")
    return Measurement(name, seconds, name, seconds, measured, reason)


def measure_startup(
    repeat: int = 5, *, only: Sequence[str] | None = None, container: bool = True
) -> list[Measurement]:
    """Measure how long each runtime takes to start, run and end the hello program.

    The baseline is starting the same program built natively as a process; ``only`` keeps the
    runtimes whose engine name is listed; ``container`` adds the row of a container start
    (``runc run`` of the same program built static, in a busybox root filesystem: no daemon,
    no image registry), measured where runc can start one and saying why not elsewhere. Each
    figure is the best of ``repeat`` runs, and each row's
    baseline is measured again just before it, so a busy machine skews both alike.
    """
    native = native_build(HELLO_C, "hello")
    wasm = _compile(HELLO_C)
    if native is not None:
        expected = subprocess.run([str(native)], capture_output=True, check=True).stdout

        def native_now() -> float | None:
            return min(_time(lambda: subprocess.run([str(native)], capture_output=True), repeat))

        baseline, base_name = native_now(), t("compare_native_footprint")
    else:

        def native_now() -> float | None:
            return None

        expected, baseline, base_name = None, None, t("compare_native_no_gcc")
    rows = [_baseline_row(base_name, baseline, native is not None)]
    if container:
        rows.append(_container_row(base_name, native_now, repeat, expected))
    for contender in contenders():
        if only is not None and contender.engine not in only:
            continue
        rows.append(
            _measure_one(
                contender, lambda c: _startup_of(c, wasm, expected, repeat), base_name, native_now
            )
        )
    return rows


def _startup_of(
    contender: Contender, wasm: bytes, expected: bytes | None, repeat: int
) -> tuple[list[float], str]:
    results: list[RunResult] = []

    def once() -> None:
        results.append(contender.run(wasm, _sandbox()))

    samples = _time(once, repeat)
    _check(results[-1], expected, contender.label)
    note = ""
    if contender.whole_process:
        note = t("compare_note_hosted")
    elif contender.engine == "node":
        inside = results[-1].instantiate_ns
        note = t("compare_note_node")
        if inside:
            note += t("compare_note_node_inside", milliseconds=inside / 1e6)
    elif contender.family == "wasm" and contender.engine in _cli_names():
        note = t("compare_note_cli")
    elif contender.engine in ("pywasm", "wasmer-sdk"):
        note = t("compare_note_package")
    elif contender.engine in ("wasmtime", "pulley"):
        note = t("compare_note_first_run", milliseconds=samples[0] * 1e3)
    return samples, note


@cache
def _cli_names() -> frozenset[str]:
    from .engines import cli

    return frozenset(cli.RUNTIMES)


def _measure_one(
    contender: Contender,
    measure: Callable[[Contender], tuple[list[float], str]],
    base_name: str,
    baseline_now: Callable[[], float | None],
) -> Measurement:
    sandboxing = contender.sandboxing()
    reason = contender.unavailable()
    if reason is not None:
        return Measurement(
            contender.label, None, base_name, None, False, reason, sandboxing=sandboxing
        )
    baseline = baseline_now()
    try:
        samples, note = measure(contender)
    except Exception as exc:  # a runtime that fails here is a row that says why
        return Measurement(
            contender.label, None, base_name, baseline, False, f"{type(exc).__name__}: {exc}",
            sandboxing=sandboxing,
        )  # fmt: skip
    return Measurement(
        contender.label, min(samples), base_name, baseline, True, None, note, samples, sandboxing
    )


def measure_execution(
    repeat: int = 3, *, work: int = FULL_WORK, only: Sequence[str] | None = None
) -> list[Measurement]:
    """Measure the computing time of BENCH_C (``work`` rounds) under each runtime.

    Each figure is (best run with the work) - (best run with no work) over ``repeat`` runs, so
    start-up is left out; an interpreter runs ``work * work_share`` rounds and its figure is
    scaled to the full work. The baseline is the same C built natively with ``gcc -O2``,
    measured the same way again just before each row.
    """
    native = native_build(BENCH_C, "bench")
    wasm = _compile(BENCH_C)
    base_name = t("compare_native_run")
    if native is not None:

        def native_run(rounds: int) -> float:
            start = time.perf_counter()
            subprocess.run([str(native), str(rounds)], capture_output=True, check=True)
            return time.perf_counter() - start

        def native_now() -> float | None:
            zero = min(native_run(0) for _ in range(repeat))
            return max(min(native_run(work) for _ in range(repeat)) - zero, 1e-9)

    else:

        def native_now() -> float | None:
            return None

    baseline = native_now()
    rows = [_baseline_row(base_name, baseline, native is not None)]
    for contender in contenders():
        if only is not None and contender.engine not in only:
            continue
        rows.append(
            _measure_one(
                contender,
                lambda c: _execution_of(c, wasm, native, work, repeat),
                base_name,
                native_now,
            )
        )
    return rows


def _execution_of(
    contender: Contender, wasm: bytes, native: Path | None, work: int, repeat: int
) -> tuple[list[float], str]:
    rounds = max(1, int(work * contender.work_share))
    expected = None
    if native is not None:
        expected = subprocess.run(
            [str(native), str(rounds)], capture_output=True, check=True
        ).stdout

    def timed(n: int, check_output: bool) -> float:
        start = time.perf_counter()
        result = contender.run(wasm, _sandbox([str(n)]))
        elapsed = time.perf_counter() - start
        _check(result, expected if check_output else None, contender.label)
        return elapsed

    zero = min(timed(0, False) for _ in range(repeat))
    scale = work / rounds
    samples = [max(timed(rounds, True) - zero, 0.0) * scale for _ in range(repeat)]
    note = ""
    if rounds != work:
        note = t("compare_note_scaled", rounds=rounds, work=work)
    return samples, note


def to_table(rows: Sequence[Measurement]) -> str:
    """Return the rows as a plain-text table: runtime, figure, the baseline measured with it,
    their ratio, and a note (with how the runtime runs WASI and treats folders); or why a row
    was not measured."""

    def fmt(seconds: float | None) -> str:
        if seconds is None:
            return "-"
        if seconds < 1:
            return t("compare_milliseconds", value=seconds * 1e3)
        return t("compare_seconds", value=seconds)

    header = [t("compare_column_runtime"), t("compare_column_figure"),
              t("compare_column_baseline"), t("compare_column_ratio")]  # fmt: skip
    width = max([len(r.runtime) for r in rows] + [len(header[0]), 10])
    figure_w, ratio_w = max(10, len(header[1]), len(header[2])), max(9, len(header[3]))
    lines = [f"{header[0].ljust(width)}  {header[1]:>{figure_w}}  {header[2]:>{figure_w}}  "
             f"{header[3]:>{ratio_w}}"]  # fmt: skip
    for r in rows:
        if r.available:
            ratio = t("compare_times", ratio=r.ratio) if r.ratio is not None else "-"
            text = (f"{r.runtime.ljust(width)}  {fmt(r.seconds):>{figure_w}}  "
                    f"{fmt(r.baseline):>{figure_w}}  {ratio:>{ratio_w}}")  # fmt: skip
            note = t("clause_separator").join(part for part in (r.note, r.sandboxing) if part)
            if note:
                text += f"  ({note})"
        else:
            text = f"{r.runtime.ljust(width)}  {'-':>{figure_w}}  {'-':>{figure_w}}  "
            text += f"{'-':>{ratio_w}}  " + t("compare_not_measured", reason=r.reason)
        lines.append(text.rstrip())
    return "\n".join(lines)


# ---------------------------------------------------------------- peak memory, size on disk

#: a Node script that runs a WASI module as Node's own WASI does, for its peak memory
_NODE_WASI_SCRIPT = """
const { readFileSync } = require('node:fs');
const { WASI } = require('node:wasi');
const wasi = new WASI({ version: 'preview1', args: [] });
WebAssembly.instantiate(readFileSync(process.argv[2]), wasi.getImportObject())
  .then(({ instance }) => wasi.start(instance));
"""

#: the Python distributions an engine that runs inside Python brings
_ENGINE_DISTRIBUTIONS = {
    "wasmtime": ("wasmtime",), "pulley": ("wasmtime",), "wasm3": ("pywasm3",),
    "pywasm": ("pywasm",), "wasmer-sdk": ("wasmer-sdk",), "stepper": (),
}  # fmt: skip


@dataclass
class Footprint:
    """One row of the footprint table: the peak memory of a whole process running the hello
    program, and the bytes on disk the runtime needs, each None when it could not be measured
    (``reason`` says why). ``counts`` says what the figures include; ``engine`` names the
    runtime as lesson 7's exercise does (an engine's name, ``wasikernel`` for our host as a
    whole, ``container``, ``native``); ``shipped_bytes`` is what one ships per program (the
    program, the container image, the wasm module)."""

    runtime: str
    peak_bytes: int | None
    disk_bytes: int | None
    reason: str | None = None
    counts: str = ""
    engine: str = ""
    shipped_bytes: int | None = None

    @property
    def available(self) -> bool:
        """Whether at least one of the two figures was measured."""
        return self.peak_bytes is not None or self.disk_bytes is not None

    def as_dict(self) -> dict[str, object]:
        """Return the row as plain data."""
        return {"runtime": self.runtime, "engine": self.engine, "peak_bytes": self.peak_bytes,
                "disk_bytes": self.disk_bytes, "shipped_bytes": self.shipped_bytes,
                "reason": self.reason, "counts": self.counts}


#: a small native launcher whose child's peak is the child's own: a child forked from a large
#: process (Python) counts that process's pages in its ``ru_maxrss`` until it execs
_PEAK_C = r"""
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 125;
    pid_t pid = fork();
    if (pid < 0) return 126;
    if (pid == 0) { execvp(argv[2], argv + 2); _exit(127); }
    int status;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) return 126;
    FILE *out = fopen(argv[1], "w");
    if (out == NULL) return 126;
    fprintf(out, "%ld\n", usage.ru_maxrss);
    fclose(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
"""


def peak_memory(argv: Sequence[str], *, timeout_s: float = 60.0) -> tuple[int, int, bytes]:
    """Run ``argv`` to its end; return ``(peak resident bytes, exit status, stdout)``.

    The peak is the kernel's ``ru_maxrss`` of the process, which covers the children it waited
    for (the largest of them, not their sum); the process is started by a small native
    launcher (built with gcc), so that none of this Python process is counted. A process still
    running after ``timeout_s`` is killed. Raises OSError when gcc is missing or ``argv[0]``
    cannot be started.
    """
    launcher = native_build(_PEAK_C, "peak")
    if launcher is None:
        raise OSError(t("compare_peak_needs_gcc"))
    with tempfile.TemporaryDirectory(prefix="wasikernel-peak-") as tmp:
        report = Path(tmp) / "peak"
        done = subprocess.run([str(launcher), str(report), *argv], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout_s,
                              start_new_session=True)  # fmt: skip
        if not report.exists():
            raise OSError(t("compare_unstartable", program=argv[0], status=done.returncode))
        return int(report.read_text()) * 1024, done.returncode, done.stdout


def _tree_bytes(path: Path) -> int:
    """The bytes of the files under ``path`` (a file: its own), links not followed."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _distribution_bytes(name: str) -> int | None:
    """The bytes of the files an installed Python distribution lists, or None when it is not
    installed (or lists none)."""
    import importlib.metadata

    try:
        files = importlib.metadata.distribution(name).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    located = [Path(str(f.locate())) for f in files]
    return sum(p.stat().st_size for p in located if p.is_file()) or None


def _python_bytes() -> int:
    """The interpreter and its standard library, which every engine run inside Python needs."""
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    installed = stdlib / "site-packages"  # the base interpreter's own packages: not Python's
    files = (p for p in stdlib.rglob("*") if p.is_file() and not p.is_symlink()
             and installed not in p.parents)  # fmt: skip
    return Path(sys.executable).resolve().stat().st_size + sum(p.stat().st_size for p in files)


def _package_bytes() -> int:
    """This package's own files (our WASI host, the stepper, the kernel)."""
    return _tree_bytes(Path(__file__).resolve().parent)


def _footprint_of(contender: Contender, module: Path) -> tuple[list[str], int, str]:
    """The command whose peak is measured for ``contender``, the bytes on disk it needs, and
    what they count."""
    from .engines import REGISTRY, cli
    from .engines.node import node_path

    engine = REGISTRY[contender.engine]
    if contender.engine in cli.RUNTIMES:
        program = engine.path()
        argv = engine.command(str(module), _sandbox(), program=program)
        size = Path(program).resolve().stat().st_size
        return argv, size, t("compare_cli_counts")
    if contender.engine == "node":
        script = module.with_name("wasi.cjs")
        script.write_text(_NODE_WASI_SCRIPT)
        program = node_path() or "node"
        size = Path(shutil.which(program) or program).resolve().stat().st_size
        return [program, "--no-warnings", str(script), str(module)], size, t("compare_node_counts")
    argv = [sys.executable, "-m", "wasikernel", "run", "--engine", contender.engine,
            str(module)]  # fmt: skip
    packages = _ENGINE_DISTRIBUTIONS.get(contender.engine, ())
    sizes = [_distribution_bytes(name) for name in packages]
    size = sum(s or 0 for s in sizes) + _package_bytes()
    named = " + ".join([*packages, "wasikernel"])
    return argv, size, t("compare_hosted_counts", named=named)


def measure_footprint(
    *, only: Sequence[str] | None = None, container: bool = True
) -> list[Footprint]:
    """Measure each runtime's peak memory running the hello program and its size on disk.

    The first row is the same program built natively (``gcc -O2``), the baseline of every
    ratio; then Python itself (the floor of every engine run inside Python), a container where
    one can start (``runc`` with its busybox root filesystem: the image's bytes and runc's),
    and one row per engine (``only`` keeps the engines named). A row that cannot be measured
    says why.
    """
    rows: list[Footprint] = []
    native = native_build(HELLO_C, "hello")
    if native is None:
        rows.append(Footprint(t("compare_native_footprint"), None, None, t("compare_no_gcc"),
                              engine="native"))  # fmt: skip
    else:
        peak, _, _ = peak_memory([str(native)])
        size = native.stat().st_size
        rows.append(Footprint(t("compare_native_footprint"), peak, size, None,
                              t("compare_native_counts"), "native", size))  # fmt: skip
    python_peak, _, _ = peak_memory([sys.executable, "-c", "pass"])
    rows.append(Footprint(t("compare_python_footprint"), python_peak, _python_bytes(), None,
                          t("compare_python_counts")))  # fmt: skip
    if container:
        rows.append(_container_footprint())
    with tempfile.TemporaryDirectory(prefix="wasikernel-footprint-") as tmp:
        module = Path(tmp) / "hello.wasm"
        module.write_bytes(_compile(HELLO_C))
        shipped = module.stat().st_size
        seen: set[str] = set()
        for contender in contenders():
            if contender.engine in seen or (only is not None and contender.engine not in only):
                continue
            seen.add(contender.engine)
            label = contender.label.replace(", Cranelift opt none", " (Cranelift)")
            engine = "wasikernel" if contender.whole_process else contender.engine
            reason = contender.unavailable()
            if reason is not None:
                rows.append(Footprint(label, None, None, reason, engine=engine))
                continue
            try:
                argv, size, counts = _footprint_of(contender, module)
                peak, status, out = peak_memory(argv)
                if status != 0 or HELLO_LINE.encode() not in out:
                    rows.append(Footprint(label, None, size,
                                          t("compare_no_hello", status=status), counts,
                                          engine))  # fmt: skip
                    continue
            except OSError as exc:
                rows.append(Footprint(label, None, None, f"{type(exc).__name__}: {exc}",
                                      engine=engine))  # fmt: skip
                continue
            rows.append(Footprint(label, peak, size, None, counts, engine, shipped))
    return rows


def _container_footprint() -> Footprint:
    label = t("compare_container_footprint")
    reason = container_status()
    if reason is not None:
        return Footprint(label, None, None, reason, engine="container")
    try:
        bundle = container_bundle(native_build(HELLO_C, "hello-static", static=True))
    except (OSError, RuntimeError) as exc:
        return Footprint(label, None, None, t("compare_container_unprepared", error=exc),
                         engine="container")  # fmt: skip
    runc = Path(_runc() or "runc").resolve()
    image, size = _image_bytes(bundle), _image_bytes(bundle) + runc.stat().st_size
    _CONTAINERS[0] += 1
    name = f"wasikernel-{os.getpid()}-{_CONTAINERS[0]}"
    peak, status, out = peak_memory([str(runc), "run", "--bundle", str(bundle), name])
    counts = t("compare_container_counts", megabytes=image / 1e6)
    if status != 0:
        return Footprint(label, None, size, t("compare_container_unstarted", status=status),
                         counts, "container", image)  # fmt: skip
    return Footprint(label, peak, size, None, counts, "container", image)


def footprint_table(rows: Sequence[Footprint]) -> str:
    """Return the rows as a plain-text table: peak memory and size on disk, each with its
    ratio to the first row (the native process measured in the same call), what they count;
    or why a row was not measured."""
    base = rows[0] if rows else None

    def fmt(value: int | None) -> str:
        if value is None:
            return "-"
        if value >= 1 << 20:
            return t("compare_mebibytes", value=value / (1 << 20))
        return t("compare_kibibytes", value=value / 1024)

    def ratio(value: int | None, baseline: int | None) -> str:
        return "-" if value is None or not baseline else f"{value / baseline:.0f}x"

    header = [t("compare_column_runtime"), t("compare_column_peak"), t("compare_column_ratio"),
              t("compare_column_disk"), t("compare_column_ratio")]  # fmt: skip
    width = max([len(r.runtime) for r in rows] + [len(header[0])])
    peak_w, ratio_w, disk_w = (max(least, len(name)) for least, name in
                               ((11, header[1]), (6, header[2]), (10, header[3])))
    lines = [f"{header[0].ljust(width)}  {header[1]:>{peak_w}}  {header[2]:>{ratio_w}}  "
             f"{header[3]:>{disk_w}}  {header[4]:>{ratio_w}}"]  # fmt: skip
    for r in rows:
        if r.available:
            text = (f"{r.runtime.ljust(width)}  {fmt(r.peak_bytes):>{peak_w}}  "
                    f"{ratio(r.peak_bytes, base.peak_bytes if base else None):>{ratio_w}}  "
                    f"{fmt(r.disk_bytes):>{disk_w}}  "
                    f"{ratio(r.disk_bytes, base.disk_bytes if base else None):>{ratio_w}}")
        else:
            text = (f"{r.runtime.ljust(width)}  {'-':>{peak_w}}  {'-':>{ratio_w}}  "
                    f"{'-':>{disk_w}}  {'-':>{ratio_w}}")  # fmt: skip
        reason = r.reason and t("compare_not_measured", reason=r.reason)
        notes = [part for part in (r.counts, reason) if part]
        if notes:
            text += (f"  ({t('clause_separator').join(notes)})" if r.available
                     else f"  {notes[-1]}")  # fmt: skip
        lines.append(text.rstrip())
    return "\n".join(lines)


# ---------------------------------------------------------------- sandbox strength

#: the runtimes whose sandbox the escape table tries: our host (under wasmtime; the other hosted
#: engines run the same host) and every runtime with its own WASI that takes a folder
ESCAPE_ENGINES = ("wasmtime", "wasmtime-cli", "node", "pywasm", "wasmedge", "wasmer", "iwasm")


@dataclass
class EscapeTable:
    """Route x runtime: what each escape route did under each runtime.

    ``outcomes[route][engine]`` is a :class:`wasikernel.escape.RouteOutcome` (held, leaked,
    refused to run). ``alone[route][engine]``, for a route the project refused to run, is what
    the runtime's own WASI does with it when the project's check is lifted (measured only with
    ``unguarded=True``). ``missing`` maps each runtime not usable here to the reason.
    """

    routes: list[str]
    engines: list[str]
    outcomes: dict[str, dict[str, object]]
    alone: dict[str, dict[str, object]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def count(self, engine: str, outcome: str) -> int:
        """How many routes ended with ``outcome`` under ``engine``."""
        return sum(1 for r in self.routes if self.outcomes[r][engine].outcome == outcome)

    def to_text(self) -> str:
        """The table as plain text, in the learner's language: one line per route, one column
        per runtime, then a line of totals and one line per runtime missing here."""
        width = max([len(r) for r in self.routes] + [len(t("escape_route"))])

        def word(outcome: str) -> str:
            return t({"held": "escape_held", "leaked": "escape_leaked"}.get(outcome,
                                                                          "escape_refused"))

        def cell(route: str, engine: str) -> str:
            text = word(self.outcomes[route][engine].outcome)
            alone = self.alone.get(route, {}).get(engine)
            if alone is not None:
                text += f" ({t('escape_alone', outcome=word(alone.outcome))})"
            return text

        totals = {e: t("escape_count_held", held=self.count(e, "held"), routes=len(self.routes))
                  for e in self.engines}  # fmt: skip
        cols = {e: max(len(e), len(totals[e]), *(len(cell(r, e)) for r in self.routes))
                for e in self.engines}  # fmt: skip

        def line(first: str, cells: dict[str, str]) -> str:
            row = "  ".join(cells[e].ljust(cols[e]) for e in self.engines)
            return (first.ljust(width) + "  " + row).rstrip()

        lines = [line(t("escape_route"), {e: e for e in self.engines})]
        lines += [line(r, {e: cell(r, e) for e in self.engines}) for r in self.routes]
        lines.append(line(t("escape_total"), totals))
        for engine, reason in self.missing.items():
            lines.append(t("escape_not_tried", engine=engine, reason=reason))
        return "\n".join(lines)


def escape_table(
    engines: Sequence[str] = ESCAPE_ENGINES,
    *,
    routes: Sequence[str] | None = None,
    unguarded: bool = False,
) -> EscapeTable:
    """Run each escape route of :mod:`wasikernel.escape` under each runtime of ``engines``
    that is usable here and takes a host folder; return the table.

    A runtime whose WASI would follow a link the host left in the folder is refused that run by
    the project (``refused to run``); with ``unguarded=True`` the route is also run straight
    through the runtime's own WASI, to show what the runtime alone does with it.
    """
    from . import engines as registry
    from .escape import ROUTES, try_route
    from .sandbox import Preopen

    chosen = list(routes if routes is not None else ROUTES)
    table = EscapeTable(chosen, [], {r: {} for r in chosen})
    for name in engines:
        engine = registry.find(name)
        reason = engine.available()
        if reason is None and not getattr(engine, "maps_folders", True):
            reason = t("compare_no_host_folder")
        if reason is not None:
            table.missing[name] = reason
            continue
        table.engines.append(name)

        def run_guarded(wasm: bytes, jail: Path, engine_name: str = name) -> RunResult:
            sandbox = Sandbox(preopens=[Preopen("/", host_path=str(jail))],
                              limits=Limits(timeout_s=60.0))  # fmt: skip
            return registry.run(wasm, sandbox, engine=engine_name)

        def run_alone(wasm: bytes, jail: Path, own: object = engine) -> RunResult:
            sandbox = Sandbox(preopens=[Preopen("/", host_path=str(jail))],
                              limits=Limits(timeout_s=60.0))  # fmt: skip
            return own.run_alone(registry.RunRequest(wasm, sandbox))

        for route in chosen:
            outcome = try_route(route, run_guarded)
            table.outcomes[route][name] = outcome
            if unguarded and outcome.outcome == "refused to run" and hasattr(engine, "run_alone"):
                table.alone.setdefault(route, {})[name] = try_route(route, run_alone)
    return table


# ---------------------------------------------------------------- conformance

#: the runtimes whose WASI the conformance table counts: our host and every runtime's own
CONFORMANCE_ENGINES = (
    "wasmtime", "wasmtime-cli", "node", "pywasm", "wasmer-sdk", "wasmedge", "wasmer", "iwasm",
)  # fmt: skip


def conformance_table(engines: Sequence[str] = CONFORMANCE_ENGINES) -> str:
    """Run the WASI suite under each runtime of ``engines``; return one line per runtime: its
    version and pass count, or why it was not counted (with the published count, when known)."""
    from . import engines as registry
    from .conformance import PUBLISHED, conformance

    lines = []
    for name in engines:
        counted = conformance(name)
        engine = registry.find(name)
        version = engine.version() if counted.reason is None else None
        if counted.reason is None:
            text = f"{name}: {counted.passed}/{counted.total}"
            text += f" ({version})" if version else ""
        else:
            published = PUBLISHED.get(name)
            text = t("compare_not_counted", name=name, reason=counted.reason)
            if published is not None:
                text += t("compare_published", passed=published)
        lines.append(text)
    return "\n".join(lines)


SECTIONS = ("startup", "footprint", "execution", "escape", "conformance")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m wasikernel.compare [SECTION...]``: print the tables asked for (start-up,
    execution, escape routes, WASI suite; all of them by default)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m wasikernel.compare",
        description="Measure the runtimes against each other: start-up (against a native "
        "process and a container), execution, escape routes out of a folder, WASI suite.",
    )
    parser.add_argument("sections", nargs="*", metavar="SECTION",
                        help=f"any of {', '.join(SECTIONS)} (default: all)")  # fmt: skip
    chosen = parser.parse_args(argv).sections or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"no section {unknown[0]!r}; the sections are: {', '.join(SECTIONS)}")
    printers = {
        "startup": lambda: to_table(measure_startup()),
        "footprint": lambda: footprint_table(measure_footprint()),
        "execution": lambda: to_table(measure_execution()),
        "escape": lambda: escape_table(unguarded=True).to_text(),
        "conformance": conformance_table,
    }
    titles = {section: t(f"compare_title_{section}") for section in SECTIONS}
    for index, section in enumerate(s for s in SECTIONS if s in chosen):
        print(("\n" if index else "") + titles[section], flush=True)
        print(printers[section](), flush=True)
    return 0


# The module's command line, for a look at the figures outside a notebook:
#     python -m wasikernel.compare
if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("WASIKERNEL_LANG", "en")
    sys.exit(main())
