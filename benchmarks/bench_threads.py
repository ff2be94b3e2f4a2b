"""wasi-threads, measured: lesson 8's C program counting the primes below 3,000,000 on two wasm
threads (``wasikernel.threads``: wasmtime's library, one store per thread, one shared memory)
against the same program on one thread, alternately in the same run.

A ratio near 0.5 means both cores worked; on a machine others keep busy it is higher, and the
note gives the cores the run kept busy (CPU time over wall time)."""

from __future__ import annotations

from harness import Row

from wasikernel import threads


def rows() -> list[Row]:
    measured = threads.measure_speedup(3_000_000, threads=2, repeat=5)
    return [
        Row(
            "threads: 2 wasm threads (wasi-threads), primes below 3,000,000",
            measured.many.wall_s,
            "s",
            "the same program on 1 thread",
            measured.one.wall_s,
            target="<= 0.6x",
            note=(f"speed-up {measured.ratio:.2f}x; cores kept busy: "
                  f"{measured.many.cores_used:.2f} with 2 threads, "
                  f"{measured.one.cores_used:.2f} with 1"),
        )
    ]
