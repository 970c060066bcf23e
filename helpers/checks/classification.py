"""Exercise checks for lesson 07: time-blocked splits, gaps between overlapping segments, accuracy and chance.

Every check computes the expected answer itself. Conventions, as in the lesson and in scikit-learn:

* a split gives every segment a ROLE: ``1`` test, ``0`` train, ``-1`` left out (the gap);
* a confusion matrix has one row per TRUE class and one column per PREDICTED class;
* accuracies are fractions between 0 and 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from .core import (CheckResult, _call_student_function, _correct, _describe, _matches, _not_right, _number_answer,
                   _rounding_mistake, _unanswered, _wrong)

TRAIN, TEST, LEFT_OUT = 0, 1, -1
#: Accuracies and baselines are fractions; the course's rule for numbers applies (exact, or correctly rounded to 3 or
#: more significant figures: 0.838 or 0.8375 for 67/80, not 0.84).


# ---------------------------------------------------------------------------------------------- blocked split


def _expected_roles(song_ids: np.ndarray, positions: np.ndarray, test_fraction: float, gap: int,
                    n_test_of: Callable[[float], int] = lambda x: int(round(x))) -> np.ndarray:
    """Roles of a time-blocked split: per song, the last ``n_test_of(test_fraction * n)`` segments test, the
    ``gap`` segments before them left out, the rest train."""
    roles = np.full(len(song_ids), TRAIN)
    for song in np.unique(song_ids):
        mine = np.flatnonzero(song_ids == song)
        n = mine.size
        n_test = n_test_of(test_fraction * n)
        from_end = n - 1 - positions[mine]  # 0 for the song's last segment
        roles[mine] = np.where(from_end < n_test, TEST, np.where(from_end < n_test + gap, LEFT_OUT, TRAIN))
    return roles


def _split_cases() -> list[tuple[np.ndarray, np.ndarray, float, int]]:
    """Test datasets for the split function: songs of different lengths, segments listed in a shuffled order."""
    cases = []
    for counts, test_fraction, gap, seed in (({"waltz": 10, "tango": 13, "samba": 7}, 0.3, 1, 7),
                                             ({"drone": 8, "march": 12}, 0.25, 2, 11)):
        song_ids = np.concatenate([[song] * n for song, n in counts.items()])
        positions = np.concatenate([np.arange(n) for n in counts.values()])
        order = np.random.default_rng(seed).permutation(song_ids.size)
        cases.append((song_ids[order], positions[order], test_fraction, gap))
    return cases


def _describe_split_mistake(roles: np.ndarray, song_ids: np.ndarray, positions: np.ndarray, test_fraction: float,
                            gap: int) -> str:
    """Name the typical mistake behind wrong ``roles`` (valid values, right length)."""
    expected = _expected_roles(song_ids, positions, test_fraction, gap)
    songs = list(dict.fromkeys(song_ids))
    counts = {song: int(np.sum(song_ids == song)) for song in songs}
    n_test = {song: int(np.sum(expected[song_ids == song] == TEST)) for song in songs}
    yours = {song: int(np.sum(roles[song_ids == song] == TEST)) for song in songs}

    def test_set(r, song):
        return set(positions[(song_ids == song) & (r == TEST)].tolist())

    if yours != n_test:
        if sum(yours.values()) == 0:
            return "no segment is marked 1 (test). Mark the last segments of each song with 1."
        for name, rounding in (("int() rounds down", math.floor), ("you rounded up", math.ceil)):
            variant = _expected_roles(song_ids, positions, test_fraction, gap, rounding)
            if yours == {s: int(np.sum(variant[song_ids == s] == TEST)) for s in songs}:
                s = next(s for s in songs if yours[s] != n_test[s])
                return (f"{name}: '{s}' has {counts[s]} segments and needs round({test_fraction:g} × {counts[s]}) "
                        f"= {n_test[s]} test segments, not {yours[s]}. Use round().")
        if sum(yours.values()) == int(round(test_fraction * len(song_ids))):
            return ("you took the test fraction of the whole dataset. Take it PER SONG, so that every song has a "
                    f"test block: {', '.join(f'{s} {n_test[s]}' for s in songs)}.")
        first = next(s for s in songs if yours[s] != n_test[s])
        return (f"'{first}' has {counts[first]} segments, so round({test_fraction:g} × {counts[first]}) = "
                f"{n_test[first]} of them should be test (1); you marked {yours[first]}.")
    if any(test_set(roles, s) != test_set(expected, s) for s in songs):
        starts = {s: set(range(n_test[s])) for s in songs}
        if all(test_set(roles, s) == starts[s] for s in songs):
            return ("you took the FIRST segments of each song for testing. Here the test block is the end of each "
                    "song (the later part, as if it were the future), and the gap lies just before it.")
        in_array_order = np.empty_like(positions)
        for s in songs:
            in_array_order[song_ids == s] = np.arange(counts[s])
        by_order = _expected_roles(song_ids, in_array_order, test_fraction, gap)
        if np.array_equal(roles == TEST, by_order == TEST):
            return ("you used the order of the arrays, but the segments are listed in a shuffled order: decide by "
                    "positions (the segment's place in its song), not by where it sits in the arrays.")
        for s in songs:
            chosen = sorted(test_set(roles, s))
            if chosen and chosen[-1] - chosen[0] + 1 != len(chosen):
                return (f"the test segments of '{s}' are scattered (positions {chosen}), as with a random split: "
                        "their neighbours land in training, which is the leakage this split prevents. Take the "
                        "last segments of each song as one block.")
        return "the test block must be the LAST segments of each song (the highest positions)."
    # The test blocks are right: now the gap and the training side.
    if gap > 0 and not np.any(roles == LEFT_OUT):
        return (f"no segment is left out: mark the {gap} segment(s) just before each test block with -1, so that "
                "no training segment touches a test segment.")
    for s in songs:
        mine = song_ids == s
        left_out = sorted(positions[mine & (roles == LEFT_OUT)].tolist())
        wanted = sorted(positions[mine & (expected == LEFT_OUT)].tolist())
        if left_out != wanted:
            if len(left_out) != gap:
                return (f"'{s}' has {len(left_out)} segment(s) left out (-1); leave out exactly gap = {gap}, the "
                        "ones just before the test block.")
            return (f"the left-out segments of '{s}' should sit just before its test block (positions {wanted}), "
                    f"not at {left_out}.")
    return "every segment that is neither test nor left out should be training (0)."


def _is_mask(value) -> bool:
    """Whether ``value`` is a 1-D list or array of True/False values."""
    return isinstance(value, (list, np.ndarray)) and np.asarray(value, dtype=object).ndim == 1 and len(value) > 0 \
        and all(isinstance(item, (bool, np.bool_)) for item in value)


_GENERIC_SPLIT_MESSAGES = (
    "the test block must be the LAST segments of each song (the highest positions).",
    "every segment that is neither test nor left out should be training (0).",
)


def check_blocked_split_function(split_function: Callable | None) -> CheckResult:
    """Lesson 07: ``split_function(song_ids, positions, test_fraction, gap) -> roles``.

    ``song_ids``: ``(n,)`` the song of each segment; ``positions``: ``(n,)`` int, the segment's place in its song
    (0 = first); the arrays may list segments in any order. Returns ``(n,)`` ints: ``1`` for the last
    ``round(test_fraction * n_song)`` segments of each song (test), ``-1`` for the ``gap`` segments just before them
    (left out), ``0`` for the rest (train). The check runs two datasets with different songs, fractions and gaps.
    """
    if split_function is None:
        return _unanswered("for each song, count its segments n, compute n_test = round(test_fraction * n), and "
                           "compare each segment's distance from the end, n - 1 - position, with n_test and "
                           "n_test + gap.")
    if not callable(split_function):
        return _call_student_function(split_function)[1]
    returned = {}

    def run(*arguments):
        value = returned["value"] = split_function(*arguments)
        if isinstance(value, tuple) and len(value) == 2:
            return np.zeros(0)  # a (train, test) pair: explained below
        if _is_mask(value):
            return np.asarray(value).astype(int)
        return value

    for number, (song_ids, positions, test_fraction, gap) in enumerate(_split_cases(), start=1):
        setting = f"(test {number}: test_fraction={test_fraction:g}, gap={gap}) "
        answer, problem = _call_student_function(run, song_ids.copy(), positions.copy(), test_fraction, gap)
        if problem is not None:
            return problem
        if isinstance(returned.get("value"), tuple) and len(returned["value"]) == 2:
            return _wrong("return ONE array with a role for every segment (1 test, 0 train, -1 left out), not a "
                          "pair such as (train, test).")
        roles = answer.reshape(-1)
        expected = _expected_roles(song_ids, positions, test_fraction, gap)
        if _is_mask(returned.get("value")):
            if roles.size == expected.size and np.array_equal(roles.astype(bool), expected == TEST):
                return _wrong(f"{setting}you returned a True/False test mask (True exactly at the test segments). "
                              "Return roles instead, one number per segment: 1 test, 0 train, -1 left out.")
            if roles.size == expected.size and np.array_equal(roles.astype(bool), expected == TRAIN):
                return _wrong(f"{setting}you returned a True/False training mask (True exactly at the training "
                              "segments). Return roles instead, one number per segment: 1 test, 0 train, -1 left "
                              "out.")
            return _not_right(f"{setting}you returned {_describe(returned['value'])}; return one role per segment, "
                              "a number: 1 test, 0 train, -1 left out.")
        if roles.size != song_ids.size:
            return _wrong(f"{setting}you returned {roles.size} values for {song_ids.size} segments: give every "
                          "segment a role, in the order of the input arrays.")
        if not np.all(np.isin(roles, (TRAIN, TEST, LEFT_OUT))):
            return _wrong(f"{setting}roles must be 1 (test), 0 (train) or -1 (left out); you returned "
                          f"{sorted(set(np.unique(roles).tolist()))}.")
        roles = roles.astype(int)
        if not np.array_equal(roles, expected):
            message = _describe_split_mistake(roles, song_ids, positions, test_fraction, gap)
            return (_not_right if message in _GENERIC_SPLIT_MESSAGES else _wrong)(setting + message)
    return _correct("both test datasets are split correctly: per song, the last round(test_fraction × n) segments "
                    "test, the gap before them left out, the rest train, whatever order the segments come in.")


# ---------------------------------------------------------------------------------------------- the gap


def check_gap_segments(answer, segment_s: float, hop_s: float) -> CheckResult:
    """Lesson 07: how many segments to leave out between train and test so that no two share a sample.

    Segments of ``segment_s`` seconds start every ``hop_s`` seconds. Segments ``i`` and ``i + d`` share samples
    when ``d * hop_s < segment_s``; the first one that shares none is ``d = ceil(segment_s / hop_s)``, so
    ``ceil(segment_s / hop_s) - 1`` segments must be left out between them.
    """
    value, feedback = _number_answer(
        answer,
        "segment i + d starts d × hop_s seconds after segment i. How large must d be for it to "
        "start after segment i has ended? The segments in between are left out.",
        "the answer is a number of segments, a single whole number",
    )
    if feedback is not None:
        return feedback
    ratio = segment_s / hop_s
    first_clear = math.ceil(ratio - 1e-9)
    expected = first_clear - 1
    if value == expected:
        return _correct(f"segment i + {first_clear} starts {first_clear} × {hop_s:g} s = {first_clear * hop_s:g} s "
                        f"after segment i, no earlier than segment i ends ({segment_s:g} s after its start): the "
                        f"{expected} segments in between are left out.")
    if not float(value).is_integer():
        return _wrong("you can only leave out whole segments: round your answer to the safe side.")
    if value == first_clear:
        return _wrong(f"one too many: segment i + {first_clear} already starts where segment i ends, so they share "
                      f"no sample; only the {expected} segments between them must go. (The lesson leaves out one "
                      "more for a different reason: analysis frames reach past a segment's edge.)")
    if value < expected:
        shared = segment_s - (value + 1) * hop_s
        return _wrong(f"too few: with {value:g} left out, the last training segment and the first test segment "
                      f"still share {shared:g} s of audio. Count how many hops fit into one segment.")
    return _wrong(f"more than needed: leaving out {value:g} is safe but wastes data. Segments i and i + d share no "
                  f"sample once d × {hop_s:g} s ≥ {segment_s:g} s.")


# ---------------------------------------------------------------------------------------------- accuracy


def check_accuracy_from_confusion(answer, confusion) -> CheckResult:
    """Lesson 07: the accuracy (a fraction) given by a confusion matrix ``confusion`` (rows true, columns predicted).

    Accuracy = correctly classified / all = ``trace(confusion) / confusion.sum()``.
    """
    matrix = np.asarray(confusion, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError("confusion must be a square matrix")
    value, feedback = _number_answer(
        answer,
        "the correctly classified segments sit on the diagonal (true class = predicted class). "
        "Divide their number by the number of all segments.",
        "the accuracy is one number, a fraction between 0 and 1",
    )
    if feedback is not None:
        return feedback
    total, correct = matrix.sum(), np.trace(matrix)
    expected = correct / total
    if _matches(value, expected):
        return _correct(f"{correct:g} of {total:g} segments lie on the diagonal: accuracy {expected:.4g}.")
    if _matches(value, 100 * expected):
        return _wrong(f"that is a percentage. Give the accuracy as a fraction: {value:g} % → {value / 100:g}.")
    if abs(value - correct) < 0.5:
        return _wrong("that is the number of correct answers; divide it by the number of all segments.")
    row_sums, column_sums = matrix.sum(axis=1), matrix.sum(axis=0)
    recall, precision = np.diag(matrix) / row_sums, np.diag(matrix) / column_sums
    near = lambda x: _matches(value, x)  # noqa: E731
    if near(recall.mean()):
        return _wrong("that is the balanced accuracy: the mean of the per-class recalls (diagonal / row sums). It "
                      "weighs every class equally; plain accuracy weighs every SEGMENT equally, so big classes "
                      "count more. Divide the diagonal's sum by the total.")
    if near(precision.mean()):
        return _wrong("you divided the diagonal by the COLUMN sums and averaged (mean precision). Rows are the true "
                      "classes, and accuracy needs no per-class step at all: diagonal sum / total.")
    if near(1 - expected):
        return _wrong("that is the error rate: the share of segments OFF the diagonal. Accuracy is the share ON it.")
    if near(correct / matrix.shape[0] / total) or abs(value - correct / matrix.shape[0]) < 0.5:
        return _wrong("you divided by the number of classes; divide by the number of segments (the sum of all "
                      "cells).")
    for index in range(matrix.shape[0]):
        if near(recall[index]):
            return _wrong(f"that is the recall of one class only (row {index}: its diagonal cell / its row sum). "
                          "Accuracy uses every row: the whole diagonal over the whole matrix.")
        if near(row_sums[index] / total):
            return _wrong(f"that is the share of class {index} in the test set (its row sum / total), not the share "
                          "of correct answers. Sum the diagonal (the trace) instead of a row.")
    if near(correct / (total - correct)):
        return _wrong("you divided the correct answers by the wrong ones; divide by ALL segments.")
    rounding = _rounding_mistake(value, expected)
    if rounding:
        return _wrong(rounding)
    return _not_right("not the accuracy of this matrix. The answer is one fraction between 0 and 1: the share of all "
                      "segments that were classified correctly.")


# ---------------------------------------------------------------------------------------------- chance level


def check_majority_baseline(answer, test_counts: Mapping[str, int],
                            train_counts: Mapping[str, int] | None = None) -> CheckResult:
    """Lesson 07: the accuracy of ``DummyClassifier(strategy="most_frequent")`` on a test set.

    It always answers the class most frequent in TRAINING (``train_counts``; the test counts when not given), so its
    accuracy is that class's share of the test set.
    """
    train = dict(test_counts if train_counts is None else train_counts)
    test = dict(test_counts)
    value, feedback = _number_answer(
        answer,
        "this baseline gives the same answer for every segment. Which answer, and how many test "
        "segments does that get right?",
        "the answer is one accuracy, a fraction between 0 and 1",
    )
    if feedback is not None:
        return feedback
    total = sum(test.values())
    majority = max(train, key=train.get)
    expected = test.get(majority, 0) / total
    near = lambda x: _matches(value, x)  # noqa: E731
    if near(expected):
        return _correct(f"it always answers '{majority}', right for {test.get(majority, 0)} of {total} test "
                        f"segments: {expected:.3f}. A real classifier must beat this, not just 1/{len(test)}.")
    if near(100 * expected):
        return _wrong(f"that is a percentage; give a fraction: {value / 100:g}.")
    if abs(value - test.get(majority, 0)) < 0.5:
        return _wrong(f"that is how many segments it gets right; divide by all {total} test segments.")
    if near(1 / len(test)):
        return _wrong(f"1/{len(test)} is the average score of guessing uniformly at random, whatever the class mix. "
                      f"The 'most_frequent' baseline always answers '{majority}', which scores its share of the test "
                      "set instead, more than 1/k when that class is common.")
    train_total = sum(train.values())
    stratified = sum(train.get(c, 0) / train_total * n / total for c, n in test.items())
    if near(stratified):
        return _wrong("that is the expected score of guessing at random in proportion to the class frequencies "
                      "(strategy='stratified'). 'most_frequent' always gives the same answer.")
    test_majority = max(test, key=test.get)
    if test_majority != majority and near(test[test_majority] / total):
        return _wrong(f"the classifier only knows the TRAINING set, where '{majority}' is most frequent; on this "
                      f"test set '{test_majority}' is, but it never answers that.")
    minority = min(test, key=test.get)
    if near(test[minority] / total):
        return _wrong(f"that is the share of the rarest class, '{minority}'. The baseline answers the most "
                      "frequent one.")
    rounding = _rounding_mistake(value, expected)
    if rounding:
        return _wrong(rounding)
    return _not_right("not this baseline's accuracy. The answer is one fraction between 0 and 1: the share of the "
                      "test segments that a classifier giving the same answer every time gets right.")
