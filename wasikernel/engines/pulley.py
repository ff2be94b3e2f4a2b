"""The ``pulley`` engine: wasmtime's Pulley interpreter, with our tracing WASI host.

Pulley is the portable bytecode interpreter inside wasmtime: the module is compiled by
Cranelift to Pulley bytecode instead of machine code (``Config.target = "pulley64"``) and the
interpreter runs it. Everything else (our WASI host, limits, cancel, traps, live modules) is
the wasmtime engine's, so the trace is the real one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from ..result import MemoryLayout, RunResult
from ..sandbox import Sandbox
from . import wasmtime as _wasmtime

__all__ = ["run_module", "SETTINGS"]

#: the wasmtime configuration that selects Pulley
SETTINGS = {"target": "pulley64"}


def run_module(
    wasm: bytes,
    sandbox: Sandbox,
    *,
    invoke: str | None = None,
    invoke_args: Sequence[int | float] = (),
    on_output: Callable[[str, bytes], None] | None = None,
    cancel: threading.Event | None = None,
    keep: bool = False,
    layout: MemoryLayout | None = None,
) -> RunResult:
    """Run ``wasm`` on Pulley; the keywords are those of ``wasikernel.engines.run``.

    Raises EngineError when the module is invalid or ``invoke`` names no exported function.
    """
    return _wasmtime.run_module(
        wasm,
        sandbox,
        invoke=invoke,
        invoke_args=invoke_args,
        on_output=on_output,
        cancel=cancel,
        keep=keep,
        layout=layout,
        settings=SETTINGS,
        engine_name="pulley",
    )
