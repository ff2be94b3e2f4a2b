"""What the four widgets share: where their browser half lives, the words it shows, and the
static HTML fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .. import messages

__all__ = ["static_file", "browser_module", "browser_style", "StaticHtmlWidget"]


def static_dir() -> Path:
    """The folder holding the widgets' ESM and CSS files.

    In a wheel it is ``wasikernel/widgets/static`` (pyproject force-includes ``widgets/``
    there); in an editable install it is the repository's top-level ``widgets/`` folder.
    Raises ``FileNotFoundError`` when neither exists.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "static", here.parent.parent / "widgets"):
        if (candidate / "trace.js").is_file():
            return candidate
    raise FileNotFoundError(
        f"the widgets' browser files are missing: looked in {here / 'static'} and "
        f"{here.parent.parent / 'widgets'}; reinstall wasikernel"
    )


def static_file(name: str) -> Path:
    """The path of one browser file (``"trace.js"``, ``"memory.css"``, ...)."""
    return static_dir() / name


def browser_module(name: str) -> str:
    """The ES module of one view's browser half (``"trace.js"`` ...): the helpers every view
    shares (``_common.js``: building an element, saying a catalogue sentence) and then the
    view's own file. Shared by text, not by import: a widget's module is loaded from a string
    and cannot import a neighbour file. Raises ``FileNotFoundError`` when a file is missing."""
    return static_file("_common.js").read_text() + "\n" + static_file(name).read_text()


def browser_style(name: str) -> str:
    """The style of one view (``"trace.css"`` ...): what every view's box shares
    (``_common.css``), then the view's own rules. Raises ``FileNotFoundError`` when a file is
    missing."""
    return static_file("_common.css").read_text() + "\n" + static_file(name).read_text()


class StaticHtmlWidget(anywidget.AnyWidget):
    """An anywidget whose display also carries a static ``text/html`` form.

    ``labels`` carries the words of the browser half, in the language of the messages: the
    catalogue's sentences ``widget_<_words>_*`` keyed by the rest of their key, with their
    fields left for the browser to fill, and ``lang`` for its plural rule.
    """

    _words = ""
    labels = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        if self._words and "labels" not in kwargs:
            words = messages.templates(f"widget_{self._words}_")
            kwargs["labels"] = {"lang": messages.get_language(), **words}
        super().__init__(**kwargs)

    def to_html(self) -> str:
        """The static HTML form of this view (no kernel needed to read it).

        Every view defines it; this base (not an ``abc`` class: traitlets' metaclass and
        ``ABCMeta`` do not mix) raises ``NotImplementedError``.
        """
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, meta = bundle
        data = {**data, "text/html": self.to_html()}
        return data, meta
