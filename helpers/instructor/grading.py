"""Grade students' notebooks safely: ``python3 course.py grade SUBMISSIONS_DIR [--out DIR]``.

SUBMISSIONS_DIR holds one folder per student, named after the student, with their lesson notebooks inside (at any
depth, so nbgrader's ``submitted/STUDENT/ASSIGNMENT/NOTEBOOK.ipynb`` works too). A notebook's lesson is read from
its file name (``03_zero_crossing_rate.ipynb``, or any name starting with ``03_``) and checked against its title.

How a submission is graded, and why it cannot change its own grade:

1. The answer key is the lesson itself (``notebooks/``), run once per grading run in this process
   (:mod:`.answer_key`): each exercise's check is kept with its inputs as the lesson computes them.
2. The submission runs in its own sandbox (:mod:`.sandbox`, jail.py, runner.py): a separate process, as an
   unprivileged user, with no network, limits on time, memory, processes, files and output, and a file system in
   which the answer key, the other submissions and the grade table do not exist.
3. Right after the cell that gives an answer, the sandbox hands the answer's *value* out as data (numbers, text,
   arrays; a function stays inside and is called from here with the check's own test inputs). The check then runs
   here, in the grader, on that value. Whatever the submission prints, redefines (``helpers.checks``, ``print``) or
   writes into its notebook's outputs or metadata is never read as a result.
4. Anything that goes wrong (a cell that hangs is interrupted after the cell time limit; the whole notebook has a time
   limit; a crash, a flood of output, a full scratch disk) ends that submission only: the exercises it did not reach
   get 0 points, with the reason, and grading goes on.

Writes ``DIR/grades.csv`` (student, lesson, exercise, points, max_points, status, message), ``DIR/feedback/STUDENT.md``
(each check's explanation and what happened when the notebook ran) and ``DIR/report.txt`` (the protection used, the
limits, timings, and every file that was rejected or ignored, with the reason).
"""

from __future__ import annotations

import csv
import json
import os
import queue
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import protocol
from .answer_key import AnswerKey, build_answer_key
from .exercises import Exercise, Lesson, LessonMarkupError, lesson_number, read_lessons
from .release import bound_names
from .sandbox import Limits, Protection, Sandbox, choose_protection, protection_summary

MAX_NOTEBOOK_BYTES = 20 * 2**20
TITLE = re.compile(r"^#\s+Lesson\s+(\d\d)\b")
FIELDS = ["student", "lesson", "exercise", "points", "max_points", "status", "message"]


@dataclass
class Row:
    student: str
    lesson: str
    exercise: str
    points: float
    max_points: float
    status: str          # correct, wrong, unanswered, not run, rejected, error
    message: str


@dataclass
class Submission:
    student: str
    path: Path


@dataclass
class Outcome:
    """What grading one submission produced."""

    submission: Submission
    lesson: str | None
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # what happened when the notebook ran
    seconds: float = 0.0


class _Missing:
    pass


MISSING = _Missing()


def discover(folder: Path) -> tuple[list[Submission], list[str]]:
    """``(submissions, problems)``: every notebook in a student's folder, and files that are not in one."""
    folder = Path(folder)
    submissions, problems = [], []
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue  # .ipynb_checkpoints and other hidden copies
        linked = [folder.joinpath(*relative.parts[:depth]) for depth in range(1, len(relative.parts) + 1)]
        if any(item.is_symlink() for item in linked) or folder.resolve() not in path.resolve().parents:
            problems.append(f"{relative}: a symbolic link (it could point at another student's work); not graded")
            continue
        if len(relative.parts) < 2:
            problems.append(f"{relative}: not in a student's folder (put each student's notebooks in a folder named "
                            "after the student); not graded")
            continue
        submissions.append(Submission(relative.parts[0], path))
    return submissions, problems


