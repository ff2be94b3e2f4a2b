"""A guest holds at most ``Limits.max_open_files`` descriptors (1024, Linux's usual soft
RLIMIT_NOFILE, stdio and preopens included): one more ``path_open`` is refused with ``mfile``
and a sentence, on a host folder (whose descriptors are the kernel process's own) and on an
in-memory tree alike; closing one makes room again.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from wasikernel import messages
from wasikernel.sandbox import Limits, Preopen, Sandbox
from wasikernel.wasi import BytesMemory, Errno, WasiHost

PATH, OUT = 1000, 64


def _host(kind: str, tmp_path: Path, **limits) -> WasiHost:
    if kind == "host folder":
        (tmp_path / "f").write_bytes(b"file")
        pre = Preopen("/", host_path=str(tmp_path))
    else:
        pre = Preopen("/", tree={"f": b"file", "d": {}})
    return WasiHost(Sandbox(preopens=[pre], limits=Limits(**limits)))


@pytest.mark.parametrize("kind", ["host folder", "in-memory tree"])
def test_past_the_open_files_limit_path_open_is_mfile(kind, tmp_path):
    host = _host(kind, tmp_path, max_open_files=64)
    memory = BytesMemory(65536)
    memory.write(PATH, b"f")
    path_open = host.lookup("wasi_snapshot_preview1", "path_open").call
    opened = []
    while True:
        errno = path_open(memory, 3, 0, PATH, 1, 0, 2, 0, 0, OUT)
        if errno:
            break
        opened.append(struct.unpack("<I", memory.read(OUT, 4))[0])
        assert len(opened) <= 64
    assert errno == Errno.MFILE
    assert len(host.fds) == 64 and len(opened) == 64 - 4  # stdio and the preopen count
    event = host.trace.events[-1]
    assert event.denied and event.capability == "descriptors"
    assert event.reason == messages.t("limit_open_files", count=64)
    assert "max_open_files" in event.reason
    assert host.lookup("wasi_snapshot_preview1", "fd_close").call(memory, opened[0]) == 0
    assert path_open(memory, 3, 0, PATH, 1, 0, 2, 0, 0, OUT) == 0
    host.close()


def test_the_default_limit_is_1024():
    assert Limits().max_open_files == 1024


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_the_sentence_exists_in_each_language(language):
    entry = messages.CATALOGUE["limit_open_files"][language]
    assert "{count}" in entry and "max_open_files" in entry
