"""JupyterLab in a real browser: open lesson 01, run all cells, move the explorer's slider, see the plot change."""

import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import REPO

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


def start_lab(tmp_path):
    """JupyterLab serving a copy of lesson 01 in tmp_path (it autosaves: the repository's copy stays clean)."""
    import shutil

    shutil.copy(REPO / "notebooks" / "01_waveforms.ipynb", tmp_path / "01_waveforms.ipynb")
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


def test_lesson_01_runs_and_its_slider_redraws_the_plot(browser, tmp_path):
    server, port, log = start_lab(tmp_path)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/lab/tree/01_waveforms.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        # Wait until the kernel is connected and idle before running anything.
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
        page.wait_for_timeout(2000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        image = page.locator(".jp-OutputArea img.widget-image").first
        image.wait_for(state="attached", timeout=180_000)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.src && img.complete && img.naturalWidth > 0",
                               arg=image.element_handle(), timeout=60_000)
        before = image.get_attribute("src")
        readout = page.locator(".jupyter-widgets.widget-slider .widget-readout").first
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("10")
        page.keyboard.press("Enter")
        page.wait_for_function("([img, old]) => img.src !== old && img.complete && img.naturalWidth > 0",
                               arg=[image.element_handle(), before], timeout=30_000)
        assert image.get_attribute("src") != before
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [text for text in errors.all_inner_texts() if "Traceback" in text or "Error" in text]
        assert tracebacks == [], tracebacks
    finally:
        page.screenshot(path=str(tmp_path / "lab.png"))
        context.close()
        server.terminate()
        server.wait(timeout=30)
        log.close()
