"""The capabilities granted to one run of a module.

A :class:`Sandbox` is plain data: what the WASI host may let the guest reach. The host reads it;
it never grows capabilities by itself. Anything not granted here is refused, and the refusal is
recorded in the trace with the capability that was missing.
"""

from __future__ import annotations

from typing import Union

from ._records import field, record

__all__ = ["Preopen", "Limits", "Sandbox", "MemoryTree"]

#: An in-memory directory tree: a name maps to file contents (bytes) or to a sub-tree.
MemoryTree = dict[str, Union[bytes, "MemoryTree"]]


@record
class Preopen:
    """One directory granted to the guest, seen by it as ``guest_path``.

    ``host_path`` is a folder on the host; when it is ``None`` the directory lives in memory and
    starts as ``tree``. ``read_only`` refuses every call that would change it.
    """

    guest_path: str
    host_path: str | None = None
    read_only: bool = False
    tree: MemoryTree | None = None


@record
class Limits:
    """Bounds on one run; hitting one ends the run with a clear message, never a hung process."""

    timeout_s: float | None = 10.0
    max_memory_mib: int = 256
    max_output_bytes: int = 4 * 1024 * 1024
    #: bytes the kept trace may take once decoded (an estimate per event); past it, or past
    #: ``max_trace_events``, calls are counted in ``Trace.dropped``, not recorded
    max_trace_bytes: int = 256 * 1024 * 1024
    max_trace_events: int = 200_000
    #: bytes all in-memory trees of a run may hold together (file contents, plus a small cost
    #: per entry), in MiB; past it a write is refused with ``nospc``, as a full disk
    max_tree_mib: int = 64
    #: descriptors a guest may hold at once, stdio and preopens included (Linux's usual soft
    #: RLIMIT_NOFILE); past it ``path_open`` is refused with ``mfile``
    max_open_files: int = 1024


@record
class Sandbox:
    """Everything a run is allowed: directories, args, env, stdin, clock, randomness, limits.

    ``clock_ns`` freezes the realtime and monotonic clocks at that value when set (reproducible
    runs); ``random_seed`` makes ``random_get`` deterministic when set. The network is never
    granted under preview1: ``sock_*`` calls fail as they do under wasmtime. Under preview 2
    (components), ``network`` lists the ``(ip, port)`` addresses a socket (TCP or UDP) may
    connect, send or bind to, exactly (``--allow-net HOST:PORT``), and ``dns`` grants name lookups
    (``--allow-dns``); anything else is refused.
    """

    preopens: list[Preopen] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes = b""
    clock_ns: int | None = None
    random_seed: int | None = None
    limits: Limits = field(default_factory=Limits)
    program_name: str = "main.wasm"
    network: list[tuple[str, int]] = field(default_factory=list)
    dns: bool = False
