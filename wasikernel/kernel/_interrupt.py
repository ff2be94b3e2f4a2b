"""Turn the notebook's interrupt button (SIGINT) into the ``cancel`` Event of a run.

While native wasm code runs, Python's own SIGINT handler cannot run: it waits until the guest
calls back into Python. So, for the length of a run, :class:`InterruptGuard`

* points ``signal.set_wakeup_fd`` at a pipe: the C-level handler writes the signal number there
  at once, even in the middle of native code, and a small thread reading the pipe sets
  ``cancel`` (the engine then stops the guest within a second); the pipe and the thread are
  made once per process, so a run pays no thread start;
* replaces the Python-level SIGINT handler by one that only sets ``cancel``, so no
  ``KeyboardInterrupt`` is raised inside a host function or after the run ends.

Both are restored afterwards, and bytes meant for a previous wakeup fd are passed on to it.
Off the main thread (signals cannot be handled there) the guard does nothing, and so it does
under Pyodide, which starts no thread: there the rewritten guest asks the host between loop
iterations, and the interrupt arrives as a ``KeyboardInterrupt`` in that question
(:mod:`wasikernel.engines.browser`).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType, TracebackType

__all__ = ["InterruptGuard"]


class _Watcher:
    """One pipe and one daemon thread for the whole process, started on first use: each run
    only points the wakeup fd at the pipe and names its ``cancel`` Event."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)
        self.lock = threading.Lock()
        self.guard: InterruptGuard | None = None
        self.forward_fd = -1
        threading.Thread(target=self._watch, name="wasikernel-interrupt", daemon=True).start()

    def _watch(self) -> None:
        while True:
            try:
                data = os.read(self.read_fd, 64)
            except OSError:
                return
            if not data:
                return
            with self.lock:
                guard, forward = self.guard, self.forward_fd
            if guard is not None and signal.SIGINT in data:
                guard.interrupted = True
                guard.cancel.set()
            if forward >= 0:
                try:
                    os.write(forward, data)
                except OSError:
                    pass


_watcher: _Watcher | None = None


class InterruptGuard:
    """A context manager that sets ``cancel`` when SIGINT arrives; ``interrupted`` says if it
    did."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self.interrupted = False
        self._active = False

    def __enter__(self) -> InterruptGuard:
        global _watcher
        if sys.platform == "emscripten":  # no thread, no signal: see the module's text
            return self
        if threading.current_thread() is not threading.main_thread():
            return self
        if _watcher is None:
            _watcher = _Watcher()
        try:
            old_wakeup = signal.set_wakeup_fd(_watcher.write_fd, warn_on_full_buffer=False)
        except ValueError:  # not the main interpreter after all
            return self
        with _watcher.lock:
            _watcher.guard, _watcher.forward_fd = self, old_wakeup
        self._old_wakeup = old_wakeup
        self._old_handler = signal.signal(signal.SIGINT, self._on_sigint)
        self._active = True
        return self

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.interrupted = True
        self.cancel.set()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._active or _watcher is None:
            return
        self._active = False
        signal.set_wakeup_fd(self._old_wakeup)
        signal.signal(signal.SIGINT, self._old_handler)
        with _watcher.lock:
            _watcher.guard, _watcher.forward_fd = None, -1
