"""An in-memory tree holds at most ``Limits.max_tree_mib`` MiB over all its files: a write, a
resize or a new entry past it is refused with ``nospc`` (a full disk, as a size-limited tmpfs
answers), recorded as a refusal that names the limit, and nothing past it is ever allocated.
"""

from __future__ import annotations

import struct

import pytest

from wasikernel import messages
from wasikernel.sandbox import Limits, Preopen, Sandbox
from wasikernel.wasi import BytesMemory, Errno, WasiHost

PATH, IOV, DATA, OUT = 1000, 1900, 2000, 64
READ_WRITE = (1 << 1) | (1 << 6) | (1 << 22)  # fd_read, fd_write, fd_filestat_set_size
CREAT = 1
MIB = 1024 * 1024
GIB = 1024 * MIB


class Guest:
    """A host over one in-memory preopen ``/m`` (fd 3), called the way a guest calls it."""

    def __init__(self, tree: dict, max_tree_mib: int | None = None) -> None:
        limits = Limits() if max_tree_mib is None else Limits(max_tree_mib=max_tree_mib)
        self.host = WasiHost(Sandbox(preopens=[Preopen("/m", tree=tree)], limits=limits))
        self.mem = BytesMemory(65536)

    def call(self, name: str, *args: int) -> int:
        return self.host.lookup("wasi_snapshot_preview1", name).call(self.mem, *args)

    def path(self, text: str) -> tuple[int, int]:
        self.mem.write(PATH, text.encode())
        return PATH, len(text.encode())

    def open(self, name: str, oflags: int = CREAT) -> int:
        errno = self.call("path_open", 3, 0, *self.path(name), oflags, READ_WRITE, 0, 0, OUT)
        assert errno == 0, errno
        return struct.unpack("<I", self.mem.read(OUT, 4))[0]

    def pwrite(self, fd: int, data: bytes, offset: int) -> int:
        self.mem.write(DATA, data)
        self.mem.write(IOV, struct.pack("<II", DATA, len(data)))
        return self.call("fd_pwrite", fd, IOV, 1, offset, OUT)

    def tree(self) -> dict:
        return self.host.memory_trees()["/m"]

    @property
    def last(self):
        return self.host.trace.events[-1]


def test_a_sparse_write_at_one_gib_is_refused_before_allocating():
    guest = Guest({"f": b"file"})
    fd = guest.open("f", 0)
    assert guest.pwrite(fd, b"x", GIB) == Errno.NOSPC
    assert guest.tree() == {"f": b"file"}
    event = guest.last
    assert (event.call, event.errno, event.denied) == ("fd_pwrite", "nospc", True)
    assert event.capability == "storage"
    assert "64 MiB" in event.reason and "max_tree_mib" in event.reason


def test_the_limit_counts_every_file_of_the_tree():
    guest = Guest({"a": b"", "b": b""}, max_tree_mib=1)
    a, b = guest.open("a", 0), guest.open("b", 0)
    assert guest.call("fd_filestat_set_size", a, 600 * 1024) == 0
    assert guest.call("fd_filestat_set_size", b, 600 * 1024) == Errno.NOSPC
    assert guest.pwrite(b, b"y", 600 * 1024) == Errno.NOSPC
    assert guest.last.denied and "1 MiB" in guest.last.reason
    assert guest.pwrite(b, b"small", 0) == 0  # what still fits is written
    guest.call("fd_close", a)
    assert guest.call("path_unlink_file", 3, *guest.path("a")) == 0  # frees its bytes
    assert guest.call("fd_filestat_set_size", b, 600 * 1024) == 0
    assert len(guest.tree()["b"]) == 600 * 1024


def test_a_removed_file_still_open_keeps_its_bytes_until_closed():
    guest = Guest({}, max_tree_mib=1)
    fd = guest.open("tmp")
    assert guest.call("fd_filestat_set_size", fd, 900 * 1024) == 0
    assert guest.call("path_unlink_file", 3, *guest.path("tmp")) == 0
    other = guest.open("other")
    assert guest.call("fd_filestat_set_size", other, 900 * 1024) == Errno.NOSPC
    assert guest.call("fd_filestat_set_size", fd, 2 * 900 * 1024) == Errno.NOSPC
    guest.call("fd_close", fd)
    assert guest.call("fd_filestat_set_size", other, 900 * 1024) == 0


def test_a_loop_of_new_entries_ends_in_nospc():
    guest = Guest({}, max_tree_mib=1)
    for i in range(20_000):
        errno = guest.call("path_create_directory", 3, *guest.path(f"dir-{i:05d}-" + "n" * 200))
        if errno:
            break
    assert errno == Errno.NOSPC, errno
    assert 1000 < i < 20_000
    assert guest.last.capability == "storage"


def test_the_initial_tree_counts_and_a_tree_past_the_limit_only_reads():
    guest = Guest({"big": bytes(2 * MIB)}, max_tree_mib=1)
    fd = guest.open("big", 0)
    assert guest.pwrite(fd, b"z", 0) == 0  # overwriting grows nothing
    assert guest.pwrite(fd, b"z", 2 * MIB) == Errno.NOSPC


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_the_refusal_is_said_in_each_language(language):
    before = messages.get_language()
    messages.set_language(language)
    try:
        guest = Guest({"f": b""}, max_tree_mib=3)
        assert guest.pwrite(guest.open("f", 0), b"x", GIB) == Errno.NOSPC
        reason = guest.last.reason
    finally:
        messages.set_language(before)
    assert ("3 MiB" if language == "en" else "3 Mio") in reason
    assert "max_tree_mib" in reason and "--dir" in reason
