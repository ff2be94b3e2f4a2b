"""Grade a folder of submitted lesson notebooks with nbgrader, in one command.

    python -m wasikernel.grading SUBMISSIONS [--lang en|fr] [--release DIR] [--course DIR]

``SUBMISSIONS`` holds one folder per student with the lesson notebooks they handed in
(``SUBMISSIONS/alice/03-sandbox.ipynb``). Each lesson is one nbgrader assignment: its release
notebook (``lessons/en/03-sandbox.ipynb``, with its ``data/`` folder) is the assignment's
source, so nbgrader restores the locked cells (the set-up and each ``grade(...)`` cell) from it
before it runs a submission, and a student cannot pass by editing them. nbgrader then runs
each notebook in the WASI kernel with ``NBGRADER_EXECUTION=autograde``: a ``grade(...)`` cell
whose exercise is wrong fails, and scores 0; one whose exercise passes scores its point.

The release already holds the exercises' starting answers (the teacher's version, with the
answer key, is ``lessons/teacher/``), so the assignment is generated without nbgrader's
``ClearSolutions`` step, which would replace each starting answer by a stub.
The course folder (a temporary one unless ``--course`` names it) is an ordinary nbgrader course:
``nbgrader`` commands run in it too. Raises :class:`~wasikernel.errors.UsageError` for a folder
that holds no submission.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .messages import t

__all__ = ["Score", "grade_folder", "main", "RELEASE"]

#: the release notebooks of the course, beside the package in a clone of the repository
RELEASE = Path(__file__).resolve().parent.parent / "lessons"


@dataclass
class Score:
    """One student's result for one lesson: points scored out of the lesson's points, and the
    exercises (grading cells' ids) that failed."""

    student: str
    lesson: str
    score: float
    max_score: float
    failed: list[str] = field(default_factory=list)


def _generate_preprocessors() -> list[type]:
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [p for p in default if p is not ClearSolutions]


def _tools_on_path() -> None:
    """nbgrader runs ``alembic`` (installed beside this Python) to set up its gradebook: put
    that folder on PATH when an environment is used without being activated."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def _submissions(folder: Path) -> dict[str, list[Path]]:
    found = {}
    for student in sorted(p for p in folder.iterdir() if p.is_dir()):
        notebooks = sorted(student.glob("*.ipynb"))
        if notebooks:
            found[student.name] = notebooks
    return found


def grade_folder(
    submissions: str | Path,
    lang: str = "en",
    release: str | Path | None = None,
    course: str | Path | None = None,
) -> list[Score]:
    """Autograde every notebook of ``submissions`` (one folder per student) with nbgrader and
    return one :class:`Score` per student and lesson, in that order.

    Raises UsageError when ``submissions`` holds no student folder with a notebook, or when a
    notebook is not a lesson of ``release`` (default: the course's ``lessons/LANG``), or when
    nbgrader is not installed.
    """
    try:
        from nbgrader.api import Gradebook
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config
    except ImportError:
        raise UsageError(t("grading_no_nbgrader", python=sys.executable)) from None

    _tools_on_path()
    folder = Path(submissions)
    if not folder.is_dir():
        raise UsageError(t("grading_no_folder", folder=str(folder)))
    students = _submissions(folder)
    if not students:
        raise UsageError(t("grading_empty", folder=str(folder)))
    release_dir = Path(release) if release is not None else RELEASE / lang
    root = Path(course) if course is not None else Path(tempfile.mkdtemp(prefix="wasigrade-"))
    lessons = sorted({nb.stem for notebooks in students.values() for nb in notebooks})
    for lesson in lessons:
        notebook = release_dir / f"{lesson}.ipynb"
        if not notebook.exists():
            raise UsageError(t("grading_unknown_lesson", lesson=lesson, folder=str(release_dir)))
        source = root / "source" / lesson
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, source / notebook.name)
        if (release_dir / "data").is_dir():
            shutil.copytree(release_dir / "data", source / "data", dirs_exist_ok=True)
    for student, notebooks in students.items():
        for notebook in notebooks:
            target = root / "submitted" / student / notebook.stem
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(notebook, target / notebook.name)

    config = Config()
    config.CourseDirectory.root = str(root)
    config.GenerateAssignment.preprocessors = _generate_preprocessors()
    config.Autograde.create_student = True
    config.ExecutePreprocessor.timeout = 300
    config.Execute.timeout = 300
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    db_url = coursedir.db_url
    for lesson in lessons:
        with Gradebook(db_url) as gradebook:
            gradebook.update_or_create_assignment(lesson)
        done = api.generate_assignment(lesson, force=True, create=True)
        if not done.get("success"):
            raise UsageError(t("grading_failed", step="generate_assignment", lesson=lesson,
                               log=done.get("log", "")[-2000:]))
    scores = []
    for student, notebooks in students.items():
        for notebook in notebooks:
            lesson = notebook.stem
            done = api.autograde(lesson, student, force=True, create=True)
            if not done.get("success"):
                raise UsageError(t("grading_failed", step="autograde", lesson=lesson,
                                   log=done.get("log", "")[-2000:]))
            with Gradebook(db_url) as gradebook:
                submission = gradebook.find_submission_notebook(lesson, lesson, student)
                failed = [g.name for g in submission.grades
                          if g.max_score and (g.auto_score or 0) < g.max_score]
                scores.append(Score(student, lesson, submission.score, submission.max_score,
                                    sorted(failed)))
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wasikernel.grading",
        description="Autograde a folder of submitted lesson notebooks (one folder per student) "
        "with nbgrader and print each student's score per lesson.",
    )
    parser.add_argument("submissions", help="a folder with one folder per student")
    parser.add_argument("--lang", choices=("en", "fr"), default="en",
                        help="the language of the lessons handed out (default: en)")
    parser.add_argument("--release", help="the folder of the release notebooks "
                        "(default: the course's lessons/LANG)")
    parser.add_argument("--course", help="the nbgrader course folder to create or reuse "
                        "(default: a temporary one)")
    args = parser.parse_args(argv)
    try:
        scores = grade_folder(args.submissions, args.lang, args.release, args.course)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    for score in scores:
        failed = f"  ({', '.join(score.failed)})" if score.failed else ""
        print(f"{score.student}\t{score.lesson}\t{score.score:g}/{score.max_score:g}{failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
