"""The numba cache survives what classrooms do to it (helpers/caches.py): a corrupted cache is rebuilt instead of
breaking every later kernel, and two kernels that start at once on a cold cache do not compile at the same time."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import caches
from student_user import student_command, student_environment, student_folder, why_no_student_user

REPO = Path(__file__).resolve().parent.parent
PROBE = "import librosa, numpy as np; print(int(librosa.zero_crossings(np.sin(np.arange(2205.0))).sum()))"


def verified_cache(tmp_path):
    """A copy of a verified numba cache (prepared here if the repository's is not)."""
    source = Path(os.environ.get("NUMBA_CACHE_DIR", REPO / ".cache" / "numba"))
    caches.ensure_numba_cache(source, report=lambda line: None)
    target = tmp_path / "numba"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(caches.LOCK_NAME))
    assert caches._record_is_valid(target)
    return target


def run_python(code, cache, timeout=600):
    environment = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO)


def test_a_corrupted_cache_is_rebuilt_instead_of_breaking_the_kernel(tmp_path):
    cache = verified_cache(tmp_path)
    data_files = sorted(cache.rglob("*.nbc"))
    assert data_files, "the verified cache holds compiled functions"
    for path in data_files:  # what a crash or a full disk can leave behind: right size, wrong bytes
        path.write_bytes(bytes(path.stat().st_size))
    broken = run_python(PROBE, cache)
    assert broken.returncode != 0, "without the course's check, the corrupted cache breaks librosa"
    # The same corruption, then the helpers: the cache is found wrong, rebuilt, and the call works.
    for path in data_files:
        path.write_bytes(bytes(path.stat().st_size))
    repaired = run_python("import helpers\n" + PROBE, cache)
    assert repaired.returncode == 0, repaired.stderr[-2000:]
    import librosa
    import numpy as np

    assert repaired.stdout.split()[-1] == str(int(librosa.zero_crossings(np.sin(np.arange(2205.0))).sum()))
    assert "Preparing librosa's compiled functions" in repaired.stdout
    assert caches._record_is_valid(cache)
    again = run_python("import helpers\n" + PROBE, cache)
    assert again.returncode == 0 and "Preparing" not in again.stdout


def test_a_changed_cache_is_checked_again_and_kept_when_it_works(tmp_path):
    cache = verified_cache(tmp_path)
    record = json.loads((cache / caches.RECORD_NAME).read_text())
    record["content"].pop(next(iter(record["content"])))  # as if a lesson compiled one more function
    (cache / caches.RECORD_NAME).write_text(json.dumps(record))
    assert not caches._record_is_valid(cache)
    assert caches.ensure_numba_cache(cache, report=lambda line: None) == "checked"
    assert caches._record_is_valid(cache)


def test_two_kernels_starting_lesson_05_at_once_on_a_cold_cache_both_finish(tmp_path):
    cache = tmp_path / "cold-numba-cache"
    runner = (
        "import sys, nbformat, nbclient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3',\n"
        "                        resources={'metadata': {'path': sys.argv[3]}}).execute()\n"
        "nbformat.write(nb, sys.argv[2])\n")
    environment = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    lesson = REPO / "notebooks" / "05_mfccs.ipynb"
    runs = [subprocess.Popen([sys.executable, "-c", runner, str(lesson), str(tmp_path / f"run{number}.ipynb"),
                              str(lesson.parent)], env=environment, cwd=REPO, stderr=subprocess.PIPE, text=True)
            for number in (1, 2)]
    errors = [run.communicate(timeout=900)[1] for run in runs]
    for run, error in zip(runs, errors):
        assert run.returncode == 0, error[-3000:]
    announced = 0
    for number in (1, 2):
        executed = nbformat.read(tmp_path / f"run{number}.ipynb", as_version=4)
        text = "".join(output.get("text", "") for cell in executed.cells if cell.cell_type == "code"
                       for output in cell.get("outputs", []))
        announced += text.count("Preparing librosa's compiled functions")
    assert announced == 1, "exactly one of the two kernels compiles; the other waits and loads its result"
    assert caches._record_is_valid(cache)


@pytest.mark.skipif(bool(why_no_student_user()), reason=str(why_no_student_user()))
def test_read_only_repository_and_home_fall_back_to_a_writable_cache(tmp_path):
    home = tmp_path / "read-only-home"  # made by root: the student cannot write in it
    home.mkdir()
    scratch = student_folder(tmp_path / "scratch")
    code = ("import json, sys\n"
            "sys.path.insert(0, %r)\n"
            "import caches\n"
            "print(json.dumps(caches.configure_cache_locations()))\n" % str(REPO / "helpers"))
    environment = student_environment(home, scratch)
    result = subprocess.run(student_command([sys.executable, "-S", "-c", code]), env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    chosen = json.loads(result.stdout)
    for variable in ("NUMBA_CACHE_DIR", "MPLCONFIGDIR") + tuple(name for name, _ in caches.JUPYTER_FOLDERS):
        assert chosen[variable].startswith(str(scratch)), (variable, chosen)
