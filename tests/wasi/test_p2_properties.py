"""Property-based test of the preview 2 host's functions (hypothesis).

Every function the preview 2 host defines is called through its recording wrapper (the
callable the linker is given), in random sequences, with random arguments drawn by WIT
parameter name: paths that try to climb out (``..``, absolute paths, links leading out, the
outside folder's own path, NUL bytes, 5,000-byte paths), lengths and offsets up to 2**64 - 1,
random flags and timestamps, and for resources the host's own objects (the preopen, a file
opened in it, streams, pollables, a closed file). Properties:

- nothing but the three exceptions the host lets out on purpose (ProcExit, LimitReached,
  HostTrap) leaves a call, and no call is recorded as a bug of the host;
- no call blocks past the run's deadline;
- nothing outside the preopen is read, written, listed or created.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wasiharness import Watched

from wasikernel import messages
from wasikernel.sandbox import Limits, Preopen, Sandbox
from wasikernel.wasi import LimitReached, ProcExit
from wasikernel.wasi.p2 import REGISTRY, ComponentHost, HostTrap

PATHS = [
    "inside.txt", "subdir", "subdir/../inside.txt", ".", "..", "../outside/secret.txt",
    "../outside", "/etc/passwd", "/", "link-out", "link-out/secret.txt", "link-up/outside",
    "new.txt", "newdir", "subdir/new", "a/b/../../..", "inside.txt/", "\x00hidden", "//", "",
    "x" * 5000, "/".join([".."] * 300),
]  # fmt: skip
U64 = st.one_of(st.integers(0, 64), st.sampled_from([1 << 20, 1 << 31, 1 << 63, (1 << 64) - 1]),
                st.integers(0, (1 << 64) - 1))  # fmt: skip
# the functions worth calling (the exits end the run; TCP methods need a granted socket; UDP
# ones are called on the host's own sockets, none granted an address)
NAMES = [f.call for f in REGISTRY if "tcp-socket." not in f.call]
BY_CALL = {f.call: (i, f) for i, f in enumerate(REGISTRY)}


def _flags(names: str) -> st.SearchStrategy[set[str]]:
    return st.sets(st.sampled_from(names.split()))


def _timestamp() -> st.SearchStrategy:
    from wasmtime.component import Record, Variant

    def stamp(seconds: int, nanos: int) -> Variant:
        rec = Record()
        rec.seconds, rec.nanoseconds = seconds, nanos
        return Variant("timestamp", rec)

    return st.one_of(
        st.just(Variant("no-change")), st.just(Variant("now")),
        st.builds(stamp, U64, st.integers(0, (1 << 32) - 1)),
    )  # fmt: skip


def _addresses() -> st.SearchStrategy:
    """Socket addresses: loopback, unspecified, another host, IPv6, any port up to 65535."""
    from wasmtime.component import Record, Variant

    def v4(ip: tuple, port: int) -> Variant:
        rec = Record()
        rec.port, rec.address = port, ip
        return Variant("ipv4", rec)

    def v6(port: int) -> Variant:
        rec = Record()
        rec.port, rec.address = port, (0, 0, 0, 0, 0, 0, 0, 1)
        setattr(rec, "flow-info", 0)
        setattr(rec, "scope-id", 0)
        return Variant("ipv6", rec)

    ports = st.sampled_from([0, 1, 9, 65535])
    ips = st.sampled_from([(127, 0, 0, 1), (0, 0, 0, 0), (10, 1, 2, 3), (255, 255, 255, 255)])
    return st.one_of(st.builds(v4, ips, ports), st.builds(v6, ports))


def _datagram(data: bytes, to):  # noqa: ANN001, ANN202
    from wasmtime.component import Record

    rec = Record()
    rec.data = data
    setattr(rec, "remote-address", to)
    return rec


STRATEGIES = {
    "path-flags": _flags("symlink-follow"), "old-path-flags": _flags("symlink-follow"),
    "open-flags": _flags("create directory exclusive truncate"),
    "flags": _flags("read write file-integrity-sync data-integrity-sync requested-write-sync "
                    "mutate-directory"),
    "advice": st.sampled_from("normal sequential random will-need dont-need no-reuse".split()),
    "buffer": st.binary(max_size=64), "contents": st.binary(max_size=64),
    "data-access-timestamp": _timestamp(), "data-modification-timestamp": _timestamp(),
    "address-family": st.sampled_from(["ipv4", "ipv6"]), "status-code": st.integers(0, 255),
    "shutdown-type": st.sampled_from(["receive", "send", "both"]),
    "local-address": _addresses(), "remote-address": st.one_of(st.none(), _addresses()),
    "datagrams": st.lists(st.builds(_datagram, st.binary(max_size=64) | st.just(b"x" * 70_000),
                                    st.one_of(st.none(), _addresses())), max_size=20),
}  # fmt: skip
for _name in ("path", "old-path", "new-path", "name"):
    STRATEGIES[_name] = st.sampled_from(PATHS)
for _name in ("offset", "length", "len", "size", "when", "value", "max-results"):
    STRATEGIES[_name] = U64


@st.composite
def call_sequences(draw: st.DrawFn) -> list[tuple[str, list]]:
    calls = []
    for _ in range(draw(st.integers(1, 6))):
        call = draw(st.sampled_from(NAMES))
        _, func = BY_CALL[call]
        args = [STRATEGIES[p] if p in STRATEGIES else p for p in func.params]
        calls.append((call, [draw(a) if not isinstance(a, str) else a for a in args]))
    return calls


def _objects(host: ComponentHost, jail: Path, outside: Path) -> dict[str, list]:
    """The host's objects a resource parameter is drawn from, by resource kind."""
    from wasikernel.wasi.fs import OpenMode
    from wasikernel.wasi.p2._spec import StreamErrorObject
    from wasikernel.wasi.p2.filesystem import Descriptor, DirectoryEntryStream
    from wasikernel.wasi.p2.io import InputStream, OutputStream, Pollable
    from wasikernel.wasi.p2.sockets import (
        AddressStream,
        IncomingDatagrams,
        Network,
        OutgoingDatagrams,
        UdpSocket,
    )

    fs = host.filesystems[0][1]
    root = Descriptor(fs, fs.root(), "/", kind="dir", preopen=True)
    sub = Descriptor(fs, fs.open_dir(fs.root(), "subdir"), "/subdir", kind="dir")
    file = Descriptor(fs, fs.open_file(fs.root(), "inside.txt", OpenMode(True, True)),
                      "/inside.txt", kind="file", flags=frozenset({"read", "write"}))  # fmt: skip
    closed = Descriptor(fs, fs.open_file(fs.root(), "inside.txt", OpenMode(True, False)),
                        "/inside.txt", kind="file", flags=frozenset({"read"}))  # fmt: skip
    closed.close()
    objects = {
        "descriptor": [root, sub, file, closed],
        "input-stream": [InputStream("stdin"), InputStream("/inside.txt", file.handle, 3)],
        "output-stream": [OutputStream("stdout"), OutputStream("/inside.txt", file.handle, 2),
                          OutputStream("/inside.txt", file.handle, append=True)],
        "pollable": [Pollable(), Pollable(time.monotonic_ns() + 10**6)],
        "error": [StreamErrorObject(8), StreamErrorObject(200)],
        "directory-entry-stream": [DirectoryEntryStream(fs.listdir(fs.root()), "/")],
        "network": [Network()],
        "resolve-address-stream": [AddressStream("x", [])],
    }  # fmt: skip
    bound = UdpSocket("ipv4")
    bound.sock.bind(("127.0.0.1", 0))  # an ephemeral port, as a client binds
    bound.state, bound.address = "bound", bound.sock.getsockname()
    closed_udp = UdpSocket("ipv6")
    closed_udp.close()
    objects["udp-socket"] = [UdpSocket("ipv4"), bound, closed_udp]
    objects["incoming-datagram-stream"] = [IncomingDatagrams(bound), IncomingDatagrams(closed_udp)]
    outgoing = OutgoingDatagrams(bound)
    outgoing.permit = 16
    objects["outgoing-datagram-stream"] = [outgoing, OutgoingDatagrams(closed_udp)]
    return objects


