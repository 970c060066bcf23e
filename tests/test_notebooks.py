"""The lessons are stored clean and follow the course's lesson template. (nbval executes them separately.)"""

import json
import re
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_CHECKED_OUTPUT_CHARS = 2000


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


def test_lessons_are_numbered_in_order_from_00():
    assert NOTEBOOKS, "no lessons found"
    numbers = [int(re.match(r"(\d\d)_[a-z0-9_]+\.ipynb$", path.name).group(1)) for path in NOTEBOOKS]
    assert numbers == list(range(len(NOTEBOOKS)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_stored_without_outputs(path):
    notebook = load(path)
    for index, cell in enumerate(code_cells(notebook)):
        assert cell.get("execution_count") is None, f"cell {index} has an execution count: clear outputs"
        outputs = cell.get("outputs", [])
        if "NBVAL_CHECK_OUTPUT" in source(cell):
            assert all(output["output_type"] == "stream" for output in outputs)
            assert sum(len("".join(output["text"])) for output in outputs) <= MAX_CHECKED_OUTPUT_CHARS
        else:
            assert outputs == [], f"cell {index} of {path.name} was committed with outputs"
    assert set(notebook["metadata"]) <= {"kernelspec", "language_info"}, "stray notebook metadata"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_follows_the_lesson_template(path):
    notebook = load(path)
    markdown = "\n".join(source(cell) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    assert markdown.startswith(f"# Lesson {path.name[:2]} ·"), "the first cell is the lesson's title"
    for heading in ("Learning objectives", "Prerequisites", "Estimated time", "## Summary", "## References"):
        assert heading in markdown, f"{path.name} lacks '{heading}'"
    exercises = re.findall(r"^### Exercise \d+", markdown, flags=re.M)
    assert len(exercises) >= 2, f"{path.name} has {len(exercises)} exercises; every lesson has at least two"
    checks = [cell for cell in code_cells(notebook) if re.search(r"\bcheck_\w+\(", source(cell))]
    # A student cell starts unanswered: `answer = None`, or a function template whose body is `return None`.
    unanswered = [cell for cell in checks if re.search(r"^(\w+ = None|\s+return None)\b", source(cell), flags=re.M)]
    assert len(unanswered) >= len(exercises), "each exercise has a student cell (answer = None) and a check"
    solutions = [cell for cell in checks if "hide-cell" in cell["metadata"].get("tags", [])]
    assert len(solutions) >= len(exercises), "each exercise has a hidden solution cell that runs its check"
    for cell in solutions:  # code and output both collapsed: the output would give the answer away
        assert cell["metadata"].get("jupyter") == {"source_hidden": True, "outputs_hidden": True}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_nothing_downloads_and_widgets_are_not_compared(path):
    for cell in code_cells(load(path)):
        text = source(cell)
        for forbidden in ("librosa.example", "urlopen", "requests.get", "wget ", "curl ", "pip install"):
            assert forbidden not in text, f"{path.name}: '{forbidden}' would need the network"
        if re.search(r"Explorer\(", text):
            assert "nbval-ignore-output" in cell["metadata"].get("tags", []), "widget outputs cannot be compared"


MAX_ALT_TEXT_CHARS = 250
#: Alt text and caption may share a phrase, never a run of this many consecutive words.
MAX_SHARED_WORDS = 8


def figures(notebook):
    """``(cell id, alt text, caption)`` of every figure: a code cell that calls ``plt.show()``, its alt text in
    ``metadata.mystnb.image.alt`` and its caption, the ``*Figure: ...*`` paragraph that opens the next cell."""
    cells = notebook["cells"]
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "plt.show()" in source(cell):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            following = source(cells[index + 1]) if index + 1 < len(cells) else ""
            paragraph = following.split("\n\n")[0].strip()
            caption = paragraph if paragraph.startswith("*Figure:") else ""
            found.append((cell.get("id", str(index)), alt, caption))
    return found


def words(text):
    """Lower-case words of ``text``, Markdown emphasis and code marks and punctuation dropped."""
    return re.findall(r"\w+", text.lower())


def shared_word_run(first, second, length=MAX_SHARED_WORDS):
    """The first run of ``length`` consecutive words found in both texts, or ``None``."""
    runs = {tuple(words(second)[i:i + length]) for i in range(len(words(second)) - length + 1)}
    first_words = words(first)
    for i in range(len(first_words) - length + 1):
        if tuple(first_words[i:i + length]) in runs:
            return " ".join(first_words[i:i + length])
    return None


def test_shared_word_run_finds_a_copied_phrase_and_ignores_markup_and_short_overlaps():
    caption = "*Figure: the waveform of the `pop` excerpt, a dense band between about -0.8 and +0.8.*"
    assert shared_word_run("The waveform of the pop excerpt, a dense band.", caption) == \
        "the waveform of the pop excerpt a dense"
    assert shared_word_run("A thick band of samples: the waveform of the pop clip.", caption) is None
    assert shared_word_run("one two three", "one two three") is None  # shorter than a run


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_figures_have_alt_text_for_the_website(path):
    for cell_id, alt, caption in figures(load(path)):
        assert len(alt) > 30, f"{path.name}: figure cell {cell_id} has no alt text (metadata mystnb.image.alt)"
        assert caption, f"{path.name}: figure cell {cell_id} is not followed by its '*Figure: ...*' caption"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_figure_alt_text_is_short_and_does_not_repeat_the_caption(path):
    """A screen reader reads the alt text, then the caption: the alt text says in a sentence or two what the figure
    shows; the caption gives the details. Repeating the caption makes the listener hear it twice."""
    for cell_id, alt, caption in figures(load(path)):
        assert len(alt) <= MAX_ALT_TEXT_CHARS, \
            f"{path.name}: alt text of figure cell {cell_id} has {len(alt)} characters; keep it to one or two " \
            f"sentences (at most {MAX_ALT_TEXT_CHARS}) and leave the details to the caption"
        assert " ".join(words(alt)) not in " ".join(words(caption)), \
            f"{path.name}: alt text of figure cell {cell_id} is part of its caption"
        run = shared_word_run(alt, caption)
        assert run is None, f"{path.name}: alt text of figure cell {cell_id} repeats its caption: '{run}'"
