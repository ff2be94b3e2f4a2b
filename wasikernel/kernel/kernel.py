"""``WasiKernel``: an IPython kernel whose cells are WAT unless a magic says otherwise.

How a cell is read (see :func:`cell_language`):

* ``%%python`` first: the rest of the cell is Python, run by IPython as usual;
* another cell magic first (``%%c``, ``%%rust``, ``%%wat``, ``%%wasm``, ``%%wast``, or any
  IPython cell magic): IPython runs it;
* a line magic first (``%sandbox ...``, ``%call add 1 2``) or a ``!`` shell line: IPython code;
* ``fd_write?``, ``i32.add?`` or ``module?``: what that WASI call or WAT instruction does, or
  the WAT reference's topic for that keyword (``wat?`` lists the topics);
* anything else: WAT, run as if it began with ``%%wat``.
"""

from __future__ import annotations

import re
from typing import Any

from ipykernel.ipkernel import IPythonKernel

from ._wasi_calls import WASI_CALLS, describe
from ._wat import describe_instruction
from .magics import WasiMagics, complete_magic_lines, completion_words, magics_for

__all__ = ["WasiKernel", "cell_language", "completion_item", "to_ipython", "wasi_cell_transform"]

_RUN_MAGICS = {"wat": "wat", "c": "c", "rust": "rust", "wasm": "wasm", "wast": "wast"}
_HELP = re.compile(r"^\s*\??\s*([A-Za-z_][\w.]*)\s*\?{1,2}\s*$")
_WORD = re.compile(r"[\w.$]*$")


def _first_line(code: str) -> str:
    for line in code.splitlines():
        if line.strip():
            return line.strip()
    return ""


def cell_language(code: str) -> str:
    """Return what a cell is written in: ``"wat"``, ``"c"``, ``"rust"``, ``"wasm"``,
    ``"wast"``, ``"python"`` (Python or IPython magics) or ``"help"`` (``name?``)."""
    first = _first_line(code)
    if first.startswith("%%"):
        name = first[2:].split(None, 1)[0] if len(first) > 2 else ""
        return _RUN_MAGICS.get(name, "python")
    if first.startswith(("%", "!")):
        return "python"
    if _HELP.match(code):
        return "help"
    return "wat"


def to_ipython(code: str) -> str:
    """The IPython code a cell of the WASI kernel stands for."""
    language = cell_language(code)
    first = _first_line(code)
    if language == "wat" and code.strip() and not first.startswith("%%"):
        return "%%wat\n" + code
    if language == "help":
        name = _HELP.match(code).group(1)
        return f"%wasi --page {name.removeprefix('wasi_snapshot_preview1.')}"
    if first.startswith("%%python"):
        lines = code.splitlines(keepends=True)
        index = next(i for i, line in enumerate(lines) if line.strip())
        return "".join(lines[index + 1:])
    return code


def wasi_cell_transform(lines: list[str]) -> list[str]:
    """An IPython input transformer: the lines of a WASI-kernel cell as IPython code."""
    code = "".join(lines)
    new = to_ipython(code)
    return lines if new == code else new.splitlines(keepends=True)


