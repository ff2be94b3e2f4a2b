"""Every function the host provides, once, in the order of ``wasi_snapshot_preview1.witx``.

As wazero's ``wasi.go`` lists its functions, this file lists the bodies of the group files
(each declared with :func:`~wasikernel.wasi._spec.wasi` beside its body); the host links them
from here, the trace names a function by its index here, and the kernel's ``?`` help and tab
completion read :data:`WASI_CALLS`. Nothing registers itself on import.
"""

from __future__ import annotations

from . import args, clock, fd, path, poll, proc, random, sock
from ._spec import FuncSpec

__all__ = ["FUNCTIONS", "SPECS", "SPEC_INDEX", "WASI_CALLS", "describe"]

#: the bodies, in witx order; ``wasikernel.libc_path_refused`` (ours) last
FUNCTIONS = (
    args.args_get,
    args.args_sizes_get,
    args.environ_get,
    args.environ_sizes_get,
    clock.clock_res_get,
    clock.clock_time_get,
    fd.fd_advise,
    fd.fd_allocate,
    fd.fd_close,
    fd.fd_datasync,
    fd.fd_fdstat_get,
    fd.fd_fdstat_set_flags,
    fd.fd_fdstat_set_rights,
    fd.fd_filestat_get,
    fd.fd_filestat_set_size,
    fd.fd_filestat_set_times,
    fd.fd_pread,
    fd.fd_prestat_get,
    fd.fd_prestat_dir_name,
    fd.fd_pwrite,
    fd.fd_read,
    fd.fd_readdir,
    fd.fd_renumber,
    fd.fd_seek,
    fd.fd_sync,
    fd.fd_tell,
    fd.fd_write,
    path.path_create_directory,
    path.path_filestat_get,
    path.path_filestat_set_times,
    path.path_link,
    path.path_open,
    path.path_readlink,
    path.path_remove_directory,
    path.path_rename,
    path.path_symlink,
    path.path_unlink_file,
    poll.poll_oneoff,
    proc.proc_exit,
    proc.proc_raise,
    proc.sched_yield,
    random.random_get,
    sock.sock_accept,
    sock.sock_recv,
    sock.sock_send,
    sock.sock_shutdown,
    proc.libc_path_refused,
)

#: the spec of each body, in the same order (a trace record names its function by index here)
SPECS: tuple[FuncSpec, ...] = tuple(body.wasi_spec for body in FUNCTIONS)  # type: ignore[attr-defined]
#: (module, name) -> index in SPECS
SPEC_INDEX: dict[tuple[str, str], int] = {(s.module, s.name): i for i, s in enumerate(SPECS)}
#: the 46 calls of ``wasi_snapshot_preview1`` by name, in witx order
WASI_CALLS: dict[str, FuncSpec] = {s.name: s for s in SPECS if s.module == "wasi_snapshot_preview1"}


def describe(name: str) -> str | None:
    """Return a WASI call's signature, import, summary and errors as text, or ``None`` when
    ``name`` is no preview 1 call."""
    call = WASI_CALLS.get(name)
    if call is None:
        return None
    text = f'{call.signature}\n    import "{call.module}" "{call.name}"\n\n{call.summary}'
    if call.errors:
        text += "\n\nErrors: " + call.errors.replace("``", "")
    return text
