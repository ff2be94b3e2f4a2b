"""UDP as a capability for components: a handwritten client and echo server (wasi:sockets/udp,
no adapter) on loopback. Without a grant both are refused, as under wasmtime's ``add_wasip2``;
granted exactly their address they talk (to a Python peer and to each other); a datagram from an
address the client was not granted is dropped; an answer goes only to whoever wrote to the
granted server. Hostile arguments (2**64 results, datagrams past the UDP bound, more datagrams
than ``check-send`` permitted, streams of a dropped socket) end in a WIT error or a trap whose
message says what was wrong, never a Python exception."""

from __future__ import annotations

import socket
import threading

import pytest
import wasmtime
from wasiharness import RunSpec, run_wasip2
from wasmtime.component import Record, Variant

from wasikernel import examples, messages
from wasikernel.engines import run
from wasikernel.result import RunResult
from wasikernel.sandbox import Limits, Sandbox
from wasikernel.wasi.p2 import REGISTRY, ComponentHost, HostTrap
from wasikernel.wasi.p2 import sockets as p2_sockets

LOOPBACK = "127.0.0.1"
client, echo_server, _free_udp_port = examples.udp_client, examples.udp_echo, examples.free_udp_port


@pytest.fixture
def python_echo():
    """A loopback UDP peer answering each datagram with ``pong:`` + it; ``stray`` datagrams
    (sent first, from another socket) are set by the test before the client runs."""
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((LOOPBACK, 0))
    server.settimeout(30)
    stray = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    state = {"strays": 0}

    def serve() -> None:
        while True:
            try:
                data, peer = server.recvfrom(100_000)
            except OSError:
                return
            for _ in range(state["strays"]):
                stray.sendto(b"not from the granted address", peer)
            server.sendto(b"pong:" + data, peer)

    threading.Thread(target=serve, daemon=True).start()
    state["port"] = server.getsockname()[1]
    yield state
    server.close()
    stray.close()


def _granted(port: int, **limits: float) -> Sandbox:
    return Sandbox(network=[(LOOPBACK, port)], limits=Limits(**limits) if limits else Limits())


def _events(result: RunResult, ending: str) -> list:
    return [e for e in result.trace.events if e.call.endswith(ending)]


# ------------------------------------------------------------------------------ capabilities


@pytest.mark.parametrize("program", ["client", "server"])
def test_without_a_grant_udp_is_refused_as_under_wasmtime(program):
    port = _free_udp_port()
    wasm = client(port) if program == "client" else echo_server(port)
    assert run_wasip2(RunSpec(wasm)).exit_code == 1  # wasmtime grants no network either
    result = run(wasm)
    assert result.exit_code == 1 and result.stdout == b""
    denied = [e for e in result.trace.events if e.denied]
    assert [e.capability for e in denied] == ["network"]
    assert denied[0].call.endswith("create-udp-socket")
    assert "--allow-net" in denied[0].reason and denied[0].errno == "access-denied"


def test_granted_its_address_the_client_talks(python_echo):
    port = python_echo["port"]
    result = run(client(port), _granted(port))
    assert (result.exit_code, result.stdout) == (0, b"pong:ping\n"), result.trap
    assert not any(e.denied for e in result.trace.events)
    (stream,) = _events(result, "udp-socket.stream")
    assert stream.args["remote-address"] == {"ipv4": {"port": port, "address": [127, 0, 0, 1]}}
    (send,) = _events(result, "outgoing-datagram-stream.send")
    assert send.args["datagrams"][0]["data"]["text"] == "ping\n"
    assert send.results["result"] == 1
    (bound,) = _events(result, "udp-socket.finish-bind")
    assert bound.args["self"]["address"].startswith("127.0.0.1:")  # the port the OS chose
    assert not bound.args["self"]["address"].endswith(":0")


def test_granted_another_port_the_client_is_refused_naming_the_address(python_echo):
    port = python_echo["port"]
    other = port + 1 if port < 65535 else port - 1
    result = run(client(port), _granted(other))
    assert result.exit_code == 1 and result.stdout == b""
    (refused,) = [e for e in result.trace.events if e.denied]
    assert refused.call.endswith("udp-socket.stream")
    assert f"127.0.0.1:{port}" in refused.reason and f"--allow-net 127.0.0.1:{port}" in (
        refused.reason)
    assert f"127.0.0.1:{other}" in refused.reason  # what is granted


