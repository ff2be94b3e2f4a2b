"""A whole class through a real JupyterHub: N students log in and run a lesson through its proxy.

``bench_load.py`` drives kernels directly (jupyter_client over loopback ZMQ). This benchmark puts
a real JupyterHub in between, as a class has it: the hub with ``configurable-http-proxy`` in
front, a ``SimpleLocalProcessSpawner`` (one single-user Jupyter server per student, each in a
home of its own holding a copy of the lesson's folder) and a password-only ``DummyAuthenticator``.
Each student does what a browser does (``jupyter_browser.py``): the login form, the spawn's
progress stream, the OAuth redirects to their own server, the JupyterLab page, the REST calls
that open the notebook and start a session with the ``wasi`` kernel, and the kernel's websocket
(v1 protocol) with one ``execute_request`` per code cell. Every reply and every cell's outputs
are checked against one student alone (run directly). Once every student's kernel answers, all
run the cells at the same moment, ``--rounds`` times.

The same script first runs the direct way with the same N (``bench_load.run_class``), so the
report gives, per cell, p50 and p95 both ways and the hub's own overhead (hub minus direct);
the time until every student's kernel answered; the memory per student (RSS of the single-user
server plus its kernel, against the kernel alone directly) and of the hub and proxy; failures.

    python benchmarks/bench_hub.py --students 10 30
    python benchmarks/bench_hub.py --students 4 --lesson lessons/en/02-hello-wasi.ipynb --rounds 1

Needs the ``hub`` extra and the proxy: ``pip install -e '.[hub]'`` then
``(cd share/hub && npm install)``; without them it says so and stops. The hub listens on
127.0.0.1 only, on ports ``--port-base`` (proxy), +1 (hub), +2 (proxy API) and +10 + i (student
i's server). Every process it starts is ended and every folder removed when it stops, also on
an error, Ctrl-C or SIGTERM. ``rows()`` (for ``benchmarks/run.py``) compares 4 students through
the hub with 4 directly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from bench_load import (
    CELL_TIMEOUT_S,
    DEFAULT_LESSON,
    KERNEL,
    Cell,
    CellRun,
    ClassResult,
    alone,
    lesson_cells,
    percentile,
    run_class,
    run_failures,
)
from jupyter_browser import Browser, BrowserError, KernelChannel

ROOT = Path(__file__).resolve().parents[1]
PROXY_DIR = ROOT / "share" / "hub"
DEFAULT_PORT_BASE = 18800
USER_PORT_OFFSET = 10
SPAWN_TIMEOUT_S = 600.0
# a student's steps until their kernel answers ("server start" is the spawn's progress stream)
PHASES = ("log in", "server start", "lab page", "session", "kernel answers")
INSTALL = (
    "install the hub extra and the proxy: pip install -e '.[hub]' and "
    "(cd share/hub && npm install)"
)


def proxy_command() -> list[str] | None:
    """Return the ``configurable-http-proxy`` command: the one ``share/hub`` installs, else
    one on PATH, else None."""
    local = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists() and shutil.which("node"):
        return [str(local)]
    found = shutil.which("configurable-http-proxy")
    return [found] if found else None


def missing() -> list[str]:
    """Return a sentence, with its fix, for each thing the hub benchmark needs and lacks."""
    problems = []
    if importlib.util.find_spec("jupyterhub") is None:
        problems.append(
            f"JupyterHub is not installed in {sys.prefix}: pip install -e '.[hub]' "
            "(or pip install 'jupyterhub>=6.1')"
        )
    if not shutil.which("node"):
        problems.append("node is not installed: apt-get install nodejs npm")
    elif proxy_command() is None:
        problems.append(
            "configurable-http-proxy is not installed: (cd share/hub && npm install), "
            "or npm install -g configurable-http-proxy"
        )
    if _kernel_data_dir() is None:
        problems.append(f"the {KERNEL!r} kernel is not registered: wasikernel install --sys-prefix")
    return problems


def _kernel_data_dir() -> Path | None:
    """The Jupyter data folder holding the kernel's spec, as this process finds it."""
    from jupyter_client.kernelspec import KernelSpecManager

    found = KernelSpecManager().find_kernel_specs().get(KERNEL)
    return Path(found).parent.parent if found else None


