"""The sandbox's filesystem: every route out of a preopen is refused, recorded and explained.

The host is called directly with a bytearray memory, on a host folder and on an in-memory tree;
a sentinel folder beside the preopen must stay untouched.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.wasi import BytesMemory, Errno, WasiHost

PATH_AT = 1000
OUT = 64
O_CREAT, O_DIRECTORY, O_EXCL, O_TRUNC = 1, 2, 4, 8
RIGHTS_RW = (1 << 1) | (1 << 6)  # fd_read | fd_write


class Guest:
    """A host plus a memory, with helpers to pass strings the way a guest does."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.host = WasiHost(sandbox)
        self.mem = BytesMemory(65536)

    def call(self, name: str, *args: int) -> int:
        return self.host.lookup("wasi_snapshot_preview1", name).call(self.mem, *args)

    def put(self, text: str, at: int = PATH_AT) -> tuple[int, int]:
        data = text.encode()
        self.mem.write(at, data)
        return at, len(data)

    def u32(self, addr: int) -> int:
        return struct.unpack("<I", self.mem.read(addr, 4))[0]

    def open(self, path: str, oflags: int = 0, rights: int = RIGHTS_RW, follow: int = 1) -> int:
        p, n = self.put(path)
        return self.call("path_open", 3, follow, p, n, oflags, rights, 0, 0, OUT)

    def write_file(self, path: str, data: bytes) -> int:
        errno = self.open(path, O_CREAT | O_TRUNC)
        if errno:
            return errno
        fd = self.u32(OUT)
        self.mem.write(2000, data)
        self.mem.write(1900, struct.pack("<II", 2000, len(data)))
        errno = self.call("fd_write", fd, 1900, 1, OUT)
        self.call("fd_close", fd)
        return errno

    def read_file(self, path: str) -> bytes:
        assert self.open(path, 0, 2) == 0
        fd = self.u32(OUT)
        self.mem.write(1900, struct.pack("<II", 3000, 1000))
        assert self.call("fd_read", fd, 1900, 1, OUT) == 0
        self.call("fd_close", fd)
        return self.mem.read(3000, self.u32(OUT))


