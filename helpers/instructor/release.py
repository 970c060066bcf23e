"""The student edition of every lesson: solutions removed, each exercise an answer cell and a locked check cell.

    python3 course.py release [--out DIR] [--check]

For every lesson in ``notebooks/`` (found by :mod:`.exercises` from the lesson's own markup) it writes a copy in
which

* the hidden solution cells and the Markdown solution notes are gone;
* each student cell is split in two nbgrader cells: the **answer cell** (the student's part, unchanged: the setup
  lines and ``answer = None``; nbgrader "autograded answer", id ``lessonNN-exerciseK-answer``) and the **check
  cell** (the ``check_...(answer, ...)`` call; nbgrader "autograder tests", locked, with its points from
  points.toml). Run as they are, the check says "not answered yet", so the edition runs top to bottom;
* outputs, execution counts and any stored widget state are cleared, so nothing computed by a solution travels with
  it.

The notebooks stay standard: nbgrader's marks are cell metadata, which plain Jupyter ignores (JupyterLab honours
``editable: false`` on the check cells). ``--check`` then runs every written notebook with nbval, as the course's
own tests run the lessons.
"""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from pathlib import Path

import nbformat

from .exercises import REPOSITORY, Lesson, LessonMarkupError, check_calls, read_lessons

DEFAULT_OUT = REPOSITORY / "_build" / "student-edition"
CHECK_CELL_COMMENT = ("# Check ({points}): run this cell after your answer cell. For grading, this check runs as "
                      "written here, whatever the cell holds.")


def _nbgrader(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return meta


def _points_text(points: float) -> str:
    value = int(points) if float(points).is_integer() else points
    return f"{value} point" + ("" if value == 1 else "s")


def bound_names(source: str) -> set[str]:
    """Names a cell binds at its top level (assignments, definitions, imports, loop and with targets)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
            continue
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


def used_names(source: str) -> set[str]:
    """Global names a cell reads: at its top level, or inside its functions and comprehensions when not local to
    them (a function's own ``precision = ...`` is not the notebook's ``precision``)."""
    import symtable

    try:
        table = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:
        return set()
    names, pending = set(), [table]
    while pending:
        scope = pending.pop()
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and (scope is table or symbol.is_global()):
                names.add(symbol.get_name())
        pending += scope.get_children()
    # Python 3.12 inlines comprehensions, so their loop variables look like the cell's own reads: drop them.
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.comprehension):
            names -= {target.id for target in ast.walk(node.target) if isinstance(target, ast.Name)}
    return names


def student_edition(lesson: Lesson) -> nbformat.NotebookNode:
    """The student edition of ``lesson`` (a new notebook; the lesson is not changed)."""
    from nbgrader.preprocessors import CheckCellMetadata, ComputeChecksums, LockCells

    source = lesson.notebook
    by_student_cell = {exercise.student_cell: exercise for exercise in lesson.exercises}
    removed = {index for exercise in lesson.exercises for index in exercise.solution_cells + exercise.solution_notes}
    cells = []
    kept_sources = []
    removed_names = set()
    for index, original in enumerate(source.cells):
        if index in removed:
            if original.cell_type == "code":
                removed_names |= bound_names(original.source)
            continue
        cell = copy.deepcopy(original)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        exercise = by_student_cell.get(index)
        if exercise is None:
            cells.append(cell)
            if cell.cell_type == "code":
                kept_sources.append(cell.source)
            continue
        answer = nbformat.v4.new_code_cell(exercise.answer_source)
        answer.id = cell.get("id") or f"{exercise.grade_id}-answer"
        answer.metadata = {key: value for key, value in cell.metadata.items() if key not in ("nbgrader", "tags")}
        answer.metadata["nbgrader"] = _nbgrader(exercise.grade_id + "-answer", grade=False, solution=True,
                                                locked=False)
        check = nbformat.v4.new_code_cell(CHECK_CELL_COMMENT.format(points=_points_text(exercise.points)) + "\n"
                                          + exercise.check_source)
        check.id = f"{exercise.grade_id}-check"
        check.metadata["nbgrader"] = _nbgrader(exercise.grade_id, grade=True, solution=False, locked=True,
                                               points=exercise.points)
        cells += [answer, check]
        kept_sources += [answer.source, check.source]
    # A later cell must not need what only a removed solution defined: the edition would stop there.
    kept_bound = set().union(*(bound_names(text) for text in kept_sources)) if kept_sources else set()
    for text in kept_sources:
        missing = (used_names(text) & removed_names) - kept_bound
        if missing:
            raise LessonMarkupError(f"lesson {lesson.number}: a cell uses {sorted(missing)}, which only a solution "
                                    "cell defines; the student edition would stop there. Define it outside the "
                                    "solution.")
    for cell in cells:
        if cell.cell_type == "code" and "hide-cell" in cell.metadata.get("tags", []):
            raise LessonMarkupError(f"lesson {lesson.number}: cell {cell.get('id')} is hidden (hide-cell) but is no "
                                    "exercise's solution; the student edition would keep it")
    edition = nbformat.v4.new_notebook()
    edition.metadata = {key: copy.deepcopy(value) for key, value in source.metadata.items()
                        if key in ("kernelspec", "language_info")}
    edition.cells = cells
    resources = {}
    for preprocessor in (LockCells(), ComputeChecksums(), CheckCellMetadata()):
        edition, resources = preprocessor.preprocess(edition, resources)
    return edition


def answered_edition(lesson: Lesson, answers: dict[int, str] | None = None) -> nbformat.NotebookNode:
    """The student edition of ``lesson`` answered with the lesson's own solutions
    (:func:`.exercises.solved_answer_source`), except that ``answers[exercise number]``, when given, is the source
    of that exercise's answer cell. Used by the tests and the benchmark to make submissions."""
    from .exercises import solved_answer_source

    edition = student_edition(lesson)
    for exercise in lesson.exercises:
        source = (answers or {}).get(exercise.number) or solved_answer_source(lesson, exercise)
        for cell in edition.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == exercise.grade_id + "-answer":
                cell.source = source
    return edition


def release(out: Path = DEFAULT_OUT, notebooks: Path | None = None) -> list[Path]:
    """Write the student edition of every lesson into ``out``; return the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lessons = read_lessons(notebooks) if notebooks else read_lessons()
    written = []
    for lesson in lessons.values():
        target = out / lesson.path.name
        nbformat.write(student_edition(lesson), target)
        written.append(target)
    return written


def run_with_nbval(paths: list[Path]) -> int:
    """Run the written notebooks top to bottom with nbval, as the course's tests run the lessons."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "--nbval-lax",
               "--nbval-cell-timeout=600", "-q", *map(str, paths)]
    return subprocess.call(command, cwd=str(Path(paths[0]).parent))


def main(arguments: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="course.py release", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"folder to write (default {DEFAULT_OUT})")
    parser.add_argument("--check", action="store_true", help="then run every written notebook with nbval")
    options = parser.parse_args(arguments)
    try:
        written = release(options.out)
    except LessonMarkupError as error:
        print(f"[course] ERROR: {error}", file=sys.stderr)
        return 1
    lessons = read_lessons()
    for path in written:
        lesson = lessons[path.name[:2]]
        print(f"[course] {path}: {len(lesson.exercises)} exercises, {lesson.max_points:g} points")
    print(f"[course] Student edition of {len(written)} lessons in {options.out}. Hand these notebooks out; grade the "
          f"returned ones with: python3 course.py grade SUBMISSIONS_DIR")
    if options.check:
        return run_with_nbval(written)
    return 0
