"""One number per fact: a bundled clip's mean feature is the same number in every lesson that prints it, in the
explorers and in the summaries of lessons 06-07 (issue 9: EDM's mean ZCR used to be 0.117 in lesson 03 and 0.101 in
lesson 06, because one analysed the clip with its DC offset removed and the other as stored).

The lessons are run here as a student runs them; a last cell added to each hands back the per-clip numbers its
tables print. The reference is computed in this test with librosa itself, on the clips as the loaders return them,
over the sounding frames (every frame but digital silence), the course's rule for a clip's mean."""

import json
from pathlib import Path

import librosa
import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import helpers
from helpers.summaries import frame_features, summarise
from helpers.widgets import FeatureExplorer

REPO = Path(__file__).resolve().parent.parent
SPECTRAL = ("spectral_centroid", "spectral_bandwidth", "spectral_rolloff")
# What each lesson prints per clip, as the expression of its own variables that its printed tables show.
LESSON_FACTS = {
    "03_zero_crossing_rate.ipynb":
        "{name: {'zero_crossing_rate': float(table[name]['mean'])} for name in table}",
    "04_spectral_centroid.ipynb":
        "{name: {'spectral_centroid': float(mean_centroid[name]), 'spectral_bandwidth': float(mean_bandwidth[name]),"
        " 'spectral_rolloff': float(mean_rolloff[name])} for name in mean_centroid}",
    "06_comparing_songs.ipynb":
        "{name: {feature: float(summaries[name][feature + '_mean']) for feature in ('rms', 'zero_crossing_rate',"
        " 'spectral_centroid', 'spectral_bandwidth', 'spectral_rolloff')} for name in summaries}",
}


def reference(name):
    """The clip's mean features, computed here with librosa (n_fft 2048, hop 512, centred frames)."""
    y, sr = helpers.load_sample_cached(name)
    magnitude = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
    sounding = magnitude.sum(axis=0) > 0
    values = {
        "rms": librosa.feature.rms(y=y, frame_length=2048, hop_length=512)[0],
        "zero_crossing_rate": librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512)[0],
    }
    for feature in SPECTRAL:
        values[feature] = getattr(librosa.feature, feature)(S=magnitude, sr=sr, n_fft=2048)[0]
    return {feature: float(curve[sounding].mean()) for feature, curve in values.items()}


@pytest.fixture(scope="module")
def references():
    return {name: reference(name) for name in helpers.sample_ids()}


@pytest.fixture(scope="module")
def printed():
    """{lesson: {clip: {feature: value}}}: what each lesson's tables print, from a full run of the lesson."""
    results = {}
    for lesson, expression in LESSON_FACTS.items():
        notebook = nbformat.read(REPO / "notebooks" / lesson, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(f"import json\nprint(json.dumps({expression}))"))
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
        text = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
        results[lesson] = json.loads(text.strip().splitlines()[-1])
    return results


def test_every_lesson_prints_the_same_mean_for_the_same_clip(printed, references):
    compared = 0
    for lesson, clips in printed.items():
        assert set(clips) == set(helpers.sample_ids()), lesson
        for name, values in clips.items():
            for feature, value in values.items():
                assert value == pytest.approx(references[name][feature], rel=1e-5), (lesson, name, feature)
                compared += 1
    assert compared == 7 * (1 + 3 + 5)


def test_the_summaries_and_the_explorers_show_the_same_means(references):
    for name in helpers.sample_ids():
        summary = summarise(frame_features(*helpers.load_sample_cached(name)))
        for feature, value in references[name].items():
            assert summary[f"{feature}_mean"] == pytest.approx(value, rel=1e-5), (name, feature)
    for feature in ("zero_crossing_rate",) + SPECTRAL:
        explorer = FeatureExplorer(feature)
        for name in helpers.sample_ids():
            meta, _ = explorer.compute(f"feature|{name}|{feature}|2048")
            assert meta["mean"] == pytest.approx(references[name][feature], rel=1e-5), (name, feature)


def test_the_piano_shows_why_silent_frames_are_left_out(references):
    # The piano excerpt ends in digital silence: averaging those frames too would give it a second number.
    y, _ = helpers.load_sample_cached("piano")
    every_frame = float(librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512)[0].mean())
    assert every_frame < references["piano"]["zero_crossing_rate"] * (1 - 1e-3)
