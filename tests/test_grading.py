"""Safe grading (issue 12): hostile submissions are graded right or rejected with a reason, and none of them changes
another submission's grade.

Two small lessons written here (in the lessons' own exercise markup) keep the runs short: lesson 00 has a number
exercise, a function exercise and an "observation" exercise whose check (defined in the lesson, so part of the
answer key) reports the answer it received: hostile notebooks put what they could see and do from inside the
sandbox there. One grading run, two submissions at a time, covers every hostile notebook next to a correct and a
partly wrong one. A second test grades real lesson 00 through ``course.py grade`` as an ordinary (non-root) user.
Expected grades are written out by hand.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from helpers.instructor.exercises import read_lesson
from helpers.instructor.grading import Grader, Submission, write_results
from helpers.instructor.release import answered_edition
from helpers.instructor.sandbox import Limits, choose_protection

REPO = Path(__file__).resolve().parent.parent
LIMITS = Limits(submission_s=25, cell_s=4, memory_mb=2048, processes=32, file_mb=64, scratch_mb=160, output_mb=2)

IMPORTS = '''\
import numpy as np
from helpers.checks import check_amplitude_envelope_function, check_duration, check_sample_count
from helpers.checks.core import CheckResult


def check_observation(answer):
    """Test lesson only: reports the answer it was given (None passes)."""
    return CheckResult("correct" if answer is None else "wrong", repr(answer))


sr = 22050
y = np.zeros(2 * sr, dtype=np.float32)'''

ENVELOPE_SOLUTION = '''\
# Solution
def envelope_solution(y, frame_length, hop_length):
    padded = np.pad(y, frame_length // 2)
    starts = range(0, 1 + len(y) // hop_length)
    return np.array([np.max(np.abs(padded[k * hop_length: k * hop_length + frame_length])) for k in starts])

check_amplitude_envelope_function(envelope_solution)'''


def code(source, hidden=False):
    cell = nbformat.v4.new_code_cell(source)
    if hidden:
        cell.metadata = {"tags": ["hide-cell"], "jupyter": {"source_hidden": True, "outputs_hidden": True}}
    return cell


def write_test_lessons(folder: Path) -> tuple[Path, Path]:
    md = nbformat.v4.new_markdown_cell
    first = nbformat.v4.new_notebook()
    first.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    first.cells = [
        md("# Lesson 00 · Grading test\n\nA lesson for the grading tests."), code(IMPORTS),
        md("## Exercises\n\n### Exercise 1 · Duration\n\nHow long is `y`, in seconds?"),
        code("duration_s = None  # your answer\n\ncheck_duration(duration_s, y, sr)"),
        code("# Solution\ncheck_duration(len(y) / sr, y, sr)", hidden=True),
        md("### Exercise 2 · Envelope\n\nWrite `envelope(y, frame_length, hop_length)`."),
        code("def envelope(y, frame_length, hop_length):\n    return None  # replace this line\n\n\n"
             "check_amplitude_envelope_function(envelope)"),
        code(ENVELOPE_SOLUTION, hidden=True),
        md("### Exercise 3 · Observation\n\nLeave it as it is."),
        code("observation = None  # what the sandbox saw\n\ncheck_observation(observation)"),
        code("# Solution\ncheck_observation(None)", hidden=True),
        md("## Summary\n\nDone."),
    ]
    second = nbformat.v4.new_notebook()
    second.metadata = first.metadata
    second.cells = [
        md("# Lesson 01 · Other test"), code("from helpers.checks import check_sample_count\n\nsr = 22050"),
        md("### Exercise 1 · Samples\n\nHow many samples make 2.5 s?"),
        code("n_samples = None  # your answer\n\ncheck_sample_count(n_samples, 2.5, sr)"),
        code("# Solution\ncheck_sample_count(round(2.5 * sr), 2.5, sr)", hidden=True),
    ]
    paths = folder / "00_grading_test.ipynb", folder / "01_other_test.ipynb"
    for notebook, path in zip((first, second), paths):
        nbformat.write(notebook, path)
    return paths


def with_cell(notebook, before_grade_id: str, source: str):
    """``notebook`` with a code cell holding ``source`` inserted before the cell with nbgrader id ``before...``;
    ``"end"`` appends it."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    cell = nbformat.v4.new_code_cell(source)
    index = next((i for i, c in enumerate(notebook.cells)
                  if c.metadata.get("nbgrader", {}).get("grade_id") == before_grade_id), len(notebook.cells))
    notebook.cells.insert(index, cell)
    return notebook


