"""Exercise checks for lesson 06: comparing songs (separation scores, choosing features, standardising).

Every check computes the expected value itself. Fisher's two-class ratio is ``(mean_a - mean_b)**2 / (var_a +
var_b)`` with each clip's own variance; the many-clip Fisher score of the lesson is
:func:`helpers.dashboard.fisher_score`. One verdict for the variance convention in every check: the course uses
the population variance and standard deviation (``ddof=0``, NumPy's default, as
``sklearn.preprocessing.StandardScaler`` does), and the sample one (``ddof=1``) is accepted too, with a note that
names the convention (:data:`DDOF_NOTE`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ..summaries import SCALAR_FEATURES
from .core import CheckResult, _call_student_function, _correct, _not_right, _unanswered, _wrong

#: Relative tolerance for a computed score or z-score: float32 against float64 arithmetic, nothing more.
TOLERANCE = 1e-4
#: Said whenever an answer used the sample variance or standard deviation: accepted, and the convention named.
DDOF_NOTE = ("Note: you used the sample variance/standard deviation (ddof=1, dividing by n - 1). That is accepted; "
             "this course uses the population one (ddof=0, dividing by n, NumPy's default and scikit-learn's).")


def _fisher_test_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Two clouds of 'frame values' with different sizes, means and spreads, so every mistake gives its own number."""
    rng = np.random.default_rng(6)
    return rng.normal(2.0, 0.5, 300), rng.normal(1.0, 1.5, 180)


UNSQUARED_DIFFERENCE = ("square the difference of the means, (mean_a - mean_b)**2: then the score cannot be "
                        "negative, whichever clip comes first, and it has the units of the variances it is divided by.")


def _mistaken_fisher_ratios(a: np.ndarray, b: np.ndarray, ddof: int = 0) -> list[tuple[float, str]]:
    """``(value, message)`` for each typical mistake in Fisher's ratio on ``a`` and ``b``, with variances of
    ``ddof`` (either convention is accepted, so each mistake is recognised with both)."""
    from ..dashboard import fisher_score

    difference = a.mean() - b.mean()
    var_a, var_b, std_a, std_b = a.var(ddof=ddof), b.var(ddof=ddof), a.std(ddof=ddof), b.std(ddof=ddof)
    correct = difference**2 / (var_a + var_b)
    return [
        (difference**2 / (std_a + std_b), "you divided by the standard deviations. Fisher's ratio divides the squared "
                                          "difference of the means by the sum of the VARIANCES (np.var, the square "
                                          "of the standard deviation)."),
        (abs(difference) / (std_a + std_b), "you used standard deviations throughout: |mean_a - mean_b| / (std_a + "
                                            "std_b). Fisher's ratio uses the squared difference and the variances."),
        (difference**2 / (std_a + std_b) ** 2, "you squared the sum of the standard deviations. Add the variances "
                                               "instead: var_a + var_b = std_a**2 + std_b**2."),
        (difference**2 / var_a, "you divided by the variance of the first clip only: pool the spread within BOTH "
                                "clips, var_a + var_b."),
        (difference**2 / var_b, "you divided by the variance of the second clip only: pool the spread within BOTH "
                                "clips, var_a + var_b."),
        (difference**2 / np.concatenate([a, b]).var(ddof=ddof),
         "you divided by the variance of all values together. That variance also contains the gap between the two "
         "means, the very thing you measure: use the spread WITHIN each clip, var_a + var_b."),
        (1 / correct, "your ratio is upside down: the squared difference of the means goes on top, the variances "
                      "below. A large score should mean well separated."),
        (abs(difference) / (var_a + var_b), UNSQUARED_DIFFERENCE),
        (np.sqrt(correct), "you took a square root at the end: Fisher's ratio is the squared difference over the "
                           "sum of the variances, without a root."),
        (2 * correct, "you averaged the two variances, (var_a + var_b) / 2. That is a common variant, but it doubles "
                      "the score; this exercise (and the check) uses their sum."),
        (fisher_score([a, b]), "that is the Fisher score of section 4 (between-clip over within-clip variance, "
                               "weighted by frame counts). This exercise asks for the classic two-clip form, "
                               "(mean_a - mean_b)**2 / (var_a + var_b)."),
    ]


