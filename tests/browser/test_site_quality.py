"""The website as a reader's phone meets it (issue 10): light first visits, zero axe-core violations in light and
dark mode, menus that open and close by touch and by keyboard, anchors that exist, notebooks to download, and a
site that says what to do when it is opened from disk.

Measured with the same code as `python3 course.py site-bench` (benchmarks/site_bench.py): Chromium at 390x844, an
empty cache, the site served by a plain static server (no compression).
"""

import importlib.util
import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from conftest import REPO, SITE_HTML

spec = importlib.util.spec_from_file_location("site_bench", REPO / "benchmarks" / "site_bench.py")
site_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(site_bench)

AXE = REPO / ".cache" / "site-node" / "node_modules" / "axe-core" / "axe.min.js"
PAGE_BUDGET = 1_000_000      # bytes a first visit of any page may transfer, everything included
LANDING_BUDGET = 400_000     # the landing page's budget
PAGES = site_bench.list_pages(SITE_HTML) if (SITE_HTML / "index.html").exists() else []
LESSONS = [page for page in PAGES if page.startswith("notebooks/")]


@pytest.fixture(scope="module")
def axe_source(site_url):  # site_url: skips when the site is not built
    assert AXE.exists(), "axe-core is missing: `python3 course.py site` installs it into .cache/site-node"
    return AXE.read_text(encoding="utf-8")


def test_the_site_has_the_pages_a_reader_expects(site_url):
    assert PAGES[0] == "site/index.html"
    assert {"search.html", "site/credits.html", "site/run-the-lessons.html", "docs/teaching-guide.html"} <= set(PAGES)
    assert len(LESSONS) == len(list((REPO / "notebooks").glob("*.ipynb")))
    assert not (SITE_HTML / "genindex.html").exists(), "an empty general index page"


@pytest.mark.parametrize("page_path", PAGES or [pytest.param("", marks=pytest.mark.skip("site not built"))])
def test_first_visit_is_light_clean_and_accessible_in_light_and_dark_mode(browser, site_url, axe_source, page_path):
    record = site_bench.measure_page(browser, site_url + "/", page_path, axe_source)
    budget = LANDING_BUDGET if page_path == "site/index.html" else PAGE_BUDGET
    biggest = [(item["url"][:60], item["bytes"]) for item in record["biggest"]]
    assert record["bytes"] <= budget, f"{page_path}: first visit {record['bytes']} bytes > {budget}: {biggest}"
    assert not any("explorer-data/" in item["url"] or "/audio/" in item["url"] for item in record["biggest"]), \
        f"{page_path} loads explorer data or audio before the reader asks: {biggest}"
    assert record["external"] == [] and record["failed"] == [], (record["external"], record["failed"])
    assert record["console_errors"] == [], record["console_errors"]
    assert record["axe_light"] == [], f"{page_path}, light mode: {record['axe_light']}"
    assert record["dark_applied"], f"{page_path}: dark mode was not applied"
    assert record["axe_dark"] == [], f"{page_path}, dark mode: {record['axe_dark']}"


def sidebar_on_screen(page, selector, width):
    return site_bench.on_screen(page, [selector], width)


@pytest.mark.parametrize("width", site_bench.NAV_WIDTHS)
@pytest.mark.parametrize("method", ["touch", "keyboard"])
def test_menus_open_and_close_by_touch_and_keyboard(browser, site_url, width, method):
    """The course menu and the page's contents: on screen already, or a menu button opens them (a tap, or Tab to
    it and Enter) and closes them again (a tap on the button or beside the menu, or Escape)."""
    lesson = LESSONS[1] if len(LESSONS) > 1 else pytest.skip("site not built")
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 1000 else 1000},
                                  is_mobile=width < 1000, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{site_url}/{lesson}", wait_until="load")
        for toggle_id, drawer in (("__navigation", ".sidebar-drawer"), ("__toc", ".toc-drawer")):
            if sidebar_on_screen(page, drawer, width):
                continue
            button = page.locator(f"button[data-course-toggle='{toggle_id}']:visible").first
            assert button.count(), f"{width} px: no visible button for {drawer}"
            assert button.get_attribute("aria-expanded") == "false" and button.get_attribute("aria-label")
            if method == "touch":
                button.tap()
            else:
                for _ in range(80):
                    page.keyboard.press("Tab")
                    if button.evaluate("element => element === document.activeElement"):
                        break
                else:
                    raise AssertionError(f"{width} px: Tab never reaches the button for {drawer}")
                page.keyboard.press("Enter")
            page.wait_for_timeout(500)
            assert sidebar_on_screen(page, drawer, width), f"{width} px, {method}: {drawer} did not open"
            assert button.get_attribute("aria-expanded") == "true"
            if method == "touch":
                page.mouse.click(width - 5, 400) if toggle_id == "__navigation" else page.mouse.click(5, 400)
            else:
                page.keyboard.press("Escape")
            page.wait_for_timeout(500)
            assert not sidebar_on_screen(page, drawer, width), f"{width} px, {method}: {drawer} did not close"
            assert button.get_attribute("aria-expanded") == "false"
    finally:
        context.close()


