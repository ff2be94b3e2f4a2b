"""The package's wheel for the static site, written directly (a zip with its dist-info).

It differs from the wheel ``pip`` builds in two ways: its requirements are only those a
browser can meet (``anywidget``, ``ipywidgets``: wasmtime, zig and the runtimes do not exist
there), and it carries the site's precompiled C and Rust cells
(``wasikernel/compile/precompiled/KEY.wasm``) and the course's data folders
(``wasikernel/lite/data/NAME/``).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from .. import __version__

__all__ = ["write_wheel", "BROWSER_REQUIREMENTS"]

#: what the package needs in a browser
BROWSER_REQUIREMENTS = ("anywidget>=0.11", "ipywidgets>=8.1")


def _files() -> list[tuple[str, bytes]]:
    from .build import REPOSITORY

    package = REPOSITORY / "wasikernel"
    out = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            out.append((f"wasikernel/{path.relative_to(package).as_posix()}", path.read_bytes()))
    for path in sorted((REPOSITORY / "widgets").rglob("*")):
        if path.is_file():
            rel = path.relative_to(REPOSITORY / "widgets").as_posix()
            out.append((f"wasikernel/widgets/static/{rel}", path.read_bytes()))
    # the course's data as ``data``: a cell's ``--dir data::/data`` finds it under that name
    seen = set()
    for folder in (REPOSITORY / "lessons" / "en" / "data", REPOSITORY / "notebooks" / "data"):
        for path in sorted(folder.glob("*")):
            if path.is_file() and path.name not in seen:
                seen.add(path.name)
                out.append((f"wasikernel/lite/data/data/{path.name}", path.read_bytes()))
    return out


def _digest(data: bytes) -> str:
    raw = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def write_wheel(folder: Path, precompiled: dict[str, bytes]) -> Path:
    """Write ``wasikernel-VERSION-py3-none-any.whl`` into ``folder``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    info = f"wasikernel-{__version__}.dist-info"
    files = _files()
    files += [(f"wasikernel/compile/precompiled/{key}.wasm", wasm)
              for key, wasm in sorted(precompiled.items())]  # fmt: skip
    metadata = "\n".join([
        "Metadata-Version: 2.1", "Name: wasikernel", f"Version: {__version__}",
        "Summary: WebAssembly and WASI for teaching, in Jupyter (the static site's build)",
        *[f"Requires-Dist: {r}" for r in BROWSER_REQUIREMENTS], "",
    ])  # fmt: skip
    wheel_text = "Wheel-Version: 1.0\nGenerator: wasikernel lite build\nRoot-Is-Purelib: true\n" \
        "Tag: py3-none-any\n"
    files += [(f"{info}/METADATA", metadata.encode()), (f"{info}/WHEEL", wheel_text.encode())]
    record = "".join(f"{name},{_digest(data)},{len(data)}\n" for name, data in files)
    record += f"{info}/RECORD,,\n"
    path = folder / f"wasikernel-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, data in files:
            whl.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        whl.writestr(f"{info}/RECORD", record)
    return path
