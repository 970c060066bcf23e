"""The rhythm explorer's kernel side (lesson 10) and the rhythm helpers: every number sent to the browser, the
controls, the audio asked for on demand, and clear errors.

As in tests/test_widgets.py, each array is checked against an independent computation here (librosa's onset
strength, tempogram, tempo and beat tracker called directly, NumPy's correlate, soundfile decoding the MP3), never
against the code under test. The browser side (drawing, the player's Web Audio clicks) is driven in Chromium by
the browser tests.
"""

import io
import json
import re

import librosa
import matplotlib.pyplot as plt
import numpy as np
import pytest
import soundfile

import helpers
from helpers import explorer_data as data
from helpers.rhythm import (beat_strength, envelope_autocorrelation, lag_to_bpm, onset_envelope, plot_onset_envelope,
                            plot_tempo_curve, tempo_and_beats)
from helpers.widgets import RhythmExplorer

SR = 22050
PRIORS = (60, 80, 100, 120, 150, 180, 240)


@pytest.fixture(scope="module")
def explorer():
    return RhythmExplorer(clips=["edm", "ambient"], song="edm")


def sent(explorer, keys):
    messages = []
    explorer.send = lambda content, buffers=None: messages.append((content, buffers))
    explorer._on_message(explorer, {"type": "request", "keys": keys}, [])
    return messages


def beats_of(meta, arrays, index):
    offsets = np.concatenate([[0], np.cumsum(meta["beat_counts"])])
    return arrays["beat_times_s"][offsets[index]:offsets[index + 1]]


# ------------------------------------------------------------------------------------------------ the payload

def test_the_envelope_is_librosas_onset_strength(explorer):
    y, sr = helpers.load_sample_cached("edm")
    meta, arrays = data.decode_payload(explorer.payload("rhythm|edm"))
    expected = librosa.onset.onset_strength(y=y, sr=sr, hop_length=512)
    np.testing.assert_allclose(arrays["onset_envelope"], expected, rtol=1e-6, atol=1e-6)
    assert meta["hop_length_samples"] == 512 and meta["sample_rate_hz"] == sr and meta["time_of_frame_0_s"] == 0
    assert arrays["onset_envelope"].size == 1 + y.size // 512


@pytest.mark.parametrize("name", ["edm", "ambient"])
def test_every_prior_gives_librosas_tempo_and_beats(explorer, name):
    y, sr = helpers.load_sample_cached(name)
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    meta, arrays = data.decode_payload(explorer.payload(f"rhythm|{name}"))
    assert tuple(meta["prior_choices_bpm"]) == PRIORS
    for index, centre in enumerate(PRIORS):
        tempo = librosa.feature.tempo(onset_envelope=envelope, sr=sr, start_bpm=centre)[0]
        _, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=sr, bpm=tempo, units="time")
        assert meta["tempos_bpm"][index] == pytest.approx(tempo, rel=1e-9), centre
        np.testing.assert_allclose(beats_of(meta, arrays, index), beats, atol=1e-5)
    # The octave errors the slider shows on EDM: half the tempo at a slow prior, double at a fast one.
    tempos = dict(zip(PRIORS, meta["tempos_bpm"]))
    if name == "edm":
        assert tempos[60] < 70 and 125 < tempos[120] < 131 and tempos[240] == pytest.approx(2 * tempos[120])


def test_the_tempi_of_a_song_whose_windows_matter():
    # metal at a prior of 100 BPM: librosa.feature.tempo's 8 s windows give another tempo than tempogram's default
    # 384-frame windows would; the explorer must give librosa.feature.tempo's
    explorer = RhythmExplorer(clips=["metal"], start_bpm=100)
    y, sr = helpers.load_sample_cached("metal")
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    default_windows = librosa.feature.tempo(tg=librosa.feature.tempogram(onset_envelope=envelope, sr=sr), sr=sr,
                                            start_bpm=100)[0]
    expected = librosa.feature.tempo(onset_envelope=envelope, sr=sr, start_bpm=100)[0]
    assert expected != default_windows and explorer.tempo_and_beats()[0] == expected


def test_the_tempo_curve_is_the_averaged_tempogram_and_the_prior_is_log_normal(explorer):
    y, sr = helpers.load_sample_cached("edm")
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    tempogram = librosa.feature.tempogram(onset_envelope=envelope, sr=sr, win_length=344)  # tempo's 8 s windows
    meta, arrays = data.decode_payload(explorer.payload("rhythm|edm"))
    lags = np.arange(1, tempogram.shape[0])
    bpm = 60 * sr / (512 * lags)
    kept = (bpm >= 30) & (bpm <= 320)
    np.testing.assert_allclose(arrays["tempo_axis_bpm"], bpm[kept], rtol=1e-6)
    np.testing.assert_allclose(arrays["autocorrelation"], tempogram.mean(axis=1)[1:][kept], rtol=1e-5, atol=1e-7)
    for index, centre in enumerate(PRIORS):
        np.testing.assert_allclose(arrays["prior_weights"][index], np.exp(-0.5 * np.log2(bpm[kept] / centre) ** 2),
                                   rtol=1e-5)
    assert meta["tempogram_window_s"] == pytest.approx(344 * 512 / sr)