def test_every_internal_link_and_anchor_resolves(context_for_links, site_url):
    """Links between pages, to files and to anchors (#...) on this site all land somewhere that exists."""
    ids: dict[str, set[str]] = {}

    def anchors_of(page_path):
        if page_path not in ids:
            text = (SITE_HTML / page_path).read_text(encoding="utf-8", errors="replace")
            ids[page_path] = set(re.findall(r'\sid="([^"]+)"', text))
        return ids[page_path]

    request, missing, checked = context_for_links.request, [], set()
    for page_path in PAGES:
        text = (SITE_HTML / page_path).read_text(encoding="utf-8", errors="replace")
        for href in set(re.findall(r'<a [^>]*href="([^"]+)"', text)):
            if urlparse(href).scheme or href.startswith("mailto:"):
                continue
            address, fragment = urldefrag(urljoin(f"{site_url}/{page_path}", href))
            target = urlparse(address).path.lstrip("/")
            if address not in checked:
                checked.add(address)
                if request.get(address).status != 200:
                    missing.append(f"{page_path} -> {href}")
                    continue
            if fragment and target.endswith(".html") and fragment not in anchors_of(target):
                missing.append(f"{page_path} -> {href} (no such anchor)")
    assert len(checked) > 20 and missing == [], missing


@pytest.fixture(scope="module")
def context_for_links(browser):
    context = browser.new_context()
    yield context
    context.close()


def test_each_lesson_offers_its_notebook_and_the_whole_course(context_for_links, site_url):
    import nbformat

    request = context_for_links.request
    course = None
    for page_path in LESSONS or pytest.skip("site not built"):
        text = (SITE_HTML / page_path).read_text(encoding="utf-8")
        box = re.search(r'<div class="course-run" role="note">(.*?)</div>', text, re.S)
        assert box and "python3 course.py lab" in box.group(1), f"{page_path}: no 'run this lesson' box"
        links = re.findall(r'href="([^"]+)" download', box.group(1))
        notebook_link = next(link for link in links if link.endswith(".ipynb"))
        reply = request.get(urljoin(f"{site_url}/{page_path}", notebook_link))
        assert reply.status == 200
        notebook = nbformat.reads(reply.text(), as_version=4)
        nbformat.validate(notebook)
        source = nbformat.read(REPO / "notebooks" / Path(notebook_link).name, as_version=4)
        assert [cell.source for cell in notebook.cells] == [cell.source for cell in source.cells]
        assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
        zip_link = next(link for link in links if link.endswith(".zip"))
        if course is None:
            reply = request.get(urljoin(f"{site_url}/{page_path}", zip_link))
            assert reply.status == 200
            course = zipfile.ZipFile(io.BytesIO(reply.body()))
        assert f"music-preprocessing-course/notebooks/{Path(notebook_link).name}" in course.namelist()
    names = course.namelist()
    for needed in ("course.py", "pyproject.toml", "requirements-lock.txt", "README.md", "helpers/__init__.py",
                   "audio_samples/catalogue.csv"):
        assert f"music-preprocessing-course/{needed}" in names, needed
    import csv

    catalogue = list(csv.DictReader(io.StringIO(course.read(
        "music-preprocessing-course/audio_samples/catalogue.csv").decode("utf-8"))))
    assert len(catalogue) >= 7
    for row in catalogue:  # every song the lessons use, with its licence text
        assert f"music-preprocessing-course/audio_samples/{row['file']}" in names, row["file"]


@pytest.mark.parametrize("served", [True, False], ids=["served", "from disk"])
def test_search_finds_lessons_served_and_from_disk(browser, site_url, served):
    page = browser.new_page()
    try:
        address = f"{site_url}/search.html" if served else (SITE_HTML / "search.html").as_uri()
        page.goto(address + "?q=spectrogram", wait_until="load")
        page.wait_for_selector("#search-results li", timeout=20_000)
        results = page.locator("#search-results li a").all_text_contents()
        assert any("Spectrogram" in result for result in results), results
    finally:
        page.close()


def test_opened_from_disk_pages_and_figures_work_and_explorers_say_how_to_serve(browser):
    if not LESSONS:
        pytest.skip("site not built")
    lesson = next(page for page in LESSONS if not page.startswith("notebooks/00_"))
    page = browser.new_page()
    try:
        page.goto((SITE_HTML / lesson).as_uri(), wait_until="load")
        images = page.locator("main img, article img")
        for index in range(min(images.count(), 3)):
            images.nth(index).scroll_into_view_if_needed()
            page.wait_for_function("image => image.complete && image.naturalWidth > 0",
                                   arg=images.nth(index).element_handle(), timeout=10_000)
        explorer = page.locator(".course-explorer").first
        explorer.scroll_into_view_if_needed()
        page.wait_for_function("element => /python3 -m http.server/.test(element.textContent)",
                               arg=explorer.element_handle(), timeout=10_000)
    finally:
        page.close()


