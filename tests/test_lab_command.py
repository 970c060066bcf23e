"""The README's lab command serves lesson 00 with the offline options course.py passes to JupyterLab."""

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load_course_script():
    spec = importlib.util.spec_from_file_location("course_script", REPO / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_loopback_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def test_jupyterlab_serves_lesson_00(tmp_path):
    course = load_course_script()
    port, token = free_loopback_port(), "course-test-token"
    command = [sys.executable, "-m", "jupyter", "lab", course.FIRST_LESSON, "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
               ] + course.jupyter_offline_options()
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    lesson = Path(course.FIRST_LESSON).name
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, body = get(f"http://127.0.0.1:{port}/api/contents/{lesson}?token={token}")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "lab.log").read_text()
                assert time.monotonic() < deadline, "JupyterLab did not start within 90 s"
                time.sleep(0.5)
        assert status == 200
        content = json.loads(body)
        assert content["type"] == "notebook" and content["content"]["cells"][0]["source"].startswith("# Lesson 00")
        status, page = get(f"http://127.0.0.1:{port}/lab/tree/{lesson}?token={token}")
        assert status == 200 and b"JupyterLab" in page
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    log_text = (tmp_path / "lab.log").read_text()
    assert "Extension Manager is 'readonly'" in log_text