def check_fisher_ratio_function(fisher_ratio: Callable | None) -> CheckResult:
    """Lesson 06: ``fisher_ratio(a, b)`` returns Fisher's ratio of two 1-D arrays of frame values (one number).

    ``(mean(a) - mean(b))**2 / (var(a) + var(b))``. Either variance convention passes (``ddof=0`` or ``1``), the
    second with :data:`DDOF_NOTE`. The check runs the function on two test arrays of different
    sizes, means and spreads, recognises the usual mistakes, and then tries a second pair.
    """
    if fisher_ratio is None:
        return _unanswered("the difference of the two means, squared, divided by the sum of the two variances "
                           "(np.mean and np.var).")
    a, b = _fisher_test_arrays()
    answer, problem = _call_student_function(fisher_ratio, a.copy(), b.copy(), expect="number")
    if problem is not None:
        return problem
    value = float(answer.reshape(-1)[0])
    if not np.isfinite(value):
        return _wrong(f"your function returned {value}; both test arrays have a spread, so the score is finite.")
    difference = a.mean() - b.mean()
    expected = [difference**2 / (a.var(ddof=ddof) + b.var(ddof=ddof)) for ddof in (0, 1)]
    if any(np.isclose(value, target, rtol=TOLERANCE) for target in expected):
        second_a, second_b = np.random.default_rng(11).normal((5.0, 4.0), (2.0, 1.0), (90, 2)).T
        second, problem = _call_student_function(fisher_ratio, second_a, second_b, expect="number")
        if problem is not None:
            return problem
        targets = [(second_a.mean() - second_b.mean()) ** 2 / (second_a.var(ddof=ddof) + second_b.var(ddof=ddof))
                   for ddof in (0, 1)]
        if second.size == 1 and any(np.isclose(float(second.reshape(-1)[0]), target, rtol=TOLERANCE)
                                    for target in targets):
            note = "" if np.isclose(value, expected[0], rtol=TOLERANCE) else " " + DDOF_NOTE
            return _correct(f"{value:.3f} for the test pair (means {a.mean():.2f} and {b.mean():.2f}, variances "
                            f"{a.var():.2f} and {b.var():.2f}), and right on a second pair too.{note}")
        return _wrong("right for the first test pair but not for a second one: does your function use its "
                      "arguments a and b, not variables from the notebook?")
    for ddof in (0, 1):
        for mistaken, message in _mistaken_fisher_ratios(a, b, ddof):
            # Compared by size: an unsquared difference may come out negative. But only that mistake explains a
            # negative value; for the others a negative one means some other error (reported below).
            if np.isclose(abs(value), mistaken, rtol=TOLERANCE) and (value >= 0 or message is UNSQUARED_DIFFERENCE):
                return _wrong(message)
    if value < 0:
        return _wrong(f"a negative score ({value:.3f}) cannot be right: a squared difference divided by a sum of "
                      "variances is never negative.")
    return _not_right(f"your function returned {value:.6g}; expected {expected[0]:.6g}. It should return one "
                      "number, (mean_a - mean_b)**2 / (var_a + var_b), "
                      f"here ({a.mean():.3f} - {b.mean():.3f})**2 / ({a.var():.3f} + {b.var():.3f}).")


# ------------------------------------------------------------------ which feature separates two clips best?

_ALIASES = {
    "rms": "rms", "rms_level": "rms", "loudness": "rms", "level": "rms",
    "zcr": "zero_crossing_rate", "zero_crossing_rate": "zero_crossing_rate", "zero_crossings": "zero_crossing_rate",
    "centroid": "spectral_centroid", "spectral_centroid": "spectral_centroid",
    "bandwidth": "spectral_bandwidth", "spectral_bandwidth": "spectral_bandwidth",
    "rolloff": "spectral_rolloff", "roll_off": "spectral_rolloff", "spectral_rolloff": "spectral_rolloff",
    "spectral_roll_off": "spectral_rolloff", "85_%_roll_off": "spectral_rolloff", "85%_roll_off": "spectral_rolloff",
}


