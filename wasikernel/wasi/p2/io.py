"""wasi:io: ``error``, ``poll`` and ``streams``: the byte streams every other interface hands out.

A stream reads from or writes to one end: the guest's stdin or stdout/stderr (the core's
buffers and output limit), or a file at an offset (the FileSystem's handle, read with
``pread`` and written with ``pwrite``, so two streams on one file never share a position).
"""

from __future__ import annotations

import select
import time
from typing import TYPE_CHECKING, Any

from ... import messages
from ..errno import Errno
from ..fs import MAX_READ, FsError
from ._spec import (
    HostTrap,
    Resource,
    StreamClosed,
    StreamErrorObject,
    StreamFailed,
    resource,
    wit,
)

if TYPE_CHECKING:
    from ._host import ComponentHost

ERROR = "wasi:io/error"
POLL = "wasi:io/poll"
STREAMS = "wasi:io/streams"
#: what ``check-write`` grants a writer at a time (the WIT's own example size)
WRITE_PERMIT = 1 << 20
#: the longest one host wait sleeps before looking at the time limit and the interrupt again
_SLICE_S = 0.05


class Pollable(Resource):
    """Ready at once, or once the monotonic clock reaches ``deadline_ns``."""

    KIND = "pollable"
    #: the host socket whose readiness this pollable waits for, and ``"r"`` or ``"w"`` (a
    #: socket's pollable; None for a clock's), so a wait wakes when it is ready, not later
    waits_on: tuple[Any, str] | None = None

    def __init__(self, deadline_ns: int | None = None) -> None:
        self.deadline_ns = deadline_ns

    def ready(self) -> bool:
        return self.deadline_ns is None or time.monotonic_ns() >= self.deadline_ns

    def describe(self) -> dict[str, Any]:
        return {} if self.deadline_ns is None else {"deadline_ns": self.deadline_ns}


class InputStream(Resource):
    """Bytes from stdin (``file`` None) or from a file at ``offset``."""

    KIND = "input-stream"

    def __init__(self, of: str, file: Any = None, offset: int = 0) -> None:
        self.of = of
        self.file = file
        self.offset = offset

    def describe(self) -> dict[str, Any]:
        return {"of": self.of}

    def pollable(self) -> Pollable:
        """Ready once a read would not wait (at once: stdin and files never make a guest wait)."""
        return Pollable()

    def read(self, h: ComponentHost, n: int, blocking: bool = False) -> bytes:
        n = min(n, MAX_READ)  # a 2**64 length allocates nothing
        if self.file is None:
            data = h.read_stdin(n)
        else:
            try:
                data = self.file.pread(n, self.offset)
            except FsError as exc:
                raise StreamFailed(exc.errno) from exc
            self.offset += len(data)
        if not data and n:
            raise StreamClosed
        return data


class OutputStream(Resource):
    """Bytes to ``stdout``/``stderr`` (``file`` None) or to a file at ``offset`` (or its end)."""

    KIND = "output-stream"

    def __init__(self, of: str, file: Any = None, offset: int = 0, append: bool = False) -> None:
        self.of = of
        self.file = file
        self.offset = offset
        self.append = append

    def describe(self) -> dict[str, Any]:
        return {"of": self.of}

    def pollable(self) -> Pollable:
        """Ready once a write would not wait (at once for stdout, stderr and files)."""
        return Pollable()

    def write(self, h: ComponentHost, data: bytes) -> None:
        if self.file is None:
            h.emit(self.of, data)
            return
        try:
            at = self.file.stat().size if self.append else self.offset
            written = self.file.pwrite(data, at)
        except FsError as exc:
            raise StreamFailed(exc.errno) from exc
        self.offset = at + written


resource(ERROR, "error", StreamErrorObject)
resource(POLL, "pollable", Pollable)
resource(STREAMS, "input-stream", InputStream)
resource(STREAMS, "output-stream", OutputStream)


# ------------------------------------------------------------------------------- error


@wit(ERROR, "[method]error.to-debug-string")
def error_to_debug_string(h: ComponentHost, err: StreamErrorObject) -> str:
    """Say what failed, in words (the errno's WIT name)."""
    from ._spec import error_code

    return error_code(err.errno)


# ------------------------------------------------------------------------------- poll


@wit(POLL, "[method]pollable.ready")
def pollable_ready(h: ComponentHost, p: Pollable) -> bool:
    """Whether the pollable is ready now."""
    return p.ready()


