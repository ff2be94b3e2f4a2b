"""wasi:sockets: the network is a capability, granted one address at a time.

A TCP socket may connect or bind only to an address the sandbox lists (``--allow-net
HOST:PORT``, exactly that IP and port; a socket accepted on a granted listening address may talk
to its peer), and names are looked up only with ``--allow-dns``. Anything else is refused
(``access-denied``) with the capability ``network`` and a sentence naming the address and the
option. A UDP socket is granted the same way: it may bind to a granted address (a server,
which may then answer whoever wrote to it) or to an ephemeral port (port 0: a client), and send
only to granted addresses; a client drops datagrams from any other sender. Datagrams are at
most :data:`MAX_DATAGRAM` bytes, and one call sends or receives at most
:data:`DATAGRAMS_PER_CALL` of them. Sockets are non-blocking underneath; the
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
#: the largest datagram payload sent or received (UDP over IPv4's own bound)
MAX_DATAGRAM = 65507
#: the most datagrams one ``check-send`` permits and one ``receive`` returns
DATAGRAMS_PER_CALL = 16


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
        self.waits_on = (sock, mode)

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


class UdpSocket(Resource):
    """A UDP socket of the host (``family`` ``ipv4``/``ipv6``), non-blocking.

    ``server`` is true once it is bound to an address the sandbox grants: it may then receive
    from anyone and answer the ``peers`` that wrote to it. A socket bound to an ephemeral port
    (port 0) is a client: it talks only to granted addresses, and a datagram from any other
    sender is dropped (counted in ``dropped``). ``remote`` is the peer given to ``stream``;
    ``generation`` counts the calls to ``stream`` (only the last pair of streams works)."""

    KIND = "udp-socket"

    def __init__(self, family: str) -> None:
        self.family = family
        self.sock = socket.socket(
            socket.AF_INET if family == "ipv4" else socket.AF_INET6, socket.SOCK_DGRAM
        )
        self.sock.setblocking(False)
        self.state = "unbound"
        self.address: tuple[str, int] | None = None
        self.server = False
        self.peers: set[tuple[str, int]] = set()
        self.remote: tuple[str, int] | None = None
        self.generation = 0
        self.dropped = 0

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"family": self.family}
        if self.address is not None:
            out["address"] = _shown(self.address)
        if self.remote is not None:
            out["remote"] = _shown(self.remote)
        if self.dropped:
            out["dropped"] = self.dropped
        return out

    def close(self) -> None:
        self.sock.close()


class IncomingDatagrams(Resource):
    """The datagrams a UDP socket receives, from the pair of streams ``generation`` made."""

    KIND = "incoming-datagram-stream"

    def __init__(self, udp: UdpSocket) -> None:
        self.udp = udp
        self.generation = udp.generation

    def describe(self) -> dict[str, Any]:
        return self.udp.describe()


class OutgoingDatagrams(Resource):
    """The datagrams a UDP socket sends; ``permit`` is what the last ``check-send`` allowed."""

    KIND = "outgoing-datagram-stream"

    def __init__(self, udp: UdpSocket) -> None:
        self.udp = udp
        self.generation = udp.generation
        self.permit = 0

    def describe(self) -> dict[str, Any]:
        return self.udp.describe()


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
resource(UDP, "udp-socket", UdpSocket)
resource(UDP, "incoming-datagram-stream", IncomingDatagrams)
resource(UDP, "outgoing-datagram-stream", OutgoingDatagrams)
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


def _granted(h: ComponentHost, address: tuple[str, int], doing: str) -> None:
    """Raise Refusal unless the sandbox grants exactly ``address``; ``doing`` is what was
    refused (``"bind"``, ``"connect"``, ``"send"``)."""
    granted = h.sandbox.network
    if address in granted:
        return
    shown = _shown(address)
    what = messages.t(f"p2_net_{doing}", address=shown)
    if not granted:
        raise _refuse(what, f"--allow-net {shown}")
    reason = messages.t(
        "p2_address_refused", what=what, option=f"--allow-net {shown}",
        granted=", ".join(_shown(a) for a in granted),
    )  # fmt: skip
    raise Refusal("network", reason, Errno.ACCES)


def _room_for_a_socket(h: ComponentHost) -> None:
    """Raise Refusal (``new-socket-limit``) when the guest holds as many sockets as it may
    hold descriptors (the open-files limit)."""
    most = h.sandbox.limits.max_open_files
    if h.held.get("tcp-socket", 0) + h.held.get("udp-socket", 0) >= most:
        raise Refusal("descriptors", messages.t("limit_open_files", count=most), Errno.MFILE)


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
    _room_for_a_socket(h)
    try:
        return h.own(TcpSocket(family))
    except OSError as exc:
        raise _oserror(exc) from exc


@wit("wasi:sockets/udp-create-socket", "create-udp-socket", "address-family", err="net")
def create_udp_socket(h: ComponentHost, family: str) -> Any:
    """A new UDP socket; refused when the sandbox grants no address at all."""
    if not h.sandbox.network:
        raise _refuse("UDP", "--allow-net HOST:PORT")
    _room_for_a_socket(h)
    try:
        return h.own(UdpSocket(family))
    except OSError as exc:
        raise _oserror(exc) from exc


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
    _granted(h, address, "bind")
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
    _granted(h, address, "connect")
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


# ------------------------------------------------------------------------------- udp


def _u(name: str, params: str = "", **kw: Any) -> Any:
    return wit(UDP, f"[method]udp-socket.{name}", params, **kw)


def _udp_address(s: UdpSocket, value: Any) -> tuple[str, int]:
    """``value`` as ``(ip, port)``; ``invalid-argument`` for another family than the socket's."""
    if value.tag != s.family:
        raise FsError(Errno.AFNOSUPPORT)
    return _address(value)


