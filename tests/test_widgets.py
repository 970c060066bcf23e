"""The explorers' kernel side: the data each one sends the browser, its controls, and its errors.

The browser side (the drawing, the sliders, the aria-live text) is tested in tests/browser/. Here every number the
browser receives is checked against an independent computation with librosa, numpy or scipy in the test itself.
"""

import numpy as np
import pytest
import scipy.fft

import helpers
from helpers import explorer_data as data
from helpers.widgets import (N_FFT_CHOICES, WINDOW_CHOICES_S, FeatureExplorer, MFCCExplorer, SpectrogramExplorer,
                             WaveformExplorer, static_file_name)

SR = 22050


def sent(explorer, keys):
    """Ask the explorer for ``keys`` as the browser does; returns the messages and buffers it sent back."""
    messages = []
    explorer.send = lambda content, buffers=None: messages.append((content, buffers))
    explorer._on_message(explorer, {"type": "request", "keys": keys}, [])
    return messages


# ------------------------------------------------------------------------------------------------ the format

def test_payloads_round_trip_with_aligned_arrays():
    arrays = {"a": np.arange(5, dtype=np.float32) / 3, "b": np.array([[1, -2], [3, 4]], dtype=np.int16),
              "c": np.arange(7, dtype=np.uint8)}
    payload = data.encode_payload({"unit": "Hz", "x": 1.5}, arrays)
    meta, decoded = data.decode_payload(payload)
    assert meta == {"unit": "Hz", "x": 1.5}
    for name, array in arrays.items():
        assert decoded[name].dtype == array.dtype and np.array_equal(decoded[name], array)
    (length,) = np.frombuffer(payload[:4], dtype="<u4")
    assert (4 + length) % 4 == 0  # arrays start on 4-byte boundaries, as typed arrays in the browser need
    with pytest.raises(TypeError, match="float64"):
        data.encode_payload({}, {"bad": np.zeros(3)})


def test_static_file_names_are_safe_and_distinct():
    assert static_file_name("spectrogram|edm|2048|log") == "spectrogram~edm~2048~log.bin"
    assert static_file_name("clip|my song/ü") == "clip~my=20song=2F=C3=BC.bin"
    with pytest.raises(ValueError):
        data.make_key("clip", "a|b")


# ------------------------------------------------------------------------------------------------ waveform

@pytest.fixture(scope="module")
def waveform():
    return WaveformExplorer(clips=["edm", "ambient", "speech"], song_a="edm", song_b="ambient", window_s=2.0)


def test_waveform_levels_hold_the_samples_and_their_block_extremes(waveform):
    y, sr = helpers.load_sample_cached("edm")
    meta, arrays = data.decode_payload(waveform.payload("wave|edm|1|3"))
    first = 3 * data.WAVE_CHUNK_COLUMNS
    assert meta["first_sample"] == first
    np.testing.assert_allclose(arrays["minimum"] / 32767, y[first: first + data.WAVE_CHUNK_COLUMNS], atol=1 / 32767)
    meta, arrays = data.decode_payload(waveform.payload("wave|edm|64|1"))
    start = 64 * data.WAVE_CHUNK_COLUMNS
    blocks = y[start: start + 64 * 100].reshape(100, 64)
    np.testing.assert_allclose(arrays["minimum"][:100] / 32767, blocks.min(axis=1), atol=1 / 32767)
    np.testing.assert_allclose(arrays["maximum"][:100] / 32767, blocks.max(axis=1), atol=1 / 32767)


def test_clip_overview_covers_the_whole_clip(waveform):
    y, sr = helpers.load_sample_cached("speech")
    meta, arrays = data.decode_payload(waveform.payload("clip|speech"))
    assert meta["duration_s"] == pytest.approx(y.size / sr) and meta["sample_rate_hz"] == sr
    assert arrays["minimum"].size * meta["block_samples"] >= y.size
    assert arrays["maximum"].max() / 32767 == pytest.approx(y.max(), abs=1e-4)


