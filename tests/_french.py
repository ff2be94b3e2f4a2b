"""Find English a learner would read in the outputs of a French notebook.

:func:`english_in_outputs` looks for two things: a piece of an English sentence of the catalogue
(three words or more that the French sentence does not share), and the English words our code
prints (``calls``, ``refused``, a table's ``baseline`` or ``peak memory`` ...). Outputs of cells
run after ``%sandbox lang en`` (a notebook that shows the English on purpose) are skipped. The
names WIT gives wasi:sockets' and wasi:filesystem's error codes (``access-denied``,
``connection-refused``) are names, printed as they are: :data:`NAMES` lists them, and they are
left out of the search as whole names only.
"""

from __future__ import annotations

import html
import re
import string

from wasikernel import messages
from wasikernel.wasi.p2 import _spec

#: English words our code (and argparse, shlex) prints, as whole words: not an option's name
#: (``--denied``) nor a part of a WIT name (``access-denied``)
WORDS = re.compile(r"(?<![\w-])(calls|refused|denied|granted|Not yet|Well done|not measured|"
                   r"not counted|exited with|bytes|figure|baseline|peak memory|on disk|"
                   r"not installed|not on PATH|whole process|interpreter|command line|"
                   r"included|not traced|not tried|first run|rounds|invalid choice|choose from|"
                   r"unrecognized arguments?|expected (one|at most one|at least one) argument|"
                   r"No closing quotation|No escaped character)\b")

#: the WIT names of the error codes a component's trace prints (``access-denied``)
NAMES = frozenset(_spec._NET_CODES.values()) | frozenset(_spec._FS_CODES.values())
_NAMED = re.compile(r"(?<![\w-])(" + "|".join(sorted((re.escape(n) for n in NAMES if "-" in n),
                                                       key=len, reverse=True)) + r")(?![\w-])")


def _fragments() -> set[str]:
    found = set()
    for entry in messages.CATALOGUE.values():
        english, french = entry["en"], entry["fr"]
        if english == french:
            continue
        for literal, *_ in string.Formatter().parse(english):
            for piece in re.split(r"\{[^}]*\}", literal or ""):
                piece = piece.strip(" .,;:()")
                if len(piece.split()) >= 3 and piece not in french:
                    found.add(piece)
    return found


def output_texts(nb) -> list[tuple[int, str]]:
    """(cell index, text) of every output a learner reads, HTML as its text."""
    texts, english_on = [], False
    for index, cell in enumerate(nb.cells):
        source = cell.get("source", "")
        if "%sandbox lang en" in source:
            english_on = True
        elif "%sandbox lang fr" in source:
            english_on = False
        if english_on or cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append((index, output["text"]))
            elif output.get("output_type") == "error":
                texts.append((index, "\n".join(output.get("traceback", []))))
            else:
                data = output.get("data", {})
                if "text/html" in data:
                    body = re.sub(r"<style.*?</style>", " ", data["text/html"], flags=re.S)
                    texts.append((index, html.unescape(re.sub(r"<[^>]+>", " ", body))))
                elif "text/plain" in data:
                    texts.append((index, data["text/plain"]))
    return texts


def english_in(text: str) -> list[str]:
    """The English pieces of ``text`` (catalogue sentences and words), WIT's names left out."""
    text = _NAMED.sub(" ", text)
    found = [piece for piece in _FRAGMENTS if piece in text]
    found += [m.group(0) for m in WORDS.finditer(text)]
    return found


def english_in_outputs(nb) -> list[tuple[int, str, str]]:
    """(cell index, English piece, its context) for every English piece in ``nb``'s outputs."""
    hits = []
    for index, text in output_texts(nb):
        for piece in english_in(text):
            at = text.find(piece)
            hits.append((index, piece, text[max(0, at - 60):at + len(piece) + 40]))
    return hits


_FRAGMENTS = _fragments()
