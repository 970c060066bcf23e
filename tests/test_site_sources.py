"""The website's generated syllabus and table of contents pick up every lesson (no build needed here)."""

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def build_site():
    spec = importlib.util.spec_from_file_location("build_site", REPO / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_lesson_has_objectives_prerequisites_and_time(build_site):
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        lesson = build_site.lesson_summary(path)
        assert lesson["title"].startswith(f"Lesson {path.name[:2]}"), lesson["title"]
        assert len(lesson["objectives"]) >= 3, (path.name, lesson["objectives"])
        assert lesson["prerequisites"] and lesson["time"], path.name


def test_toc_and_syllabus_list_every_lesson_in_order(build_site, tmp_path, monkeypatch):
    monkeypatch.setattr(build_site, "SITE", tmp_path)
    paths = sorted((REPO / "notebooks").glob("*.ipynb"))
    lessons = [build_site.lesson_summary(path) for path in paths]
    build_site.write_toc_and_index(lessons)
    toc = (tmp_path / "_toc.yml").read_text()
    index = (tmp_path / "index.md").read_text()
    positions = [toc.index(f"notebooks/{path.stem}") for path in paths]
    assert positions == sorted(positions)
    assert "site/credits" in toc
    credits = (tmp_path / "credits.md").read_text()
    assert "](licenses/" not in credits and credits.count("](../audio_samples/licenses/") >= 10
    for lesson in lessons:
        assert lesson["title"] in index and lesson["time"] in index


def test_static_pages_use_no_other_host(build_site):
    external = build_site.EXTERNAL
    assert external.search('<script src="https://cdn.example.org/x.js">')
    assert external.search("<link rel='stylesheet' href='//fonts.example.org/a.css'>")
    assert not external.search('<script src="../_static/mathjax/tex-mml-chtml.js">')
    assert not external.search('<a href="https://librosa.org">')  # a link to follow is not a resource to load


def test_only_code_spans_that_change_nothing_on_screen_are_unwrapped(build_site):
    """A span is dropped only when its class's colour is the code block's own, in light and in dark mode."""
    css = "\n".join([
        ".highlight { background: #f2f2f2; color: #1E1E1E }",
        ".highlight .n { color: #1E1E1E }",
        ".highlight .k { color: #1E1E1E; font-weight: bold }",   # same colour, but bold: keep
        ".highlight .o { color: #163 }",                          # another colour: keep
        ".highlight .w { color: #1E1E1E }",                       # whitespace: no colour to show, unwrapped
        ".highlight .nn { color: #1E1E1E }",                      # same in light, not in dark: keep
        'body[data-theme="dark"] .highlight { background: #202020; color: #D0D0D0 }',
        'body[data-theme="dark"] .highlight .n { color: #D0D0D0 }',
        'body[data-theme="dark"] .highlight .k { color: #D0D0D0; font-weight: bold }',
        'body[data-theme="dark"] .highlight .o { color: #D0D0D0 }',
        'body[data-theme="dark"] .highlight .w { color: #666 }',
        'body[data-theme="dark"] .highlight .nn { color: #666 }',
    ])
    plain = build_site.plain_code_classes(css)
    assert plain == {"n", "w"}
    code = '<span class="n">y</span><span class="o">=</span><span class="k">if</span><span class="nn">x</span>'
    assert build_site.unwrap_plain_code(code, plain) == (
        'y<span class="o">=</span><span class="k">if</span><span class="nn">x</span>')


def test_toc_starts_with_how_to_run_the_lessons(build_site, tmp_path, monkeypatch):
    monkeypatch.setattr(build_site, "SITE", tmp_path)
    lessons = [build_site.lesson_summary(path) for path in sorted((REPO / "notebooks").glob("*.ipynb"))]
    build_site.write_toc_and_index(lessons)
    toc = (tmp_path / "_toc.yml").read_text()
    assert toc.index("site/run-the-lessons") < toc.index("notebooks/00_")
    assert toc.index("docs/teaching-guide") > max(toc.index(f"notebooks/{lesson['file']}") for lesson in lessons)
    assert (REPO / "docs" / "teaching-guide.md").exists()
    assert (REPO / "site" / "run-the-lessons.md").exists()
    index = (tmp_path / "index.md").read_text()
    assert build_site.COURSE_ZIP in index and "run-the-lessons.md" in index


def test_the_run_page_gives_the_readme_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    page = (REPO / "site" / "run-the-lessons.md").read_text(encoding="utf-8")
    for command in ("python3 course.py lab", "python3 course.py test"):
        assert command in readme and command in page, command


def test_minified_style_sheets_keep_strings_and_the_one_space_switches(build_site):
    source = """/* a comment */
:root {
    --light: ;
    --dark: initial;
}
a > b ,  .x:hover {
    content: "  /* not a comment */  ";
    background: url('data:image/svg+xml;charset=utf-8,<svg a="1"> </svg>');
}
@media (max-width: 40em) { .y { margin: 0 auto } }
"""
    assert build_site.minify_css(source) == (
        ':root{--light: ;--dark: initial;}a>b,.x:hover{content: "  /* not a comment */  ";'
        "background: url('data:image/svg+xml;charset=utf-8,<svg a=\"1\"> </svg>');}"
        "@media (max-width: 40em){.y{margin: 0 auto}}")


def test_toggle_buttons_are_kept_only_where_a_page_uses_them(build_site):
    assert not build_site.toggle_buttons_used('<button class="theme-toggle sidebar-toggle">')
    assert build_site.toggle_buttons_used('<div class="cell toggle">')
    assert build_site.toggle_buttons_used('<div class="admonition note dropdown">')
    assert not build_site.toggle_buttons_used('<div class="admonition note">')
