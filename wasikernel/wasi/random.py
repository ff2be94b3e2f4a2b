"""random_get: random bytes, from the OS or from a seeded generator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._memory import GuestFault
from ._spec import wasi

if TYPE_CHECKING:
    from ._memory import MemView
    from ._state import HostState


#: bytes generated and written at a time (a multiple of 4, so a seeded stream is the same
#: whatever the buffer's size): the host never holds a copy of a large buffer
_CHUNK = 1 << 20


@wasi("random_get", "buf:ptr<u8>", "buf_len:size")
def random_get(h: HostState, m: MemView, buf: int, buf_len: int) -> int:
    """Fills a buffer with random bytes; a sandbox with a seed gives the same bytes each run.

    Errors: ``fault`` when the buffer is outside memory (before any byte is made).

    A large buffer is filled a MiB at a time; a cancel or the time limit stops it between two
    (LimitReached)."""
    if buf < 0 or buf_len < 0 or buf + buf_len > m.mem.size():
        raise GuestFault("random_get buffer out of bounds")
    if buf_len <= _CHUNK:
        m.write(buf, h.random_bytes(buf_len))
        return 0
    for start in range(0, buf_len, _CHUNK):
        h.check_stop()
        m.write(buf + start, h.random_bytes(min(_CHUNK, buf_len - start)))
    return 0
