"""wasi:cli: arguments and environment, exit, the three standard streams, terminals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._spec import ProcExit
from ._spec import Resource, resource, wit
from .io import InputStream, OutputStream

if TYPE_CHECKING:
    from ._host import ComponentHost


class TerminalInput(Resource):
    KIND = "terminal-input"


class TerminalOutput(Resource):
    KIND = "terminal-output"


resource("wasi:cli/terminal-input", "terminal-input", TerminalInput)
resource("wasi:cli/terminal-output", "terminal-output", TerminalOutput)


@wit("wasi:cli/environment", "get-environment")
def get_environment(h: ComponentHost) -> list[tuple[str, str]]:
    """The environment variables the sandbox grants, as (name, value) pairs."""
    return list(h.sandbox.env.items())


@wit("wasi:cli/environment", "get-arguments")
def get_arguments(h: ComponentHost) -> list[str]:
    """The program name, then the arguments the sandbox grants."""
    return [h.sandbox.program_name, *h.sandbox.args]


@wit("wasi:cli/environment", "initial-cwd")
def initial_cwd(h: ComponentHost) -> str | None:
    """No working directory is granted (as under wasmtime)."""
    return None


@wit("wasi:cli/exit", "exit", "status")
def exit_(h: ComponentHost, status: Any) -> None:
    """End the run: exit code 0 for ``ok``, 1 for ``err``. Raises ProcExit."""
    raise ProcExit(0 if getattr(status, "tag", "ok") == "ok" else 1)


@wit("wasi:cli/exit", "exit-with-code", "status-code")
def exit_with_code(h: ComponentHost, code: int) -> None:
    """End the run with ``code``. Raises ProcExit."""
    raise ProcExit(code)


@wit("wasi:cli/stdin", "get-stdin")
def get_stdin(h: ComponentHost) -> Any:
    """The guest's stdin (what the sandbox gives it, then its end)."""
    return h.own(InputStream("stdin"))


@wit("wasi:cli/stdout", "get-stdout")
def get_stdout(h: ComponentHost) -> Any:
    """The guest's stdout."""
    return h.own(OutputStream("stdout"))


@wit("wasi:cli/stderr", "get-stderr")
def get_stderr(h: ComponentHost) -> Any:
    """The guest's stderr."""
    return h.own(OutputStream("stderr"))


def _no_terminal(h: ComponentHost) -> None:
    """None: the standard streams of a run are never a terminal."""
    return None


for _which in ("stdin", "stdout", "stderr"):
    wit(f"wasi:cli/terminal-{_which}", f"get-terminal-{_which}")(_no_terminal)