def test_a_datagram_from_an_address_not_granted_is_dropped(python_echo):
    python_echo["strays"] = 1
    port = python_echo["port"]
    result = run(client(port), _granted(port))
    assert (result.exit_code, result.stdout) == (0, b"pong:ping\n")
    receives = _events(result, "incoming-datagram-stream.receive")
    assert receives[-1].args["self"]["dropped"] == 1
    assert b"not from" not in result.stdout


def test_a_server_bound_elsewhere_than_its_grant_is_refused():
    port = _free_udp_port()
    result = run(echo_server(port), _granted(port + 1 if port < 65535 else port - 1))
    (refused,) = [e for e in result.trace.events if e.denied]
    assert refused.call.endswith("udp-socket.start-bind") and result.exit_code == 1
    assert f"binding to 127.0.0.1:{port}" in refused.reason


def test_the_granted_server_answers_whoever_wrote_to_it():
    server = examples.EchoServer(rounds=2).start()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:  # an address not granted
        peer.settimeout(30)
        for text in (b"hello", b"again"):
            peer.sendto(text, (LOOPBACK, server.port))
            answer, sender = peer.recvfrom(100)
            assert (answer, sender[1]) == (text, server.port)
    server._thread.join(30)
    result = server.stop()
    assert (result.exit_code, result.stdout) == (0, b"helloagain")
    assert not any(e.denied for e in result.trace.events)


def test_a_client_component_and_a_server_component_talk_and_the_server_stops_when_asked():
    server = examples.EchoServer().start()
    talk = run(client(server.port, "bonjour\n"), _granted(server.port, timeout_s=30))
    assert (talk.exit_code, talk.stdout) == (0, b"bonjour\n")
    result = server.stop()  # still waiting for its next datagram: the interrupt ends it
    assert result.stdout == b"bonjour\n" and result.limit == messages.t("limit_cancel")


# ------------------------------------------------------------------------------ hostile


def test_a_datagram_past_the_udp_bound_is_too_large_and_cut_in_the_trace(python_echo):
    port = python_echo["port"]
    big = "x" * (p2_sockets.MAX_DATAGRAM + 1)
    result = run(client(port, big), _granted(port))
    assert result.exit_code == 1 and result.trap is None
    (send,) = _events(result, "outgoing-datagram-stream.send")
    assert send.errno == "datagram-too-large"
    data = send.args["datagrams"][0]["data"]
    assert data["len"] == len(big) and data["cut"] is True and len(data["text"]) < 1000


def test_send_without_check_send_traps_with_a_sentence(python_echo):
    port = python_echo["port"]
    source = examples.source("udp_client").replace("PORT_NUMBER", str(port)).replace(
        "DATAGRAM_TEXT", "ping").replace("DATAGRAM_LENGTH", "4")
    check = "      (call $check (local.get $out) (i32.const 32))\n"
    assert check in source
    result = run(wasmtime.wat2wasm(source.replace(check, "", 1)), _granted(port))
    assert result.exit_code is None and result.trap is not None
    assert result.trap.message == messages.t("p2_send_unpermitted", n=1, permit=0)
    assert "Traceback" not in result.trap.message


def _udp_host(port: int) -> ComponentHost:
    return ComponentHost(_granted(port, timeout_s=5))


def _call(host: ComponentHost, name: str, *args):  # noqa: ANN202
    for index, func in enumerate(REGISTRY):
        if func.name == name and func.interface.endswith("/udp"):
            return host._traced(index, func)(None, *args)
    raise KeyError(name)


def _ipv4(port: int, ip: tuple = (127, 0, 0, 1)) -> Variant:
    rec = Record()
    rec.port, rec.address = port, ip
    return Variant("ipv4", rec)


def _datagram(data: bytes, to: Variant | None = None) -> Record:
    rec = Record()
    rec.data = data
    setattr(rec, "remote-address", to)
    return rec


def _bound_pair(host: ComponentHost, port: int):  # noqa: ANN202
    """A UDP socket of ``host`` bound to the granted ``port``, and its two streams."""
    udp = p2_sockets.UdpSocket("ipv4")
    host.table[99] = udp
    host.held["udp-socket"] = 1
    _call(host, "[method]udp-socket.start-bind", udp, p2_sockets.Network(), _ipv4(port))
    _call(host, "[method]udp-socket.stream", udp, None)
    incoming, outgoing = (host.table[r.rep] for r in host.handed[-2:])
    return udp, incoming, outgoing


