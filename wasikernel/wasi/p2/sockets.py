"""wasi:sockets: the network is a capability, granted one address at a time.

A TCP socket may connect or bind only to an address the sandbox lists (``--allow-net
HOST:PORT``, exactly that IP and port; a socket accepted on a granted listening address may talk
to its peer), and names are looked up only with ``--allow-dns``. Anything else is refused
(``access-denied``) with the capability ``network`` and a sentence naming the address and the
option. UDP is not provided (``not-supported``). Sockets are non-blocking underneath; the
``blocking-*`` calls and ``poll`` wait in slices, so a time limit or an interrupt still ends
the run.
"""

from __future__ import annotations

import errno as _os_errno
import select
import socket
from typing import TYPE_CHECKING, Any

from wasmtime.component import Record, Variant

from ... import messages
from ..errno import Errno, errno_from_os
from ..fs import FsError, Refusal
from ._spec import HostTrap, Resource, resource, wit
from .io import InputStream, OutputStream, Pollable

if TYPE_CHECKING:
    from ._host import ComponentHost

NETWORK = "wasi:sockets/network"
TCP = "wasi:sockets/tcp"
UDP = "wasi:sockets/udp"
LOOKUP = "wasi:sockets/ip-name-lookup"
_SLICE_S = 0.05


class Network(Resource):
    KIND = "network"


class TcpSocket(Resource):
    """A TCP socket of the host (``family`` ``ipv4``/``ipv6``), non-blocking."""

    KIND = "tcp-socket"

    def __init__(self, family: str, sock: socket.socket | None = None) -> None:
        self.family = family
        self.sock = sock or socket.socket(
            socket.AF_INET if family == "ipv4" else socket.AF_INET6, socket.SOCK_STREAM
        )
        self.sock.setblocking(False)
        self.state = "connected" if sock is not None else "unbound"
        self.address: tuple[str, int] | None = None
        self.backlog = 128

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"family": self.family}
        if self.address is not None:  # the address it was bound or connected to
            out["address"] = f"{self.address[0]}:{self.address[1]}"
        return out

    def close(self) -> None:
        self.sock.close()


class SocketPollable(Pollable):
    """Ready when the socket can be read (``"r"``: data, a peer to accept) or written."""

    def __init__(self, sock: socket.socket, mode: str) -> None:
        super().__init__(None)
        self.sock = sock
        self.mode = mode

    def ready(self) -> bool:
        if self.sock.fileno() < 0:
            return True
        r, w, _ = select.select(
            [self.sock] if self.mode == "r" else [], [self.sock] if self.mode == "w" else [], [], 0
        )
        return bool(r or w)


class SocketInput(InputStream):
    """The receiving half of a TCP connection."""

    def __init__(self, sock: socket.socket, peer: str) -> None:
        super().__init__(peer)
        self.sock = sock

    def pollable(self) -> Pollable:
        return SocketPollable(self.sock, "r")

    def read(self, h: ComponentHost, n: int, blocking: bool = False) -> bytes:
        from ..fs import MAX_READ
        from ._spec import StreamClosed, StreamFailed

        n = min(n, MAX_READ)
        while True:
            try:
                data = self.sock.recv(n)
            except BlockingIOError:
                if not blocking:
                    return b""
                _wait(h, self.sock, "r")
                continue
            except OSError as exc:
                raise StreamFailed(errno_from_os(exc)) from exc
            if not data and n:
                raise StreamClosed
            return data


class SocketOutput(OutputStream):
    """The sending half of a TCP connection (each write is sent whole)."""

    def __init__(self, sock: socket.socket, peer: str) -> None:
        super().__init__(peer)
        self.sock = sock

    def pollable(self) -> Pollable:
        return SocketPollable(self.sock, "w")

    def write(self, h: ComponentHost, data: bytes) -> None:
        from ._spec import StreamFailed

        view = memoryview(data)
        while view:
            try:
                sent = self.sock.send(view)
            except BlockingIOError:
                _wait(h, self.sock, "w")
                continue
            except OSError as exc:
                raise StreamFailed(errno_from_os(exc)) from exc
            view = view[sent:]


