"""The preview 2 face of the WASI host: ``wasi:cli/command@0.2`` for components, in Python.

One capability core, two ABIs: :class:`ComponentHost` stands on the same
:class:`~wasikernel.wasi.host.WasiCore` as the preview 1 host (the sandbox's folders through the
same FileSystems and resolver, the same limits, the same refusal sentences), and serves the WIT
interfaces a component imports instead of ``wasi_snapshot_preview1``'s integers. One file per
interface group, as for preview 1::

    cli.py         wasi:cli        environment, exit, stdin/stdout/stderr, terminal-*
    io.py          wasi:io         error, poll, streams
    clocks.py      wasi:clocks     monotonic-clock, wall-clock
    random.py      wasi:random     random, insecure, insecure-seed
    filesystem.py  wasi:filesystem types (the descriptor resource), preopens
    sockets.py     wasi:sockets    network, refused unless granted
    libc.py        wasikernel:libc trace: the paths a C cell's libc refused (ours, not WASI's)

``_spec.py`` declares how a function is registered (``@wit(INTERFACE, NAME, PARAM_NAMES)``) and
``_host.py`` holds the resource table, the one wrapper that traces every call from outside the
bodies, and the linking into a ``wasmtime.component.Linker``. The engine that runs a component
is :mod:`wasikernel.engines.component`.
"""

from __future__ import annotations

from . import _host, cli, clocks, filesystem, io, libc, random, sockets  # noqa: F401  (register the bodies)
from ._host import ComponentHost
from ._spec import REGISTRY, VERSION, HostTrap

_host._refresh_interfaces()

__all__ = ["ComponentHost", "HostTrap", "REGISTRY", "VERSION"]
