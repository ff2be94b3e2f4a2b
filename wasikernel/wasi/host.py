"""The WASI host: the fd table, the sandbox's capabilities, and the tracing wrapper.

The bodies live in the group files (``args.py``, ``clock.py``, ``fd.py`` ...); each is a plain
function ``body(host, mem, *params) -> errno`` registered with its spec. This file wraps each
body once: the wrapper times the call, turns any failure into an errno (a bad pointer is
``fault``, a refusal of the sandbox is ``perm`` with its capability and reason, an unexpected
Python exception is ``io``) and appends one compact record to the trace, decoded into a
:class:`~wasikernel.trace.TraceEvent` only when someone reads it.
"""

from __future__ import annotations

import functools
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from .. import messages
from ..sandbox import Sandbox
from ..trace import Trace, TraceEvent
from . import args as _args  # noqa: F401  (registers the bodies)
from . import clock as _clock  # noqa: F401
from . import fd as _fd  # noqa: F401
from . import path as _path  # noqa: F401
from . import poll as _poll  # noqa: F401
from . import proc as _proc  # noqa: F401
from . import random as _random  # noqa: F401
from . import sock as _sock  # noqa: F401
from ._decode import decode
from ._memory import ACCESS_HEAD, GuestFault, GuestMemory, MemView
from ._spec import REGISTRY, SPEC_INDEX, FuncSpec, HostImport, LimitReached, ProcExit
from .errno import ALL_RIGHTS, FT_DIR, FT_FILE, FT_UNKNOWN, Errno, R
from .fs import FileSystem, FsError, HostFileSystem, MemoryFileSystem, Refusal, SpaceBudget

__all__ = ["WasiHost", "FdEntry"]

_FAULT = int(Errno.FAULT)
_IO = int(Errno.IO)
_ILSEQ = int(Errno.ILSEQ)
#: what one decoded event takes in memory, and each memory access it lists (an estimate that
#: bounds the trace with ``Limits.max_trace_bytes``)
_EVENT_BYTES = 900
_ACCESS_BYTES = 120

#: rights wasmtime reports for a directory and what files under it inherit
DIR_RIGHTS = 0x07B7FE00
DIR_INHERITING = 0x0FF7FFFF
FILE_RIGHTS = DIR_INHERITING & ~(DIR_RIGHTS & ~(R["fd_readdir"] | R["fd_filestat_get"]))


class FdEntry:
    """One open descriptor of the guest.

    ``kind`` is ``"stdin"``, ``"stdout"``, ``"stderr"``, ``"dir"`` or ``"file"``; ``handle`` the
    FileSystem's handle; ``guest_path`` the path the guest knows it by (for messages);
    ``preopen`` the name reported by ``fd_prestat_dir_name`` (``None`` if not a preopen).
    """

    __slots__ = (
        "kind", "fs", "handle", "guest_path", "preopen", "rights", "inheriting", "flags",
        "filetype",
    )  # fmt: skip

    def __init__(
        self,
        kind: str,
        fs: FileSystem | None = None,
        handle: Any = None,
        guest_path: str = "",
        preopen: str | None = None,
        rights: int = ALL_RIGHTS,
        inheriting: int = 0,
        flags: int = 0,
        filetype: int = FT_UNKNOWN,
    ) -> None:
        self.kind = kind
        self.fs = fs
        self.handle = handle
        self.guest_path = guest_path
        self.preopen = preopen
        self.rights = rights
        self.inheriting = inheriting
        self.flags = flags
        self.filetype = filetype


