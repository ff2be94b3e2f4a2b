"""Making libc's own path refusals visible to the trace.

wasi-libc answers ``ENOENT`` by itself when a program opens a path that no preopened folder
covers: no WASI call happens, so a host could never see it. Programs compiled here are linked
with ``--wrap=__wasilibc_find_abspath`` (the lookup every path-taking libc function and Rust's
standard library go through) and a small wrapper that, when the lookup fails, calls the import
``wasikernel.libc_path_refused(path_ptr, path_len)`` before returning the same error.

The wrapper sits alone in an archive, so the linker pulls it in only for programs that look up
paths: a hello world keeps its imports unchanged.
"""

from __future__ import annotations

import struct

WRAPPED_SYMBOL = "__wasilibc_find_abspath"
WRAP_FLAG = f"--wrap={WRAPPED_SYMBOL}"
IMPORT_MODULE = "wasikernel"
IMPORT_NAME = "libc_path_refused"

C_WRAPPER = """\
#include <errno.h>
#include <string.h>

__attribute__((import_module("wasikernel"), import_name("libc_path_refused")))
void __wasikernel_libc_path_refused(const char *path, unsigned long length);

int __real___wasilibc_find_abspath(const char *path, const char **abs_prefix,
                                   const char **relative_path);

int __wrap___wasilibc_find_abspath(const char *path, const char **abs_prefix,
                                   const char **relative_path) {
    int fd = __real___wasilibc_find_abspath(path, abs_prefix, relative_path);
    if (fd == -1) {
        int saved = errno;
        __wasikernel_libc_path_refused(path, strlen(path));
        errno = saved;
    }
    return fd;
}
"""

RUST_WRAPPER = """\
#![no_std]
#![crate_type = "lib"]

#[link(wasm_import_module = "wasikernel")]
extern "C" {
    #[link_name = "libc_path_refused"]
    fn wasikernel_libc_path_refused(path: *const u8, length: usize);
}

extern "C" {
    fn __real___wasilibc_find_abspath(path: *const u8, abs_prefix: *mut *const u8,
                                      relative_path: *mut *const u8) -> i32;
}

#[no_mangle]
pub unsafe extern "C" fn __wrap___wasilibc_find_abspath(
    path: *const u8, abs_prefix: *mut *const u8, relative_path: *mut *const u8,
) -> i32 {
    let fd = __real___wasilibc_find_abspath(path, abs_prefix, relative_path);
    if fd == -1 {
        let mut length = 0usize;
        while *path.add(length) != 0 {
            length += 1;
        }
        wasikernel_libc_path_refused(path, length);
    }
    fd
}
"""


def archive(object_bytes: bytes, member: str = "wasikernel_trace.o") -> bytes:
    """Return a GNU ``ar`` archive holding one object, with a symbol index naming the wrapper.

    Written here rather than with an ``ar`` tool so every toolchain route works the same way.
    """
    symbol = f"__wrap_{WRAPPED_SYMBOL}".encode() + b"\0"

    def header(name: str, size: int) -> bytes:
        return (
            f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{size:<10}".encode("ascii") + b"`\n"
        )

    index_size = 4 + 4 + len(symbol)
    index_padded = index_size + (index_size & 1)
    object_offset = 8 + 60 + index_padded
    index = struct.pack(">II", 1, object_offset) + symbol + b"\n" * (index_size & 1)
    body = object_bytes + b"\n" * (len(object_bytes) & 1)
    return (
        b"!<arch>\n"
        + header("/", index_size)
        + index
        + header(member[:15] + "/", len(object_bytes))
        + body
    )
