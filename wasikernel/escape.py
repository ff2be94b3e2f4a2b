"""Escape routes out of a granted folder, as tiny WASI programs, and what a runtime does with
each.

Each route (:data:`ROUTES`) is a setup (symbolic links the host made inside the folder, or
none) and a list of WASI calls a probe module makes directly, so the exact path reaches the
runtime's WASI (wasi-libc would refuse some of them itself): ``..``, absolute paths, symbolic
links made by the host and by the guest, hard links, renames, ``mkdir``, ``unlink``, listing,
``stat`` and times. The folder ``outside`` beside the granted one holds a secret; a route
*leaks* when a call that must fail succeeds, the secret (or a name from ``outside``) reaches
the guest's output, or ``outside`` changes. :func:`try_route` runs one route under an engine;
:func:`wasikernel.compare.escape_table` runs them all under each runtime that takes a folder.

The probe builder: tiny WAT modules that call WASI imports directly, for precise escape routes.
``probe(("path_open", 3, 0, "../x", 0, I64(-1), I64(-1), 0, OUT), ...)`` builds a module that
makes each call in turn with those arguments: a ``str`` becomes a pointer and a length into the
module's data, an ``int`` an ``i32.const``, an :class:`I64` an ``i64.const``. The module writes
one line per call to stdout, ``call=ERRNO``, and exits with the errno of the first call.
When a ``path_open`` succeeds, the module then reads from the new fd and lists it (fd_read and
fd_readdir into a buffer) and writes whatever came back to stdout, so a leaked secret shows;
after a successful ``fd_fdstat_get`` it writes the 24 bytes of the fdstat.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import wasmtime

__all__ = [
    "I64", "probe", "errnos", "errnos_in_order", "ROUTES", "NOT_A_DENIAL", "SECRET", "open_",
    "no_setup", "host_links", "try_route", "CLAMPED_IS_HELD", "RouteOutcome", "HELD", "LEAKED",
    "REFUSED",
    "OUT", "FILESTAT", "BUF", "BUF_LEN", "CREAT", "DIRECTORY", "EXCL", "TRUNC", "FOLLOW",
    "ALL_RIGHTS", "SIGNATURES", "READ", "DIR_READ", "WRITE",
]  # fmt: skip


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


# ---------------------------------------------------------------- the routes

SECRET = b"TOP SECRET"

READ = I64((1 << 1) | (1 << 2) | (1 << 5) | (1 << 14) | (1 << 21))  # read seek tell readdir stat
DIR_READ = I64((1 << 13) | (1 << 14) | (1 << 18) | (1 << 21))  # path_open readdir stat
WRITE = I64(ALL_RIGHTS)


def open_(path: str, rights: I64 = READ, oflags: int = 0, lookup: int = FOLLOW) -> tuple:
    return ("path_open", 3, lookup, path, oflags, rights, rights, 0, OUT)


#: A route: (setup(jail, outside) -> None, calls(jail, outside) -> list of calls, names of the
#: calls that must fail). Paths in calls are relative to the preopen (fd 3) unless absolute.
Route = tuple[Callable[[Path, Path], None], Callable[[Path, Path], list], list[str]]


def no_setup(jail: Path, outside: Path) -> None:
    pass


def host_links(jail: Path, outside: Path) -> None:
    (jail / "hostlink").symlink_to("../outside/secret.txt")
    (jail / "abslink").symlink_to(outside / "secret.txt")
    (jail / "outdir").symlink_to("../outside")
    (jail / "absdir").symlink_to(outside)
    # a chain a -> b -> subdir/c -> ../../outside/secret.txt
    (jail / "a").symlink_to("b")
    (jail / "b").symlink_to("subdir/c")
    (jail / "subdir" / "c").symlink_to("../../outside/secret.txt")


ROUTES: dict[str, Route] = {
    "dotdot-read": (no_setup, lambda j, o: [open_("../outside/secret.txt")], ["path_open"]),
    "dotdot-deep": (
        no_setup,
        lambda j, o: [open_("subdir/../../outside/secret.txt")],
        ["path_open"],
    ),
    "dotdot-after-dot": (no_setup, lambda j, o: [open_("./../outside/secret.txt")], ["path_open"]),
    "absolute-path": (no_setup, lambda j, o: [open_(str(o / "secret.txt"))], ["path_open"]),
    "absolute-etc-passwd": (no_setup, lambda j, o: [open_("/etc/passwd")], ["path_open"]),
    "host-symlink-relative": (host_links, lambda j, o: [open_("hostlink")], ["path_open"]),
    "host-symlink-absolute": (host_links, lambda j, o: [open_("abslink")], ["path_open"]),
    "host-symlink-to-dir": (
        host_links,
        lambda j, o: [open_("outdir/secret.txt", lookup=0)],
        ["path_open"],
    ),
    "host-symlink-to-dir-absolute": (
        host_links,
        lambda j, o: [open_("absdir/secret.txt", lookup=0)],
        ["path_open"],
    ),
    "host-symlink-truncate": (
        host_links,
        lambda j, o: [open_("hostlink", WRITE, CREAT | TRUNC)],
        ["path_open"],
    ),
    "host-symlink-chain": (host_links, lambda j, o: [open_("a")], ["path_open"]),
    "guest-symlink-relative": (
        no_setup,
        lambda j, o: [("path_symlink", "../outside/secret.txt", 3, "evil"), open_("evil")],
        ["path_open"],
    ),
    "guest-symlink-absolute": (
        no_setup,
        lambda j, o: [("path_symlink", str(o / "secret.txt"), 3, "evil"), open_("evil")],
        ["path_symlink", "path_open"],  # the link is refused, then there is nothing to open
    ),
    "guest-symlink-write-through": (
        no_setup,
        lambda j, o: [
            ("path_symlink", "../outside/secret.txt", 3, "evil"),
            open_("evil", WRITE, CREAT | TRUNC),
        ],
        ["path_open"],
    ),
    "guest-symlink-chain": (
        no_setup,
        lambda j, o: [
            ("path_symlink", "subdir", 3, "s1"),
            ("path_symlink", "../..", 3, "subdir/up"),
            open_("s1/up/outside/secret.txt", lookup=0),
        ],
        ["path_open"],
    ),
    "guest-symlink-dir-then-create": (
        no_setup,
        lambda j, o: [
            ("path_symlink", "../outside", 3, "door"),
            open_("door/created.txt", WRITE, CREAT),
            ("path_create_directory", 3, "door/newdir"),
        ],
        ["path_open", "path_create_directory"],
    ),
    "guest-symlink-created-outside": (
        no_setup,
        lambda j, o: [("path_symlink", "inside.txt", 3, "../outside/planted")],
        ["path_symlink"],
    ),
    "hard-link-out": (
        no_setup,
        lambda j, o: [("path_link", 3, 0, "inside.txt", 3, "../outside/planted")],
        ["path_link"],
    ),
    "hard-link-in": (
        no_setup,
        lambda j, o: [("path_link", 3, 0, "../outside/secret.txt", 3, "stolen")],
        ["path_link"],
    ),
    "hard-link-through-host-symlink": (
        host_links,
        lambda j, o: [("path_link", 3, FOLLOW, "hostlink", 3, "stolen")],
        ["path_link"],
    ),
    "rename-out": (
        no_setup,
        lambda j, o: [("path_rename", 3, "inside.txt", 3, "../outside/moved.txt")],
        ["path_rename"],
    ),
    "rename-out-through-symlinked-dir": (
        host_links,
        lambda j, o: [("path_rename", 3, "inside.txt", 3, "outdir/moved.txt")],
        ["path_rename"],
    ),
    "rename-in": (
        no_setup,
        lambda j, o: [("path_rename", 3, "../outside/secret.txt", 3, "stolen.txt")],
        ["path_rename"],
    ),
    "rename-in-absolute": (
        no_setup,
        lambda j, o: [("path_rename", 3, str(o / "secret.txt"), 3, "stolen.txt")],
        ["path_rename"],
    ),
    "mkdir-out": (
        no_setup,
        lambda j, o: [("path_create_directory", 3, "../outside/newdir")],
        ["path_create_directory"],
    ),
    "mkdir-out-through-symlink": (
        host_links,
        lambda j, o: [("path_create_directory", 3, "outdir/newdir")],
        ["path_create_directory"],
    ),
    "create-file-out": (
        no_setup,
        lambda j, o: [open_("../outside/new.txt", WRITE, CREAT)],
        ["path_open"],
    ),
    "unlink-out": (
        no_setup,
        lambda j, o: [("path_unlink_file", 3, "../outside/secret.txt")],
        ["path_unlink_file"],
    ),
    "unlink-out-through-symlink": (
        host_links,
        lambda j, o: [("path_unlink_file", 3, "outdir/secret.txt")],
        ["path_unlink_file"],
    ),
    "rmdir-out": (
        no_setup,
        lambda j, o: [
            ("path_unlink_file", 3, "../outside/private/key.txt"),
            ("path_remove_directory", 3, "../outside/private"),
        ],
        ["path_unlink_file", "path_remove_directory"],
    ),
    "rmdir-out-through-symlink": (
        host_links,
        lambda j, o: [("path_remove_directory", 3, "absdir/private")],
        ["path_remove_directory"],
    ),
    "readdir-dotdot": (
        no_setup,
        lambda j, o: [open_("..", DIR_READ, DIRECTORY, 0)],
        ["path_open"],
    ),
    "readdir-subdir-dotdot-dotdot": (
        no_setup,
        lambda j, o: [open_("subdir/../..", DIR_READ, DIRECTORY, 0)],
        ["path_open"],
    ),
    "readdir-through-symlink": (
        host_links,
        lambda j, o: [open_("outdir", DIR_READ, DIRECTORY)],
        ["path_open"],
    ),
    "stat-out": (
        no_setup,
        lambda j, o: [("path_filestat_get", 3, 0, "../outside/secret.txt", FILESTAT)],
        ["path_filestat_get"],
    ),
    "stat-through-symlink": (
        host_links,
        lambda j, o: [("path_filestat_get", 3, FOLLOW, "hostlink", FILESTAT)],
        ["path_filestat_get"],
    ),
    "set-times-out": (
        no_setup,
        lambda j, o: [
            ("path_filestat_set_times", 3, 0, "../outside/secret.txt", I64(5), I64(5), 0b0101)
        ],
        ["path_filestat_set_times"],
    ),
    "set-times-through-symlink": (
        host_links,
        lambda j, o: [("path_filestat_set_times", 3, FOLLOW, "hostlink", I64(5), I64(5), 0b0101)],
        ["path_filestat_set_times"],
    ),
}


#: calls of a route that fail as a consequence of an earlier refusal, not as a refusal
NOT_A_DENIAL = {"guest-symlink-absolute": {"path_open"}}


# ---------------------------------------------------------------- one route under one engine

#: what a route did under a runtime
HELD, LEAKED, REFUSED = "held", "leaked", "refused to run"


def _jail(root: Path) -> tuple[Path, Path]:
    """The granted folder ``root/jail`` and the folder ``root/outside`` beside it."""
    jail, outside = root / "jail", root / "outside"
    jail.mkdir()
    (outside / "private").mkdir(parents=True)
    (outside / "secret.txt").write_bytes(SECRET + b"\n")
    (outside / "private" / "key.txt").write_bytes(b"KEY\n")
    (jail / "inside.txt").write_bytes(b"inside\n")
    (jail / "subdir").mkdir()
    return jail, outside


def _entries(folder: Path) -> dict[str, object]:
    """Every entry under ``folder``: a symbolic link's target, a file's bytes, or "dir"."""
    found: dict[str, object] = {}
    for here, dirs, files in os.walk(folder):
        for name in (*dirs, *files):
            path = Path(here) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = "dir"
            else:
                found[rel] = path.read_bytes()
    return found


@dataclass(frozen=True)
class RouteOutcome:
    """What one route did: :data:`HELD`, :data:`LEAKED` or :data:`REFUSED`, and why."""

    outcome: str
    detail: str = ""


#: routes whose call may succeed without leaving the folder: a runtime that reads ``..`` at the
#: folder's root as the root itself (as POSIX reads ``/..``) lists the folder; such a route
#: leaks only when what it lists is what lies beside the folder
CLAMPED_IS_HELD = frozenset({"readdir-dotdot", "readdir-subdir-dotdot-dotdot"})


def _secret_inside(jail: Path) -> bool:
    """Whether a file of the granted folder now holds the secret (linked or moved in)."""
    for here, _dirs, files in os.walk(jail):
        for name in files:
            path = Path(here) / name
            if not path.is_symlink() and SECRET in path.read_bytes():
                return True
    return False


def try_route(name: str, runner: Callable[[bytes, Path], object]) -> RouteOutcome:
    """Run the route ``name`` with ``runner(wasm, jail)`` (which returns a RunResult, or
    raises EngineError when the runtime refuses to run it) and say what it did.

    The route leaked when the secret or a name from beside the folder reached the guest, a
    file of the folder holds the secret afterwards, the folder outside changed, or a call that
    must be refused succeeded (except for the routes of :data:`CLAMPED_IS_HELD`).
    """
    from .errors import EngineError

    setup, calls, must_fail = ROUTES[name]
    with tempfile.TemporaryDirectory(prefix="wasikernel-escape-") as tmp:
        jail, outside = _jail(Path(tmp))
        setup(jail, outside)
        before = _entries(outside)
        try:
            result = runner(probe(*calls(jail, outside)), jail)
        except EngineError as refused:
            return RouteOutcome(REFUSED, str(refused))
        stdout = getattr(result, "stdout", b"") or b""
        codes = errnos(stdout)
        leaks = []
        if name not in CLAMPED_IS_HELD:
            leaks += [f"{call} succeeded" for call in must_fail if codes.get(call, 1) == 0]
        if any(word in stdout for word in (SECRET, b"key.txt", b"secret.txt", b"outside")):
            leaks.append("the guest read what is outside")
        if _secret_inside(jail):
            leaks.append("the secret is now inside the folder")
        if _entries(outside) != before:
            leaks.append("the folder outside changed")
    if leaks:
        return RouteOutcome(LEAKED, "; ".join(leaks))
    return RouteOutcome(HELD)
