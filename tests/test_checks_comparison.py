"""Lesson 06 checks: correct answers pass, typical mistakes get their message, None is 'not answered yet'.

The correct answers are computed differently from the checks: with the statistics module in a plain loop, with
scipy's one-way ANOVA, with scikit-learn's StandardScaler.
"""

import statistics

import numpy as np
import pytest
import scipy.stats
from sklearn.preprocessing import StandardScaler

import helpers
from helpers.checks.comparison import (check_best_separating_feature, check_fisher_ratio_function,
                                       check_standardise_function)
from helpers.summaries import SCALAR_FEATURES, frame_features
from check_assertions import assert_not_diagnosed, assert_wrong


@pytest.mark.parametrize("check, arguments", [
    (check_fisher_ratio_function, ()),
    (check_best_separating_feature, ("ambient", "speech")),
    (check_standardise_function, ()),
])
def test_none_means_not_answered_yet(check, arguments):
    result = check(None, *arguments)
    assert result.status == "unanswered" and not result
    assert "Hint" in result.message and "Not answered yet" in result._repr_html_()


# ------------------------------------------------------------------ Fisher's ratio as a function


def fisher_loop(a, b, variance=statistics.pvariance, spread=None, combine=lambda va, vb: va + vb, squared=True,
                upside_down=False):
    """Fisher's ratio with the statistics module, with switches for the typical mistakes."""
    a, b = [float(value) for value in a], [float(value) for value in b]
    difference = statistics.fmean(a) - statistics.fmean(b)
    top = difference**2 if squared else difference
    bottom = combine(variance(a), variance(b)) if spread is None else spread(a, b)
    return bottom / top if upside_down else top / bottom


def test_fisher_ratio_correct_either_variance_convention():
    assert check_fisher_ratio_function(fisher_loop)
    assert check_fisher_ratio_function(lambda a, b: fisher_loop(a, b, variance=statistics.variance))  # ddof=1
    assert check_fisher_ratio_function(lambda a, b: np.array([(a.mean() - b.mean()) ** 2 / (a.var() + b.var())]))


def test_fisher_ratio_typical_mistakes():
    def sd(values):
        return statistics.pstdev(values)

    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(a, b, variance=sd)), "VARIANCES")
    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(a, b, variance=sd, squared=False)),
                 "standard deviations throughout")
    assert_wrong(check_fisher_ratio_function(
        lambda a, b: fisher_loop(a, b, spread=lambda a, b: (sd(a) + sd(b)) ** 2)), "squared the sum")
    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(a, b, combine=lambda va, vb: va)),
                 "first clip only", "BOTH")
    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(a, b, combine=lambda va, vb: vb)),
                 "second clip only")
    assert_wrong(check_fisher_ratio_function(
        lambda a, b: fisher_loop(a, b, spread=lambda a, b: statistics.pvariance(a + b))), "all values together")
    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(a, b, upside_down=True)), "upside down")
    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(b, a, squared=False)), "square the difference")
    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(a, b) ** 0.5), "square root")
    assert_wrong(check_fisher_ratio_function(lambda a, b: fisher_loop(a, b, combine=lambda va, vb: (va + vb) / 2)),
                 "averaged the two variances")

    def anova_share(a, b):  # the lesson's Fisher score, from scipy's F: F * (k - 1) / (N - k)
        return scipy.stats.f_oneway(a, b).statistic / (a.size + b.size - 2)

    assert_wrong(check_fisher_ratio_function(anova_share), "Fisher score", "two-clip form")
    assert_wrong(check_fisher_ratio_function(lambda a, b: (a - b.mean()) ** 2), "one number")
    assert_wrong(check_fisher_ratio_function(lambda a, b: 1.1 * fisher_loop(a, b)), "expected")


def test_fisher_ratio_hard_coded_answer_fails_on_the_second_pair():
    remembered = []

    def hard_coded(a, b):  # right for the first pair, then always the same number: as if typed in
        if not remembered:
            remembered.append(fisher_loop(a, b))
        return remembered[0]

    assert_wrong(check_fisher_ratio_function(hard_coded), "second one")


def test_fisher_ratio_forgotten_return_non_function_and_crash():
    def forgot_return(a, b):
        (a.mean() - b.mean()) ** 2 / (a.var() + b.var())

    unfinished = check_fisher_ratio_function(forgot_return)
    assert unfinished.status == "unanswered" and "return" in unfinished.message
    assert_wrong(check_fisher_ratio_function(0.41), "pass the function itself")
    assert_wrong(check_fisher_ratio_function("fisher_ratio"), "pass the function itself")
    assert_wrong(check_fisher_ratio_function(lambda a, b: a.mean() / undefined_name), "NameError")  # noqa: F821
    assert_wrong(check_fisher_ratio_function(lambda a, b: "large"), "one number", "a string")


