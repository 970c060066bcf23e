"""Lesson 03's exercise checks: correct answers pass, typical mistakes get their message, None is 'not answered'.

The correct answers here come from librosa or from a plain loop, not from the checks' own vectorised reference.
"""

import librosa
import numpy as np
import pytest

import helpers
from helpers.checks.zero_crossing import (check_loud_frame_zcr, check_tone_zcr, check_zero_crossing_rate_function,
                                          function_test_signal, zcr_reference)
from check_assertions import assert_not_diagnosed, assert_wrong

SR = 22050


def zcr_librosa(y, frame_length, hop_length):
    return librosa.feature.zero_crossing_rate(y, frame_length=frame_length, hop_length=hop_length)[0]


def zcr_loop(y, frame_length, hop_length, pad="edge", center=True, sign="signbit", divide_by=None):
    """A deliberately plain implementation, one frame and one pair of samples at a time."""
    y = [float(value) for value in y]
    if center:
        half = frame_length // 2
        left, right = (y[0], y[-1]) if pad == "edge" else (0.0, 0.0)
        y = [left] * half + y + [right] * half
    values = []
    start = 0
    while start + frame_length <= len(y):
        frame = y[start:start + frame_length]
        crossings = 0
        for previous, current in zip(frame[:-1], frame[1:]):
            if sign == "signbit":
                crossings += (previous < 0) != (current < 0)
            elif sign == "sign":
                crossings += np.sign(previous) != np.sign(current)
            else:
                crossings += previous * current < 0
        values.append(crossings / (frame_length if divide_by is None else divide_by(frame_length)))
        start += hop_length
    return np.array(values)


@pytest.mark.parametrize("check, arguments", [
    (check_zero_crossing_rate_function, ()),
    (check_tone_zcr, (440.0, SR)),
    (check_loud_frame_zcr, "speech"),
])
def test_none_means_not_answered_yet(check, arguments):
    if arguments == "speech":
        arguments = helpers.load_sample_cached("speech")
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result
    assert "Hint" in result.message


def test_the_test_signal_avoids_the_threshold_range_and_has_negative_edges():
    y = function_test_signal()
    assert not np.any((np.abs(y) > 0) & (np.abs(y) <= 1e-10))
    assert y[0] < 0 and y[-1] < 0 and np.count_nonzero(y == 0) >= 800


@pytest.mark.parametrize("signal", ["test signal", "speech", "tone", "noise"])
def test_reference_matches_librosa(signal):
    y = {"test signal": lambda: function_test_signal(),
         "speech": lambda: helpers.load_sample_cached("speech")[0][: 3 * SR],
         "tone": lambda: helpers.pure_tone(1000, 0.5, SR, phase=-np.pi / 2),
         "noise": lambda: helpers.white_noise(0.5, SR, seed=3)}[signal]()
    for frame_length, hop_length in ((2048, 512), (1024, 256), (512, 128)):
        np.testing.assert_array_equal(zcr_reference(y, frame_length, hop_length), zcr_librosa(y, frame_length,
                                                                                                hop_length))


def test_function_correct():
    assert check_zero_crossing_rate_function(zcr_librosa)
    assert check_zero_crossing_rate_function(zcr_loop)
    assert "frames match" in check_zero_crossing_rate_function(zcr_loop).message


@pytest.mark.parametrize("mistake, fragments", [
    (dict(pad="zeros"), ("padded with zeros", "mode='edge'")),
    (dict(sign="sign"), ("third sign",)),
    (dict(sign="product"), ("y[n - 1] * y[n] < 0",)),
    (dict(divide_by=lambda n: 1), ("number of crossings", "divide each count by frame_length")),
    (dict(divide_by=lambda n: n - 1), ("frame_length - 1",)),
    (dict(divide_by=lambda n: 1, pad="zeros"), ("number of crossings", "padded with zeros")),
])
def test_function_typical_mistakes(mistake, fragments):
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: zcr_loop(y, f, h, **mistake)), *fragments)


def test_function_framing_mistakes():
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: zcr_loop(y, f, h, center=False)),
                 "centred framing", "edge samples")
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: zcr_librosa(y, 2048, 512)), "2048 and 512")
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: zcr_loop(y, f, h)[:-1]), "1 + len(y) // hop")
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: 1.1 * zcr_loop(y, f, h)), "differs")


