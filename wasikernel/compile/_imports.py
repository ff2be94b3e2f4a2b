"""Listing a module's imports from its bytes, without an engine."""

from __future__ import annotations

from ._layout import _read_import, _Reader


def module_imports(wasm: bytes) -> list[tuple[str, str]]:
    """Return ``(module, name)`` for each import of ``wasm``; an unreadable module gives ``[]``."""
    found: list[tuple[str, str]] = []
    pos = 8
    try:
        while pos < len(wasm):
            section_id = wasm[pos]
            reader = _Reader(wasm, pos + 1)
            size = reader.uleb()
            start = reader.pos
            if section_id == 2:
                body = _Reader(wasm, start, start + size)
                for _ in range(body.uleb()):
                    module, name, _kind = _read_import(body)
                    found.append((module, name))
                return found
            pos = start + size
    except (ValueError, IndexError):
        return found
    return found