def wait_ready(h: ComponentHost, pollables: list[Pollable]) -> None:
    """Wait until one of ``pollables`` is ready; the time limit and the interrupt end it.

    The wait is in slices of at most ``_SLICE_S`` (so a stop is seen); within a slice the
    sockets the pollables wait on are selected, so a datagram or a connection that arrives
    wakes the guest at once."""
    deadlines = [p.deadline_ns for p in pollables if p.deadline_ns is not None]
    earliest = min(deadlines) if deadlines else None
    sockets = [p.waits_on for p in pollables if p.waits_on is not None]
    readers = [sock for sock, mode in sockets if mode == "r"]
    writers = [sock for sock, mode in sockets if mode == "w"]
    while not any(p.ready() for p in pollables):
        h.check_stop()
        wait = _SLICE_S
        if earliest is not None:
            wait = max(0.0, min(wait, (earliest - time.monotonic_ns()) / 1e9))
        if sockets:
            select.select(readers, writers, [], wait)
        else:
            time.sleep(wait)


@wit(POLL, "[method]pollable.block")
def pollable_block(h: ComponentHost, p: Pollable) -> None:
    """Wait until the pollable is ready."""
    wait_ready(h, [p])


@wit(POLL, "poll", "in")
def poll(h: ComponentHost, pollables: list[Pollable]) -> list[int]:
    """Wait until at least one pollable is ready; return the indices of the ready ones.

    Raises HostTrap for an empty list (it could never return)."""
    if not pollables:
        raise HostTrap(messages.t("p2_poll_empty"))
    wait_ready(h, pollables)
    return [i for i, p in enumerate(pollables) if p.ready()]


# ------------------------------------------------------------------------------- streams


def _in_read(h: ComponentHost, s: InputStream, length: int) -> bytes:
    """Read up to ``length`` bytes (at most MAX_READ), maybe none yet; ``closed`` at the end."""
    return s.read(h, length)


def _in_blocking_read(h: ComponentHost, s: InputStream, length: int) -> bytes:
    """Read at least one of up to ``length`` bytes, waiting for them; ``closed`` at the end."""
    return s.read(h, length, blocking=True)


def _in_skip(h: ComponentHost, s: InputStream, length: int) -> int:
    """Skip up to ``length`` bytes; return how many; ``closed`` at the end."""
    return len(s.read(h, length))


def _in_blocking_skip(h: ComponentHost, s: InputStream, length: int) -> int:
    """Skip up to ``length`` bytes, waiting for at least one; ``closed`` at the end."""
    return len(s.read(h, length, blocking=True))


def _subscribe(h: ComponentHost, s: Any) -> Any:
    """Return a pollable, ready once the stream would not make the guest wait."""
    return h.own(s.pollable())


wit(STREAMS, "[method]input-stream.read", "len", err="stream")(_in_read)
wit(STREAMS, "[method]input-stream.blocking-read", "len", err="stream")(_in_blocking_read)
wit(STREAMS, "[method]input-stream.skip", "len", err="stream")(_in_skip)
wit(STREAMS, "[method]input-stream.blocking-skip", "len", err="stream")(_in_blocking_skip)
wit(STREAMS, "[method]input-stream.subscribe")(_subscribe)


@wit(STREAMS, "[method]output-stream.check-write", err="stream")
def check_write(h: ComponentHost, s: OutputStream) -> int:
    """How many bytes the next write may take."""
    return WRITE_PERMIT


def _out_write(h: ComponentHost, s: OutputStream, contents: bytes) -> None:
    """Write ``contents`` (stdout and stderr count against the output limit)."""
    s.write(h, contents)


def _out_flush(h: ComponentHost, s: OutputStream) -> None:
    """Nothing is buffered: a flush succeeds at once."""


def _out_zeroes(h: ComponentHost, s: OutputStream, length: int) -> None:
    """Write ``length`` zero bytes (at most one write permit: ``invalid`` past it)."""
    if length > WRITE_PERMIT:
        raise StreamFailed(Errno.INVAL)
    s.write(h, bytes(length))


def _out_splice(h: ComponentHost, s: OutputStream, src: InputStream, length: int) -> int:
    """Copy up to ``length`` bytes from ``src``; return how many."""
    data = src.read(h, min(length, WRITE_PERMIT), blocking=True)
    s.write(h, data)
    return len(data)


for _name in ("write", "blocking-write-and-flush"):
    wit(STREAMS, f"[method]output-stream.{_name}", "contents", err="stream", tagged=True)(
        _out_write
    )
for _name in ("flush", "blocking-flush"):
    wit(STREAMS, f"[method]output-stream.{_name}", err="stream", tagged=True)(_out_flush)
wit(STREAMS, "[method]output-stream.subscribe")(_subscribe)
for _name in ("write-zeroes", "blocking-write-zeroes-and-flush"):
    wit(STREAMS, f"[method]output-stream.{_name}", "len", err="stream", tagged=True)(_out_zeroes)
for _name in ("splice", "blocking-splice"):
    wit(STREAMS, f"[method]output-stream.{_name}", "src len", err="stream")(_out_splice)
