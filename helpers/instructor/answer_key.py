"""The answer key: a lesson run by the grader itself, with each exercise's check kept together with its inputs.

The lesson in ``notebooks/`` is the instructor's code, so it is trusted and runs in the grader's own process
(figures drawn with Agg and closed, printed text discarded). At each exercise's student cell the check call is not
run; its function and its inputs (every argument but the answer), evaluated at that point of the lesson, are kept
as a :class:`BoundCheck`. A submission's answer, produced in its sandbox and handed out as data, is later passed to
that check in this process: the submission's own kernel never runs a check that counts.

Each solution cell runs too, and its answer must pass the bound check (a lesson whose solution fails its own check
is an error in the key, reported before any submission is graded); the solution's answers are kept as
``reference`` for tests and the benchmark.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import io
import os
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from .exercises import Exercise, Lesson, LessonMarkupError, check_calls


@dataclass
class BoundCheck:
    """A check function with its inputs from the answer key; ``run(answer)`` gives the CheckResult."""

    exercise: Exercise
    answer: str
    function: Callable
    args: tuple
    kwargs: dict

    def run(self, answer: Any):
        # Fresh copies: a check (or the student's function it calls) must not change the inputs for the next one.
        return self.function(answer, *copy.deepcopy(self.args), **copy.deepcopy(self.kwargs))


@dataclass
class AnswerKey:
    lesson: Lesson
    checks: dict[int, list[BoundCheck]] = field(default_factory=dict)
    reference: dict[int, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0


def _evaluate(node: ast.AST, namespace: dict, where: str):
    return eval(compile(ast.Expression(body=node), where, "eval"), namespace)


def build_answer_key(lesson: Lesson) -> AnswerKey:
    """Run ``lesson`` up to its last exercise and bind every check; raise LessonMarkupError if a solution fails."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = AnswerKey(lesson)
    student_cells = {exercise.student_cell: exercise for exercise in lesson.exercises}
    solution_cells = {index: exercise for exercise in lesson.exercises for index in exercise.solution_cells}
    if not lesson.exercises:
        return key
    last = max(max(exercise.solution_cells + [exercise.student_cell]) for exercise in lesson.exercises)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    started = time.perf_counter()
    folder = os.getcwd()
    sink = io.StringIO()
    try:
        os.chdir(lesson.path.parent)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for index, cell in enumerate(lesson.notebook.cells[:last + 1]):
                if cell.cell_type != "code":
                    continue
                where = f"<lesson {lesson.number}, cell {index}>"
                if index in student_cells:
                    _bind_checks(key, student_cells[index], namespace, where)
                elif index in solution_cells:
                    _run_solution(key, solution_cells[index], cell.source, namespace, where)
                else:
                    exec(compile(cell.source, where, "exec"), namespace)
                plt.close("all")
    finally:
        os.chdir(folder)
    key.seconds = time.perf_counter() - started
    for exercise in lesson.exercises:
        if exercise.number not in key.reference:
            raise LessonMarkupError(f"lesson {lesson.number}, exercise {exercise.number}: its solution cell does not "
                                    "call the exercise's check with the right answer")
    return key


def _bind_checks(key: AnswerKey, exercise: Exercise, namespace: dict, where: str) -> None:
    exec(compile(exercise.answer_source, where, "exec"), namespace)
    _, calls = check_calls(exercise.check_source)
    bound = []
    for call in calls:
        function = _evaluate(call.func, namespace, where)
        args = tuple(_evaluate(argument, namespace, where) for argument in call.args[1:])
        kwargs = {keyword.arg: _evaluate(keyword.value, namespace, where) for keyword in call.keywords}
        bound.append(BoundCheck(exercise, call.args[0].id, function, copy.deepcopy(args), copy.deepcopy(kwargs)))
    key.checks[exercise.number] = bound


def _run_solution(key: AnswerKey, exercise: Exercise, source: str, namespace: dict, where: str) -> None:
    body, calls = check_calls(source)
    lines = source.splitlines()
    before = "\n".join(lines[:calls[0].lineno - 1]) if calls else source
    exec(compile(before, where, "exec"), namespace)
    bound = {check.function.__name__: check for check in key.checks.get(exercise.number, [])}
    for call in calls:
        check = bound.get(call.func.id)
        if check is None:
            continue
        answer = _evaluate(call.args[0], namespace, where)
        result = check.run(answer)
        if not getattr(result, "passed", False):
            raise LessonMarkupError(f"lesson {key.lesson.number}, exercise {exercise.number}: the solution does not "
                                    f"pass its own check ({result!r})")
        key.reference.setdefault(exercise.number, {})[check.answer] = answer
