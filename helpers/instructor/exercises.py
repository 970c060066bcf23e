"""Find the exercises of any lesson from its own markup, and the points each is worth.

A lesson marks an exercise like this (see any notebook in ``notebooks/``; tests/test_notebooks.py keeps them so):

* a Markdown cell with a heading ``### Exercise N · Title`` (the text after it is the exercise's instructions);
* a **student cell**: code that ends with one or more calls ``check_...(answer, ...)``, whose first argument names
  the answer, which starts as ``None`` (``answer = None  # your answer``, or a function whose body is
  ``return None``) so that the check says "not answered yet";
* a **solution cell**: code tagged ``hide-cell`` (its first line ``# Solution``) that calls the same check with the
  right answer; and, in some lessons, a Markdown ``<details><summary>Solution`` cell that explains it.

The exercise ends at the next heading of any level. Nothing here knows today's exercises: a new lesson written the
same way is found as it is.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPOSITORY = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPOSITORY / "notebooks"
POINTS_FILE = Path(__file__).resolve().parent / "points.toml"

EXERCISE_HEADING = re.compile(r"^###\s+Exercise\s+(\d+)\b[\s·:.\-–—]*(.*)$", re.MULTILINE)
ANY_HEADING = re.compile(r"^#{1,6}\s", re.MULTILINE)
LESSON_FILE = re.compile(r"^(\d\d)_[A-Za-z0-9_]+\.ipynb$")
CHECK_NAME = re.compile(r"^check_\w+$")


class LessonMarkupError(ValueError):
    """A lesson's exercise markup cannot be read (the message names the lesson, the exercise and what to fix)."""


@dataclass
class CheckCall:
    """One ``check_...(answer, ...)`` call at the end of a student cell."""

    function: str          # the check's name, e.g. "check_rms"
    answer: str            # the name of the variable (or function) that holds the student's answer
    source: str            # the call's source text, as the lesson writes it


@dataclass
class Exercise:
    """One exercise of a lesson, as its cells mark it."""

    lesson: str                    # two-digit lesson number, "03"
    number: int                    # the N of "### Exercise N"
    title: str
    heading_cell: int              # index of the Markdown cell with the heading
    student_cell: int              # index of the code cell with the answer and its check
    answer_source: str             # the student cell before its check calls (setup lines and `answer = None`)
    check_source: str              # the check calls (the rest of the student cell)
    checks: list[CheckCall]
    solution_cells: list[int] = field(default_factory=list)   # hidden solution code cells
    solution_notes: list[int] = field(default_factory=list)   # Markdown <details> solution cells
    points: float = 1.0

    @property
    def key(self) -> str:
        """"03.2": the lesson and the exercise, as points.toml and the grade table name it."""
        return f"{self.lesson}.{self.number}"

    @property
    def grade_id(self) -> str:
        """nbgrader's id of the exercise's check cell ("lesson03-exercise2"); its answer cell adds "-answer"."""
        return f"lesson{self.lesson}-exercise{self.number}"

    @property
    def answer_names(self) -> list[str]:
        return list(dict.fromkeys(check.answer for check in self.checks))


def is_solution_cell(cell) -> bool:
    """A hidden solution: code tagged ``hide-cell`` or whose first line is a ``# Solution`` comment."""
    if cell.cell_type != "code":
        return False
    if "hide-cell" in cell.metadata.get("tags", []):
        return True
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return bool(lines) and lines[0].lstrip().lower().startswith("# solution")


def is_solution_note(cell) -> bool:
    """A Markdown cell that explains a solution: ``<details><summary>Solution ...``."""
    return cell.cell_type == "markdown" and bool(re.search(r"<summary>\s*Solution", cell.source, re.IGNORECASE))


def check_calls(source: str) -> tuple[list[ast.stmt], list[ast.Call]]:
    """The statements of ``source`` and the ``check_...(...)`` calls among its last top-level statements."""
    tree = ast.parse(source)
    calls = []
    for statement in reversed(tree.body):
        if (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                and isinstance(statement.value.func, ast.Name) and CHECK_NAME.match(statement.value.func.id)):
            calls.insert(0, statement.value)
        else:
            break
    return tree.body, calls


def split_student_cell(source: str, where: str) -> tuple[str, str, list[CheckCall]]:
    """``(answer part, check part, checks)`` of a student cell; ``where`` names it in error messages."""
    try:
        body, calls = check_calls(source)
    except SyntaxError as error:
        raise LessonMarkupError(f"{where}: the student cell is not valid Python ({error.msg}, line {error.lineno})")
    if not calls:
        raise LessonMarkupError(f"{where}: the student cell does not end with a check_...(answer, ...) call")
    checks = []
    for call in calls:
        if not call.args or not isinstance(call.args[0], ast.Name):
            raise LessonMarkupError(f"{where}: {call.func.id}(...) must take the answer's name as its first argument")
        if any(isinstance(argument, ast.Starred) for argument in call.args) or any(
                keyword.arg is None for keyword in call.keywords):
            raise LessonMarkupError(f"{where}: {call.func.id}(...) may not use *args or **kwargs")
        checks.append(CheckCall(call.func.id, call.args[0].id, ast.get_source_segment(source, call)))
    lines = source.splitlines()
    first = calls[0].lineno - 1
    answer_part = "\n".join(lines[:first]).rstrip()
    check_part = "\n".join(lines[first:]).strip()
    if not answer_part:
        raise LessonMarkupError(f"{where}: the student cell has no answer line before its check")
    return answer_part, check_part, checks


def lesson_number(path: Path) -> str | None:
    """"03" for ``03_zero_crossing_rate.ipynb``; None for a name that is not a lesson's."""
    match = LESSON_FILE.match(Path(path).name)
    return match.group(1) if match else None


