"""Explorers respond to their controls: moving one changes the figure; clips are decoded once."""

import numpy as np

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