def observe(paths: dict) -> str:
    """Source of an answer cell that records what the sandbox lets this notebook see and do."""
    return f'''\
import os, socket, subprocess
paths = {paths!r}
seen = {{}}
seen["reads another submission"] = os.path.exists(paths["other"])
seen["reads the answer key"] = os.path.exists(paths["key"]) or os.path.exists(paths["repo_key"])
seen["sees the submissions folder"] = os.path.exists(paths["submissions"])
seen["cat of another submission"] = subprocess.run(["cat", paths["other"]], capture_output=True).returncode == 0
written = []
for target in (paths["other"], paths["grades"] + "/grades.csv", paths["repo_helpers"] + "/planted.py", "/planted"):
    try:
        with open(target, "w") as handle:
            handle.write("planted")
        written.append(target)
    except OSError:
        pass
seen["writes outside its scratch folder"] = written
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    seen["network"] = "reached the internet"
except OSError:
    seen["network"] = "blocked"
try:
    open("/proc/1/environ", "rb").read()
    seen["reads the grader's environment"] = True
except OSError:
    seen["reads the grader's environment"] = False
seen["uid"] = os.getuid()
with open("/proc/self/status") as status:
    seen["capabilities"] = [line.split()[1] for line in status if line.startswith("CapEff")][0]
observation = seen'''