def _argument(func, name: str, value, objects: dict, draw_index: int):  # noqa: ANN001, ANN202
    if not isinstance(value, str) or name not in (func.params):
        return value
    if name in ("self",):
        kind = func.name.split("]")[1].split(".")[0]
    elif name in ("new-descriptor", "other"):
        kind = "descriptor"
    elif name == "src":
        kind = "input-stream"
    elif name == "err":
        kind = "error"
    elif name == "network":
        kind = "network"
    elif name == "in":
        pool = objects["pollable"]
        return [pool[(draw_index + k) % len(pool)] for k in range(draw_index % 3)]
    elif name == "status":
        from wasmtime.component import Variant

        return Variant("ok" if draw_index % 2 else "err")
    else:
        return value
    pool = objects[kind]
    return pool[draw_index % len(pool)]


@pytest.mark.slow
@pytest.mark.parametrize("tree", [False, True], ids=["host-folder", "in-memory"])
@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(calls=call_sequences(), picks=st.lists(st.integers(0, 11), min_size=8, max_size=8))
def test_random_p2_calls_never_raise_nor_touch_outside(tree, calls, picks):  # fmt: skip
    base = Path(tempfile.mkdtemp(prefix="wasi-p2-prop-"))
    try:
        jail, outside = base / "jail", base / "outside"
        (jail / "subdir").mkdir(parents=True)
        (jail / "inside.txt").write_bytes(b"inside\n")
        (jail / "link-out").symlink_to("../outside")
        (jail / "link-up").symlink_to("..")
        (outside / "private").mkdir(parents=True)
        (outside / "secret.txt").write_bytes(b"TOP SECRET\n")
        watched = Watched(outside).record()
        preopen = (Preopen("/", tree={"inside.txt": b"inside\n", "subdir": {}}) if tree
                   else Preopen("/", host_path=str(jail)))  # fmt: skip
        host = ComponentHost(Sandbox(preopens=[preopen], limits=Limits(timeout_s=1)))
        objects = _objects(host, jail, outside)
        bug = messages.t("p2_host_bug", error="").split("(")[0]
        for n, (call, args) in enumerate(calls):
            index, func = BY_CALL[call]
            wrapper = host._traced(index, func)
            values = [_argument(func, p, a, objects, picks[(n + k) % 8])
                      for k, (p, a) in enumerate(zip(func.params, args, strict=True))]  # fmt: skip
            host.deadline = time.monotonic() + 0.2
            start = time.monotonic()
            try:
                wrapper(None, *values)
            except (ProcExit, LimitReached, HostTrap) as exc:
                assert not isinstance(exc, HostTrap) or bug not in exc.message, exc.message
            assert time.monotonic() - start < 5, f"{call} blocked"
        for event in host.trace.events:
            assert not (event.reason or "").startswith(bug), event.to_text()
        assert watched.changes() == []
        for obj in list(host.table.values()):
            obj.close()
        host.close_filesystems()
    finally:
        shutil.rmtree(base, ignore_errors=True)
