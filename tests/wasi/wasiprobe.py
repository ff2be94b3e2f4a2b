"""Tiny WAT modules that call WASI imports directly, for precise escape routes.

``probe(("path_open", 3, 0, "../x", 0, I64(-1), I64(-1), 0, OUT), ...)`` builds a module that
makes each call in turn with those arguments: a ``str`` becomes a pointer and a length into the
module's data, an ``int`` an ``i32.const``, an :class:`I64` an ``i64.const``. The module writes
one line per call to stdout, ``call=ERRNO``, and exits with the errno of the first call.
When a ``path_open`` succeeds, the module then reads from the new fd and lists it (fd_read and
fd_readdir into a buffer) and writes whatever came back to stdout, so a leaked secret shows;
after a successful ``fd_fdstat_get`` it writes the 24 bytes of the fdstat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import wasmtime

#: witx signatures of the imports the probes use (wasm value types of the parameters)
SIGNATURES: dict[str, tuple[str, ...]] = {
    "path_open": ("i32", "i32", "i32", "i32", "i32", "i64", "i64", "i32", "i32"),
    "path_symlink": ("i32", "i32", "i32", "i32", "i32"),
    "path_link": ("i32", "i32", "i32", "i32", "i32", "i32", "i32"),
    "path_rename": ("i32", "i32", "i32", "i32", "i32", "i32"),
    "path_create_directory": ("i32", "i32", "i32"),
    "path_unlink_file": ("i32", "i32", "i32"),
    "path_remove_directory": ("i32", "i32", "i32"),
    "path_filestat_get": ("i32", "i32", "i32", "i32", "i32"),
    "path_filestat_set_times": ("i32", "i32", "i32", "i32", "i64", "i64", "i32"),
    "path_readlink": ("i32", "i32", "i32", "i32", "i32", "i32"),
    "fd_read": ("i32", "i32", "i32", "i32"),
    "fd_write": ("i32", "i32", "i32", "i32"),
    "fd_readdir": ("i32", "i32", "i32", "i64", "i32"),
    "fd_close": ("i32",),
    "fd_fdstat_get": ("i32", "i32"),
    "fd_fdstat_set_rights": ("i32", "i64", "i64"),
    "fd_seek": ("i32", "i64", "i32", "i32"),
    "fd_pwrite": ("i32", "i32", "i32", "i64", "i32"),
    "fd_filestat_set_times": ("i32", "i64", "i64", "i32"),
    "fd_filestat_set_size": ("i32", "i64"),
    "fd_allocate": ("i32", "i64", "i64"),
}

OUT = 0x8000  # a scratch out-pointer (4 or more bytes) for results such as the opened fd
FILESTAT = 0x8100  # 64 bytes for a filestat
BUF, BUF_LEN = 0xA000, 0x1000  # read / readdir / readlink buffer
_IOV, _NREAD = 0x9000, 0x9010
_DATA = 0x100  # strings start here
_HIGH_DATA = 0x10000  # strings that do not fit below OUT start here

#: oflags
CREAT, DIRECTORY, EXCL, TRUNC = 1, 2, 4, 8
#: lookupflags
FOLLOW = 1
ALL_RIGHTS = (1 << 30) - 1


@dataclass(frozen=True)
class I64:
    value: int


def probe(*calls: tuple) -> bytes:
    """Assemble a module making ``calls`` in order; see the module docstring."""
    data: list[bytes] = []
    offset = _DATA
    high = _HIGH_DATA

    def string(s: str) -> tuple[int, int]:
        nonlocal offset, high
        raw = s.encode()
        if offset + len(raw) < OUT:
            at = offset
            offset += len(raw) + 1
        else:  # a long string goes above the scratch areas, in pages added for it
            at = high
            high += len(raw) + 1
        data.append(f'(data (i32.const {at}) "{_wat_bytes(raw)}")'.encode())
        return at, len(raw)

    used = sorted({c[0] for c in calls} | {"fd_write", "fd_read", "fd_readdir"})
    imports = []
    for name in used:
        params = " ".join(SIGNATURES[name])
        imports.append(
            f'(import "wasi_snapshot_preview1" "{name}" (func ${name} (param {params}) '
            "(result i32)))"
        )
    body = []
    for index, (name, *args) in enumerate(calls):
        operands = []
        for a in args:
            if isinstance(a, str):
                ptr, length = string(a)
                operands += [f"(i32.const {ptr})", f"(i32.const {length})"]
            elif isinstance(a, I64):
                operands.append(f"(i64.const {a.value})")
            else:
                operands.append(f"(i32.const {a})")
        label_ptr, label_len = string(f"{name}=")
        body.append(f"(local.set $e (call ${name} {' '.join(operands)}))")
        body.append(
            f"(if (i32.eq (i32.const {index}) (i32.const 0)) "
            "(then (local.set $first (local.get $e))))"
        )
        body.append(f"(call $say (i32.const {label_ptr}) (i32.const {label_len}) (local.get $e))")
        if name == "fd_fdstat_get":  # show the fdstat (filetype, flags, rights) it wrote
            body.append(
                f"(if (i32.eqz (local.get $e)) (then (call $out (i32.const {args[1]}) "
                "(i32.const 24))))"
            )
        if name == "path_open":
            body.append(
                f"(if (i32.eqz (local.get $e)) (then (call $leak (i32.load (i32.const {OUT})))))"
            )
    module = f"""
