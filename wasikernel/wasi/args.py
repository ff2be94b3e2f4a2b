"""args_get, args_sizes_get, environ_get, environ_sizes_get: the guest's argv and environ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._spec import wasi

if TYPE_CHECKING:
    from ._memory import MemView
    from .host import WasiHost


def _argv(h: WasiHost) -> list[bytes]:
    return [s.encode("utf-8") for s in [h.sandbox.program_name, *h.sandbox.args]]


def _environ(h: WasiHost) -> list[bytes]:
    return [f"{k}={v}".encode() for k, v in h.sandbox.env.items()]


def _put_strings(m: MemView, strings: list[bytes], ptrs: int, buf: int) -> int:
    offset = buf
    table = bytearray()
    blob = bytearray()
    for s in strings:
        table += (offset & 0xFFFFFFFF).to_bytes(4, "little")
        blob += s + b"\0"
        offset += len(s) + 1
    m.write(ptrs, bytes(table))
    m.write(buf, bytes(blob))
    return 0


def _put_sizes(m: MemView, strings: list[bytes], count_ptr: int, size_ptr: int) -> int:
    m.put_u32(count_ptr, len(strings))
    m.put_u32(size_ptr, sum(len(s) + 1 for s in strings))
    return 0


@wasi("args_get", "argv:ptr", "argv_buf:strings")
def args_get(h: WasiHost, m: MemView, argv: int, argv_buf: int) -> int:
    """Write the argument pointers at ``argv`` and the NUL-terminated strings at ``argv_buf``."""
    return _put_strings(m, _argv(h), argv, argv_buf)


@wasi("args_sizes_get", "result.argc:size", "result.argv_buf_size:size")
def args_sizes_get(h: WasiHost, m: MemView, argc: int, size: int) -> int:
    """Write the number of arguments and the bytes their strings need."""
    return _put_sizes(m, _argv(h), argc, size)


@wasi("environ_get", "environ:ptr", "environ_buf:strings")
def environ_get(h: WasiHost, m: MemView, environ: int, environ_buf: int) -> int:
    """Write the ``NAME=value`` pointers and strings."""
    return _put_strings(m, _environ(h), environ, environ_buf)


@wasi("environ_sizes_get", "result.environc:size", "result.environ_buf_size:size")
def environ_sizes_get(h: WasiHost, m: MemView, count: int, size: int) -> int:
    """Write the number of environment variables and the bytes their strings need."""
    return _put_sizes(m, _environ(h), count, size)
