"""The student edition (issue 12): every lesson, found from its own markup, loses its solutions and keeps its checks,
as nbgrader cells, and still runs top to bottom saying "not answered yet"."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.instructor.exercises import (LessonMarkupError, find_exercises, is_solution_cell, is_solution_note,
                                          load_points, read_lessons, unknown_point_entries)
from helpers.instructor.release import student_edition

REPO = Path(__file__).resolve().parent.parent
LESSONS = read_lessons()


def nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_the_student_edition_has_no_solution_and_every_check(number):
    lesson = LESSONS[number]
    edition = student_edition(lesson)
    nbformat.validate(edition)
    assert set(edition.metadata) <= {"kernelspec", "language_info"}
    for cell in edition.cells:
        assert not is_solution_cell(cell) and not is_solution_note(cell), cell.source[:80]
        assert "hide-cell" not in cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    code = "\n".join(cell.source for cell in edition.cells if cell.cell_type == "code")
    for exercise in lesson.exercises:
        answers = [cell for cell in edition.cells if nbgrader(cell).get("grade_id") == exercise.grade_id + "-answer"]
        checks = [cell for cell in edition.cells if nbgrader(cell).get("grade_id") == exercise.grade_id]
        assert len(answers) == 1 and len(checks) == 1
        assert nbgrader(answers[0])["solution"] and not nbgrader(answers[0])["grade"]
        assert re.search(r"^(\w+ = None|\s+return None)\b", answers[0].source, re.M), answers[0].source
        check = checks[0]
        assert nbgrader(check)["grade"] and nbgrader(check)["locked"] and check.metadata["editable"] is False
        for call in exercise.checks:
            assert call.source in check.source
        index = edition.cells.index(check)
        assert edition.cells.index(answers[0]) == index - 1
        # What the solution passed to the check (the answer itself) appears in no code cell of the edition.
        for solution in exercise.solution_cells:
            source = lesson.notebook.cells[solution].source
            for call in re.findall(r"check_\w+\((.+?),", source.splitlines()[-1]):
                if len(call) > 6:
                    assert call not in code, f"exercise {exercise.number}: the edition contains {call!r}"


def test_points_come_from_points_toml():
    assert LESSONS["03"].exercises[0].points == 2.0  # "03.1" = 2 in points.toml: a function to write
    assert LESSONS["00"].exercises[0].points == 1.0  # the default
    edition = student_edition(LESSONS["03"])
    check = next(cell for cell in edition.cells if nbgrader(cell).get("grade_id") == "lesson03-exercise1")
    assert nbgrader(check)["points"] == 2.0 and "# Check (2 points)" in check.source


def test_points_toml_names_only_exercises_that_exist():
    assert unknown_point_entries(LESSONS) == [], "points.toml lists exercises no lesson has: update it"
    default, overrides = load_points()
    assert default > 0 and all(value > 0 for value in overrides.values())


def _lesson(cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return notebook


def test_markup_mistakes_are_reported_with_the_exercise():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    no_solution = _lesson([md("# Lesson 99 · X"), md("### Exercise 1 · A"), code("a = None\n\ncheck_x(a)")])
    with pytest.raises(LessonMarkupError, match="exercise 1: no solution cell"):
        find_exercises(no_solution, "99")
    no_name = _lesson([md("### Exercise 2 · B"), code("check_x(1 + 1)"), code("# Solution\ncheck_x(2)")])
    with pytest.raises(LessonMarkupError, match="answer's name as its first argument"):
        find_exercises(no_name, "99")


def test_a_lesson_that_needs_a_solution_later_on_is_refused():
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    solution = code("# Solution\nhelper = 3\ncheck_x(helper)")
    solution.metadata["tags"] = ["hide-cell"]
    notebook = _lesson([md("# Lesson 99 · X"), md("### Exercise 1 · A"), code("a = None\n\ncheck_x(a)"), solution,
                        md("## Next"), code("print(helper)")])
    from helpers.instructor.exercises import Lesson

    lesson = Lesson("99", REPO / "notebooks" / "99_x.ipynb", notebook, find_exercises(notebook, "99"))
    with pytest.raises(LessonMarkupError, match="only a solution cell defines"):
        student_edition(lesson)


def test_the_student_edition_of_lesson_00_runs_top_to_bottom_unanswered(tmp_path):
    """Executed like nbval does (a kernel, every cell): no error, and every check says "Not answered yet"."""
    edition = student_edition(LESSONS["00"])
    NotebookClient(edition, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    for cell in edition.cells:
        if cell.cell_type == "code":
            assert not [output for output in cell.outputs if output.output_type == "error"], cell.source[:80]
        if nbgrader(cell).get("grade"):
            text = str(cell.outputs)
            assert "Not answered yet" in text, text[:300]