class _Unreachable(Resource):
    """A socket resource the host never creates."""


def _kind(name: str) -> type[Resource]:
    return type(name.title().replace("-", ""), (_Unreachable,), {"KIND": name})


class AddressStream(Resource):
    """The addresses one name lookup found."""

    KIND = "resolve-address-stream"

    def __init__(self, name: str, addresses: list[Any]) -> None:
        self.name = name
        self.addresses = addresses

    def describe(self) -> dict[str, Any]:
        return {"name": self.name}


resource(NETWORK, "network", Network)
resource(TCP, "tcp-socket", TcpSocket)
resource(UDP, "udp-socket", _kind("udp-socket"))
resource(UDP, "incoming-datagram-stream", _kind("incoming-datagram-stream"))
resource(UDP, "outgoing-datagram-stream", _kind("outgoing-datagram-stream"))
resource(LOOKUP, "resolve-address-stream", AddressStream)


# ------------------------------------------------------------------------------- helpers


def _wait(h: ComponentHost, sock: socket.socket, mode: str) -> None:
    """Wait until ``sock`` is ready; the time limit and the interrupt end the wait."""
    while True:
        h.check_stop()
        r, w, _ = select.select(
            [sock] if mode == "r" else [], [sock] if mode == "w" else [], [], _SLICE_S
        )
        if r or w:
            return


def _address(value: Any) -> tuple[str, int]:
    """An ``ip-socket-address`` as ``(ip text, port)``."""
    rec = value.payload
    if value.tag == "ipv4":
        return ".".join(str(b) for b in rec.address), rec.port
    return str(socket.inet_ntop(socket.AF_INET6, b"".join(
        x.to_bytes(2, "big") for x in rec.address))), rec.port  # fmt: skip


def _socket_address(addr: tuple) -> Variant:
    """The ``ip-socket-address`` of a Python socket address."""
    rec = Record()
    rec.port = addr[1]
    if ":" not in addr[0]:
        rec.address = tuple(int(x) for x in addr[0].split("."))
        return Variant("ipv4", rec)
    packed = socket.inet_pton(socket.AF_INET6, addr[0])
    rec.address = tuple(int.from_bytes(packed[i : i + 2], "big") for i in range(0, 16, 2))
    setattr(rec, "flow-info", 0)
    setattr(rec, "scope-id", 0)
    return Variant("ipv6", rec)


def _refuse(what: str, option: str) -> Refusal:
    return Refusal("network", messages.t("p2_network_refused", what=what, option=option),
                   Errno.ACCES)  # fmt: skip


def _shown(address: tuple[str, int]) -> str:
    ip, port = address
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _granted(h: ComponentHost, address: tuple[str, int], what: str) -> None:
    """Raise Refusal unless the sandbox grants exactly ``address``."""
    granted = h.sandbox.network
    if address in granted:
        return
    shown = _shown(address)
    if not granted:
        raise _refuse(f"{what} {shown}", f"--allow-net {shown}")
    reason = messages.t(
        "p2_address_refused", what=f"{what} {shown}", option=f"--allow-net {shown}",
        granted=", ".join(_shown(a) for a in granted),
    )  # fmt: skip
    raise Refusal("network", reason, Errno.ACCES)


def _oserror(exc: OSError) -> FsError:
    return FsError(errno_from_os(exc))


# ------------------------------------------------------------------------------- network


@wit("wasi:sockets/instance-network", "instance-network")
def instance_network(h: ComponentHost) -> Any:
    """The network resource (holding it grants nothing: every address is checked)."""
    return h.own(Network())


@wit("wasi:sockets/tcp-create-socket", "create-tcp-socket", "address-family", err="net")
def create_tcp_socket(h: ComponentHost, family: str) -> Any:
    """A new TCP socket; refused when the sandbox grants no address at all."""
    if not h.sandbox.network:
        raise _refuse("TCP", "--allow-net HOST:PORT")
    try:
        return h.own(TcpSocket(family))
    except OSError as exc:
        raise _oserror(exc) from exc


