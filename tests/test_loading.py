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
    whole, sr = load_sample(name, sr=None, remove_offset=False)
    part, _ = load_sample(name, sr=None, offset=1.0, duration=0.5, remove_offset=False)
    np.testing.assert_allclose(part, whole[sr: sr + sr // 2], atol=1e-6)


def test_the_loaders_remove_the_dc_offset_and_keep_it_when_asked(tmp_path):
    # The course's rule (lesson 03): every loader subtracts the clip's mean; remove_offset=False keeps the file as is.
    sr_file = 22050
    t = np.arange(sr_file) / sr_file
    tone = 0.4 * np.sin(2 * np.pi * 220 * t)
    soundfile.write(tmp_path / "offset.wav", np.stack([tone + 0.1, tone - 0.2], axis=1), sr_file, subtype="FLOAT")
    stored, _ = load_audio(tmp_path / "offset.wav", remove_offset=False, mono=False)
    np.testing.assert_allclose(stored.mean(axis=1), [0.1, -0.2], atol=1e-4)
    centred, _ = load_audio(tmp_path / "offset.wav", mono=False)
    np.testing.assert_allclose(centred.mean(axis=1), [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(centred[0], stored[0] - stored[0].mean(), atol=1e-6)
    mono, _ = load_audio(tmp_path / "offset.wav")
    assert abs(float(mono.mean())) < 1e-6
    for name in helpers.sample_ids():
        y, _ = helpers.load_sample_cached(name)
        stored, _ = load_sample(name, remove_offset=False)
        assert abs(float(y.mean())) < 1e-3, name
        if abs(float(stored.mean())) < 1e-3:  # below the limit: left exactly as stored (digital silence stays 0)
            np.testing.assert_array_equal(y, stored)
    quiet = np.zeros(sr_file)
    quiet[: sr_file // 2] = 0.3 * np.sin(2 * np.pi * 220 * t[: sr_file // 2]) - 0.0005
    soundfile.write(tmp_path / "small.wav", quiet, sr_file, subtype="FLOAT")
    small, _ = load_audio(tmp_path / "small.wav")
    assert np.all(small[-1000:] == 0), "an offset below 0.001 is left alone, so digital silence stays exact"
    with pytest.raises(helpers.AudioInputError, match="remove_offset"):
        load_audio(tmp_path / "offset.wav", remove_offset="no")


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


def test_decoded_clips_are_kept_on_disk_and_decoded_again_when_damaged(tmp_path, monkeypatch):
    from helpers import caches, samples

    monkeypatch.setattr(caches, "cache_root", lambda: tmp_path)
    samples._cached_sample.cache_clear()
    try:
        fresh, sr = load_sample("speech")
        first, _ = helpers.load_sample_cached("speech")
        np.testing.assert_array_equal(first, fresh)
        kept = list((tmp_path / "samples").glob("speech-*.npz"))
        assert len(kept) == 1 and not list((tmp_path / "samples").glob("*.tmp*"))
        samples._cached_sample.cache_clear()  # a new kernel: the clip comes from the disk
        again, _ = helpers.load_sample_cached("speech")
        np.testing.assert_array_equal(again, fresh)
        assert not again.flags.writeable
        kept[0].write_bytes(b"half-written")  # damaged: decoded again, and kept again
        samples._cached_sample.cache_clear()
        repaired, _ = helpers.load_sample_cached("speech")
        np.testing.assert_array_equal(repaired, fresh)
        assert np.load(kept[0])["y"].shape == fresh.shape
    finally:
        samples._cached_sample.cache_clear()


def test_the_clip_as_stored_is_cached_apart_from_the_clip_without_its_offset(tmp_path, monkeypatch):
    from helpers import caches, samples

    monkeypatch.setattr(caches, "cache_root", lambda: tmp_path)
    samples._cached_sample.cache_clear()
    try:
        stored, _ = load_sample("edm", remove_offset=False)  # EDM's stored mean is about +0.056
        cached, _ = helpers.load_sample_cached("edm", remove_offset=False)
        np.testing.assert_array_equal(cached, stored)
        assert not cached.flags.writeable and abs(float(cached.mean())) > 0.03
        centred, _ = helpers.load_sample_cached("edm")
        assert abs(float(centred.mean())) < 1e-3
        assert len(list((tmp_path / "samples").glob("edm-*-as-stored-*.npz"))) == 1
        assert len(list((tmp_path / "samples").glob("edm-*.npz"))) == 2
        samples._cached_sample.cache_clear()  # a new kernel: both come from the disk, each the right one
        np.testing.assert_array_equal(helpers.load_sample_cached("edm", remove_offset=False)[0], stored)
        np.testing.assert_array_equal(helpers.load_sample_cached("edm")[0], centred)
        with pytest.raises(helpers.AudioInputError, match="remove_offset"):
            helpers.load_sample_cached("edm", remove_offset="no")
    finally:
        samples._cached_sample.cache_clear()