@pytest.fixture(scope="module")
def protection():
    try:
        return choose_protection(allow_unsafe=False)
    except RuntimeError as error:
        import platform

        if platform.system() == "Linux" and os.geteuid() == 0:  # CI: root on Linux always has a sandbox
            pytest.fail(f"no sandbox, although this is root on Linux: {error}")
        pytest.skip(f"no sandbox on this machine: {error}")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, protection):
    base = tmp_path_factory.mktemp("grading")
    lessons_dir, submissions, out = base / "lessons", base / "submissions", base / "grades"
    lessons_dir.mkdir()
    path0, path1 = write_test_lessons(lessons_dir)
    lessons = {"00": read_lesson(path0), "01": read_lesson(path1)}
    lesson = lessons["00"]
    correct = answered_edition(lesson)
    wrong_duration = "duration_s = len(y)  # samples, not seconds"
    ex1_end = "lesson00-exercise2-answer"  # the cell after exercise 1's check
    paths = {"other": str(submissions / "correct" / "00_grading_test.ipynb"), "key": str(path0),
             "repo_key": str(REPO / "notebooks"), "submissions": str(submissions), "grades": str(out),
             "repo_helpers": str(REPO / "helpers")}
    notebooks = {
        "correct": correct,
        "partly_wrong": answered_edition(lesson, {1: wrong_duration}),
        "infinite_loop": with_cell(correct, "lesson00-exercise1-answer", "while True:\n    pass"),
        "stubborn_loop": with_cell(correct, ex1_end, "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
                                                     "    except BaseException:\n        pass"),
        "reads_other": answered_edition(lesson, {3: observe(paths)}),
        "redefines_checks": with_cell(answered_edition(lesson, {1: "duration_s = 99.0"}), "lesson00-exercise1-answer",
                                      "import helpers.checks, helpers.checks.core as core\n"
                                      "core.CheckResult.passed = property(lambda self: True)\n"
                                      "core.CheckResult.status = 'correct'\n"
                                      "forged = lambda *args, **kwargs: core.CheckResult('correct', 'forged')\n"
                                      "helpers.checks.check_duration = check_duration = forged\n"
                                      "check_amplitude_envelope_function = forged"),
        "fake_output": _fake_outputs(with_cell(answered_edition(lesson, {1: "duration_s = 3.0"}), "lesson00-exercise1-answer",
                                               "import builtins, sys\n_print = builtins.print\n"
                                               "builtins.print = lambda *a, **k: _print('Correct: forged', **k)\n"
                                               "sys.displayhook = lambda value: _print('Correct: forged')")),
        "floods_output": with_cell(correct, ex1_end, "import sys\nfor _ in range(1024):\n"
                                                     "    sys.stdout.write('x' * 2**20)  # 1 GB in all"),
        "fork_bomb": with_cell(correct, "lesson00-exercise1-answer", "import os\nwhile True:\n    os.fork()"),
        "fills_disk": with_cell(correct, "lesson00-exercise1-answer",
                                "for part in range(8):\n    with open(f'big{part}', 'wb') as handle:\n"
                                "        for _ in range(64):\n            handle.write(b'0' * 2**20)"),
        "crashes_kernel": with_cell(correct, ex1_end, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        "hogs_memory": with_cell(correct, "lesson00-exercise1-answer", "hog = bytearray(16 * 2**30)"),
        "function_hangs": answered_edition(lesson, {2: "def envelope(y, frame_length, hop_length):\n    while True:\n"
                                                "        pass"}),
    }
    files = {}
    for student, notebook in notebooks.items():
        folder = submissions / student
        folder.mkdir(parents=True)
        files[student] = folder / "00_grading_test.ipynb"
        nbformat.write(notebook, files[student])
    (submissions / "corrupt").mkdir()
    files["corrupt"] = submissions / "corrupt" / "00_grading_test.ipynb"
    files["corrupt"].write_text('{"cells": [{"cell_type": "code", "source": "duration_s = 2.0"')
    (submissions / "other_lesson").mkdir()
    files["other_lesson"] = submissions / "other_lesson" / "00_grading_test.ipynb"
    nbformat.write(answered_edition(lessons["01"]), files["other_lesson"])
    (submissions / "second_lesson").mkdir()
    files["second_lesson"] = submissions / "second_lesson" / "01_other_test.ipynb"
    nbformat.write(answered_edition(lessons["01"]), files["second_lesson"])
    digest = hashlib.sha256(files["correct"].read_bytes()).hexdigest()
    grader = Grader(lessons, protection, LIMITS, jobs=2, report=lambda line: None)
    outcomes = grader.grade_all([Submission(student, path) for student, path in sorted(files.items())])
    table = write_results(out, outcomes, lessons, "test", [])
    with open(table, newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], {})[row["exercise"]] = row
    notes = {outcome.submission.student: outcome.notes for outcome in outcomes}
    return {"rows": by_student, "notes": notes, "out": out, "correct_file": files["correct"], "digest": digest,
            "protection": protection}


