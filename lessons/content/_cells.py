"""The shapes a lesson is written in: a cell is ``(kind, English, French)``."""

from __future__ import annotations

Cell = tuple[str, str, str]


def md(en: str, fr: str) -> Cell:
    """A markdown cell, its English and French text side by side."""
    return ("markdown", en.strip("\n"), fr.strip("\n"))


def code(src: str, fr: str | None = None) -> Cell:
    """A code cell; ``fr`` is its French variant when its comments or strings differ."""
    src = src.strip("\n")
    return ("code", src, (fr if fr is not None else src).strip("\n"))


def py(*lines: str) -> str:
    """The source of a ``%%python`` cell made of ``lines``."""
    return "%%python\n" + "\n".join(lines)


def french(src: str, *pairs: tuple[str, str]) -> tuple[str, str]:
    """A code cell's source and its French variant, which differs only in the printed words
    ``pairs`` (English, French) replaces; raises AssertionError when a word is not there."""
    translated = src
    for en, fr in pairs:
        assert en in translated, en
        translated = translated.replace(en, fr)
    return src, translated
