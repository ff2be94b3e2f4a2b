"""The WASI host: the import table, linking, and the tracing wrapper.

The bodies live in the group files (``args.py``, ``clock.py``, ``fd.py`` ...); each is a plain
function ``body(state, mem, *params) -> errno`` declared with its spec, listed once in witx
order in :mod:`wasikernel.wasi._table`. The state they work on is
:class:`~wasikernel.wasi._state.HostState`; :class:`WasiHost` adds linking and wraps each body
once: the wrapper times the call, turns any failure into an errno (a bad pointer is ``fault``,
a refusal of the sandbox is ``perm`` with its capability and reason, an unexpected Python
exception is ``io``) and records one compact record through :meth:`Trace.record
<wasikernel.trace.Trace.record>`, decoded into a :class:`~wasikernel.trace.TraceEvent` only
when someone reads it.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

from .. import messages
from ..sandbox import Sandbox
from ..trace import TraceEvent
from ._decode import decode
from ._memory import ACCESS_HEAD, GuestFault, GuestMemory, MemView
from ._spec import FuncSpec, HostImport, LimitReached, ProcExit
from ._state import FdEntry, HostState
from ._table import SPEC_INDEX, SPECS
from .errno import Errno
from .fs import FsError, Refusal

__all__ = ["WasiHost", "FdEntry"]

_FAULT = int(Errno.FAULT)
_IO = int(Errno.IO)
_ILSEQ = int(Errno.ILSEQ)
#: what one decoded event takes in memory, and each memory access it lists (an estimate that
#: bounds the trace with ``Limits.max_trace_bytes``)
_EVENT_BYTES = 800
_ACCESS_BYTES = 85


class WasiHost(HostState):
    """A WASI preview 1 host over ``sandbox``; see :mod:`wasikernel.wasi` for the whole API.

    ``on_output``, ``cancel`` and ``deadline`` are those of :class:`HostState`.
    ``trace=False`` links the bodies without the recording wrapper.
    Raises FsError (from the FileSystem) when a preopened host folder does not exist.
    """

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        *,
        on_output: Callable[[str, bytes], None] | None = None,
        cancel: threading.Event | None = None,
        trace: bool = True,
    ) -> None:
        super().__init__(sandbox, on_output, cancel, decode)
        self.tracing = trace
        self._imports = {
            key: HostImport(
                spec.module,
                spec.name,
                spec.wasm_params,
                spec.wasm_results,
                self._traced(spec) if trace else self._plain(spec),
                spec,
            )  # fmt: skip
            for key, spec in zip(SPEC_INDEX, SPECS, strict=True)
        }

    # ---------------------------------------------------------------------------- linking

    @property
    def imports(self) -> list[HostImport]:
        """Every function the host provides (46 of WASI preview 1, plus libc_path_refused)."""
        return list(self._imports.values())

    def lookup(self, module: str, name: str) -> HostImport | None:
        """Return the import ``module.name``, or None when the host does not provide it."""
        return self._imports.get((module, name))

    def bind(self, memory: GuestMemory) -> dict[str, Callable[..., int | None]]:
        """Return ``name -> callable(*ints)`` with ``memory`` bound (keys ``module.name``)."""
        return {
            f"{imp.module}.{imp.name}": functools.partial(imp.call, memory)
            for imp in self._imports.values()
        }

    def refuse_import(self, module: str, name: str, kind: str = "func") -> str:
        """Record an import the host does not provide; return the link-error message."""
        network = name.startswith("sock_") or "socket" in module or "sock" in name
        if (module, name) == ("wasi", "thread-spawn"):
            reason = messages.t("import_thread_spawn")
        else:
            reason = messages.t("import_missing", module=module, name=name, kind=kind)
        self.trace.add(
            TraceEvent(
                seq=0,
                call=name,
                args={"module": module, "kind": kind},
                results={},
                errno="nosys",
                denied=True,
                capability="network" if network else "import",
                reason=reason,
                phase="link",
            )
        )
        return messages.t("link_unknown_import", module=module, name=name)

    # ---------------------------------------------------------------------------- wrappers

    def _plain(self, spec: FuncSpec) -> Callable[..., int | None]:
        body = spec.body
        host = self
        returns = spec.returns_errno

        view = MemView(None)  # type: ignore[arg-type]

        def call(mem: GuestMemory, *args: int) -> int | None:
            view.attach(mem, None)
            try:
                errno = body(host, view, *args)
            except (ProcExit, LimitReached):
                raise
            except GuestFault:
                errno = _FAULT
            except FsError as exc:
                errno = exc.errno
            except UnicodeError:
                errno = _ILSEQ
            except Exception:
                errno = _IO
            return errno if returns else None

        return call

    def _traced(self, spec: FuncSpec) -> Callable[..., int | None]:
        body = spec.body
        index = SPEC_INDEX[(spec.module, spec.name)]
        host = self
        record = self.trace.record
        start = self.start_ns
        perf = time.perf_counter_ns
        returns = spec.returns_errno
        view = MemView(None)  # type: ignore[arg-type]
        per_access = _ACCESS_BYTES
        full = _EVENT_BYTES + per_access * ACCESS_HEAD  # the size of an event of ACCESS_HEAD

        def keep(args: tuple, errno: int, t0: int, log: bytearray, extra: Any) -> None:
            kept = ACCESS_HEAD - view.left if view.tail is None else view.close_log()
            raw = bytes(log)
            size = _EVENT_BYTES + _ACCESS_BYTES * kept + len(raw)
            record((index, args, errno, t0 - start, perf() - t0, raw, extra), size)

        def call(mem: GuestMemory, *args: int) -> int | None:
            log = bytearray()
            view.attach(mem, log)
            extra: Any = None
            t0 = perf()
            try:
                errno = body(host, view, *args)
            except GuestFault:  # memory the module was not given: a refusal of the sandbox
                errno = _FAULT
                extra = ("memory", messages.t("outside_memory"))
            except Refusal as exc:
                errno = exc.errno
                extra = (exc.capability, exc.reason)
            except FsError as exc:
                errno = exc.errno
            except UnicodeError:
                errno = _ILSEQ
            except ProcExit as exc:
                keep(args, 0, t0, log, ("exit", exc.code))
                raise
            except LimitReached as exc:
                keep(args, 0, t0, log, ("limit", exc.message))
                raise
            except Exception as exc:  # a bug of ours must not crash the guest's run
                errno = _IO
                extra = ("note", messages.t("host_bug", error=f"{type(exc).__name__}: {exc}"))
            t1 = perf()
            if view.tail is None:  # at most ACCESS_HEAD accesses: all of them are in the log
                raw = bytes(log)
                size = full - per_access * view.left + len(raw)
                record((index, args, errno, t0 - start, t1 - t0, raw, extra), size)
            else:
                keep(args, errno, t0, log, extra)
            return errno if returns else None

        return call
