"""Lesson 07 checks: correct answers pass, typical mistakes get their message, None is 'not answered yet'.

The correct answers are computed differently from the checks: a split written as a plain loop over sorted segments,
scikit-learn's metrics and DummyClassifier on the samples a confusion matrix or a set of class counts stands for,
and a brute-force search over sample indices for the gap.
"""

import math

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, balanced_accuracy_score, precision_score

from helpers.checks.classification import (check_accuracy_from_confusion, check_blocked_split_function,
                                           check_gap_segments, check_majority_baseline)
from check_assertions import assert_not_diagnosed, assert_wrong

CONFUSION = np.array([[53, 3, 0], [1, 9, 7], [1, 1, 5]])  # the lesson's exercise: rows true, columns predicted
TEST_COUNTS = {"rock": 120, "jazz": 60, "classical": 20}


@pytest.mark.parametrize("check, arguments", [
    (check_blocked_split_function, ()),
    (check_gap_segments, (3.0, 0.5)),
    (check_accuracy_from_confusion, (CONFUSION,)),
    (check_majority_baseline, (TEST_COUNTS,)),
])
def test_none_means_not_answered_yet(check, arguments):
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result
    assert "Hint" in result.message and "Not answered yet" in result._repr_html_()


# ------------------------------------------------------------------ the blocked split function


def split_loop(song_ids, positions, test_fraction, gap, rounding=round, from_start=False, use_array_order=False,
               per_song=True, mark_gap=True):
    """A plain loop: sort each song's segments by position and walk them; switches for the typical mistakes."""
    roles = [0] * len(song_ids)
    songs = sorted(set(song_ids.tolist()))
    total_test = rounding(test_fraction * len(song_ids))
    for number, song in enumerate(songs):
        members = [i for i in range(len(song_ids)) if song_ids[i] == song]
        if not use_array_order:
            members.sort(key=lambda i: positions[i])
        if not from_start:
            members.reverse()  # walk from the song's end
        if per_song:
            n_test = rounding(test_fraction * len(members))
        else:  # the whole dataset's test share, filled song after song
            n_test = min(len(members), total_test)
            total_test -= n_test
        for rank, i in enumerate(members):
            if rank < n_test:
                roles[i] = 1
            elif rank < n_test + gap and mark_gap:
                roles[i] = -1
    return roles  # a list: accepted too


def test_split_function_correct():
    assert check_blocked_split_function(split_loop)
    assert check_blocked_split_function(lambda s, p, f, g: np.array(split_loop(s, p, f, g), dtype=np.int8))


def test_split_function_typical_mistakes():
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, g, rounding=int)),
                 "int() rounds down", "round(")
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, g, rounding=math.ceil)),
                 "rounded up")
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, g, from_start=True)),
                 "FIRST segments")
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, g, use_array_order=True)),
                 "shuffled order", "positions")
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, g, mark_gap=False)),
                 "no segment is left out", "-1")
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, 1)),  # gap hard-coded to 1
                 "test 2", "leave out exactly gap = 2")
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, g, per_song=False)),
                 "PER SONG")

    def shuffled(song_ids, positions, test_fraction, gap):  # a random split: right counts, scattered positions
        roles = np.zeros(len(song_ids), dtype=int)
        rng = np.random.default_rng(0)
        for song in np.unique(song_ids):
            members = np.flatnonzero(song_ids == song)
            roles[rng.choice(members, int(round(test_fraction * members.size)), replace=False)] = 1
        return roles

    assert_wrong(check_blocked_split_function(shuffled), "scattered", "leakage")

    def test_mask_only(song_ids, positions, test_fraction, gap):
        return np.array(split_loop(song_ids, positions, test_fraction, gap)) == 1

    assert_wrong(check_blocked_split_function(test_mask_only), "True/False test mask")

    def gap_after_test(song_ids, positions, test_fraction, gap):
        roles = np.array(split_loop(song_ids, positions, test_fraction, 0))
        for song in np.unique(song_ids):
            first = np.flatnonzero((song_ids == song) & (positions < gap))
            roles[first] = -1  # left out at the song's start instead of before the test block
        return roles

    assert_wrong(check_blocked_split_function(gap_after_test), "just before its test block")


