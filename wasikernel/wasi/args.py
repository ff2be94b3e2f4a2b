"""args_get, args_sizes_get, environ_get, environ_sizes_get: the guest's argv and environ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._spec import wasi

if TYPE_CHECKING:
    from ._memory import MemView
    from ._state import HostState


def _argv(h: HostState) -> list[bytes]:
    return [s.encode("utf-8") for s in [h.sandbox.program_name, *h.sandbox.args]]


def _environ(h: HostState) -> list[bytes]:
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


@wasi("args_get", "argv:ptr<ptr<u8>>", "argv_buf:strings")
def args_get(h: HostState, m: MemView, argv: int, argv_buf: int) -> int:
    """Copies the program's command-line arguments into guest memory: a table of pointers in argv
    and the NUL-terminated strings in argv_buf.

    Errors: ``fault`` when either buffer is outside memory."""
    return _put_strings(m, _argv(h), argv, argv_buf)


@wasi("args_sizes_get", "result.argc:size", "result.argv_buf_size:size")
def args_sizes_get(h: HostState, m: MemView, argc: int, size: int) -> int:
    """Tells the program how many arguments it has and how many bytes their strings need, so it can
    allocate room before calling args_get.

    Errors: ``fault``."""
    return _put_sizes(m, _argv(h), argc, size)


@wasi("environ_get", "environ:ptr<ptr<u8>>", "environ_buf:strings")
def environ_get(h: HostState, m: MemView, environ: int, environ_buf: int) -> int:
    """Copies the environment variables the sandbox grants (NAME=value strings) into guest memory.

    Errors: ``fault`` when either buffer is outside memory."""
    return _put_strings(m, _environ(h), environ, environ_buf)


@wasi("environ_sizes_get", "result.environc:size", "result.environ_buf_size:size")
def environ_sizes_get(h: HostState, m: MemView, count: int, size: int) -> int:
    """Tells the program how many environment variables it was given and how many bytes they take.

    Errors: ``fault``."""
    return _put_sizes(m, _environ(h), count, size)
