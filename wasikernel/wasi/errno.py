"""The numbers and names of ``wasi_snapshot_preview1`` (witx order): errno, rights, flags.

Each table is a tuple of names whose index is the value (enums) or the bit number (flags), so
a trace can print names and the bodies can use the constants below.
"""

from __future__ import annotations

import errno as _os_errno
from enum import IntEnum

__all__ = [
    "ERRNO_NAMES",
    "Errno",
    "RIGHTS",
    "FDFLAGS",
    "OFLAGS",
    "LOOKUPFLAGS",
    "FSTFLAGS",
    "WHENCE",
    "CLOCKS",
    "ADVICE",
    "SIGNALS",
    "FILETYPES",
    "SDFLAGS",
    "RIFLAGS",
    "flag_names",
    "errno_from_os",
]

ERRNO_NAMES: tuple[str, ...] = (
    "success", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport", "again", "already",
    "badf", "badmsg", "busy", "canceled", "child", "connaborted", "connrefused", "connreset",
    "deadlk", "destaddrreq", "dom", "dquot", "exist", "fault", "fbig", "hostunreach", "idrm",
    "ilseq", "inprogress", "intr", "inval", "io", "isconn", "isdir", "loop", "mfile", "mlink",
    "msgsize", "multihop", "nametoolong", "netdown", "netreset", "netunreach", "nfile", "nobufs",
    "nodev", "noent", "noexec", "nolck", "nolink", "nomem", "nomsg", "noprotoopt", "nospc",
    "nosys", "notconn", "notdir", "notempty", "notrecoverable", "notsock", "notsup", "notty",
    "nxio", "overflow", "ownerdead", "perm", "pipe", "proto", "protonosupport", "prototype",
    "range", "rofs", "spipe", "srch", "stale", "timedout", "txtbsy", "xdev", "notcapable",
)  # fmt: skip

Errno = IntEnum(  # type: ignore[misc]
    "Errno", {("E2BIG" if n == "2big" else n.upper()): i for i, n in enumerate(ERRNO_NAMES)}
)
Errno.__doc__ = "WASI errno values; ``Errno.BADF == 8``; names as in witx, upper case."

RIGHTS: tuple[str, ...] = (
    "fd_datasync", "fd_read", "fd_seek", "fd_fdstat_set_flags", "fd_sync", "fd_tell", "fd_write",
    "fd_advise", "fd_allocate", "path_create_directory", "path_create_file", "path_link_source",
    "path_link_target", "path_open", "fd_readdir", "path_readlink", "path_rename_source",
    "path_rename_target", "path_filestat_get", "path_filestat_set_size",
    "path_filestat_set_times", "fd_filestat_get", "fd_filestat_set_size",
    "fd_filestat_set_times", "path_symlink", "path_remove_directory", "path_unlink_file",
    "poll_fd_readwrite", "sock_shutdown", "sock_accept",
)  # fmt: skip
ALL_RIGHTS = (1 << len(RIGHTS)) - 1
FDFLAGS = ("append", "dsync", "nonblock", "rsync", "sync")
OFLAGS = ("creat", "directory", "excl", "trunc")
LOOKUPFLAGS = ("symlink_follow",)
FSTFLAGS = ("atim", "atim_now", "mtim", "mtim_now")
SDFLAGS = ("rd", "wr")
RIFLAGS = ("recv_peek", "recv_waitall")
SUBCLOCKFLAGS = ("subscription_clock_abstime",)
WHENCE = ("set", "cur", "end")
CLOCKS = ("realtime", "monotonic", "process_cputime_id", "thread_cputime_id")
ADVICE = ("normal", "sequential", "random", "willneed", "dontneed", "noreuse")
EVENTTYPES = ("clock", "fd_read", "fd_write")
FILETYPES = (
    "unknown", "block_device", "character_device", "directory", "regular_file", "socket_dgram",
    "socket_stream", "symbolic_link",
)  # fmt: skip
SIGNALS = (
    "none", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv",
    "usr2", "pipe", "alrm", "term", "chld", "cont", "stop", "tstp", "ttin", "ttou", "urg", "xcpu",
    "xfsz", "vtalrm", "prof", "winch", "poll", "pwr", "sys",
)  # fmt: skip

# filetype numbers
FT_UNKNOWN, FT_BLOCK, FT_CHAR, FT_DIR, FT_FILE, FT_DGRAM, FT_STREAM, FT_SYMLINK = range(8)

# rights bits used by the bodies
R = {name: 1 << i for i, name in enumerate(RIGHTS)}


def flag_names(value: int, names: tuple[str, ...]) -> list[str]:
    """Return the names of the bits set in ``value``; unknown bits appear as ``"0x..."``."""
    out = [name for i, name in enumerate(names) if value >> i & 1]
    extra = value & ~((1 << len(names)) - 1)
    if extra:
        out.append(hex(extra))
    return out


_OS_TO_WASI: dict[int, int] = {}
for _name in ERRNO_NAMES[1:]:
    _os_name = "E" + _name.upper()
    if _name == "notcapable":
        continue
    if hasattr(_os_errno, _os_name):
        _OS_TO_WASI[getattr(_os_errno, _os_name)] = ERRNO_NAMES.index(_name)
_OS_TO_WASI[_os_errno.EOPNOTSUPP] = ERRNO_NAMES.index("notsup")
_OS_TO_WASI[_os_errno.EWOULDBLOCK] = ERRNO_NAMES.index("again")


def errno_from_os(exc: OSError) -> int:
    """Return the WASI errno for a host ``OSError`` (``io`` when there is no equivalent)."""
    return _OS_TO_WASI.get(exc.errno or 0, 29)