def _fake_outputs(notebook):
    """Outputs and metadata a student can forge in the file: "Correct" everywhere, 100 points per check."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Correct: forged\n")]
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.metadata["nbgrader"]["points"] = 100
    notebook.metadata["grades"] = {"total": 100}
    return notebook


def points(graded, student):
    return [float(graded["rows"][student][number]["points"]) for number in ("1", "2", "3")]


def statuses(graded, student):
    return [graded["rows"][student][number]["status"] for number in ("1", "2", "3")]


def test_correct_and_partly_wrong_submissions_are_graded_right(graded):
    assert points(graded, "correct") == [1, 1, 1]
    assert statuses(graded, "correct") == ["correct"] * 3
    assert points(graded, "partly_wrong") == [0, 1, 1]
    assert "number of samples, not seconds" in graded["rows"]["partly_wrong"]["1"]["message"]
    assert graded["rows"]["second_lesson"]["1"]["status"] == "correct"
    assert graded["rows"]["correct"]["1"]["max_points"] == "1"


def test_an_infinite_loop_is_interrupted_and_the_rest_is_graded(graded):
    assert points(graded, "infinite_loop") == [1, 1, 1]
    assert any("ran longer than 4 s and was interrupted" in note for note in graded["notes"]["infinite_loop"])


def test_a_loop_that_ignores_interrupts_runs_out_of_time_and_only_what_ran_counts(graded):
    assert points(graded, "stubborn_loop") == [1, 0, 0]
    for number in ("2", "3"):
        row = graded["rows"]["stubborn_loop"][number]
        assert row["status"] == "not run" and "ran out of time (25 s" in row["message"], row


def test_the_sandbox_sees_no_other_submission_no_answer_key_no_network_and_writes_nowhere(graded):
    row = graded["rows"]["reads_other"]["3"]
    seen = ast.literal_eval(row["message"])
    assert seen["reads another submission"] is False
    assert seen["cat of another submission"] is False
    assert seen["reads the answer key"] is False
    assert seen["sees the submissions folder"] is False
    assert seen["writes outside its scratch folder"] == []
    assert seen["network"] == "blocked"
    assert seen["reads the grader's environment"] is False
    assert seen["capabilities"] == "0000000000000000"
    if graded["protection"].mode == "root":
        assert seen["uid"] >= 1_000_000_000
    assert hashlib.sha256(graded["correct_file"].read_bytes()).hexdigest() == graded["digest"]
    assert not (REPO / "helpers" / "planted.py").exists()
    assert points(graded, "reads_other")[:2] == [1, 1]


def test_redefining_the_checks_inside_the_notebook_changes_nothing(graded):
    assert points(graded, "redefines_checks") == [0, 1, 1]
    assert graded["rows"]["redefines_checks"]["1"]["status"] == "wrong"
    assert "forged" not in graded["rows"]["redefines_checks"]["1"]["message"]


def test_a_patched_print_and_forged_outputs_and_metadata_change_nothing(graded):
    assert points(graded, "fake_output") == [0, 1, 1]
    assert [row["max_points"] for row in graded["rows"]["fake_output"].values()] == ["1", "1", "1"]


def test_a_flood_of_output_stops_that_submission_with_the_reason(graded):
    assert points(graded, "floods_output") == [1, 0, 0]
    assert "printed more than 2 MB" in graded["rows"]["floods_output"]["2"]["message"]


def test_a_fork_bomb_hits_the_process_limit_and_the_rest_is_graded(graded):
    assert points(graded, "fork_bomb") == [1, 1, 1]
    assert any("BlockingIOError" in note or "Resource temporarily unavailable" in note
               for note in graded["notes"]["fork_bomb"]), graded["notes"]["fork_bomb"]


def test_a_full_disk_and_a_memory_hog_fail_their_own_cells_only(graded):
    assert points(graded, "fills_disk") == [1, 1, 1]
    assert any("File too large" in note or "No space left" in note for note in graded["notes"]["fills_disk"])
    assert points(graded, "hogs_memory") == [1, 1, 1]
    assert any("MemoryError" in note for note in graded["notes"]["hogs_memory"])


def test_a_crashed_kernel_gives_zero_for_what_did_not_run_with_the_reason(graded):
    assert points(graded, "crashes_kernel") == [1, 0, 0]
    assert "killed (signal 9)" in graded["rows"]["crashes_kernel"]["2"]["message"]


def test_a_function_that_never_returns_is_stopped_and_reported(graded):
    assert points(graded, "function_hangs") == [1, 0, 1]
    assert "did not return within 4 s" in graded["rows"]["function_hangs"]["2"]["message"]


def test_corrupt_json_and_a_notebook_from_another_lesson_are_rejected_with_the_reason(graded):
    corrupt = graded["rows"]["corrupt"]["1"]
    assert corrupt["status"] == "rejected" and "JSON is damaged" in corrupt["message"]
    other = graded["rows"]["other_lesson"]["1"]
    assert other["status"] == "rejected" and "holds lesson 01" in other["message"]


def test_every_student_gets_a_feedback_file_with_the_checks_explanations(graded):
    feedback = (graded["out"] / "feedback" / "partly_wrong.md").read_text()
    assert "number of samples, not seconds" in feedback and "1 of 3 points" not in feedback
    assert "2 of 3 points" in feedback
    assert len(list((graded["out"] / "feedback").glob("*.md"))) == len(graded["rows"])


def _private_folder_above(path: Path) -> Path | None:
    """The first folder above ``path`` that other users may not enter, or None."""
    for folder in reversed(path.parents):
        if folder != Path("/") and not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def test_an_ordinary_user_grades_real_lesson_00_through_course_py():
    """The instructor without root: course.py grade picks the user-namespace sandbox, and grades right.

    Run as uid 65534 with no capability. This machine's Python may live in root's private home folder (pyenv); then
    the test first shows it to other users, in a mount namespace of its own (a tmpfs over that folder with only the
    Python installation bound back), as an ordinary instructor's own Python would be."""
    if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"):
        pytest.skip("needs root, setpriv and unshare to run the grader as an ordinary user")
    base = Path(tempfile.mkdtemp(prefix="course-grading-user-"))
    try:
        lesson = read_lesson(REPO / "notebooks" / "00_why_audio_features.ipynb")
        other = read_lesson(REPO / "notebooks" / "01_waveforms.ipynb")
        submissions = base / "submissions"
        for student, notebook in {"alice": answered_edition(lesson),
                                  "bob": answered_edition(lesson, {1: lesson.exercises[0].answer_source.replace(
                                      "part_duration_s = None", "part_duration_s = len(y_part)")}),
                                  "carol": answered_edition(other)}.items():
            (submissions / student).mkdir(parents=True)
            nbformat.write(notebook, submissions / student / "00_why_audio_features.ipynb")
        (base / "home").mkdir()
        os.chmod(base, 0o755)
        for folder, _, names in os.walk(base):
            os.chown(folder, 65534, 65534)
            for name in names:
                os.chown(os.path.join(folder, name), 65534, 65534)
        script = ["set -e"]
        python_home = Path(os.path.realpath(sys.base_prefix))
        private = _private_folder_above(python_home)
        if private is not None:
            child = private / python_home.relative_to(private).parts[0]
            script += [f"mkdir -p {base}/python-view", f"mount --bind {child} {base}/python-view",
                       f"mount -t tmpfs -o mode=755 tmpfs {private}", f"mkdir -p {child}",
                       f"mount --bind {base}/python-view {child}"]
        if _private_folder_above(REPO) not in (None, private):
            pytest.skip("other users cannot enter this clone (a folder above it is private)")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                   "--bounding-set=-all", sys.executable, str(REPO / "course.py"), "grade", str(submissions),
                   "--time-limit", "120"]
        script.append("exec " + " ".join(f"'{part}'" for part in command))
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(base / "home"), "LANG": "C.UTF-8"}
        result = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", "\n".join(script)],
                                capture_output=True, text=True, env=environment, cwd=base, timeout=600)
        if "no sandbox can be made here" in result.stderr:
            pytest.skip(result.stderr.strip())
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Sandbox (userns)" in result.stdout
        with open(base / "submissions-grades" / "grades.csv", newline="") as handle:
            rows = {(row["student"], row["exercise"]): row for row in csv.DictReader(handle)}
        assert [rows["alice", n]["points"] for n in ("1", "2")] == ["1", "1"]
        assert [rows["bob", n]["points"] for n in ("1", "2")] == ["0", "1"]
        assert "number of samples, not seconds" in rows["bob", "1"]["message"]
        assert rows["carol", "1"]["status"] == "rejected" and "holds lesson 01" in rows["carol", "1"]["message"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_symbolic_link_to_another_students_notebook_is_not_graded(tmp_path):
    from helpers.instructor.grading import discover

    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "03_zero_crossing_rate.ipynb").write_text("{}")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "03_zero_crossing_rate.ipynb").symlink_to(tmp_path / "ada" / "03_zero_crossing_rate.ipynb")
    (tmp_path / "loose.ipynb").write_text("{}")
    submissions, problems = discover(tmp_path)
    assert [(item.student, item.path.name) for item in submissions] == [("ada", "03_zero_crossing_rate.ipynb")]
    assert any("bob" in problem and "symbolic link" in problem for problem in problems)
    assert any("loose.ipynb" in problem and "student's folder" in problem for problem in problems)
