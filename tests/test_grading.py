"""Grading with nbgrader itself: a folder of student notebooks, right and wrong, autograded by
``python -m wasikernel.grading`` (nbgrader's generate_assignment and autograde underneath)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")

from wasikernel.errors import UsageError  # noqa: E402
from wasikernel.grading import grade_folder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
LESSON = "00-getting-started"
SANDBOX = "03-sandbox"


def _copy(source: Path, folder: Path, edit=None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(source, as_version=4)
    if edit is not None:
        edit(nb)
    nbformat.write(nb, folder / source.name)


def _cheat(nb: nbformat.NotebookNode) -> None:
    """A wrong answer, and the grading cell replaced by one that cannot fail."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "%%python\nprint('all good')"


@pytest.mark.slow
def test_nbgrader_autogrades_a_folder_of_submissions(tmp_path):
    submissions = tmp_path / "submitted"
    # alice hands in the answer key, bob the starting answers, carol a wrong answer whose
    # grading cell she replaced, dave lesson 3 right and lesson 0 wrong
    _copy(LESSONS / "teacher" / "en" / f"{LESSON}.ipynb", submissions / "alice")
    _copy(LESSONS / "en" / f"{LESSON}.ipynb", submissions / "bob")
    _copy(LESSONS / "en" / f"{LESSON}.ipynb", submissions / "carol", _cheat)
    _copy(LESSONS / "teacher" / "en" / f"{SANDBOX}.ipynb", submissions / "dave")
    _copy(LESSONS / "en" / f"{LESSON}.ipynb", submissions / "dave")
    course = tmp_path / "course"
    scores = grade_folder(submissions, "en", course=course)
    got = {(s.student, s.lesson): (s.score, s.max_score) for s in scores}
    assert got == {
        ("alice", LESSON): (1, 1),
        ("bob", LESSON): (0, 1),
        ("carol", LESSON): (0, 1),
        ("dave", LESSON): (0, 1),
        ("dave", SANDBOX): (1, 1),
    }
    failed = {(s.student, s.lesson): s.failed for s in scores}
    assert failed[("bob", LESSON)] == ["00-getting-started-ex1-grade"]
    # the failed grading cell shows the feedback, under nbgrader's own execution
    graded = course / "autograded" / "bob" / LESSON / f"{LESSON}.ipynb"
    nb = nbformat.read(graded, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    error = next(o for o in cell.outputs if o.output_type == "error")
    text = "\n".join(error.traceback)
    assert "exits with code 3" in text and "Traceback" not in text
    # carol's grading cell was restored from the release before it ran
    carol = course / "autograded" / "carol" / LESSON / f"{LESSON}.ipynb"
    assert "all good" not in json.dumps(nbformat.read(carol, as_version=4).cells)


@pytest.mark.slow
def test_the_command_prints_one_line_per_student_and_lesson(tmp_path):
    submissions = tmp_path / "submitted"
    _copy(LESSONS / "teacher" / "fr" / f"{LESSON}.ipynb", submissions / "zoé")
    done = subprocess.run(
        [sys.executable, "-m", "wasikernel.grading", str(submissions), "--lang", "fr"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == f"zoé\t{LESSON}\t1/1"


def test_a_folder_without_submissions_is_a_sentence(tmp_path):
    with pytest.raises(UsageError, match="no student folder"):
        grade_folder(tmp_path)
    (tmp_path / "alice").mkdir()
    shutil.copy(LESSONS / "en" / f"{LESSON}.ipynb", tmp_path / "alice" / "homework.ipynb")
    with pytest.raises(UsageError, match="homework.ipynb is not a lesson"):
        grade_folder(tmp_path, course=tmp_path / "course")
    done = subprocess.run([sys.executable, "-m", "wasikernel.grading", str(tmp_path / "none")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "is not a folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_nbgrader_the_command_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nbgrader.api", None)  # import nbgrader.api fails
    with pytest.raises(UsageError, match="pip install 'nbgrader"):
        grade_folder(tmp_path)
