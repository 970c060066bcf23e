"""Lesson 08 checks: right answers pass (rounded ones too), typical mistakes get their message, None is 'not
answered yet'. The right answers are computed here in other ways: by cutting real arrays into segments with
helpers.segments, by measuring the noise helpers.collection adds, and by a plain loop over the rows."""

import numpy as np
import pytest

from helpers.checks.collection import check_fold_masks_function, check_noise_rms, check_table_rows
from helpers.collection import parse_augmentation
from helpers.segments import segment_bounds
from check_assertions import assert_not_diagnosed, assert_wrong

SR = 22050


@pytest.mark.parametrize("check, arguments", [
    (check_table_rows, (1000, 29.5, 3.0, 2)),
    (check_noise_rms, (0.1, 20)),
    (check_fold_masks_function, ()),
])
def test_none_means_not_answered_yet(check, arguments):
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result and "Hint" in result.message


# ------------------------------------------------------------------ rows in the table


def rows_by_cutting(n_files, file_s, segment_s, n_augmentations):
    """Cut one file's worth of samples with the helpers' own segment_bounds, then count versions and files."""
    return n_files * len(segment_bounds(int(round(file_s * SR)), SR, segment_s)) * (1 + n_augmentations)


def test_the_number_of_rows_must_be_exact():
    expected = rows_by_cutting(1000, 29.5, 3.0, 2)
    assert expected == 27000
    assert check_table_rows(expected, 1000, 29.5, 3.0, 2)
    assert check_table_rows(float(expected), 1000, 29.5, 3.0, 2)
    assert not check_table_rows(expected + 1, 1000, 29.5, 3.0, 2)
    assert check_table_rows(rows_by_cutting(25, 10.0, 3.0, 0), 25, 10.0, 3.0, 0)


@pytest.mark.parametrize("answer, fragment", [
    (9000, "counts each file once"),            # forgot the copies
    (18000, "altered copies only"),              # forgot the file itself
    (30000, "only whole segments"),              # 10 segments: rounded up
    (29500, "only WHOLE segments"),              # 29.5 / 3 × 1000 × 3: a fraction of a segment
    (27, "ONE file"),
    (3000, "versions of the files"),
    (36000, "one version too many"),
])
def test_row_count_mistakes_are_named(answer, fragment):
    assert_wrong(check_table_rows(answer, 1000, 29.5, 3.0, 2), fragment)


def test_a_row_count_matching_no_mistake_names_none():
    assert_not_diagnosed(check_table_rows(12345, 1000, 29.5, 3.0, 2))
    assert_wrong(check_table_rows(27000.5, 1000, 29.5, 3.0, 2), "whole number")


# ------------------------------------------------------------------ noise at a stated SNR


def measured_noise_rms(signal_rms, snr_db):
    """The RMS of the noise the pipeline's noise:SNR augmentation really adds to a signal of that RMS."""
    y = (signal_rms * np.sqrt(2) * np.sin(2 * np.pi * 440 * np.arange(4 * SR) / SR)).astype(np.float32)
    added = parse_augmentation(f"noise:{snr_db:g}").apply(y, SR, seed=1).astype(np.float64) - y
    return float(np.sqrt(np.mean(added**2)))


def test_the_noise_rms_passes_exact_and_rounded():
    expected = 0.1873 / 10 ** (20 / 20)
    assert measured_noise_rms(0.1873, 20) == pytest.approx(expected, rel=0.01)
    assert check_noise_rms(expected, 0.1873, 20)
    assert check_noise_rms(float(f"{expected:.3g}"), 0.1873, 20)
    assert check_noise_rms(np.float32(expected), 0.1873, 20)


@pytest.mark.parametrize("answer, fragment", [
    (0.1873 / 100, "POWER ratio"),
    (0.1873 * 10, "upside down"),
    (0.1873 / 20, "dB are not a factor"),
    ((0.1873 / 10) ** 2, "POWER (its mean square)"),
    (20 * np.log10(0.1873 / 10), "dB"),
    (0.019, "fewer than 3 significant figures"),
])
def test_noise_mistakes_are_named(answer, fragment):
    assert_wrong(check_noise_rms(answer, 0.1873, 20), fragment)


def test_a_noise_answer_matching_no_mistake_names_none():
    assert_not_diagnosed(check_noise_rms(0.5, 0.1873, 20))
    assert_wrong(check_noise_rms("0.0187", 0.1873, 20), "a string")


# ------------------------------------------------------------------ the grouped split with copies


def masks_by_loop(groups, augmentations, test_group):
    train = np.zeros(len(groups), dtype=bool)
    test = np.zeros(len(groups), dtype=bool)
    for row, (group, augmentation) in enumerate(zip(groups, augmentations)):
        if group != test_group:
            train[row] = True
        elif augmentation == "none":
            test[row] = True
    return train, test


def test_a_right_split_function_passes_written_either_way():
    assert check_fold_masks_function(masks_by_loop)
    assert check_fold_masks_function(lambda g, a, t: (g != t, (g == t) & (a == "none")))
    assert check_fold_masks_function(lambda g, a, t: [np.asarray(g) != t, (np.asarray(g) == t) & (np.asarray(a) == "none")])


@pytest.mark.parametrize("function, fragment", [
    (lambda g, a, t: ((g != t) | (a != "none"), (g == t) & (a == "none")), "altered copies of the test recording"),
    (lambda g, a, t: (g != t, g == t), "holds the altered copies"),
    (lambda g, a, t: ((g != t) & (a == "none"), (g == t) & (a == "none")), "leaves out the altered copies"),
    (lambda g, a, t: ((g == t) & (a == "none"), g != t), "swapped"),
    (lambda g, a, t: g != t, "return two masks"),
    (lambda g, a, t: (np.flatnonzero(g != t), np.flatnonzero(g == t)), "True/False values"),
    (lambda g, a, t: 1 / 0, "ZeroDivisionError"),
    (lambda g, a, t: None, "returned None"),
])
def test_split_mistakes_are_named(function, fragment):
    result = check_fold_masks_function(function)
    assert not result and fragment in result.message, result.message


def test_a_split_matching_no_mistake_names_none():
    nothing = lambda g, a, t: (np.zeros(len(g), dtype=bool), np.zeros(len(g), dtype=bool))  # noqa: E731
    assert_not_diagnosed(check_fold_masks_function(nothing))
