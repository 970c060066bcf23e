"""Lesson 02 checks: correct answers (computed another way) pass, typical mistakes are named."""

import librosa
import numpy as np
import pytest

from helpers.checks import spectrogram as checks
from check_assertions import assert_wrong

SR = 22050


def test_bin_frequency():
    frequencies = librosa.fft_frequencies(sr=SR, n_fft=2048)
    assert checks.check_bin_frequency(frequencies[37], 37, SR, 2048)
    assert checks.check_bin_frequency(None, 37, SR, 2048).status == "unanswered"
    assert_wrong(checks.check_bin_frequency(37 * SR / 1024, 37, SR, 2048), "twice too wide")
    assert_wrong(checks.check_bin_frequency(37 / 2048, 37, SR, 2048), "multiply by sr")
    assert_wrong(checks.check_bin_frequency(37 * 2048 / SR, 37, SR, 2048), "upside down")
    assert_wrong(checks.check_bin_frequency(37 * SR / 2 / 2048, 37, SR, 2048), "n_fft // 2 steps")


def test_decibels():
    assert checks.check_decibels(float(librosa.amplitude_to_db(np.array(0.05), ref=1.0)), 0.05)
    assert checks.check_decibels(None, 0.05).status == "unanswered"
    assert_wrong(checks.check_decibels(10 * np.log10(0.05), 0.05), "power")
    assert_wrong(checks.check_decibels(20 * np.log(0.05), 0.05), "base-10")
    assert_wrong(checks.check_decibels(-20 * np.log10(0.05), 0.05), "sign")


def stft_loop(y, n_fft, hop_length, window="periodic", pad_mode="constant", center=True, power=1, full=False):
    """A deliberately plain STFT: a Python loop over frames, not the check's vectorised reference."""
    if center:
        y = np.pad(y, n_fft // 2, mode=pad_mode)
    if window == "periodic":
        w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    elif window == "symmetric":
        w = np.hanning(n_fft)
    else:
        w = np.ones(n_fft)
    columns = []
    for start in range(0, len(y) - n_fft + 1, hop_length):
        spectrum = np.fft.fft(y[start:start + n_fft] * w)
        columns.append(np.abs(spectrum if full else spectrum[: n_fft // 2 + 1]) ** power)
    return np.array(columns).T


def test_stft_function_correct_and_typical_mistakes():
    assert checks.check_stft_function(stft_loop)
    assert checks.check_stft_function(None).status == "unanswered"
    assert_wrong(checks.check_stft_function(lambda y, n, h: stft_loop(y, n, h, window="none")), "no window")
    assert_wrong(checks.check_stft_function(lambda y, n, h: stft_loop(y, n, h, window="symmetric")), "periodic")
    assert_wrong(checks.check_stft_function(lambda y, n, h: stft_loop(y, n, h, pad_mode="reflect")), "reflect")
    assert_wrong(checks.check_stft_function(lambda y, n, h: stft_loop(y, n, h, center=False)), "centre")
    assert_wrong(checks.check_stft_function(lambda y, n, h: stft_loop(y, n, h, power=2)), "power")
    assert_wrong(checks.check_stft_function(lambda y, n, h: stft_loop(y, n, h, full=True)), "rfft")
    assert_wrong(checks.check_stft_function(lambda y, n, h: stft_loop(y, n, h).T), "transposed")
    assert_wrong(checks.check_stft_function(lambda y, n, h: librosa.stft(y, n_fft=n, hop_length=h)), "np.abs")
    assert_wrong(checks.check_stft_function(np.zeros((3, 3))), "function itself")
    assert checks.check_stft_function(lambda y, n, h: None).status == "unanswered"
