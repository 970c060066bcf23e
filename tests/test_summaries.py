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


@pytest.mark.parametrize("name, dtype, sr, n_fft, hop", [
    ("pop", np.float32, 22050, 2048, 512), ("speech", np.float32, 22050, 2048, 512),
    ("piano", np.float64, 22050, 2048, 512), ("metal", np.float32, 8000, 1024, 256),
])
def test_frame_features_are_librosas_numbers_to_the_last_bit(name, dtype, sr, n_fft, hop):
    """frame_features computes centroid, bandwidth, roll-off, ZCR and the mel filterbank its own, faster way: the
    numbers must still be exactly those of librosa's functions on the same magnitude spectrogram (lessons 03-07
    compare them), whatever the sample type, rate and frame settings. One BLAS thread, as the course's kernels use:
    the mel product's sums depend on the thread count."""
    from threadpoolctl import threadpool_limits

    y, _ = helpers.load_audio(helpers.sample_info(name).path, sr=sr, duration=8)
    y = np.concatenate([np.zeros(3000, dtype=y.dtype), y]).astype(dtype)  # silent frames at the start, too
    with threadpool_limits(limits=1, user_api="blas"):
        features = frame_features(y, sr, n_fft=n_fft, hop_length=hop)
        magnitude = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop))
        centroid = librosa.feature.spectral_centroid(S=magnitude, sr=sr, n_fft=n_fft)
        expected = {
            "rms": librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop)[0],
            "zero_crossing_rate": librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop)[0],
            "spectral_centroid": centroid[0],
            "spectral_bandwidth": librosa.feature.spectral_bandwidth(S=magnitude, sr=sr, n_fft=n_fft,
                                                                     centroid=centroid)[0],
            "spectral_rolloff": librosa.feature.spectral_rolloff(S=magnitude, sr=sr, n_fft=n_fft)[0],
        }
        mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=magnitude**2, sr=sr, n_fft=n_fft), top_db=80.0)
        mfcc = librosa.feature.mfcc(S=mel_db, n_mfcc=13)
    for feature, values in expected.items():
        assert features.scalars[feature].dtype == values.dtype, feature
        np.testing.assert_array_equal(features.scalars[feature], values, err_msg=feature)
    np.testing.assert_array_equal(features.mfcc, mfcc)
    np.testing.assert_array_equal(features.sounding, magnitude.sum(axis=0) > 0)
    assert not features.sounding[0] and features.sounding.sum() > 0.9 * features.sounding.size


def test_zero_crossings_count_samples_at_the_threshold_as_librosa_does():
    """Samples within 1e-10 of zero count as zero (no crossing), -0.0 is not negative, and the edge padding of the
    first and last frames adds no crossing: librosa's rules, on a signal made to hit each of them."""
    from helpers.summaries import _zero_crossing_rate

    rng = np.random.default_rng(3)
    y = rng.choice(np.array([-1.0, -1e-10, -2e-10, -0.0, 0.0, 1e-10, 2e-10, 1.0], dtype=np.float32), size=5000)
    for frame_length, hop in ((2048, 512), (512, 128), (64, 64)):
        np.testing.assert_array_equal(
            _zero_crossing_rate(y, frame_length, hop),
            librosa.feature.zero_crossing_rate(y, frame_length=frame_length, hop_length=hop)[0])
