"""Small components written by hand in WAT, for the course and the tests (no adapter inside).

- ``udp_client.wat``: binds an ephemeral port, sends one datagram to a loopback port and writes
  the answer to stdout;
- ``udp_echo.wat``: binds a loopback port and sends each datagram back to its sender.

:func:`udp_client` and :func:`udp_echo` return them as component bytes for a given port;
:class:`EchoServer` runs the echo server under the preview 2 host in a thread, granted its one
address, as a lesson or a test needs one.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from ..result import RunResult
from ..sandbox import Limits, Sandbox

__all__ = ["FOLDER", "source", "udp_client", "udp_echo", "free_udp_port", "EchoServer"]

#: the folder of the examples' WAT sources
FOLDER = Path(__file__).resolve().parent
LOOPBACK = "127.0.0.1"


def source(name: str) -> str:
    """The WAT text of the example ``name`` (``"udp_client"`` or ``"udp_echo"``).

    Raises FileNotFoundError for a name that is not one."""
    return (FOLDER / f"{name}.wat").read_text(encoding="utf-8")


def _wat_string(text: str) -> str:
    return "".join(f"\\{b:02x}" if b < 0x20 or b in b'"\\' or b > 0x7e else chr(b)
                   for b in text.encode())  # fmt: skip


def udp_client(port: int, text: str = "ping\n") -> bytes:
    """The UDP client component that sends ``text`` to ``127.0.0.1:port``.

    Raises ValueError for a port outside 1..65535."""
    import wasmtime

    _check_port(port)
    wat = source("udp_client").replace("PORT_NUMBER", str(port))
    wat = wat.replace("DATAGRAM_TEXT", _wat_string(text))
    return wasmtime.wat2wasm(wat.replace("DATAGRAM_LENGTH", str(len(text.encode()))))


def udp_echo(port: int, rounds: int = 1) -> bytes:
    """The UDP echo server component bound to ``127.0.0.1:port``, answering ``rounds``
    datagrams. Raises ValueError for a port outside 1..65535 or fewer than one round."""
    import wasmtime

    _check_port(port)
    if not 1 <= rounds < 1 << 31:
        raise ValueError(f"rounds must be at least 1, not {rounds}")
    wat = source("udp_echo").replace("PORT_NUMBER", str(port))
    return wasmtime.wat2wasm(wat.replace("ROUNDS", str(rounds)))


def _check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise ValueError(f"a port is a number from 1 to 65535, not {port}")


def free_udp_port() -> int:
    """A UDP port of the loopback address that nothing holds now (the OS chooses it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class EchoServer:
    """The echo server component, run under the preview 2 host in a thread of this process,
    granted exactly ``127.0.0.1:port`` (a free port unless given), for ``rounds`` datagrams.

    ``start()`` returns once the server holds its port; ``stop()`` ends it (if it still runs)
    and returns its :class:`RunResult`. Raises RuntimeError when the server does not bind its
    port within ``wait_s`` seconds (its run, in ``result``, says why)."""

    def __init__(self, port: int | None = None, rounds: int = 1000, wait_s: float = 10.0) -> None:
        self.port = port or free_udp_port()
        self.wasm = udp_echo(self.port, rounds)
        self.sandbox = Sandbox(network=[(LOOPBACK, self.port)], limits=Limits(timeout_s=None))
        self.result: RunResult | None = None
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="echo-server")
        self._wait_s = wait_s

    def _serve(self) -> None:
        from ..engines import run

        self.result = run(self.wasm, self.sandbox, cancel=self._cancel)

    def start(self) -> EchoServer:
        import time

        self._thread.start()
        deadline = time.monotonic() + self._wait_s
        while time.monotonic() < deadline and self._thread.is_alive():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                try:
                    probe.bind((LOOPBACK, self.port))
                except OSError:
                    return self  # the server holds it
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the echo server did not bind 127.0.0.1:{self.port}")

    def stop(self) -> RunResult | None:
        self._cancel.set()
        self._thread.join(10)
        return self.result
