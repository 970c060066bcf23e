"""Lesson 04 checks: correct answers pass, typical mistakes get their message, None is 'not answered yet'.

The correct answers are computed differently from the checks: with librosa (feature functions, or measured on a
synthesised signal) or with a plain loop.
"""

import librosa
import numpy as np
import pytest

import helpers
from helpers.checks.centroid import (check_spectral_centroid_function, check_two_tone_centroid,
                                     check_two_tone_rolloff)
from check_assertions import assert_wrong

SR = 22050
TONES = (500.0, 0.6, 2000.0, 0.2)  # f1, a1, f2, a2: the lesson's exercise


@pytest.mark.parametrize("check, arguments", [
    (check_spectral_centroid_function, ()),
    (check_two_tone_centroid, TONES),
    (check_two_tone_rolloff, TONES),
])
def test_none_means_not_answered_yet(check, arguments):
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result
    assert "Hint" in result.message and "Not answered yet" in result._repr_html_()


# ------------------------------------------------------------------ the from-scratch centroid function


def centroid_with_librosa(magnitude, sr, n_fft):
    return librosa.feature.spectral_centroid(S=magnitude, sr=sr, n_fft=n_fft)  # (1, n_frames): accepted


def centroid_loop(magnitude, sr, n_fft, weight_power=1, frequency_step=None, normalise=True):
    """A deliberately plain loop over frames and bins, with switches for the typical mistakes."""
    step = sr / n_fft if frequency_step is None else frequency_step
    result = []
    for t in range(magnitude.shape[1]):
        weighted, total = 0.0, 0.0
        for k in range(magnitude.shape[0]):
            weight = float(magnitude[k, t]) ** weight_power
            weighted += k * step * weight
            total += weight
        result.append(weighted / total if normalise else weighted)
    return result  # a list, not an array: accepted too


def test_centroid_function_correct():
    assert check_spectral_centroid_function(centroid_with_librosa)
    assert check_spectral_centroid_function(centroid_loop)
    assert check_spectral_centroid_function(
        lambda M, sr, n_fft: np.fft.rfftfreq(n_fft, d=1 / sr) @ M / M.sum(axis=0))


def test_centroid_function_typical_mistakes():
    assert_wrong(check_spectral_centroid_function(lambda M, sr, n: centroid_loop(M, sr, n, weight_power=2)),
                 "power")
    assert_wrong(check_spectral_centroid_function(lambda M, sr, n: centroid_loop(M, sr, n, frequency_step=1)),
                 "in bins, not Hz")
    assert_wrong(check_spectral_centroid_function(
        lambda M, sr, n: centroid_loop(M, sr, n, frequency_step=sr / (2 * n))), "half", "k * sr / (2 * n_fft)")
    assert_wrong(check_spectral_centroid_function(
        lambda M, sr, n: centroid_loop(M, sr, n, frequency_step=sr / 2048)), "2048")
    assert_wrong(check_spectral_centroid_function(
        lambda M, sr, n: np.linspace(0, sr, M.shape[0]) @ M / M.sum(axis=0)), "twice", "Nyquist")
    assert_wrong(check_spectral_centroid_function(
        lambda M, sr, n: np.fft.rfftfreq(n, d=sr) @ M / M.sum(axis=0)), "d = 1 / sr")
    assert_wrong(check_spectral_centroid_function(lambda M, sr, n: centroid_loop(M, sr, n, normalise=False)),
                 "normalise")
    assert_wrong(check_spectral_centroid_function(
        lambda M, sr, n: np.mean(np.fft.rfftfreq(n, 1 / sr)[:, None] * M, axis=0)), "number of bins")
    assert_wrong(check_spectral_centroid_function(
        lambda M, sr, n: (np.fft.rfftfreq(n, 1 / sr)[:, None] * M).sum(axis=1) / M.sum(axis=1)), "axis=0")
    assert_wrong(check_spectral_centroid_function(lambda M, sr, n: centroid_loop(M, sr, n)[:-1]), "frames")
    assert_wrong(check_spectral_centroid_function(lambda M, sr, n: 1.1 * np.asarray(centroid_loop(M, sr, n))),
                 "differs")


