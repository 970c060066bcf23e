"""Lesson 09's exercise checks pass correct answers, name typical mistakes, and treat None as 'not answered yet'.

The correct answers here come from librosa (hz_to_midi, chroma_cqt) or a plain loop written in the test, never from
helpers/checks, so a check that computed the wrong thing would fail these tests. The policy is the course's one
(helpers/checks/core.py): a real number passes exact or correctly rounded to 3 or more significant figures; a
pitch class, like a count, must be exact.
"""

import math

import librosa
import numpy as np
import pytest

from helpers.checks.pitch import check_chroma_from_cqt_function, check_pitch_class, check_tuning, cqt_test_magnitude
from check_assertions import assert_not_diagnosed, assert_wrong


@pytest.mark.parametrize("check, arguments", [
    (check_pitch_class, (205.0,)),
    (check_tuning, (446.0,)),
    (check_chroma_from_cqt_function, ()),
])
def test_none_means_not_answered_yet(check, arguments):
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result
    assert "Hint" in result.message


# ---------------------------------------------------------------- exercise 1: which pitch class?


@pytest.mark.parametrize("frequency_hz", [205.0, 440.0, 261.63, 30.87, 3951.0, 1000.0])
def test_the_pitch_class_of_librosas_nearest_note_passes(frequency_hz):
    midi = int(np.round(librosa.hz_to_midi(frequency_hz)))
    name = librosa.midi_to_note(midi, octave=False, unicode=False)
    assert check_pitch_class(midi % 12, frequency_hz), (frequency_hz, midi % 12)
    assert check_pitch_class(float(midi % 12), frequency_hz)
    assert check_pitch_class(name, frequency_hz), name                    # 'G#', as librosa spells it
    assert check_pitch_class(name.lower(), frequency_hz)


def test_pitch_class_names_in_other_spellings():
    assert check_pitch_class("Ab", 205.0) and check_pitch_class("G♯", 205.0) and check_pitch_class("A♭", 205.0)
    assert check_pitch_class("Bb", 466.16) and check_pitch_class("A#", 466.16)
    assert_wrong(check_pitch_class("H", 205.0), "name such as 'G#'")
    assert_wrong(check_pitch_class("G", 205.0), "off by one semitone")


def test_pitch_class_typical_mistakes():
    frequency = 205.0                       # MIDI 55.78: G#3, 22 cents flat; cutting the decimals off gives G
    assert_wrong(check_pitch_class(55 % 12, frequency), "off by one semitone", "round")
    assert_wrong(check_pitch_class(56, frequency), "MIDI note number", "% 12")                     # Hz vs MIDI
    from_a = round(12 * math.log2(frequency / 440)) % 12                                          # A = 0
    assert from_a != 8
    assert_wrong(check_pitch_class(from_a, frequency), "counts from A")
    assert_wrong(check_pitch_class(205, frequency), "frequency in Hz")
    assert_wrong(check_pitch_class(round(69 + 12 * math.log(frequency / 440)) % 12, frequency), "base-2")
    assert_wrong(check_pitch_class(8.5, frequency), "whole number")
    assert_not_diagnosed(check_pitch_class(3, frequency), "modulo 12")
    assert_wrong(check_pitch_class(np.array([8, 8]), frequency), "array of 2 numbers")
    assert_wrong(check_pitch_class(True, frequency), "True/False")


# ---------------------------------------------------------------- exercise 2: tuning


def test_tuning_right_answers_and_the_rounding_policy():
    expected = 12 * np.log2(446 / 440)                       # 0.23446...
    assert check_tuning(expected, 446.0)
    assert check_tuning(float(f"{expected:.3g}"), 446.0) and check_tuning(float(f"{expected:.5g}"), 446.0)
    assert check_tuning(np.float32(expected), 446.0)
    assert check_tuning(36 * np.log2(446 / 440), 446.0, bins_per_octave=36)
    assert check_tuning(-12 * np.log2(440 / 432), 432.0)     # tuned flat: negative
    assert_wrong(check_tuning(0.2, 446.0), "fewer than 3 significant figures")
    assert_wrong(check_tuning(0.2344, 446.0), "cut off")                     # 0.23446 cut to 4 figures


def test_tuning_typical_mistakes():
    octaves = np.log2(446 / 440)
    assert_wrong(check_tuning(1200 * octaves, 446.0), "cents")
    assert_wrong(check_tuning(6.0, 446.0), "difference in Hz")                         # A = 440 Hz vs bins
    assert_wrong(check_tuning(446 / 440, 446.0), "frequency ratio")
    assert_wrong(check_tuning(octaves, 446.0), "octaves")
    assert_wrong(check_tuning(36 * octaves, 446.0), "36-bins-per-octave")
    assert_wrong(check_tuning(12 * octaves, 446.0, bins_per_octave=36), "12-bins-per-octave")
    assert_wrong(check_tuning(-12 * octaves, 446.0), "sign")
    assert_wrong(check_tuning(12 * np.log(446 / 440), 446.0), "base-2")
    assert_wrong(check_tuning(0.23, 446.0), "estimate_tuning reports")                 # librosa's 0.01 steps
    for unmatched in (0.5, -0.1, 0.9):
        assert_not_diagnosed(check_tuning(unmatched, 446.0))
    assert_wrong(check_tuning("0.23", 446.0), "a string")


