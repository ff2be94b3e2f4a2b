"""Where the magics' output leaves for the cell: :func:`write` for text, :func:`show` for a
display, and :class:`Streamer`, which passes a guest's output on as it comes.

Every line of text a magic prints goes through :func:`write` (in bash_kernel's manner: one
function sends output), so a change of how text reaches the notebook is made in one place.
"""

from __future__ import annotations

import codecs
import sys
import time
from typing import Any

from ..messages import t

__all__ = ["write", "show", "say_progress", "Streamer"]


def write(stream: str, text: str, *, flush: bool = True) -> None:
    """Write ``text`` to the cell's ``"stdout"`` or ``"stderr"``; ``flush`` sends it now."""
    target = sys.stderr if stream == "stderr" else sys.stdout
    target.write(text)
    if flush:
        target.flush()


def show(data: Any) -> None:
    """Display ``data`` in the cell: a mime bundle (``{"text/plain": ...}``) as it is, any
    other object (a widget) through IPython's formatters."""
    from IPython.display import display

    if isinstance(data, dict):
        display(data, raw=True)
    else:
        display(data)


def say_progress(message: str) -> None:
    """A slow compile step (zig building its libc once) says so in the cell as it starts."""
    write("stderr", message + "\n")


class Streamer:
    """Writes the guest's output into the cell as it comes, decoding UTF-8 across chunks.

    The first chunk is flushed at once, later ones at most every 50 ms (ipykernel sends what
    is left on its own schedule), so a guest printing one character at a time stays fast.
    Past ``cap`` characters the cell shows no more (the browser would choke); the whole output
    stays in the RunResult and a closing note says so.
    """

    def __init__(self, cap: int = 1_000_000) -> None:
        self._decoders = {
            "stdout": codecs.getincrementaldecoder("utf-8")("replace"),
            "stderr": codecs.getincrementaldecoder("utf-8")("replace"),
        }
        self.cap = cap
        self.received = 0
        self.shown = 0
        self.truncated = False
        self._last_flush = 0.0

    def __call__(self, stream: str, chunk: bytes) -> None:
        self.received += len(chunk)
        self._write(stream, self._decoders[stream].decode(chunk))

    def _write(self, stream: str, text: str) -> None:
        if not text:
            return
        room = self.cap - self.shown
        if len(text) > room:
            text, self.truncated = text[:max(room, 0)], True
            if not text:
                return
        self.shown += len(text)
        now = time.monotonic()
        flush = now - self._last_flush > 0.05
        write(stream, text, flush=flush)
        if flush:
            self._last_flush = now

    def close(self) -> None:
        """Write what the decoders still hold and say when the cell was cut short."""
        for stream, decoder in self._decoders.items():
            self._write(stream, decoder.decode(b"", final=True))
        if self.truncated:
            write("stderr", "\n" + t("kernel_output_cut", shown=self.shown) + "\n", flush=False)
            self.truncated = False
        # no flush here: the next display flushes both streams first, and so does the end of
        # the cell; each flush from the main thread waits for ipykernel's I/O thread