def test_receive_of_2_to_the_64_results_returns_at_most_the_per_call_bound():
    port = _free_udp_port()
    host = _udp_host(port)
    udp, incoming, _ = _bound_pair(host, port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        for n in range(p2_sockets.DATAGRAMS_PER_CALL + 5):
            peer.sendto(b"%d" % n, (LOOPBACK, port))
        p2_sockets._wait(host, udp.sock, "r")
        got = _call(host, "[method]incoming-datagram-stream.receive", incoming, (1 << 64) - 1)
    assert 1 <= len(got) <= p2_sockets.DATAGRAMS_PER_CALL
    udp.close()


def test_more_datagrams_than_permitted_trap_and_the_trace_keeps_a_cut_list():
    port = _free_udp_port()
    host = _udp_host(port)
    udp, _, outgoing = _bound_pair(host, port)
    assert _call(host, "[method]outgoing-datagram-stream.check-send", outgoing) == 16
    many = [_datagram(b"y" * 1000, _ipv4(port)) for _ in range(5000)]
    with pytest.raises(HostTrap) as trapped:
        _call(host, "[method]outgoing-datagram-stream.send", outgoing, many)
    assert trapped.value.message == messages.t("p2_send_unpermitted", n=5000, permit=16)
    event = host.trace.events[-1]
    assert event.errno == "trap" and len(event.args["datagrams"]) == 65  # 64 kept, then a count
    assert event.args["datagrams"][-1] == "... (+4936)"
    udp.close()


def test_streams_of_a_replaced_pair_or_a_dropped_socket_say_invalid_state():
    port = _free_udp_port()
    host = _udp_host(port)
    udp, incoming, outgoing = _bound_pair(host, port)
    _call(host, "[method]udp-socket.stream", udp, None)  # a new pair: the old one stops
    fresh_in = host.table[host.handed[-2].rep]
    assert _call(host, "[method]incoming-datagram-stream.receive", incoming, 1) == "invalid-state"
    assert _call(host, "[method]outgoing-datagram-stream.check-send", outgoing) == (
        "invalid-state")
    host._drop(99)  # the guest dropped the socket, kept the streams
    assert _call(host, "[method]incoming-datagram-stream.receive", fresh_in, 1) == "invalid-state"


@pytest.mark.parametrize("value", [0, 1, (1 << 64) - 1])
def test_every_udp_function_with_hostile_arguments_raises_nothing_but_a_trap(value):
    """Every function of wasi:sockets/udp, on a fresh, a bound and a closed socket, with
    extreme numbers, ungranted and unspecified addresses: a WIT result or a readable trap."""
    port = _free_udp_port()
    host = _udp_host(port)
    bug = messages.t("p2_host_bug", error="").split("(")[0]
    udp, incoming, outgoing = _bound_pair(host, port)
    closed = p2_sockets.UdpSocket("ipv6")
    closed.close()
    objects = {"udp-socket": [p2_sockets.UdpSocket("ipv4"), udp, closed],
               "incoming-datagram-stream": [incoming],
               "outgoing-datagram-stream": [outgoing]}  # fmt: skip
    addresses = [_ipv4(port), _ipv4(0, (0, 0, 0, 0)), _ipv4(9), None]
    for func in [f for f in REGISTRY if f.interface == "wasi:sockets/udp"]:
        kind = func.name.split("]")[1].split(".")[0]
        for obj in objects[kind]:
            for address in addresses:
                args = []
                for param in func.params[1:]:
                    args.append({"network": p2_sockets.Network(),
                                 "local-address": address or _ipv4(port),
                                 "remote-address": address,
                                 "datagrams": [_datagram(b"z" * 70_000, address)],
                                 }.get(param, value))  # fmt: skip
                try:
                    _call(host, func.name, obj, *args)
                except HostTrap as exc:
                    assert bug not in exc.message, (func.name, exc.message)
    for event in host.trace.events:
        assert not (event.reason or "").startswith(bug), event.to_text()
    for obj in (*objects["udp-socket"], udp):
        obj.close()
