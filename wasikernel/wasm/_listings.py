"""Lenient listings: what a stage needs to know about a module, without raising.

Each function answers from what it could read: a damaged module gives an empty or shorter
answer, never an exception, because a listing (the imports a toolchain left, where the code
section starts) is only ever a help.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ._reader import DecodeError, Reader
from ._sections import (
    Import,
    SectionId,
    module_sections,
    read_code_entry,
    read_header,
    read_import,
    sections,
)

__all__ = [
    "binary_kind",
    "code_section_start",
    "custom_section",
    "custom_sections",
    "function_bodies",
    "module_imports",
    "without_custom_sections",
]

T = TypeVar("T")


def binary_kind(data: bytes) -> str | None:
    """``"module"`` for a core module, ``"component"`` for a component, ``None`` for neither."""
    try:
        return read_header(data)
    except DecodeError:
        return None


def module_imports(wasm: bytes) -> list[Import]:
    """Each import of a core module, in order; those after any damage are left out."""
    return _entries(wasm, SectionId.IMPORT, read_import)


def function_bodies(wasm: bytes) -> list[tuple[int, int]]:
    """``(start, end)`` byte offsets of each defined function's body (its locals first), in
    order; those after any damage are left out."""
    return _entries(wasm, SectionId.CODE, read_code_entry)


def _entries(wasm: bytes, section_id: int, read_entry: Callable[[Reader], T]) -> list[T]:
    """The entries of a core module's section ``section_id``, up to any damage."""
    found: list[T] = []
    try:
        for section in module_sections(wasm):
            if section.id == section_id:
                s = section.reader(wasm)
                for _ in range(s.u32()):
                    found.append(read_entry(s))
                break
    except DecodeError:
        pass
    return found


def code_section_start(wasm: bytes) -> int | None:
    """The offset where the code section's contents begin (DWARF addresses count from
    there), or ``None`` when there is none or the module cannot be read up to it."""
    try:
        for section in module_sections(wasm):
            if section.id == SectionId.CODE:
                return section.start
    except DecodeError:
        pass
    return None


def custom_sections(wasm: bytes) -> list[str]:
    """The names of a module's or a component's custom sections, in order."""
    names: list[str] = []
    try:
        for section in sections(wasm):
            if section.id == SectionId.CUSTOM:
                names.append(section.reader(wasm).name())
    except DecodeError:
        pass
    return names


def custom_section(wasm: bytes, name: str) -> bytes | None:
    """The contents of the first custom section called ``name`` (after its name), or ``None``
    when there is none or the module cannot be read up to it."""
    try:
        for section in sections(wasm):
            if section.id == SectionId.CUSTOM:
                r = section.reader(wasm)
                if r.name() == name:
                    return bytes(wasm[r.pos : section.end])
    except DecodeError:
        pass
    return None


def without_custom_sections(wasm: bytes) -> bytes:
    """``wasm`` without its custom sections (names, debug info, producers).

    Bytes that cannot be read are returned as they are.
    """
    try:
        out = bytearray(wasm[:8])
        for section in sections(wasm):
            if section.id != SectionId.CUSTOM:
                out += wasm[section.offset : section.end]
    except DecodeError:
        return wasm
    return bytes(out)
