"""The runtime comparison of lesson 7 (``wasikernel.compare``), as harness rows.

Start-up, all in one run against starting the same C program built natively with gcc -O2 as a
process: a container (runc, a busybox root filesystem, the program built static), the whole
process of ``wasikernel run`` and of each runtime with its own WASI (the wasmtime CLI, Node,
pywasm, Wasmer through wasmer-sdk), and wasmtime, Pulley and wasm3 in this process. Execution:
the comparison's C program under wasmtime at each Cranelift level, Pulley and wasm3, against
gcc -O2. Peak memory of a whole run of the hello program and size on disk, of each runtime and
of the container (its image and runc), against the native process measured in the same run.
Runtimes this machine lacks are left out (``python -m wasikernel.compare`` prints every row,
with the reasons).
"""

from __future__ import annotations

from harness import Row

from wasikernel import compare


def rows() -> list[Row]:
    out = []
    startup = compare.measure_startup(
        repeat=5,
        only=["wasmtime", "pulley", "wasm3", "wasmtime-cli", "node", "pywasm", "wasmer-sdk"],
    )
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
    footprint = compare.measure_footprint(
        only=["wasmtime", "wasm3", "wasmtime-cli", "node", "pywasm", "wasmer-sdk"]
    )
    native = footprint[0]
    for row in footprint[1:]:
        for what, value, baseline in (("peak memory", row.peak_bytes, native.peak_bytes),
                                      ("size on disk", row.disk_bytes, native.disk_bytes)):
            if value is not None and baseline:
                out.append(Row(f"{what}: {row.runtime}", value, "B", native.runtime, baseline,
                               note=row.counts if what == "size on disk" else ""))
    return out
