"""wasi:io: ``error``, ``poll`` and ``streams``: the byte streams every other interface hands out.

A stream reads from or writes to one end: the guest's stdin or stdout/stderr (the core's
buffers and output limit), or a file at an offset (the FileSystem's handle, read with
``pread`` and written with ``pwrite``, so two streams on one file never share a position).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ... import messages
from ..errno import Errno
from ..fs import MAX_READ, FsError
from ._spec import HostTrap, Resource, StreamClosed, StreamFailed, resource, wit

if TYPE_CHECKING:
    from ._host import ComponentHost

ERROR = "wasi:io/error"
POLL = "wasi:io/poll"
STREAMS = "wasi:io/streams"
#: what ``check-write`` grants a writer at a time (the WIT's own example size)
WRITE_PERMIT = 1 << 20
#: the longest one host wait sleeps before looking at the time limit and the interrupt again
_SLICE_S = 0.05


class StreamErrorObject(Resource):
    """The ``error`` of a failed stream operation: a preview 1 errno underneath."""

    KIND = "error"

    def __init__(self, errno: int) -> None:
        self.errno = errno

    def describe(self) -> dict[str, Any]:
        from ._spec import error_code

        return {"error-code": error_code(self.errno)}


class Pollable(Resource):
    """Ready at once, or once the monotonic clock reaches ``deadline_ns``."""

    KIND = "pollable"

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

    def read(self, h: ComponentHost, n: int) -> bytes:
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


def wait_until(h: ComponentHost, deadline_ns: int) -> None:
    """Sleep until the monotonic clock reaches ``deadline_ns``; a time limit or an interrupt
    ends the wait with LimitReached."""
    while True:
        h.check_stop()
        left = deadline_ns - time.monotonic_ns()
        if left <= 0:
            return
        time.sleep(min(left / 1e9, _SLICE_S))


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


@wit(POLL, "[method]pollable.block")
def pollable_block(h: ComponentHost, p: Pollable) -> None:
    """Wait until the pollable is ready."""
    if p.deadline_ns is not None:
        wait_until(h, p.deadline_ns)


@wit(POLL, "poll", "in")
def poll(h: ComponentHost, pollables: list[Pollable]) -> list[int]:
    """Wait until at least one pollable is ready; return the indices of the ready ones.

    Raises HostTrap for an empty list (it could never return)."""
    if not pollables:
        raise HostTrap(messages.t("p2_poll_empty"))
    ready = [i for i, p in enumerate(pollables) if p.ready()]
    if not ready:
        wait_until(h, min(p.deadline_ns for p in pollables if p.deadline_ns is not None))
        ready = [i for i, p in enumerate(pollables) if p.ready()]
    return ready


# ------------------------------------------------------------------------------- streams


def _in_read(h: ComponentHost, s: InputStream, length: int) -> bytes:
    """Read up to ``length`` bytes (at most MAX_READ); ``closed`` at the end."""
    return s.read(h, length)


def _in_skip(h: ComponentHost, s: InputStream, length: int) -> int:
    """Skip up to ``length`` bytes; return how many; ``closed`` at the end."""
    return len(s.read(h, length))


def _subscribe(h: ComponentHost, s: Any) -> Any:
    """Return a pollable, ready at once (stdin, files and stdout never make a guest wait)."""
    return h.own(Pollable())


for _name in ("read", "blocking-read"):
    wit(STREAMS, f"[method]input-stream.{_name}", "len", err="stream")(_in_read)
for _name in ("skip", "blocking-skip"):
    wit(STREAMS, f"[method]input-stream.{_name}", "len", err="stream")(_in_skip)
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
    data = src.read(h, min(length, WRITE_PERMIT))
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
