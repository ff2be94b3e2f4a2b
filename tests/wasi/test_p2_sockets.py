"""The network as a capability for components: a handwritten TCP client (wasi:sockets, no
adapter) against an echo server on loopback. Without a grant it is refused, as under wasmtime's
``add_wasip2``; granted exactly its address it talks; granted another port it is refused with
the address and the option to write."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

import pytest
import wasmtime
from wasiharness import PROGRAMS, RunSpec, run_wasip2

from wasikernel.engines import run
from wasikernel.sandbox import Sandbox


@pytest.fixture
def echo_port():
    """A loopback server answering each connection's first message with ``pong:`` + it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(30)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"pong:" + conn.recv(100))

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def _client(port: int) -> bytes:
    text = (PROGRAMS.parent / "components" / "tcp_client.wat").read_text()
    return wasmtime.wat2wasm(text.replace("PORT_NUMBER", str(port)))


def test_without_a_grant_the_socket_is_refused(echo_port):
    wasm = _client(echo_port)
    assert run_wasip2(RunSpec(wasm)).exit_code == 1  # wasmtime grants no network either
    result = run(wasm)
    assert result.exit_code == 1 and result.stdout == b""
    denied = [e for e in result.trace.events if e.denied]
    assert [e.capability for e in denied] == ["network"]
    assert "--allow-net" in denied[0].reason and denied[0].errno == "access-denied"


def test_granted_its_address_the_client_talks(echo_port):
    result = run(_client(echo_port), Sandbox(network=[("127.0.0.1", echo_port)]))
    assert (result.exit_code, result.stdout) == (0, b"pong:ping\n")
    assert not any(e.denied for e in result.trace.events)
    connect = [e for e in result.trace.events if e.call.endswith("start-connect")][0]
    assert connect.args["remote-address"] == {"ipv4": {"port": echo_port,
                                                       "address": [127, 0, 0, 1]}}  # fmt: skip


def test_granted_another_port_the_connection_is_refused_naming_the_address(echo_port):
    other = echo_port + 1 if echo_port < 65535 else echo_port - 1
    result = run(_client(echo_port), Sandbox(network=[("127.0.0.1", other)]))
    assert result.exit_code == 1 and result.stdout == b""
    refused = [e for e in result.trace.events if e.denied]
    assert len(refused) == 1 and refused[0].call.endswith("start-connect")
    assert f"127.0.0.1:{echo_port}" in refused[0].reason
    assert f"127.0.0.1:{other}" in refused[0].reason  # what is granted


def test_allow_net_on_the_command_line(echo_port, tmp_path):
    path = tmp_path / "client.wasm"
    path.write_bytes(_client(echo_port))
    cli = [sys.executable, "-m", "wasikernel", "run"]
    granted = subprocess.run([*cli, "--allow-net", f"localhost:{echo_port}", str(path)],
                             capture_output=True)  # fmt: skip
    assert (granted.returncode, granted.stdout) == (0, b"pong:ping\n"), granted.stderr
    bad = subprocess.run([*cli, "--allow-net", "example.org", str(path)], capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr and "Traceback" not in bad.stderr
