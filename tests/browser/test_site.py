"""The static course website in a real browser: pages load cleanly and alone, media work, explorers respond."""

from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from conftest import SITE_HTML

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
                a.load(); setTimeout(() => done(-2), 10000); })))""")
        assert all(duration > 0 for duration in durations), f"audio that did not decode on {page_path}: {durations}"
    finally:
        page.close()


LESSON_PAGES = [p for p in PAGES if p.startswith("notebooks/")]


def test_every_lesson_after_00_has_a_static_explorer(site_url):  # site_url: skips when the site is not built
    assert LESSON_PAGES, "the site has no lesson pages"
    for page_path in LESSON_PAGES:
        if not page_path.startswith("notebooks/00_"):
            assert "course-static-explorer" in (SITE_HTML / page_path).read_text(encoding="utf-8"), page_path
    assert "application/vnd.jupyter.widget" not in "".join(
        (SITE_HTML / page_path).read_text(encoding="utf-8") for page_path in LESSON_PAGES), "a dead widget"


@pytest.mark.parametrize("page_path", LESSON_PAGES or [pytest.param("", marks=pytest.mark.skip("site not built"))])
def test_static_explorers_respond_to_their_menus(context, site_url, page_path):
    page, _, _ = open_page(context, site_url, page_path)
    try:
        explorers = page.locator(".course-static-explorer")
        for index in range(explorers.count()):
            explorer = explorers.nth(index)
            image = explorer.locator("img.course-frame").first
            for menu_index in range(explorer.locator("select").count()):
                menu = explorer.locator("select").nth(menu_index)
                before = image.get_attribute("src")
                menu.select_option(index=1)
                assert image.get_attribute("src") != before, f"menu {menu_index} of explorer {index} did nothing"
                assert image.evaluate("i => i.complete && i.naturalWidth > 0")
    finally:
        page.close()


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