class WasiHost:
    """A WASI preview 1 host over ``sandbox``; see :mod:`wasikernel.wasi` for the whole API.

    ``on_output(stream, chunk)`` sees each write to stdout/stderr; ``cancel`` (an Event) and
    ``deadline`` (a ``time.monotonic()`` value) stop long host waits (``poll_oneoff``) with
    :class:`LimitReached`. ``trace=False`` links the bodies without the recording wrapper.
    Raises FsError (from the FileSystem) when a preopened host folder does not exist.
    """

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        *,
        on_output: Callable[[str, bytes], None] | None = None,
        cancel: threading.Event | None = None,
        trace: bool = True,
    ) -> None:
        self.sandbox = sandbox = sandbox if sandbox is not None else Sandbox()
        self.on_output = on_output
        self.cancel = cancel
        self.deadline: float | None = None
        self.stdout = bytearray()
        self.stderr = bytearray()
        limits = sandbox.limits
        self.trace = Trace(
            decode=decode, max_events=limits.max_trace_events, max_bytes=limits.max_trace_bytes
        )
        self.tracing = trace
        self.output_budget = sandbox.limits.max_output_bytes
        self.stdin = bytes(sandbox.stdin or b"")
        self.stdin_pos = 0
        self.rng = random.Random(sandbox.random_seed) if sandbox.random_seed is not None else None
        self.start_ns = time.perf_counter_ns()
        self.denial: tuple[str, str] | None = None
        self.filesystems: list[tuple[str, FileSystem]] = []
        self.fds: dict[int, FdEntry] = {
            0: FdEntry("stdin", rights=R["fd_read"], inheriting=R["fd_read"]),
            1: FdEntry("stdout", rights=R["fd_write"], inheriting=R["fd_write"]),
            2: FdEntry("stderr", rights=R["fd_write"], inheriting=R["fd_write"]),
        }
        space = SpaceBudget(sandbox.limits.max_tree_mib)  # shared by the in-memory trees
        for pre in sandbox.preopens:
            if pre.host_path is not None:
                fs: FileSystem = HostFileSystem(pre.host_path, read_only=pre.read_only)
            else:
                fs = MemoryFileSystem(pre.tree, read_only=pre.read_only, budget=space)
            self.filesystems.append((pre.guest_path, fs))
            self.fds[len(self.fds)] = FdEntry(
                "dir", fs, fs.root(), guest_path=pre.guest_path, preopen=pre.guest_path,
                rights=DIR_RIGHTS, inheriting=DIR_INHERITING, filetype=FT_DIR,
            )  # fmt: skip
        self._imports = {
            key: HostImport(
                spec.module,
                spec.name,
                spec.wasm_params,
                spec.wasm_results,
                self._traced(spec) if trace else self._plain(spec),
                spec,
            )  # fmt: skip
            for key, spec in REGISTRY.items()
        }

    # ---------------------------------------------------------------------------- linking

    @property
    def imports(self) -> list[HostImport]:
        """Every function the host provides (46 of WASI preview 1, plus libc_path_refused)."""
        return list(self._imports.values())

    def lookup(self, module: str, name: str) -> HostImport | None:
        """Return the import ``module.name``, or None when the host does not provide it."""
        return self._imports.get((module, name))

    def bind(self, memory: GuestMemory) -> dict[str, Callable[..., int | None]]:
        """Return ``name -> callable(*ints)`` with ``memory`` bound (keys ``module.name``)."""
        return {
            f"{imp.module}.{imp.name}": functools.partial(imp.call, memory)
            for imp in self._imports.values()
        }

    def refuse_import(self, module: str, name: str, kind: str = "func") -> str:
        """Record an import the host does not provide; return the link-error message."""
        network = name.startswith("sock_") or "socket" in module or "sock" in name
        reason = messages.t("import_missing", module=module, name=name, kind=kind)
        self.trace.add(
            TraceEvent(
                seq=0,
                call=name,
                args={"module": module, "kind": kind},
                results={},
                errno="nosys",
                denied=True,
                capability="network" if network else "import",
                reason=reason,
                phase="link",
            )
        )
        return f"link error: unknown import: `{module}::{name}` has not been defined"

    # ---------------------------------------------------------------------------- closing

    def close(self) -> None:
        """Close every open file and directory of the guest (the run is over)."""
        for entry in self.fds.values():
            try:
                if entry.kind == "file":
                    entry.handle.close()
                elif entry.kind == "dir" and entry.preopen is None:
                    entry.fs.close_dir(entry.handle)
            except Exception:
                pass
        self.fds.clear()
        for _, fs in self.filesystems:
            if isinstance(fs, HostFileSystem):
                fs.close()

    def memory_trees(self) -> dict[str, dict]:
        """Return the contents of each in-memory preopen after the run, by guest path."""
        return {g: fs.to_tree() for g, fs in self.filesystems if isinstance(fs, MemoryFileSystem)}

    def note(self, call: str, errno: str, reason: str, capability: str | None = None) -> None:
        """Add a closing note event (a limit, a trap) to the trace."""
        self.trace.add(
            TraceEvent(
                seq=0,
                call=call,
                args={},
                results={},
                errno=errno,
                denied=capability is not None,
                capability=capability,
                reason=reason,
                t_ns=time.perf_counter_ns() - self.start_ns,
                phase="end",
            )
        )

    # ---------------------------------------------------------------------------- output

    def emit(self, stream: str, data: bytes) -> int:
        """Write guest output; raise LimitReached past the output limit."""
        n = len(data)
        budget = self.output_budget
        over = n > budget
        if over:
            data = data[:budget]
            n = budget
        self.output_budget = budget - n
        (self.stdout if stream == "stdout" else self.stderr).extend(data)
        if self.on_output is not None and n:
            try:
                self.on_output(stream, data)
            except Exception:
                pass
        if over:
            raise LimitReached(
                messages.t("limit_output", bytes=self.sandbox.limits.max_output_bytes)
            )
        return n

    def check_stop(self) -> None:
        """Raise LimitReached when the run is cancelled or past its deadline."""
        if self.cancel is not None and self.cancel.is_set():
            raise LimitReached(messages.t("limit_cancel"))
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitReached(messages.t("limit_time", seconds=self.sandbox.limits.timeout_s or 0))

    # ---------------------------------------------------------------------------- helpers

    def entry(self, fd: int) -> FdEntry:
        """Return the entry of ``fd``; raise FsError(badf) when it is not open."""
        e = self.fds.get(fd)
        if e is None:
            raise FsError(Errno.BADF)
        return e

    def dir_entry(self, fd: int) -> FdEntry:
        """Return the directory entry of ``fd``; raise FsError(badf/notdir)."""
        e = self.fds.get(fd)
        if e is None:
            raise FsError(Errno.BADF)
        if e.kind != "dir":
            # a stdio stream is no directory at all (EBADF, as wasmtime); a file is ENOTDIR
            raise FsError(Errno.BADF if e.kind in ("stdin", "stdout", "stderr") else Errno.NOTDIR)
        return e

    def writable(self, e: FdEntry, path: str) -> None:
        """Raise Refusal("write") when ``e`` lives in a read-only preopen."""
        if e.fs is not None and e.fs.read_only:
            shown = path if path.startswith("/") else _join(e.guest_path, path)
            raise Refusal("write", messages.t("read_only", path=shown))

    def new_fd(self, entry: FdEntry) -> int:
        """Put ``entry`` in the lowest free slot and return its number."""
        fd = 3
        fds = self.fds
        while fd in fds:
            fd += 1
        fds[fd] = entry
        return fd

    def now_ns(self, clock: int) -> int:
        """Return the time of WASI clock ``clock`` (frozen when the sandbox says so)."""
        frozen = self.sandbox.clock_ns
        if clock == 0:
            return frozen if frozen is not None else time.time_ns()
        if clock == 1:
            return frozen if frozen is not None else time.monotonic_ns()
        raise FsError(Errno.BADF if clock in (2, 3) else Errno.INVAL)

    def random_bytes(self, n: int) -> bytes:
        """Return ``n`` random bytes (seeded when the sandbox says so)."""
        if self.rng is not None:
            return self.rng.randbytes(n)
        return os.urandom(n)

    # ---------------------------------------------------------------------------- wrappers

    def _plain(self, spec: FuncSpec) -> Callable[..., int | None]:
        body = spec.body
        host = self
        returns = spec.returns_errno

        view = MemView(None)  # type: ignore[arg-type]

        def call(mem: GuestMemory, *args: int) -> int | None:
            view.attach(mem, None)
            try:
                errno = body(host, view, *args)
            except (ProcExit, LimitReached):
                raise
            except GuestFault:
                errno = _FAULT
            except FsError as exc:
                errno = exc.errno
            except UnicodeError:
                errno = _ILSEQ
            except Exception:
                errno = _IO
            return errno if returns else None

        return call

    def _traced(self, spec: FuncSpec) -> Callable[..., int | None]:
        body = spec.body
        index = SPEC_INDEX[(spec.module, spec.name)]
        host = self
        record = self.trace.record
        start = self.start_ns
        perf = time.perf_counter_ns
        returns = spec.returns_errno
        view = MemView(None)  # type: ignore[arg-type]

        def keep(args: tuple, errno: int, t0: int, log: bytearray, extra: Any) -> None:
            kept = ACCESS_HEAD - view.left if view.tail is None else view.close_log()
            raw = bytes(log)
            size = _EVENT_BYTES + _ACCESS_BYTES * kept + len(raw)
            record((index, args, errno, t0 - start, perf() - t0, raw, extra), size)

        def call(mem: GuestMemory, *args: int) -> int | None:
            log = bytearray()
            view.attach(mem, log)
            host.denial = None
            extra: Any = None
            t0 = perf()
            try:
                errno = body(host, view, *args)
                extra = host.denial
            except GuestFault:
                errno = _FAULT
            except Refusal as exc:
                errno = exc.errno
                extra = (exc.capability, exc.reason)
            except FsError as exc:
                errno = exc.errno
            except UnicodeError:
                errno = _ILSEQ
            except ProcExit as exc:
                keep(args, 0, t0, log, ("exit", exc.code))
                raise
            except LimitReached as exc:
                keep(args, 0, t0, log, ("limit", exc.message))
                raise
            except Exception as exc:  # a bug of ours must not crash the guest's run
                errno = _IO
                extra = ("note", messages.t("host_bug", error=f"{type(exc).__name__}: {exc}"))
            keep(args, errno, t0, log, extra)
            return errno if returns else None

        return call


def _join(base: str, path: str) -> str:
    import posixpath

    return posixpath.normpath(posixpath.join(base or "/", path))


FILETYPE_OF_KIND = {"dir": FT_DIR, "file": FT_FILE}
