"""The course website in a real browser: pages load cleanly and alone, media work, every explorer responds."""

from urllib.parse import urljoin, urlparse

import pytest

from conftest import REPO, SITE_HTML
from explorer_driver import (SIGNATURE, controls_of, draw_every_explorer, explorer_roots, move, summary,
                             unlabelled_inputs, wait_for_new_summary, wait_settled)

PAGES = sorted(str(path.relative_to(SITE_HTML)) for path in SITE_HTML.glob("**/*.html")
               if "_static" not in path.parts and "_sources" not in path.parts
               and path.name not in ("genindex.html", "search.html"))


@pytest.fixture(scope="module")
def context(browser):
    context = browser.new_context()
    yield context
    context.close()


def open_page(context, site_url, page_path):
    page = context.new_page()
    errors, foreign = [], []
    host = urlparse(site_url).netloc
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: foreign.append(request.url)
            if urlparse(request.url).scheme in ("http", "https") and urlparse(request.url).netloc != host else None)
    page.goto(f"{site_url}/{page_path}", wait_until="networkidle")
    return page, errors, foreign


@pytest.mark.parametrize("page_path", PAGES or [pytest.param("", marks=pytest.mark.skip("site not built"))])
def test_page_loads_cleanly_from_this_site_only(context, site_url, page_path):
    page, errors, foreign = open_page(context, site_url, page_path)
    try:
        assert errors == [], f"console errors on {page_path}: {errors}"
        assert foreign == [], f"{page_path} requested other hosts: {foreign}"
        # Figures load when the reader comes near them (loading="lazy"): scroll to each, as a reader does.
        page.evaluate("""async () => { for (const image of document.images) { image.scrollIntoView();
            await new Promise(done => image.complete ? done() : (image.onload = image.onerror = done)); } }""")
        broken = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                               ".map(i => i.src.slice(0, 80))")
        assert broken == [], f"images that did not load on {page_path}: {broken}"
        unlabelled = page.evaluate("Array.from(document.querySelectorAll('main img')).filter(i => "
                                   "(i.alt || '').length < 20 || /\\.(png|jpg|svg)$/.test(i.alt)).map(i => i.src.slice(-40))")
        assert unlabelled == [], f"figures without alt text on {page_path}: {unlabelled}"
        durations = page.evaluate("""async () => Promise.all(Array.from(document.querySelectorAll('audio')).map(
            a => new Promise(done => {
                if (a.readyState >= 1) { done(a.duration); return; }
                a.addEventListener('loadedmetadata', () => done(a.duration));
                a.addEventListener('error', () => done(-1));
                a.preload = 'metadata';  // pages say preload="none": load only when asked, as play does
                a.load(); setTimeout(() => done(-2), 10000); })))""")
        assert all(duration > 0 for duration in durations), f"audio that did not decode on {page_path}: {durations}"
    finally:
        page.close()


LESSON_PAGES = [p for p in PAGES if p.startswith("notebooks/")]


def shows_an_explorer(page_path: str) -> bool:
    """Does the lesson's notebook show an explorer (a cell that builds one of helpers' explorers)? Read from the
    notebook itself, so a lesson that gains or loses an explorer needs no change here."""
    import json
    import re

    notebook = json.loads((REPO / "notebooks" / page_path.removeprefix("notebooks/").replace(".html", ".ipynb"))
                          .read_text(encoding="utf-8"))
    code = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    return bool(re.search(r"\b[A-Z]\w*(?:Explorer|Dashboard)\(", code))


EXPLORER_PAGES = [p for p in LESSON_PAGES if shows_an_explorer(p)]


def test_every_explorer_a_lesson_shows_is_on_its_page_and_no_widget_is_dead(site_url):  # skips when not built
    assert LESSON_PAGES, "the site has no lesson pages"
    assert len(EXPLORER_PAGES) >= 9, EXPLORER_PAGES  # lessons 01-07, 09 and 10 have explorers
    for page_path in LESSON_PAGES:
        text = (SITE_HTML / page_path).read_text(encoding="utf-8")
        assert ('class="course-explorer"' in text) == (page_path in EXPLORER_PAGES), page_path
        assert "application/vnd.jupyter.widget" not in text, f"a dead widget on {page_path}"


@pytest.mark.parametrize("page_path", EXPLORER_PAGES or [pytest.param("", marks=pytest.mark.skip("site not built"))])
def test_every_control_of_every_explorer_redraws_it(context, site_url, page_path):
    """The same ES module as in JupyterLab: each control, moved with the keyboard, changes the picture and the
    aria-live text; data that is not in the page comes from the site's own files; nothing logs an error."""
    page, errors, foreign = open_page(context, site_url, page_path)
    try:
        draw_every_explorer(page)
        roots = explorer_roots(page)
        assert roots, f"no explorer drawn on {page_path}"
        for number, root in enumerate(roots):
            root.scroll_into_view_if_needed()
            wait_settled(root)
            assert unlabelled_inputs(root) == []
            assert "Loading" not in summary(root) and summary(root).strip()
            for control in controls_of(root):
                before_pixels, before_text = root.evaluate(SIGNATURE), summary(root)
                move(page, control)
                wait_settled(root)
                assert root.evaluate(SIGNATURE) != before_pixels, f"{page_path}: explorer {number}, {control['label']}"
                wait_for_new_summary(page, root, before_text)
            assert root.locator(".cx-error").inner_text() == ""
        assert errors == [] and foreign == []
    finally:
        page.close()