def test_split_function_wrong_shapes_values_and_pairs():
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: split_loop(s, p, f, g)[:-1]), "segments")
    assert_wrong(check_blocked_split_function(lambda s, p, f, g: np.array(split_loop(s, p, f, g)) * 2),
                 "1 (test), 0 (train) or -1")

    def pair(song_ids, positions, test_fraction, gap):
        roles = np.array(split_loop(song_ids, positions, test_fraction, gap))
        return np.flatnonzero(roles == 0), np.flatnonzero(roles == 1)

    assert_wrong(check_blocked_split_function(pair), "ONE array")


def test_split_function_forgotten_return_non_function_and_crash():
    def forgot_return(song_ids, positions, test_fraction, gap):
        split_loop(song_ids, positions, test_fraction, gap)

    unfinished = check_blocked_split_function(forgot_return)
    assert unfinished.status == "unanswered" and "return" in unfinished.message
    assert_wrong(check_blocked_split_function([0, 1, -1]), "pass the function itself")

    def crashes(song_ids, positions, test_fraction, gap):
        return positions[len(song_ids)]

    assert_wrong(check_blocked_split_function(crashes), "IndexError")


# ------------------------------------------------------------------ the gap between overlapping segments


def gap_brute_force(segment_s, hop_s, sr=1000):
    """Leave out d - 1 segments, for the smallest d whose segment shares no sample index with segment 0."""
    length, hop = round(segment_s * sr), round(hop_s * sr)
    first = set(range(length))
    d = 1
    while first & set(range(d * hop, d * hop + length)):
        d += 1
    return d - 1


@pytest.mark.parametrize("segment_s, hop_s", [(3.0, 0.5), (3.0, 0.8), (3.0, 3.0), (2.0, 1.5), (3.0, 1.0)])
def test_gap_correct(segment_s, hop_s):
    assert check_gap_segments(gap_brute_force(segment_s, hop_s), segment_s, hop_s)


def test_gap_typical_mistakes():
    assert gap_brute_force(3.0, 0.5) == 5
    assert_wrong(check_gap_segments(6, 3.0, 0.5), "one too many")
    assert_wrong(check_gap_segments(0, 3.0, 0.5), "too few", "2.5 s")
    assert_wrong(check_gap_segments(1, 3.0, 0.5), "too few")
    assert_wrong(check_gap_segments(9, 3.0, 0.5), "more than needed")
    assert_wrong(check_gap_segments(5.5, 3.0, 0.5), "whole segments")
    assert_wrong(check_gap_segments("5", 3.0, 0.5), "single whole number")


# ------------------------------------------------------------------ accuracy from a confusion matrix


def labels_of(confusion):
    """The (true, predicted) label pairs a confusion matrix counts."""
    true, predicted = [], []
    for i, row in enumerate(confusion):
        for j, count in enumerate(row):
            true += [i] * int(count)
            predicted += [j] * int(count)
    return np.array(true), np.array(predicted)


def test_accuracy_correct():
    true, predicted = labels_of(CONFUSION)
    assert check_accuracy_from_confusion(accuracy_score(true, predicted), CONFUSION)
    assert check_accuracy_from_confusion(round(accuracy_score(true, predicted), 3), CONFUSION)
    assert check_accuracy_from_confusion(np.float32(0.838), CONFUSION)  # 67 / 80 = 0.8375, 3 significant figures
    assert_wrong(check_accuracy_from_confusion(0.84, CONFUSION), "fewer than 3 significant figures")


