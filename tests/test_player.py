"""The notebook player embeds compressed audio, far lighter than IPython's base64 WAV, and it decodes."""

import base64
import io
import re

import numpy as np
import pytest
import soundfile
from IPython.display import Audio

import helpers


def test_player_is_much_lighter_than_a_wav_and_decodes_to_the_same_length():
    y, sr = helpers.load_sample_cached(helpers.sample_ids()[0])
    player = helpers.play(y, sr, label="test clip")
    wav_html = Audio(y, rate=sr)._repr_html_()
    ours = player._repr_html_()
    assert len(ours) < len(wav_html) / 5
    match = re.search(r'src="data:audio/mpeg;base64,([^"]+)"', ours)
    assert match and "<audio controls" in ours and "test clip" in ours
    decoded, rate = soundfile.read(io.BytesIO(base64.b64decode(match.group(1))))
    assert rate == 22050
    assert decoded.shape[0] / rate == pytest.approx(y.size / sr, abs=0.1)


def test_on_the_website_the_player_points_at_a_file_loaded_only_on_play(monkeypatch, tmp_path):
    """While the site is built, the page holds no audio: the MP3 goes to a file named by its content, and
    preload="none" keeps a first visit from fetching it (issue 10)."""
    monkeypatch.setenv("COURSE_SITE_AUDIO_DIR", str(tmp_path / "audio"))
    monkeypatch.setenv("COURSE_SITE_AUDIO_URL", "../_static/audio/")
    y, sr = helpers.load_sample_cached(helpers.sample_ids()[0])
    page = helpers.play(y[: 2 * sr], sr, label="site clip")._repr_html_()
    again = helpers.play(y[: 2 * sr], sr, label="site clip")._repr_html_()
    match = re.search(r'src="\.\./_static/audio/([0-9a-f]{20}\.mp3)"', page)
    assert match and 'preload="none"' in page and "base64" not in page and len(page) < 500
    assert page == again and [path.name for path in (tmp_path / "audio").iterdir()] == [match.group(1)]
    decoded, rate = soundfile.read(tmp_path / "audio" / match.group(1))
    assert decoded.shape[0] / rate == pytest.approx(2.0, abs=0.1)


def test_player_downmixes_and_resamples_native_stereo():
    info = next(s for s in helpers.list_samples() if s.channels == 2)
    y, sr = helpers.load_sample(info.id, sr=None, mono=False, duration=3.0)
    player = helpers.play(y, sr)
    decoded, rate = soundfile.read(io.BytesIO(player.data))
    assert rate == 22050 and decoded.ndim == 1
    assert player.duration_s == pytest.approx(3.0)


def test_play_sample_labels_title_and_artist():
    info = helpers.list_samples()[0]
    player = helpers.play_sample(info.id)
    assert info.title in player.label and info.artist in player.label
    assert "AudioPlayer" in repr(player)


def test_long_clips_are_refused_with_advice():
    with pytest.raises(helpers.AudioInputError, match="excerpt"):
        helpers.play(np.zeros(22050 * 70, dtype=np.float32), 22050)


def test_play_sample_excerpt_has_the_asked_duration():
    player = helpers.play_sample(helpers.sample_ids()[0], offset_s=2.0, duration_s=5.0)
    assert player.duration_s == pytest.approx(5.0)
    with pytest.raises(helpers.AudioInputError, match="past the end"):
        helpers.play_sample(helpers.sample_ids()[0], offset_s=999)
