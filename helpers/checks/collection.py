"""Exercise checks for lesson 08: the size of a collection's table, noise at a stated SNR, and a grouped split
that keeps augmented copies with their recording.

Every check computes the expected answer itself. Conventions, as in the lesson and in helpers/collection.py:

* a file gives one row per WHOLE segment (a last, shorter piece is left out), and one more set of rows per
  augmentation (the file itself is augmentation ``"none"``);
* an SNR in dB compares powers: ``SNR = 10 log10(P_signal / P_noise) = 20 log10(RMS_signal / RMS_noise)``;
* a split gives two True/False masks over the table's rows, ``(train, test)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .core import (CheckResult, _correct, _describe, _general_mistake, _matches, _not_right, _number_answer,
                   _unanswered, _wrong)

# ---------------------------------------------------------------------------------------------- rows in a table


def check_table_rows(answer, n_files: int, file_s: float, segment_s: float, n_augmentations: int) -> CheckResult:
    """Lesson 08: how many rows the features table of ``n_files`` files of ``file_s`` seconds has, cut into
    touching segments of ``segment_s`` seconds, with ``n_augmentations`` altered copies of every file (none silent).

    Each file gives ``floor(file_s / segment_s)`` whole segments; it and each copy give that many rows:
    ``n_files × floor(file_s / segment_s) × (1 + n_augmentations)``. A count: it must be exact.
    """
    value, feedback = _number_answer(
        answer,
        "count the whole segments in one file first (a last, shorter piece is left out), then the versions of each "
        "file in the table (the file itself and its altered copies), then the files.",
        "the answer is a number of rows, one whole number",
    )
    if feedback is not None:
        return feedback
    per_file = math.floor(file_s / segment_s + 1e-9)
    versions = 1 + n_augmentations
    expected = n_files * per_file * versions
    if value == expected:
        return _correct(f"{n_files} files × {per_file} whole segments × {versions} versions (the file and "
                        f"{n_augmentations} altered copies) = {expected} rows.")
    fraction = n_files * (file_s / segment_s) * versions
    if _matches(value, fraction):
        return _wrong(f"a file of {file_s:g} s holds {file_s / segment_s:g} segments of {segment_s:g} s, but only "
                      f"WHOLE segments become rows: {per_file} per file (the last {file_s % segment_s:g} s are left "
                      "out).")
    if not float(value).is_integer():
        return _wrong("a number of rows is a whole number.")
    mistakes = [
        (n_files * per_file, f"that counts each file once: its {n_augmentations} altered copies add rows too, "
                             f"{per_file} each, so every file appears in {versions} versions."),
        (n_files * per_file * n_augmentations, "that counts the altered copies only: the file itself is in the table "
                                               "too (augmentation 'none'), so there are 1 + "
                                               f"{n_augmentations} versions of each file."),
        (n_files * math.ceil(file_s / segment_s) * versions,
         f"the last, shorter piece of each file ({file_s % segment_s:g} s) is not a segment: only whole segments "
         f"become rows, {per_file} per file, not {math.ceil(file_s / segment_s)}."),
        (per_file * versions, f"that is the rows of ONE file; the collection has {n_files}."),
        (n_files * versions, "that counts the versions of the files, not their segments: each gives one row per "
                             "segment."),
        (n_files * per_file * (versions + 1),
         "one version too many: the file itself is one of the versions (1 + the number of augmentations)."),
    ]
    for mistaken, message in mistakes:
        if value == mistaken and mistaken != expected:
            return _wrong(message)
    return _not_right("not the number of rows. Multiply three counts: files, whole segments per file, and versions "
                      "of each file (itself plus its altered copies).")


# ---------------------------------------------------------------------------------------------- noise at an SNR


def check_noise_rms(answer, signal_rms: float, snr_db: float) -> CheckResult:
    """Lesson 08: the RMS of white noise that lies ``snr_db`` dB below a signal of RMS ``signal_rms`` (full scale).

    ``SNR = 20 log10(signal_rms / noise_rms)``, so ``noise_rms = signal_rms / 10^(snr_db / 20)``, what
    ``augment=["noise:<snr_db>"]`` adds.
    """
    value, feedback = _number_answer(
        answer,
        "an SNR in dB is 20 · log10 of the ratio of two RMS values (10 · log10 of two powers). Solve it for the "
        "noise's RMS.",
        "the answer is one RMS value, a plain number on the full-scale (linear) axis",
    )
    if feedback is not None:
        return feedback
    expected = signal_rms / 10 ** (snr_db / 20)
    if _matches(value, expected):
        return _correct(f"{signal_rms:.4g} / 10^({snr_db:g}/20) = {expected:.4g}: the noise's RMS is "
                        f"{10 ** (snr_db / 20):.4g} times smaller than the music's.")
    near = lambda x: _matches(value, x)  # noqa: E731
    if near(signal_rms / 10 ** (snr_db / 10)):
        return _wrong(f"you divided by 10^(SNR/10), the POWER ratio. Power grows with the square of the RMS, so "
                      f"the RMS ratio is 10^(SNR/20) = {10 ** (snr_db / 20):.4g}.")
    if near(signal_rms * 10 ** (snr_db / 20)) or near(signal_rms * 10 ** (snr_db / 10)):
        return _wrong("upside down: noise BELOW the music by an SNR of "
                      f"{snr_db:g} dB is quieter, so divide the music's RMS by 10^(SNR/20).")
    if near(signal_rms / snr_db):
        return _wrong(f"dB are not a factor to divide by: {snr_db:g} dB means a ratio of 10^({snr_db:g}/20) between "
                      "the RMS values.")
    if near(expected**2):
        return _wrong("that is the noise's POWER (its mean square); the question asks for its RMS, the square root.")
    general = _general_mistake(value, expected, "linear")
    if general:
        return _wrong(general)
    return _not_right("not the noise's RMS. Solve SNR = 20 · log10(music RMS / noise RMS) for the noise RMS; the "
                      "answer is smaller than the music's RMS.")


# ---------------------------------------------------------------------------------------------- a grouped split


def _fold_cases():
    """Small tables for the split function: groups of different sizes, originals and copies in a mixed order."""
    groups = np.array(["a", "a", "b", "a", "c", "b", "c", "a", "b", "c", "c", "b"])
    augmentation = np.array(["none", "noise:20", "none", "lowpass:4000", "none", "noise:20", "lowpass:4000", "none",
                             "lowpass:4000", "none", "noise:20", "none"])
    return [(groups, augmentation, "b"), (groups, augmentation, "c")]


def _as_mask(value, n: int):
    """``value`` as a boolean array of length ``n``, or None when it is not a True/False mask of that length."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.dtype != bool or array.shape != (n,):
        return None
    return array


