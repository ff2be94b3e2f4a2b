"""Guest memory as the host sees it: a protocol, a bytearray implementation, a recording view.

Every body reaches guest memory through :class:`MemView`, which checks bounds (any failure is a
:class:`GuestFault`, which the wrapper turns into ``EFAULT``) and, when tracing, records each
range read or written together with (a cut of) its bytes, so the trace can show them. One call
records at most ACCESS_HEAD + ACCESS_TAIL accesses: the first ones and the last ones (where a
call writes its results); those between are counted, not kept.
"""

from __future__ import annotations

import struct
from typing import Protocol, runtime_checkable

__all__ = [
    "GuestMemory", "BytesMemory", "GuestFault", "MemView", "DATA_CUT", "ACCESS_HEAD",
    "ACCESS_TAIL", "SKIPPED", "iter_log", "log_head",
]  # fmt: skip

#: bytes of each range kept for the trace (iovec contents, paths); the rest is cut.
DATA_CUT = 256
#: accesses of one call kept from its start, and from its end; those between are counted
ACCESS_HEAD = 64
ACCESS_TAIL = 4
#: the access code of the log entry that counts the accesses not kept (its ``addr`` field)
SKIPPED = 2

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_U32_PAIR = struct.Struct("<II")
#: the header of each access in a call's log: address, length, access (0 read, 1 write, or
#: SKIPPED with the count of accesses left out in the address field)
log_head = _HEAD = struct.Struct("<IIB")
_HEAD_SIZE = _HEAD.size
_pack_head = _HEAD.pack


def iter_log(log: bytes) -> tuple[list[tuple[int, int, str, bytes]], int]:
    """Return the accesses of a call's log as ``(addr, len, "r"|"w", first bytes)``, and the
    number of accesses the log counted without keeping them."""
    out = []
    skipped = 0
    pos = 0
    end = len(log)
    unpack = _HEAD.unpack_from
    while pos + _HEAD_SIZE <= end:
        addr, length, acc = unpack(log, pos)
        pos += _HEAD_SIZE
        if acc == SKIPPED:
            skipped += addr
            continue
        kept = length if length < DATA_CUT else DATA_CUT
        out.append((addr, length, "w" if acc else "r", log[pos : pos + kept]))
        pos += kept
    return out, skipped


