"""The lesson 06 dashboard: every control changes the picture, scales are shared, the plane sits at the summaries."""

import numpy as np
import pytest
import scipy.stats

import helpers
from helpers import dashboard
from helpers.dashboard import ComparisonDashboard, feature_frames, fisher_score, plane_features
from helpers.summaries import frame_features, summarise

CLIPS = ["metal", "edm", "ambient", "speech"]


@pytest.fixture(scope="module")
def features():
    """Frame features of the test clips, computed once for the module (the dashboard accepts them)."""
    return {name: frame_features(*helpers.load_sample_cached(name)) for name in CLIPS}


def make(features, **options):
    options.setdefault("selected", ("metal", "edm"))
    return ComparisonDashboard(clips=CLIPS, features=features, **options)


def test_each_control_changes_the_picture(features):
    board = make(features, view="spectral_centroid")
    rows, plane = board.image.value, board.plane_image.value
    board.view.value = "zero_crossing_rate"
    assert board.image.value != rows
    assert board.plane_image.value == plane  # the view does not touch the plane
    assert "zero-crossing rate" in board.row_label.get_text()
    rows = board.image.value
    board.x_feature.value = "mfcc1"
    assert board.plane_image.value != plane and board.image.value == rows
    assert board.plane_ax.get_xlabel() == "MFCC 1"
    plane = board.plane_image.value
    board.y_feature.value = "rms"
    assert board.plane_image.value != plane
    plane = board.plane_image.value
    board.clips.value = ("metal", "edm", "ambient")
    assert board.image.value != rows and board.plane_image.value != plane
    assert [row["ax"].get_title(loc="left").split(":")[0] for row in board.rows] == ["metal", "edm", "ambient"]
    for view in dashboard.VIEWS:  # every view draws without error and changes the rows
        rows = board.image.value
        board.view.value = view
        assert board.image.value != rows


def test_a_feature_view_shares_one_y_range_and_time_axis(features):
    board = make(features, selected=("metal", "edm", "ambient"), view="spectral_centroid")
    limits = {row["ax"].get_ylim() for row in board.rows}
    assert len(limits) == 1
    (low, high), = limits
    # The shared range holds the brightest clip's 99.5th percentile, computed here from the features.
    brightest = max(np.percentile(features[name].scalars["spectral_centroid"], 99.5) for name in board.selected)
    assert low == 0 and brightest < high <= 1.06 * brightest
    assert len({row["ax"].get_xlim() for row in board.rows}) == 1
    for row, name in zip(board.rows, board.selected):
        x, y = row["line"].get_data()
        np.testing.assert_array_equal(y, features[name].scalars["spectral_centroid"])


def test_spectrograms_and_mfccs_share_one_colour_scale(features):
    board = make(features, selected=("metal", "ambient", "speech"), view="spectrogram")
    assert {row["image"].get_clim() for row in board.rows} == {dashboard.DB_RANGE}
    assert [label.get_text() for label in board.rows[0]["ax"].get_yticklabels()] == ["32", "125", "500", "2000",
                                                                                    "8000"]
    board.view.value = "mfcc"
    assert {row["image"].get_clim() for row in board.rows} == {dashboard.MFCC_Z_RANGE}
    # One standardisation per coefficient, pooled over the picked clips: over all their sounding frames each
    # standardised coefficient has mean 0 and standard deviation 1.
    shown = np.concatenate([row["image"].get_array()[:, features[name].sounding]
                            for row, name in zip(board.rows, board.selected)], axis=1)
    np.testing.assert_allclose(shown.mean(axis=1), 0, atol=1e-4)
    np.testing.assert_allclose(shown.std(axis=1), 1, rtol=1e-4)
    board.view.value = "rms"  # back to a feature: numbers on the y axis again, not the spectrogram's Hz labels
    labels = [label.get_text() for label in board.rows[0]["ax"].get_yticklabels()]
    assert labels and all(float(text.replace("\u2212", "-")) < 1 for text in labels)


