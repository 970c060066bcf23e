"""The pitch explorer's kernel side (lesson 09): every number it sends the browser, its controls and its errors.

As in tests/test_widgets.py, each array is checked against an independent computation here (librosa's constant-Q
transform without its length scaling, librosa's chroma_cqt from the samples, SciPy's entropy), never against the
code under test.
"""

import librosa
import numpy as np
import pytest
import scipy.stats

import helpers
from helpers import explorer_data as data
from helpers.widgets import PitchExplorer

SR = 22050
C1 = librosa.note_to_hz("C1")


@pytest.fixture(scope="module")
def explorer():
    return PitchExplorer(clips=["piano", "edm"], song="piano", bins_per_octave=36)


def sent(explorer, keys):
    messages = []
    explorer.send = lambda content, buffers=None: messages.append((content, buffers))
    explorer._on_message(explorer, {"type": "request", "keys": keys}, [])
    return messages


def test_the_first_view_holds_every_setting_of_the_song_shown(explorer):
    # the slider's three positions travel with the widget: moving it never waits for the kernel
    assert list(explorer.first_view) == ["pitch|piano|12", "pitch|piano|24", "pitch|piano|36"]
    assert explorer.static_keys() == [f"pitch|{name}|{b}" for name in ("piano", "edm") for b in (12, 24, 36)]
    sizes = [len(payload) for payload in explorer.first_view.values()]
    assert sum(sizes) < 150_000, sizes  # the first view stays light (JPEG pictures, uint8 chroma)


