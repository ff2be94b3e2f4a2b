"""random_get: random bytes, from the OS or from a seeded generator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._memory import GuestFault
from ._spec import wasi

if TYPE_CHECKING:
    from ._memory import MemView
    from .host import WasiHost


@wasi("random_get", "buf:ptr", "buf_len:u32")
def random_get(h: WasiHost, m: MemView, buf: int, buf_len: int) -> int:
    """Fill ``buf_len`` bytes at ``buf``; ``fault`` (before generating) when out of bounds."""
    if buf < 0 or buf_len < 0 or buf + buf_len > m.mem.size():
        raise GuestFault("random_get buffer out of bounds")
    m.write(buf, h.random_bytes(buf_len))
    return 0
