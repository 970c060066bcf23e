"""Lesson 10's exercise checks: right answers pass (exact or correctly rounded to 3 significant figures), the typical
mistakes get their names, answers that match no mistake name none, and None is 'not answered yet'.

Expected values are computed here independently of helpers/checks: the tempo formula written out, and matchings
found by SciPy's assignment solver (a maximum matching over every pair within the tolerance) rather than the
checks' two-pointer walk.
"""

import math

import numpy as np
import pytest
import scipy.optimize

from helpers.checks.rhythm import (check_double_tempo_f_measure, check_onset_f_measure, check_tempo_from_lag,
                                   matched_pairs, scores)
from check_assertions import assert_not_diagnosed, assert_wrong

SR = 22050


def three_figures(x):
    return float(f"{x:.3g}")


def assignment_hits(estimated, reference, tolerance):
    """The largest one-to-one matching within the tolerance, by linear assignment on a 0/1 cost."""
    estimated, reference = np.asarray(estimated, float), np.asarray(reference, float)
    if not estimated.size or not reference.size:
        return 0
    near = np.abs(estimated[:, None] - reference[None, :]) <= tolerance + 1e-12
    rows, columns = scipy.optimize.linear_sum_assignment(-near.astype(float))
    return int(near[rows, columns].sum())


def f_measure(estimated, reference, tolerance):
    hits = assignment_hits(estimated, reference, tolerance)
    precision, recall = hits / len(estimated), hits / len(reference)
    return 2 * precision * recall / (precision + recall) if hits else 0.0, precision, recall


# A click train 0.5 s apart, and detections at hop 256: most on time, a few early or late, two near one click,
# one just inside and one just outside the ±50 ms window, some false alarms in between.
CLICKS = np.arange(40) * 0.5
HOP = 256
_frames = [round(t * SR / HOP) + shift for t, shift in zip(CLICKS, np.tile([0, 1, 2, -1, 0], 8))]
_frames = sorted(set(_frames[2:] + [round(0.25 * SR / HOP), round(3.75 * SR / HOP), round(7.1 * SR / HOP),
                                    round(5.0 * SR / HOP) + 2, round(9.25 * SR / HOP)]))
DETECTED_FRAMES = np.array(_frames)


def test_matching_is_maximal_and_one_to_one():
    rng = np.random.default_rng(4)
    for _ in range(200):
        reference = np.sort(rng.uniform(0, 5, rng.integers(1, 15)))
        estimated = np.sort(rng.uniform(0, 5, rng.integers(1, 15)))
        assert matched_pairs(estimated, reference, 0.2) == assignment_hits(estimated, reference, 0.2)
    # the window includes its boundary, and a reference is matched once however many detections are near it
    assert matched_pairs([1.05, 2.0], [1.0], 0.05) == 1 and matched_pairs([0.99, 1.01], [1.0], 0.05) == 1
    assert scores([0.99, 1.01], [1.0], 0.05) == (0.5, 1.0, pytest.approx(2 / 3))


@pytest.mark.parametrize("check, arguments", [
    (check_tempo_from_lag, (43, SR, 256)),
    (check_onset_f_measure, (DETECTED_FRAMES, CLICKS, SR, HOP)),
    (check_double_tempo_f_measure, (40,)),
])
def test_none_means_not_answered_yet(check, arguments):
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result and "Hint" in result.message


# ------------------------------------------------------------------ the course's policy for single numbers

TEMPO = 60 / (43 * 256 / SR)
ONSET_F, ONSET_P, ONSET_R = f_measure(DETECTED_FRAMES * HOP / SR, CLICKS, 0.05)
DOUBLE_F = 2 * (40 / 79) / (40 / 79 + 1)
CASES = [
    ("tempo", lambda a: check_tempo_from_lag(a, 43, SR, 256), TEMPO, (43 * 256 / SR, "beat period"),
     (95.0, 7.7, 333.0)),
    ("onset_f", lambda a: check_onset_f_measure(a, DETECTED_FRAMES, CLICKS, SR, HOP), ONSET_F,
     ((ONSET_P + ONSET_R) / 2, "arithmetic mean"), (0.5, 0.123, 0.31)),
    ("double_tempo", lambda a: check_double_tempo_f_measure(a, 40), DOUBLE_F, (40 / 79, "precision alone"),
     (0.9, 0.31, 0.05)),
]


@pytest.mark.parametrize("name, check, expected, mistake, unmatched", CASES, ids=[case[0] for case in CASES])
def test_single_numbers_follow_the_policy(name, check, expected, mistake, unmatched):
    assert check(expected), repr(check(expected))
    assert check(three_figures(expected)), f"{name}: 3 significant figures failed"
    assert check(float(f"{expected:.5g}")) and check(np.float32(expected))
    mistaken, fragment = mistake
    assert_wrong(check(mistaken), fragment)
    assert check(mistaken).diagnosed
    assert_wrong(check(three_figures(mistaken)), fragment)
    for answer in unmatched:
        assert_not_diagnosed(check(answer))
    assert_wrong(check("0.5"), "a string")
    assert_wrong(check(np.array([expected, expected])), "array of 2 numbers")
    assert_wrong(check(True), "True/False")