def test_estimate_tuning_measures_what_the_check_expects():
    # The check's unit is the one librosa reports: a sine at A4 = 446 Hz is estimated about 0.2 semitones sharp
    # (0.21: estimate_tuning's peak interpolation is a little off for a lone sine), not 23 (cents) or 6 (Hz).
    t = np.arange(3 * 22050) / 22050
    tone = (0.5 * np.sin(2 * np.pi * 446 * t)).astype(np.float32)
    estimate = librosa.estimate_tuning(y=tone, sr=22050)
    assert abs(estimate - 12 * np.log2(446 / 440)) <= 0.03
    assert check_tuning(12 * np.log2(446 / 440), 446.0) and not check_tuning(estimate + 0.05, 446.0)


# ---------------------------------------------------------------- exercise 3: chroma from a constant-Q transform


def chroma_loop(magnitude, bins_per_octave):
    """A deliberately plain fold: one bin at a time, then one frame at a time."""
    chroma = np.zeros((12, magnitude.shape[1]))
    per_semitone = bins_per_octave // 12
    for j in range(magnitude.shape[0]):
        semitone = int(math.floor(j / per_semitone + 0.5))
        chroma[semitone % 12] += magnitude[j]
    for t in range(chroma.shape[1]):
        if chroma[:, t].max() > 0:
            chroma[:, t] /= chroma[:, t].max()
    return chroma


def test_chroma_function_correct_answers_pass():
    assert check_chroma_from_cqt_function(chroma_loop)
    assert check_chroma_from_cqt_function(lambda C, b: librosa.feature.chroma_cqt(C=C, bins_per_octave=b))
    assert check_chroma_from_cqt_function(lambda C, b: chroma_loop(C, b).astype(np.float32))


def test_the_test_transform_has_silence_and_every_kind_of_frame():
    magnitude = cqt_test_magnitude(36)
    chroma = librosa.feature.chroma_cqt(C=magnitude, bins_per_octave=36)
    assert (magnitude.max(axis=0) == 0).sum() == 8           # silent frames, whose chroma must stay 0
    strongest = {int(k) for k in chroma[:, magnitude.max(axis=0) > 0].argmax(axis=0)}
    assert {9, 7} <= strongest                                # the A major chord's root, then the G alone


def test_chroma_function_typical_mistakes():
    check = check_chroma_from_cqt_function

    def unnormalised(C, b):
        chroma = chroma_loop(C, b)
        raw = np.zeros_like(chroma)
        for j in range(C.shape[0]):
            raw[int(math.floor(j / (b // 12) + 0.5)) % 12] += C[j]
        return raw

    assert_wrong(check(unnormalised), "unnormalised chroma")
    assert_wrong(check(lambda C, b: unnormalised(C, b) / np.maximum(unnormalised(C, b).sum(axis=0), 1e-30)), "sum")
    assert_wrong(check(lambda C, b: np.roll(chroma_loop(C, b), -9, axis=0)), "count from A")       # row 0 = A
    assert_wrong(check(lambda C, b: np.roll(chroma_loop(C, b), 1, axis=0)), "off by one semitone")
    assert_wrong(check(lambda C, b: chroma_loop(C ** 2, b)), "squared magnitudes")
    assert_wrong(check(lambda C, b: chroma_loop(C, b).T), "transposed")

    def floor_fold(C, b):
        chroma = np.zeros((12, C.shape[1]))
        for j in range(C.shape[0]):
            chroma[(j // (b // 12)) % 12] += C[j]
        return chroma / np.where(chroma.max(axis=0) > 0, chroma.max(axis=0), 1)

    assert_wrong(check(floor_fold), "nearest semitone")

    def round_half_even(C, b):
        chroma = np.zeros((12, C.shape[1]))
        np.add.at(chroma, np.round(np.arange(C.shape[0]) * 12 / b).astype(int) % 12, C)
        return chroma / np.where(chroma.max(axis=0) > 0, chroma.max(axis=0), 1)

    assert_wrong(check(round_half_even), "halfway", "upper semitone")
    assert_wrong(check(lambda C, b: chroma_loop(C, 36)), "fixed 36")

    def nan_for_silence(C, b):
        chroma = unnormalised(C, b)
        with np.errstate(invalid="ignore"):
            return chroma / chroma.max(axis=0)

    assert_wrong(check(nan_for_silence), "NaN", "silent")
    assert_not_diagnosed(check(lambda C, b: chroma_loop(C, b) + 0.01), "differs")
    assert check(lambda C, b: None).status == "unanswered"
    assert_wrong(check(lambda C, b: 1 / 0), "ZeroDivisionError")
    assert_wrong(check(np.zeros((12, 3))), "function itself")