# The hub's configuration, filled with repr()'d values (a Python file, as jupyterhub reads).
HUB_CONFIG = """\
from jupyterhub.spawner import SimpleLocalProcessSpawner

c = get_config()  # noqa: F821


class ClassSpawner(SimpleLocalProcessSpawner):
    \"\"\"Student i's server listens on a port of the benchmark's own range.\"\"\"

    async def start(self):
        self.port = {user_port_base} + int(self.user.name.removeprefix("student"))
        return await super().start()


c.JupyterHub.spawner_class = ClassSpawner
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.DummyAuthenticator.password = {password}
c.JupyterHub.bind_url = "http://127.0.0.1:{public_port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = {proxy_command}
c.ConfigurableHTTPProxy.pid_file = {proxy_pid_file}
c.JupyterHub.db_url = {db_url}
c.JupyterHub.cookie_secret_file = {cookie_secret_file}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.JupyterHub.concurrent_spawn_limit = 0
c.Spawner.start_timeout = {spawn_timeout}
c.Spawner.http_timeout = {spawn_timeout}
c.Spawner.cmd = {singleuser_cmd}
c.Spawner.args = {singleuser_args}
c.Spawner.default_url = "/lab"
c.Spawner.env_keep.extend({env_keep})
c.Spawner.environment = {environment}
c.SimpleLocalProcessSpawner.home_dir_template = {home_template}
"""


@dataclass
class Ports:
    """The ports of one hub, all on 127.0.0.1."""

    base: int

    @property
    def public(self) -> int:
        return self.base

    @property
    def hub(self) -> int:
        return self.base + 1

    @property
    def proxy_api(self) -> int:
        return self.base + 2

    def student(self, index: int) -> int:
        return self.base + USER_PORT_OFFSET + index


def _set_child_subreaper() -> None:
    """Make this process the reaper of its orphaned descendants (Linux), so that a server or
    kernel whose parent died is still found among this process's children and ended."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def _end(processes: list[psutil.Process], grace_s: float = 5.0) -> None:
    """Terminate ``processes``, then kill those still alive after ``grace_s``."""
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _gone, alive = psutil.wait_procs(processes, timeout=grace_s)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=grace_s)


class Stopper:
    """Ends every process started inside the ``with`` block (by id: this process's new
    descendants, found again at the end) and removes ``work``, also on an error, Ctrl-C,
    SIGTERM or SIGHUP (which become SystemExit here so that the cleanup runs)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.hub: subprocess.Popen | None = None
        self._before: set[int] = set()
        self._handlers: dict[int, object] = {}

    def __enter__(self) -> Stopper:
        _set_child_subreaper()
        self._before = {p.pid for p in psutil.Process().children(recursive=True)}
        for signum in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(ValueError):  # not the main thread: leave them
                self._handlers[signum] = signal.signal(signum, self._exit)
        return self

    @staticmethod
    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    def __exit__(self, *exc: object) -> None:
        try:
            if self.hub is not None and self.hub.poll() is None:
                # the hub stops the students' servers and the proxy itself (cleanup_servers)
                self.hub.send_signal(signal.SIGTERM)
                try:
                    self.hub.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.hub.kill()
                    self.hub.wait(timeout=10)
            leftovers = [
                p
                for p in psutil.Process().children(recursive=True)
                if p.pid not in self._before
            ]
            _end(leftovers)
            with contextlib.suppress(ChildProcessError):  # orphans this process adopted
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
        finally:
            shutil.rmtree(self.work, ignore_errors=True)
            for signum, handler in self._handlers.items():
                signal.signal(signum, handler)


