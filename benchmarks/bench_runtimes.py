"""The runtime comparison of lesson 7 (``wasikernel.compare``), as harness rows.

Start-up: wasmtime (Cranelift, speed) running a hello program, against starting the same C
program built natively with gcc -O2. Execution: the comparison's C program under wasmtime at
each Cranelift level, Pulley and wasm3, against gcc -O2. Runtimes this machine lacks are left
out (``python -m wasikernel.compare`` prints every row, with the reasons).
"""

from __future__ import annotations

from harness import Row

from wasikernel import compare


def rows() -> list[Row]:
    out = []
    startup = compare.measure_startup(repeat=5, only=["wasmtime", "pulley"], container=False)
    execution = compare.measure_execution(repeat=3, only=["wasmtime", "pulley", "wasm3"])
    for title, measured in (("start-up", startup), ("execution", execution)):
        for row in measured[1:]:
            if row.available and row.seconds is not None and row.baseline:
                out.append(
                    Row(
                        f"{title}: {row.runtime}",
                        row.seconds,
                        "s",
                        row.baseline_name,
                        row.baseline,
                        note=row.note,
                    )
                )
    return out
