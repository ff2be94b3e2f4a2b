"""The shapes a lesson is written in: a cell is ``(kind, English, French, ...)``.

``kind`` is ``"markdown"`` or ``"code"``; an exercise adds two kinds, ``"exercise"`` (the cell
the learner edits: ``(kind, start_en, start_fr, solution_en, solution_fr, name)``, the
solution being the answer key of the teacher's version), ``"locked"`` (a cell of the exercise
the learner runs but does not edit: ``(kind, source, source, name)``) and ``"grade"`` (the
locked cell that grades it: ``(kind, source, source, name)``).
"""

from __future__ import annotations

Cell = tuple[str, ...]


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


def exercise(
    name: str,
    start: str,
    solution: str,
    fr_start: str | None = None,
    fr_solution: str | None = None,
    run: str | None = None,
) -> list[Cell]:
    """The cells of the exercise ``name``: the cell the learner edits (``start`` in the
    lessons, ``solution`` in the teacher's version), whose first line holds ``--check name``
    (or, for an answer that is a Python value, that calls ``answered(name, ...)``), and the
    locked cell that grades it. With ``run``, the edited cell only sets things up and
    ``run``, a locked cell between the two, is the one checked. Raises AssertionError when the
    checked source does not name the exercise on its first line."""
    sources = [s.strip("\n") for s in (start, fr_start or start, solution, fr_solution or solution)]
    checked = [run.strip("\n")] if run is not None else sources
    for source in checked:
        named = (f"--check {name}" in source.split("\n", 1)[0]
                 or f'answered("{name}"' in source)
        assert named, (name, source[:80])
    grading = py(f'grade("{name}")')
    cells: list[Cell] = [("exercise", *sources, name)]
    if run is not None:
        cells.append(("locked", checked[0], checked[0], name))
    return [*cells, ("grade", grading, grading, name)]
