"""Explorers respond to their controls: moving one changes the figure; clips are decoded once."""

import numpy as np
import pytest

import helpers
from helpers.widgets import WINDOW_CHOICES_S, WaveformExplorer


def make_explorer(**options):
    names = helpers.sample_ids()[:3]
    return WaveformExplorer(clips=names, **options)


def test_moving_the_start_slider_changes_the_figure():
    explorer = make_explorer(window_s=1.0)
    before_image = explorer.image.value
    before_xlim = explorer.axes[0].get_xlim()
    explorer.start.value = 5.0
    assert explorer.axes[0].get_xlim() == (5.0, 6.0)
    assert explorer.axes[0].get_xlim() != before_xlim
    assert explorer.image.value != before_image
    x, _ = explorer.wave_lines[0].get_data()
    assert x.min() >= 5.0 - 1e-6 and x.max() <= 6.0


def test_zooming_in_shows_individual_samples():
    explorer = make_explorer(window_s=30.0)
    explorer.window.value = 0.01
    x, _ = explorer.wave_lines[0].get_data()
    assert x.size == round(0.01 * 22050)  # few enough samples to draw every one
    assert np.allclose(np.diff(x), 1 / 22050)


def test_switching_song_changes_waveform_and_title():
    names = helpers.sample_ids()[:3]
    explorer = make_explorer()
    _, before = explorer.wave_lines[1].get_data()
    image = explorer.image.value
    explorer.song_b.value = names[2]
    _, after = explorer.wave_lines[1].get_data()
    assert not np.array_equal(before, after)
    assert explorer.axes[1].get_title(loc="left").startswith(names[2])
    assert explorer.image.value != image


def test_features_are_computed_once_per_clip():
    explorer = make_explorer()
    calls = []
    original = explorer.store.feature

    def counting(name, key, compute):
        calls.append((name, key, (name, key) in explorer.store._features))
        return original(name, key, compute)

    explorer.store.feature = counting
    for start in (1.0, 2.0, 3.0):
        explorer.start.value = start
    cached = [already for *_, already in calls]
    assert calls and all(cached), "RMS should come from the cache when only the window moves"
    assert len(explorer.update_times_ms) >= 4


def test_own_clip_appears_in_the_pickers():
    mine = helpers.pure_tone(440, 3.0)
    explorer = WaveformExplorer(clips=helpers.sample_ids()[:1], extra_clips={"my tone": (mine, 22050)})
    assert "my tone" in explorer.song_a.options
    explorer.song_a.value = "my tone"
    _, values = explorer.wave_lines[0].get_data()
    assert np.max(values) == np.float32(0.5) or abs(np.max(values) - 0.5) < 1e-3


def test_window_choices_cover_a_period_to_a_whole_excerpt():
    assert min(WINDOW_CHOICES_S) <= 0.01 and max(WINDOW_CHOICES_S) >= 30


def test_unknown_song_name_gets_a_clear_error():
    with pytest.raises(helpers.AudioInputError, match="not one of the clips"):
        WaveformExplorer(clips=helpers.sample_ids()[:2], song_a="Pop")
    with pytest.raises(helpers.AudioInputError, match="no bundled sample"):
        WaveformExplorer(clips=["pop", "popp"])


def test_window_past_the_end_is_moved_back_not_left_blank():
    explorer = make_explorer(window_s=2.0)
    explorer.start.value = explorer.start.max
    y, sr = explorer.store.audio(explorer.song_a.value)
    low, high = explorer.axes[0].get_xlim()
    assert high == pytest.approx(y.size / sr) and high - low == pytest.approx(2.0)
    assert "moved back" in explorer.axes[0].get_title(loc="left")


def test_spectrogram_explorer_axis_and_fft_size_change_the_picture():
    from helpers.widgets import SpectrogramExplorer

    explorer = SpectrogramExplorer(clips=["ambient", "edm"], scale="linear", n_fft=1024)
    images = [explorer.image.value]
    shape_linear = explorer.images[0].get_array().shape
    explorer.scale.value = "mel"
    images.append(explorer.image.value)
    assert explorer.images[0].get_array().shape[0] == 1024 // 16  # mel bands: fewer for a short FFT
    assert explorer.images[0].get_array().shape != shape_linear
    explorer.n_fft.value = 4096
    images.append(explorer.image.value)
    assert "4096" in explorer.axes[0].get_title(loc="left")
    assert len(set(images)) == 3
    # Each STFT is computed once per song and FFT size, whatever the axis.
    explorer.scale.value = "log"
    keys = [key for (name, key) in explorer.store._features if name == "ambient" and key.startswith("stft")]
    assert sorted(keys) == ["stft-magnitude:1024", "stft-magnitude:4096"]


