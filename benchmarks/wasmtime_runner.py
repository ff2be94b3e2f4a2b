"""The smallest runner of a WASI command: wasmtime-py with wasmtime's own WASI.

    python benchmarks/wasmtime_runner.py MODULE.wasm [ARGS...]

It is the baseline of ``wasikernel run``'s start-up in ``bench_cli.py``: the same module, run
the same way (``_start``, arguments, inherited stdio), with nothing traced.
"""

from __future__ import annotations

import sys

import wasmtime


def main(argv: list[str]) -> int:
    """Run ``argv[0]``'s ``_start`` with ``argv`` as its arguments; return its exit code."""
    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, argv[0])
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    wasi = wasmtime.WasiConfig()
    wasi.argv = argv
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except wasmtime.ExitTrap as exc:
        return exc.code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
