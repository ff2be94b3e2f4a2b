"""The ``pulley`` engine: wasmtime's Pulley interpreter, with our tracing WASI host.

Pulley is the portable bytecode interpreter inside wasmtime: the module is compiled by
Cranelift to Pulley bytecode instead of machine code (``Config.target = "pulley64"``) and the
interpreter runs it. Everything else (our WASI host, limits, cancel, traps, live modules) is
the wasmtime engine's, so the trace is the real one.
"""

from __future__ import annotations

from .wasmtime import WasmtimeEngine

__all__ = ["PULLEY", "SETTINGS"]

#: the wasmtime configuration that selects Pulley
SETTINGS = {"target": "pulley64"}

#: the engine ``pulley``: wasmtime configured for its interpreter
PULLEY = WasmtimeEngine(
    "pulley", SETTINGS, title="wasmtime's Pulley interpreter", install="pip install 'wasmtime>=30'"
)