def _feature_name(answer: str) -> str:
    key = answer.strip().lower().replace("-", "_").replace(" ", "_")
    if key.replace("_", "").startswith("mfcc") and key.replace("_", "")[4:].isdigit():
        return "mfcc" + key.replace("_", "")[4:]
    return _ALIASES.get(key, key)


@lru_cache(maxsize=16)
def _clip_features(name: str):
    from ..samples import load_sample_cached
    from ..summaries import frame_features

    return frame_features(*load_sample_cached(name))


def separation_scores(clip_a: str, clip_b: str, candidates=tuple(SCALAR_FEATURES)) -> dict[str, float]:
    """The Fisher score (:func:`helpers.dashboard.fisher_score`) of each candidate feature for two bundled clips."""
    from ..dashboard import feature_frames, fisher_score

    features_a, features_b = _clip_features(clip_a), _clip_features(clip_b)
    return {feature: fisher_score([feature_frames(features_a, feature), feature_frames(features_b, feature)])
            for feature in candidates}


def check_best_separating_feature(answer, clip_a: str, clip_b: str,
                                  candidates: tuple[str, ...] = tuple(SCALAR_FEATURES)) -> CheckResult:
    """Lesson 06: which of ``candidates`` (default: the five scalar features) separates two bundled clips best?

    ``answer``: a feature name such as ``'spectral_rolloff'`` (``'roll-off'``, ``'zcr'``, ``'centroid'`` are
    understood too). The check computes every candidate's Fisher score over the two clips' sounding frames itself
    and, for a wrong pick, shows with numbers why it separates less: the gap between the clip means compared with
    the spread of the frames within each clip.
    """
    if answer is None:
        return _unanswered(f"compare the Fisher scores of the candidates for {clip_a} and {clip_b}: pick both clips "
                           "in the dashboard and read the scores in the plane's title, or use fisher_score.")
    if not isinstance(answer, str):
        return _wrong(f"answer with the feature's name as a string, e.g. 'spectral_centroid'; the candidates are "
                      f"{', '.join(candidates)}.")
    chosen = _feature_name(answer)
    if chosen not in candidates:
        return _wrong(f"{answer!r} is not one of the candidates: {', '.join(candidates)}.")
    scores = separation_scores(clip_a, clip_b, candidates)
    ranking = sorted(scores, key=scores.get, reverse=True)
    best = ranking[0]

    def describe(feature: str) -> str:
        from ..dashboard import feature_frames

        label, unit, _lesson = SCALAR_FEATURES.get(feature, (feature, "", ""))
        a = feature_frames(_clip_features(clip_a), feature)
        b = feature_frames(_clip_features(clip_b), feature)
        def number(value):
            return f"{value:.0f} Hz" if unit == "Hz" else f"{value:.3g}"

        return (f"{label}: means {number(a.mean())} ({clip_a}) and {number(b.mean())} ({clip_b}), frames spread by "
                f"{number(a.std())} and {number(b.std())}: Fisher score {scores[feature]:.3f}")

    if chosen == best:
        runner_up = ranking[1]
        return _correct(f"{describe(best)}. The next best, {runner_up}, scores {scores[runner_up]:.3f}.")
    from ..dashboard import feature_frames

    a, b = (feature_frames(_clip_features(clip), chosen) for clip in (clip_a, clip_b))
    gap = abs(a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2)
    return _wrong(f"{chosen} ranks {ranking.index(chosen) + 1} of {len(ranking)}. {describe(chosen)}. The gap "
                  f"between the means is only {gap:.2f} times the typical spread of the frames within a clip, so the "
                  f"two clouds of frames overlap. The best candidate scores {scores[best]:.3f}: find it.")


# ------------------------------------------------------------------ standardising a table of features


