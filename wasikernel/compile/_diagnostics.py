"""Rewriting compiler diagnostics so that they speak of the cell, not of temporary files."""

from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain_text(text: str) -> str:
    """Return ``text`` without ANSI colour sequences."""
    return _ANSI.sub("", text)


def rewrite_paths(text: str, workdir: str, temp_names: dict[str, str]) -> str:
    """Replace the temporary folder and file names in ``text`` by the names the learner knows.

    ``temp_names`` maps a file name inside ``workdir`` (``"cell.c"``) to what to show
    (``"In [3]"``, ``"hello.c"``); any other path under ``workdir`` loses the folder.
    """
    for real in {workdir, workdir.rstrip("/")}:
        for temp, shown in temp_names.items():
            text = text.replace(f"{real}/{temp}", shown)
        text = text.replace(real + "/", "")
    for temp, shown in temp_names.items():
        name = re.escape(temp)
        text = re.sub(rf"(\x1b\[[0-9;]*m){name}(?![\w.])", lambda m, s=shown: m.group(1) + s, text)
        text = re.sub(rf"(?<![\w/.-]){name}(?![\w.])", lambda _m, s=shown: s, text)
    return text


def first_location(text: str, shown_name: str) -> tuple[int | None, int | None]:
    """Return the (line, column) of the first error that names ``shown_name``, else any."""
    plain = plain_text(text)
    name = re.escape(shown_name)
    pattern = re.compile(rf"{name}:(\d+):(\d+)")
    error_at = plain.find("error")
    matches = list(pattern.finditer(plain))
    if not matches:
        return None, None
    if error_at >= 0:
        for match in matches:
            line_start = plain.rfind("\n", 0, match.start()) + 1
            line_end = plain.find("\n", match.end())
            line_text = plain[line_start : line_end if line_end >= 0 else len(plain)]
            if "error" in line_text or "-->" in line_text:
                return int(match.group(1)), int(match.group(2))
    return int(matches[0].group(1)), int(matches[0].group(2))


def undefined_symbols(text: str) -> list[str]:
    """Return the names a linker reported as undefined symbols, in order, once each."""
    names: list[str] = []
    for match in re.finditer(r"undefined symbol: ([A-Za-z_$][\w$.]*)", plain_text(text)):
        if match.group(1) not in names:
            names.append(match.group(1))
    return names


_DECLARATION_START = re.compile(
    r"^(?:extern|static|const|unsigned|signed|void|int|char|short|long|float|double|"
    r"struct|enum|fn|pub|unsafe|bool|size_t|u?int\d+_t)\b"
)


def locate_word(source: str, word: str) -> tuple[int, int] | None:
    """Return the (line, column) of the first use of ``word`` in ``source``.

    A line that only declares it (a C prototype, a Rust ``fn`` in an ``extern`` block) is
    skipped in favour of a line that uses it; the declaration is the fallback.
    """
    pattern = re.compile(rf"(?<![\w$]){re.escape(word)}(?![\w$])")
    declaration = None
    for number, line in enumerate(source.splitlines(), start=1):
        match = pattern.search(line)
        if not match:
            continue
        stripped = line.strip()
        before = line[: match.start()]
        if _DECLARATION_START.match(stripped) and "=" not in before and stripped.endswith(
            (";", "{", ")")
        ):
            declaration = declaration or (number, match.start() + 1)
            continue
        return number, match.start() + 1
    return declaration


def caret_excerpt(source: str, line: int, column: int) -> str:
    """Return the source line ``line`` with a caret under ``column`` (both 1-based), in the
    gutter style compilers use (``    3 | text``)."""
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].expandtabs(4)
    caret_col = max(1, min(column, len(text) + 1))
    return f"{line:5d} | {text}\n{' ' * 5} | {' ' * (caret_col - 1)}^"