@runtime_checkable
class GuestMemory(Protocol):
    """The linear memory of a guest, as any engine can expose it.

    ``read`` and ``write`` raise (any exception) when ``addr``..``addr+len`` is not inside
    ``size()`` bytes, and check that before allocating anything.
    """

    def size(self) -> int:
        """Return the size of the memory in bytes."""
        ...

    def read(self, addr: int, length: int) -> bytes:
        """Return ``length`` bytes at ``addr``; raise when out of bounds."""
        ...

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` at ``addr``; raise when out of bounds."""
        ...


class GuestFault(Exception):
    """A guest pointer or length outside its memory; a host function answers ``EFAULT``."""


class BytesMemory:
    """A :class:`GuestMemory` held in a ``bytearray`` (tests, Python interpreters)."""

    __slots__ = ("data",)

    def __init__(self, data: bytearray | bytes | int = 65536) -> None:
        self.data = bytearray(data) if not isinstance(data, bytearray) else data

    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)

    def read(self, addr: int, length: int) -> bytes:
        """Return ``length`` bytes at ``addr``; raise :class:`GuestFault` when out of bounds."""
        if addr < 0 or length < 0 or addr + length > len(self.data):
            raise GuestFault(f"read of {length} bytes at {addr} is out of bounds")
        return bytes(self.data[addr : addr + length])

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` at ``addr``; raise :class:`GuestFault` when out of bounds."""
        if addr < 0 or addr + len(data) > len(self.data):
            raise GuestFault(f"write of {len(data)} bytes at {addr} is out of bounds")
        self.data[addr : addr + len(data)] = data


class MemView:
    """The bounds-checked, recording view of a guest memory that host bodies use.

    ``log`` is ``None`` when not tracing, else a bytearray to which each access appends a
    header ``(addr: u32, len: u32, access: u8)`` (access 0 read, 1 write) and its first
    ``min(len, DATA_CUT)`` bytes; :func:`iter_log` reads it back. One flat bytes object per
    call keeps a recorded event small and invisible to the garbage collector. Past the first
    ACCESS_HEAD accesses only the last ACCESS_TAIL are kept (in ``tail``), behind an entry
    counting the others; :meth:`close_log` puts them in the log.
    """

    __slots__ = ("buf", "log", "mem", "left", "tail", "skipped")

    def __init__(self, mem: GuestMemory, log: bytearray | None = None) -> None:
        self.mem = mem
        self.log = log
        self.buf: memoryview | None = None
        self.left = ACCESS_HEAD
        self.tail: list[bytes] | None = None
        self.skipped = 0

    def attach(self, mem: GuestMemory, log: bytearray | None) -> None:
        """Point at ``mem`` for one call. A memory that offers ``buffer`` (a memoryview of its
        bytes that stays valid, possibly shorter than the memory after it grew) is accessed
        through it directly, and through ``read``/``write`` past its end."""
        self.mem = mem
        self.log = log
        self.buf = getattr(mem, "buffer", None)
        self.left = ACCESS_HEAD
        if self.tail is not None:
            self.tail = None
            self.skipped = 0

    def _keep_last(self, addr: int, length: int, access: int, data: bytes) -> None:
        """Past ACCESS_HEAD accesses: keep this one among the last ACCESS_TAIL, counting the
        one it pushes out."""
        entry = _pack_head(addr, length, access) + bytes(data[:DATA_CUT])
        tail = self.tail
        if tail is None:
            self.tail = tail = []
        tail.append(entry)
        if len(tail) > ACCESS_TAIL:
            del tail[0]
            self.skipped += 1

    def close_log(self) -> int:
        """Append the kept last accesses (behind the count of skipped ones) to the log; return
        the number of accesses the log keeps."""
        tail = self.tail
        if tail is None:
            return ACCESS_HEAD - self.left
        log = self.log
        assert log is not None
        if self.skipped:
            log += _pack_head(self.skipped, 0, SKIPPED)
        log += b"".join(tail)
        return ACCESS_HEAD + len(tail)

    def read(self, addr: int, length: int) -> bytes:
        """Return guest bytes; raise :class:`GuestFault` when out of bounds."""
        buf = self.buf
        if buf is not None and 0 <= addr and 0 <= length and addr + length <= len(buf):
            data = buf[addr : addr + length].tobytes()
        else:
            try:
                data = self.mem.read(addr, length)
            except Exception as exc:
                raise GuestFault(f"read of {length} bytes at {addr}") from exc
            if len(data) != length:
                raise GuestFault(f"read of {length} bytes at {addr}")
        log = self.log
        if log is not None:
            if self.left:  # inline: the common case, a few accesses per call
                self.left -= 1
                log += _pack_head(addr, length, 0)
                log += data if length <= DATA_CUT else data[:DATA_CUT]
            else:
                self._keep_last(addr, length, 0, data)
        return data

    def write(self, addr: int, data: bytes) -> None:
        """Store guest bytes; raise :class:`GuestFault` when out of bounds."""
        n = len(data)
        buf = self.buf
        if buf is not None and 0 <= addr and addr + n <= len(buf):
            buf[addr : addr + n] = data
        else:
            try:
                self.mem.write(addr, data)
            except Exception as exc:
                raise GuestFault(f"write of {n} bytes at {addr}") from exc
        log = self.log
        if log is not None:
            if self.left:
                self.left -= 1
                log += _pack_head(addr, n, 1)
                log += data if n <= DATA_CUT else data[:DATA_CUT]
            else:
                self._keep_last(addr, n, 1, data)

    def u32(self, addr: int) -> int:
        """Read a little-endian u32."""
        return _U32.unpack(self.read(addr, 4))[0]

    def put_u32(self, addr: int, value: int) -> None:
        """Write a little-endian u32."""
        self.write(addr, _U32.pack(value & 0xFFFFFFFF))

    def put_u64(self, addr: int, value: int) -> None:
        """Write a little-endian u64."""
        self.write(addr, _U64.pack(value & 0xFFFFFFFFFFFFFFFF))

    def string(self, addr: int, length: int) -> str:
        """Read a UTF-8 string (a path); raise :class:`GuestFault` when out of bounds or
        ``UnicodeDecodeError`` when not UTF-8."""
        return self.read(addr, length).decode("utf-8")

    def iovecs(self, addr: int, count: int) -> list[tuple[int, int]]:
        """Read an array of ``count`` (buf, buf_len) pairs."""
        if count == 0:
            return []
        raw = self.read(addr, 8 * count)
        if count == 1:
            return [_U32_PAIR.unpack(raw)]
        return list(_U32_PAIR.iter_unpack(raw))
