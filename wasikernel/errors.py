"""Every exception wasikernel raises on purpose.

The hierarchy, in the manner of httpx's exceptions module::

    WasiKernelError                 anything wasikernel raises on purpose
    ├── UsageError                  bad options on a command line or a magic line
    ├── CompileError                a cell that does not compile (diagnostics on the cell's lines)
    │   └── ToolchainMissing        the compiler for that language is not installed (names the fix)
    └── EngineError                 an engine that cannot load or run a module at all (or is
                                    refused the sandbox: a folder it could not confine)

A guest that traps, exits or hits a limit is *not* an exception: it is a normal outcome,
reported in :class:`wasikernel.result.RunResult`. Nor is a module whose imports the engine does
not provide: that run ends with ``outcome == "link"`` and one ``phase="link"`` event per import
refused. Nothing a guest does raises out of a run.
"""

from __future__ import annotations

__all__ = [
    "WasiKernelError",
    "UsageError",
    "CompileError",
    "ToolchainMissing",
    "EngineError",
]


class WasiKernelError(Exception):
    """Base class of the errors wasikernel raises on purpose."""


class UsageError(WasiKernelError):
    """Options that do not make sense (an unknown engine, a malformed ``--dir``, ...)."""


class CompileError(WasiKernelError):
    """A cell that does not compile.

    ``message`` is the compiler's diagnostics rewritten to the cell's own file name and line
    numbers; ``language`` is ``"wat"``, ``"c"`` or ``"rust"``; ``line`` and ``column`` locate the
    first error (1-based) when known.
    """

    def __init__(
        self,
        message: str,
        *,
        language: str,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.language = language
        self.line = line
        self.column = column


class ToolchainMissing(CompileError):
    """The compiler a language needs is not installed; ``install_hint`` says how to get it (the
    message ends with it, after the catalogue's "fix:" in the learner's language)."""

    def __init__(self, message: str, *, language: str, install_hint: str) -> None:
        from .messages import t

        super().__init__(t("toolchain_fix", message=message, hint=install_hint),
                         language=language)
        self.install_hint = install_hint


class EngineError(WasiKernelError):
    """An engine cannot load or run a module (invalid module, engine not installed, ...)."""
