"""The lesson 06 dashboard: every control changes the picture, scales are shared, the plane sits at the summaries."""

import numpy as np
import pytest
import scipy.stats

import helpers
from helpers import dashboard
from helpers import explorer_data as data
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


def test_controls_are_traits_and_every_view_has_its_data(features):
    board = make(features, view="spectral_centroid")
    board.view = "zero_crossing_rate"
    board.x_feature, board.y_feature = "mfcc1", "rms"
    board.selected = ["ambient", "metal", "metal"]
    assert board.selected == ["ambient", "metal"]  # repeats dropped
    for view in dashboard.VIEWS:
        board.view = view
        for key in board.initial_keys():
            meta, arrays = data.decode_payload(board.payload(key))
            assert arrays, key
    with pytest.raises(helpers.AudioInputError, match="list of clip names"):
        board.selected = "metal"
    with pytest.raises(helpers.AudioInputError, match="waveform, spectrogram"):
        board.view = "chroma"
    assert board.view == "mfcc"


def test_feature_rows_are_the_frame_features(features):
    board = make(features, selected=("metal", "edm", "ambient"), view="spectral_centroid")
    for name in board.selected:
        meta, arrays = data.decode_payload(board.payload(f"frames|{name}|spectral_centroid"))
        np.testing.assert_array_equal(arrays["values"], features[name].scalars["spectral_centroid"].astype(np.float32))
        np.testing.assert_array_equal(arrays["sounding"].astype(bool), features[name].sounding)
        assert meta["hop_length_samples"] / meta["sample_rate_hz"] == pytest.approx(features[name].times[1])
    # The shared y range the browser uses: 5 % above the largest 99.5th percentile, computed here from the frames.
    top = max(board.setup["statistics"][name]["spectral_centroid"]["percentile_99_5"] for name in board.selected)
    brightest = max(np.percentile(features[name].scalars["spectral_centroid"], 99.5) for name in board.selected)
    assert top == pytest.approx(brightest) and board.feature_limits("spectral_centroid")[1] == pytest.approx(1.05 * top)


def pooled_from_statistics(statistics, names, feature):
    """What the browser computes from each clip's count, mean and variance (as helpers/frontend/explorer.js does)."""
    stats = [statistics[name][feature] for name in names]
    total = sum(s["count"] for s in stats)
    mean = sum(s["count"] * s["mean"] for s in stats) / total
    between = sum(s["count"] * (s["mean"] - mean) ** 2 for s in stats)
    within = sum(s["count"] * s["variance"] for s in stats)
    return mean, np.sqrt((between + within) / total), between / within


@pytest.mark.parametrize("x, y", [("spectral_centroid", "zero_crossing_rate"), ("mfcc1", "rms")])
def test_plane_statistics_give_the_summaries_and_fisher_scores(features, x, y):
    board = make(features, selected=("metal", "ambient", "speech"), x=x, y=y)
    statistics = board.setup["statistics"]
    assert set(statistics) == set(CLIPS)  # every clip, picked or not
    for name in CLIPS:
        expected = summarise(frame_features(*helpers.load_sample_cached(name)))  # computed again, independently
        for feature in (x, y):
            assert statistics[name][feature]["mean"] == pytest.approx(expected[f"{feature}_mean"], rel=1e-6)
            assert np.sqrt(statistics[name][feature]["variance"]) == pytest.approx(expected[f"{feature}_std"], rel=1e-5)
    for feature, score in zip((x, y), board.plane_scores()):
        frames = [feature_frames(features[name], feature) for name in board.selected]
        assert pooled_from_statistics(statistics, board.selected, feature)[2] == pytest.approx(fisher_score(frames),
                                                                                            rel=1e-9)
        assert score == pytest.approx(fisher_score(frames))


def test_mfcc_view_standardises_over_the_picked_clips(features):
    board = make(features, selected=("metal", "ambient", "speech"), view="mfcc")
    mean, std = board.mfcc_standardisation()
    pooled = np.concatenate([features[name].mfcc[:, features[name].sounding] for name in board.selected], axis=1)
    np.testing.assert_allclose(mean[:, 0], pooled.mean(axis=1), rtol=1e-5)
    for k in (0, 5, 12):
        browser_mean, browser_std, _ = pooled_from_statistics(board.setup["statistics"], board.selected, f"mfcc{k}")
        assert browser_mean == pytest.approx(pooled[k].mean(), rel=1e-5, abs=1e-4)
        assert browser_std == pytest.approx(pooled[k].std(), rel=1e-4)


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
        board.view = view
        for key in board.initial_keys():
            board.payload(key)
    board.x_feature = "mfcc3"
    assert len(calls) == 2


def test_own_clip_joins_the_picker_the_rows_and_the_plane(features):
    sr = 22050
    tone = helpers.sum_of_partials((440, 880), (0.5, 0.25), duration_s=3.0, sr=sr)
    board = make(features, extra_clips={"my song": (tone, sr)}, selected=("my song", "metal"))
    assert [clip["name"] for clip in board.setup["clips"]][-1] == "my song"
    px = board.setup["statistics"]["my song"]["spectral_centroid"]["mean"]
    assert 440 < px < 880  # the centroid of two partials lies between them
    assert board.initial_keys()[0] == "frames|my song|spectral_centroid"


def test_table_lists_mean_and_spread_of_the_picked_clips(features):
    board = make(features, selected=("ambient", "speech"), x="spectral_centroid", y="mfcc5")
    summary = summarise(features["ambient"])
    text = board.setup["statistics"]["ambient"]["spectral_centroid"]["text"]
    assert text == f"{summary['spectral_centroid_mean']:.0f} ± {summary['spectral_centroid_std']:.0f}"
    assert board.setup["statistics"]["ambient"]["rms"]["text"] == (f"{summary['rms_mean']:.3f} ± "
                                                                     f"{summary['rms_std']:.3f}")


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
