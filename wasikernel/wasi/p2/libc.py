"""wasikernel:libc/trace: the paths a C cell's libc refused before any call, made visible.

wasi-libc answers ``ENOENT`` by itself when a program opens a path that no preopened folder
covers (``fopen("/etc/passwd")``): no call reaches the host, under preview 1 as under the
preview 1 adapter. Preview 1 cells are linked with a wrapper of libc's path lookup that calls the
import ``wasikernel.libc_path_refused`` (:mod:`wasikernel.compile._libc_trace`). That import is
not part of any WIT world, so the adapter cannot carry it; a cell made a component has it
renamed to this interface's function and the interface embedded in its world
(:func:`wasikernel.compile.component.wrap` with ``libc_trace=True``), so the component imports
``wasikernel:libc/trace`` beside WASI and its libc calls ``path-refused`` with the path it
refused. The call changes nothing: it is recorded as a refusal (``phase="libc"``), as the
preview 1 host records its own. Such a component runs only under this host; components meant to
run elsewhere are made without it (``wasikernel compile --component``, ``component new``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import messages
from ..errno import Errno
from ..fs import Refusal
from ._spec import wit

if TYPE_CHECKING:
    from ._host import ComponentHost

__all__ = ["INTERFACE", "VERSION", "INSTANCE", "FUNCTION", "WIT"]

INTERFACE = "wasikernel:libc/trace"
VERSION = "0.1.0"
INSTANCE = f"{INTERFACE}@{VERSION}"
FUNCTION = "path-refused"
#: the world a cell's core module is embedded with, so that its hook import becomes this one
WIT = f"""package wasikernel:libc@{VERSION};

interface trace {{
  /// the guest's libc refused `path` (no preopened folder covers it) before any call
  {FUNCTION}: func(path: string);
}}

world hook {{
  import trace;
}}
"""

#: the most characters of the path the trace keeps (as the preview 1 hook reads)
_MOST = 4096


@wit(INTERFACE, FUNCTION, "path", version=VERSION, phase="libc")
def path_refused(h: ComponentHost, path: str) -> None:
    """Record that the guest's libc refused ``path`` before any call (a denied libc event)."""
    raise Refusal("preopen", messages.t("libc_refused", path=path[:_MOST]), Errno.NOENT)
