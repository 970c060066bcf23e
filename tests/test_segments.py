"""Segments: whole segments only, overlap when asked, and vectors that agree with analysing each segment alone."""

import numpy as np
import pytest

import helpers
from helpers.segments import frames_in, segment_bounds, segment_vectors, wilson_interval
from helpers.summaries import feature_vector, frame_features, summary_names

SR = 22050


def test_bounds_of_touching_segments_keep_only_whole_ones():
    bounds = segment_bounds(int(31.0 * SR), SR, segment_s=3.0)
    assert bounds.shape == (10, 2)
    assert bounds[0].tolist() == [0, 3 * SR] and bounds[-1].tolist() == [27 * SR, 30 * SR]
    assert np.all(bounds[1:, 0] == bounds[:-1, 1])          # touching, no gap, no overlap
    assert segment_bounds(30 * SR, SR, 3.0).shape == (10, 2)  # exactly ten fit in 30 s
    assert segment_bounds(30 * SR - 1, SR, 3.0).shape == (9, 2)


def test_bounds_of_overlapping_segments():
    bounds = segment_bounds(30 * SR, SR, segment_s=3.0, hop_s=0.5)
    assert len(bounds) == 1 + (30 - 3) * 2
    assert np.all(np.diff(bounds[:, 0]) == SR // 2) and np.all(bounds[:, 1] - bounds[:, 0] == 3 * SR)
    assert bounds[-1, 1] <= 30 * SR


def test_bounds_of_a_clip_shorter_than_one_segment_and_bad_arguments():
    assert segment_bounds(SR, SR, 3.0).shape == (0, 2)
    for bad in (0, -1.0, "3"):
        with pytest.raises(ValueError, match="segment_s"):
            segment_bounds(SR, SR, bad)
    with pytest.raises(ValueError, match="hop_s"):
        segment_bounds(SR, SR, 1.0, hop_s=0)


def test_frames_in_keeps_the_frames_centred_inside():
    y, _ = helpers.load_sample_cached("edm")
    features = frame_features(y, SR)
    part = frames_in(features, 1000, 1000 + 512 * 10)
    centres = np.round(part.times * SR)
    assert part.times.size == 10 and centres.min() >= 1000 and centres.max() < 1000 + 512 * 10
    assert part.mfcc.shape == (13, 10) and all(values.size == 10 for values in part.scalars.values())


def test_vectors_agree_with_each_segment_analysed_alone():
    """In a steady sound the means agree; analysed alone, a segment's zero-padded edge frames add spread."""
    y = (helpers.sum_of_partials((220, 660, 1320), (0.3, 0.2, 0.1), duration_s=9.0, sr=SR)
         + helpers.white_noise(9.0, SR, amplitude=0.02, seed=1))
    vectors, bounds = segment_vectors(y, SR, segment_s=3.0)
    names = summary_names()
    means = [index for index, name in enumerate(names) if name.endswith("_mean")]
    scalar_spreads = [index for index, name in enumerate(names) if name.endswith("_std") and "mfcc" not in name]
    assert vectors.shape == (3, len(names)) and bounds.shape == (3, 2)
    for vector, (start, stop) in zip(vectors, bounds):
        alone = feature_vector(y[start:stop], SR)
        np.testing.assert_allclose(vector[means], alone[means], rtol=0.06, atol=0.5)
        assert np.all(vector[scalar_spreads] < alone[scalar_spreads])


def test_vectors_see_a_change_between_segments_and_reuse_given_features():
    tone_low = helpers.pure_tone(300, 3.0, SR, 0.5)
    tone_high = helpers.pure_tone(3000, 3.0, SR, 0.5)
    y = np.concatenate([tone_low, tone_high])
    vectors, _ = segment_vectors(y, SR, 3.0)
    centroid = summary_names().index("spectral_centroid_mean")
    assert vectors[0, centroid] < 600 < 2500 < vectors[1, centroid]
    again, _ = segment_vectors(y, SR, 3.0, features=frame_features(y, SR))
    np.testing.assert_array_equal(vectors, again)


def test_silent_segments_are_left_out_and_short_or_silent_clips_refused():
    # 5 s of silence, then a tone: the segments 0-2 s and 2-4 s are silent, 4-6 s and 6-8 s are not
    y = np.concatenate([np.zeros(5 * SR, dtype=np.float32), helpers.pure_tone(440, 3.0, SR, 0.5)])
    vectors, bounds = segment_vectors(y, SR, segment_s=2.0)
    assert bounds[:, 0].tolist() == [4 * SR, 6 * SR] and vectors.shape[0] == 2
    with pytest.raises(helpers.AudioInputError, match="shorter than one 3 s segment"):
        segment_vectors(helpers.pure_tone(440, 1.0, SR), SR, segment_s=3.0)
    with pytest.raises(helpers.AudioInputError, match="silent"):
        segment_vectors(np.zeros(4 * SR, dtype=np.float32), SR)


def test_blocked_fold_roles_move_the_test_block_and_leave_gaps_on_both_sides():
    from helpers.segments import blocked_fold_roles
    # Two songs of 6 segments, listed in a shuffled order; a block of 2 with 1 left out on each side.
    positions = np.array([5, 0, 3, 1, 4, 2, 0, 1, 2, 3, 4, 5])
    roles = blocked_fold_roles(positions, n_test=2, gap=1)
    # Written out by hand, per fold, by position 0..5: T test, . train, x left out.
    by_position = ["TTx...", "xTTx..", ".xTTx.", "..xTTx", "...xTT"]
    code = {"T": 1, ".": 0, "x": -1}
    expected = np.array([[code[row[p]] for p in positions] for row in by_position])
    assert roles.shape == (5, 12)
    np.testing.assert_array_equal(roles, expected)
    # Without a gap nothing is left out; the lesson's split is the last fold with gap 1 (10 segments, 3 tested).
    assert not np.any(blocked_fold_roles(positions, 2, 0) == -1)
    last = blocked_fold_roles(np.arange(10), 3, 1)[-1]
    assert last.tolist() == [0, 0, 0, 0, 0, 0, -1, 1, 1, 1]


def test_blocked_fold_roles_refuse_bad_arguments():
    from helpers.segments import blocked_fold_roles
    with pytest.raises(ValueError, match="n_test"):
        blocked_fold_roles(np.arange(4), 4, 1)
    with pytest.raises(ValueError, match="gap"):
        blocked_fold_roles(np.arange(4), 2, -1)
    with pytest.raises(ValueError, match="positions"):
        blocked_fold_roles(np.array([0.5, 1.0]), 1, 0)


def test_wilson_interval_agrees_with_scipy_and_refuses_impossible_counts():
    import scipy.stats

    z = scipy.stats.norm.ppf(0.975)
    for correct, n in ((17, 21), (6, 6), (0, 6), (47, 57)):
        reference = scipy.stats.binomtest(correct, n).proportion_ci(confidence_level=0.95, method="wilson")
        low, high = wilson_interval(correct, n, z=z)
        assert (low, high) == pytest.approx((reference.low, reference.high), abs=1e-9)
    low, high = wilson_interval(np.array([5, 6]), 6)
    assert low.shape == (2,) and high[1] == pytest.approx(1.0) and 0 < low[0] < 5 / 6 < high[0] < 1
    for correct, n in ((7, 6), (-1, 6), (2.5, 6), (1, 0)):
        with pytest.raises(helpers.AudioInputError, match="whole counts"):
            wilson_interval(correct, n)


def test_segment_vectors_are_the_per_segment_summaries_to_the_last_bit():
    """segment_vectors summarises all segments from two stacks of the features at once; every number must equal
    summarise(frames_in(...)) of each segment, the plain definition, also for overlapping segments and for
    segments with silent frames inside (where the frames kept are not one contiguous run)."""
    from helpers.summaries import summarise

    y, sr = helpers.load_sample_cached("piano")
    y = y[: 12 * sr].copy()
    y[int(4.2 * sr): int(4.5 * sr)] = 0.0  # digital silence inside the second segment
    features = frame_features(y, sr)
    for hop_s in (None, 1.0):
        vectors, bounds = segment_vectors(y, sr, 3.0, hop_s, features=features)
        expected = [list(summarise(frames_in(features, start, stop)).values())
                    for start, stop in segment_bounds(y.size, sr, 3.0, hop_s)]
        np.testing.assert_array_equal(vectors, np.array(expected))
        assert len(bounds) == len(expected)
    assert not features.sounding[int(4.3 * sr) // 512]