@pytest.mark.parametrize("x, y", [("spectral_centroid", "zero_crossing_rate"), ("mfcc1", "rms")])
def test_plane_points_sit_at_the_summaries(features, x, y):
    board = make(features, selected=("metal", "ambient"), x=x, y=y)
    assert set(board.plane_points) == set(CLIPS)  # every clip, picked or not
    for name in CLIPS:
        expected = summarise(frame_features(*helpers.load_sample_cached(name)))  # computed again, independently
        (px,), (py,) = board.plane_points[name].get_data()
        assert px == pytest.approx(expected[f"{x}_mean"], rel=1e-6)
        assert py == pytest.approx(expected[f"{y}_mean"], rel=1e-6)
    # The title's scores are the Fisher scores of the picked clips' sounding frames.
    x_score, y_score = board.plane_scores()
    assert x_score == pytest.approx(fisher_score([feature_frames(features[n], x) for n in ("metal", "ambient")]))
    assert f"x {x_score:.2f}" in board.plane_ax.get_title()


def test_fewer_than_two_clips_shows_a_message_not_a_crash(features):
    board = make(features)
    rows, plane, redraws = board.image.value, board.plane_image.value, len(board.update_times_ms)
    board.clips.value = ("metal",)
    assert "at least two clips" in board.status.value
    assert board.image.value == rows and board.plane_image.value == plane
    board.clips.value = ()
    board.view.value = "waveform"  # other controls wait too
    assert len(board.update_times_ms) == redraws
    board.clips.value = ("edm", "speech")
    assert board.status.value == "" and board.image.value != rows


def test_bad_names_get_clear_errors(features):
    with pytest.raises(ValueError, match="spectral_centroid, spectral_bandwidth"):
        make(features, x="centroid")
    with pytest.raises(ValueError, match="mfcc12"):
        make(features, y="mfcc13")
    with pytest.raises(ValueError, match="waveform, spectrogram"):
        make(features, view="chroma")
    with pytest.raises(helpers.AudioInputError, match="not one of the clips"):
        make(features, selected=("metal", "Pop"))
    with pytest.raises(ValueError, match="rms"):
        feature_frames(features["metal"], "loudness")


def test_features_are_computed_once_per_clip(monkeypatch):
    calls = []

    def counting(y, sr):
        calls.append(y.size)
        return frame_features(y, sr)

    monkeypatch.setattr(dashboard, "frame_features", counting)
    board = ComparisonDashboard(clips=["pop", "piano"], view="rms")
    assert len(calls) == 2
    for view in ("spectral_rolloff", "mfcc", "rms"):
        board.view.value = view
    board.x_feature.value = "mfcc3"
    assert len(calls) == 2


def test_own_clip_joins_the_picker_the_rows_and_the_plane(features):
    sr = 22050
    tone = helpers.sum_of_partials((440, 880), (0.5, 0.25), duration_s=3.0, sr=sr)
    board = make(features, extra_clips={"my song": (tone, sr)}, selected=("my song", "metal"))
    assert "my song" in board.clips.options and "my song" in board.plane_points
    (px,), _ = board.plane_points["my song"].get_data()
    assert 440 < px < 880  # the centroid of two partials lies between them
    assert "my song" in board.table.value


def test_table_lists_mean_and_spread_of_the_picked_clips(features):
    board = make(features, selected=("ambient", "speech"), x="spectral_centroid", y="mfcc5")
    summary = summarise(features["ambient"])
    assert f"{summary['spectral_centroid_mean']:.0f} ± {summary['spectral_centroid_std']:.0f}" in board.table.value
    assert "MFCC 5" in board.table.value and "metal" not in board.table.value


def test_fisher_score_is_a_scaled_anova_f():
    rng = np.random.default_rng(3)
    groups = [rng.normal(mean, spread, size) for mean, spread, size in ((0, 1, 50), (1, 2, 80), (3, 1, 30))]
    n, k = sum(group.size for group in groups), len(groups)
    f = scipy.stats.f_oneway(*groups).statistic
    assert fisher_score(groups) == pytest.approx(f * (k - 1) / (n - k), rel=1e-12)
    a, b = rng.normal(0, 1, 400), rng.normal(2, 3, 400)  # equal sizes: half of Fisher's two-class ratio
    assert fisher_score([a, b]) == pytest.approx(0.5 * (a.mean() - b.mean()) ** 2 / (a.var() + b.var()))
    assert fisher_score([np.ones(5), np.ones(5)]) == 0.0
    with pytest.raises(ValueError):
        fisher_score([np.arange(3.0)])


def test_plane_features_are_the_summaries_names():
    names = plane_features()
    assert list(names)[:5] == list(helpers.summaries.SCALAR_FEATURES) and "mfcc12" in names
    from helpers.summaries import summary_names

    assert [f"{name}_mean" for name in names] == summary_names()[0::2]