@pytest.mark.parametrize("name, check, expected, mistake, unmatched", CASES, ids=[case[0] for case in CASES])
def test_too_few_figures_or_cut_off_digits_are_named(name, check, expected, mistake, unmatched):
    two = float(f"{expected:.2g}")
    result = check(two)
    if not result and "fewer than 3 significant figures" not in result.message:
        assert result.diagnosed, result.message
    digits = 10 ** (math.floor(math.log10(abs(expected))) - 2)
    cut = math.trunc(expected / digits) * digits
    if not check(cut):
        assert_wrong(check(cut), "cut off")


# ------------------------------------------------------------------ exercise 1: lag versus BPM

@pytest.mark.parametrize("answer, fragment", [
    (43 * 256 / SR, "beat period in seconds"),
    (SR / (43 * 256), "beats per second"),
    (60 / 43, "treated the lag as seconds"),
    (60 * SR / 43, "as a number of samples"),
    (60 * SR / (512 * 43), "hop_length = 512"),
    (60 * 44100 / (256 * 43), "sr = 44100"),
    (60 * SR / (256 * 42), "one frame off"),
    (60 * SR / (256 * 44), "one frame off"),
    (60 * 43 * 256 / SR, "upside down"),
])
def test_tempo_mistakes_are_named(answer, fragment):
    assert_wrong(check_tempo_from_lag(answer, 43, SR, 256), fragment)


def test_tempo_correct_message_shows_the_steps():
    result = check_tempo_from_lag(120.19, 43, SR, 256)
    assert result and "0.4992 s per beat" in result.message and "120.19 BPM" in result.message


# ------------------------------------------------------------------ exercise 2: frames, seconds and one-to-one

def test_the_detections_make_a_discriminating_case():
    # every mistake below gives its own number, and none equals the right one
    assert 0.5 < ONSET_P < ONSET_R < 1
    assert assignment_hits(DETECTED_FRAMES * HOP / SR, CLICKS, 0.05) < len(CLICKS)


@pytest.mark.parametrize("times, tolerance, fragment", [
    (DETECTED_FRAMES * 512 / SR, 0.05, "hop_length = 512"),
    (DETECTED_FRAMES.astype(float), 0.05, "compared frame numbers"),
    (DETECTED_FRAMES * HOP / SR, 50.0, "±50 ms is 0.05 s"),
])
def test_onset_conversion_mistakes_are_named(times, tolerance, fragment):
    wrong = f_measure(times, CLICKS, tolerance)[0]
    assert not np.isclose(wrong, ONSET_F)
    assert_wrong(check_onset_f_measure(wrong, DETECTED_FRAMES, CLICKS, SR, HOP), fragment)


def test_onset_scoring_mistakes_are_named():
    check = lambda a: check_onset_f_measure(a, DETECTED_FRAMES, CLICKS, SR, HOP)  # noqa: E731
    assert_wrong(check(ONSET_P), "that is the precision")
    assert_wrong(check(ONSET_R), "that is the recall")
    times = DETECTED_FRAMES * HOP / SR
    near = np.abs(times[:, None] - CLICKS[None, :]) <= 0.05 + 1e-12
    p, r = near.any(axis=1).mean(), near.any(axis=0).mean()
    assert_wrong(check(2 * p * r / (p + r)), "matched only once")
    assert_wrong(check(100 * ONSET_F), "percentage")
    result = check(ONSET_F)
    assert result and f"of {DETECTED_FRAMES.size} detections" in result.message


def test_onset_check_on_the_lessons_data():
    import librosa

    import helpers
    from helpers.pitch import piano_notes

    y, sr = helpers.load_sample_cached("piano")
    frames = librosa.onset.onset_detect(y=y, sr=sr, hop_length=256)
    reference = np.array([onset for onset, _, _ in piano_notes()])
    expected = f_measure(librosa.frames_to_time(frames, sr=sr, hop_length=256), reference, 0.05)[0]
    assert expected > 0.9 and check_onset_f_measure(expected, frames, reference, sr, 256)


# ------------------------------------------------------------------ exercise 3: double tempo

def test_double_tempo_f_measure_and_its_mistakes():
    clicks = np.arange(40) * 0.5
    beats = np.sort(np.concatenate([clicks, clicks[:-1] + 0.25]))  # every click, and one halfway in each gap
    expected = f_measure(beats, clicks, 0.07)[0]
    assert expected == pytest.approx(DOUBLE_F) and check_double_tempo_f_measure(expected, 40)
    assert_wrong(check_double_tempo_f_measure(2 / 3, 40), "40 clicks have 39 gaps")
    assert_wrong(check_double_tempo_f_measure(0.667, 40), "39 gaps")
    assert_wrong(check_double_tempo_f_measure(1.0, 40), "recall alone")
    assert_wrong(check_double_tempo_f_measure((40 / 79 + 1) / 2, 40), "arithmetic mean")
    assert_wrong(check_double_tempo_f_measure(39 / 79, 40), "share of wrong beats")
    assert_wrong(check_double_tempo_f_measure(100 * DOUBLE_F, 40), "percentage")
