"""The tracing WASI host: every function of ``wasi_snapshot_preview1``, written once in Python.

The host never sees an engine's types. An engine (wasmtime, the step-through interpreter, any
other adapter) links it in four steps::

    from wasikernel.wasi import WasiHost, ProcExit, LimitReached

    host = WasiHost(sandbox, on_output=None, cancel=None)   # a Sandbox: preopens, args, env ...

    # 1. Link. ``host.imports`` lists one HostImport per function the host provides:
    #    imp.module   "wasi_snapshot_preview1" (or "wasikernel" for libc_path_refused)
    #    imp.name     "fd_write"
    #    imp.params   ("i32", "i32", "i32", "i32")   wasm value types, in order
    #    imp.results  ("i32",)                        () for proc_exit and libc_path_refused
    #    imp.call     callable(memory: GuestMemory, *ints) -> int | None
    #    ``host.lookup(module, name)`` returns the HostImport or None. For each import of the
    #    module that the host does not provide, call ``host.refuse_import(module, name, kind)``:
    #    it records a ``phase="link"``, ``denied=True`` event and returns the trap message
    #    (``"link error: ..."``) the engine puts in ``RunResult.trap``; the run does not start.
    #
    # 2. Call. From the engine's import thunk: ``imp.call(memory, *ints)``. ``memory`` is any
    #    object with the GuestMemory protocol below. Faster: ``host.bind(memory)`` returns a dict
    #    name -> callable(*ints) with the memory bound once (wasmtime's adapter uses it).
    #    i64 parameters arrive as Python ints (signed or unsigned; the host masks them).
    #    The call returns the errno as an int (0 is success); it never raises for anything the
    #    guest passed: a bad pointer is EFAULT, a huge length is bounded, never allocated, and any
    #    unexpected Python exception becomes EIO with a note in the trace. Two exceptions do
    #    leave a call, on purpose, and the engine must catch them around the guest's run:
    #      ProcExit(code)        proc_exit was called (also proc_raise): end with exit code ``code``
    #      LimitReached(message) a limit of the sandbox was hit (output bytes); end the run with
    #                            ``RunResult.limit = message``
    #
    # 3. Collect. After the run: ``host.stdout`` / ``host.stderr`` (bytes the guest wrote to fd
    #    1 and 2; each chunk is also passed to ``on_output("stdout"|"stderr", chunk)`` as it is
    #    written), ``host.trace`` (a wasikernel.trace.Trace, one event per call, in call order).
    #    ``host.note_limit(message)`` / ``host.note_trap(message)`` add a closing note event.
    #
    # 4. Limits the engine enforces itself: wall time (``sandbox.limits.timeout_s`` and the
    #    ``cancel`` Event), memory pages (``sandbox.limits.max_memory_mib``). The host enforces
    #    output bytes and trace size (past ``max_trace_events`` events or ``max_trace_bytes``
    #    bytes, calls are counted in ``trace.dropped``, not stored), and the work of one call
    #    (at most 1,024 iovecs and 16 MiB per read or write).

GuestMemory protocol (see :class:`GuestMemory`): ``size() -> int`` in bytes,
``read(addr, length) -> bytes`` and ``write(addr, data) -> None``, both raising any exception on
an out-of-bounds access (the host turns it into EFAULT). :class:`BytesMemory` is a plain
``bytearray`` implementation, for tests and for interpreters that keep memory in Python.

``wasikernel.libc_path_refused(path_ptr: i32, path_len: i32) -> ()`` is provided like any other
import (module ``"wasikernel"``): a C module compiled with ``trace_libc=True`` calls it when its
libc refuses a path that no preopen covers; the host records a ``phase="libc"`` denied event.

Tracing is not written in the function bodies: one wrapper records each call from the
function's declared parameter names (see :mod:`wasikernel.wasi._spec`) through
``Trace.record``; out-pointers named ``result.*`` are decoded after a successful call.

The files follow wazero's ``imports/wasi_snapshot_preview1/``: ``args.py`` (args and environ),
``clock.py``, ``fd.py``, ``path.py``, ``poll.py``, ``proc.py``, ``random.py``, ``sock.py`` each
declare their functions beside their bodies (whose docstrings are the reference the kernel's
``?`` shows); ``_table.py`` lists them all once, in witx order, as wazero's ``wasi.go`` does;
``_state.py`` is what the bodies work on (the fd table, output, clocks); ``host.py`` adds
linking and the tracing wrapper. ``fs/`` is the file-system half of the capability core, shared
with any other ABI: the :class:`FileSystem` protocol (``fs/protocol.py``), path resolution
(``fs/resolution.py``), a host folder (``fs/host_folder.py``) and an in-memory tree
(``fs/memory_tree.py``). Imports run one way: the host imports the table, the table the groups,
the groups the state; none imports back.
"""

from __future__ import annotations

from ._memory import BytesMemory, GuestFault, GuestMemory
from ._spec import HostImport, LimitReached, ProcExit
from .errno import ERRNO_NAMES, Errno

__all__ = [
    "BytesMemory",
    "ERRNO_NAMES",
    "Errno",
    "GuestFault",
    "GuestMemory",
    "HostImport",
    "LimitReached",
    "ProcExit",
    "WasiHost",
]


def __getattr__(name: str) -> object:
    # WasiHost is imported lazily so that the light types above load without the whole host.
    if name == "WasiHost":
        from .host import WasiHost

        return WasiHost
    raise AttributeError(name)
