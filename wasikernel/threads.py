"""wasi-threads, measured: a C program that counts primes on several threads, and the host
that gives it those threads.

WebAssembly's threads proposal brings shared memory and atomics; it does not say how a thread
starts. The *wasi-threads* proposal adds one host function for it, ``wasi.thread-spawn``: the
host makes a new instance of the same module, importing the same shared memory, on a new OS
thread, and calls its export ``wasi_thread_start(thread_id, start_arg)`` there.

Our WASI host refuses ``thread-spawn`` at link time (one instance, one trace of its calls in
order); the wasmtime command line refuses ``-S threads`` since wasmtime 47, which removed
wasi-threads (shared memory and atomics stay, behind ``-W threads``). What remains is the part
an embedder writes, and :class:`ThreadsHost` is that part: wasmtime's library, one store per
thread, one :class:`wasmtime.SharedMemory` for all. It runs this module's program only: no WASI,
no folders, no trace. Calls into wasm release Python's lock (``ctypes``), so the threads run on
as many cores as the machine gives them.

``PRIMES_C`` is built for ``wasm32-wasi`` with atomics, bulk memory and an imported shared
memory (zig's wasi-libc has no threaded ``pthread_create``, so the program imports
``thread-spawn`` itself and exports ``wasi_thread_start``)::

    run = count_primes(3_000_000, threads=2)
    run.primes, run.wall_s, run.cores_used   # 216816, ~0.3 s, ~2.0 on two free cores
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from . import messages
from .errors import UsageError

__all__ = [
    "MAX_BELOW",
    "MAX_REPEAT",
    "MAX_THREADS",
    "PRIMES_C",
    "SpeedUp",
    "ThreadedRun",
    "ThreadsHost",
    "build_primes",
    "count_primes",
    "measure_speedup",
]

#: the most threads the program shares its work between (its table of shares has 16 places)
MAX_THREADS = 16
#: the largest bound a learner may ask for: about ten seconds on one thread
MAX_BELOW = 50_000_000
#: the most counts of each kind :func:`measure_speedup` makes
MAX_REPEAT = 20

PRIMES_C = r"""
/* Count the primes below n on several threads, started through wasi-threads. */
#include <stdatomic.h>

/* wasi-threads: the host starts a new instance on a new thread, sharing this memory */
__attribute__((import_module("wasi"), import_name("thread-spawn")))
int thread_spawn(void *start_arg);

struct share { int first, step, below; };
static struct share shares[16];
static _Atomic int primes;
static _Atomic int finished;

/* blocks of 1024 numbers dealt out in turn, so that each thread gets small and large ones */
static int count(const struct share *share) {
    int found = 0;
    for (int n = share->first * 1024; n < share->below; n++) {
        if (n % 1024 == 0 && n / 1024 % share->step != share->first) { n += 1023; continue; }
        int prime = n >= 2;
        for (int d = 2; d * d <= n; d++)
            if (n % d == 0) { prime = 0; break; }
        found += prime;
    }
    return found;
}

/* where a new thread begins; its variables live in wasm locals, so it needs no stack memory
   of its own (wasi-libc's pthread_create would give it one) */
__attribute__((export_name("wasi_thread_start")))
void wasi_thread_start(int thread_id, struct share *share) {
    (void)thread_id;
    atomic_fetch_add(&primes, count(share));
    atomic_fetch_add(&finished, 1);
    __builtin_wasm_memory_atomic_notify((int *)&finished, 1);
}

