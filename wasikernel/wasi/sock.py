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
    from ._state import HostState


def _refuse(h: HostState, fd: int) -> int:
    h.entry(fd)
    raise Refusal("network", messages.t("no_network", fd=fd), Errno.NOTSOCK)


@wasi("sock_accept", "fd:fd", "flags:fdflags", "result.fd:fd")
def sock_accept(h: HostState, m: MemView, fd: int, flags: int, out: int) -> int:
    """Accepts a connection on a listening socket the host handed over; preview1 cannot open sockets
    by itself.

    Errors: ``notsock`` (a refusal of the network: no socket is granted), ``badf`` when fd is not
    open."""
    return _refuse(h, fd)


@wasi(
    "sock_recv", "fd:fd", "ri_data:iovecs", "ri_data_len:plen", "ri_flags:riflags",
    "result.ro_datalen:size", "result.ro_flags:roflags",
)  # fmt: skip
def sock_recv(
    h: HostState, m: MemView, fd: int, ri: int, ri_len: int, flags: int, out: int, oflags: int
) -> int:
    """Receives data from a socket into a list of buffers.

    Errors: ``notsock`` (a refusal of the network: no socket is granted), ``badf`` when fd is not
    open."""
    return _refuse(h, fd)


@wasi(
    "sock_send", "fd:fd", "si_data:ciovecs", "si_data_len:plen", "si_flags:siflags",
    "result.so_datalen:size",
)  # fmt: skip
def sock_send(h: HostState, m: MemView, fd: int, si: int, si_len: int, flags: int, out: int) -> int:
    """Sends data from a list of buffers on a socket.

    Errors: ``notsock`` (a refusal of the network: no socket is granted), ``badf`` when fd is not
    open."""
    return _refuse(h, fd)


@wasi("sock_shutdown", "fd:fd", "how:sdflags")
def sock_shutdown(h: HostState, m: MemView, fd: int, how: int) -> int:
    """Shuts down the receiving side, the sending side, or both sides of a socket.

    Errors: ``notsock`` (a refusal of the network: no socket is granted), ``badf`` when fd is not
    open."""
    return _refuse(h, fd)
