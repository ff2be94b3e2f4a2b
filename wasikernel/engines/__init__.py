"""Engines: adapters that instantiate a module, link the WASI host, run it, and report.

:func:`run` is the one entry point. It picks an adapter from :data:`ENGINES` (engine name ->
module path); each adapter module exposes ``run_module(wasm: bytes, sandbox, **same keywords)``
returning a :class:`~wasikernel.result.RunResult`. Other stages add their adapters to
:data:`ENGINES` (the stepper, pulley, wasm3, node, CLI runtimes) with a one-line edit.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import EngineError
from ..result import MemoryLayout, RunResult
from ..sandbox import Sandbox

__all__ = ["ENGINES", "run", "load_module_bytes"]

#: engine name -> module implementing ``run_module(...)``
ENGINES: dict[str, str] = {
    "wasmtime": "wasikernel.engines.wasmtime",
    "stepper": "wasikernel.engines.stepper",
    "pulley": "wasikernel.engines.pulley",
    "wasm3": "wasikernel.engines.wasm3",
    "node": "wasikernel.engines.node",
    "wasmtime-cli": "wasikernel.engines.cli.wasmtime",
    "wasmedge": "wasikernel.engines.cli.wasmedge",
    "wasmer": "wasikernel.engines.cli.wasmer",
    "iwasm": "wasikernel.engines.cli.iwasm",
}

_WASM_MAGIC = b"\0asm"


def load_module_bytes(module: bytes | str | os.PathLike) -> bytes:
    """Return the wasm bytes of ``module`` (bytes, a path, or WAT text).

    Raises EngineError when the file is missing or is not a wasm module (nor WAT text).
    """
    if isinstance(module, (bytes, bytearray, memoryview)):
        data = bytes(module)
    else:
        text = os.fspath(module)
        if isinstance(module, str) and text.lstrip().startswith("("):
            data = text.encode()
        else:
            path = Path(text)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise EngineError(f"cannot read the module {text}: {exc.strerror}") from exc
    if data.startswith(_WASM_MAGIC):
        return data
    if data.lstrip().startswith(b"("):
        import wasmtime

        try:
            return wasmtime.wat2wasm(data.decode("utf-8", "replace"))
        except Exception as exc:
            raise EngineError(f"the WAT text does not assemble: {exc}") from exc
    raise EngineError(
        "this is not a WebAssembly module (a .wasm file starts with the bytes \\0asm); "
        "compile it first with `wasikernel compile`"
    )


def run(
    module: bytes | str | os.PathLike,
    sandbox: Sandbox | None = None,
    *,
    engine: str = "wasmtime",
    invoke: str | None = None,
    invoke_args: Sequence[int | float] = (),
    on_output: Callable[[str, bytes], None] | None = None,
    cancel: threading.Event | None = None,
    keep: bool = False,
    layout: MemoryLayout | None = None,
) -> RunResult:
    """Run ``module`` (wasm bytes, a path to a ``.wasm`` file, or WAT text) under ``sandbox``.

    Without ``invoke`` the module's ``_start`` runs (a module without ``_start`` is only
    instantiated and handed back live in ``RunResult.module``); with it, the export ``invoke``
    is called with ``invoke_args`` and its values land in ``RunResult.returned``.
    ``on_output(stream, chunk)`` sees stdout/stderr as the guest writes them; setting
    ``cancel`` stops the guest within a second. A trap, an exit, a limit or an import the host
    does not provide is reported in the RunResult, never raised.

    Raises EngineError when ``module`` is not a wasm module or ``engine`` is not known.
    """
    if engine not in ENGINES:
        known = ", ".join(sorted(ENGINES))
        raise EngineError(f"unknown engine {engine!r}; the engines are: {known}")
    wasm = load_module_bytes(module)
    try:
        adapter = importlib.import_module(ENGINES[engine])
    except ImportError as exc:
        raise EngineError(f"the engine {engine!r} cannot be loaded: {exc}") from exc
    return adapter.run_module(
        wasm,
        sandbox if sandbox is not None else Sandbox(),
        invoke=invoke,
        invoke_args=invoke_args,
        on_output=on_output,
        cancel=cancel,
        keep=keep,
        layout=layout,
    )