def test_function_returns_none_not_callable_or_raises():
    def forgot_return(y, frame_length, hop_length):
        zcr_loop(y, frame_length, hop_length)

    def crashes(y, frame_length, hop_length):
        raise IndexError("index 5 is out of bounds")

    unfinished = check_zero_crossing_rate_function(forgot_return)
    assert unfinished.status == "unanswered" and "return" in unfinished.message
    assert_wrong(check_zero_crossing_rate_function(zcr_loop(function_test_signal(), 1024, 256)),
                 "pass the function itself")
    assert_wrong(check_zero_crossing_rate_function(crashes), "IndexError", "out of bounds")
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: "many"), "array of numbers", "a string")


def test_tone_prediction():
    tone = helpers.pure_tone(880, 2.0, 44100)
    measured = float(np.median(librosa.feature.zero_crossing_rate(tone)[0]))
    # The exercise asks for the prediction; a measurement (one crossing per frame off) is not it to 3 figures.
    assert_not_diagnosed(check_tone_zcr(measured, 880, 44100), "crossings per sample")
    assert check_tone_zcr(0.0399, 880, 44100)
    assert check_tone_zcr(1760 / 44100, 880, 44100)
    assert_wrong(check_tone_zcr(880 / 44100, 880, 44100), "twice per period")
    assert_wrong(check_tone_zcr(1760, 880, 44100), "crossings per second")
    assert_wrong(check_tone_zcr(880, 880, 44100), "frequency in Hz")
    assert_wrong(check_tone_zcr(44100 / 1760, 880, 44100), "upside down")
    assert_wrong(check_tone_zcr(880 / 88200, 880, 44100), "divided by 2")
    assert_wrong(check_tone_zcr(1760 / 22050, 880, 44100), "sr = 22050")
    assert_wrong(check_tone_zcr([1, 2], 880, 44100), "one number")
    assert_not_diagnosed(check_tone_zcr(0.5, 880, 44100), "crossings per sample")


def test_loud_frame_mean():
    y, sr = helpers.load_sample_cached("speech")
    zcr = zcr_reference(y, 2048, 512)  # equal to librosa's, see test_reference_matches_librosa
    rms = np.array([np.sqrt(np.mean(np.square(frame, dtype=np.float64)))
                    for frame in librosa.util.frame(np.pad(y, 1024), frame_length=2048, hop_length=512).T])
    level_db = 20 * np.log10(np.maximum(rms, 1e-10))
    loud = level_db > -40
    assert 0 < loud.sum() < loud.size
    assert check_loud_frame_zcr(zcr[loud].mean(), y, sr)
    assert_wrong(check_loud_frame_zcr(zcr.mean(), y, sr), "all frames", "20 * log10")
    assert_wrong(check_loud_frame_zcr(zcr[~loud].mean(), y, sr), "wrong way round")
    assert_wrong(check_loud_frame_zcr(zcr[rms > 10 ** (-40 / 10)].mean(), y, sr), "power formula")
    assert_wrong(check_loud_frame_zcr(zcr[10 * np.log10(rms + 1e-12) > -40].mean(), y, sr), "10 · log10(rms)")
    relative_db = level_db - level_db.max()
    assert_wrong(check_loud_frame_zcr(zcr[relative_db > -40].mean(), y, sr), "ref=np.max")
    assert_wrong(check_loud_frame_zcr(np.median(zcr[loud]), y, sr), "median")
    assert_wrong(check_loud_frame_zcr(zcr[loud].mean() * sr, y, sr), "per second")
    assert_not_diagnosed(check_loud_frame_zcr(0.3, y, sr), "crossings per sample")
    assert_wrong(check_loud_frame_zcr([0.06, 0.07], y, sr), "one number")


def test_reflect_padding_and_zero_counted_as_negative_are_named():
    def loop(y, frame_length, hop_length, mode="edge", positive=False):
        padded = np.pad(np.asarray(y, dtype=float), frame_length // 2, mode=mode)
        values = []
        for start in range(0, len(padded) - frame_length + 1, hop_length):
            frame = padded[start:start + frame_length]
            frame = np.where(np.abs(frame) <= 1e-10, 0.0, frame)
            side = frame > 0 if positive else ~np.signbit(frame)
            values.append(np.count_nonzero(side[1:] != side[:-1]) / frame_length)
        return np.array(values)

    assert check_zero_crossing_rate_function(loop)
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: loop(y, f, h, mode="reflect")), "reflection")
    assert_wrong(check_zero_crossing_rate_function(lambda y, f, h: loop(y, f, h, positive=True)), "y > 0")
