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
import shutil
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


def _body(cell: dict) -> str:
    """A cell's code below its first line (the magic and its options)."""
    return "".join(cell["source"]).split("\n", 1)[-1].strip()


def _solutions() -> list[str]:
    """The answer key: each exercise cell of the teacher's notebooks that differs from the
    release's, as its code lines (a one-line answer such as a ``%sandbox`` option is left out:
    the gallery teaches those options)."""
    found = []
    for teacher in (ROOT / "lessons" / "teacher").glob("*/*.ipynb"):
        release = ROOT / "lessons" / teacher.parent.name / teacher.name
        given = {_body(cell) for cell in json.loads(release.read_text())["cells"]}
        for cell in json.loads(teacher.read_text())["cells"]:
            body = _body(cell)
            if (cell["metadata"].get("nbgrader", {}).get("solution") and body not in given
                    and body.count("\n") >= 2):
                found.append(body)
    return found


def test_binder_image_serves_no_answer_key(tmp_path):
    """postBuild runs in the repository's folder, which Binder then serves: afterwards no
    file there holds a line of the answer key, and the release notebooks are still there."""
    solutions = _solutions()
    assert len(solutions) >= 5
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    image = tmp_path / "repo"
    for name in listed:
        if (ROOT / name).is_file():
            (image / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, image / name)
    shutil.copytree(ROOT / ".git", image / ".git", symlinks=True) if (ROOT / ".git").is_dir() \
        else (image / ".git").write_text((ROOT / ".git").read_text())
    # the installing steps are not what this test is about: they succeed at once
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for tool in ("python", "wasikernel"):
        (stubs / tool).write_text("#!/bin/sh\nexit 0\n")
        (stubs / tool).chmod(0o755)
    postbuild = ["bash", str(image / "binder" / "postBuild")]
    # run outside a repo2docker build (a clone, a test), it removes nothing
    done = subprocess.run(postbuild, cwd=image, env={"PATH": f"{stubs}:/usr/bin:/bin"},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (image / "tests").is_dir() and (image / "lessons" / "teacher").is_dir()
    assert (image / ".git").exists()
    # in repo2docker's build (REPO_DIR is the folder it runs in, NB_USER the learner)
    done = subprocess.run(postbuild, cwd=image, capture_output=True, text=True, env={
        "PATH": f"{stubs}:/usr/bin:/bin", "REPO_DIR": str(image), "NB_USER": "jovyan"})
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (image / "lessons" / "en").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "lessons" / "en").glob("*.ipynb"))
    assert (image / "lessons" / "fr" / "03-sandbox.ipynb").is_file()
    assert not (image / ".git").exists()
    for path in image.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace").replace("\\n", "\n").replace('\\"', '"')
            leaked = [answer for answer in solutions if answer in text]
            assert not leaked, f"{path.relative_to(image)} holds the answer {leaked[0][:80]!r}"
