"""What a ``%%wasm`` cell holds: a path to a ``.wasm`` file, hex, base64 or a bytes literal.

:func:`module_bytes` turns the cell into the module's bytes, or raises
:class:`~wasikernel.errors.UsageError` with a sentence that says what the cell may hold.
"""

from __future__ import annotations

import ast
import base64
import binascii
import os
import stat

from ..errors import UsageError
from ..messages import t

__all__ = ["module_bytes", "MOST_MODULE_BYTES"]

#: the largest module a ``%%wasm`` cell reads from a file
MOST_MODULE_BYTES = 256 << 20


def _read_file(path: str, shown: str) -> bytes:
    """The bytes of the regular file ``path``; raises UsageError for a device, a folder, an
    unreadable file or one over :data:`MOST_MODULE_BYTES` (``/dev/zero`` never ends)."""
    try:
        with open(path, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise UsageError(t("wasm_not_a_file", path=shown))
            data = f.read(MOST_MODULE_BYTES + 1)
    except OSError as exc:
        raise UsageError(t("wasm_unreadable", path=shown, error=exc.strerror)) from None
    if len(data) > MOST_MODULE_BYTES:
        raise UsageError(t("wasm_too_big", path=shown, mib=MOST_MODULE_BYTES >> 20))
    return data


def module_bytes(text: str) -> bytes:
    """Read a ``%%wasm`` cell: a path to a ``.wasm`` file, hex, base64 or a bytes literal.

    Raises ``UsageError`` when the cell is none of these.
    """
    body = text.strip()
    if not body:
        raise UsageError(t("wasm_empty"))
    if body[:2] in ("b'", 'b"'):
        try:
            value = ast.literal_eval(body)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
            raise UsageError(t("wasm_bad_literal", error=exc)) from None
        if isinstance(value, bytes):
            return value
    lines = body.splitlines()
    first_line = lines[0].strip()
    if len(lines) == 1 and os.path.exists(os.path.expanduser(first_line)):
        return _read_file(os.path.expanduser(first_line), first_line)
    compact = "".join(body.split())
    try:
        return bytes.fromhex(compact)
    except ValueError:
        pass
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if data.startswith(b"\0asm"):
        return data
    if len(lines) == 1 and body.endswith(".wasm"):
        raise UsageError(t("wasm_missing", path=first_line))
    raise UsageError(t("wasm_unknown"))