def lesson_paths(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """Every lesson in ``folder``, in order."""
    return sorted(path for path in Path(folder).glob("*.ipynb") if lesson_number(path))


def load_points(path: Path = POINTS_FILE) -> tuple[float, dict[str, float]]:
    """``(default points, {"03.2": points, ...})`` from points.toml."""
    with open(path, "rb") as handle:
        table = tomllib.load(handle)
    default = float(table.get("default", 1))
    overrides = {str(key): float(value) for key, value in table.get("exercises", {}).items()}
    for key, value in [("default", default), *overrides.items()]:
        if not value > 0:
            raise LessonMarkupError(f"{path.name}: points for {key} must be a positive number, not {value}")
    return default, overrides


def find_exercises(notebook, lesson: str, points: tuple[float, dict[str, float]] | None = None) -> list[Exercise]:
    """Every exercise of ``notebook`` (an nbformat v4 notebook of lesson ``lesson``), in order, with its points.

    Raises :class:`LessonMarkupError` when an exercise lacks its student cell or its solution, or when two
    exercises share a number."""
    default, overrides = points or load_points()
    exercises: list[Exercise] = []
    current = None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            heading = EXERCISE_HEADING.search(cell.source)
            if heading:
                current = {"number": int(heading.group(1)), "title": heading.group(2).strip(), "heading": index,
                           "student": None, "solutions": [], "notes": []}
                exercises.append(current)
                continue
            if is_solution_note(cell) and current is not None:
                current["notes"].append(index)
                continue
            if ANY_HEADING.search(cell.source):
                current = None
            continue
        if current is None or cell.cell_type != "code":
            continue
        if is_solution_cell(cell):
            current["solutions"].append(index)
        elif current["student"] is None and re.search(r"\bcheck_\w+\(", cell.source):
            current["student"] = index
    found = []
    for item in exercises:
        where = f"lesson {lesson}, exercise {item['number']}"
        if item["student"] is None:
            raise LessonMarkupError(f"{where}: no student cell (code that ends with check_...(answer, ...))")
        if not item["solutions"]:
            raise LessonMarkupError(f"{where}: no solution cell (code tagged hide-cell, first line '# Solution')")
        answer_part, check_part, checks = split_student_cell(notebook.cells[item["student"]].source, where)
        exercise = Exercise(lesson=lesson, number=item["number"], title=item["title"], heading_cell=item["heading"],
                            student_cell=item["student"], answer_source=answer_part, check_source=check_part,
                            checks=checks, solution_cells=item["solutions"], solution_notes=item["notes"])
        exercise.points = overrides.get(exercise.key, default)
        found.append(exercise)
    numbers = [exercise.number for exercise in found]
    if len(set(numbers)) != len(numbers):
        raise LessonMarkupError(f"lesson {lesson}: two exercises share a number ({numbers})")
    return found


@dataclass
class Lesson:
    """A lesson and its exercises, read from ``notebooks/``."""

    number: str
    path: Path
    notebook: nbformat.NotebookNode
    exercises: list[Exercise]

    @property
    def title(self) -> str:
        first = self.notebook.cells[0].source.splitlines()[0] if self.notebook.cells else ""
        return first.lstrip("# ").strip()

    @property
    def max_points(self) -> float:
        return sum(exercise.points for exercise in self.exercises)


def read_lesson(path: Path, points: tuple[float, dict[str, float]] | None = None) -> Lesson:
    """The lesson at ``path`` with its exercises."""
    path = Path(path)
    number = lesson_number(path)
    if number is None:
        raise LessonMarkupError(f"{path.name} is not named like a lesson (NN_name.ipynb)")
    notebook = nbformat.read(path, as_version=4)
    return Lesson(number, path, notebook, find_exercises(notebook, number, points))


def read_lessons(folder: Path = NOTEBOOK_DIR, on_error=None) -> dict[str, Lesson]:
    """Every lesson in ``folder`` by number. A lesson whose markup cannot be read raises LessonMarkupError, or,
    with ``on_error``, is passed to ``on_error(path, error)`` and left out."""
    points = load_points()
    lessons = {}
    for path in lesson_paths(folder):
        try:
            lesson = read_lesson(path, points)
        except (LessonMarkupError, ValueError, OSError) as error:
            if on_error is None:
                raise
            on_error(path, error)
            continue
        lessons[lesson.number] = lesson
    return lessons


def unknown_point_entries(lessons: dict[str, Lesson]) -> list[str]:
    """Entries of points.toml that name no exercise of ``lessons`` (a renumbered or removed exercise)."""
    _, overrides = load_points()
    known = {exercise.key for lesson in lessons.values() for exercise in lesson.exercises}
    return sorted(key for key in overrides if key not in known)


def solved_answer_source(lesson: Lesson, exercise: Exercise) -> str:
    """The student cell's answer part answered with the lesson's own solution: the answer lines, then the solution
    cell without its check calls, then ``answer = <what the solution passed to the check>``. Used to make a
    correct submission (tests, benchmark) from the lessons alone."""
    parts = [exercise.answer_source]
    for index in exercise.solution_cells:
        source = lesson.notebook.cells[index].source
        body, calls = check_calls(source)
        lines = source.splitlines()
        keep = "\n".join(lines[:calls[0].lineno - 1]) if calls else source
        parts.append(keep.rstrip())
        for call in calls:
            if call.args and isinstance(call.args[0], ast.AST):
                name = next((check.answer for check in exercise.checks if check.function == call.func.id), None)
                if name:
                    parts.append(f"{name} = {ast.get_source_segment(source, call.args[0])}")
    return "\n".join(part for part in parts if part.strip())