class Hub:
    """A JupyterHub and its proxy on 127.0.0.1, started in ``work`` (its database, cookie
    secret, log and the students' homes)."""

    def __init__(self, work: Path, ports: Ports, stopper: Stopper) -> None:
        self.work = work
        self.ports = ports
        self.stopper = stopper
        self.password = secrets.token_urlsafe(12)
        self.homes = work / "home"
        self.log = work / "jupyterhub.log"
        self.origin = f"http://127.0.0.1:{ports.public}"
        self.process: psutil.Process | None = None

    def config(self) -> str:
        """Return the hub's configuration file's text."""
        cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        data_dir = _kernel_data_dir()
        jupyter_path = os.pathsep.join(
            p for p in (str(data_dir) if data_dir else "", os.environ.get("JUPYTER_PATH")) if p
        )
        args = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []
        return HUB_CONFIG.format(
            user_port_base=self.ports.student(0),
            password=repr(self.password),
            public_port=self.ports.public,
            hub_port=self.ports.hub,
            proxy_api_port=self.ports.proxy_api,
            proxy_command=repr(proxy_command()),
            proxy_pid_file=repr(str(self.work / "proxy.pid")),
            db_url=repr(f"sqlite:///{self.work / 'jupyterhub.sqlite'}"),
            cookie_secret_file=repr(str(self.work / "cookie_secret")),
            spawn_timeout=int(SPAWN_TIMEOUT_S),
            singleuser_cmd=repr([sys.executable, "-m", "jupyterhub.singleuser"]),
            singleuser_args=repr(args),
            env_keep=repr(["JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "WASIKERNEL_CACHE"]),
            # the students share the compile caches the direct run uses, so that both ways
            # measure the same warm compiles (a real class warms each home: wasikernel warmup)
            environment=repr({"XDG_CACHE_HOME": cache_home, "JUPYTER_PATH": jupyter_path}),
            home_template=repr(str(self.homes / "{username}")),
        )

    def home(self, index: int) -> Path:
        return self.homes / f"student{index:02d}"

    def prepare(self, students: int, lessons_dir: Path) -> None:
        """Give each student a home holding a copy of the lesson's folder."""
        for i in range(students):
            shutil.copytree(lessons_dir, self.home(i))

    async def start(self, timeout_s: float = 120.0) -> None:
        """Start the hub (it starts the proxy) and wait until its API answers through the
        proxy; raises RuntimeError with the end of its log when it does not."""
        config = self.work / "jupyterhub_config.py"
        config.write_text(self.config())
        with open(self.log, "wb") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=self.work,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches this script, which stops the hub
            )
        self.stopper.hub = popen
        self.process = psutil.Process(popen.pid)
        browser = Browser(self.origin, timeout_s=5)
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                if popen.poll() is not None:
                    raise RuntimeError(f"jupyterhub exited ({popen.returncode}):\n{self.tail()}")
                try:
                    await browser.fetch("GET", "/hub/api/", mode="cors")
                    return
                except BrowserError:
                    await asyncio.sleep(0.5)
        finally:
            browser.close()
        raise RuntimeError(f"jupyterhub did not answer in {timeout_s:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 15) -> str:
        """The end of the hub's log."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def memory(self, students: int) -> tuple[dict[int, int], int]:
        """Return each student's RSS (their server and its kernels) by index, and the hub's
        own (the hub process and the proxy)."""
        homes = {str(self.home(i)): i for i in range(students)}
        per_student: dict[int, int] = {}
        shared = 0
        if self.process is None:
            return per_student, shared
        with contextlib.suppress(psutil.Error):
            shared = self.process.memory_info().rss
            for child in self.process.children():
                try:
                    index = homes.get(child.cwd())
                    tree = [child, *child.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in tree if p.is_running())
                except psutil.Error:
                    continue
                if index is None:
                    shared += rss  # the proxy
                else:
                    per_student[index] = rss
        return per_student, shared


@dataclass
class HubStudent:
    """One student's browser and what it measured."""

    index: int
    browser: Browser
    channel: KernelChannel | None = None
    runs: list[CellRun] = field(default_factory=list)
    error: str | None = None
    ready_at: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds each step took

    def took(self, phase: str, since: float) -> float:
        """Record that ``phase`` ended now, ``since`` a perf_counter time; return now."""
        now = time.perf_counter()
        self.phases[phase] = now - since
        return now

    @property
    def name(self) -> str:
        return f"student{self.index:02d}"


async def _log_in_and_open(student: HubStudent, hub: Hub, lesson: str) -> None:
    """Log in, wait for the server, open the lesson and its kernel, as a browser does."""
    browser, name = student.browser, student.name
    start = time.perf_counter()
    await browser.fetch("GET", "/hub/login")
    page = await browser.submit_form(
        "/hub/login?next=", {"username": name, "password": hub.password}
    )
    mark = student.took("log in", start)
    if "/hub/spawn-pending/" in browser.url:
        # the page's script follows the spawn's progress stream, then reloads itself
        body = page.body.decode(errors="replace")
        match = re.search(r'new EventSource\("([^"]+)"\)', body)
        progress = match.group(1) if match else f"/hub/api/users/{name}/server/progress"
        events: list[dict] = []
        buffer = bytearray()

        def on_chunk(chunk: bytes) -> None:
            buffer.extend(chunk)
            while b"\n\n" in buffer:
                raw, _, rest = bytes(buffer).partition(b"\n\n")
                buffer[:] = rest
                for line in raw.decode(errors="replace").splitlines():
                    if line.startswith("data:"):
                        events.append(json.loads(line[5:]))

        pending = browser.url
        deadline = time.monotonic() + SPAWN_TIMEOUT_S
        streams = 0
        while not any(e.get("ready") for e in events):
            if any(e.get("failed") for e in events) or time.monotonic() > deadline:
                last = events[-1].get("message", "") if events else "no event"
                raise BrowserError(f"the server did not start: {last}")
            if streams:  # the stream ended before the server was ready: EventSource reconnects
                await asyncio.sleep(1.0)
            streams += 1
            await browser.fetch(
                "GET",
                progress,
                mode="cors",
                headers={"Accept": "text/event-stream"},
                streaming_callback=on_chunk,
                timeout_s=SPAWN_TIMEOUT_S,
            )
        mark = student.took("server start", mark)
        await browser.fetch("GET", pending)
    base = f"/user/{name}/"
    if not browser.url.split("?")[0].endswith(f"{base}lab"):
        raise BrowserError(f"login ended at {browser.url}, not at {base}lab")
    mark = student.took("lab page", mark)
    specs = await browser.api("GET", f"{base}api/kernelspecs")
    if KERNEL not in specs["kernelspecs"]:  # type: ignore[index]
        raise BrowserError(f"the server has no {KERNEL!r} kernel: {sorted(specs['kernelspecs'])}")
    await browser.api("GET", f"{base}api/contents/{lesson}?type=notebook&content=1")
    session = await browser.api(
        "POST",
        f"{base}api/sessions",
        {"path": lesson, "name": lesson, "type": "notebook", "kernel": {"name": KERNEL}},
    )
    mark = student.took("session", mark)
    student.channel = await KernelChannel.open(browser, base, session["kernel"]["id"])
    await student.channel.kernel_info(timeout_s=SPAWN_TIMEOUT_S)
    student.took("kernel answers", mark)


async def _student(
    student: HubStudent,
    hub: Hub,
    lesson: str,
    cells: list[Cell],
    rounds: int,
    everyone: asyncio.Event,
    arrived: list[int],
    total: int,
) -> None:
    try:
        try:
            await _log_in_and_open(student, hub, lesson)
            student.ready_at = time.perf_counter()
        finally:
            arrived.append(student.index)
            if len(arrived) == total:
                everyone.set()
        await everyone.wait()
        assert student.channel is not None
        for round_ in range(rounds):
            for index, cell in enumerate(cells):
                reply = await student.channel.execute(cell.source, timeout_s=CELL_TIMEOUT_S)
                outcome = reply.outcome if reply.outcome != "closed" else "dead"
                student.runs.append(
                    CellRun(cell.kind, index, reply.seconds, outcome, round_, reply.outputs)
                )
                if outcome in ("dead", "timeout"):
                    return
    except (BrowserError, OSError, KeyError, TypeError, ValueError) as exc:
        student.error = f"{type(exc).__name__}: {exc}"


@dataclass
class HubResult:
    """What N students through the hub measured."""

    students: int
    ready_s: float  # from the first login until every student's kernel answered
    runs: list[CellRun]
    rss: list[int]  # per student: their server and its kernels
    hub_rss: int  # the hub and the proxy
    failures: list[str]
    phases: dict[str, list[float]] = field(default_factory=dict)  # each student's seconds


async def run_hub_class(
    students: int,
    cells: list[Cell],
    lesson: Path,
    rounds: int,
    reference: dict[int, str],
    reference_outputs: dict[int, tuple],
    stopper: Stopper,
    port_base: int = DEFAULT_PORT_BASE,
    say: object = print,
) -> HubResult:
    """Start a hub in ``stopper``'s folder, have ``students`` log in and run ``cells`` through
    it at once, and measure; ``stopper`` ends it all when its block ends."""
    hub = Hub(stopper.work, Ports(port_base), stopper)
    hub.prepare(students, lesson.parent)
    await hub.start()
    say(f"  hub up at {hub.origin}; {students} students log in")
    everyone = asyncio.Event()
    arrived: list[int] = []
    class_members = [HubStudent(i, Browser(hub.origin)) for i in range(students)]
    started = time.perf_counter()
    try:
        await asyncio.gather(
            *(
                _student(s, hub, lesson.name, cells, rounds, everyone, arrived, students)
                for s in class_members
            )
        )
        per_student, hub_rss = hub.memory(students)
    finally:
        for s in class_members:
            if s.channel is not None:
                s.channel.close()
            s.browser.close()
    ready = [s.ready_at for s in class_members if s.ready_at]
    failures = []
    for s in class_members:
        if s.error:
            failures.append(f"{s.name}: {s.error}")
        failures += run_failures(s.name, s.runs, reference, reference_outputs)
        if not s.error and len(s.runs) < len(cells) * rounds:
            failures.append(f"{s.name}: ran {len(s.runs)} of {len(cells) * rounds}")
    if failures:
        say(f"  the hub's log ends:\n{hub.tail()}")
    return HubResult(
        students,
        (max(ready) - started) if ready else float("nan"),
        [run for s in class_members for run in s.runs],
        list(per_student.values()),
        hub_rss,
        failures,
        {
            phase: [s.phases[phase] for s in class_members if phase in s.phases]
            for phase in PHASES
        },
    )


def per_cell(cells: list[Cell], direct: list[CellRun], hub: list[CellRun]) -> list[dict]:
    """Return, for each cell, p50 and p95 of its runs directly and through the hub, and the
    hub's overhead (hub minus direct) at each."""
    table = []
    for index, cell in enumerate(cells):
        d = [r.seconds for r in direct if r.index == index]
        h = [r.seconds for r in hub if r.index == index]
        row = {"cell": index, "kind": cell.kind, "direct_runs": len(d), "hub_runs": len(h)}
        for q in (50, 95):
            row[f"direct_p{q}_s"] = percentile(d, q)
            row[f"hub_p{q}_s"] = percentile(h, q)
            row[f"overhead_p{q}_s"] = row[f"hub_p{q}_s"] - row[f"direct_p{q}_s"]
        table.append(row)
    return table


def summary(cells: list[Cell], direct: ClassResult, hub: HubResult, load: dict) -> dict:
    """The figures of one class size, both ways, as one JSON-ready dict."""
    mib = 2**20
    every_d = [r.seconds for r in direct.runs]
    every_h = [r.seconds for r in hub.runs]
    return {
        "students": hub.students,
        "load_average": load,
        "direct": {
            "kernels_ready_s": direct.start_s,
            "cells_run": len(direct.runs),
            "all_p50_s": percentile(every_d, 50),
            "all_p95_s": percentile(every_d, 95),
            "rss_per_student_mib": percentile([r / mib for r in direct.rss], 50),
            "rss_per_student_max_mib": max(direct.rss, default=0) / mib,
            "failures": direct.failures,
        },
        "hub": {
            "kernels_ready_s": hub.ready_s,
            "cells_run": len(hub.runs),
            "all_p50_s": percentile(every_h, 50),
            "all_p95_s": percentile(every_h, 95),
            "rss_per_student_mib": percentile([r / mib for r in hub.rss], 50),
            "rss_per_student_max_mib": max(hub.rss, default=0) / mib,
            "hub_and_proxy_rss_mib": hub.hub_rss / mib,
            "steps_p50_s": {k: percentile(v, 50) for k, v in hub.phases.items()},
            "steps_max_s": {k: max(v, default=float("nan")) for k, v in hub.phases.items()},
            "failures": hub.failures,
        },
        "cells": per_cell(cells, direct.runs, hub.runs),
    }


def _ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1e3:.0f} ms"


def _grid(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for i, row in enumerate(rows):
        out.append(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def report(figures: dict) -> str:
    """Return one class size's figures as text: a line per cell, then the totals."""
    rows = [
        ("cell", "kind", "direct p50", "direct p95", "hub p50", "hub p95", "+p50", "+p95"),
    ]
    for c in figures["cells"]:
        rows.append(
            (
                str(c["cell"]),
                c["kind"],
                _ms(c["direct_p50_s"]),
                _ms(c["direct_p95_s"]),
                _ms(c["hub_p50_s"]),
                _ms(c["hub_p95_s"]),
                _ms(c["overhead_p50_s"]),
                _ms(c["overhead_p95_s"]),
            )
        )
    d, h = figures["direct"], figures["hub"]
    rows.append(
        (
            "all",
            "",
            _ms(d["all_p50_s"]),
            _ms(d["all_p95_s"]),
            _ms(h["all_p50_s"]),
            _ms(h["all_p95_s"]),
            _ms(h["all_p50_s"] - d["all_p50_s"]),
            _ms(h["all_p95_s"] - d["all_p95_s"]),
        )
    )
    load = figures["load_average"]
    lines = [
        f"{figures['students']} students (load average before {load['before']}, "
        f"after {load['after']})",
        _grid(rows),
        f"every kernel answering: direct {d['kernels_ready_s']:.1f} s, through the hub "
        f"(login, spawn, lab page, session, websocket) {h['kernels_ready_s']:.1f} s",
        "  each student's steps through the hub, median / max: "
        + ", ".join(
            f"{k} {h['steps_p50_s'][k]:.1f} / {h['steps_max_s'][k]:.1f} s"
            for k in h["steps_p50_s"]
        ),
        f"RSS per student (median / max): direct (kernel) {d['rss_per_student_mib']:.0f} / "
        f"{d['rss_per_student_max_mib']:.0f} MiB, hub (server + kernel) "
        f"{h['rss_per_student_mib']:.0f} / {h['rss_per_student_max_mib']:.0f} MiB; "
        f"hub + proxy {h['hub_and_proxy_rss_mib']:.0f} MiB",
        f"cells run: direct {d['cells_run']}, hub {h['cells_run']}; failures: direct "
        f"{len(d['failures'])}, hub {len(h['failures'])}",
    ]
    for failure in (d["failures"] + h["failures"])[:10]:
        lines.append(f"  failure: {failure}")
    return "\n".join(lines)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(
    students: int,
    cells: list[Cell],
    lesson: Path,
    rounds: int,
    reference: dict[str, dict],
    port_base: int = DEFAULT_PORT_BASE,
    say: object = print,
) -> dict:
    """Run ``students`` directly, then through a hub, and return ``summary``'s figures; every
    process started is ended and every folder removed at the end, also when interrupted."""
    before = _load()
    with Stopper(Path(tempfile.mkdtemp(prefix="wasikernel-hub-"))) as stopper:
        say(f"{students} students directly ...")
        direct = run_class(
            students, cells, rounds=rounds, lessons_dir=lesson.parent, say=say, **reference
        )
        say(f"{students} students through JupyterHub ...")
        hub = asyncio.run(
            run_hub_class(
                students,
                cells,
                lesson,
                rounds,
                reference["reference"],
                reference["reference_outputs"],
                stopper,
                port_base=port_base,
                say=say,
            )
        )
    return summary(cells, direct, hub, {"before": before, "after": _load()})


def rows() -> list:
    """Four students through the hub against four directly (for benchmarks/run.py)."""
    from harness import Row

    problems = missing()
    if problems:
        print(f"bench_hub skipped: {'; '.join(problems)}", file=sys.stderr)
        return []
    cells = lesson_cells(DEFAULT_LESSON)
    reference = alone(cells, DEFAULT_LESSON.parent)
    f = measure(4, cells, DEFAULT_LESSON, 1, reference, say=lambda _m: None)
    d, h = f["direct"], f["hub"]
    note = f"failures: direct {len(d['failures'])}, hub {len(h['failures'])}"
    first = (d["failures"] + h["failures"] or [None])[0]
    if first:
        note += f" (first: {first})"
    return [
        Row("any cell p50 latency, 4 students through JupyterHub", h["all_p50_s"], "s",
            "4 students directly", d["all_p50_s"], note=note),
        Row("any cell p95 latency, 4 students through JupyterHub", h["all_p95_s"], "s",
            "4 students directly", d["all_p95_s"]),
        Row("RSS per student through JupyterHub (server + kernel)",
            h["rss_per_student_mib"] * 2**20, "B", "kernel alone, directly",
            d["rss_per_student_mib"] * 2**20),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--students", type=int, nargs="+", default=[10, 30],
        help="class sizes to measure (default: 10 30)",
    )
    parser.add_argument(
        "--lesson", type=Path, default=DEFAULT_LESSON,
        help="the built notebook whose code cells every student runs "
        "(default: lessons/en/03-sandbox.ipynb); its folder is copied into each home",
    )
    parser.add_argument(
        "--rounds", type=int, default=3,
        help="times each student runs the lesson's cells (default 3)",
    )
    parser.add_argument(
        "--port-base", type=int, default=DEFAULT_PORT_BASE,
        help=f"first of the ports used on 127.0.0.1 (default {DEFAULT_PORT_BASE}): the proxy; "
        f"+1 the hub, +2 the proxy's API, +{USER_PORT_OFFSET}+i student i's server",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)  # fmt: skip
    problems = missing()
    if problems:
        for problem in problems:
            print(f"bench_hub: {problem}", file=sys.stderr)
        print(f"bench_hub: {INSTALL}", file=sys.stderr)
        return 2
    if not args.lesson.is_file():
        print(f"bench_hub: no notebook at {args.lesson}; give --lesson a built lesson "
              "(lessons/en/*.ipynb)", file=sys.stderr)  # fmt: skip
        return 2
    if min(args.students) < 1 or args.rounds < 1:
        print("bench_hub: --students and --rounds are at least 1", file=sys.stderr)
        return 2
    cells = lesson_cells(args.lesson)
    kinds = ", ".join(
        f"{k}: {sum(c.kind == k for c in cells)}" for k in sorted({c.kind for c in cells})
    )
    print(f"cells of {args.lesson} ({kinds}), {args.rounds} rounds per student", flush=True)
    say = lambda message: print(message, flush=True)  # noqa: E731
    reference = alone(cells, args.lesson.parent)
    print(f"one student alone: {reference['reference']}", flush=True)
    results = []
    try:
        for n in args.students:
            figures = measure(n, cells, args.lesson, args.rounds, reference, args.port_base, say)
            results.append(figures)
            print(report(figures), flush=True)
    except (KeyboardInterrupt, SystemExit) as stop:
        print("bench_hub: interrupted; the processes it started are ended and its folders "
              "removed", file=sys.stderr)  # fmt: skip
        return stop.code if isinstance(stop, SystemExit) and stop.code else 130
    except RuntimeError as failed:  # the hub did not start: its log's end says why
        print(f"bench_hub: {failed}", file=sys.stderr)
        return 1
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    failed = any(r["direct"]["failures"] or r["hub"]["failures"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