def choose_per_lesson(submissions: list[Submission]) -> tuple[list[Submission], list[str]]:
    """One notebook per student and lesson: the one named exactly as the lesson, else the newest; the others are
    listed as ignored."""
    groups: dict[tuple[str, str | None], list[Submission]] = {}
    for submission in submissions:
        lesson = submission.path.name[:2] if re.match(r"\d\d_", submission.path.name) else None
        groups.setdefault((submission.student, lesson), []).append(submission)
    chosen, ignored = [], []
    for (student, lesson), items in sorted(groups.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        if lesson is None or len(items) == 1:
            chosen += items
            continue
        items.sort(key=lambda item: (not re.fullmatch(r"\d\d_[A-Za-z0-9_]+\.ipynb", item.path.name),
                                     -item.path.stat().st_mtime))
        chosen.append(items[0])
        ignored += [f"{student}: {item.path.name} ignored: {items[0].path.name} is graded for lesson {lesson}"
                    for item in items[1:]]
    return chosen, ignored


def read_submission(path: Path) -> tuple[dict | None, str | None]:
    """``(notebook as JSON, None)`` or ``(None, the reason it cannot be graded)``."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return None, f"the file is {size / 2**20:.0f} MB, more than the {MAX_NOTEBOOK_BYTES // 2**20} MB a notebook may have"
        notebook = json.loads(path.read_bytes())
    except json.JSONDecodeError as error:
        return None, (f"not a readable notebook: its JSON is damaged (line {error.lineno}, column {error.colno}: "
                      f"{error.msg}). Open it in JupyterLab; if it does not open, hand in a saved copy")
    except (OSError, UnicodeDecodeError, RecursionError, ValueError) as error:
        return None, f"not a readable notebook ({type(error).__name__}: {error})"
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        return None, "not a Jupyter notebook (no list of cells)"
    return notebook, None


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(item for item in source if isinstance(item, str))
    return source if isinstance(source, str) else ""


def identify_lesson(path: Path, notebook: dict, lessons: dict[str, Lesson]) -> tuple[str | None, str | None]:
    """``(lesson number, None)`` or ``(lesson number or None, reason to reject)``: the file name's lesson,
    confirmed by the notebook's title ("# Lesson NN · ...")."""
    named = path.name[:2] if re.match(r"\d\d_", path.name) else None
    titled = None
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "markdown":
            match = TITLE.match(cell_source(cell).lstrip())
            if match:
                titled = match.group(1)
            break
    lesson = named or titled
    if lesson is None:
        return None, ("cannot tell which lesson this is: name the file as the lesson is named (for example "
                      "03_zero_crossing_rate.ipynb)")
    if lesson not in lessons:
        return None, f"there is no lesson {lesson} in notebooks/"
    if named and titled and named != titled:
        return named, (f"the file is named as lesson {named}, but it holds lesson {titled} (its title says "
                       f"'Lesson {titled}'): hand in lesson {named}'s notebook under its own name")
    return lesson, None


def capture_plan(cells: list[dict], lesson: Lesson) -> tuple[dict[int, list[str]], list[str]]:
    """After which code cell to take each answer: the last cell that binds the answer's name at or before the
    exercise's check cell (found by its nbgrader id, else by its check call); names never bound are taken at the
    end of the notebook. Indices count code cells only."""
    sources = [cell_source(cell) for cell in cells]
    grade_ids = [((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
                 if isinstance(cell.get("metadata"), dict) else None for cell in cells]
    bindings = [bound_names(source) for source in sources]
    captures: dict[int, list[str]] = {}
    at_end: list[str] = []
    for exercise in lesson.exercises:
        check_index = next((index for index, grade_id in enumerate(grade_ids) if grade_id == exercise.grade_id), None)
        if check_index is None:
            calls = [check.function + "(" for check in exercise.checks]
            check_index = next((index for index, source in enumerate(sources)
                                if any(call in source for call in calls)), None)
        for name in exercise.answer_names:
            binding = [index for index, names in enumerate(bindings) if name in names]
            before = [index for index in binding if check_index is None or index <= check_index]
            where = max(before) if before else (max(binding) if binding else None)
            if where is None:
                at_end.append(name)
            elif name not in captures.setdefault(where, []):
                captures[where].append(name)
    return captures, at_end


class SubmissionRun:
    """Runs one submission in its sandbox and grades its exercises as their answers arrive."""

    def __init__(self, key: AnswerKey, protection: Protection, limits: Limits, slot: int):
        self.key, self.protection, self.limits, self.slot = key, protection, limits, slot
        self.answers: dict[str, object] = {}
        self.graded: dict[int, list[Row]] = {}
        self.notes: list[str] = []
        self.stop_reason: str | None = None
        self.current_cell: int | None = None
        self.cell_numbers: list[int] = []
        self.answer_cells: dict[str, int] = {}     # answer name -> the code cell after which it is taken
        self.timed_out: set[int] = set()

    # The channel RemoteFunction calls through.
    def call(self, name, args, kwargs):
        if self.stop_reason:
            raise protocol.SubmissionStopped(self.stop_reason)
        deadline = min(time.monotonic() + self.limits.cell_s + 5, self.deadline)
        try:
            self.sandbox.send({"call": name, "args": protocol.encode(list(args)),
                               "kwargs": protocol.encode(dict(kwargs))})
            return self.sandbox.receive(deadline)
        except protocol.ChannelTimeout:
            self._stopped(f"a call of its function did not return within {self.limits.cell_s:g} s, so it was stopped")
        except protocol.ChannelClosed as closed:
            self._stopped(self._why_closed(str(closed)))
        raise protocol.SubmissionStopped(self.stop_reason)

    def _stopped(self, reason: str) -> None:
        if not self.stop_reason:
            self.stop_reason = reason
        self.sandbox.kill()

    def _where(self) -> str:
        if self.current_cell is None:
            return "before its first cell"
        return f"in code cell {self.current_cell + 1} (notebook cell {self.cell_numbers[self.current_cell]})"

    def _why_closed(self, detail: str = "") -> str:
        if self.sandbox.flooded.is_set():
            return f"it printed more than {self.limits.output_mb} MB of output {self._where()}, so it was stopped"
        if detail and detail != "the channel was closed":  # it sent something that is not a message
            self.sandbox.kill()
            self.sandbox.stop()
            return f"it broke the grader's channel {self._where()} (it sent {detail.removeprefix('a ')})"
        code = self.sandbox.stop()
        jail = self.sandbox.jail_error()
        if jail:
            return f"the sandbox could not start ({jail})"
        if code is not None and code >= 128:
            return f"its kernel was killed (signal {code - 128}) {self._where()}"
        return f"its kernel stopped {self._where()} (exit code {code})"

    def run(self, notebook: dict, student: str) -> list[Row]:
        lesson = self.key.lesson
        code = [(index, cell) for index, cell in enumerate(notebook["cells"]) if cell.get("cell_type") == "code"]
        self.cell_numbers = [index + 1 for index, _ in code]
        cells = [cell for _, cell in code]
        captures, at_end = capture_plan(cells, lesson)
        self.answer_cells = {name: index for index, items in captures.items() for name in items}
        names = {name for exercise in lesson.exercises for name in exercise.answer_names}
        self.sandbox = Sandbox(self.protection, self.limits, self.slot)
        self.deadline = time.monotonic() + self.limits.submission_s
        self.sandbox.start()
        try:
            self.sandbox.send({"cells": [cell_source(cell) for cell in cells],
                               "captures": {str(index): items for index, items in captures.items()},
                               "at_end": at_end, "cell_timeout": self.limits.cell_s,
                               "call_timeout": self.limits.cell_s})
            while True:
                message = self.sandbox.receive(self.deadline)
                if "cell" in message and isinstance(message["cell"], int) and 0 <= message["cell"] < len(cells):
                    self.current_cell = message["cell"]
                elif "cell_done" in message:
                    self._note_cell(message)
                elif "answers" in message and isinstance(message["answers"], dict):
                    self._receive_answers(message["answers"], names)
                    self._grade_ready(student)
                    self.sandbox.send({"continue": True})
                elif message.get("done"):
                    break
        except protocol.ChannelTimeout:
            self._stopped(f"it ran out of time ({self.limits.submission_s:g} s for the whole notebook) "
                          f"{self._where()}, so it was stopped")
        except protocol.ChannelClosed as closed:
            if not self.stop_reason:
                self.stop_reason = self._why_closed(str(closed))
        except protocol.SubmissionStopped:
            pass
        finally:
            try:
                self.sandbox.send({"quit": True})
            except protocol.ChannelClosed:
                pass
            self.sandbox.stop()
        rows = []
        for exercise in lesson.exercises:
            rows += self.graded.get(exercise.number) or [self._not_run(student, exercise)]
        return rows

    def _note_cell(self, message: dict) -> None:
        index = message.get("cell_done")
        if not isinstance(index, int) or not 0 <= index < len(self.cell_numbers):
            return
        where = f"code cell {index + 1} (notebook cell {self.cell_numbers[index]})"
        if message.get("timeout"):
            self.timed_out.add(index)
            self.notes.append(f"{where} ran longer than {self.limits.cell_s:g} s and was interrupted")
        elif message.get("error"):
            self.notes.append(f"{where} raised {str(message['error'])[:300]}")

    def _receive_answers(self, answers: dict, names: set[str]) -> None:
        for name, data in answers.items():
            if name not in names or name in self.answers:
                continue
            if isinstance(data, dict) and data.get("$missing"):
                self.answers[name] = MISSING
                continue
            try:
                self.answers[name] = protocol.decode(data, lambda ref, label=name: protocol.RemoteFunction(
                    self, ref, label))
            except (ValueError, TypeError, KeyError, IndexError, RecursionError) as error:
                self.answers[name] = protocol.Opaque(f"an answer that could not be read ({error})")

    def _grade_ready(self, student: str) -> None:
        for exercise in self.key.lesson.exercises:
            if exercise.number in self.graded or not all(name in self.answers for name in exercise.answer_names):
                continue
            self.graded[exercise.number] = self._grade(student, exercise)

    def _grade(self, student: str, exercise: Exercise) -> list[Row]:
        checks = self.key.checks[exercise.number]
        for name in exercise.answer_names:
            index = self.answer_cells.get(name)
            if index in self.timed_out:
                return [Row(student, exercise.lesson, str(exercise.number), 0.0, exercise.points, "not run",
                            f"not graded: code cell {index + 1} (notebook cell {self.cell_numbers[index]}), which "
                            f"sets {name}, ran longer than {self.limits.cell_s:g} s and was interrupted")]
        results = []
        for check in checks:
            answer = self.answers[check.answer]
            if answer is MISSING:
                answer = None  # the answer's cell is gone: the check says "not answered yet"
            try:
                result = check.run(answer)
                status, message = result.status, result.message
            except protocol.SubmissionStopped as stopped:
                status, message = "not run", f"not graded: {stopped}"
            except Exception as error:  # the check itself failed on this answer: report, never crash the grader
                status, message = "error", f"the check could not judge this answer ({type(error).__name__}: {error})"
            if status not in ("correct", "wrong", "unanswered", "not run", "error"):
                status, message = "error", "the check returned no verdict"
            results.append((status, str(message)))
        passed = sum(status == "correct" for status, _ in results)
        points = exercise.points * passed / len(results)
        status = results[0][0] if len(results) == 1 else ("correct" if passed == len(results) else
                                                            next(s for s, _ in results if s != "correct"))
        message = " | ".join(message for _, message in results)
        return [Row(student, exercise.lesson, str(exercise.number), round(points, 3), exercise.points, status, message)]

    def _not_run(self, student: str, exercise: Exercise) -> Row:
        reason = self.stop_reason or "its answer was never produced"
        return Row(student, exercise.lesson, str(exercise.number), 0.0, exercise.points, "not run",
                   f"not graded: {reason}")


class Grader:
    def __init__(self, lessons: dict[str, Lesson], protection: Protection, limits: Limits, jobs: int = 2,
                 report=print):
        self.lessons, self.protection, self.limits, self.jobs = lessons, protection, limits, max(1, jobs)
        self.keys: dict[str, AnswerKey] = {}
        self.report = report

    def key(self, number: str) -> AnswerKey:
        if number not in self.keys:
            started = time.perf_counter()
            self.keys[number] = build_answer_key(self.lessons[number])
            self.report(f"[course] answer key of lesson {number}: {time.perf_counter() - started:.1f} s")
        return self.keys[number]

    def rejected(self, submission: Submission, lesson: str | None, reason: str) -> Outcome:
        outcome = Outcome(submission, lesson)
        exercises = self.lessons[lesson].exercises if lesson in self.lessons else []
        if not exercises:
            outcome.rows.append(Row(submission.student, lesson or "?", "-", 0.0, 0.0, "rejected",
                                    f"{submission.path.name}: {reason}"))
        for exercise in exercises:
            outcome.rows.append(Row(submission.student, lesson, str(exercise.number), 0.0, exercise.points,
                                    "rejected", f"{submission.path.name}: {reason}"))
        return outcome

    def prepare(self, submission: Submission) -> tuple[dict | None, str | None, Outcome | None]:
        notebook, problem = read_submission(submission.path)
        if problem:
            return None, None, self.rejected(submission, lesson_number(submission.path), problem)
        lesson, problem = identify_lesson(submission.path, notebook, self.lessons)
        if problem:
            return None, lesson, self.rejected(submission, lesson, problem)
        return notebook, lesson, None

    def grade_one(self, submission: Submission, notebook: dict, lesson: str, slot: int) -> Outcome:
        started = time.perf_counter()
        run = SubmissionRun(self.keys[lesson], self.protection, self.limits, slot)
        outcome = Outcome(submission, lesson)
        try:
            outcome.rows = run.run(notebook, submission.student)
        except Exception as error:  # a fault in the grader itself: this submission only, with the reason
            outcome.rows = [Row(submission.student, lesson, str(exercise.number), 0.0, exercise.points, "error",
                                f"the grader failed on this notebook ({type(error).__name__}: {error}); grade it "
                                "by hand") for exercise in self.lessons[lesson].exercises]
        outcome.notes = run.notes + ([f"stopped: {run.stop_reason}"] if run.stop_reason else [])
        outcome.seconds = time.perf_counter() - started
        return outcome

    def grade_all(self, submissions: list[Submission]) -> list[Outcome]:
        outcomes, work = [], []
        for submission in submissions:
            notebook, lesson, rejected = self.prepare(submission)
            if rejected:
                outcomes.append(rejected)
            else:
                work.append((submission, notebook, lesson))
        for lesson in sorted({lesson for _, _, lesson in work}):
            self.key(lesson)
        slots: queue.Queue[int] = queue.Queue()
        for slot in range(self.jobs):
            slots.put(slot)
        lock = threading.Lock()

        def task(item):
            slot = slots.get()
            try:
                outcome = self.grade_one(*item, slot)
            finally:
                slots.put(slot)
            with lock:
                points = sum(row.points for row in outcome.rows)
                total = sum(row.max_points for row in outcome.rows)
                self.report(f"[course] {outcome.submission.student} / {outcome.submission.path.name}: "
                            f"{points:g} of {total:g} points ({outcome.seconds:.1f} s)")
            return outcome

        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            outcomes += list(pool.map(task, work))
        return outcomes


def write_results(out: Path, outcomes: list[Outcome], lessons: dict[str, Lesson], header: str,
                  problems: list[str]) -> Path:
    out = Path(out)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    rows = sorted((row for outcome in outcomes for row in outcome.rows),
                  key=lambda row: (row.student, row.lesson, row.exercise))
    table = out / "grades.csv"
    with open(table, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for row in rows:
            writer.writerow([row.student, row.lesson, row.exercise, f"{row.points:g}", f"{row.max_points:g}",
                             row.status, row.message])
    by_student: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_student.setdefault(outcome.submission.student, []).append(outcome)
    for student, items in sorted(by_student.items()):
        lines = [f"# Feedback for {student}", ""]
        for outcome in sorted(items, key=lambda item: (item.lesson or "", item.submission.path.name)):
            points = sum(row.points for row in outcome.rows)
            total = sum(row.max_points for row in outcome.rows)
            title = lessons[outcome.lesson].title if outcome.lesson in lessons else "unknown lesson"
            lines += [f"## {title}: {points:g} of {total:g} points", "", f"File: `{outcome.submission.path.name}`", "",
                      "| Exercise | Points | Result | What the check says |", "|---|---|---|---|"]
            for row in outcome.rows:
                message = row.message.replace("|", "\\|").replace("\n", " ")
                lines.append(f"| {row.exercise} | {row.points:g} / {row.max_points:g} | {row.status} | {message} |")
            if outcome.notes:
                lines += ["", "When your notebook ran:", ""] + [f"* {note}" for note in outcome.notes[:20]]
                if len(outcome.notes) > 20:
                    lines.append(f"* ... and {len(outcome.notes) - 20} more")
            lines.append("")
        name = re.sub(r"[^A-Za-z0-9_.@-]+", "_", student) or "student"
        (out / "feedback" / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")
    seconds = [outcome.seconds for outcome in outcomes if outcome.seconds]
    report = [header, "", f"{len(outcomes)} notebooks from {len(by_student)} students; {len(rows)} rows in grades.csv."]
    if seconds:
        report.append(f"Grading time per submission: median {sorted(seconds)[len(seconds) // 2]:.1f} s, "
                      f"longest {max(seconds):.1f} s.")
    if problems:
        report += ["", "Files not graded:"] + [f"* {problem}" for problem in problems]
    rejected = [row for row in rows if row.status == "rejected" and row.exercise in ("-", "1")]
    if rejected:
        report += ["", "Rejected notebooks:"] + [f"* {row.student}: {row.message}" for row in rejected]
    (out / "report.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    return table


def main(arguments: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="course.py grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="a folder with one folder of notebooks per student")
    parser.add_argument("--out", type=Path, help="where to write grades.csv, feedback/ and report.txt "
                                                 "(default: SUBMISSIONS_DIR-grades next to it)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="submissions graded at once")
    defaults = Limits()
    parser.add_argument("--time-limit", type=float, default=defaults.submission_s, help="seconds per submission")
    parser.add_argument("--cell-time-limit", type=float, default=defaults.cell_s, help="seconds per cell")
    parser.add_argument("--memory-mb", type=int, default=defaults.memory_mb, help="address space per process")
    parser.add_argument("--processes", type=int, default=defaults.processes, help="processes and threads")
    parser.add_argument("--sandbox", choices=["auto", "root", "userns", "none"], default="auto")
    parser.add_argument("--unsafe", action="store_true", help="grade even where no sandbox can be made")
    options = parser.parse_args(arguments)
    folder = options.submissions.resolve()
    if not folder.is_dir():
        print(f"[course] ERROR: {folder} is not a folder of submissions", file=sys.stderr)
        return 1
    out = (options.out or folder.with_name(folder.name + "-grades")).resolve()
    if out == folder or folder in out.parents:
        print("[course] ERROR: --out must not be inside the submissions folder", file=sys.stderr)
        return 1
    limits = Limits(submission_s=options.time_limit, cell_s=options.cell_time_limit, memory_mb=options.memory_mb,
                    processes=options.processes)
    broken: dict[str, str] = {}
    try:
        lessons = read_lessons(on_error=lambda path, error: broken.setdefault(path.name[:2], str(error)))
        protection = choose_protection(options.unsafe, None if options.sandbox == "auto" else options.sandbox)
    except (LessonMarkupError, RuntimeError) as error:
        print(f"[course] ERROR: {error}", file=sys.stderr)
        return 1
    header = protection_summary(protection, limits)
    print("[course] " + header.replace("\n", "\n[course] "))
    submissions, problems = discover(folder)
    submissions, ignored = choose_per_lesson(submissions)
    problems += ignored
    for number, error in sorted(broken.items()):
        print(f"[course] lesson {number} cannot be graded: {error}")
        problems.append(f"lesson {number} cannot be graded (its exercise markup: {error})")
    started = time.perf_counter()
    try:
        outcomes = Grader(lessons, protection, limits, options.jobs).grade_all(submissions)
    except LessonMarkupError as error:
        print(f"[course] ERROR in the answer key: {error}", file=sys.stderr)
        return 1
    table = write_results(out, outcomes, lessons, header, problems)
    print(f"[course] {len(outcomes)} notebooks graded in {time.perf_counter() - started:.0f} s: {table}, "
          f"{out / 'feedback'}/, {out / 'report.txt'}")
    for problem in problems:
        print(f"[course] not graded: {problem}")
    return 0