def _peer(s: UdpSocket, value: Any) -> tuple[str, int]:
    """A remote address to send to: neither the unspecified address nor port 0."""
    address = _udp_address(s, value)
    if address[1] == 0 or address[0] in ("0.0.0.0", "::"):
        raise FsError(Errno.DESTADDRREQ)
    return address


def _may_send_to(h: ComponentHost, s: UdpSocket, address: tuple[str, int]) -> None:
    """Raise Refusal unless ``address`` is granted, or wrote to this granted server."""
    if s.server and address in s.peers:
        return
    _granted(h, address, "send")


@_u("start-bind", "network local-address", err="net")
def udp_start_bind(h: ComponentHost, s: UdpSocket, network: Network, local: Any) -> None:
    """Bind to ``local-address``: a granted address, or any address with port 0."""
    address = _udp_address(s, local)
    if s.state != "unbound":
        raise FsError(Errno.ALREADY)
    if address[1] != 0:
        _granted(h, address, "bind")
    try:
        s.sock.bind(address)
        bound = s.sock.getsockname()
    except OSError as exc:
        raise _oserror(exc) from exc
    s.state, s.address, s.server = "bound", (bound[0], bound[1]), address[1] != 0


@_u("finish-bind", err="net")
def udp_finish_bind(h: ComponentHost, s: UdpSocket) -> None:
    """The bind is done at once."""
    if s.state != "bound":
        raise FsError(Errno.NOTCONN)


@_u("stream", "remote-address", err="net")
def udp_stream(h: ComponentHost, s: UdpSocket, remote: Any) -> tuple:
    """A new pair of datagram streams, limited to ``remote-address`` when given (which the
    sandbox must grant); the pairs made before stop working."""
    if s.state != "bound":
        raise FsError(Errno.NOTCONN)
    peer = None
    if remote is not None:
        peer = _peer(s, remote)
        _may_send_to(h, s, peer)
    s.remote = peer
    s.generation += 1
    return h.own(IncomingDatagrams(s)), h.own(OutgoingDatagrams(s))


@_u("local-address", err="net")
def udp_local_address(h: ComponentHost, s: UdpSocket) -> Variant:
    """The address the socket is bound to."""
    if s.state != "bound":
        raise FsError(Errno.NOTCONN)
    try:
        return _socket_address(s.sock.getsockname())
    except OSError as exc:
        raise _oserror(exc) from exc


@_u("remote-address", err="net")
def udp_remote_address(h: ComponentHost, s: UdpSocket) -> Variant:
    """The peer given to ``stream``."""
    if s.remote is None:
        raise FsError(Errno.NOTCONN)
    return _socket_address(s.remote)


@_u("address-family")
def udp_address_family(h: ComponentHost, s: UdpSocket) -> str:
    """``ipv4`` or ``ipv6``."""
    return s.family