def test_first_view_matches_the_code_cell_and_is_not_in_the_page(site_url):
    """The website's first view is what the code cell above it asks for; the page names its files and holds no
    explorer data (it comes when the reader scrolls to the explorer)."""
    import json
    import re

    from helpers.widgets import static_file_name

    page_text = (SITE_HTML / "notebooks" / "02_spectrograms.html").read_text(encoding="utf-8")
    states = [json.loads(match) for match in re.findall(r'class="course-explorer-state">(.*?)</script>', page_text)]
    assert [(s["kind"], s["song_a"], s["song_b"], s["scale"], s["n_fft"]) for s in states] == [
        ("spectrogram", "ambient", "edm", "log", 2048)]
    for page_path in EXPLORER_PAGES:
        text = (SITE_HTML / page_path).read_text(encoding="utf-8")
        assert 'class="course-explorer-data"' not in text and "base64" not in text, page_path
        for keys in re.findall(r'class="course-explorer-keys">(.*?)</script>', text):
            sample_rate = re.search(r'data-sample-rate="(\d+)"', text).group(1)
            for key in json.loads(keys):
                stored = SITE_HTML / "_static" / "explorer-data" / sample_rate / static_file_name(key)
                assert stored.is_file(), (page_path, key)
    assert len(list((SITE_HTML / "_static" / "explorer-data").rglob("*.bin"))) > 100


def test_internal_links_resolve(context, site_url):
    request = context.request
    checked, missing = set(), []
    for page_path in PAGES:
        html = (SITE_HTML / page_path).read_text(encoding="utf-8", errors="replace")
        import re

        for href in re.findall(r'<a [^>]*href="([^"#]+)', html):
            if urlparse(href).scheme or href.startswith("mailto:"):
                continue
            target = urljoin(f"{site_url}/{page_path}", href)
            if target in checked:
                continue
            checked.add(target)
            if request.get(target).status != 200:
                missing.append(f"{page_path} -> {href}")
    assert checked, "no internal links found"
    assert missing == [], missing


def test_a_failed_request_is_shown_next_to_the_controls_and_the_picture_never_shows_the_old_song(context, site_url):
    """Issue 14, item 6: an error while fetching an explorer's data is not swallowed. The error line (role=alert)
    says what failed, the picture says which song it has no data for (not the previous song's picture), and the
    summary does not claim the old song either."""
    page, errors, foreign = open_page(context, site_url, "notebooks/02_spectrograms.html")
    try:
        draw_every_explorer(page)
        page.route("**/explorer-data/**", lambda route: route.fulfill(status=503, body="unavailable"))
        root = explorer_roots(page)[0]
        root.scroll_into_view_if_needed()
        wait_settled(root)
        picker = next(control for control in controls_of(root) if control["kind"] == "select")
        previous = picker["locator"].evaluate("select => select.options[select.selectedIndex].text")
        move(page, picker)
        chosen = picker["locator"].evaluate("select => select.options[select.selectedIndex].text")
        page.wait_for_function("root => root.querySelector('.cx-error').textContent.includes('HTTP 503')",
                               arg=root.element_handle(), timeout=15_000)
        assert "Could not load" in root.locator(".cx-error").inner_text()
        assert root.locator(".cx-error").get_attribute("role") == "alert"
        page.wait_for_timeout(500)  # the summary follows the picture after its delay
        assert f"{previous} on a" not in summary(root), "the summary still describes the song no longer picked"
        assert picker["locator"].evaluate("select => select.options[select.selectedIndex].text") == chosen
        assert foreign == []
    finally:
        page.close()


def test_the_credits_page_links_to_licence_texts_published_with_the_site(site_url):  # site_url: skips if not built
    import re

    credits = SITE_HTML / "site" / "credits.html"
    text = credits.read_text(encoding="utf-8")
    assert 'href="#licenses/' not in text, "a licence link became a dead anchor"
    # MyST publishes a linked local file under _downloads/ and marks the link as a download.
    links = re.findall(r'<a class="reference download internal"[^>]*href="([^"]+)"', text)
    assert len(links) >= 10, links
    for link in links:
        target = (credits.parent / link).resolve()
        assert target.is_file() and target.stat().st_size > 100, f"{link} is not published with the site"