@pytest.mark.parametrize("bins_per_octave", [12, 36])
def test_the_picture_is_the_constant_q_transform_in_db_re_full_scale(explorer, bins_per_octave):
    y, sr = helpers.load_sample_cached("piano")
    n_bins = 7 * bins_per_octave
    # Unscaled filters: a full-scale sine reads length / 2, so dividing by that gives 1 at any bin (0 dB).
    unscaled = np.abs(librosa.cqt(y, sr=sr, fmin=C1, n_bins=n_bins, bins_per_octave=bins_per_octave, scale=False,
                                  tuning=0.0))
    frequencies = C1 * 2.0 ** (np.arange(n_bins) / bins_per_octave)
    lengths = librosa.filters.wavelet_lengths(freqs=frequencies, sr=sr)[0]
    expected_db = 20 * np.log10(np.maximum(unscaled / (lengths[:, None] / 2), 1e-12))
    meta, arrays = data.decode_payload(explorer.payload(f"pitch|piano|{bins_per_octave}"))
    rows, columns = arrays["image"].shape
    step = meta["frames_per_column"]
    assert rows == n_bins and step == -(-expected_db.shape[1] // columns)
    padded = np.pad(expected_db, ((0, 0), (0, -expected_db.shape[1] % step)), mode="edge")
    blocks = np.clip(padded.reshape(rows, columns, step).max(axis=2), -90, 0)
    shown = meta["db_low"] + arrays["image"] * meta["db_step"]
    difference = np.abs(shown - blocks)
    assert np.sqrt(np.mean(difference ** 2)) < 1.5 and np.percentile(difference, 99) < 5  # JPEG of a 90 dB range
    hop_s = 512 / sr
    assert meta["image_extent"] == pytest.approx([-0.5 * hop_s, (columns * step - 0.5) * hop_s, -0.5, n_bins - 0.5])
    assert [tick[1] for tick in meta["note_ticks"]] == [f"C{octave}" for octave in range(1, 8)]
    assert meta["note_ticks"][3][2] == pytest.approx(librosa.note_to_hz("C4"))


def test_a_full_scale_sine_reads_0_db_at_its_note():
    tone = helpers.pure_tone(librosa.note_to_hz("A4"), 4.0, amplitude=1.0)
    explorer = PitchExplorer(clips={"A4": (tone, SR), "quiet A4": (0.1 * tone, SR)}, bins_per_octave=24)
    for name, level in (("A4", 0.0), ("quiet A4", -20.0)):
        meta, arrays = data.decode_payload(explorer.payload(f"pitch|{name}|24"))
        middle = arrays["image"][:, arrays["image"].shape[1] // 2]
        assert int(np.argmax(middle)) == 2 * (69 - 24)  # A4 (MIDI 69) lies 45 semitones above C1 (MIDI 24)
        assert meta["db_low"] + middle.max() * meta["db_step"] == pytest.approx(level, abs=1.5)
        assert meta["top_pitch_class"] == "A" and meta["top_pitch_class_share"] == pytest.approx(1.0)


def test_the_chroma_is_librosas_chroma_cqt(explorer):
    y, sr = helpers.load_sample_cached("piano")
    expected = librosa.feature.chroma_cqt(y=y, sr=sr, tuning=0.0, bins_per_octave=24)
    meta, arrays = data.decode_payload(explorer.payload("pitch|piano|24"))
    step = meta["frames_per_column"]
    columns = arrays["chroma"].shape[1]
    means = np.stack([expected[:, j * step:(j + 1) * step].mean(axis=1) for j in range(columns)], axis=1)
    assert arrays["chroma"].shape == (12, columns)
    np.testing.assert_allclose(arrays["chroma"] / 255, means, atol=0.5 / 255 + 1e-3)
    strongest = np.bincount(expected.argmax(axis=0), minlength=12)
    assert meta["top_pitch_class"] == ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"][
        int(np.argmax(strongest))]
    shares = expected / expected.sum(axis=0, keepdims=True)
    entropy = scipy.stats.entropy(shares, axis=0) / np.log(12)
    assert meta["median_chroma_entropy"] == pytest.approx(np.median(entropy), abs=0.01)


def test_q_and_filter_lengths_are_librosas(explorer):
    for bins_per_octave in (12, 24, 36):
        meta = explorer.summary("piano", bins_per_octave)
        frequencies = librosa.cqt_frequencies(n_bins=7 * bins_per_octave, fmin=C1, bins_per_octave=bins_per_octave)
        lengths = librosa.filters.wavelet_lengths(freqs=frequencies, sr=SR)[0]
        assert meta["lowest_filter_ms"] == pytest.approx(1000 * lengths[0] / SR)
        assert meta["highest_filter_ms"] == pytest.approx(1000 * lengths[-1] / SR)
        # Q: centre frequency over bandwidth, the same for every bin, so lengths fall as 1 / frequency
        assert meta["q_factor"] == pytest.approx(lengths[0] * C1 / SR)
        assert meta["filter_ms_at_ticks"][0] == pytest.approx(2 * meta["filter_ms_at_ticks"][1])
    assert explorer.summary("piano", 36)["q_factor"] == pytest.approx(3 * explorer.summary("piano", 12)["q_factor"],
                                                                      rel=0.01)


def test_drums_give_a_flatter_chroma_than_the_piano(explorer):
    piano, edm = explorer.summary("piano", 36), explorer.summary("edm", 36)
    assert edm["median_chroma_entropy"] > 0.95 > 0.9 > piano["median_chroma_entropy"]


def test_controls_refuse_what_the_menus_do_not_offer(explorer):
    for trait, value, match in (("bins_per_octave", 48, "bins_per_octave must be one of 12, 24, 36"),
                                ("bins_per_octave", "36", "a number, not text"),
                                ("song", "Piano", "not one of the clips")):
        with pytest.raises(helpers.AudioInputError, match=match):
            setattr(explorer, trait, value)
    assert (explorer.song, explorer.bins_per_octave) == ("piano", 36)
    explorer.bins_per_octave = 12.0
    assert explorer.bins_per_octave == 12
    explorer.bins_per_octave = 36
    with pytest.raises(helpers.AudioInputError, match="bins_per_octave must be one of"):
        PitchExplorer(clips=["piano"], bins_per_octave=13)
    (error, _), = sent(explorer, ["pitch|piano|48"])
    assert error["type"] == "error" and "one of 12, 24, 36" in error["message"]
    (error, _), = sent(explorer, ["pitch|nope|12"])
    assert "not one of the clips" in error["message"]


def test_own_songs_join_the_picker_and_short_ones_still_draw():
    tone = helpers.sum_of_partials((220.0, 440.0, 660.0), (0.4, 0.2, 0.1), 2.0, 44100)
    explorer = PitchExplorer(clips=["piano"], extra_clips={"my song": (tone, 44100)}, song="my song")
    assert [clip["name"] for clip in explorer.setup["clips"]] == ["piano", "my song"]
    meta = explorer.summary()
    assert meta["top_pitch_class"] == "A" and meta["duration_s"] == pytest.approx(2.0, abs=1e-3)


def test_the_explorer_names_itself_in_words(monkeypatch, tmp_path):
    import html
    import json
    import re

    monkeypatch.setenv("COURSE_EXPLORER_DATA_DIR", str(tmp_path))
    explorer = PitchExplorer(clips=["piano", "speech"])
    page = explorer.static_html(tmp_path)
    state = json.loads(re.search(r'class="course-explorer-state">(.*?)</script>', page).group(1))
    assert state["kind"] == "pitch" and state["bins_per_octave"] == 36 and state["song"] == "piano"
    label = state["setup"]["label"]
    assert label.startswith("Interactive pitch explorer") and "Explorer" not in label and "_" not in label
    assert html.escape(label) in page
    files = sorted(path.name for path in (tmp_path / "22050").iterdir())
    assert files == sorted(f"pitch~{name}~{b}.bin" for name in ("piano", "speech") for b in (12, 24, 36))
    from helpers.widgets import FRONTEND

    script = FRONTEND.read_text(encoding="utf-8")
    assert re.search(r"const RENDERERS = \{[^}]*\bpitch\b", script), "explorer.js draws the 'pitch' kind"