/* the primes below n, counted by `threads` threads: this one and threads - 1 new ones */
__attribute__((export_name("count_primes_below")))
int count_primes_below(int n, int threads) {
    if (threads < 1 || threads > 16) return -1;
    primes = 0;
    finished = 0;
    for (int t = 0; t < threads; t++)
        shares[t] = (struct share){t, threads, n};
    for (int t = 1; t < threads; t++)
        if (thread_spawn(&shares[t]) < 0) return -2;
    atomic_fetch_add(&primes, count(&shares[0]));
    for (int seen; (seen = finished) < threads - 1;)
        __builtin_wasm_memory_atomic_wait32((int *)&finished, seen, -1);
    return primes;
}
"""

#: shared memory and atomics for the compiler; a shared memory imported from ``env`` for the
#: linker, with a small stack (the whole memory is two MiB)
BUILD_FLAGS = (
    "-matomics", "-mbulk-memory",
    "-Wl,--import-memory,--shared-memory,--max-memory=2097152,-z,stack-size=65536",
)  # fmt: skip


def build_primes() -> bytes:
    """Compile :data:`PRIMES_C` with the project's C compiler (cached); return the wasm.

    Raises CompileError when it does not compile, UsageError when no C compiler is installed.
    """
    from .compile import CompileOptions, compile_source

    options = CompileOptions(optimize="2", extra_flags=list(BUILD_FLAGS), trace_libc=False)
    return compile_source("c", PRIMES_C, options).wasm


@cache
def _engine() -> Any:
    import wasmtime

    config = wasmtime.Config()
    config.wasm_threads = True
    config.shared_memory = True
    return wasmtime.Engine(config)


def _shared_memory(engine: Any, memory_type: Any) -> Any:
    """A :class:`wasmtime.SharedMemory` that a linker accepts: wasmtime-py 49 builds the
    extern of a shared memory from a pointer to its pointer, which ctypes refuses, so the
    extern is built here from the pointer itself."""
    import wasmtime
    from wasmtime import _ffi

    class _Linkable(wasmtime.SharedMemory):
        def _as_extern(self) -> Any:
            union = _ffi.wasmtime_extern_union(sharedmemory=self.ptr())
            return _ffi.wasmtime_extern_t(_ffi.WASMTIME_EXTERN_SHAREDMEMORY, union)

    return _Linkable(engine, memory_type)


class ThreadsHost:
    """The host side of wasi-threads for one module that imports ``env.memory`` (shared) and
    ``wasi.thread-spawn``, and nothing else.

    Each spawned thread is a new instance in a store of its own on a new Python thread;
    ``threads_started`` counts them, and no more than ``max_threads`` run at once. Raises
    UsageError for a module that imports anything else or has no ``wasi_thread_start``.
    """

    def __init__(self, wasm: bytes, max_threads: int = MAX_THREADS) -> None:
        import wasmtime

        self.engine = _engine()
        self.module = wasmtime.Module(self.engine, wasm)
        imports = {(i.module, i.name): i.type for i in self.module.imports}
        unknown = sorted(f"{m}.{n}" for m, n in imports if (m, n) not in (
            ("env", "memory"), ("wasi", "thread-spawn")))  # fmt: skip
        if unknown or ("env", "memory") not in imports:
            what = ", ".join(unknown) or "no env.memory"
            raise UsageError(messages.t("threads_imports", what=what))
        if "wasi_thread_start" not in {e.name for e in self.module.exports}:
            raise UsageError(messages.t("threads_no_start"))
        self.memory = _shared_memory(self.engine, imports[("env", "memory")])
        self.max_threads = max_threads
        self.threads_started = 0
        self._running = 0
        self._workers: list[threading.Thread] = []
        self._failures: list[BaseException] = []
        self._lock = threading.Lock()

    def instantiate(self) -> tuple[Any, Any]:
        """Return ``(store, instance)``: a new instance sharing the memory."""
        import wasmtime

        store = wasmtime.Store(self.engine)
        linker = wasmtime.Linker(self.engine)
        linker.define(store, "env", "memory", self.memory)
        i32 = wasmtime.ValType.i32()
        linker.define_func("wasi", "thread-spawn", wasmtime.FuncType([i32], [i32]), self._spawn)
        return store, linker.instantiate(store, self.module)

    def _spawn(self, start_arg: int) -> int:
        """``wasi.thread-spawn``: a positive thread id, or a negative number when no thread
        could start (the limit of threads reached, say)."""
        with self._lock:
            if self._running >= self.max_threads:
                return -1
            self._running += 1
            self.threads_started += 1
            thread_id = self.threads_started

        def body() -> None:
            try:
                store, instance = self.instantiate()
                instance.exports(store)["wasi_thread_start"](store, thread_id, start_arg)
            except BaseException as error:  # kept for join(): a thread has no one to tell
                self._failures.append(error)
            finally:
                with self._lock:
                    self._running -= 1

        worker = threading.Thread(target=body, name=f"wasi-thread-{thread_id}", daemon=True)
        try:
            worker.start()
        except RuntimeError:
            with self._lock:
                self._running -= 1
            return -1
        self._workers.append(worker)
        return thread_id

    def join(self) -> None:
        """Wait for every thread started; raises RuntimeError naming the first that failed."""
        for worker in self._workers:
            worker.join()
        self._workers.clear()
        if self._failures:
            raise RuntimeError(messages.t("threads_failed", error=self._failures[0]))


@dataclass
class ThreadedRun:
    """One count: how many threads, what they found, the wall time and the CPU time the whole
    process spent (all threads together)."""

    threads: int
    below: int
    primes: int
    wall_s: float
    cpu_s: float

    @property
    def cores_used(self) -> float:
        """CPU time over wall time: about the number of cores that were busy at once."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0


