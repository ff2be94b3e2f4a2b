"""The cursor every reader of the binary format moves: bytes, LEB128 integers, names, limits."""

from __future__ import annotations

import struct

__all__ = ["DecodeError", "Reader", "VALTYPE_NAMES", "encode_u32"]

VALTYPE_NAMES = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
}


class DecodeError(Exception):
    """The bytes are not WebAssembly this reader can read; the message says what is wrong."""


class Reader:
    """A cursor over ``data[pos:end]``; every read past ``end`` raises :class:`DecodeError`."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def byte(self) -> int:
        """The next byte; raises DecodeError at the end."""
        if self.pos >= self.end:
            raise DecodeError("unexpected end of the module bytes")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u32(self) -> int:
        """An unsigned LEB128 integer of at most 32 bits; raises DecodeError when it is longer."""
        return self.unsigned(32)

    def u64(self) -> int:
        """An unsigned LEB128 integer of at most 64 bits; raises DecodeError when it is longer."""
        return self.unsigned(64)

    def unsigned(self, bits: int) -> int:
        """An unsigned LEB128 integer of at most ``bits`` bits, in at most ``ceil(bits / 7)``
        bytes; raises DecodeError on more bytes or a larger value."""
        result = shift = 0
        longest = 7 * ((bits + 6) // 7)
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                if shift + 7 > bits and b >> (bits - shift):
                    raise DecodeError("integer too large")
                return result
            shift += 7
            if shift >= longest:
                raise DecodeError("integer representation too long")

    def sleb(self, bits: int) -> int:
        """A signed LEB128 integer, returned as its unsigned ``bits``-bit pattern."""
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        if b & 0x40:
            result -= 1 << shift
        return result & ((1 << bits) - 1)

    def bytes(self, n: int) -> bytes:
        """The next ``n`` bytes; raises DecodeError when fewer are left."""
        if self.pos + n > self.end:
            raise DecodeError("unexpected end of the module bytes")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return bytes(out)

    def name(self) -> str:
        """A length-prefixed UTF-8 name (bytes that are not UTF-8 become U+FFFD)."""
        return self.bytes(self.u32()).decode("utf-8", errors="replace")

    def f32(self) -> int:
        """The bit pattern of an ``f32`` immediate."""
        return struct.unpack("<I", self.bytes(4))[0]

    def f64(self) -> float:
        return struct.unpack("<d", self.bytes(8))[0]

    def valtype(self) -> str:
        """A value type's name (``"i32"``, ``"funcref"``...); raises DecodeError on another byte."""
        b = self.byte()
        try:
            return VALTYPE_NAMES[b]
        except KeyError:
            raise DecodeError(f"unknown value type 0x{b:02x}") from None

    def limits(self) -> tuple[int, int | None]:
        """``(minimum, maximum or None)`` of a table or memory (64-bit for a memory64)."""
        flag = self.byte()
        read = self.u64 if flag & 4 else self.u32
        lo = read()
        hi = read() if flag & 1 else None
        return lo, hi

    def const_expr(self) -> bytes:
        """The bytes of a constant expression, up to and including its ``end``.

        Raises DecodeError on an instruction a constant expression cannot hold.
        """
        start = self.pos
        while True:
            op = self.byte()
            if op == 0x0B:
                return bytes(self.data[start : self.pos])
            if op in (0x41, 0x42):
                self.sleb(64)
            elif op == 0x43:
                self.bytes(4)
            elif op == 0x44:
                self.bytes(8)
            elif op in (0x23, 0xD2):
                self.u32()
            elif op == 0xD0:
                self.byte()
            elif op in (0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E):
                pass  # extended constant expressions
            else:
                raise DecodeError(f"opcode 0x{op:02x} in a constant expression")


def encode_u32(n: int) -> bytes:
    """``n`` as unsigned LEB128."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)
