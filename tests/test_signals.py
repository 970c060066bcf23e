"""The synthetic teaching signals have the properties the lessons rely on, measured independently."""

import numpy as np
import pytest

import helpers
from helpers import AudioInputError


def dominant_frequency(y, sr):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    return np.fft.rfftfreq(y.size, 1 / sr)[np.argmax(spectrum)]


@pytest.mark.parametrize("frequency", [110.0, 440.0, 3000.0])
def test_pure_tone_frequency_amplitude_and_length(frequency):
    y = helpers.pure_tone(frequency, duration_s=1.0, sr=22050, amplitude=0.3)
    assert y.dtype == np.float32 and y.size == 22050
    assert dominant_frequency(y, 22050) == pytest.approx(frequency, abs=1.0)
    assert np.max(np.abs(y)) == pytest.approx(0.3, abs=1e-3)


def test_frequencies_at_or_above_nyquist_are_refused():
    with pytest.raises(AudioInputError, match="Nyquist"):
        helpers.pure_tone(11025, sr=22050)


def test_partials_sum_to_the_signal():
    components = helpers.partials((200, 400, 600), (0.5, 0.3, 0.1), duration_s=0.5)
    assert components.shape == (3, 11025)
    np.testing.assert_allclose(components.sum(axis=0), helpers.sum_of_partials((200, 400, 600), (0.5, 0.3, 0.1), 0.5),
                               atol=1e-6)
    for row, frequency in zip(components, (200, 400, 600)):
        assert dominant_frequency(row, 22050) == pytest.approx(frequency, abs=2)


def test_chirp_sweeps_from_start_to_end():
    sr = 22050
    y = helpers.chirp(200, 4000, duration_s=4.0, sr=sr)
    first, last = y[: sr // 4], y[-sr // 4:]
    # Instantaneous frequency measured by zero crossings: two crossings per period.
    def crossing_frequency(part):
        return np.count_nonzero(np.diff(np.signbit(part))) / 2 / (part.size / sr)
    # An exponential sweep is at f(t) = 200 * 20 ** (t / 4) Hz; compare with the middle of each quarter second.
    assert crossing_frequency(first) == pytest.approx(200 * 20 ** (0.125 / 4), rel=0.05)
    assert crossing_frequency(last) == pytest.approx(200 * 20 ** (3.875 / 4), rel=0.05)
    assert crossing_frequency(last) > 10 * crossing_frequency(first)


def test_white_noise_is_reproducible_and_has_the_asked_spread():
    a = helpers.white_noise(1.0, amplitude=0.1, seed=3)
    b = helpers.white_noise(1.0, amplitude=0.1, seed=3)
    c = helpers.white_noise(1.0, amplitude=0.1, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.std(a) == pytest.approx(0.1, rel=0.05)


def test_click_train_has_one_click_per_period():
    sr = 22050
    y = helpers.click_train(clicks_per_second=4, duration_s=2.0, sr=sr)
    loud = np.abs(y) > 0.05
    onsets = np.flatnonzero(loud[1:] & ~loud[:-1]) + 1
    # Group onsets closer than 20 ms into one click.
    clicks = 1 + np.count_nonzero(np.diff(onsets) > 0.02 * sr) if onsets.size else 0
    assert clicks == 8
