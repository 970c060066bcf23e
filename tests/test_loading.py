"""Loading the bundled samples and students' own files: shapes, rates, durations, mono/stereo."""

import io

import numpy as np
import pytest
import soundfile

import helpers
from helpers import list_samples, load_audio, load_sample


def test_catalogue_lists_at_least_six_samples_with_html_and_text_views():
    catalogue = list_samples()
    assert len(catalogue) >= 6
    html = catalogue._repr_html_()
    text = repr(catalogue)
    for sample in catalogue:
        assert sample.id in html and sample.id in text
        assert catalogue[sample.id] is sample or catalogue[sample.id] == sample
    assert catalogue.ids == helpers.sample_ids()


@pytest.mark.parametrize("name", helpers.sample_ids())
def test_every_sample_loads_at_the_requested_rate(name):
    info = helpers.sample_info(name)
    y, sr = load_sample(name)
    assert sr == 22050
    assert y.dtype == np.float32 and y.ndim == 1
    assert abs(y.size / sr - info.excerpt_duration_s) < 0.1
    assert 0.05 < np.max(np.abs(y)) <= 1.0


def test_native_rate_and_stereo_are_kept_when_asked():
    stereo = [s for s in list_samples() if s.channels == 2]
    assert stereo, "at least one bundled sample should be stereo, to teach mono=False"
    info = stereo[0]
    y, sr = load_sample(info.id, sr=None, mono=False, duration=2.0)
    assert sr == info.sample_rate_hz
    assert y.shape == (2, 2 * info.sample_rate_hz)


def test_offset_and_duration_select_the_same_samples_as_slicing():
    name = helpers.sample_ids()[0]
    whole, sr = load_sample(name, sr=None)
    part, _ = load_sample(name, sr=None, offset=1.0, duration=0.5)
    np.testing.assert_allclose(part, whole[sr: sr + sr // 2], atol=1e-6)


def test_load_audio_resamples_and_downmixes(tmp_path):
    sr_file = 44100
    t = np.arange(sr_file) / sr_file
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    right = 0.25 * np.sin(2 * np.pi * 440 * t)
    soundfile.write(tmp_path / "stereo.flac", np.stack([left, right], axis=1), sr_file)
    y, sr = load_audio(tmp_path / "stereo.flac")
    assert sr == 22050 and y.shape == (22050,)
    # The downmix is the mean of the channels: amplitude (0.5 + 0.25) / 2, measured away from the edges.
    assert np.max(np.abs(y[1000:-1000])) == pytest.approx(0.375, abs=0.01)
    y2, sr2 = load_audio(str(tmp_path / "stereo.flac"), sr=None, mono=False)
    assert sr2 == sr_file and y2.shape == (2, sr_file)


def test_load_audio_from_a_file_object(tmp_path):
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.1 * np.ones(8000), 8000, format="WAV")
    buffer.seek(0)
    y, sr = load_audio(buffer, sr=None)
    assert sr == 8000 and y.size == 8000


def test_cached_sample_is_read_only_and_decoded_once():
    name = helpers.sample_ids()[0]
    first, _ = helpers.load_sample_cached(name)
    second, _ = helpers.load_sample_cached(name)
    assert first is second
    with pytest.raises(ValueError):
        first[0] = 1.0