def test_rms_payload_is_the_lessons_rms(waveform):
    import librosa

    y, sr = helpers.load_sample_cached("ambient")
    meta, arrays = data.decode_payload(waveform.payload("rms|ambient|2048|512"))
    expected = librosa.feature.rms(y=y, frame_length=2048, hop_length=512, center=True)[0]
    np.testing.assert_allclose(arrays["rms"], expected, rtol=1e-5, atol=1e-7)
    assert meta["hop_length_samples"] == 512 and meta["sample_rate_hz"] == sr


def test_waveform_first_view_and_site_keys(waveform):
    assert waveform.initial_keys() == ["clip|edm", "rms|edm|2048|512", "clip|ambient", "rms|ambient|2048|512"]
    keys = waveform.static_keys()
    y, _ = helpers.load_sample_cached("edm")
    raw_chunks = [key for key in keys if key.startswith("wave|edm|1|")]
    assert len(raw_chunks) == -(-y.size // data.WAVE_CHUNK_COLUMNS)  # every sample reachable by zooming in


def test_waveform_controls_are_traits_with_checked_values(waveform):
    waveform.start = 3.0
    waveform.window = 0.02
    assert (waveform.start, waveform.window) == (3.0, 0.02)
    with pytest.raises(helpers.AudioInputError, match="window must be one of"):
        waveform.window = 0.3
    with pytest.raises(helpers.AudioInputError, match="between 0 and"):
        waveform.start = -5
    with pytest.raises(helpers.AudioInputError, match="not one of the clips"):
        waveform.song_b = "Pop"
    assert (waveform.start, waveform.window, waveform.song_b) == (3.0, 0.02, "ambient")  # nothing changed
    assert min(WINDOW_CHOICES_S) <= 0.01 and max(WINDOW_CHOICES_S) >= 30


# ------------------------------------------------------------------------------------------------ requests

def test_a_request_is_answered_with_data_or_a_message(waveform):
    messages = sent(waveform, ["rms|speech|2048|512", "rms|nope|2048|512"])
    (content, buffers), (error, _) = messages
    assert content == {"type": "data", "key": "rms|speech|2048|512"} and len(buffers) == 1
    assert data.decode_payload(buffers[0])[1]["rms"].ndim == 1
    assert error["type"] == "error" and "not one of the clips" in error["message"]


def test_each_payload_is_computed_once():
    explorer = SpectrogramExplorer(clips=["pop", "piano"], n_fft=1024)
    first_view = ["spectrogram|pop|1024|log", "spectrogram|piano|1024|log"]
    assert list(explorer.first_view) == first_view  # sent with the widget, computed when it was made
    for _ in range(3):
        sent(explorer, ["spectrogram|pop|1024|log", "spectrogram|pop|1024|mel"])
    assert [key for key, _ in explorer.compute_times_ms] == first_view + ["spectrogram|pop|1024|mel"]
    # one STFT per song and FFT size, whatever the axis; only the last few are kept
    assert [key for key in explorer.store._magnitudes if key[0] == "pop"] == [("pop", 1024)]
    for n_fft in N_FFT_CHOICES:
        explorer.payload(f"spectrogram|piano|{n_fft}|linear")
    assert len(explorer.store._magnitudes) == explorer.store.max_magnitudes


# ------------------------------------------------------------------------------------------------ spectrogram

def test_spectrogram_image_is_the_lessons_spectrogram():
    import librosa

    explorer = SpectrogramExplorer(clips=["ambient", "edm"], scale="linear", n_fft=1024)
    y, sr = helpers.load_sample_cached("ambient")
    meta, arrays = data.decode_payload(explorer.payload("spectrogram|ambient|1024|linear"))
    window_sum = np.hanning(1025)[:-1].sum()
    expected = 20 * np.log10(np.maximum(np.abs(librosa.stft(y, n_fft=1024, hop_length=256)) / (window_sum / 2), 1e-5))
    # The browser gets the maximum of each block of cells (at most 256 x 720 blocks), in steps of 90/255 dB, as JPEG.
    rows, columns = arrays["image"].shape
    row_step, column_step = -(-expected.shape[0] // 256), -(-expected.shape[1] // 720)
    assert (rows, columns) == (-(-expected.shape[0] // row_step), -(-expected.shape[1] // column_step))
    padded = np.pad(expected, ((0, -expected.shape[0] % row_step), (0, -expected.shape[1] % column_step)), mode="edge")
    blocks = padded.reshape(rows, row_step, columns, column_step).max(axis=(1, 3))
    shown = meta["db_low"] + arrays["image"] * meta["db_step"]
    difference = np.abs(shown - np.clip(blocks, -90, 0))
    assert np.sqrt(np.mean(difference ** 2)) < 1.25 and np.percentile(difference, 99) < 3.5  # JPEG, 90 dB colour map
    assert meta["hz_per_bin"] == pytest.approx(sr / 1024) and meta["hop_length_samples"] == 256


def test_spectrogram_axes_and_mel_bands():
    import librosa

    explorer = SpectrogramExplorer(clips=["pop", "edm"], scale="mel", n_fft=1024)
    meta, arrays = data.decode_payload(explorer.payload("spectrogram|pop|1024|mel"))
    assert meta["mel_bands"] == 1024 // 16 == arrays["image"].shape[0]  # fewer bands for a short FFT
    assert meta["axis_top"] == pytest.approx(librosa.hz_to_mel(SR / 2))
    positions = {label: position for position, label in meta["frequency_ticks"]}
    assert positions["1000"] == pytest.approx(librosa.hz_to_mel(1000.0)) and "125" not in positions
    meta, _ = data.decode_payload(explorer.payload("spectrogram|pop|1024|log"))
    assert meta["axis_bottom"] == pytest.approx(5.0) and dict((l, p) for p, l in meta["frequency_ticks"])["64"] == 6


def test_a_full_scale_sine_reads_0_db_on_every_axis():
    # A sine centred on a bin (861.3 Hz = bin 80 at n_fft 2048), full scale and 20 dB down. The picture is a JPEG,
    # whose ringing can add about a dB at a one-row line, hence the median over frames and the 1.5 dB tolerance.
    tone = helpers.pure_tone(80 * SR / 2048, 3.0, amplitude=1.0)
    explorer = SpectrogramExplorer(clips={"tone": (tone, SR), "quiet": (0.1 * tone, SR)}, n_fft=2048)
    for scale in ("linear", "log", "mel"):
        for name, level in (("tone", 0.0), ("quiet", -20.0)):
            meta, arrays = data.decode_payload(explorer.payload(f"spectrogram|{name}|2048|{scale}"))
            peaks = meta["db_low"] + arrays["image"][:, 5:-5].max(axis=0) * meta["db_step"]
            reference = 1.7 if scale == "mel" else 1.5  # mel: a sine between band centres reads up to +1.7 dB
            assert np.median(peaks) == pytest.approx(level, abs=reference), (scale, name)


def test_spectrogram_pictures_sit_where_their_frames_and_bands_are():
    import librosa

    explorer = SpectrogramExplorer(clips=["pop", "edm"], n_fft=256)
    y, sr = helpers.load_sample_cached("pop")
    frames = 1 + y.size // 64  # centred frames, hop 64
    for scale in ("linear", "log", "mel"):
        meta, arrays = data.decode_payload(explorer.payload(f"spectrogram|pop|256|{scale}"))
        x0, x1, y0, y1 = meta["image_extent"]
        rows, columns = arrays["image"].shape
        # Column j holds frames j*step .. (j+1)*step-1, frame k centred at k * hop / sr.
        step = meta["frames_per_column"]
        assert step == -(-frames // columns) and x0 == pytest.approx(-0.5 * 64 / sr)
        assert x1 == pytest.approx((columns * step - 0.5) * 64 / sr)
        if scale == "mel":  # band i centred where librosa puts it: mel_frequencies(n + 2)[i + 1]
            centres = librosa.hz_to_mel(librosa.mel_frequencies(rows + 2, fmin=0.0, fmax=sr / 2))[1:-1]
            spacing = (y1 - y0) / rows
            np.testing.assert_allclose(y0 + spacing * (np.arange(rows) + 0.5), centres, rtol=1e-6)
        if scale == "linear":
            assert y0 == pytest.approx(-0.5 * sr / 256) and rows == 129


def test_spectrogram_controls_refuse_what_the_menus_do_not_offer():
    explorer = SpectrogramExplorer(clips=["pop", "edm"])
    for trait, value, match in (("n_fft", 1000, "n_fft must be one of 256"), ("scale", "Log", "'linear', 'log', 'mel'"),
                                ("n_fft", "2048", "a number, not text")):
        with pytest.raises(helpers.AudioInputError, match=match):
            setattr(explorer, trait, value)
    with pytest.raises(helpers.AudioInputError, match="n_fft must be one of"):
        SpectrogramExplorer(clips=["pop", "edm"], n_fft=1000)
    assert sent(explorer, ["spectrogram|pop|1000|log"])[0][0]["type"] == "error"


# ------------------------------------------------------------------------------------------------ features

@pytest.mark.parametrize("feature", ["zero_crossing_rate", "spectral_centroid", "spectral_rolloff"])
def test_feature_values_are_librosas(feature):
    import librosa

    explorer = FeatureExplorer(feature, clips=["metal", "ambient"], frame_length=512)
    y, sr = helpers.load_sample_cached("metal")
    meta, arrays = data.decode_payload(explorer.payload(f"feature|metal|{feature}|512"))
    if feature == "zero_crossing_rate":
        expected = librosa.feature.zero_crossing_rate(y, frame_length=512, hop_length=128)[0]
    else:
        expected = getattr(librosa.feature, feature)(y=y, sr=sr, n_fft=512, hop_length=128)[0]
    np.testing.assert_allclose(arrays["values"], expected, rtol=2e-4, atol=1e-3)
    assert meta["hop_length_samples"] == 128 and meta["mean"] == pytest.approx(expected.mean(), rel=1e-4)
    values, times = explorer.values("metal", feature)
    assert times[1] == pytest.approx(128 / sr) and values.size == expected.size


def test_feature_explorer_asks_for_the_right_background():
    zero_crossings = FeatureExplorer("zero_crossing_rate", clips=["metal", "ambient"])
    assert zero_crossings.initial_keys() == ["clip|metal", "feature|metal|zero_crossing_rate|2048", "clip|ambient",
                                             "feature|ambient|zero_crossing_rate|2048"]
    centroid = FeatureExplorer("spectral_centroid", extra_features=("spectral_rolloff",), clips=["pop", "edm"],
                               frame_length=512)
    assert "spectrogram|pop|512|linear" in centroid.initial_keys()
    assert len(centroid.static_keys()) == 2 * len(N_FFT_CHOICES) * 3
    with pytest.raises(helpers.AudioInputError, match="feature must be one of"):
        FeatureExplorer("centroid")
    with pytest.raises(helpers.AudioInputError, match="drawn like the main feature"):
        FeatureExplorer("spectral_centroid", extra_features=("zero_crossing_rate",))


# ------------------------------------------------------------------------------------------------ MFCCs

def test_mfcc_rebuild_errors_equal_an_inverse_dct():
    import librosa

    explorer = MFCCExplorer(clips=["piano", "pop"], n_mels=32, n_mfcc=5)
    y, sr = helpers.load_sample_cached("piano")
    log_mel = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, n_mels=32), top_db=80.0)
    coefficients = scipy.fft.dct(log_mel, type=2, norm="ortho", axis=0)
    meta, arrays = data.decode_payload(explorer.payload("mfcc|piano|32"))
    for n in (1, 5, 13, 31, 32):
        kept = coefficients.copy()
        kept[n:] = 0
        rebuilt = scipy.fft.idct(kept, type=2, norm="ortho", axis=0)
        assert meta["rebuild_error_db"][n - 1] == pytest.approx(np.sqrt(np.mean((rebuilt - log_mel) ** 2)), abs=1e-4)
    errors = np.array(meta["rebuild_error_db"])
    assert np.all(np.diff(errors) <= 1e-9) and errors[-1] == pytest.approx(0, abs=1e-6)
    assert arrays["log_mel"].shape[0] == 32 and meta["db_low"] == pytest.approx(log_mel.max() - 80, abs=1e-4)
    assert explorer.rebuild_error_db("piano", 5) == meta["rebuild_error_db"][4]


def test_mfcc_count_is_checked_not_silently_clipped():
    with pytest.raises(helpers.AudioInputError, match="from 1 to n_mels = 64"):
        MFCCExplorer(clips=["pop"], n_mfcc=100)
    explorer = MFCCExplorer(clips=["pop"], n_mfcc=13)
    with pytest.raises(helpers.AudioInputError):
        explorer.n_mfcc = 0
    explorer.n_mfcc = 64
    assert explorer.n_mfcc == 64


# ------------------------------------------------------------------------------------------------ bad input

def test_own_clips_join_the_pickers_at_the_explorers_rate():
    tone = helpers.pure_tone(440, 3.0, sr=44100)
    explorer = WaveformExplorer(clips=["pop"], extra_clips={"my tone": (tone, 44100)})
    assert [clip["name"] for clip in explorer.setup["clips"]] == ["pop", "my tone"]
    y, sr = explorer.store.audio("my tone")
    assert sr == SR and y.size == pytest.approx(3 * SR, abs=2)
    explorer.song_b = "my tone"
    assert explorer.song_b == "my tone"


@pytest.mark.parametrize("clip, match", [
    (np.zeros((SR * 3, 2), dtype=np.float32) + 0.1, "soundfile's \\(samples, channels\\) layout"),
    (np.zeros(SR * 3, dtype=np.float32), "silent"),
    (0.1 * np.ones(100, dtype=np.float32), "one analysis frame needs 8192 samples"),
    ("song.wav", "NumPy array"),
])
def test_bad_own_clips_get_clear_messages(clip, match):
    with pytest.raises(helpers.AudioInputError, match=match):
        WaveformExplorer(clips=["pop"], extra_clips={"mine": (clip, SR)})


def test_bad_clip_collections_get_clear_messages():
    y = helpers.pure_tone(440, 3.0)
    with pytest.raises(helpers.AudioInputError, match="a pair \\(y, sr\\)"):
        WaveformExplorer(clips=["pop"], extra_clips={"mine": y})
    with pytest.raises(helpers.AudioInputError, match="should be a dict"):
        WaveformExplorer(clips=["pop"], extra_clips=[y])
    with pytest.raises(helpers.AudioInputError, match="already in the explorer"):
        WaveformExplorer(clips=["pop"], extra_clips={"pop": (y, SR)})
    with pytest.raises(helpers.AudioInputError, match="no bundled sample"):
        WaveformExplorer(clips=["pop", "popp"])
    with pytest.raises(helpers.AudioInputError, match="list of sample names"):
        WaveformExplorer(clips="pop")


# ------------------------------------------------------------------------------------------------ the website

def test_static_html_names_the_first_view_and_writes_every_payload(tmp_path):
    """A page carries the explorer's state and the names of its first view's files, no data: the site's loader
    fetches those files when the reader scrolls near the explorer (issue 10: first visit under 1 MB)."""
    import json
    import re
    import zlib

    explorer = SpectrogramExplorer(clips=["ambient", "edm"], song_a="ambient", song_b="edm", scale="mel")
    page = explorer.static_html(tmp_path)
    state = json.loads(re.search(r'class="course-explorer-state">(.*?)</script>', page).group(1))
    assert state["kind"] == "spectrogram" and state["scale"] == "mel" and state["song_a"] == "ambient"
    first = json.loads(re.search(r'class="course-explorer-keys">(.*?)</script>', page).group(1))
    assert sorted(first) == ["spectrogram|ambient|2048|mel", "spectrogram|edm|2048|mel"]
    first_file = tmp_path / "22050" / "spectrogram~edm~2048~mel.bin"
    assert zlib.decompress(first_file.read_bytes()) == explorer.payload("spectrogram|edm|2048|mel")
    files = sorted(path.name for path in (tmp_path / "22050").iterdir())
    assert len(files) == 2 * len(N_FFT_CHOICES) * 3 and "spectrogram~edm~8192~linear.bin" in files
    stored = zlib.decompress((tmp_path / "22050" / "spectrogram~ambient~512~log.bin").read_bytes())
    assert stored == explorer.payload("spectrogram|ambient|512|log")
    assert len(page) < 10_000, len(page)  # state and names only: the data stays in files


def test_explorers_show_their_static_version_while_the_site_is_built(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_STATIC_EXPLORERS", "1")
    monkeypatch.setenv("COURSE_EXPLORER_DATA_DIR", str(tmp_path))
    bundle = MFCCExplorer(clips=["pop"], n_mfcc=13)._repr_mimebundle_()
    assert 'class="course-explorer"' in bundle["text/html"] and "n_mfcc = 13" in bundle["text/plain"]
    monkeypatch.delenv("COURSE_STATIC_EXPLORERS")
    bundle, _metadata = MFCCExplorer(clips=["pop"], n_mfcc=13)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "n_mfcc = 13" in bundle["text/plain"]


def test_every_explorer_names_itself_in_words_not_as_a_class(monkeypatch, tmp_path):
    """Screen readers hear the label (the module makes it the accessible name of the explorer's group) and pages
    without JavaScript show it: a sentence saying what the explorer shows, never a class name or a Python repr."""
    import html
    import json
    import re

    from helpers.dashboard import ComparisonDashboard

    monkeypatch.setenv("COURSE_EXPLORER_DATA_DIR", str(tmp_path))
    explorers = [WaveformExplorer(clips=["pop", "edm"], window_s=2.0),
                 SpectrogramExplorer(clips=["pop", "edm"]),
                 FeatureExplorer("zero_crossing_rate", clips=["pop", "edm"]),
                 FeatureExplorer("spectral_centroid", extra_features=("spectral_rolloff",), clips=["pop", "edm"]),
                 MFCCExplorer(clips=["pop"]),
                 ComparisonDashboard(clips=["pop", "edm"])]
    code_like = re.compile(r"Explorer|Dashboard|\w\(|<\w+ object|\w_\w|(?<!\w)'\w|=")  # a class, call, repr, quote
    labels = set()
    for explorer in explorers:
        page = explorer.static_html(tmp_path)
        state = json.loads(re.search(r'class="course-explorer-state">(.*?)</script>', page).group(1))
        label = state["setup"]["label"]
        assert label == explorer.label() and label.startswith("Interactive ") and len(label.split()) >= 6
        assert not code_like.search(label), f"{type(explorer).__name__}'s label reads like code: {label!r}"
        fallback = re.search(r'<p class="course-explorer-placeholder">(.*?)</p>', page).group(1)
        assert html.unescape(fallback).startswith(label), "until it is drawn (or without JavaScript) the label shows"
        assert type(explorer).__name__ not in html.unescape(fallback)
        for text in (explorer._repr_mimebundle_()[0]["text/plain"],):
            assert text.startswith(label) and type(explorer).__name__ not in text
        labels.add(label)
    assert len(labels) == len(explorers), "each explorer says what it shows"
    from helpers.widgets import FRONTEND

    script = FRONTEND.read_text(encoding="utf-8")
    assert re.search(r'class: "cx-root".*role: "group", "aria-label": this\.setup\.label', script), \
        "the module names the explorer's group with the label the kernel sends"
