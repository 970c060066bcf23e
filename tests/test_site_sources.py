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
