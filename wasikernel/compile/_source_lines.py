"""Source lines for a trap's backtrace, from the module's DWARF debug info (``%%c -g``).

When an engine reports frames with byte offsets but no source line, and the module carries a
``.debug_line`` section, LLVM's ``llvm-symbolizer`` (installed with clang) turns each offset
into ``cell.c:LINE``. DWARF addresses in a wasm module count from the start of the code
section's contents, so the offsets are shifted by that much first. Without the symbolizer, or
without debug info, the backtrace keeps function names only.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile

from ..result import Trap
from ..wasm import code_section_start, custom_sections

__all__ = ["add_source_lines", "find_symbolizer", "code_start_and_debug_info"]


def code_start_and_debug_info(wasm: bytes) -> tuple[int | None, bool]:
    """The file offset where the code section's contents begin, and whether the module has a
    ``.debug_line`` section. A malformed module gives ``(None, False)``, or the start alone
    when the damage comes after the code section."""
    code_start = code_section_start(wasm)
    if code_start is None:
        return None, False
    return code_start, ".debug_line" in custom_sections(wasm)


def find_symbolizer() -> str | None:
    """``llvm-symbolizer`` on PATH, or one of Debian's versioned LLVM installs, or ``None``."""
    found = shutil.which("llvm-symbolizer")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/bin/llvm-symbolizer-*")
                        + glob.glob("/usr/lib/llvm-*/bin/llvm-symbolizer"))
    return candidates[-1] if candidates else None


def add_source_lines(wasm: bytes, trap: Trap) -> None:
    """Fill ``Frame.source`` (``"cell.c:4"``) of the frames that lack it, when the module has
    line tables and ``llvm-symbolizer`` is installed; otherwise leave the frames as they are.
    Never raises: a backtrace without lines is still a backtrace."""
    wanted = [f for f in trap.frames if f.source is None and f.module_offset is not None
              and 0 <= f.module_offset < len(wasm)]
    if not wanted:
        return
    code_start, has_lines = code_start_and_debug_info(wasm)
    symbolizer = find_symbolizer()
    if code_start is None or not has_lines or symbolizer is None:
        return
    addresses = "\n".join(str(f.module_offset - code_start) for f in wanted) + "\n"
    try:
        with tempfile.NamedTemporaryFile(suffix=".wasm", delete=False) as tmp:
            tmp.write(wasm)
        proc = subprocess.run(
            [symbolizer, f"--obj={tmp.name}", "--no-inlines", "--functions=none"],
            input=addresses, capture_output=True, text=True, timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return
    finally:
        os.unlink(tmp.name)
    answers = [block.strip() for block in proc.stdout.strip().split("\n\n")]
    if len(answers) != len(wanted):
        return
    for frame, answer in zip(wanted, answers, strict=True):
        path, _, rest = answer.rpartition(":")  # "./cell.c:4:9" -> "./cell.c:4", "9"
        path, _, line = path.rpartition(":")
        if path.startswith("?") or not line.isdigit() or line == "0":
            continue
        # the cell's own file keeps its name; a library's long install path keeps its file name
        name = os.path.basename(path) if os.path.isabs(path) else path.removeprefix("./")
        frame.source = f"{name}:{line}"