@wit("wasi:sockets/udp-create-socket", "create-udp-socket", "address-family", err="net")
def create_udp_socket(h: ComponentHost, family: str) -> Any:
    """Refused: this host provides TCP only."""
    raise FsError(Errno.NOTSUP)


@wit(LOOKUP, "resolve-addresses", "network name", err="net")
def resolve_addresses(h: ComponentHost, network: Network, name: str) -> Any:
    """Look ``name`` up (with ``--allow-dns``); a stream of its addresses."""
    if not h.sandbox.dns:
        raise _refuse(f"DNS ({name})", "--allow-dns")
    try:
        found = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FsError(Errno.INVAL) from exc
    addresses = []
    for family, *_rest, sockaddr in found:
        value = _socket_address((sockaddr[0], 0)).payload.address
        variant = Variant("ipv4" if family == socket.AF_INET else "ipv6", value)
        if variant not in addresses:
            addresses.append(variant)
    return h.own(AddressStream(name, addresses))


@wit(LOOKUP, "[method]resolve-address-stream.resolve-next-address", err="net")
def resolve_next_address(h: ComponentHost, s: AddressStream) -> Any:
    """The next address, or None after the last."""
    return s.addresses.pop(0) if s.addresses else None


@wit(LOOKUP, "[method]resolve-address-stream.subscribe")
def resolve_subscribe(h: ComponentHost, s: AddressStream) -> Any:
    """Ready at once (the lookup is done when the stream is made)."""
    return h.own(Pollable())


# ------------------------------------------------------------------------------- tcp


def _m(name: str, params: str = "", **kw: Any) -> Any:
    return wit(TCP, f"[method]tcp-socket.{name}", params, **kw)


@_m("start-bind", "network local-address", err="net")
def start_bind(h: ComponentHost, s: TcpSocket, network: Network, local: Any) -> None:
    """Bind to ``local-address``, if the sandbox grants it."""
    address = _address(local)
    _granted(h, address, "binding to")
    try:
        s.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.sock.bind(address)
    except OSError as exc:
        raise _oserror(exc) from exc
    s.state, s.address = "bound", address


@_m("finish-bind", err="net")
def finish_bind(h: ComponentHost, s: TcpSocket) -> None:
    """The bind is done at once."""
    if s.state != "bound":
        raise FsError(Errno.INVAL)


@_m("start-connect", "network remote-address", err="net")
def start_connect(h: ComponentHost, s: TcpSocket, network: Network, remote: Any) -> None:
    """Connect to ``remote-address``, if the sandbox grants it (done by ``finish-connect``)."""
    address = _address(remote)
    _granted(h, address, "connecting to")
    code = s.sock.connect_ex(address)
    if code not in (0, _os_errno.EINPROGRESS):
        raise FsError(errno_from_os(OSError(code, "")))
    s.state, s.address = "connecting", address


@_m("finish-connect", err="net")
def finish_connect(h: ComponentHost, s: TcpSocket) -> tuple:
    """The connection's two streams, once it is made."""
    if s.state != "connecting":
        raise FsError(Errno.INVAL)
    _wait(h, s.sock, "w")
    code = s.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code:
        s.state = "closed"
        raise FsError(errno_from_os(OSError(code, "")))
    s.state = "connected"
    peer = f"{s.address[0]}:{s.address[1]}" if s.address else "?"
    return h.own(SocketInput(s.sock, peer)), h.own(SocketOutput(s.sock, peer))


@_m("start-listen", err="net")
def start_listen(h: ComponentHost, s: TcpSocket) -> None:
    """Listen on the bound address."""
    if s.state != "bound":
        raise FsError(Errno.INVAL)
    try:
        s.sock.listen(s.backlog)
    except OSError as exc:
        raise _oserror(exc) from exc
    s.state = "listening"