def test_beat_strength_is_the_highest_autocorrelation_in_the_tempo_range(explorer):
    for name, clear in (("edm", True), ("ambient", False)):
        y, sr = helpers.load_sample_cached(name)
        envelope = librosa.onset.onset_strength(y=y, sr=sr).astype(np.float64)
        centred = envelope - envelope.mean()
        correlation = np.correlate(centred, centred, mode="full")[centred.size - 1:] / np.dot(centred, centred)
        lags = np.arange(1, envelope.size)
        inside = (60 * sr / (512 * lags) >= 30) & (60 * sr / (512 * lags) <= 320)
        meta, _ = data.decode_payload(explorer.payload(f"rhythm|{name}"))
        assert meta["beat_strength"] == pytest.approx(correlation[1:][inside].max(), abs=1e-5)
        assert (meta["beat_strength"] > 0.3) == clear, name


def test_the_explorer_hands_back_what_it_draws(explorer):
    meta, arrays = data.decode_payload(explorer.payload("rhythm|edm"))
    tempo, beats = explorer.tempo_and_beats("edm", 240)
    assert tempo == meta["tempos_bpm"][-1] and np.array_equal(beats, beats_of(meta, arrays, 6))
    assert explorer.tempo_and_beats()[0] == meta["tempos_bpm"][3]  # the current song and prior: edm, 120


def test_the_payload_is_small_and_the_first_view_holds_only_the_song_shown(explorer):
    assert list(explorer.first_view) == ["rhythm|edm"]
    assert len(explorer.first_view["rhythm|edm"]) < 30_000
    assert explorer.static_keys() == ["rhythm|edm", "audio|edm", "rhythm|ambient", "audio|ambient"]


# ------------------------------------------------------------------------------------------------ the audio

def test_the_audio_comes_only_when_asked_and_is_the_song(explorer):
    assert not any(key.startswith("audio|") for key in explorer.initial_keys())
    (content, buffers), = sent(explorer, ["audio|ambient"])
    assert content == {"type": "data", "key": "audio|ambient"}
    meta, arrays = data.decode_payload(buffers[0])
    assert meta["mime_type"] == "audio/mpeg" and arrays["audio"].dtype == np.uint8
    decoded, rate = soundfile.read(io.BytesIO(arrays["audio"].tobytes()))
    y, sr = helpers.load_sample_cached("ambient")
    assert decoded.shape[0] / rate == pytest.approx(y.size / sr, abs=0.1) and rate == meta["sample_rate_hz"]
    assert 50_000 < arrays["audio"].size < 250_000  # about 30 kbit/s: light enough to fetch on a press of play
    # The same loudness over time: RMS per second of the decoded MP3 against the clip's.
    seconds = int(y.size / sr)
    clip_rms = np.sqrt(np.mean(y[: seconds * sr].reshape(seconds, sr) ** 2, axis=1))
    mp3 = librosa.resample(decoded.astype(np.float32), orig_sr=rate, target_sr=sr) if rate != sr else decoded
    mp3_rms = np.sqrt(np.mean(np.asarray(mp3[: seconds * sr]).reshape(seconds, sr) ** 2, axis=1))
    assert np.corrcoef(clip_rms, mp3_rms)[0, 1] > 0.95


def test_static_html_writes_the_audio_files_for_the_site(tmp_path):
    explorer = RhythmExplorer(clips=["edm", "ambient"], song="ambient", start_bpm=60)
    page = explorer.static_html(tmp_path)
    state = json.loads(re.search(r'class="course-explorer-state">(.*?)</script>', page).group(1))
    assert state["kind"] == "rhythm" and state["song"] == "ambient" and state["start_bpm"] == 60
    files = sorted(path.name for path in (tmp_path / "22050").iterdir())
    assert files == ["audio~ambient.bin", "audio~edm.bin", "rhythm~ambient.bin", "rhythm~edm.bin"]
    assert len(page) < 20_000  # the audio never travels inside the page


# ------------------------------------------------------------------------------------------------ controls

def test_controls_refuse_what_the_menus_do_not_offer(explorer):
    with pytest.raises(helpers.AudioInputError, match="start_bpm must be one of 60, 80"):
        explorer.start_bpm = 110
    with pytest.raises(helpers.AudioInputError, match="a number, not text"):
        explorer.start_bpm = "120"
    with pytest.raises(helpers.AudioInputError, match="not one of the clips"):
        explorer.song = "EDM"
    assert (explorer.song, explorer.start_bpm) == ("edm", 120)
    explorer.start_bpm = 240.0
    assert explorer.start_bpm == 240
    explorer.start_bpm = 120
    with pytest.raises(helpers.AudioInputError, match="start_bpm must be one of"):
        RhythmExplorer(clips=["pop"], start_bpm=125)
    assert sent(explorer, ["rhythm|nope"])[0][0]["type"] == "error"
    assert sent(explorer, ["rhythm|edm|512"])[0][0]["type"] == "error"