def test_formulas_are_typeset_at_build_time_with_mathml_for_screen_readers(site_url):
    pages_with_math = 0
    for page_path in PAGES:
        text = (SITE_HTML / page_path).read_text(encoding="utf-8")
        assert "mathjax" not in re.sub(r'<mjx-[^>]*>|class="MathJax"|jax="SVG"', "", text).lower().split(
            "</head>")[0].replace("course-math.css", ""), f"{page_path} loads MathJax"
        assert "\\(" not in text and "\\[" not in re.sub(r"<pre.*?</pre>", "", text, flags=re.S), \
            f"{page_path} has TeX left untypeset"
        if "<mjx-container" in text:
            pages_with_math += 1
            assert text.count("<mjx-container") == text.count("<mjx-assistive-mml"), page_path
    assert pages_with_math >= 5


STYLE_MANIFEST = SITE_HTML.parent.parent / "style-sheets.json"
SWAP_BACK = """async (sources) => {
    const combined = document.querySelector('link[rel="stylesheet"][href*="course-style."]');
    const base = combined.href.slice(0, combined.href.lastIndexOf("/") + 1);
    const loads = sources.map((name) => new Promise((resolve, reject) => {
        const link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = base + name;
        link.onload = resolve;
        link.onerror = () => reject(new Error("cannot load " + name));
        combined.before(link);
    }));
    await Promise.all(loads);
    combined.remove();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_one_purged_style_sheet_draws_every_page_as_the_themes_own_sheets_do(browser, site_url, scheme, width):
    """The build replaces the theme's style sheets by one without the rules it found no use for (PurgeCSS). A rule
    it dropped wrongly would change the picture: each page is drawn with the combined sheet, then with the original
    sheets swapped back in, and the two full-page pictures must be the same pixel for pixel (to within
    antialiasing noise)."""
    from PIL import Image, ImageChops

    manifest = json.loads(STYLE_MANIFEST.read_text(encoding="utf-8"))
    # Every kind of page: landing, search with its results, credits (tables), guide, a lesson (code, outputs,
    # formulas, figures), and at phone width the lesson again with its menu open (the drawer's own rules).
    chosen = ["site/index.html", "search.html?q=spectrogram", "site/credits.html", "docs/teaching-guide.html",
              "notebooks/05_mfccs.html"] + (["notebooks/05_mfccs.html#menu"] if width < 800 else [])
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    try:
        for page_path in chosen:
            page.goto(f"{site_url}/{page_path.removesuffix('#menu')}", wait_until="networkidle")
            if page_path.endswith("#menu"):
                page.click("button[data-course-toggle='__navigation'] >> visible=true")
            links = page.eval_on_selector_all('link[rel="stylesheet"]', "links => links.map(l => l.href)")
            combined = [link for link in links if "/course-style." in link]
            assert len(links) == 1 and len(combined) == 1, f"{page_path} loads {links}, not one combined sheet"
            sources = manifest[combined[0].rsplit("/", 1)[1]]
            assert len(sources) >= 5, sources
            # Explorers mount when scrolled near; hide them in both pictures (their style is their module's own).
            page.add_style_tag(content=".course-explorer { visibility: hidden !important; }")
            page.wait_for_timeout(300)
            whole = not page_path.endswith("#menu")  # an open drawer: the screen as the reader sees it
            purged = Image.open(io.BytesIO(page.screenshot(full_page=whole))).convert("RGB")
            page.evaluate(SWAP_BACK, sources)
            page.wait_for_timeout(300)
            original = Image.open(io.BytesIO(page.screenshot(full_page=whole))).convert("RGB")
            assert purged.size == original.size, f"{page_path} ({scheme}, {width} px): {purged.size} != {original.size}"
            # Chromium's antialiasing of an icon now and then differs by one level between two drawings of the same
            # page; a dropped rule changes colours, sizes or places by far more.
            difference = ImageChops.difference(purged, original).point(lambda level: 255 if level > 2 else 0)
            assert difference.getbbox() is None, \
                f"{page_path} ({scheme}, {width} px) differs in the box {difference.getbbox()}"
    finally:
        context.close()


def test_the_first_paint_waits_only_for_the_page_and_one_style_sheet(browser, site_url):
    """Scripts are deferred or loaded after the page (copy buttons, search highlighting), and still work."""
    context = browser.new_context()
    page = context.new_page()
    try:
        for page_path in PAGES:
            text = (SITE_HTML / page_path).read_text(encoding="utf-8")
            head = text.split("</head>")[0]
            assert len(re.findall(r'<link rel="stylesheet"', text)) == 1, page_path
            blocking = [tag for tag in re.findall(r"<script\b[^>]*\ssrc=[^>]*>", text)
                        if not re.search(r"\b(defer|async)\b|type=\"module\"", tag)]
            if page_path != "search.html":
                assert not blocking, f"{page_path}: scripts that hold up the first paint: {blocking}"
            assert "togglebutton" not in head, page_path
        page.goto(f"{site_url}/notebooks/05_mfccs.html?highlight=spectrum", wait_until="load")
        page.wait_for_selector("button.copybtn", state="attached", timeout=10_000)
        page.wait_for_selector("span.highlighted", state="attached", timeout=10_000)
        code_blocks = page.locator("div.highlight pre").count()
        assert page.locator("button.copybtn").count() == code_blocks > 10
    finally:
        context.close()
