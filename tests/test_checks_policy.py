"""One tolerance policy, one verdict per convention, and no wrong diagnosis, for every single-number check.

For each check: the right answer passes, and so does the right answer correctly rounded to 3 significant figures;
an answer that matches a named mistake gets that mistake's message; answers that match no mistake get a message that
names none (``diagnosed is False``). Expected values are computed here, independently of helpers/checks (librosa,
NumPy, or the formula written out), never copied from the code under test.
"""

import math

import librosa
import numpy as np
import pytest

import helpers
from helpers import checks
from helpers.checks.centroid import check_two_tone_centroid, check_two_tone_rolloff
from helpers.checks.classification import check_accuracy_from_confusion, check_gap_segments, check_majority_baseline
from helpers.checks.collection import check_noise_rms, check_table_rows
from helpers.checks.comparison import check_fisher_ratio_function, check_standardise_function
from helpers.checks.core import ANSWER_POLICY
from helpers.checks.mfcc import check_mel_band_spacing, check_mfcc_count
from helpers.checks.spectrogram import check_bin_frequency, check_decibels
from helpers.checks.zero_crossing import check_loud_frame_zcr, check_tone_zcr
from check_assertions import assert_not_diagnosed, assert_wrong

SR = 22050


def three_figures(x):
    """``x`` rounded to 3 significant figures, written independently of the checks."""
    return float(f"{x:.3g}")


