"""Lesson 05's exercise checks pass correct answers, explain typical mistakes, and treat None as 'not answered yet'.

The correct answers here are computed a different way from the checks (scipy's DCT, librosa's frame counts and mel
frequencies, plain loops), so a check that computed the wrong thing would fail these tests.
"""

import math

import librosa
import numpy as np
import pytest
import scipy.fft

import helpers
from helpers.checks.mfcc import check_mel_band_spacing, check_mfcc_count, check_mfcc_from_log_mel_function
from check_assertions import assert_not_diagnosed, assert_wrong

SR = 22050


@pytest.mark.parametrize("check, arguments", [
    (check_mfcc_from_log_mel_function, ()),
    (check_mfcc_count, (661500,)),
    (check_mel_band_spacing, ()),
])
def test_none_means_not_answered_yet(check, arguments):
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result
    assert "Hint" in result.message and "Not answered yet" in result._repr_html_()


# ---------------------------------------------------------------- the DCT step


def mfcc_scipy(log_mel_db, n_mfcc):
    return scipy.fft.dct(log_mel_db, type=2, norm="ortho", axis=0)[:n_mfcc]


def mfcc_loop(log_mel_db, n_mfcc):
    """A deliberately plain orthonormal DCT-II, one coefficient and one frame at a time."""
    n_mels, n_frames = log_mel_db.shape
    result = np.zeros((n_mfcc, n_frames))
    for t in range(n_frames):
        for k in range(n_mfcc):
            total = sum(log_mel_db[m, t] * math.cos(math.pi * k * (2 * m + 1) / (2 * n_mels)) for m in range(n_mels))
            result[k, t] = total * math.sqrt((1 if k == 0 else 2) / n_mels)
    return result


def test_mfcc_function_correct_answers_pass():
    assert check_mfcc_from_log_mel_function(mfcc_scipy)
    assert check_mfcc_from_log_mel_function(mfcc_loop)
    assert check_mfcc_from_log_mel_function(lambda x, n: librosa.feature.mfcc(S=x, n_mfcc=n))
    assert check_mfcc_from_log_mel_function(lambda x, n: mfcc_scipy(x, n).astype(np.float32))  # float32 is fine


def test_mfcc_function_typical_mistakes():
    check = check_mfcc_from_log_mel_function
    assert_wrong(check(lambda x, n: scipy.fft.dct(x, type=2, axis=0)[:n]), "unnormalised", "norm='ortho'")
    assert_wrong(check(lambda x, n: scipy.fft.dct(x, type=2, axis=0)[:n] / 2), "plain cosine sums")

    def forgot_row_zero(x, n):
        n_mels = x.shape[0]
        return np.sqrt(2 / n_mels) * scipy.fft.dct(x, type=2, axis=0)[:n] / 2

    assert_wrong(check(forgot_row_zero), "coefficient 0", "sqrt(2) too large")
    assert_wrong(check(lambda x, n: scipy.fft.dct(x, type=2, norm="ortho", axis=1)[:n]), "along time", "axis=0")
    assert_wrong(check(lambda x, n: scipy.fft.dct(x, type=2, norm="ortho", axis=0)), "all 40 coefficients")
    assert_wrong(check(lambda x, n: mfcc_scipy(x, n).T), "transposed")
    assert_wrong(check(lambda x, n: scipy.fft.idct(x, type=2, norm="ortho", axis=0)[:n]), "inverse DCT")
    assert_wrong(check(lambda x, n: mfcc_scipy(x * np.log(10) / 10, n)), "natural log")
    assert_wrong(check(lambda x, n: mfcc_scipy(x, 13)), "n_mfcc = 20")
    assert_wrong(check(lambda x, n: mfcc_scipy(x, n) + 0.5), "differs")
    assert_wrong(check(lambda x, n: mfcc_scipy(x, n)[:, :-1]), "shape")


