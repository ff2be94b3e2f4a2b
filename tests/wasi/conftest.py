"""Fixtures of the WASI host's tests: compiled test programs (once per session), a fixture
folder copied fresh for each host, and an "outside" folder watched for any touch."""

from __future__ import annotations

from pathlib import Path

import pytest
from wasiharness import (
    FIXTURE_FILES,
    PROGRAMS,
    Watched,
    compile_c,
    compile_rust,
    rustc_available,
)


@pytest.fixture(scope="session")
def c_tour(zig: None, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """tests/programs/wasi/tour.c compiled with zig cc for wasm32-wasi."""
    return compile_c(PROGRAMS / "tour.c", tmp_path_factory.mktemp("c-build"))


@pytest.fixture(scope="session")
def rust_tour(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """tests/programs/wasi/tour.rs compiled with Debian's rustc for wasm32-wasi."""
    if not rustc_available():
        pytest.skip(
            "Debian's rustc with the wasm32-wasi std (rustc + libstd-rust-dev-wasm32) "
            "is not installed"
        )
    return compile_rust(PROGRAMS / "tour.rs", tmp_path_factory.mktemp("rust-build"))


@pytest.fixture(scope="session")
def c_escape(zig: None, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """tests/programs/wasi/escape.c: realistic ways out of the sandbox through libc."""
    return compile_c(PROGRAMS / "escape.c", tmp_path_factory.mktemp("c-escape"))


@pytest.fixture(scope="session")
def fixture_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder every differential run starts from (copied fresh for each host)."""
    root = tmp_path_factory.mktemp("fixture") / "root"
    for rel, data in FIXTURE_FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "readme-link").symlink_to("readme.txt")
    return root


@pytest.fixture
def jail(tmp_path: Path) -> tuple[Path, Watched]:
    """A preopen folder ``tmp/jail`` next to a watched ``tmp/outside`` holding a secret.

    ``outside`` has ``secret.txt``, a folder ``private/`` with ``key.txt``, and nothing else;
    the test asserts ``watched.changes() == []`` after whatever the guest tried.
    """
    jail = tmp_path / "jail"
    outside = tmp_path / "outside"
    jail.mkdir()
    (outside / "private").mkdir(parents=True)
    (outside / "secret.txt").write_bytes(b"TOP SECRET\n")
    (outside / "private" / "key.txt").write_bytes(b"KEY\n")
    (jail / "inside.txt").write_bytes(b"inside\n")
    (jail / "subdir").mkdir()
    return jail, Watched(outside).record()


@pytest.fixture(scope="session")
def c_tour_component(c_tour: bytes) -> bytes:
    """tour.c as a WASI 0.2 component: the module wrapped with the preview 1 adapter."""
    from wasiharness import component_tools_missing

    missing = component_tools_missing()
    if missing:
        pytest.skip(missing)
    from wasikernel.compile.component import wrap

    return wrap(c_tour)
