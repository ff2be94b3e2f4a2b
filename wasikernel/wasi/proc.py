"""proc_exit, proc_raise, sched_yield, and wasikernel.libc_path_refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import messages
from ._spec import ProcExit, wasi
from .errno import Errno

if TYPE_CHECKING:
    from ._memory import MemView
    from .host import WasiHost


@wasi("proc_exit", "rval:exitcode", returns_errno=False)
def proc_exit(h: WasiHost, m: MemView, rval: int) -> int:
    """End the run with exit code ``rval``: raises ProcExit."""
    raise ProcExit(rval & 0xFFFFFFFF)


@wasi("proc_raise", "sig:signal")
def proc_raise(h: WasiHost, m: MemView, sig: int) -> int:
    """Signals are not supported (``notsup``, as wasmtime)."""
    return Errno.NOTSUP


@wasi("sched_yield")
def sched_yield(h: WasiHost, m: MemView) -> int:
    """Let other threads run; there are none, so it returns at once."""
    return 0


@wasi("libc_path_refused", "path:path", "path_len:plen", module="wasikernel", returns_errno=False)
def libc_path_refused(h: WasiHost, m: MemView, path_ptr: int, path_len: int) -> int:
    """Record that the guest's libc refused a path no preopen covers (a denied libc event)."""
    path = m.read(path_ptr, min(path_len, 4096)).decode("utf-8", "replace")
    h.denial = ("preopen", messages.t("libc_refused", path=path))
    return Errno.NOENT
