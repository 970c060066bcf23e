"""A student's own song never stops a lesson: a bad MY_SONG shows the helpers' message and Run All carries on.

The unit tests check :func:`helpers.own_song_clips` and the notebook message handler; the lesson tests run every
lesson that has a ``MY_SONG`` cell top to bottom with a misspelt path, a silent file and a 2 s file.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import soundfile
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers.own_song import own_song_clips

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = [path for path in sorted(NOTEBOOK_DIR.glob("*.ipynb")) if "MY_SONG = None" in path.read_text()]
SR = 22050


def write(path, seconds, amplitude=0.3, sr=44100):
    times = np.arange(int(seconds * sr)) / sr
    soundfile.write(path, amplitude * np.sin(2 * np.pi * 440 * times), sr)
    return path


@pytest.fixture(scope="module")
def songs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("songs")
    return {"misspelt": folder / "my sogn.wav", "silent": write(folder / "silent.wav", 3.0, amplitude=0.0),
            "two seconds": write(folder / "two seconds.wav", 2.0)}


def test_no_song_is_no_clip():
    assert own_song_clips(None) == {}


def test_a_usable_song_becomes_a_clip_at_the_course_rate(songs):
    clips = own_song_clips(songs["two seconds"])
    y, sr = clips["my song"]
    assert sr == SR and y.shape == (2 * SR,) and y.dtype == np.float32
    assert np.max(np.abs(y)) == pytest.approx(0.3, abs=0.01)


@pytest.mark.parametrize("case, words", [("misspelt", "No file at"), ("silent", "silent")])
def test_an_unusable_song_gives_its_reason_and_no_clip(songs, capsys, case, words):
    assert own_song_clips(songs[case]) == {}
    shown = capsys.readouterr().out
    assert words in shown and "goes on with the bundled songs" in shown and "Traceback" not in shown


def test_a_song_shorter_than_the_explorers_frame_is_refused(tmp_path, capsys):
    assert own_song_clips(write(tmp_path / "blip.wav", 0.1)) == {}
    shown = capsys.readouterr().out
    assert "one analysis frame needs" in shown and "goes on with the bundled songs" in shown


def run(notebook, path):
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


def outputs_text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
            parts += output.get("traceback", [])
    return "\n".join(parts)


def test_an_audio_input_error_shows_as_its_message_not_a_traceback():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import helpers\nhelpers.load_sample('popp')")]
    with pytest.raises(CellExecutionError):
        run(notebook, NOTEBOOK_DIR / "scratch.ipynb")
    (error,) = [output for output in notebook.cells[0].outputs if output["output_type"] == "error"]
    assert error["ename"] == "AudioInputError" and "pop" in error["evalue"]
    text = "\n".join(error["traceback"])
    assert len(error["traceback"]) == 1 and "audio_io" not in text and "samples.py" not in text


@pytest.mark.parametrize("case", ["misspelt", "silent", "two seconds"])
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.name[:2])
def test_every_lesson_runs_to_the_end_whatever_my_song_is(songs, lesson, case):
    notebook = nbformat.read(lesson, as_version=4)
    (cell,) = [cell for cell in notebook.cells if cell.cell_type == "code" and "MY_SONG = None" in cell.source]
    cell.source = re.sub(r"MY_SONG = None", f"MY_SONG = {str(songs[case])!r}", cell.source, count=1)
    run(notebook, lesson)  # raises CellExecutionError if any cell fails: Run All would stop there
    text = outputs_text(notebook)
    if case == "two seconds":
        assert "cannot be used" not in text
    else:
        assert "cannot be used" in text and "goes on with the bundled songs" in text
        assert ("No file at" if case == "misspelt" else "silent") in text
    assert "Traceback" not in text