def _check_counts(below: object, threads: object) -> None:
    if not isinstance(below, int) or isinstance(below, bool) or not 0 <= below <= MAX_BELOW:
        raise UsageError(messages.t("threads_below", most=MAX_BELOW, got=repr(below)[:40]))
    if (not isinstance(threads, int) or isinstance(threads, bool)
            or not 1 <= threads <= MAX_THREADS):  # fmt: skip
        raise UsageError(messages.t("threads_count", most=MAX_THREADS, got=repr(threads)[:40]))


def count_primes(below: int, threads: int = 2, host: ThreadsHost | None = None) -> ThreadedRun:
    """Count the primes below ``below`` with ``threads`` threads of the wasm program.

    Raises UsageError for a bound or a thread count out of range, RuntimeError when a thread
    could not start or failed.
    """
    _check_counts(below, threads)
    host = host or ThreadsHost(build_primes())
    store, instance = host.instantiate()
    run = instance.exports(store)["count_primes_below"]
    cpu, wall = time.process_time(), time.perf_counter()
    primes = run(store, below, threads)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    host.join()
    if primes < 0:
        raise RuntimeError(messages.t("threads_not_started", code=primes,
                                      started=host.threads_started, wanted=threads - 1))
    return ThreadedRun(threads, below, primes, wall, cpu)


@dataclass
class SpeedUp:
    """The best of a few counts on one thread and on ``threads`` threads."""

    one: ThreadedRun
    many: ThreadedRun

    @property
    def ratio(self) -> float:
        """How many times faster the threads counted than one thread."""
        return self.one.wall_s / self.many.wall_s if self.many.wall_s > 0 else 0.0


def measure_speedup(below: int = 3_000_000, threads: int = 2, repeat: int = 3) -> SpeedUp:
    """Count the primes below ``below`` ``repeat`` times on one thread and on ``threads``
    threads, alternately (a busy machine slows both alike); keep the fastest of each.

    Raises what :func:`count_primes` raises, and UsageError for ``repeat`` outside 1 to
    :data:`MAX_REPEAT`.
    """
    _check_counts(below, threads)
    if not isinstance(repeat, int) or isinstance(repeat, bool) or not 1 <= repeat <= MAX_REPEAT:
        raise UsageError(messages.t("threads_repeat", most=MAX_REPEAT, got=repr(repeat)[:40]))
    host = ThreadsHost(build_primes())
    ones, manys = [], []
    for _ in range(repeat):
        ones.append(count_primes(below, 1, host))
        manys.append(count_primes(below, threads, host))
    one = min(ones, key=lambda r: r.wall_s)
    many = min(manys, key=lambda r: r.wall_s)
    if one.primes != many.primes:
        raise RuntimeError(f"one thread found {one.primes} primes, {threads} found {many.primes}")
    return SpeedUp(one, many)
