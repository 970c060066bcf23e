"""Feature helpers agree with independent NumPy computations and with librosa's framing."""

import librosa
import numpy as np
import pytest

import helpers


@pytest.mark.parametrize("n_samples", [2048, 5000, 22050])
@pytest.mark.parametrize("center", [True, False])
def test_frame_count_matches_librosa_stft(n_samples, center):
    y = np.random.default_rng(0).standard_normal(n_samples).astype(np.float32)
    frames = librosa.stft(y, n_fft=2048, hop_length=512, center=center).shape[1]
    assert helpers.frame_count(n_samples, 2048, 512, center=center) == frames


def test_rms_envelope_matches_a_from_scratch_computation():
    sr = 22050
    y = np.concatenate([helpers.pure_tone(440, 0.5, sr, 0.5), helpers.white_noise(0.5, sr, 0.05)])
    rms, times = helpers.rms_envelope(y, sr, frame_length=1024, hop_length=256)
    padded = np.pad(y.astype(np.float64), 512)
    expected = np.array([np.sqrt(np.mean(padded[k * 256: k * 256 + 1024] ** 2)) for k in range(1 + y.size // 256)])
    np.testing.assert_allclose(rms, expected, atol=1e-5)
    np.testing.assert_allclose(times, np.arange(rms.size) * 256 / sr)
    # A sine of amplitude A has RMS A / sqrt(2): check it in the middle of the tone.
    assert rms[20] == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_min_max_envelope_keeps_every_peak():
    y = np.random.default_rng(1).standard_normal(100_000).astype(np.float32)
    index, values = helpers.min_max_envelope(y, 500)
    assert index.size == values.size == 1000
    assert values.max() == y.max() and values.min() == y.min()
    short = np.arange(10, dtype=np.float32)
    index, values = helpers.min_max_envelope(short, 500)
    np.testing.assert_array_equal(values, short)


def test_full_scale_sine_reads_zero_db_at_its_frequency():
    sr, n_fft = 22050, 2048
    frequency = 43 * sr / n_fft  # exactly on a bin, so no energy spreads between bins
    S_db = helpers.spectrogram_db(helpers.pure_tone(frequency, 1.0, sr, amplitude=1.0), sr, n_fft=n_fft)
    assert S_db.shape == (1 + n_fft // 2, 1 + sr // 512)
    middle = S_db[:, S_db.shape[1] // 2]
    assert np.argmax(middle) == 43
    assert middle[43] == pytest.approx(0.0, abs=0.1)
    half = helpers.spectrogram_db(helpers.pure_tone(frequency, 1.0, sr, amplitude=0.5), sr, n_fft=n_fft)
    assert half[43, half.shape[1] // 2] == pytest.approx(20 * np.log10(0.5), abs=0.1)


def test_mel_and_log_scales():
    y = helpers.chirp(100, 8000, 1.0)
    assert helpers.spectrogram_db(y, 22050, frequency_scale="mel", n_mels=64).shape[0] == 64
    np.testing.assert_array_equal(helpers.spectrogram_db(y, 22050, frequency_scale="log"),
                                  helpers.spectrogram_db(y, 22050, frequency_scale="linear"))
    with pytest.raises(helpers.AudioInputError, match="frequency_scale"):
        helpers.spectrogram_db(y, 22050, frequency_scale="bark")


@pytest.mark.parametrize("n_frames", [216, 20, 16, 15, 5])  # a 5 s excerpt; fewer frames than the 31-frame
# kernel; just enough, and one too few, to be extended by half a kernel (16 frames) in one call; very few
def test_hpss_magnitudes_are_librosas_to_the_last_bit(n_frames):
    rng = np.random.default_rng(3)
    y = np.concatenate([helpers.pure_tone(440.0, 2.0, amplitude=0.3),
                        helpers.click_train(4, 3.0, 22050, amplitude=0.9)])
    y = (y + 0.01 * rng.standard_normal(y.size)).astype(np.float32)
    magnitude = np.abs(librosa.stft(y))[:, :n_frames]
    harmonic, percussive = helpers.analysis.hpss_magnitudes(magnitude)
    reference_harmonic, reference_percussive = librosa.decompose.hpss(magnitude)
    assert harmonic.dtype == reference_harmonic.dtype == np.float32
    assert np.array_equal(harmonic, reference_harmonic) and np.array_equal(percussive, reference_percussive)
    assert not np.array_equal(harmonic, percussive)
    other = helpers.analysis.hpss_magnitudes(magnitude, kernel_size=9)
    assert all(np.array_equal(a, b) for a, b in zip(other, librosa.decompose.hpss(magnitude, kernel_size=9)))


def test_hpss_magnitudes_refuses_what_is_not_a_magnitude():
    magnitude = np.ones((1025, 40), dtype=np.float32)
    with pytest.raises(helpers.AudioInputError, match="complex STFT or dB"):
        helpers.analysis.hpss_magnitudes(-magnitude)
    with pytest.raises(helpers.AudioInputError, match="2-D float array"):
        helpers.analysis.hpss_magnitudes(librosa.stft(np.zeros(4096, dtype=np.float32)))
    with pytest.raises(helpers.AudioInputError, match="kernel_size"):
        helpers.analysis.hpss_magnitudes(magnitude, kernel_size=0)