@_u("subscribe")
def udp_subscribe(h: ComponentHost, s: UdpSocket) -> Any:
    """Ready at once (binding never waits)."""
    return h.own(Pollable())


for _option in ("unicast-hop-limit", "receive-buffer-size", "send-buffer-size"):
    _u(_option, err="net")(_unsupported)
    _u(f"set-{_option}", "value", err="net")(_unsupported)


def _current(stream: IncomingDatagrams | OutgoingDatagrams) -> UdpSocket:
    """The socket of ``stream``; ``invalid-state`` once a later ``stream`` call replaced it."""
    if stream.generation != stream.udp.generation or stream.udp.sock.fileno() < 0:
        raise FsError(Errno.NOTCONN)
    return stream.udp


@wit(UDP, "[method]incoming-datagram-stream.receive", "max-results", err="net")
def udp_receive(h: ComponentHost, stream: IncomingDatagrams, max_results: int) -> list:
    """Up to ``max-results`` datagrams that are waiting (at most DATAGRAMS_PER_CALL), maybe
    none; never waits."""
    s = _current(stream)
    out: list[Record] = []
    while len(out) < min(max_results, DATAGRAMS_PER_CALL):
        try:
            data, sender = s.sock.recvfrom(MAX_DATAGRAM)
        except BlockingIOError:
            break
        except OSError as exc:
            if out:
                break
            raise _oserror(exc) from exc
        sender = (sender[0], sender[1])
        if (s.remote is not None and sender != s.remote) or (
            not s.server and sender not in h.sandbox.network
        ):
            s.dropped += 1  # not from the peer it talks to, or from an address not granted
            continue
        if s.server:
            s.peers.add(sender)
        datagram = Record()
        datagram.data = data
        setattr(datagram, "remote-address", _socket_address(sender))
        out.append(datagram)
    return out


@wit(UDP, "[method]incoming-datagram-stream.subscribe")
def udp_incoming_subscribe(h: ComponentHost, stream: IncomingDatagrams) -> Any:
    """Ready once a datagram waits."""
    return h.own(SocketPollable(stream.udp.sock, "r"))


@wit(UDP, "[method]outgoing-datagram-stream.check-send", err="net")
def udp_check_send(h: ComponentHost, stream: OutgoingDatagrams) -> int:
    """How many datagrams the next ``send`` may take (0 while the socket cannot send)."""
    s = _current(stream)
    writable = select.select([], [s.sock], [], 0)[1]
    stream.permit = DATAGRAMS_PER_CALL if writable else 0
    return stream.permit


@wit(UDP, "[method]outgoing-datagram-stream.send", "datagrams", err="net")
def udp_send(h: ComponentHost, stream: OutgoingDatagrams, datagrams: list) -> int:
    """Send ``datagrams`` in order; return how many left. Each goes to its own address or to
    the stream's peer, which the sandbox must grant. Raises HostTrap for more datagrams than
    the last ``check-send`` permitted."""
    permit, stream.permit = stream.permit, 0
    if len(datagrams) > permit:
        raise HostTrap(messages.t("p2_send_unpermitted", n=len(datagrams), permit=permit))
    s = _current(stream)
    sent = 0
    for datagram in datagrams:
        try:
            address = _datagram_address(h, s, getattr(datagram, "remote-address"))
            if len(datagram.data) > MAX_DATAGRAM:
                raise FsError(Errno.MSGSIZE)
            s.sock.sendto(datagram.data, address)
        except BlockingIOError:
            break
        except (FsError, OSError) as exc:
            if sent:
                break  # what was sent is said; the error shows on the next call
            raise (exc if isinstance(exc, FsError) else _oserror(exc)) from None
        sent += 1
    return sent


def _datagram_address(h: ComponentHost, s: UdpSocket, value: Any) -> tuple[str, int]:
    if value is None:
        if s.remote is None:
            raise FsError(Errno.DESTADDRREQ)
        return s.remote
    address = _peer(s, value)
    if s.remote is not None and address != s.remote:
        raise FsError(Errno.ISCONN)
    _may_send_to(h, s, address)
    return address


@wit(UDP, "[method]outgoing-datagram-stream.subscribe")
def udp_outgoing_subscribe(h: ComponentHost, stream: OutgoingDatagrams) -> Any:
    """Ready once a datagram may be sent."""
    return h.own(SocketPollable(stream.udp.sock, "w"))
