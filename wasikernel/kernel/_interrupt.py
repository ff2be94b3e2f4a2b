"""Turn the notebook's interrupt button (SIGINT) into the ``cancel`` Event of a run.

While native wasm code runs, Python's own SIGINT handler cannot run: it waits until the guest
calls back into Python. So, for the length of a run, :class:`InterruptGuard`

* points ``signal.set_wakeup_fd`` at a pipe: the C-level handler writes the signal number there
  at once, even in the middle of native code, and a small thread reading the pipe sets
  ``cancel`` (the engine then stops the guest within a second);
* replaces the Python-level SIGINT handler by one that only sets ``cancel``, so no
  ``KeyboardInterrupt`` is raised inside a host function or after the run ends.

Both are restored afterwards, and bytes meant for a previous wakeup fd are passed on to it.
Off the main thread (signals cannot be handled there) the guard does nothing.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType, TracebackType

__all__ = ["InterruptGuard"]


class InterruptGuard:
    """A context manager that sets ``cancel`` when SIGINT arrives; ``interrupted`` says if it
    did."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self.interrupted = False
        self._active = False

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is not threading.main_thread():
            return self
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)
        try:
            self._old_wakeup = signal.set_wakeup_fd(self._write_fd, warn_on_full_buffer=False)
        except ValueError:  # not the main interpreter / main thread after all
            os.close(self._read_fd)
            os.close(self._write_fd)
            return self
        self._old_handler = signal.signal(signal.SIGINT, self._on_sigint)
        self._active = True
        self._watcher = threading.Thread(target=self._watch, name="wasikernel-interrupt",
                                         daemon=True)
        self._watcher.start()
        return self

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = True
        self.cancel.set()

    def _watch(self) -> None:
        while True:
            try:
                data = os.read(self._read_fd, 64)
            except OSError:
                return
            if not data:  # the write end was closed: the run is over
                return
            if signal.SIGINT in data:
                self.interrupted = True
                self.cancel.set()
            if self._old_wakeup >= 0:
                try:
                    os.write(self._old_wakeup, data)
                except OSError:
                    pass

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._active:
            return
        self._active = False
        signal.set_wakeup_fd(self._old_wakeup)
        signal.signal(signal.SIGINT, self._old_handler)
        os.close(self._write_fd)
        self._watcher.join(timeout=1.0)
        os.close(self._read_fd)