(module
  {" ".join(imports)}
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") {-(-high // 0x10000)})
  {" ".join(d.decode() for d in data)}
  ;; write `len` bytes at `ptr` to stdout
  (func $out (param $ptr i32) (param $len i32)
    (i32.store (i32.const {_IOV}) (local.get $ptr))
    (i32.store (i32.const {_IOV + 4}) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const {_IOV}) (i32.const 1) (i32.const {_NREAD}))))
  ;; "label" then the errno as decimal digits and a newline
  (func $say (param $ptr i32) (param $len i32) (param $e i32)
    (call $out (local.get $ptr) (local.get $len))
    (i32.store8 (i32.const {BUF})
      (i32.add (i32.const 48) (i32.div_u (local.get $e) (i32.const 10))))
    (i32.store8 (i32.const {BUF + 1})
      (i32.add (i32.const 48) (i32.rem_u (local.get $e) (i32.const 10))))
    (i32.store8 (i32.const {BUF + 2}) (i32.const 10))
    (call $out (i32.const {BUF}) (i32.const 3)))
  ;; read and list an fd that opened, and print whatever came back
  (func $leak (param $fd i32)
    (i32.store (i32.const {_IOV}) (i32.const {BUF}))
    (i32.store (i32.const {_IOV + 4}) (i32.const {BUF_LEN}))
    (i32.store (i32.const {_NREAD}) (i32.const 0))
    (if (i32.eqz (call $fd_read
          (local.get $fd) (i32.const {_IOV}) (i32.const 1) (i32.const {_NREAD})))
      (then (call $out (i32.const {BUF}) (i32.load (i32.const {_NREAD})))))
    (i32.store (i32.const {_NREAD}) (i32.const 0))
    (if (i32.eqz (call $fd_readdir (local.get $fd)
          (i32.const {BUF}) (i32.const {BUF_LEN}) (i64.const 0) (i32.const {_NREAD})))
      (then (call $out (i32.const {BUF}) (i32.load (i32.const {_NREAD}))))))
  (func (export "_start") (local $e i32) (local $first i32)
    {" ".join(body)}
    (call $proc_exit (local.get $first))))
"""
    return wasmtime.wat2wasm(module)


def _wat_bytes(raw: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in raw)


def errnos(stdout: bytes) -> dict[str, int]:
    """The ``call=ERRNO`` lines a probe printed (the last one per call name)."""
    found = {}
    for line in stdout.decode(errors="replace").splitlines():
        name, sep, value = line.rpartition("=")
        if sep and value.isdigit() and name.split()[-1:] and name.split()[-1] in SIGNATURES:
            found[name.split()[-1]] = int(value)
    return found


def errnos_in_order(stdout: bytes) -> list[int]:
    """Every ``call=ERRNO`` a probe printed, in call order (whatever else it printed skipped)."""
    names = "|".join(sorted(SIGNATURES, key=len, reverse=True))
    return [
        int(m.group(1)) for m in re.finditer(rf"(?:{names})=(\d\d)\n", stdout.decode("latin-1"))
    ]