@pytest.mark.parametrize("feature", ["zero_crossing_rate", "spectral_centroid"])
def test_feature_explorer_frame_length_changes_curves(feature):
    from helpers.widgets import FeatureExplorer

    explorer = FeatureExplorer(feature, clips=["metal", "ambient"])
    line = explorer.curves[0][feature]
    before_x, before_image = line.get_xdata().copy(), explorer.image.value
    explorer.frame_length.value = 512
    assert line.get_xdata().size > before_x.size  # a shorter frame (and hop) gives more frames
    assert explorer.image.value != before_image
    values, _ = explorer.values("metal")
    import librosa

    y, sr = explorer.store.audio("metal")
    if feature == "zero_crossing_rate":
        expected = librosa.feature.zero_crossing_rate(y, frame_length=512, hop_length=128)[0]
    else:
        expected = librosa.feature.spectral_centroid(y=y, sr=sr, n_fft=512, hop_length=128)[0]
    np.testing.assert_allclose(values, expected, rtol=1e-3, atol=1e-3)


def test_mfcc_explorer_rebuild_improves_with_more_coefficients():
    from helpers.widgets import MFCCExplorer

    explorer = MFCCExplorer(clips=["piano"], n_mfcc=2)

    def error_db():
        return float(explorer.axes[2].get_title(loc="left").split("RMS error ")[1].split(" dB")[0])

    coarse, image = error_db(), explorer.image.value
    explorer.n_mfcc.value = 30
    assert error_db() < coarse
    assert explorer.image.value != image
    explorer.n_mfcc.value = explorer.n_mels
    assert error_db() == pytest.approx(0.0, abs=0.05)  # all coefficients: the inverse DCT is exact


def test_zero_crossing_curves_of_both_songs_share_one_scale():
    from helpers.widgets import FeatureExplorer

    explorer = FeatureExplorer("zero_crossing_rate", clips=["metal", "ambient"])
    limits = [curves["zero_crossing_rate"].axes.get_ylim() for curves in explorer.curves]
    assert limits[0] == limits[1]
    highest = max(np.percentile(explorer.values(name)[0], 99.5) for name in ("metal", "ambient"))
    assert limits[0][1] >= highest


def test_linear_axis_gets_its_numbers_back_after_log_and_mel():
    from helpers.widgets import SpectrogramExplorer

    explorer = SpectrogramExplorer(clips=["pop", "edm"], scale="linear")
    for scale in ("log", "mel", "linear"):
        explorer.scale.value = scale
    explorer.canvas.draw()
    labels = [label.get_text() for label in explorer.axes[0].get_yticklabels()]
    assert any(label.strip() for label in labels), labels


def test_mel_spectrogram_keeps_the_full_scale_sine_reference():
    sr = 22050
    import librosa

    centre_hz = float(librosa.mel_frequencies(n_mels=130, fmax=sr / 2)[60])  # centre of mel band 59 of 128
    S_db = helpers.spectrogram_db(helpers.pure_tone(centre_hz, 1.0, sr, amplitude=1.0), sr, frequency_scale="mel")
    # About 0 dB: the window spreads the sine over a few bins, which the band adds up (+1.2 dB for Hann), instead
    # of the -14 to -22 dB that librosa's default area-normalised filters would give.
    assert S_db[:, S_db.shape[1] // 2].max() == pytest.approx(0.0, abs=1.5)


def test_own_clip_at_another_rate_is_resampled_to_the_explorer_rate():
    stereo_44k = np.stack([helpers.pure_tone(440, 2.0, 44100), helpers.pure_tone(440, 2.0, 44100)])
    explorer = WaveformExplorer(clips=helpers.sample_ids()[:1], extra_clips={"mine": (stereo_44k, 44100)})
    y, sr = explorer.store.audio("mine")
    assert sr == 22050 and y.ndim == 1 and y.size == 2 * 22050


def test_static_version_has_one_distinct_frame_per_choice_and_restores_the_controls():
    import json
    import re

    explorer = make_explorer(window_s=2.0)
    before = (explorer.song_a.value, explorer.window.value)
    page = explorer.static_html()
    frames = json.loads(re.search(r'class="course-frames">(.*?)</script>', page, re.S).group(1))
    choices = explorer.static_choices()
    assert len(frames) == np.prod([len(values) for values in choices.values()])
    images = [sources[0] for sources in frames.values()]
    assert len(set(images)) == len(images), "every combination of choices shows a different picture"
    assert all(source.startswith("data:image/jpeg;base64,") for source in images)
    assert page.count("<select") == len(choices) and "<script>" in page
    assert (explorer.song_a.value, explorer.window.value) == before


def test_static_version_is_shown_when_building_the_site(monkeypatch):
    from IPython.core.formatters import format_display_data  # noqa: F401  (IPython is installed with Jupyter)
    from IPython.display import HTML

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kwargs: shown.append(obj))
    explorer = make_explorer()
    monkeypatch.setenv("COURSE_STATIC_EXPLORERS", "1")
    explorer._ipython_display_()
    monkeypatch.delenv("COURSE_STATIC_EXPLORERS")
    explorer._ipython_display_()
    assert isinstance(shown[0], HTML) and "course-static-explorer" in shown[0].data
    assert shown[1] is explorer.widget