class WasiKernel(IPythonKernel):
    """The kernel shown in Jupyter as "WASI (WAT, C, Rust)".

    It subclasses ``IPythonKernel`` so widgets, comms and Python cells keep working.
    """

    implementation = "wasikernel"
    implementation_version = "0.1.0"
    banner = "WASI kernel: WebAssembly cells in WAT, C and Rust, run under a tracing WASI host"
    language_info = {
        "name": "wat",
        "mimetype": "text/webassembly",
        "file_extension": ".wat",
        "codemirror_mode": "WebAssembly",
        "pygments_lexer": "wat",
    }
    help_links = [
        {"text": "WASI preview 1 calls", "url": "https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md"},
        {"text": "WebAssembly text format", "url": "https://webassembly.github.io/spec/core/text/index.html"},
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.wasi_magics: WasiMagics = magics_for(self.shell)
        complete_magic_lines(self.shell)  # the magics' options, as after %load_ext wasikernel
        # The first of IPython's clean-up transforms: the history keeps the cell as written.
        self.shell.input_transformers_cleanup.insert(0, wasi_cell_transform)
        # Load the compiler, engine, host and widgets while the kernel starts, not in the first
        # cell: with a whole class at once, that was most of the first cell's latency.
        _warm_stages()

    def do_complete(self, code: str, cursor_pos: int | None) -> dict:  # type: ignore[override]
        """Complete WAT words and WASI call names; Python cells complete as in IPython."""
        if cursor_pos is None:
            cursor_pos = len(code)
        language = cell_language(code)
        if language == "python":
            return super().do_complete(code, cursor_pos)
        before = code[:cursor_pos]
        line_start = before.rfind("\n") + 1
        current_line = before[line_start:]
        if current_line.lstrip().startswith("%"):
            # a magic line: complete its options the IPython way
            return super().do_complete(code, cursor_pos)
        prefix = _WORD.search(before).group(0)
        words = completion_words(language)
        matches = sorted({w for w in words if w.startswith(prefix)}) if prefix else []
        start = cursor_pos - len(prefix)
        # JupyterLab shows each item's type and, in its documentation panel, what inspecting
        # the word says; `signature` carries the short form for other front ends
        types = [{"start": start, "end": cursor_pos, "text": w, **completion_item(w)}
                 for w in matches]
        return {
            "status": "ok",
            "matches": matches,
            "cursor_start": start,
            "cursor_end": cursor_pos,
            "metadata": {"_jupyter_types_experimental": types},
        }

    def do_is_complete(self, code: str) -> dict:  # type: ignore[override]
        """A WAT cell is complete when its parentheses balance (for console front ends)."""
        if cell_language(code) != "wat":
            return super().do_is_complete(code)
        depth = paren_depth(code)
        if depth < 0:
            return {"status": "invalid"}
        if depth > 0:
            return {"status": "incomplete", "indent": "  " * depth}
        return {"status": "complete"}

    def do_inspect(  # type: ignore[override]
        self, code: str, cursor_pos: int, detail_level: int = 0, omit_sections: Any = ()
    ) -> dict:
        """Describe the WASI call or WAT instruction under the cursor; Python cells inspect as
        in IPython."""
        if cell_language(code) == "python":
            return super().do_inspect(code, cursor_pos, detail_level, omit_sections)
        name = word_at(code, cursor_pos)
        name = name.removeprefix("__wasi_").removeprefix("wasi_snapshot_preview1.")
        text = describe(name) or describe_instruction(name)
        if text is None:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}


def completion_item(word: str) -> dict[str, str]:
    """The ``type`` (``"keyword"``, ``"instruction"`` or ``"function"`` for a WASI call) and
    ``signature`` (a one-line description, in the messages' language) of a completed word."""
    from ._wat import WAT_INSTRUCTIONS

    name = word.removeprefix("__wasi_")
    text = describe(name) if name in WASI_CALLS else describe_instruction(word)
    kind = ("function" if name in WASI_CALLS else
            "instruction" if word in WAT_INSTRUCTIONS else "keyword")
    return {"type": kind, "signature": text.splitlines()[0] if text else ""}


def _warm_stages() -> None:
    """Import the run stages and run an empty module once (any failure is left to the cell)."""
    try:
        from .. import widgets  # noqa: F401
        from ..compile import compile_source
        from ..engines import run

        run(compile_source("wat", '(module (func (export "_start")))').wasm)
    except Exception:
        pass


def word_at(code: str, cursor_pos: int) -> str:
    """The word (letters, digits, ``_``, ``.``) around ``cursor_pos``."""
    start = cursor_pos
    while start > 0 and (code[start - 1].isalnum() or code[start - 1] in "_."):
        start -= 1
    end = cursor_pos
    while end < len(code) and (code[end].isalnum() or code[end] in "_."):
        end += 1
    return code[start:end]


def paren_depth(code: str) -> int:
    """Open parentheses left in WAT text (negative when one closes too many), skipping
    strings, ``;;`` line comments and ``(; ;)`` block comments."""
    depth = i = 0
    n = len(code)
    while i < n:
        ch = code[i]
        if ch == '"':
            i += 1
            while i < n and code[i] != '"':
                i += 2 if code[i] == "\\" else 1
        elif code.startswith(";;", i):
            end = code.find("\n", i)
            i = n if end < 0 else end
        elif code.startswith("(;", i):
            end = code.find(";)", i + 2)
            i = n if end < 0 else end + 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return -1
        i += 1
    return depth