def test_accuracy_typical_mistakes():
    true, predicted = labels_of(CONFUSION)
    accuracy = accuracy_score(true, predicted)
    assert_wrong(check_accuracy_from_confusion(100 * accuracy, CONFUSION), "percentage")
    assert_wrong(check_accuracy_from_confusion(np.sum(true == predicted), CONFUSION), "number of correct")
    assert_wrong(check_accuracy_from_confusion(balanced_accuracy_score(true, predicted), CONFUSION),
                 "balanced accuracy")
    assert_wrong(check_accuracy_from_confusion(precision_score(true, predicted, average="macro"), CONFUSION),
                 "COLUMN sums")
    assert_wrong(check_accuracy_from_confusion(1 - accuracy, CONFUSION), "error rate")
    assert_wrong(check_accuracy_from_confusion(np.sum(true == predicted) / 3, CONFUSION), "number of classes")
    assert_wrong(check_accuracy_from_confusion(np.sum(true == predicted) / 3 / true.size, CONFUSION),
                 "number of classes")
    assert_wrong(check_accuracy_from_confusion(np.sum(true == predicted) / np.sum(true != predicted), CONFUSION),
                 "wrong ones")
    assert_wrong(check_accuracy_from_confusion(np.mean(true == 0), CONFUSION), "row sum", "trace")
    assert_wrong(check_accuracy_from_confusion(np.mean(predicted[true == 1] == 1), CONFUSION), "recall of one class")
    assert_not_diagnosed(check_accuracy_from_confusion(0.5, CONFUSION), "fraction between 0 and 1")
    assert_wrong(check_accuracy_from_confusion([0.84, 0.1], CONFUSION), "one number")


# ------------------------------------------------------------------ the majority-class baseline


def dummy_score(test_counts, train_counts=None, strategy="most_frequent"):
    train_counts = test_counts if train_counts is None else train_counts
    y_train = np.concatenate([[name] * n for name, n in train_counts.items()])
    y_test = np.concatenate([[name] * n for name, n in test_counts.items()])
    model = DummyClassifier(strategy=strategy, random_state=0).fit(np.zeros((y_train.size, 1)), y_train)
    return model.score(np.zeros((y_test.size, 1)), y_test)


def test_majority_baseline_correct():
    assert check_majority_baseline(dummy_score(TEST_COUNTS), TEST_COUNTS)
    train = {"rock": 10, "jazz": 50, "classical": 5}  # jazz is the training majority
    assert check_majority_baseline(dummy_score(TEST_COUNTS, train), TEST_COUNTS, train)


def test_majority_baseline_typical_mistakes():
    expected = dummy_score(TEST_COUNTS)
    assert_wrong(check_majority_baseline(100 * expected, TEST_COUNTS), "percentage")
    assert_wrong(check_majority_baseline(120, TEST_COUNTS), "how many segments")
    assert_wrong(check_majority_baseline(1 / 3, TEST_COUNTS), "1/3", "uniformly")
    stratified = sum((n / 200) ** 2 for n in TEST_COUNTS.values())
    assert_wrong(check_majority_baseline(stratified, TEST_COUNTS), "stratified")
    assert_wrong(check_majority_baseline(0.1, TEST_COUNTS), "rarest")
    train = {"rock": 10, "jazz": 50, "classical": 5}
    assert_wrong(check_majority_baseline(0.6, TEST_COUNTS, train), "TRAINING")
    assert_not_diagnosed(check_majority_baseline(0.42, TEST_COUNTS), "fraction between 0 and 1")
    assert_wrong(check_majority_baseline("rock", TEST_COUNTS), "one accuracy")


def test_majority_baseline_stratified_score_is_what_the_check_names():
    # The 'stratified' message describes DummyClassifier(strategy="stratified"): its mean score over many test
    # sets approaches the sum of squared class shares.
    y_test = np.concatenate([[name] * n for name, n in TEST_COUNTS.items()])
    model = DummyClassifier(strategy="stratified", random_state=np.random.RandomState(1))
    model.fit(np.zeros((y_test.size, 1)), y_test)
    scores = [model.score(np.zeros((y_test.size, 1)), y_test) for _ in range(400)]
    assert abs(np.mean(scores) - sum((n / 200) ** 2 for n in TEST_COUNTS.values())) < 0.01
