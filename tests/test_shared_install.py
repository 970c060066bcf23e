"""A shared, read-only install (a lab machine, a JupyterHub image): a student who cannot write to the repository,
its .venv or even their home folder still opens the lessons, saves their work and runs a lesson to the end.

The student is uid 65534 (see student_user.py); the repository and .venv belong to root, as in an image."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from student_user import (student_command, student_environment, student_folder, why_no_student_user,
                          why_not_shared)
from test_lab_command import free_loopback_port

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(bool(why_no_student_user()), reason=str(why_no_student_user()))
NOT_SHARED = None if why_no_student_user() else why_not_shared(REPO)  # JupyterLab needs a folder others may enter

LESSON = "03_zero_crossing_rate.ipynb"  # uses librosa's numba-compiled zero crossings: needs a writable cache


def request(url, method="GET", body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


@pytest.fixture
def open_folder():
    """A fresh folder whose ancestors every user can traverse (pytest's tmp_path lies under a root-only folder,
    which JupyterLab would count against the student's right to save)."""
    folder = Path(tempfile.mkdtemp(prefix="course-shared-install-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(bool(NOT_SHARED), reason=str(NOT_SHARED))
def test_a_student_saves_and_runs_a_lesson_from_a_read_only_install_with_a_read_only_home(open_folder):
    tmp_path = open_folder
    home = tmp_path / "home"  # owned by root: read-only for the student
    home.mkdir()
    scratch = student_folder(tmp_path / "scratch")
    workspace = student_folder(tmp_path / "workspace")
    environment = student_environment(home, scratch)
    assert not os.access(REPO / "notebooks", os.W_OK) or os.getuid() == 0  # root can, the student cannot

    port, token = free_loopback_port(), "shared-install-test"
    log_path = scratch / "lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            student_command([sys.executable, str(REPO / "course.py"), "lab", "--workspace", str(workspace),
                             "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0"]),
            cwd=scratch, env=environment, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}/api/contents/{LESSON}?token={token}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, model = request(base + "&content=1")
                    break
                except OSError:
                    assert server.poll() is None, log_path.read_text()[-3000:]
                    assert time.monotonic() < deadline, "JupyterLab did not start within 120 s"
                    time.sleep(0.5)
            assert status == 200 and model["writable"], model.get("writable")
            # The student's edit, saved through the same API JupyterLab's Save uses.
            notebook = model["content"]
            notebook["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "id": "student-note",
                                         "source": "My own note: the ZCR counts sign changes."})
            status, saved = request(base, "PUT", {"type": "notebook", "format": "json", "content": notebook})
            assert status == 200 and saved["name"] == LESSON
        finally:
            server.terminate()
            server.wait(timeout=30)
    log = log_path.read_text()
    assert "Traceback" not in log, log[-3000:]
    assert "Copied 8 lesson(s)" in log or "Copied" in log
    copy = nbformat.read(workspace / LESSON, as_version=4)
    assert copy.cells[1].source.startswith("My own note"), "the save reached the student's copy"
    assert "My own note" not in (REPO / "notebooks" / LESSON).read_text(), "the shared lesson is untouched"
    assert (workspace / LESSON).stat().st_uid == 65534

    # Run the saved lesson top to bottom as the student, still with a read-only HOME.
    runner = ("import sys, nbformat, nbclient\n"
              "nb = nbformat.read(sys.argv[1], as_version=4)\n"
              "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3',\n"
              "                        resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
              "nbformat.write(nb, sys.argv[3])\n")
    executed_path = scratch / "executed.ipynb"
    result = subprocess.run(student_command([sys.executable, "-c", runner, str(workspace / LESSON),
                                             str(workspace), str(executed_path)]),
                            cwd=scratch, env=environment, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    executed = nbformat.read(executed_path, as_version=4)
    streams = "".join(output.get("text", "") for cell in executed.cells if cell.cell_type == "code"
                      for output in cell.get("outputs", []) if output.get("output_type") == "stream")
    for problem in ("cannot cache function", "no locator", "created a temporary", "Permission denied",
                    "Preparing librosa's compiled functions"):
        assert problem not in streams, problem  # the instructor's verified cache was copied, nothing recompiled
    assert list(scratch.glob("music-preprocessing-course-*/numba")), "the student's caches went to TMPDIR"


def test_without_a_writable_home_or_workspace_the_lab_command_says_what_to_do(open_folder):
    home = open_folder / "home"  # owned by root: read-only for the student
    home.mkdir()
    scratch = student_folder(open_folder / "scratch")
    result = subprocess.run(student_command([sys.executable, str(REPO / "course.py"), "lab", "--no-browser"]),
                            cwd=scratch, env=student_environment(home, scratch), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert "read-only for you" in result.stderr and "--workspace" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_with_a_writable_home_the_lessons_are_copied_there_once_and_never_overwritten(open_folder):
    home = student_folder(open_folder / "home")
    scratch = student_folder(open_folder / "scratch")
    code = ("import importlib.util, sys\n"
            "spec = importlib.util.spec_from_file_location('course', %r)\n"
            "course = importlib.util.module_from_spec(spec); spec.loader.exec_module(course)\n"
            "print(course.notebook_folder([])[0])\n" % str(REPO / "course.py"))
    first = subprocess.run(student_command([sys.executable, "-c", code]), cwd=scratch,
                           env=student_environment(home, scratch), capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    workspace = Path(first.stdout.split()[-1])
    assert workspace == home / "music-preprocessing-course"
    lessons = sorted(path.name for path in (REPO / "notebooks").glob("*.ipynb"))
    assert sorted(path.name for path in workspace.glob("*.ipynb")) == lessons
    (workspace / lessons[0]).write_text("the student's own work")
    second = subprocess.run(student_command([sys.executable, "-c", code]), cwd=scratch,
                            env=student_environment(home, scratch), capture_output=True, text=True, timeout=60)
    assert second.returncode == 0 and "already there are never overwritten" in second.stdout
    assert (workspace / lessons[0]).read_text() == "the student's own work"
