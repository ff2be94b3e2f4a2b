"""wasi-threads: our host refuses ``thread-spawn`` at link time and says why; the C program of
``wasikernel.threads`` counts primes right on one thread and on several real ones."""

from __future__ import annotations

import pytest

from wasikernel import messages, threads
from wasikernel.engines import run
from wasikernel.errors import UsageError
from wasikernel.sandbox import Sandbox

pytestmark = pytest.mark.zig


def _primes_below(n: int) -> int:
    sieve = bytearray([1]) * max(n, 2)
    sieve[0:2] = b"\0\0"
    for d in range(2, int(n**0.5) + 1):
        if sieve[d]:
            sieve[d * d :: d] = bytes(len(range(d * d, n, d)))
    return sum(sieve[:n])


@pytest.fixture(scope="module")
def primes_wasm():
    return threads.build_primes()


@pytest.fixture(autouse=True)
def english():
    messages.set_language("en")
    yield
    messages.set_language("en")


def test_the_program_is_built_for_wasi_threads(primes_wasm):
    host = threads.ThreadsHost(primes_wasm)
    imports = {(i.module, i.name) for i in host.module.imports}
    assert imports == {("env", "memory"), ("wasi", "thread-spawn")}
    memory = next(i.type for i in host.module.imports if i.name == "memory")
    assert memory.is_shared


@pytest.mark.parametrize("language, link_error, words", [
    ("en", "link error: unknown import", ("wasi-threads", "new OS thread", "refuses")),
    ("fr", "erreur d'édition des liens : import inconnu", ("wasi-threads", "nouveau thread",
                                                          "refuse")),
])  # fmt: skip
def test_our_host_refuses_thread_spawn_at_link_time_and_says_why(primes_wasm, language,
                                                                  link_error, words):
    messages.set_language(language)
    result = run(primes_wasm, Sandbox())
    assert result.trap is not None and link_error in result.trap.message
    spawn = [e for e in result.trace.events if e.call == "thread-spawn"]
    assert len(spawn) == 1 and spawn[0].phase == "link" and spawn[0].denied
    for word in words:
        assert word in spawn[0].reason


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_the_threads_count_the_primes_a_sieve_counts(primes_wasm, n_threads):
    host = threads.ThreadsHost(primes_wasm)
    counted = threads.count_primes(200_000, n_threads, host)
    assert counted.primes == _primes_below(200_000)
    assert host.threads_started == n_threads - 1  # real threads, one new instance each


def test_a_host_that_starts_no_thread_makes_the_program_say_so(primes_wasm):
    host = threads.ThreadsHost(primes_wasm, max_threads=0)
    with pytest.raises(RuntimeError, match="could not start its threads"):
        threads.count_primes(1000, 2, host)


@pytest.mark.parametrize("below, n_threads", [
    (-1, 2), (4 << 30, 2), (threads.MAX_BELOW + 1, 2), ("1000", 2), (1000, 0), (1000, 17),
    (1000, True), (1.5, 2),
])  # fmt: skip
def test_a_count_out_of_range_is_refused_with_the_range(primes_wasm, below, n_threads):
    host = threads.ThreadsHost(primes_wasm)
    with pytest.raises(UsageError, match="whole number from"):
        threads.count_primes(below, n_threads, host)


def test_a_module_with_other_imports_is_refused():
    import wasmtime

    wat = '(module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) ' \
          '(result i32))) (memory (import "env" "memory") 1 1 shared))'
    with pytest.raises(UsageError, match="fd_write"):
        threads.ThreadsHost(bytes(wasmtime.wat2wasm(wat)))


def test_a_host_serves_count_after_count_past_its_limit_of_threads(primes_wasm):
    host = threads.ThreadsHost(primes_wasm, max_threads=3)
    for _ in range(3):
        assert threads.count_primes(10_000, 4, host).primes == _primes_below(10_000)
    assert host.threads_started == 9


def test_a_refusal_speaks_french(primes_wasm):
    messages.set_language("fr")
    with pytest.raises(UsageError, match="nombre entier de 1 à 16"):
        threads.count_primes(1000, 0, threads.ThreadsHost(primes_wasm))
    with pytest.raises(RuntimeError, match="a lancé 0 thread sur 1 demandé"):
        threads.count_primes(1000, 2, threads.ThreadsHost(primes_wasm, max_threads=0))


@pytest.mark.parametrize("repeat", [0, threads.MAX_REPEAT + 1, 10**9, 2.0])
def test_a_speed_up_asked_too_many_times_is_refused(repeat):
    with pytest.raises(UsageError, match="repeat must be a whole number from 1 to 20"):
        threads.measure_speedup(1000, 2, repeat)
