"""Each lesson's header states how long it takes by the course's estimate (scripts/lesson_times.py: words, code
lines, exercises and explorers at stated rates), so a lesson that grows cannot keep promising its old time."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))
spec = importlib.util.spec_from_file_location("lesson_times", REPO / "scripts" / "lesson_times.py")
lesson_times = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lesson_times)


def test_the_estimate_counts_what_a_lesson_asks_for(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Lesson\n\n**Estimated time.** 5 minutes."),
        nbformat.v4.new_markdown_cell("## 1. Idea\n\n" + "word " * 300),             # 2 min
        nbformat.v4.new_code_cell("\n".join(f"x{i} = {i}" for i in range(30))),       # 3 min
        nbformat.v4.new_code_cell("explorer = FeatureExplorer()\nexplorer"),          # 3 min + 0.2
        nbformat.v4.new_markdown_cell("## 2. Going further: more\n\n" + "word " * 600),  # optional: 4 min
        nbformat.v4.new_code_cell("\n".join(f"y{i} = {i}" for i in range(10))),       # optional: 1 min
        nbformat.v4.new_markdown_cell("## Exercises\n\n### Exercise 1 · A\n\ntext"),  # core again: 10 min
        nbformat.v4.new_code_cell("# Solution\n" + "\n".join(f"z{i} = {i}" for i in range(50))),  # not counted
    ]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(notebook, path)
    parts = lesson_times.estimate(path)
    assert parts["core"]["code_lines"] == 32 and parts["core"]["exercises"] == 1 and parts["core"]["explorers"] == 1
    assert parts["optional"]["code_lines"] == 10 and parts["optional"]["words"] >= 600
    assert parts["core"]["minutes"] == 20  # 2 + 3.2 + 3 + 10 (+ a few heading words) = 18.x -> 20
    assert parts["optional"]["minutes"] == 5
    assert lesson_times.stated(path) == (5, None)


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_lesson_states_its_estimated_time(lesson):
    parts = lesson_times.estimate(lesson)
    core, optional = lesson_times.stated(lesson)
    assert core is not None, f"{lesson.name}: no '**Estimated time.** N minutes' in its header"
    assert core == parts["core"]["minutes"], (
        f"{lesson.name} states {core} minutes; the estimate is {parts['core']['minutes']} "
        "(python3 scripts/lesson_times.py shows how it is made)")
    if parts["optional"]["minutes"]:
        assert optional == parts["optional"]["minutes"], f"{lesson.name}: the optional part's minutes"