def _standardise_test_table() -> np.ndarray:
    """7 'clips' x 4 'features' on wildly different scales (Hz, tiny rates, MFCC-like values), not square."""
    rng = np.random.default_rng(8)
    scales = np.array([1500.0, 0.08, 120.0, 0.15])
    return scales * (1 + 0.4 * rng.standard_normal((7, 4)))


def check_standardise_function(standardise: Callable | None) -> CheckResult:
    """Lesson 06: ``standardise(table)`` turns each COLUMN (feature) of a ``(n_clips, n_features)`` table into
    z-scores: ``(column - its mean) / its standard deviation``, population std (``ddof=0``) as in scikit-learn's
    ``StandardScaler``. Each column of the result then has mean 0 and standard deviation 1. The sample standard
    deviation (``ddof=1``) is accepted too, with :data:`DDOF_NOTE`, as in :func:`check_fisher_ratio_function`.
    """
    if standardise is None:
        return _unanswered("subtract each column's mean and divide by each column's standard deviation: "
                           "table.mean(axis=0) and table.std(axis=0).")
    table = _standardise_test_table()
    answer, problem = _call_student_function(standardise, table.copy())
    if problem is not None:
        return problem
    if answer.shape != table.shape:
        if answer.shape == table.T.shape:
            return _wrong(f"your result is {answer.shape}, the transpose of the {table.shape} table: keep clips in "
                          "rows and features in columns.")
        return _wrong(f"your result has shape {answer.shape}; it should keep the table's shape {table.shape}: one "
                      "z-score per clip and feature.")
    result = answer.astype(np.float64)
    mean, std = table.mean(axis=0), table.std(axis=0)
    expected = (table - mean) / std
    if np.allclose(result, expected, rtol=TOLERANCE, atol=1e-9):
        return _correct(f"every column now has mean 0 and standard deviation 1, e.g. the first clip's first feature, "
                        f"{table[0, 0]:.0f}, became {expected[0, 0]:+.3f}.")
    if np.allclose(result, (table - mean) / table.std(axis=0, ddof=1), rtol=TOLERANCE, atol=1e-9):
        return _correct("every column now has mean 0 and a standard deviation near 1 (exactly 1 with ddof=1). "
                        + DDOF_NOTE + " With only 7 clips the two differ by 8 %.")
    for ddof in (0, 1):  # either convention is accepted, so each mistake is recognised with both
        std_d = table.std(axis=0, ddof=ddof)
        mistakes = [
            ((table - table.mean(axis=1, keepdims=True)) / table.std(axis=1, keepdims=True, ddof=ddof),
             "you standardised each ROW (clip) instead of each column (feature): use axis=0, so each feature is "
             "measured against the same feature in the other clips."),
            ((table - table.mean()) / table.std(ddof=ddof),
             "you used one mean and one standard deviation for the whole table. The features have different units "
             "and scales (Hz next to crossings per sample): give each column its own, with axis=0."),
            (table / std_d, "you forgot to subtract each column's mean: z = (x - mean) / std."),
            (table - mean, "you subtracted the mean but did not divide by the standard deviation."),
            ((table - mean) / table.var(axis=0, ddof=ddof), "you divided by the variance; divide by the standard "
                                                            "deviation, its square root."),
            ((table - table.min(axis=0)) / (table.max(axis=0) - table.min(axis=0)),
             "that is min-max scaling (0 to 1). Z-scores subtract the mean and divide by the standard deviation."),
        ]
        for candidate, message in mistakes:
            if np.allclose(result, candidate, rtol=TOLERANCE, atol=1e-9):
                return _wrong(message)
    worst = np.unravel_index(np.argmax(np.abs(result - expected)), table.shape)
    return _not_right(f"clip {worst[0]}, feature {worst[1]}: yours {result[worst]:.4g}, expected "
                      f"{expected[worst]:.4g}. The result is a table of z-scores of the same shape: compute "
                      "(table - table.mean(axis=0)) / table.std(axis=0).")
