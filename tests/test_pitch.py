"""helpers.pitch (lesson 09): the piano's score is the one the clip was rendered from, and the pitch helpers compute
what their docstrings say (checked against the build script, librosa and SciPy, not against themselves)."""

import importlib.util
from pathlib import Path

import librosa
import numpy as np
import pytest
import scipy.stats

import helpers
from helpers import AudioInputError
from helpers import pitch

REPO = Path(__file__).resolve().parent.parent
SR = 22050


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location("build_audio_samples", REPO / "scripts" / "build_audio_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # importing it runs no build
    return module


def test_the_score_is_the_one_the_piano_clip_is_rendered_from(build_script):
    (piano,) = [sample for sample in build_script.SAMPLES if sample["id"] == "piano"]
    render = piano["render"]
    chords = build_script.SCORES[render["score"]]
    assert [tuple(chord) for chord in chords] == list(pitch.PIANO_CHORDS)
    assert render["tempo_qpm"] == pitch.PIANO_TEMPO_QPM and piano["start_s"] == 0.0
    rendered = build_script.bwv846_notes(chords, render["tempo_qpm"])
    assert [(onset, release, key) for onset, release, key, _velocity in rendered] == pitch.piano_notes()
    assert len(pitch.PIANO_CHORD_NAMES) == len(pitch.PIANO_CHORDS)


def test_sounding_pitch_classes_follow_the_notes():
    sixteenth = 60 / 80 / 4
    times = np.array([0.01, sixteenth + 0.01, 4 * sixteenth + 0.01, 3.0 + 0.01, 30.5])
    sounding = pitch.sounding_pitch_classes(times)
    names = [{pitch.PITCH_CLASSES[k] for k in np.flatnonzero(row)} for row in sounding]
    assert names[0] == {"C"} and names[1] == {"C", "E"}          # C4, then E4 joins it
    assert names[2] == {"C", "E", "G"}                            # C4 E4 G4 C5 E5 by the fifth sixteenth
    assert names[3] == {"C"}                                      # bar 2 starts again from its low C
    assert names[4] == set()                                      # after the last release
    assert sounding.shape == (5, 12) and sounding.dtype == bool
    for bad in ([[0.1, 0.2]], "0.5", [np.nan]):
        with pytest.raises(AudioInputError, match="1-D array of times"):
            pitch.sounding_pitch_classes(bad)


def test_chroma_entropy_is_shannons_over_log_12():
    rng = np.random.default_rng(4)
    chroma = rng.random((12, 50))
    chroma[:, 0] = 0
    chroma[3, 0] = 1                       # one pitch class: 0
    chroma[:, 1] = 1                       # all equal: 1
    chroma[:, 2] = 0                       # silence: no distribution
    entropy = pitch.chroma_entropy(chroma)
    expected = scipy.stats.entropy(chroma[:, 3:], axis=0) / np.log(12)
    np.testing.assert_allclose(entropy[3:], expected, rtol=1e-12)
    assert entropy[0] == 0 and entropy[1] == pytest.approx(1) and np.isnan(entropy[2])
    np.testing.assert_allclose(pitch.chroma_entropy(5 * chroma[:, 3:]), expected, rtol=1e-12)  # scale-free
    with pytest.raises(AudioInputError, match="\\(12, n_frames\\)"):
        pitch.chroma_entropy(chroma.T)
    with pytest.raises(AudioInputError, match=">= 0"):
        pitch.chroma_entropy(-chroma)
    with pytest.raises(AudioInputError, match="array of numbers"):
        pitch.chroma_entropy("chroma")


@pytest.mark.parametrize("bins_per_octave", [12, 24, 36])
def test_q_factor_is_what_fixes_librosas_filter_lengths(bins_per_octave):
    frequencies = librosa.cqt_frequencies(n_bins=3, fmin=440.0, bins_per_octave=bins_per_octave)
    lengths = librosa.filters.wavelet_lengths(freqs=frequencies, sr=SR)[0]
    np.testing.assert_allclose(pitch.q_factor(bins_per_octave) * SR / frequencies, lengths, rtol=1e-9)
    classic = 1 / (2 ** (1 / bins_per_octave) - 1)  # Brown's definition: librosa's is about half a unit larger
    assert pitch.q_factor(bins_per_octave) - classic == pytest.approx(0.5, abs=0.02)


def test_constant_q_is_librosas_and_reads_a_full_scale_sine_as_0_db():
    tone = helpers.pure_tone(librosa.note_to_hz("E3"), 3.0, amplitude=1.0)
    magnitude, frequencies, lengths = pitch.constant_q(tone, SR, bins_per_octave=12)
    reference = np.abs(librosa.cqt(tone, sr=SR, n_bins=84, bins_per_octave=12))
    np.testing.assert_allclose(magnitude, reference, rtol=1e-5, atol=1e-6)
    assert frequencies[0] == pytest.approx(librosa.note_to_hz("C1")) and lengths.shape == (84,)
    level = pitch.cqt_level_db(magnitude, lengths)
    middle = level[:, level.shape[1] // 2]
    assert int(np.argmax(middle)) == 52 - 24 and middle.max() == pytest.approx(0.0, abs=0.1)
    assert level.min() >= -100.0


def test_constant_q_refuses_what_it_cannot_compute():
    tone = helpers.pure_tone(440.0, 1.0)
    with pytest.raises(AudioInputError, match="multiple of 12"):
        pitch.constant_q(tone, SR, bins_per_octave=30)
    with pytest.raises(AudioInputError, match="Nyquist"):
        pitch.constant_q(tone, 8000, n_octaves=8)
    with pytest.raises(AudioInputError, match="hop_length"):
        pitch.constant_q(tone, SR, hop_length=0)
    with pytest.raises(AudioInputError):
        pitch.constant_q(tone[:100], SR)
    with pytest.raises(AudioInputError, match="one filter length per bin"):
        pitch.cqt_level_db(np.ones((84, 3)), np.ones(36))



def test_constant_q_of_clips_gives_constant_qs_numbers_clip_by_clip():
    """Clips of the same length share one librosa.cqt call; every clip's magnitude is the one constant_q gives."""
    rng = np.random.default_rng(9)
    clips = {"noise": 0.1 * rng.standard_normal(2 * SR).astype(np.float32),
             "longer": helpers.pure_tone(220.0, 2.5, amplitude=0.5),
             "tone": helpers.pure_tone(440.0, 2.0, amplitude=0.5)}
    together = pitch.constant_q_of_clips(clips, SR, bins_per_octave=24, n_octaves=6)
    assert list(together) == ["noise", "longer", "tone"], "in the order given"
    for name, y in clips.items():
        alone = pitch.constant_q(y, SR, bins_per_octave=24, n_octaves=6)[0]
        assert together[name].dtype == np.float32 and together[name].shape == alone.shape
        assert np.array_equal(together[name], alone), name  # noise and tone share a call: not swapped either
    with pytest.raises(AudioInputError, match="dict"):
        pitch.constant_q_of_clips([clips["tone"]], SR)
    with pytest.raises(AudioInputError, match="multiple of 12"):
        pitch.constant_q_of_clips(clips, SR, bins_per_octave=30)
    with pytest.raises(AudioInputError, match="'short'"):
        pitch.constant_q_of_clips({"short": clips["tone"][:100]}, SR)


# ---------------------------------------------------------------- plots (lesson 09)


def test_plot_chroma_labels_pitch_classes_and_time():
    import matplotlib.pyplot as plt

    chroma = np.random.default_rng(1).random((12, 40))
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    image = helpers.plot_chroma(chroma, SR, hop_length=512, ax=ax, title="test")
    assert plt.get_fignums() == before and image.axes is ax
    assert [label.get_text() for label in ax.get_yticklabels()] == list(pitch.PITCH_CLASSES)
    assert "(s)" in ax.get_xlabel() and ax.get_ylabel() == "Pitch class"
    assert image.get_cmap().name == "cividis"
    left, right, bottom, top = image.get_extent()
    assert left == pytest.approx(-256 / SR) and right == pytest.approx(39.5 * 512 / SR) and (bottom, top) == (-0.5, 11.5)
    assert len(fig.axes) == 2  # and its colour bar
    with pytest.raises(AudioInputError, match="\\(12, n_frames\\)"):
        helpers.plot_chroma(chroma.T)
    with pytest.raises(AudioInputError, match=">= 0"):
        helpers.plot_chroma(-chroma)
    plt.close("all")


def test_plot_cqt_labels_every_c_with_its_frequency():
    import matplotlib.pyplot as plt

    level = np.random.default_rng(2).uniform(-90, 0, (84, 30))
    fig, ax = plt.subplots()
    image = helpers.plot_cqt(level, SR, hop_length=512, bins_per_octave=12, ax=ax, colorbar=False)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels[0] == "C1\n33 Hz" and labels[3] == "C4\n262 Hz" and len(labels) == 7
    assert list(ax.get_yticks()) == [0, 12, 24, 36, 48, 60, 72]
    assert "log scale" in ax.get_ylabel() and "12 bins per octave" in ax.get_ylabel()
    assert image.get_clim() == pytest.approx((level.max() - 80, level.max()))
    assert len(fig.axes) == 1
    with pytest.raises(AudioInputError, match="fmin_note"):
        helpers.plot_cqt(level, fmin_note="A1")
    with pytest.raises(AudioInputError, match="vmin"):
        helpers.plot_cqt(level, vmin=0, vmax=-10)
    plt.close("all")
