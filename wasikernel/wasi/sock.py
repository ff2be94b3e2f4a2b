"""sock_accept, sock_recv, sock_send, sock_shutdown: no socket is ever granted.

Under preview 1 a guest only gets sockets a runtime preopens for it; this host grants none, so
every call answers as wasmtime does on a descriptor that is not a socket (``notsock``), or
``badf`` when the descriptor is not open, and records the refusal of the network capability.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import messages
from ._spec import wasi
from .errno import Errno
from .fs import Refusal

if TYPE_CHECKING:
    from ._memory import MemView
    from .host import WasiHost


def _refuse(h: WasiHost, fd: int) -> int:
    h.entry(fd)
    raise Refusal("network", messages.t("no_network", fd=fd), Errno.NOTSOCK)


@wasi("sock_accept", "fd:fd", "flags:fdflags", "result.fd:fd")
def sock_accept(h: WasiHost, m: MemView, fd: int, flags: int, out: int) -> int:
    """Refuse: no socket is granted."""
    return _refuse(h, fd)


@wasi(
    "sock_recv", "fd:fd", "ri_data:iovecs", "ri_data_len:plen", "ri_flags:riflags",
    "result.ro_datalen:size", "result.ro_flags:roflags",
)  # fmt: skip
def sock_recv(
    h: WasiHost, m: MemView, fd: int, ri: int, ri_len: int, flags: int, out: int, oflags: int
) -> int:
    """Refuse: no socket is granted."""
    return _refuse(h, fd)


@wasi(
    "sock_send", "fd:fd", "si_data:ciovecs", "si_data_len:plen", "si_flags:siflags",
    "result.so_datalen:size",
)  # fmt: skip
def sock_send(h: WasiHost, m: MemView, fd: int, si: int, si_len: int, flags: int, out: int) -> int:
    """Refuse: no socket is granted."""
    return _refuse(h, fd)


@wasi("sock_shutdown", "fd:fd", "how:sdflags")
def sock_shutdown(h: WasiHost, m: MemView, fd: int, how: int) -> int:
    """Refuse: no socket is granted."""
    return _refuse(h, fd)
