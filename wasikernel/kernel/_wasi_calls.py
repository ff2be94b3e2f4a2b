"""The 46 functions of ``wasi_snapshot_preview1``: a signature and one sentence each.

The kernel uses this table for tab completion and for ``?`` on a call name. Signatures name
the parameters as the witx description does; ``result.*`` parameters are out-pointers the call
writes. Every call returns an ``errno`` except ``proc_exit``, which never returns.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["WasiCall", "WASI_CALLS", "describe"]


@dataclass(frozen=True)
class WasiCall:
    """One WASI function: its name, its parameters (witx names) and what it does."""

    name: str
    params: tuple[str, ...]
    summary: str
    returns: str = "errno"

    @property
    def signature(self) -> str:
        """The call written as ``name(param: type, ...) -> errno``."""
        return f"{self.name}({', '.join(self.params)}) -> {self.returns}"


def _call(name: str, params: str, summary: str, returns: str = "errno") -> WasiCall:
    names = tuple(p.strip() for p in params.split(",") if p.strip())
    return WasiCall(name, names, summary, returns)


_TABLE = [
    _call("args_get", "argv: ptr<ptr<u8>>, argv_buf: ptr<u8>",
          "Copies the program's command-line arguments into guest memory: a table of pointers "
          "in argv and the NUL-terminated strings in argv_buf."),
    _call("args_sizes_get", "result.argc: ptr<size>, result.argv_buf_size: ptr<size>",
          "Tells the program how many arguments it has and how many bytes their strings need, "
          "so it can allocate room before calling args_get."),
    _call("environ_get", "environ: ptr<ptr<u8>>, environ_buf: ptr<u8>",
          "Copies the environment variables the sandbox grants (NAME=value strings) into guest "
          "memory."),
    _call("environ_sizes_get", "result.count: ptr<size>, result.buf_size: ptr<size>",
          "Tells the program how many environment variables it was given and how many bytes "
          "they take."),
    _call("clock_res_get", "id: clockid, result.resolution: ptr<timestamp>",
          "Returns the resolution of a clock (realtime, monotonic, process or thread CPU time) "
          "in nanoseconds."),
    _call("clock_time_get", "id: clockid, precision: timestamp, result.time: ptr<timestamp>",
          "Reads a clock in nanoseconds; a sandbox with a frozen clock always answers the same "
          "time."),
    _call("fd_advise", "fd: fd, offset: filesize, len: filesize, advice: advice",
          "Tells the host how the program means to read a file (sequentially, randomly...); "
          "only a hint, it changes no data."),
    _call("fd_allocate", "fd: fd, offset: filesize, len: filesize",
          "Makes sure a file has room for len bytes from offset, growing it if needed."),
    _call("fd_close", "fd: fd",
          "Closes a file descriptor; the number may be reused by the next open."),
    _call("fd_datasync", "fd: fd",
          "Asks the host to write a file's data to the disk."),
    _call("fd_fdstat_get", "fd: fd, result.stat: ptr<fdstat>",
          "Describes a descriptor: its file type, its flags (append, nonblock...) and the "
          "rights it carries."),
    _call("fd_fdstat_set_flags", "fd: fd, flags: fdflags",
          "Changes the flags of a descriptor, for example to switch on append mode."),
    _call("fd_fdstat_set_rights", "fd: fd, fs_rights_base: rights, fs_rights_inheriting: rights",
          "Drops rights from a descriptor; rights can only be removed, never added."),
    _call("fd_filestat_get", "fd: fd, result.buf: ptr<filestat>",
          "Returns the attributes of an open file: type, size, link count and timestamps."),
    _call("fd_filestat_set_size", "fd: fd, size: filesize",
          "Truncates or extends an open file to the given size."),
    _call("fd_filestat_set_times", "fd: fd, atim: timestamp, mtim: timestamp, fst_flags: fstflags",
          "Sets the access and modification times of an open file."),
    _call("fd_pread", "fd: fd, iovs: iovec_array, offset: filesize, result.nread: ptr<size>",
          "Reads from a file at a given offset without moving the file's position."),
    _call("fd_prestat_get", "fd: fd, result.buf: ptr<prestat>",
          "Asks whether a descriptor is a preopened directory and how long its name is; libc "
          "calls it from fd 3 upwards at start-up to learn which folders it was granted."),
    _call("fd_prestat_dir_name", "fd: fd, path: ptr<u8>, path_len: size",
          "Copies the guest-side name of a preopened directory (such as /data) into memory."),
    _call("fd_pwrite", "fd: fd, iovs: ciovec_array, offset: filesize, result.nwritten: ptr<size>",
          "Writes to a file at a given offset without moving the file's position."),
    _call("fd_read", "fd: fd, iovs: iovec_array, result.nread: ptr<size>",
          "Reads bytes from a descriptor (a file, or stdin for fd 0) into a list of buffers "
          "and says how many bytes it read; 0 means the end of the file."),
    _call("fd_readdir", "fd: fd, buf: ptr<u8>, buf_len: size, cookie: dircookie, "
          "result.bufused: ptr<size>",
          "Lists the entries of an open directory, starting after the entry named by cookie."),
    _call("fd_renumber", "fd: fd, to: fd",
          "Moves a descriptor to another number, closing whatever was open there."),
    _call("fd_seek", "fd: fd, offset: filedelta, whence: whence, result.newoffset: ptr<filesize>",
          "Moves the read/write position of a file (from the start, the current position or "
          "the end) and returns the new position."),
    _call("fd_sync", "fd: fd",
          "Asks the host to write a file's data and metadata to the disk."),
    _call("fd_tell", "fd: fd, result.offset: ptr<filesize>",
          "Returns the current read/write position of a file."),
    _call("fd_write", "fd: fd, iovs: ciovec_array, result.nwritten: ptr<size>",
          "Writes bytes from a list of buffers to a descriptor (stdout is 1, stderr is 2) and "
          "says how many bytes were written; printf ends up here."),
    _call("path_create_directory", "fd: fd, path: string",
          "Creates a directory at a path inside a preopened directory."),
    _call("path_filestat_get", "fd: fd, flags: lookupflags, path: string, "
          "result.buf: ptr<filestat>",
          "Returns the attributes of a file named by a path inside a preopened directory "
          "(what stat() does)."),
    _call("path_filestat_set_times", "fd: fd, flags: lookupflags, path: string, atim: timestamp, "
          "mtim: timestamp, fst_flags: fstflags",
          "Sets the access and modification times of a file named by a path."),
    _call("path_link", "old_fd: fd, old_flags: lookupflags, old_path: string, new_fd: fd, "
          "new_path: string",
          "Creates a hard link: a second name for an existing file."),
    _call("path_open", "fd: fd, dirflags: lookupflags, path: string, oflags: oflags, "
          "fs_rights_base: rights, fs_rights_inheriting: rights, fdflags: fdflags, "
          "result.opened_fd: ptr<fd>",
          "Opens (or creates) a file relative to a preopened directory and returns a new "
          "descriptor; a path that escapes every granted directory is refused (notcapable)."),
    _call("path_readlink", "fd: fd, path: string, buf: ptr<u8>, buf_len: size, "
          "result.bufused: ptr<size>",
          "Reads where a symbolic link points."),
    _call("path_remove_directory", "fd: fd, path: string",
          "Removes an empty directory."),
    _call("path_rename", "fd: fd, old_path: string, new_fd: fd, new_path: string",
          "Renames or moves a file or directory, possibly into another preopened directory."),
    _call("path_symlink", "old_path: string, fd: fd, new_path: string",
          "Creates a symbolic link named new_path that points to old_path."),
    _call("path_unlink_file", "fd: fd, path: string",
          "Deletes a file (not a directory)."),
    _call("poll_oneoff", "in: ptr<subscription>, out: ptr<event>, nsubscriptions: size, "
          "result.nevents: ptr<size>",
          "Waits until a clock deadline passes or a descriptor is ready; sleep() is built on it."),
    _call("proc_exit", "rval: exitcode",
          "Ends the program at once with an exit code (0 means success); it never returns.",
          returns="never"),
    _call("proc_raise", "sig: signal",
          "Sends a signal to the program itself; most runtimes refuse it."),
    _call("sched_yield", "",
          "Lets other threads or processes run; a single-threaded guest just continues."),
    _call("random_get", "buf: ptr<u8>, buf_len: size",
          "Fills a buffer with random bytes; a sandbox with a seed gives the same bytes each run."),
    _call("sock_accept", "fd: fd, flags: fdflags, result.fd: ptr<fd>",
          "Accepts a connection on a listening socket the host handed over; preview1 cannot "
          "open sockets by itself."),
    _call("sock_recv", "fd: fd, ri_data: iovec_array, ri_flags: riflags, "
          "result.ro_datalen: ptr<size>, result.ro_flags: ptr<roflags>",
          "Receives data from a socket into a list of buffers."),
    _call("sock_send", "fd: fd, si_data: ciovec_array, si_flags: siflags, "
          "result.so_datalen: ptr<size>",
          "Sends data from a list of buffers on a socket."),
    _call("sock_shutdown", "fd: fd, how: sdflags",
          "Shuts down the receiving side, the sending side, or both sides of a socket."),
]

#: Every preview1 call by name, in the order of the witx description's groups.
WASI_CALLS: dict[str, WasiCall] = {call.name: call for call in _TABLE}


def describe(name: str) -> str | None:
    """Return the signature and sentence of a WASI call as text, or ``None`` for another name."""
    call = WASI_CALLS.get(name)
    if call is None:
        return None
    return (
        f'{call.signature}\n    import "wasi_snapshot_preview1" "{call.name}"\n\n{call.summary}'
    )
