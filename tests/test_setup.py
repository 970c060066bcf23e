"""course.py's setup survives what classrooms do to it: an interrupted install, an updated Python, no network,
and Ctrl+C on the lab command (issue: classroom-proof setup)."""

import os
import pty
import select
import signal
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

import pytest
from test_lab_command import free_loopback_port, load_course_script

REPO = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------------------------------------ the fingerprint

def test_the_fingerprint_is_the_same_from_any_python_of_the_same_install():
    """Run from .venv's python or from the python that made .venv, course.py sees the same environment (so a test
    or a student starting it either way never triggers a reinstall)."""
    base = getattr(sys, "_base_executable", sys.executable)
    script = ("import importlib.util; spec = importlib.util.spec_from_file_location('c', 'course.py'); "
              "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); print(m.setup_fingerprint())")
    fingerprints = {subprocess.check_output([python, "-c", script], cwd=REPO, text=True).strip()
                    for python in (sys.executable, base)}
    assert len(fingerprints) == 1


def test_a_patch_update_of_python_keeps_the_environment(monkeypatch):
    course = load_course_script()
    before = course.setup_fingerprint()
    monkeypatch.setattr(sys, "version", sys.version.replace(".", "-", 2) + " (patched)")  # any other full version
    assert course.setup_fingerprint() == before
    monkeypatch.setattr(sys, "version_info", (sys.version_info[0], sys.version_info[1] + 1, 0))
    assert course.setup_fingerprint() != before  # another minor version is another interpreter


# ------------------------------------------------------------------------------------------------ verification

@pytest.fixture
def small_venv(tmp_path, monkeypatch):
    """A real, empty virtual environment (no pip, no network) that course.py treats as its .venv."""
    course = load_course_script()
    folder = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(folder)
    monkeypatch.setattr(course, "VENV", str(folder))
    monkeypatch.setattr(course, "STAMP", str(folder / ".course-setup-stamp"))
    python = course.venv_python()
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    return course, site


def fake_package(site, name, files):
    """Install a fake distribution ``name`` with ``files`` (as an installer would: files plus dist-info RECORD)."""
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    for file in files:
        (site / file).parent.mkdir(parents=True, exist_ok=True)
        (site / file).write_text("x = 1\n")
    (info / "RECORD").write_text("".join(f"{file},,\n" for file in files + [f"{info.name}/METADATA"]))
    return info


def test_an_interrupted_install_is_found(small_venv):
    course, site = small_venv
    assert course.broken_packages() == []
    fake_package(site, "whole", ["whole/__init__.py", "whole/core.py"])
    partial = fake_package(site, "jedi", ["jedi/__init__.py", "jedi/api.py", "jedi/parser.py"])
    assert course.broken_packages() == []
    (site / "jedi" / "api.py").unlink()  # the install stopped before this file was written
    assert course.broken_packages() == ["jedi"]
    (partial / "METADATA").unlink()  # or before its metadata was
    assert "jedi" in course.broken_packages()


def test_the_stamp_is_written_only_for_a_verified_environment(small_venv, monkeypatch):
    course, site = small_venv
    calls = []
    monkeypatch.setattr(course, "create_venv", lambda: calls.append("create"))
    monkeypatch.setattr(course, "install_packages", lambda fail_on_error=True: calls.append("install") or True)
    monkeypatch.setattr(course, "environment_is_complete", lambda: course.broken_packages() == [])
    fake_package(site, "jedi", ["jedi/__init__.py", "jedi/api.py"])
    (site / "jedi" / "api.py").unlink()
    # Broken before and after every install: setup rebuilds once, then stops with a message and no stamp.
    monkeypatch.setattr(course, "remove_venv", lambda: calls.append("remove"))
    with pytest.raises(SystemExit):
        course.setup()
    assert not os.path.exists(course.STAMP)
    assert calls == ["remove", "create", "install", "remove", "create", "install"]
    # Repaired: the stamp is written, and the next run does nothing.
    (site / "jedi" / "api.py").write_text("x = 1\n")
    calls.clear()
    course.setup()
    assert os.path.exists(course.STAMP) and calls == ["create", "install"]
    calls.clear()
    course.setup()
    assert calls == []


def test_offline_a_complete_environment_is_used_as_it_is(small_venv, monkeypatch, capsys):
    course, _site = small_venv
    monkeypatch.setattr(course, "create_venv", lambda: None)
    monkeypatch.setattr(course, "install_packages", lambda fail_on_error=True: False)  # no network
    monkeypatch.setattr(course, "environment_is_complete", lambda: True)
    course.setup()  # no SystemExit: the course goes on with what is there
    assert "uses it as it is" in capsys.readouterr().out
    assert not os.path.exists(course.STAMP)  # and tries to update again next time


# ------------------------------------------------------------------------------------------------ Ctrl+C

@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")
def test_ctrl_c_on_the_lab_command_asks_jupyter_and_shuts_down_cleanly(tmp_path):
    """As in a terminal: Ctrl+C goes to the whole foreground process group; Jupyter asks, the student says y."""
    port, runtime = free_loopback_port(), tmp_path / "runtime"
    environment = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime))
    terminal, student_side = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(REPO / "course.py"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--IdentityProvider.token=t", "--ServerApp.port_retries=0"],
        stdin=student_side, stdout=student_side, stderr=student_side, start_new_session=True, env=environment)
    os.close(student_side)
    shown = bytearray()

    def read(seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.1)[0]:
                try:
                    shown.extend(os.read(terminal, 65536))
                except OSError:
                    return

    try:
        deadline = time.monotonic() + 120
        while True:
            read(0.5)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token=t", timeout=1)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, shown.decode(errors="replace")
        assert list(runtime.glob("jpserver-*.json"))
        os.killpg(process.pid, signal.SIGINT)
        read(1.5)
        os.write(terminal, b"y\n")
        code = process.wait(timeout=60)
        read(0.5)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        os.close(terminal)
    text = shown.decode(errors="replace")
    assert "Shut down this Jupyter server" in text or "Shutdown this Jupyter server" in text
    assert code == 0 and "Traceback" not in text and "KeyboardInterrupt" not in text
    assert list(runtime.glob("jpserver-*")) == []  # no stale runtime files