def test_mfcc_function_broken_answers():
    check = check_mfcc_from_log_mel_function

    def forgot_return(log_mel_db, n_mfcc):
        scipy.fft.dct(log_mel_db, type=2, norm="ortho", axis=0)[:n_mfcc]

    def wrong_axis_matrix(log_mel_db, n_mfcc):
        n_mels = log_mel_db.shape[0]
        k, m = np.arange(n_mels)[:, None], np.arange(n_mels)[None, :]
        return (log_mel_db @ np.cos(np.pi * k * (2 * m + 1) / (2 * n_mels)))[:n_mfcc]

    unfinished = check(forgot_return)
    assert unfinished.status == "unanswered" and "return" in unfinished.message
    assert_wrong(check(mfcc_scipy(np.ones((40, 5)), 13)), "pass the function itself")
    assert_wrong(check(wrong_axis_matrix), "ValueError", "mel bands in its rows")
    assert_wrong(check(lambda x, n: "MFCCs"), "array of numbers", "a string")


# ---------------------------------------------------------------- how many numbers


@pytest.fixture(scope="module")
def pop_length():
    y, _ = helpers.load_sample_cached("pop")
    return y.size


def test_mfcc_count(pop_length):
    y = np.zeros(pop_length, dtype=np.float32)
    y[::997] = 0.1  # not silent, so librosa's MFCCs are well defined
    reference = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=13, hop_length=512).size
    assert check_mfcc_count(reference, pop_length)
    frames = reference // 13
    assert_wrong(check_mfcc_count(13 * (frames - 1), pop_length), "off by one")
    uncentred = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=13, center=False).size
    assert_wrong(check_mfcc_count(uncentred, pop_length), "without centring")
    assert_wrong(check_mfcc_count(frames, pop_length), "number of frames")
    assert_wrong(check_mfcc_count(13 * pop_length / 512, pop_length), "whole numbers")
    assert_wrong(check_mfcc_count(128 * frames, pop_length), "mel spectrogram")
    assert_wrong(check_mfcc_count(20 * frames, pop_length), "default n_mfcc = 20")
    assert_wrong(check_mfcc_count(39 * frames, pop_length), "deltas")
    assert_wrong(check_mfcc_count(pop_length, pop_length), "number of samples")
    assert_wrong(check_mfcc_count("lots", pop_length), "one whole number")


# ---------------------------------------------------------------- mel filter spacing


def test_mel_band_spacing():
    centres = librosa.mel_frequencies(n_mels=128 + 2, fmin=0.0, fmax=SR / 2)  # the filters' edge points
    reference = float(centres[2] - centres[1])  # two centres, well below 1 kHz
    assert check_mel_band_spacing(reference)
    top = librosa.hz_to_mel(SR / 2)
    assert_wrong(check_mel_band_spacing(top / 129), "in mel")
    assert_wrong(check_mel_band_spacing(top / 128 * 200 / 3), "fencepost", "129 gaps")
    assert_wrong(check_mel_band_spacing(top / 130 * 200 / 3), "fencepost")
    assert_wrong(check_mel_band_spacing(2 * reference), "full width")
    assert_wrong(check_mel_band_spacing(librosa.hz_to_mel(SR) / 129 * 200 / 3), "Nyquist")
    assert_wrong(check_mel_band_spacing(SR / 2 / 129), "equal spacing in Hz")
    htk = librosa.mel_frequencies(n_mels=130, fmin=0.0, fmax=SR / 2, htk=True)
    assert_wrong(check_mel_band_spacing(float(htk[1] - htk[0])), "HTK")
    assert_not_diagnosed(check_mel_band_spacing(12.0), "distance in Hz")
    assert_wrong(check_mel_band_spacing([1.0, 2.0]), "single number")
    assert check_mel_band_spacing(float(np.diff(librosa.mel_frequencies(n_mels=42, fmax=8000))[0]), sr=16000,
                                  n_mels=40)