def _speech_like():
    """Tones with pauses: loud and quiet frames, so the loud-frame check has both."""
    rng = np.random.default_rng(3)
    parts = []
    for k in range(6):
        parts.append(0.3 * np.sin(2 * np.pi * (300 + 150 * k) * np.arange(SR // 2) / SR) + 0.02 * rng.standard_normal(SR // 2))
        parts.append(0.0005 * rng.standard_normal(SR // 3))
    return np.concatenate(parts).astype(np.float32)


SPEECH = _speech_like()
FRAME = helpers.white_noise(0.1, SR, amplitude=0.2, seed=5)[:2048]
CONFUSION = np.array([[53, 3, 0], [1, 9, 7], [1, 1, 5]])
COUNTS = {"rock": 120, "jazz": 60, "classical": 20}


def _loud_zcr():
    zcr = librosa.feature.zero_crossing_rate(SPEECH)[0].astype(float)
    level = 20 * np.log10(np.maximum(librosa.feature.rms(y=SPEECH)[0], 1e-10))
    return float(zcr[level > -30].mean())


def _mel_gap():
    edges = librosa.mel_frequencies(n_mels=130, fmin=0.0, fmax=SR / 2)
    return float(edges[2] - edges[1])


# (id, check(answer), expected computed here, (mistaken answer, fragment of its message), answers matching nothing)
REAL_VALUED = [
    ("duration", lambda a: checks.check_duration(a, SPEECH[:100_000], SR), 100_000 / SR,
     (100_000 / 44100, "44100"), (3.1, 7.77, 0.5)),
    ("rms", lambda a: checks.check_rms(a, FRAME), float(librosa.feature.rms(y=FRAME, frame_length=2048,
                                                                            center=False)[0, 0]),
     (float(np.mean(FRAME.astype(float) ** 2)), "mean square"), (0.9, 0.0123, 0.31)),
    ("bin_frequency", lambda a: check_bin_frequency(a, 93, 22050, 2048),
     float(librosa.fft_frequencies(sr=22050, n_fft=2048)[93]), (93 * 22050 / 1024, "twice too wide"),
     (1500.0, 777.0, 93.0)),
    ("decibels", lambda a: check_decibels(a, 0.05), float(librosa.amplitude_to_db(np.array(0.05), ref=1.0, top_db=None)),
     (float(librosa.power_to_db(np.array(0.05), ref=1.0, top_db=None)), "10 · log10"), (-40.0, -3.5, 12.0)),
    ("tone_zcr", lambda a: check_tone_zcr(a, 660, 44100), 2 * 660 / 44100, (660 / 44100, "twice per period"),
     (0.5, 0.0123, 0.25)),
    ("loud_frame_zcr", lambda a: check_loud_frame_zcr(a, SPEECH, SR, threshold_db=-30), _loud_zcr(),
     (float(librosa.feature.zero_crossing_rate(SPEECH)[0].mean()), "mean over all frames"), (0.45, 0.0011, 0.2)),
    ("two_tone_centroid", lambda a: check_two_tone_centroid(a, 300, 0.2, 3000, 0.5),
     float(np.average([300, 3000], weights=[0.2, 0.5])), (1650.0, "midpoint"), (1234.0, 2700.0, 5000.0)),
    ("mel_band_spacing", lambda a: check_mel_band_spacing(a, sr=SR, n_mels=128), _mel_gap(),
     (2 * _mel_gap(), "full width"), (12.0, 40.0, 3.3)),
    ("accuracy", lambda a: check_accuracy_from_confusion(a, CONFUSION), 67 / 80, (83.75, "percentage"),
     (0.5, 0.123, 0.95)),
    ("majority_baseline", lambda a: check_majority_baseline(a, COUNTS), 120 / 200, (1 / 3, "1/3"),
     (0.42, 0.77, 0.05)),
    ("noise_rms", lambda a: check_noise_rms(a, 0.1873, 20), 0.1873 * 10 ** (-20 / 20), (0.1873 * 10 ** (-20 / 10),
                                                                                         "POWER ratio"),
     (0.5, 0.3, 0.0777)),
]


@pytest.mark.parametrize("name, check, expected, mistake, unmatched", REAL_VALUED, ids=[c[0] for c in REAL_VALUED])
def test_real_valued_answers_follow_the_policy(name, check, expected, mistake, unmatched):
    assert check(expected), repr(check(expected))
    assert check(three_figures(expected)), f"{name}: {three_figures(expected)} (3 significant figures) failed"
    assert check(float(f"{expected:.5g}")), f"{name}: 5 significant figures failed"
    assert check(np.float32(expected)), f"{name}: the float32 value failed"
    mistaken, fragment = mistake
    assert_wrong(check(mistaken), fragment)
    assert check(mistaken).diagnosed
    assert_wrong(check(three_figures(mistaken)), fragment)  # a mistake is recognised when rounded, too
    for answer in unmatched:
        assert_not_diagnosed(check(answer))


@pytest.mark.parametrize("name, check, expected, mistake, unmatched", REAL_VALUED, ids=[c[0] for c in REAL_VALUED])
def test_too_few_figures_or_cut_off_digits_are_named(name, check, expected, mistake, unmatched):
    two = float(f"{expected:.2g}")
    result = check(two)
    # Two figures can equal three (0.6 for 0.600), or equal a mistake's value to 3 figures (26 for 25.99): then that
    # mistake may be named instead, but a wrong answer is never passed over in silence.
    if not result and "fewer than 3 significant figures" not in result.message:
        assert result.diagnosed, result.message
    digits = 10 ** (math.floor(math.log10(abs(expected))) - 2)
    cut = math.trunc(expected / digits) * digits
    if not check(cut):
        assert_wrong(check(cut), "cut off")


@pytest.mark.parametrize("name, check, expected, mistake, unmatched", REAL_VALUED, ids=[c[0] for c in REAL_VALUED])
def test_non_numbers_name_what_was_given(name, check, expected, mistake, unmatched):
    assert_wrong(check(np.array([True, False, True])), "array of 3 True/False values")
    assert_wrong(check(True), "True/False value")
    assert_wrong(check(np.array([expected, expected])), "array of 2 numbers")
    assert_wrong(check("0.5"), "a string")
    assert "ndarray" not in check(np.array([True, False])).message


@pytest.mark.parametrize("check, expected, unit, fragment", [
    (lambda a: check_bin_frequency(a, 93, 22050, 2048), 93 * 22050 / 2048, 1e-3, "kHz"),
    (lambda a: check_two_tone_centroid(a, 300, 0.2, 3000, 0.5), (0.2 * 300 + 0.5 * 3000) / 0.7, 1e-3, "kHz"),
    (lambda a: check_two_tone_rolloff(a, 400, 0.7, 2500, 0.2), 2500.0, 1e-3, "kHz"),
    (lambda a: check_mel_band_spacing(a, sr=SR, n_mels=128), _mel_gap(), 1e-3, "kHz"),
    (lambda a: checks.check_duration(a, SPEECH[:100_000], SR), 100_000 / SR, 1e3, "milliseconds"),
    (lambda a: checks.check_duration(a, SPEECH[:100_000], SR), 100_000 / SR, 1 / 60, "minutes"),
])
def test_unit_mistakes_are_named(check, expected, unit, fragment):
    assert_wrong(check(expected * unit), fragment)
    assert_wrong(check(three_figures(expected * unit)), fragment)


def test_linear_versus_decibels_both_ways():
    rms = float(np.sqrt(np.mean(FRAME.astype(float) ** 2)))
    assert_wrong(checks.check_rms(float(librosa.amplitude_to_db(np.array(rms), ref=1.0, top_db=None)), FRAME), "dB")
    assert_wrong(check_decibels(0.05, 0.05), "not yet in decibels")
    assert_wrong(check_decibels(20 * np.log(0.05), 0.05), "natural logarithm")


def test_whole_seconds_are_not_blamed_on_integer_division_alone():
    y = np.zeros(667_603, dtype=np.float32)  # 30.28 s at 22 050 Hz
    result = checks.check_duration(30, y, SR)
    assert_wrong(result, "whole seconds", "rounded, or cut off")
    assert checks.check_duration(30.3, y, SR)


def test_an_array_for_one_rms_is_blamed_on_centring_only_when_it_is_librosas_output():
    centred = librosa.feature.rms(y=FRAME, frame_length=2048)[0]
    assert_wrong(checks.check_rms(centred, FRAME), "centres and pads")
    other = checks.check_rms(np.abs(FRAME[:5]), FRAME)
    assert_wrong(other, "single number", "array of 5 numbers")
    assert "centres" not in other.message
    assert "centres" not in checks.check_rms(FRAME > 0, FRAME).message


@pytest.mark.parametrize("check, expected", [
    (lambda a: checks.check_sample_count(a, 2.5, SR), int(librosa.time_to_samples(2.5, sr=SR))),
    (lambda a: checks.check_frame_count(a, 100_000, 2048, 512),
     librosa.feature.rms(y=np.zeros(100_000), frame_length=2048, hop_length=512).shape[1]),
    (lambda a: check_mfcc_count(a, 100_000, n_mfcc=13, hop_length=512),
     librosa.feature.mfcc(y=np.random.default_rng(0).standard_normal(100_000).astype(np.float32), sr=SR,
                          n_mfcc=13).size),
    (lambda a: check_table_rows(a, 1000, 29.5, 3.0, 2), 1000 * int(29.5 // 3.0) * (1 + 2)),
    (lambda a: check_gap_segments(a, segment_s=3.0, hop_s=0.5),
     # segments 0.5 s apart of 3 s: the first one starting at or after 3 s is number 6, so 5 lie between
     next(d for d in range(1, 100) if d * 0.5 >= 3.0) - 1),
])
def test_counts_must_be_exact(check, expected):
    assert check(expected)
    assert check(float(expected))
    assert not check(expected + 1)
    if expected >= 1000:
        assert not check(three_figures(expected) if three_figures(expected) != expected else expected + 10)


def test_the_policy_is_stated_in_words():
    assert "3 significant figures" in ANSWER_POLICY and "exact" in ANSWER_POLICY


# ------------------------------------------------------------------ one verdict per variance convention


def test_ddof_is_accepted_with_a_note_in_every_check_that_uses_a_variance():
    def fisher(ddof):
        return lambda a, b: (np.mean(a) - np.mean(b)) ** 2 / (np.var(a, ddof=ddof) + np.var(b, ddof=ddof))

    def standardise(ddof):
        return lambda t: (t - t.mean(axis=0)) / t.std(axis=0, ddof=ddof)

    for check, function in ((check_fisher_ratio_function, fisher), (check_standardise_function, standardise)):
        population, sample = check(function(0)), check(function(1))
        assert population and "ddof" not in population.message
        assert sample and "ddof=1" in sample.message and "accepted" in sample.message


def test_a_mistake_is_named_with_either_variance_convention():
    for ddof in (0, 1):
        assert_wrong(check_fisher_ratio_function(
            lambda a, b: (np.mean(a) - np.mean(b)) ** 2 / (np.std(a, ddof=ddof) + np.std(b, ddof=ddof))),
            "standard deviations")
        assert_wrong(check_standardise_function(lambda t: t / t.std(axis=0, ddof=ddof)), "subtract")


def test_function_checks_name_a_boolean_result_correctly():
    from helpers.checks.zero_crossing import check_zero_crossing_rate_function

    result = check_zero_crossing_rate_function(lambda y, f, h: np.signbit(y))
    assert_wrong(result, "True/False values")
    assert "ndarray" not in result.message
    assert_wrong(check_fisher_ratio_function(lambda a, b: a[:5] - b[:5]), "one number", "array of 5 numbers")
