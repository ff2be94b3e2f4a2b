"""The compile cache: wasm bytes keyed by language, source, options and toolchain version.

Entries live under ``$WASIKERNEL_CACHE`` (or ``~/.cache/wasikernel``) in ``compile/``, one
``.wasm`` file per key with a small ``.json`` beside it (toolchain, warnings). A write goes to a
temporary file first and is renamed into place, so two kernels sharing a cache never read half
an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any


def cache_root() -> Path:
    """Return wasikernel's cache folder (``$WASIKERNEL_CACHE`` or ``~/.cache/wasikernel``)."""
    env = os.environ.get("WASIKERNEL_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "wasikernel"


def cache_key(language: str, source: str, options: Any, toolchain: str) -> str:
    """Return the hex digest naming the entry for these inputs."""
    blob = json.dumps(
        {"language": language, "source": source, "options": asdict(options), "tc": toolchain},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _entry(key: str) -> Path:
    return cache_root() / "compile" / key[:2] / key


def load(key: str) -> tuple[bytes, dict[str, Any]] | None:
    """Return ``(wasm, metadata)`` for ``key``, or ``None`` when it is not cached."""
    path = _entry(key)
    try:
        wasm = path.with_suffix(".wasm").read_bytes()
        meta = json.loads(path.with_suffix(".json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return wasm, meta


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once (a temporary file renamed); raises ``OSError``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def store(key: str, wasm: bytes, metadata: dict[str, Any]) -> None:
    """Write an entry; a cache that cannot be written (read-only home) is silently skipped."""
    path = _entry(key)
    try:
        atomic_write(path.with_suffix(".wasm"), wasm)
        atomic_write(path.with_suffix(".json"), json.dumps(metadata).encode("utf-8"))
    except OSError:
        pass