# ------------------------------------------------------------------ which feature separates two clips best?


def anova_ranking(clip_a, clip_b):
    """The scalar features ordered by scipy's one-way ANOVA F over the two clips' sounding frames (best first).

    With the same clips (same frame counts) for every feature, F orders the features as the Fisher score does.
    """
    scores = {}
    features = [frame_features(*helpers.load_sample_cached(name)) for name in (clip_a, clip_b)]
    for feature in SCALAR_FEATURES:
        groups = [f.scalars[feature][f.sounding] for f in features]
        scores[feature] = scipy.stats.f_oneway(*groups).statistic
    return sorted(scores, key=scores.get, reverse=True)


def test_best_separating_feature_correct_and_wrong_picks():
    ranking = anova_ranking("ambient", "speech")
    assert ranking[0] == "spectral_rolloff"  # the lesson's exercise: the numbers the solution relies on
    result = check_best_separating_feature(ranking[0], "ambient", "speech")
    assert result and "next best" in result.message
    assert check_best_separating_feature("85 % roll-off", "ambient", "speech")
    assert check_best_separating_feature("Roll-off", "ambient", "speech")
    worst = check_best_separating_feature("spectral bandwidth", "ambient", "speech")
    assert_wrong(worst, f"ranks {ranking.index('spectral_bandwidth') + 1} of 5", "means", "spread", "Hz")
    assert_wrong(check_best_separating_feature("zcr", "ambient", "speech"), "zero_crossing_rate ranks")
    # Another pair, to show the check is not tied to one answer.
    other = anova_ranking("metal", "edm")
    assert check_best_separating_feature(other[0], "metal", "edm")
    assert_wrong(check_best_separating_feature(other[-1], "metal", "edm"), "ranks 5 of 5")


def test_best_separating_feature_bad_answers():
    assert_wrong(check_best_separating_feature("mfcc5", "ambient", "speech"), "not one of the candidates")
    assert_wrong(check_best_separating_feature("brightness", "ambient", "speech"), "spectral_centroid")
    assert_wrong(check_best_separating_feature(3, "ambient", "speech"), "as a string")
    with_mfcc = ("spectral_rolloff", "mfcc1", "mfcc5")
    assert check_best_separating_feature("MFCC 5", "ambient", "speech", candidates=with_mfcc).status in (
        "correct", "wrong")


# ------------------------------------------------------------------ standardising a table


def test_standardise_correct():
    assert check_standardise_function(lambda table: StandardScaler().fit_transform(table))
    assert check_standardise_function(lambda table: scipy.stats.zscore(table, axis=0))

    def loop(table):
        columns = []
        for column in np.asarray(table).T:
            values = [float(value) for value in column]
            mean, spread = statistics.fmean(values), statistics.pstdev(values)
            columns.append([(value - mean) / spread for value in values])
        return np.array(columns).T

    assert check_standardise_function(loop)


def test_standardise_typical_mistakes():
    sample_std = check_standardise_function(lambda t: scipy.stats.zscore(t, axis=0, ddof=1))
    assert sample_std and "ddof=1" in sample_std.message and "accepted" in sample_std.message
    assert_wrong(check_standardise_function(lambda t: scipy.stats.zscore(t, axis=1)), "each ROW")
    assert_wrong(check_standardise_function(lambda t: (t - t.mean()) / t.std()), "whole table")
    assert_wrong(check_standardise_function(lambda t: t / t.std(axis=0)), "subtract")
    assert_wrong(check_standardise_function(lambda t: t - t.mean(axis=0)), "did not divide")
    assert_wrong(check_standardise_function(lambda t: (t - t.mean(axis=0)) / t.var(axis=0)), "variance")
    assert_wrong(check_standardise_function(lambda t: (t - t.min(0)) / (t.max(0) - t.min(0))), "min-max")
    assert_wrong(check_standardise_function(lambda t: scipy.stats.zscore(t, axis=0).T), "transpose")
    assert_wrong(check_standardise_function(lambda t: scipy.stats.zscore(t, axis=0)[:, :2]), "shape")
    assert_wrong(check_standardise_function(lambda t: 1.5 * scipy.stats.zscore(t, axis=0)), "expected")


def test_standardise_forgotten_return_and_non_function():
    def forgot_return(table):
        (table - table.mean(axis=0)) / table.std(axis=0)

    assert check_standardise_function(forgot_return).status == "unanswered"
    assert_wrong(check_standardise_function(np.zeros((7, 4))), "pass the function itself")
    assert_wrong(check_standardise_function(lambda t: t.mean(axis=2)), "AxisError")


def test_negative_fisher_ratio_gets_its_own_message():
    def subtracted(a, b):
        return (np.mean(a) - np.mean(b)) ** 2 / (np.var(a) - np.var(b))

    result = check_fisher_ratio_function(subtracted)
    assert_wrong(result, "negative")
