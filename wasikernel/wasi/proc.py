"""proc_exit, proc_raise, sched_yield, and wasikernel.libc_path_refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import messages
from ._spec import ProcExit, wasi
from .errno import Errno
from .fs import Refusal

if TYPE_CHECKING:
    from ._memory import MemView
    from ._state import HostState


@wasi("proc_exit", "rval:exitcode", returns="never")
def proc_exit(h: HostState, m: MemView, rval: int) -> int:
    """Ends the program at once with an exit code (0 means success); it never returns.

    Errors: none: it raises ProcExit, which ends the run."""
    raise ProcExit(rval & 0xFFFFFFFF)


@wasi("proc_raise", "sig:signal")
def proc_raise(h: HostState, m: MemView, sig: int) -> int:
    """Sends a signal to the program itself; most runtimes refuse it.

    Errors: ``notsup`` always, as wasmtime."""
    return Errno.NOTSUP


@wasi("sched_yield")
def sched_yield(h: HostState, m: MemView) -> int:
    """Lets other threads or processes run; a single-threaded guest just continues.

    Errors: none."""
    return 0


@wasi("libc_path_refused", "path:path", "path_len:plen", module="wasikernel", returns="()")
def libc_path_refused(h: HostState, m: MemView, path_ptr: int, path_len: int) -> int:
    """Records that the guest's libc refused a path no preopen covers (a denied libc event), before
    any WASI call.

    Errors: none (it returns nothing).

    Imported from the module "wasikernel" by C modules compiled with trace_libc."""
    path = m.read(path_ptr, min(path_len, 4096)).decode("utf-8", "replace")
    raise Refusal("preopen", messages.t("libc_refused", path=path), Errno.NOENT)
