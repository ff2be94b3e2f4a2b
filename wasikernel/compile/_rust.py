"""Rust cells: one file with ``fn main``, compiled by a ``rustc`` that has the wasm32 WASI std.

No crates (there is no network for Cargo). The rustc chosen is the first one found (PATH order,
then Debian's ``/usr/bin/rustc``) whose sysroot holds ``lib/rustlib/wasm32-wasip1`` or
``wasm32-wasi``: a rustup toolchain without the target may well come first on PATH.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CompileError, ToolchainMissing
from ..messages import t
from . import _libc_trace
from ._cache import atomic_write, cache_root
from ._diagnostics import caret_excerpt, first_location, locate_word, plain_text, rewrite_paths
from ._toolchains import RUST_INSTALL, RUSTUP_INSTALL, Toolchain, find_rustc, survey_rustc

if TYPE_CHECKING:
    from . import CompileOptions

_TIMEOUT = 600
_OPT_LEVELS = {"0": "0", "1": "1", "2": "2", "3": "3", "s": "s", "z": "z"}


def find_rust_toolchain() -> Toolchain:
    """Return the rustc that compiles cells.

    Raises :class:`ToolchainMissing` naming the packages (or the rustup target) to install.
    """
    found = find_rustc()
    if found is not None:
        return found
    others = survey_rustc()
    if others:
        names = ", ".join(f"{path} ({version})" for path, version, _ in others)
        raise ToolchainMissing(
            t("toolchain_rust_std_missing", names=names, n=len(others)),
            language="rust",
            install_hint=t("toolchain_rust_hint", apt=RUST_INSTALL, rustup=RUSTUP_INSTALL),
        )
    raise ToolchainMissing(
        t("toolchain_rust_missing"),
        language="rust",
        install_hint=t("toolchain_rust_hint", apt=RUST_INSTALL, rustup=RUSTUP_INSTALL),
    )


def _run(argv: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    """Run rustc; raise :class:`CompileError` when it cannot start or hangs."""
    try:
        return subprocess.run(
            argv, check=False, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        raise CompileError(
            f"rustc did not finish within {_TIMEOUT} s and was stopped", language="rust"
        ) from None
    except OSError as exc:
        raise CompileError(f"rustc could not start: {exc}", language="rust") from None


def trace_archive(rustc: Toolchain) -> Path:
    """Return the archive with the libc path-lookup wrapper, built by ``rustc`` itself.

    Raises :class:`CompileError` when it does not build.
    """
    target = rustc.details["target"]
    digest = hashlib.sha256(
        (_libc_trace.RUST_WRAPPER + rustc.version + rustc.command[0] + target).encode()
    ).hexdigest()[:16]
    path = cache_root() / "libc-trace" / f"rustc-{digest}.a"
    if path.exists():
        return path
    with tempfile.TemporaryDirectory(prefix="wasikernel-wrap-") as workdir:
        Path(workdir, "wrap.rs").write_text(_libc_trace.RUST_WRAPPER, "utf-8")
        done = _run(
            [rustc.command[0], "--target", target, "-O", "--emit=obj", "--crate-name",
             "wasikernel_trace", "wrap.rs", "-o", "wrap.o"],
            workdir,
        )
        if done.returncode != 0:
            raise CompileError(f"the libc trace wrapper did not build:\n{done.stderr}",
                               language="rust")
        data = _libc_trace.archive(Path(workdir, "wrap.o").read_bytes())
    atomic_write(path, data)
    return path


def rustc_argv(
    rustc: Toolchain,
    options: CompileOptions,
    color: bool,
    workdir: str = "",
    filename: str = "cell.rs",
    source: str = "fn main() {}",
) -> list[str]:
    """Return the rustc command line for ``cell.rs`` → ``cell.wasm`` (cwd: the work folder).

    Paths are remapped so that panic messages and DWARF name the cell as the learner knows it.
    A cell without ``fn main`` is built as a ``cdylib``: its ``#[no_mangle] pub extern "C"``
    functions are exported, to be invoked one by one.
    """
    remaps = [f"--remap-path-prefix={workdir}=."] if workdir else []
    if "=" not in filename and filename != "cell.rs":
        remaps.append(f"--remap-path-prefix=cell.rs={filename}")
    crate_type = "bin" if has_main(source) else "cdylib"
    argv = [
        rustc.command[0], "--target", rustc.details["target"], "--edition", "2021",
        "--crate-type", crate_type, "--crate-name", "cell",
        "-C", f"opt-level={_OPT_LEVELS[options.optimize]}",
        "--color", "always" if color else "never",
        # exporting the mutable __stack_pointer needs the (universally supported) feature
        "-C", "target-feature=+mutable-globals",
        "-C", "link-arg=--export=__stack_pointer",
        "-C", "link-arg=--export=__data_end",
        "-C", "link-arg=--export=__heap_base",
    ]
    if options.debug:
        argv += ["-C", "debuginfo=2"]
    else:
        argv += ["-C", "strip=debuginfo"]  # the std's DWARF goes; the name section stays
    if options.trace_libc:
        argv += ["-C", f"link-arg={_libc_trace.WRAP_FLAG}",
                 "-C", f"link-arg={trace_archive(rustc)}"]
    argv += remaps
    argv += list(options.extra_flags)
    argv += ["cell.rs", "-o", "cell.wasm"]
    return argv


_RUST_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


def has_main(source: str) -> bool:
    """True when the cell defines ``fn main`` (comments aside)."""
    return bool(re.search(r"\bfn\s+main\s*\(", _RUST_COMMENT.sub(" ", source)))


def _clean(text: str, workdir: str, filename: str) -> str:
    # rustc's linker failure prints the whole rust-lld command line: keep only the linker's words
    text = re.sub(r'(?m)^(\s*= note: )"[^\n]*rust-lld"[^\n]*\n', "", text)
    return rewrite_paths(text, workdir, {"cell.rs": filename})


def compile_rust(
    source: str,
    options: CompileOptions,
    filename: str,
    progress: Callable[[str], None] | None,
    color: bool,
) -> tuple[bytes, str, str]:
    """Compile a Rust cell; return ``(wasm, warnings, toolchain version)``.

    Raises :class:`CompileError` (cell line numbers) and :class:`ToolchainMissing`.
    """
    rustc = find_rust_toolchain()
    with tempfile.TemporaryDirectory(prefix="wasikernel-rs-") as workdir:
        Path(workdir, "cell.rs").write_text(source, "utf-8")
        done = _run(rustc_argv(rustc, options, color, workdir, filename, source), workdir)
        output = _clean(done.stderr + done.stdout, workdir, filename)
        if not color:
            output = plain_text(output)
        if done.returncode != 0 or not Path(workdir, "cell.wasm").exists():
            line, column = first_location(output, filename)
            message = output.strip()
            crates = _missing_crates(plain_text(message))
            if crates:
                message += (
                    "\nnote: Rust cells are compiled by rustc alone, without Cargo (there is no "
                    "network for it), so only the standard library (std, core, alloc) is "
                    f"available: {', '.join(f'`{c}`' for c in crates)} cannot be used here."
                )
            raise CompileError(message, language="rust", line=line, column=column)
        wasm = Path(workdir, "cell.wasm").read_bytes()
    _refuse_undefined(wasm, source, filename)
    return wasm, output.strip(), rustc.version


def _missing_crates(text: str) -> list[str]:
    """Names of crates the cell asked for that are not there (``extern crate``, ``use x::``)."""
    names = re.findall(r"can't find crate for `(\w+)`", text)
    names += re.findall(r"unresolved import `(\w+)[`:]", text)
    names += re.findall(r"failed to resolve: use of undeclared crate or module `(\w+)`", text)
    found: list[str] = []
    for name in names:
        if name not in found and name not in ("std", "core", "alloc", "crate", "self", "super"):
            found.append(name)
    return found


def _refuse_undefined(wasm: bytes, source: str, filename: str) -> None:
    """Report functions declared in an ``extern`` block but defined nowhere, as C's linker does.

    rustc links wasm with ``--allow-undefined``, which silently turns them into imports from
    ``env`` that no WASI host provides. An ``env`` import the cell asked for on purpose
    (``#[link(wasm_import_module = "env")]``) is kept.
    """
    from ..wasm import module_imports

    if re.search(r'wasm_import_module\s*=\s*"env"', source):
        return
    missing = [imp.name for imp in module_imports(wasm) if imp.module == "env"]
    if not missing:
        return
    parts = []
    line = column = None
    for name in missing:
        parts.append(f"error: undefined symbol: {name}")
        where = locate_word(source, name)
        if where:
            if line is None:
                line, column = where
            parts.append(
                f"  --> {filename}:{where[0]}:{where[1]}\n{caret_excerpt(source, *where)}\n"
                f"note: `{name}` is declared in an `extern` block but no function of that name "
                f"is defined in the cell or in Rust's standard library"
            )
    raise CompileError("\n".join(parts), language="rust", line=line, column=column)