def test_the_label_says_what_it_shows_in_words(explorer):
    label = explorer.label()
    assert label.startswith("Interactive rhythm explorer") and "click" in label
    assert not re.search(r"Explorer|\w\(|\w_\w|=", label)
    assert explorer._repr_mimebundle_()[0]["text/plain"].startswith(label)


def test_a_short_steady_own_song_has_no_beats_and_no_undefined_numbers():
    tone = helpers.pure_tone(440, 2.0, sr=44100, amplitude=0.3)
    explorer = RhythmExplorer(clips=["pop"], extra_clips={"my song": (tone, 44100)}, song="my song")
    meta, arrays = data.decode_payload(explorer.payload("rhythm|my song"))  # JSON refuses NaN: none got in
    assert arrays["onset_envelope"].size == 1 + 2 * SR // 512
    assert meta["beat_strength"] < 0.3 and all(np.isfinite(meta["tempos_bpm"]))
    assert np.all(np.isfinite(arrays["beat_times_s"]))


# ------------------------------------------------------------------------------------------------ helpers.rhythm

def test_lags_and_tempi():
    assert lag_to_bpm(26, 22050, 512) == pytest.approx(60 / (26 * 512 / 22050))
    assert lag_to_bpm(52, 22050, 256) == pytest.approx(lag_to_bpm(26, 22050, 512))
    np.testing.assert_allclose(lag_to_bpm(np.array([10, 20]), 22050, 512), [258.3984375, 129.19921875])
    for bad in (0, -3, "26", np.nan):
        with pytest.raises(helpers.AudioInputError, match="lag_frames"):
            lag_to_bpm(bad)


def test_autocorrelation_of_a_pulse_train():
    envelope = np.zeros(400)
    envelope[::20] = 1.0  # one pulse every 20 frames
    correlation = envelope_autocorrelation(envelope)
    centred = envelope - envelope.mean()
    expected = np.correlate(centred, centred, mode="full")[399:] / np.dot(centred, centred)
    np.testing.assert_allclose(correlation, expected, atol=1e-12)
    assert correlation[0] == pytest.approx(1) and np.argmax(correlation[1:60]) + 1 in (20, 40)
    strength, bpm = beat_strength(envelope, 22050, 512)
    assert bpm in (lag_to_bpm(20), lag_to_bpm(40)) and strength > 0.8
    assert np.array_equal(envelope_autocorrelation(np.ones(50)), np.zeros(50))  # no change, no rhythm


def test_onset_envelope_tempo_and_beats_are_librosas():
    y = helpers.click_train(2.0, 10.0, SR)
    envelope = onset_envelope(y, SR)
    np.testing.assert_allclose(envelope, librosa.onset.onset_strength(y=y, sr=SR), rtol=1e-6, atol=1e-6)
    tempo, beats = tempo_and_beats(envelope, SR, start_bpm=120)
    assert tempo == pytest.approx(librosa.feature.tempo(onset_envelope=envelope, sr=SR)[0])
    assert np.all(np.abs(beats[:, None] - np.arange(0, 10, 0.5)[None, :]).min(axis=1) < 0.035)  # on the clicks
    assert tempo_and_beats(np.zeros(100), SR)[1].size == 0


def test_rhythm_helpers_refuse_bad_input_with_a_clear_message():
    with pytest.raises(helpers.AudioInputError, match="onset envelope"):
        envelope_autocorrelation(np.zeros((2, 10)))
    with pytest.raises(helpers.AudioInputError, match="NaN"):
        beat_strength(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(helpers.AudioInputError, match="tempo_range_bpm"):
        beat_strength(np.ones(100), tempo_range_bpm=120)
    with pytest.raises(helpers.AudioInputError, match="start_bpm"):
        tempo_and_beats(np.ones(100), start_bpm="fast")
    with pytest.raises(helpers.AudioInputError, match="hop_length"):
        onset_envelope(np.zeros(22050, dtype=np.float32) + 0.1, SR, hop_length=4096)


def test_the_plots_draw_on_a_given_axes_with_units():
    y = helpers.click_train(2.0, 4.0, SR)
    envelope = onset_envelope(y, SR)
    fig, (top, bottom) = plt.subplots(2, 1)
    line = plot_onset_envelope(envelope, SR, 512, ax=top, detected_s=[0.5, 1.0], reference_s=np.arange(0, 4, 0.5))
    assert line.axes is top and "dB" in top.get_ylabel() and top.get_xlabel() == "Time (s)"
    np.testing.assert_allclose(line.get_xdata()[:3], np.arange(3) * 512 / SR)
    curve = plot_tempo_curve(envelope_autocorrelation(envelope), SR, 512, ax=bottom, mark_bpm=120)
    assert curve.axes is bottom and bottom.get_xscale() == "log" and "BPM" in bottom.get_xlabel()
    assert curve.get_xdata().min() >= 30 and curve.get_xdata().max() <= 320
    with pytest.raises(helpers.AudioInputError, match="times in seconds"):
        plot_onset_envelope(envelope, SR, 512, ax=top, detected_s="0.5")
    with pytest.raises(helpers.AudioInputError, match="matplotlib Axes"):
        plot_tempo_curve(envelope, SR, 512, ax=fig)
