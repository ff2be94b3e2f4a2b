"""What the WASI bodies work on: the capability core both ABIs share, and preview 1's descriptors.

:class:`WasiCore` is one run's capabilities under a :class:`~wasikernel.sandbox.Sandbox`: the
preopened FileSystems, the output (bounded by the output limit), stdin, clocks, randomness, the
time limit and the interrupt, and the trace. The preview 1 face builds on it with
:class:`HostState` (the fd table the preview 1 bodies take as their first parameter; linking
and the recording wrapper are :class:`~wasikernel.wasi.host.WasiHost`'s), the preview 2 face
with :class:`~wasikernel.wasi.p2.ComponentHost` (resources instead of fds). Neither knows the
other; the bodies never import a host.
"""

from __future__ import annotations

import os
import posixpath
import threading
import time
from collections.abc import Callable
from typing import Any

from .. import messages
from .._records import record
from ..sandbox import Sandbox
from ..trace import Trace, TraceEvent
from ._spec import LimitReached
from .errno import ALL_RIGHTS, FT_DIR, FT_UNKNOWN, Errno, R
from .fs import FileSystem, FsError, HostFileSystem, MemoryFileSystem, Refusal, SpaceBudget

__all__ = ["DIR_INHERITING", "DIR_RIGHTS", "FdEntry", "HostState", "WasiCore"]

#: ``on_output(stream, chunk)``, told of each write to stdout/stderr (or None)
OutputHook = Callable[[str, bytes], None] | None
#: an Event whose setting stops the run (or None)
Cancel = threading.Event | None

#: rights wasmtime reports for a directory and what files under it inherit
DIR_RIGHTS = 0x07B7FE00
DIR_INHERITING = 0x0FF7FFFF


@record(slots=True, eq=False)
class FdEntry:
    """One open descriptor of the guest.

    ``kind`` is ``"stdin"``, ``"stdout"``, ``"stderr"``, ``"dir"`` or ``"file"``; ``handle`` the
    FileSystem's handle; ``guest_path`` the path the guest knows it by (for messages);
    ``preopen`` the name reported by ``fd_prestat_dir_name`` (``None`` if not a preopen).
    """

    kind: str
    fs: FileSystem | None = None
    handle: Any = None
    guest_path: str = ""
    preopen: str | None = None
    rights: int = ALL_RIGHTS
    inheriting: int = 0
    flags: int = 0
    filetype: int = FT_UNKNOWN


class WasiCore:
    """The capabilities of one run of a guest under ``sandbox``, whatever its ABI.

    ``on_output(stream, chunk)`` sees each write to stdout/stderr; ``cancel`` (an Event) and
    ``deadline`` (a ``time.monotonic()`` value) stop long host work (a poll, a large random
    read, a long path walk) with :class:`LimitReached`. ``decode(record, seq)`` turns the face's
    compact trace records into events (see :class:`~wasikernel.trace.Trace`).
    Raises FsError (from the FileSystem) when a preopened host folder does not exist.
    """

    def __init__(
        self,
        sandbox: Sandbox | None,
        on_output: OutputHook,
        cancel: Cancel,
        decode: Callable[[Any, int], TraceEvent] | None = None,
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
        self.output_budget = limits.max_output_bytes
        self.stdin = bytes(sandbox.stdin or b"")
        self.stdin_pos = 0
        self.rng = None
        if sandbox.random_seed is not None:  # random only for a seeded run
            import random

            self.rng = random.Random(sandbox.random_seed)
        self.start_ns = time.perf_counter_ns()
        self.filesystems: list[tuple[str, FileSystem]] = []
        space = SpaceBudget(limits.max_tree_mib)  # shared by the in-memory trees
        for pre in sandbox.preopens:
            if pre.host_path is not None:
                fs: FileSystem = HostFileSystem(pre.host_path, read_only=pre.read_only)
            else:
                fs = MemoryFileSystem(pre.tree, read_only=pre.read_only, budget=space)
            self.filesystems.append((pre.guest_path, fs))

    def close_filesystems(self) -> None:
        """Release the preopened host folders (the run is over)."""
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
                seq=0, call=call, args={}, results={}, errno=errno,
                denied=capability is not None, capability=capability, reason=reason,
                t_ns=time.perf_counter_ns() - self.start_ns, phase="end",
            )
        )  # fmt: skip

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

    def read_stdin(self, n: int) -> bytes:
        """Return up to ``n`` bytes of the guest's stdin (b"" at its end)."""
        pos = self.stdin_pos
        data = self.stdin[pos : pos + max(0, n)]
        self.stdin_pos = pos + len(data)
        return data

    def check_stop(self) -> None:
        """Raise LimitReached when the run is cancelled or past its deadline."""
        if self.cancel is not None and self.cancel.is_set():
            raise LimitReached(messages.t("limit_cancel"))
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitReached(messages.t("limit_time", seconds=self.sandbox.limits.timeout_s or 0))

    def room_for_a_descriptor(self, held: int) -> None:
        """Raise Refusal (``mfile``) when the guest already holds ``held`` descriptors and may
        hold no more (checked before the path is looked up, as Linux takes the number first)."""
        most = self.sandbox.limits.max_open_files
        if held >= most:
            raise Refusal("descriptors", messages.t("limit_open_files", count=most), Errno.MFILE)

    def refuse_write(self, fs: FileSystem | None, path: str, base: str = "/") -> None:
        """Raise Refusal("write") when ``fs`` is a read-only preopen (``path`` from ``base``)."""
        if fs is not None and fs.read_only:
            shown = path if path.startswith("/") else _join(base, path)
            raise Refusal("write", messages.t("read_only", path=shown))

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


class HostState(WasiCore):
    """The preview 1 state of one run: the core's capabilities plus the guest's descriptors
    (0-2 the standard streams, then one per preopen), and the helpers the bodies share.

    Arguments are those of :class:`WasiCore`. Raises FsError when a preopened host folder does
    not exist.
    """

    def __init__(
        self,
        sandbox: Sandbox | None,
        on_output: OutputHook,
        cancel: Cancel,
        decode: Callable[[Any, int], TraceEvent] | None = None,
    ) -> None:
        super().__init__(sandbox, on_output, cancel, decode)
        self.fds: dict[int, FdEntry] = {
            0: FdEntry("stdin", rights=R["fd_read"], inheriting=R["fd_read"]),
            1: FdEntry("stdout", rights=R["fd_write"], inheriting=R["fd_write"]),
            2: FdEntry("stderr", rights=R["fd_write"], inheriting=R["fd_write"]),
        }
        for guest_path, fs in self.filesystems:
            self.fds[len(self.fds)] = FdEntry(
                "dir", fs, fs.root(), guest_path=guest_path, preopen=guest_path,
                rights=DIR_RIGHTS, inheriting=DIR_INHERITING, filetype=FT_DIR,
            )  # fmt: skip

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
        self.close_filesystems()

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
        self.refuse_write(e.fs, path, e.guest_path)

    def new_fd(self, entry: FdEntry) -> int:
        """Put ``entry`` in the lowest free slot and return its number."""
        fd = 3
        fds = self.fds
        while fd in fds:
            fd += 1
        fds[fd] = entry
        return fd


def _join(base: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(base or "/", path))