@pytest.fixture(params=["host", "memory"])
def world(request, tmp_path: Path):
    """A guest with a read-write preopen ``/sandbox`` holding ``inside.txt`` and ``sub/``;
    ``outside/secret.txt`` sits beside it on the host."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    if request.param == "host":
        root = tmp_path / "sandbox"
        (root / "sub").mkdir(parents=True)
        (root / "inside.txt").write_text("inside")
        (root / "to_outside").symlink_to(outside)
        (root / "to_secret").symlink_to(outside / "secret.txt")
        (root / "sub" / "up").symlink_to("../..")
        pre = Preopen("/sandbox", host_path=str(root))
    else:
        pre = Preopen("/sandbox", tree={"inside.txt": b"inside", "sub": {}})
    guest = Guest(Sandbox(preopens=[pre]))
    if request.param == "memory":  # the same links, made by the host in the in-memory tree
        fs = guest.host.filesystems[0][1]
        root = fs.root()
        fs.symlink(str(outside), root, "to_outside")
        fs.symlink(str(outside / "secret.txt"), root, "to_secret")
        fs.symlink("../..", fs.open_dir(root, "sub"), "up")
    guest.kind = request.param
    guest.outside = outside
    yield guest
    snapshot = sorted(p.name for p in outside.rglob("*"))
    assert snapshot == ["secret.txt"], f"something changed outside the sandbox: {snapshot}"
    assert (outside / "secret.txt").read_text() == "secret"
    guest.host.close()


def _last(guest: Guest):
    return guest.host.trace.events[-1]


def test_reads_and_writes_inside_the_preopen(world):
    assert world.write_file("new.txt", b"hello") == 0
    assert world.read_file("new.txt") == b"hello"
    assert world.read_file("sub/../inside.txt") == b"inside"


@pytest.mark.parametrize(
    "path",
    ["../outside/secret.txt", "sub/../../outside/secret.txt", "/etc/passwd", "./../x"],
)
def test_paths_that_climb_out_are_refused_and_explained(world, path):
    assert world.open(path) == Errno.PERM
    ev = _last(world)
    assert ev.call == "path_open" and ev.args["path"] == path
    assert ev.denied and ev.capability == "preopen" and ev.errno == "perm"
    assert "outside every directory granted" in ev.reason or "climbs" in ev.reason


def test_create_and_mkdir_outside_are_refused(world):
    assert world.open("../outside/new.txt", O_CREAT) == Errno.PERM
    p, n = world.put("../outside/newdir")
    assert world.call("path_create_directory", 3, p, n) == Errno.PERM
    assert _last(world).denied


def test_host_made_symlinks_leading_out_are_not_followed(world):
    for path in ("to_secret", "to_outside/secret.txt", "sub/up/outside/secret.txt"):
        assert world.open(path) == Errno.PERM, path
        ev = _last(world)
        assert ev.denied and "symbolic link" in ev.reason
    # listing through a link out is refused too
    assert world.open("to_outside", O_DIRECTORY, 1 << 14) == Errno.PERM


def test_guest_made_symlinks_cannot_lead_out(world):
    target, tn = world.put("/etc", at=1200)
    p, n = world.put("abs")
    assert world.call("path_symlink", target, tn, 3, p, n) == Errno.PERM
    assert _last(world).denied
    # a relative link that climbs out can be made, but never followed
    target, tn = world.put("../outside", at=1200)
    p, n = world.put("rel")
    assert world.call("path_symlink", target, tn, 3, p, n) == 0
    assert world.open("rel/secret.txt") == Errno.PERM
    assert world.write_file("rel/created.txt", b"x") == Errno.PERM


def test_hard_links_and_renames_cannot_leave(world):
    old, on = world.put("inside.txt", at=1200)
    new, nn = world.put("../outside/stolen.txt")
    assert world.call("path_link", 3, 0, old, on, 3, new, nn) == Errno.PERM
    assert world.call("path_rename", 3, old, on, 3, new, nn) == Errno.PERM
    src, sn = world.put("../outside/secret.txt", at=1200)
    dst, dn = world.put("got.txt")
    assert world.call("path_link", 3, 0, src, sn, 3, dst, dn) == Errno.PERM
    assert world.call("path_rename", 3, src, sn, 3, dst, dn) == Errno.PERM


def test_read_only_preopen_refuses_every_change(tmp_path):
    root = tmp_path / "ro"
    root.mkdir()
    (root / "f.txt").write_text("keep")
    guest = Guest(Sandbox(preopens=[Preopen("/ro", host_path=str(root), read_only=True)]))
    assert guest.read_file("f.txt") == b"keep"
    assert guest.write_file("f.txt", b"changed") == Errno.PERM
    ev = _last(guest)
    assert ev.denied and ev.capability == "write" and "--ro-dir" in ev.reason
    for call in ("path_create_directory", "path_unlink_file"):
        p, n = guest.put("f.txt")
        assert guest.call(call, 3, p, n) == Errno.PERM
    assert sorted(os.listdir(root)) == ["f.txt"] and (root / "f.txt").read_text() == "keep"


def test_readdir_lists_entries_with_cookies(world):
    assert world.open(".", O_DIRECTORY, 1 << 14) == 0
    fd = world.u32(OUT)
    assert world.call("fd_readdir", fd, 4000, 4096, 0, OUT) == 0
    used = world.u32(OUT)
    names, off = [], 0
    raw = world.mem.read(4000, used)
    while off + 24 <= used:
        _next, _ino, namlen, _ft = struct.unpack_from("<QQIB", raw, off)
        names.append(raw[off + 24 : off + 24 + namlen].decode())
        off += 24 + namlen
    assert {".", "..", "inside.txt", "sub"} <= set(names)
    # a tiny buffer is filled, not overrun
    world.mem.write(5000, b"\xee" * 20)
    assert world.call("fd_readdir", fd, 5000, 10, 0, OUT) == 0
    assert world.u32(OUT) == 10 and world.mem.read(5010, 4) == b"\xee" * 4


def test_in_memory_tree_reports_what_the_run_left():
    guest = Guest(Sandbox(preopens=[Preopen("/m", tree={"a.txt": b"A"})]))
    assert guest.write_file("b.txt", b"B") == 0
    p, n = guest.put("d")
    assert guest.call("path_create_directory", 3, p, n) == 0
    assert guest.host.memory_trees() == {"/m": {"a.txt": b"A", "b.txt": b"B", "d": {}}}


def test_prestat_names_the_preopen(world):
    assert world.call("fd_prestat_get", 3, OUT) == 0
    assert world.u32(OUT + 4) == len("/sandbox")
    assert world.call("fd_prestat_dir_name", 3, 500, 3) == Errno.NAMETOOLONG
    assert world.call("fd_prestat_dir_name", 3, 500, 8) == 0
    assert world.mem.read(500, 8) == b"/sandbox"
    assert world.call("fd_prestat_get", 4, OUT) == Errno.BADF


def test_refusal_reasons_follow_the_chosen_language(tmp_path):
    from wasikernel import messages

    guest = Guest(Sandbox(preopens=[Preopen("/app", tree={})]))
    messages.set_language("fr")
    try:
        assert guest.open("../etc/passwd") == Errno.PERM
    finally:
        messages.set_language("en")
    reason = guest.host.trace.events[-1].reason
    assert (
        reason == "/etc/passwd est hors de tous les dossiers accordés à ce module ; "
        "accordez-le avec --dir"
    )


def test_a_fifo_in_a_host_folder_cannot_hang_the_run(tmp_path):
    import threading

    os.mkfifo(tmp_path / "pipe")
    writer = os.open(tmp_path / "pipe", os.O_RDWR | os.O_NONBLOCK)  # present, never writes
    try:
        guest = Guest(Sandbox(preopens=[Preopen("/d", host_path=str(tmp_path))]))
        assert guest.open("pipe", 0, 2) == 0
        fd = guest.u32(OUT)
        guest.mem.write(1900, struct.pack("<II", 3000, 10))
        answers = []
        reader = threading.Thread(
            target=lambda: answers.append(guest.call("fd_read", fd, 1900, 1, OUT)), daemon=True
        )
        reader.start()
        reader.join(5)
        assert answers == [Errno.AGAIN], "a read of an empty FIFO must not block the run"
    finally:
        os.close(writer)
