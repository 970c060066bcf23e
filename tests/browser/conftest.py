"""Real-browser tests (headless Chromium from Debian, driven by Playwright): run by `python3 course.py site-test`.

They need a built site (_build/site/_build/html) and a Chromium binary; `course.py site-test` provides both.
Run directly, they skip with a clear message when either is missing. Playwright never downloads a browser here:
it drives the system's Chromium through `executable_path`.
"""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SITE_HTML = REPO / "_build" / "site" / "_build" / "html"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path():
    for candidate in (os.environ.get("COURSE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("No Chromium found (install Debian's 'chromium' package, or run `python3 course.py site-test`, "
                    "which installs it when it can).")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed; run "
                                                                       "`python3 course.py site-test`.")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_url():
    if not (SITE_HTML / "index.html").exists():
        pytest.skip("The site is not built; run `python3 course.py site` (or `site-test`, which builds it).")
    handler = functools.partial(QuietHandler, directory=str(SITE_HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass
