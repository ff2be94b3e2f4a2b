"""One engine: a runtime's own command line (see :mod:`wasikernel.engines.cli`)."""

from __future__ import annotations

from . import RUNTIMES

#: run a module through ``wasmedge``'s command line; keywords of ``wasikernel.engines.run``
run_module = RUNTIMES["wasmedge"].run_module
