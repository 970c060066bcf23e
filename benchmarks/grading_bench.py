"""How long grading takes (issue 12): per submission next to the lesson's own Run All, and a class of 30.

    python3 course.py setup && .venv/bin/python benchmarks/grading_bench.py [--lesson 03] [--class-size 30] [--jobs 2]

Not a test: it prints numbers to report and writes them as JSON to benchmarks/results/ (not committed).

* Run All: the lesson executed top to bottom in a fresh Jupyter kernel (nbclient, as benchmarks/run_benchmarks.py
  does), once to warm the caches, then the median of ``--warm-runs`` runs.
* One submission: a correct submission (the student edition answered with the lesson's own solutions) graded alone
  (``--jobs 1``), five times; the median of the time from starting its sandbox to its last check. The answer key's
  own run (once per grading run, whatever the class size) is reported apart.
* A class: ``--class-size`` submissions of the lesson (a third correct, a third with one wrong answer, a third left
  unanswered) graded with ``--jobs`` at once, from start to grades.csv, the answer key included.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from helpers.instructor.exercises import read_lessons  # noqa: E402
from helpers.instructor.grading import Grader, Submission, write_results  # noqa: E402
from helpers.instructor.release import answered_edition, student_edition  # noqa: E402
from helpers.instructor.sandbox import Limits, choose_protection  # noqa: E402


def run_all_seconds(path: Path, numba_cache: Path) -> float:
    spec = importlib.util.spec_from_file_location("course_run_benchmarks", REPO / "benchmarks" / "run_benchmarks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.execute(nbformat.read(path, as_version=4), numba_cache)


def class_of(lesson, size: int) -> list[nbformat.NotebookNode]:
    first = lesson.exercises[0]
    wrong = first.answer_source.replace(f"{first.answer_names[0]} = None", f"{first.answer_names[0]} = 12345.0")
    kinds = [answered_edition(lesson), answered_edition(lesson, {first.number: wrong}), student_edition(lesson)]
    return [kinds[index % 3] for index in range(size)]


def grade(lessons, number, notebooks, jobs, protection, limits, folder: Path):
    submissions = []
    for index, notebook in enumerate(notebooks):
        target = folder / "submissions" / f"student{index:02d}" / lessons[number].path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        submissions.append(Submission(f"student{index:02d}", target))
    grader = Grader(lessons, protection, limits, jobs, report=lambda line: None)
    started = time.perf_counter()
    key_started = time.perf_counter()
    grader.key(number)
    key_seconds = time.perf_counter() - key_started
    outcomes = grader.grade_all(submissions)
    write_results(folder / "grades", outcomes, lessons, "benchmark", [])
    return time.perf_counter() - started, key_seconds, outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", default="03")
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--warm-runs", type=int, default=2)
    parser.add_argument("--single-runs", type=int, default=5)
    options = parser.parse_args()
    lessons = read_lessons()
    lesson = lessons[options.lesson]
    protection = choose_protection()
    limits = Limits()
    numba_cache = Path(os.environ.get("NUMBA_CACHE_DIR", REPO / ".cache" / "numba"))
    print(f"[bench] sandbox: {protection.mode}; lesson {lesson.path.name}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    run_all_seconds(lesson.path, numba_cache)  # warm-up
    run_all = [run_all_seconds(lesson.path, numba_cache) for _ in range(options.warm_runs)]
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as temporary:
        folder = Path(temporary)
        singles = []
        for run in range(options.single_runs):
            _, key_seconds, outcomes = grade(lessons, options.lesson, [answered_edition(lesson)], 1, protection,
                                             limits, folder / f"single{run}")
            assert all(row.status == "correct" for row in outcomes[0].rows), outcomes[0].rows
            singles.append(outcomes[0].seconds)
        total, class_key, outcomes = grade(lessons, options.lesson, class_of(lesson, options.class_size),
                                           options.jobs, protection, limits, folder / "class")
        per_submission = [outcome.seconds for outcome in outcomes]
    result = {
        "lesson": lesson.path.name, "sandbox": protection.mode, "cores": os.cpu_count(), "jobs": options.jobs,
        "load_average_at_end": os.getloadavg()[0], "run_all_warm_s": statistics.median(run_all),
        "run_all_runs_s": run_all, "one_submission_s": statistics.median(singles), "one_submission_runs_s": singles,
        "answer_key_s": key_seconds, "class_size": options.class_size, "class_total_s": total,
        "class_answer_key_s": class_key, "class_per_submission_median_s": statistics.median(per_submission),
        "class_per_submission_max_s": max(per_submission),
    }
    ratio = result["one_submission_s"] / result["run_all_warm_s"]
    print(f"| lesson | Run All warm | one submission graded | ratio | answer key (once) | "
          f"{options.class_size} submissions, {options.jobs} at once |")
    print("|---|---|---|---|---|---|")
    print(f"| {options.lesson} | {result['run_all_warm_s']:.1f} s | {result['one_submission_s']:.1f} s | "
          f"{ratio:.2f} | {key_seconds:.1f} s | {total:.0f} s ({total / 60:.1f} min; per submission median "
          f"{result['class_per_submission_median_s']:.1f} s) |")
    results = REPO / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"grading-{time.strftime('%Y%m%d-%H%M%S')}.json"
    target.write_text(json.dumps(result, indent=1))
    print(f"[bench] {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
