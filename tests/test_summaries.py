"""Feature summaries agree with the features computed one by one, leave silence out, and keep their order."""

import librosa
import numpy as np
import pytest

import helpers
from helpers.summaries import SCALAR_FEATURES, feature_vector, frame_features, summarise, summary_names


def test_frame_features_match_librosa_one_by_one():
    y, sr = helpers.load_sample_cached("pop")
    features = frame_features(y, sr)
    np.testing.assert_allclose(features.scalars["spectral_centroid"],
                               librosa.feature.spectral_centroid(y=y, sr=sr)[0], rtol=1e-4)
    np.testing.assert_allclose(features.scalars["zero_crossing_rate"],
                               librosa.feature.zero_crossing_rate(y)[0])
    np.testing.assert_allclose(features.mfcc, librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13), atol=1e-3)
    assert features.times[1] == pytest.approx(512 / sr)


def test_summary_leaves_digital_silence_out():
    sr = 22050
    tone = helpers.pure_tone(1000, 1.0, sr)
    with_silence = np.concatenate([tone, np.zeros(sr, dtype=np.float32)])
    alone, padded = summarise(frame_features(tone, sr)), summarise(frame_features(with_silence, sr))
    # Silent frames would pull the mean centroid towards 0 Hz; without them it stays near the tone's.
    assert padded["spectral_centroid_mean"] == pytest.approx(alone["spectral_centroid_mean"], rel=0.02)
    assert 900 < alone["spectral_centroid_mean"] < 1200


def test_vector_order_and_length():
    y, sr = helpers.load_sample_cached("edm")
    vector = feature_vector(y, sr)
    names = summary_names()
    assert vector.shape == (len(names),) == (2 * (len(SCALAR_FEATURES) + 13),)
    summary = summarise(frame_features(y, sr))
    assert list(summary) == names
    assert vector[names.index("rms_mean")] == pytest.approx(summary["rms_mean"])


def test_silent_or_too_short_clips_are_refused():
    with pytest.raises(helpers.AudioInputError, match="silent"):
        frame_features(np.zeros(22050, dtype=np.float32), 22050)
    with pytest.raises(helpers.AudioInputError, match="one analysis frame"):
        frame_features(helpers.pure_tone(440, 0.05), 22050)
