"""JupyterLab in a real browser: open lesson 01, run all cells, move every control of its explorer (also while the
kernel is busy) and see the picture change."""

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import REPO
from explorer_driver import (SIGNATURE, controls_of, move, summary, timings, unlabelled_inputs, wait_for_new_summary,
                             wait_settled)

TOKEN = "course-browser-test"


def free_loopback_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def offline_options():
    spec = importlib.util.spec_from_file_location("course_script", REPO / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    return course.jupyter_offline_options()


def start_lab(tmp_path, lessons=("01_waveforms.ipynb",)):
    """JupyterLab serving copies of lessons in tmp_path (it autosaves: the repository's copies stay clean)."""
    import shutil

    for lesson in lessons:
        shutil.copy(REPO / "notebooks" / lesson, tmp_path / lesson)
    port = free_loopback_port()
    log = open(tmp_path / "lab.log", "w")
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={TOKEN}", "--ServerApp.port_retries=0"] + offline_options()
    server = subprocess.Popen(command + [f"--ServerApp.root_dir={tmp_path}"], cwd=tmp_path, stdout=log,
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=2) as reply:
                json.loads(reply.read())
                return server, port, log
        except OSError:
            assert server.poll() is None, (tmp_path / "lab.log").read_text()
            time.sleep(0.5)
    raise AssertionError("JupyterLab did not start within 90 s")


BUSY_SECONDS = 120  # longer than the test needs: it interrupts the kernel once done, however slow the machine
BUSY_STARTED, BUSY_INTERRUPTED = "The kernel is busy now.", "Interrupted by the test."
BUSY_CELL = (f"import time\nprint({BUSY_STARTED!r}, flush=True)\nstarted = time.time()\ntry:\n"
             f"    while time.time() - started < {BUSY_SECONDS}:\n        pass\nexcept KeyboardInterrupt:\n"
             f"    print({BUSY_INTERRUPTED!r})")


def printed(page, text):
    """The output (not the source) of a cell that printed ``text``."""
    return page.locator(".jp-OutputArea-output pre", has_text=text).first


def interrupt_kernels(port):
    """Interrupt every running kernel through Jupyter's REST API (as Kernel > Interrupt does)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernels?token={TOKEN}", timeout=10) as reply:
        kernels = json.loads(reply.read())
    for kernel in kernels:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels/{kernel['id']}/interrupt?token={TOKEN}",
                                         method="POST", data=b"")
        urllib.request.urlopen(request, timeout=10).close()


def with_busy_last_cell(path):
    """Append a cell that keeps the kernel busy for BUSY_SECONDS, as a long computation in a later cell would."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(BUSY_CELL))
    nbformat.write(notebook, path)


def open_and_run_all(page, port, name):
    """Open a lesson, Run All, and return its first explorer once it is drawn (later cells may still run)."""
    # A workspace of its own, reset: no tab or dialog left from an earlier notebook gets in the way.
    page.goto(f"http://127.0.0.1:{port}/lab/workspaces/{Path(name).stem}/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    # Wait until the kernel is connected and idle before running anything.
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
    page.wait_for_timeout(1000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    root = page.locator(".jp-OutputArea .cx-root").first
    root.wait_for(state="attached", timeout=240_000)
    root.scroll_into_view_if_needed()
    page.wait_for_function("root => root.querySelector('.cx-summary').textContent.trim().length > 0",
                           arg=root.element_handle(), timeout=60_000)
    return root


def test_lesson_01_explorer_answers_while_the_kernel_is_busy_and_every_control_redraws_it(browser, tmp_path):
    server, port, log = start_lab(tmp_path)
    with_busy_last_cell(tmp_path / "01_waveforms.ipynb")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    console_errors = []
    page.on("console", lambda message: console_errors.append(message.text)
            if message.type == "error" and "explorer" in message.text.lower() else None)
    try:
        root = open_and_run_all(page, port, "01_waveforms.ipynb")
        # The first view came with the widget: drawn although the last cell keeps the kernel busy.
        assert "edm" in summary(root) and "ambient" in summary(root)
        # The busy cell says when it starts (the kernel's status, in the status bar or the server's API, has been
        # seen to miss the busy state after a Run All on a fresh machine).
        printed(page, BUSY_STARTED).wait_for(timeout=180_000)
        start = next(control for control in controls_of(root) if control["label"] == "Start")
        window = next(control for control in controls_of(root) if control["label"] == "Window")
        for control in (start, window, start):
            before_pixels, before_text = root.evaluate(SIGNATURE), summary(root)
            move(page, control)
            page.wait_for_function("([root, old]) => root.querySelector('.cx-summary').textContent !== old",
                                   arg=[root.element_handle(), before_text], timeout=2_000)
            assert root.evaluate(SIGNATURE) != before_pixels, control["label"]
        drawn = [timing for timing in timings(root) if timing["cause"] in ("start", "window")]
        assert len(drawn) == 3 and all(timing["input_to_drawn_ms"] < 1000 for timing in drawn)
        assert printed(page, BUSY_INTERRUPTED).count() == 0, "the busy cell ended too early"

        interrupt_kernels(port)
        printed(page, BUSY_INTERRUPTED).wait_for(timeout=60_000)
        wait_settled(root)
        assert unlabelled_inputs(root) == []
        for control in controls_of(root):
            before_pixels, before_text = root.evaluate(SIGNATURE), summary(root)
            move(page, control)
            wait_settled(root)
            assert root.evaluate(SIGNATURE) != before_pixels, control["label"]
            wait_for_new_summary(page, root, before_text)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [text for text in errors.all_text_contents() if "Traceback" in text or "Error" in text]
        assert tracebacks == [] and console_errors == [], (tracebacks, console_errors)
    finally:
        page.screenshot(path=str(tmp_path / "lab.png"))
        context.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()
