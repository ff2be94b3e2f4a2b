"""The Binder (repo2docker) environment agrees with pyproject.toml, and its postBuild works.

The slow test builds a fresh virtual environment the way repo2docker does (requirements.txt,
then postBuild) and checks what a learner gets: the ``wasi`` kernel registered in that
environment and a C cell that compiles. It stays offline: the new environment sees the
packages already installed for the tests through a ``.pth`` line, so pip finds every
requirement satisfied and downloads nothing, while postBuild's own steps really run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _requirements(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            found[_name(line)] = line.replace(" ", "")
    return found


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _spec(requirement: str) -> str:
    return requirement.split("#", 1)[0].replace(" ", "")


def test_binder_requirements_repeat_every_dependency_with_its_bound():
    project = _pyproject()
    wanted = {_name(r): _spec(r) for r in project["project"]["dependencies"]}
    binder = _requirements(BINDER / "requirements.txt")
    missing = sorted(set(wanted) - set(binder))
    assert not missing, f"binder/requirements.txt lacks {missing} from pyproject.toml"
    for name, spec in wanted.items():
        assert binder[name] == spec, f"{name}: binder says {binder[name]}, pyproject {spec}"


def test_binder_requirements_add_nothing_pyproject_does_not_know():
    project = _pyproject()
    known = {_name(r): _spec(r) for r in project["project"]["dependencies"]}
    for extra in project["project"].get("optional-dependencies", {}).values():
        known.update({_name(r): _spec(r) for r in extra})
    known.update({_name(r): _spec(r) for r in project["build-system"]["requires"]})
    for name, spec in _requirements(BINDER / "requirements.txt").items():
        assert name in known, f"binder/requirements.txt names {name}, unknown to pyproject.toml"
        assert spec == known[name], f"{name}: binder says {spec}, pyproject {known[name]}"


def test_binder_installs_the_build_backend_postbuild_relies_on():
    binder = _requirements(BINDER / "requirements.txt")
    for requirement in _pyproject()["build-system"]["requires"]:
        assert _name(requirement) in binder
    assert "--no-build-isolation" in (BINDER / "postBuild").read_text()


def test_binder_apt_packages_cover_what_the_test_script_needs():
    apt = set((BINDER / "apt.txt").read_text().split())
    test_script = (ROOT / "scripts" / "test.sh").read_text()
    needed = set(re.findall(r"need\+=\(([^)]*)\)", test_script))
    packages = {word for group in needed for word in group.split()}
    # chromium drives the browser tests only; learners on Binder use their own browser
    packages.discard("chromium")
    # runc + busybox-static start a container, which cannot start inside Binder's own container
    packages -= {"runc", "busybox-static"}
    assert packages <= apt, f"binder/apt.txt lacks {sorted(packages - apt)}"


def test_binder_runtime_matches_the_supported_pythons():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+)\.(\d+)", runtime)
    assert match, runtime
    floor = _pyproject()["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, match.groups())) >= tuple(map(int, floor.split(".")))


def test_postbuild_is_an_executable_bash_script_that_stops_on_error():
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK)
    text = post.read_text()
    assert text.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in text
    assert "wasikernel install --sys-prefix" in text
    assert "wasikernel warmup" in text


def test_readme_badge_opens_the_lessons_on_binder():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\[!\[[^\]]*\]\(https://mybinder\.org/badge[^)]*\)\]\(([^)]+)\)", readme)
    assert badge, "the README has no Binder badge"
    assert badge.group(1).startswith("https://mybinder.org/v2/gh/")
    assert "urlpath=lab/tree/lessons" in badge.group(1)


@pytest.mark.slow
@pytest.mark.zig
def test_postbuild_succeeds_in_a_fresh_environment(tmp_path):
    env_dir = tmp_path / "binder-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # the packages installed for the test run, seen by the new environment without a download
    Path(site, "offline-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {
        "PATH": f"{env_dir / 'bin'}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "WASIKERNEL_CACHE": str(tmp_path / "cache"),
    }
    steps = [
        [str(python), "-m", "pip", "install", "-r", str(BINDER / "requirements.txt")],
        ["bash", str(BINDER / "postBuild")],
    ]
    for step in steps:
        done = subprocess.run(step, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{step} failed:\n{done.stdout}\n{done.stderr}"
    # what a learner gets: the kernel registered in the image's environment ...
    spec = json.loads((env_dir / "share/jupyter/kernels/wasi/kernel.json").read_text())
    assert spec["argv"][0] == str(python)
    # ... wasikernel installed in it (not only seen through the test run's packages) ...
    where = subprocess.run(
        [str(python), "-c", "import wasikernel; print(wasikernel.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(env_dir)), where
    # ... and the warm-up left a compiled C hello world in the cache the kernel uses
    assert any((tmp_path / "cache").rglob("*")), "warmup cached nothing"
    compiled = subprocess.run(
        [str(python), "-m", "wasikernel", "compile", "c", "-", "-o", str(tmp_path / "h.wasm")],
        input='#include <stdio.h>\nint main(void){puts("hi");return 0;}\n',
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert compiled.returncode == 0, compiled.stderr
    assert (tmp_path / "h.wasm").read_bytes().startswith(b"\0asm")