@_m("finish-listen", err="net")
def finish_listen(h: ComponentHost, s: TcpSocket) -> None:
    """Listening starts at once."""
    if s.state != "listening":
        raise FsError(Errno.INVAL)


@_m("accept", err="net")
def accept(h: ComponentHost, s: TcpSocket) -> tuple:
    """The next connection (``would-block`` when none is waiting)."""
    if s.state != "listening":
        raise FsError(Errno.INVAL)
    try:
        conn, peer = s.sock.accept()
    except BlockingIOError:
        raise FsError(Errno.AGAIN) from None
    except OSError as exc:
        raise _oserror(exc) from exc
    client = TcpSocket(s.family, conn)
    client.address = (peer[0], peer[1])
    shown = f"{peer[0]}:{peer[1]}"
    return (h.own(client), h.own(SocketInput(conn, shown)), h.own(SocketOutput(conn, shown)))


@_m("local-address", err="net")
def local_address(h: ComponentHost, s: TcpSocket) -> Variant:
    """The address the socket is bound to."""
    try:
        return _socket_address(s.sock.getsockname())
    except OSError as exc:
        raise _oserror(exc) from exc


@_m("remote-address", err="net")
def remote_address(h: ComponentHost, s: TcpSocket) -> Variant:
    """The address of the peer."""
    try:
        return _socket_address(s.sock.getpeername())
    except OSError as exc:
        raise _oserror(exc) from exc


@_m("is-listening")
def is_listening(h: ComponentHost, s: TcpSocket) -> bool:
    """Whether the socket listens."""
    return s.state == "listening"


@_m("address-family")
def address_family(h: ComponentHost, s: TcpSocket) -> str:
    """``ipv4`` or ``ipv6``."""
    return s.family


@_m("set-listen-backlog-size", "value", err="net")
def set_listen_backlog_size(h: ComponentHost, s: TcpSocket, value: int) -> None:
    """How many connections may wait (at most 1024)."""
    if value == 0:
        raise FsError(Errno.INVAL)
    s.backlog = min(value, 1024)


@_m("subscribe")
def subscribe(h: ComponentHost, s: TcpSocket) -> Any:
    """Ready when a connection waits (listening) or the connection is made."""
    return h.own(SocketPollable(s.sock, "r" if s.state == "listening" else "w"))


@_m("shutdown", "shutdown-type", err="net")
def shutdown(h: ComponentHost, s: TcpSocket, how: str) -> None:
    """Stop receiving, sending or both."""
    mode = {"receive": socket.SHUT_RD, "send": socket.SHUT_WR}.get(how, socket.SHUT_RDWR)
    try:
        s.sock.shutdown(mode)
    except OSError as exc:
        raise _oserror(exc) from exc


def _unsupported(h: ComponentHost, *args: Any) -> None:
    """Socket options are left as the host has them: ``not-supported``."""
    raise FsError(Errno.NOTSUP)


for _option in (
    "keep-alive-enabled",
    "keep-alive-idle-time",
    "keep-alive-interval",
    "keep-alive-count",
    "hop-limit",
    "receive-buffer-size",
    "send-buffer-size",
):
    _m(_option, err="net")(_unsupported)
    _m(f"set-{_option}", "value", err="net")(_unsupported)


def _unreachable(h: ComponentHost, *args: Any) -> Any:
    """No UDP socket exists under this host: reaching this is a bug, and traps."""
    raise HostTrap(messages.t("p2_host_bug", error="a UDP method was called"))


for _name in """start-bind finish-bind stream local-address remote-address address-family
        unicast-hop-limit set-unicast-hop-limit receive-buffer-size set-receive-buffer-size
        send-buffer-size set-send-buffer-size subscribe""".split():
    wit(UDP, f"[method]udp-socket.{_name}")(_unreachable)
for _name in ("receive", "subscribe"):
    wit(UDP, f"[method]incoming-datagram-stream.{_name}")(_unreachable)
for _name in ("check-send", "send", "subscribe"):
    wit(UDP, f"[method]outgoing-datagram-stream.{_name}")(_unreachable)