def check_fold_masks_function(fold_masks: Callable | None) -> CheckResult:
    """Lesson 08: ``fold_masks(groups, augmentations, test_group) -> (train, test)``, two True/False arrays over the
    rows of a features table.

    ``groups[i]``: the recording (or artist) of row ``i``; ``augmentations[i]``: ``"none"`` for an original row,
    else the altered copy's spec. Test: the ORIGINAL rows of ``test_group``. Train: every row of every other group,
    originals and altered copies. No row of ``test_group``, not even an altered copy, may be in training.
    """
    if fold_masks is None:
        return _unanswered("compare groups with test_group, and augmentations with 'none'; combine the comparisons "
                           "with & (and), | (or) and ~ (not).")
    if not callable(fold_masks):
        return _wrong(f"pass the function itself (its name, without parentheses), not {_describe(fold_masks)}.")
    for number, (groups, augmentation, test_group) in enumerate(_fold_cases(), start=1):
        setting = f"(test {number}, test_group={test_group!r}) "
        try:
            result = fold_masks(groups.copy(), augmentation.copy(), test_group)
        except Exception as error:  # the student's code failed: report it as feedback
            return _wrong(f"{setting}your function raised {type(error).__name__}: {error}")
        if result is None:
            return CheckResult("unanswered", "your function returned None: write its body, and don't forget the "
                                             "return statement.")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return _wrong(f"{setting}return two masks, (train, test); you returned {_describe(result)}.")
        train, test = (_as_mask(mask, groups.size) for mask in result)
        if train is None or test is None:
            given = result[0] if train is None else result[1]
            return _wrong(f"{setting}each mask is an array of {groups.size} True/False values, one per row (e.g. "
                          f"groups == test_group); you returned {_describe(given)}.")
        original = augmentation == "none"
        expected_train, expected_test = groups != test_group, (groups == test_group) & original
        if np.array_equal(train, expected_train) and np.array_equal(test, expected_test):
            continue
        if np.array_equal(train, expected_test) and np.array_equal(test, expected_train):
            return _wrong(f"{setting}the two masks are swapped: return (train, test).")
        if np.any(train & ~expected_train):
            if np.any(train & (groups == test_group) & ~original):
                return _wrong(f"{setting}altered copies of the test recording are in training: a noisy or duller "
                              "copy of a test segment is nearly the segment itself, which is the leak the group "
                              "column is there to prevent. Train only on rows whose group differs from test_group.")
            return _wrong(f"{setting}rows of the test group are in training: train only on other groups.")
        if np.array_equal(test, groups == test_group):
            return _wrong(f"{setting}the test mask holds the altered copies of the test recording too. Test on its "
                          "original rows (augmentation 'none'): a copy is not a new recording, so counting it "
                          "would only repeat the same segments.")
        if np.array_equal(train, expected_train & original):
            return _wrong(f"{setting}the training mask leaves out the altered copies of the training recordings; "
                          "they are what augmentation is for. Keep every row of the other groups.")
        if np.any(train & test):
            return _wrong(f"{setting}some rows are in both masks: a row is either trained on or tested, never both.")
        return _not_right(f"{setting}not the right masks. Train: every row whose group is not test_group. Test: the "
                          "rows of test_group whose augmentation is 'none'.")
    return _correct("both tables are split right: the test recording's original rows are tested, its altered "
                    "copies are nowhere, and every row of the other recordings, copies included, is trained on.")
