"""wasi:sockets: the network is a capability the sandbox does not grant.

``instance-network`` hands out the one ``network`` resource; creating a TCP or UDP socket and
resolving a name are refused (``access-denied``, with the capability ``network`` and a sentence
in the trace). No socket can exist, so the methods of the socket resources are defined only so
that a component importing them links; reaching one would be a host bug and traps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import messages
from ..errno import Errno
from ..fs import Refusal
from ._spec import HostTrap, Resource, resource, wit

if TYPE_CHECKING:
    from ._host import ComponentHost

NETWORK = "wasi:sockets/network"
TCP = "wasi:sockets/tcp"
UDP = "wasi:sockets/udp"
LOOKUP = "wasi:sockets/ip-name-lookup"


class Network(Resource):
    KIND = "network"


class _Unreachable(Resource):
    """A socket resource the host never creates."""


def _kind(name: str) -> type[Resource]:
    return type(name.title().replace("-", ""), (_Unreachable,), {"KIND": name})


resource(NETWORK, "network", Network)
resource(TCP, "tcp-socket", _kind("tcp-socket"))
resource(UDP, "udp-socket", _kind("udp-socket"))
resource(UDP, "incoming-datagram-stream", _kind("incoming-datagram-stream"))
resource(UDP, "outgoing-datagram-stream", _kind("outgoing-datagram-stream"))
resource(LOOKUP, "resolve-address-stream", _kind("resolve-address-stream"))


@wit("wasi:sockets/instance-network", "instance-network")
def instance_network(h: ComponentHost) -> Any:
    """The network resource (holding it grants nothing: every use is checked)."""
    return h.own(Network())


def _refuse(what: str, option: str) -> Refusal:
    return Refusal("network", messages.t("p2_network_refused", what=what, option=option),
                   Errno.ACCES)  # fmt: skip


@wit("wasi:sockets/tcp-create-socket", "create-tcp-socket", "address-family", err="net")
def create_tcp_socket(h: ComponentHost, family: str) -> Any:
    """Refused: the sandbox grants no network."""
    raise _refuse("TCP", "--allow-net HOST:PORT")


@wit("wasi:sockets/udp-create-socket", "create-udp-socket", "address-family", err="net")
def create_udp_socket(h: ComponentHost, family: str) -> Any:
    """Refused: the sandbox grants no network."""
    raise _refuse("UDP", "--allow-net HOST:PORT")


@wit(LOOKUP, "resolve-addresses", "network name", err="net")
def resolve_addresses(h: ComponentHost, network: Network, name: str) -> Any:
    """Refused: the sandbox grants no name lookups."""
    raise _refuse(f"DNS ({name})", "--allow-dns")


def _unreachable(h: ComponentHost, *args: Any) -> Any:
    """No socket exists under this host: reaching this is a bug, and traps."""
    raise HostTrap(messages.t("p2_host_bug", error="a socket method was called"))


_METHODS = {
    TCP: ("tcp-socket", """start-bind finish-bind start-connect finish-connect start-listen
        finish-listen accept local-address remote-address is-listening address-family
        set-listen-backlog-size keep-alive-enabled set-keep-alive-enabled keep-alive-idle-time
        set-keep-alive-idle-time keep-alive-interval set-keep-alive-interval keep-alive-count
        set-keep-alive-count hop-limit set-hop-limit receive-buffer-size
        set-receive-buffer-size send-buffer-size set-send-buffer-size subscribe shutdown"""),
    UDP: ("udp-socket", """start-bind finish-bind stream local-address remote-address
        address-family unicast-hop-limit set-unicast-hop-limit receive-buffer-size
        set-receive-buffer-size send-buffer-size set-send-buffer-size subscribe"""),
}  # fmt: skip
for _interface, (_res, _names) in _METHODS.items():
    for _name in _names.split():
        wit(_interface, f"[method]{_res}.{_name}")(_unreachable)
for _name in ("receive", "subscribe"):
    wit(UDP, f"[method]incoming-datagram-stream.{_name}")(_unreachable)
for _name in ("check-send", "send", "subscribe"):
    wit(UDP, f"[method]outgoing-datagram-stream.{_name}")(_unreachable)
for _name in ("resolve-next-address", "subscribe"):
    wit(LOOKUP, f"[method]resolve-address-stream.{_name}")(_unreachable)