def test_centroid_function_forgotten_return_non_function_and_crash():
    def forgot_return(magnitude, sr, n_fft):
        np.fft.rfftfreq(n_fft, 1 / sr) @ magnitude / magnitude.sum(axis=0)

    unfinished = check_spectral_centroid_function(forgot_return)
    assert unfinished.status == "unanswered" and "return" in unfinished.message
    assert_wrong(check_spectral_centroid_function(np.zeros(5)), "pass the function itself")
    assert_wrong(check_spectral_centroid_function("spectral_centroid"), "pass the function itself")

    def crashes(magnitude, sr, n_fft):
        return np.arange(n_fft) @ magnitude  # shapes do not fit: n_fft values for 1 + n_fft // 2 bins

    assert_wrong(check_spectral_centroid_function(crashes), "ValueError")


# ------------------------------------------------------------------ predicting a two-tone centroid


def measured(feature, f1, a1, f2, a2, **kwargs):
    """The median of a librosa feature over the frames of the two tones, synthesised for 2 s."""
    y = helpers.sum_of_partials((f1, f2), (a1, a2), duration_s=2.0, sr=SR)
    return float(np.median(feature(y=y, sr=SR, **kwargs)[0]))


def test_two_tone_centroid_correct_answer_measured_by_librosa():
    assert check_two_tone_centroid(measured(librosa.feature.spectral_centroid, *TONES), *TONES)
    assert check_two_tone_centroid(875, *TONES)


def test_two_tone_centroid_typical_mistakes():
    f1, a1, f2, a2 = TONES
    assert_wrong(check_two_tone_centroid((f1 + f2) / 2, *TONES), "midpoint")
    y = helpers.sum_of_partials((f1, f2), (a1, a2), duration_s=2.0, sr=SR)
    power_weighted = np.median(librosa.feature.spectral_centroid(S=np.abs(librosa.stft(y)) ** 2, sr=SR)[0])
    assert_wrong(check_two_tone_centroid(power_weighted, *TONES), "power")
    assert_wrong(check_two_tone_centroid((a2 * f1 + a1 * f2) / (a1 + a2), *TONES), "swapped")
    assert_wrong(check_two_tone_centroid(f1, *TONES), "louder tone")
    assert_wrong(check_two_tone_centroid(3000, *TONES), "between")
    assert_wrong(check_two_tone_centroid([1, 2], *TONES), "single number")


def test_two_tone_centroid_equal_amplitudes_midpoint_is_right():
    assert check_two_tone_centroid(1250, 500, 0.4, 2000, 0.4)


# ------------------------------------------------------------------ predicting a two-tone roll-off


def test_two_tone_rolloff_correct_answer_measured_by_librosa():
    assert check_two_tone_rolloff(measured(librosa.feature.spectral_rolloff, *TONES), *TONES)
    assert check_two_tone_rolloff(2000, *TONES)
    # a much louder low tone holds more than 85 % of the magnitude by itself (0.9 / 1.0)
    louder_low = (500.0, 0.9, 2000.0, 0.1)
    assert check_two_tone_rolloff(measured(librosa.feature.spectral_rolloff, *louder_low), *louder_low)


def test_two_tone_rolloff_typical_mistakes():
    f1, a1, f2, a2 = TONES
    y = helpers.sum_of_partials((f1, f2), (a1, a2), duration_s=2.0, sr=SR)
    power_rolloff = np.median(librosa.feature.spectral_rolloff(S=np.abs(librosa.stft(y)) ** 2, sr=SR)[0])
    assert_wrong(check_two_tone_rolloff(power_rolloff, *TONES), "power")
    assert_wrong(check_two_tone_rolloff(875, *TONES), "centroid")
    assert_wrong(check_two_tone_rolloff(1200, *TONES), "one of those two")
    assert_wrong(check_two_tone_rolloff(2000, 500.0, 0.9, 2000.0, 0.1), "compare that")
    assert_wrong(check_two_tone_rolloff("high", *TONES), "single number")
