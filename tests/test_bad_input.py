"""Every bad input gets one clear AudioInputError that says what to do, never a deep library traceback."""

import os

import numpy as np
import pytest
import soundfile

import helpers
from helpers import AudioInputError, load_audio, load_sample


def write_tone(path, sr=44100, seconds=1.0, channels=1, frequency=440.0):
    t = np.arange(int(sr * seconds)) / sr
    tone = 0.5 * np.sin(2 * np.pi * frequency * t)
    data = np.stack([tone] * channels, axis=1) if channels > 1 else tone
    soundfile.write(path, data, sr)
    return tone


def assert_clean_error(excinfo, *fragments):
    """The error is ours, a ValueError, carries no chained library exception, and says each fragment."""
    error = excinfo.value
    assert isinstance(error, AudioInputError)
    assert isinstance(error, ValueError)
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    message = str(error)
    for fragment in fragments:
        assert fragment.lower() in message.lower(), f"{fragment!r} not in message: {message}"


def test_error_type_is_a_value_error():
    assert issubclass(AudioInputError, ValueError)


def test_unknown_sample_lists_names_and_suggests_the_closest():
    names = helpers.sample_ids()
    target = names[0]
    misspelt = target[:-1] + ("x" if target[-1] != "x" else "y")
    with pytest.raises(AudioInputError) as excinfo:
        load_sample(misspelt)
    assert_clean_error(excinfo, f"did you mean {target!r}", *names)


def test_non_string_sample_name():
    with pytest.raises(AudioInputError) as excinfo:
        load_sample(3)
    assert_clean_error(excinfo, "string")


def test_missing_path_lists_what_exists(tmp_path):
    write_tone(tmp_path / "my song.wav")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "my_song.wav")
    assert_clean_error(excinfo, "no file at", "my song.wav")
    assert "notes.txt" not in str(excinfo.value), "only audio files should be listed when there are some"


def test_missing_folder(tmp_path):
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "nowhere" / "song.wav")
    assert_clean_error(excinfo, "does not exist")


def test_directory_instead_of_file(tmp_path):
    write_tone(tmp_path / "inside.flac")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path)
    assert_clean_error(excinfo, "is a folder", "inside.flac")


def test_empty_file(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "empty.wav")
    assert_clean_error(excinfo, "empty")


def test_text_file_named_wav(tmp_path):
    (tmp_path / "song.wav").write_text("This is not really a song, just some notes I took.\n" * 5)
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "song.wav")
    assert_clean_error(excinfo, "contains text", "renaming")
    assert "ffmpeg" not in str(excinfo.value), "converting a text file is not the fix"


def test_saved_web_page_named_mp3(tmp_path):
    (tmp_path / "song.mp3").write_text("<!DOCTYPE html><html><head><title>404</title></head></html>")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "song.mp3")
    assert_clean_error(excinfo, "web page")


def test_sample_id_given_to_load_audio_suggests_load_sample():
    name = helpers.sample_ids()[0]
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(name)
    assert_clean_error(excinfo, f"load_sample({name!r})")


def test_path_relative_to_the_repository_from_a_notebook_folder(tmp_path, monkeypatch):
    (tmp_path / "audio").mkdir()
    write_tone(tmp_path / "audio" / "mine.wav")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio("audio/mine.wav")
    assert_clean_error(excinfo, "../audio/mine.wav", "one folder up")


def test_corrupt_binary_file(tmp_path):
    (tmp_path / "broken.wav").write_bytes(bytes(range(256)) * 40)
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "broken.wav")
    assert_clean_error(excinfo, "could not read", "damaged or incomplete")


def test_truncated_wav(tmp_path):
    write_tone(tmp_path / "whole.wav")
    data = (tmp_path / "whole.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:30])
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "cut.wav")
    assert_clean_error(excinfo)


@pytest.mark.parametrize("extension", [".m4a", ".aac", ".wma"])
def test_unsupported_format(tmp_path, extension):
    (tmp_path / f"song{extension}").write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(200))
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / f"song{extension}")
    assert_clean_error(excinfo, "cannot read", "ffmpeg")


def test_offset_past_the_end(tmp_path):
    write_tone(tmp_path / "short.wav", seconds=1.0)
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "short.wav", offset=5.0)
    assert_clean_error(excinfo, "past the end", "1.00 s")


@pytest.mark.parametrize("arguments", [dict(offset=-1), dict(duration=0), dict(sr=0)])
def test_nonsense_arguments(tmp_path, arguments):
    write_tone(tmp_path / "a.wav")
    with pytest.raises(AudioInputError):
        load_audio(tmp_path / "a.wav", **arguments)


def test_nan_samples_in_a_file(tmp_path):
    data = np.zeros(4410, dtype=np.float32)
    data[100] = np.nan
    soundfile.write(tmp_path / "nan.wav", data, 44100, subtype="FLOAT")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "nan.wav", sr=None)
    assert_clean_error(excinfo, "not finite", "index 100")


def test_infinite_samples_in_an_array():
    y = np.ones(1000, dtype=np.float32)
    y[7] = np.inf
    with pytest.raises(AudioInputError) as excinfo:
        helpers.require_finite(y)
    assert_clean_error(excinfo, "1 infinite", "index 7")


def test_clip_shorter_than_one_frame():
    y = helpers.pure_tone(440, duration_s=0.01)  # 220 samples
    with pytest.raises(AudioInputError) as excinfo:
        helpers.spectrogram_db(y, 22050, n_fft=2048)
    assert_clean_error(excinfo, "one analysis frame", "smaller")
    with pytest.raises(AudioInputError):
        helpers.rms_envelope(y[:10], 22050)


def test_silence_is_reported_where_a_feature_is_undefined():
    with pytest.raises(AudioInputError) as excinfo:
        helpers.require_not_silent(np.zeros(22050, dtype=np.float32), feature="the spectral centroid")
    assert_clean_error(excinfo, "silent", "spectral centroid")
    helpers.require_not_silent(helpers.pure_tone(440, 0.1))  # sound passes


@pytest.mark.parametrize("bad", [[0.1, 0.2], np.array([], dtype=np.float32), np.arange(10)])
def test_audio_arrays_are_checked(bad):
    with pytest.raises(AudioInputError):
        helpers.require_audio_array(bad, 22050)


def test_wrong_source_type():
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(12345)
    assert_clean_error(excinfo, "file path")


def test_empty_file_object():
    import io

    with pytest.raises(AudioInputError) as excinfo:
        load_audio(io.BytesIO(b""))
    assert_clean_error(excinfo, "empty")


# ------------------------------------------------------------------------------------------------ plausible typos

@pytest.mark.parametrize("arguments, words", [
    (dict(sr="22050"), ["sr must be a number", "remove the quotes"]),
    (dict(duration="5"), ["duration must be a number of seconds", "remove the quotes"]),
    (dict(offset=float("nan")), ["offset must be a finite number"]),
    (dict(duration=float("inf")), ["duration must be a finite number"]),
    (dict(sr=1), ["sr must be at least 1000", "384000"]),
    (dict(sr=10_000_000), ["at most 384000 Hz"]),
    (dict(mono="no"), ["mono must be True or False"]),
])
def test_plausible_typos_get_a_message_that_names_the_argument(tmp_path, arguments, words):
    """Each of these used to give a raw TypeError, or silently do something else (mono="no" gave mono)."""
    write_tone(tmp_path / "a.wav")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "a.wav", **arguments)
    assert_clean_error(excinfo, *words)


def test_a_very_long_file_is_refused_before_it_fills_the_memory(tmp_path):
    import soundfile

    # 21 minutes of 8 kHz silence: a small file, but past the limit of what load_audio reads at once.
    with soundfile.SoundFile(tmp_path / "long.wav", "w", samplerate=8000, channels=1, subtype="PCM_U8") as file:
        file.write(np.zeros(8000 * 60 * 21, dtype=np.float32))
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "long.wav")
    assert_clean_error(excinfo, "21 min", "duration=30")
    y, sr = load_audio(tmp_path / "long.wav", duration=2.0, sr=None)
    assert y.size == 16000 and sr == 8000


def test_play_sample_refuses_a_negative_offset():
    from helpers import play_sample

    with pytest.raises(AudioInputError) as excinfo:
        play_sample("pop", offset_s=-5)  # used to play the last 5 s
    assert_clean_error(excinfo, "offset_s must be at least 0")


def test_stereo_arrays_into_mono_helpers_say_how_to_make_them_mono():
    from helpers import plot_waveform, rms_envelope

    stereo = np.zeros((2, 22050), dtype=np.float32) + 0.1
    for call in (lambda: rms_envelope(stereo, 22050), lambda: plot_waveform(stereo, 22050)):
        with pytest.raises(AudioInputError) as excinfo:
            call()  # rms_envelope used to return channel 0 only
        assert_clean_error(excinfo, "shape (2, 22050)", "mean(axis=0)")


def test_compare_clips_needs_clips_and_pairs():
    from helpers import compare_clips

    with pytest.raises(AudioInputError) as excinfo:
        compare_clips([])
    assert_clean_error(excinfo, "at least one clip")
    with pytest.raises(AudioInputError) as excinfo:
        compare_clips({"mine": np.zeros(100, dtype=np.float32)})
    assert_clean_error(excinfo, "a pair (y, sr)")


# ------------------------------------------------------------------------------------------------ what really happened

def test_a_fifo_is_not_called_empty(tmp_path):
    fifo = tmp_path / "song.wav"
    os.mkfifo(fifo)
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(fifo)  # used to say "empty (0 bytes)", or hang reading it
    assert_clean_error(excinfo, "named pipe")


def test_a_symlink_loop_and_a_broken_link_are_named(tmp_path):
    (tmp_path / "a.wav").symlink_to(tmp_path / "b.wav")
    (tmp_path / "b.wav").symlink_to(tmp_path / "a.wav")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "a.wav")  # used to say "no file" while the listing showed it
    assert_clean_error(excinfo, "link", "circle")
    (tmp_path / "dangling.wav").symlink_to(tmp_path / "gone.wav")
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "dangling.wav")
    assert_clean_error(excinfo, "broken link", "gone.wav")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may read any file")
def test_an_unreadable_file_says_permission(tmp_path):
    write_tone(tmp_path / "locked.wav")
    (tmp_path / "locked.wav").chmod(0)
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "locked.wav")  # used to be a raw PermissionError
    assert_clean_error(excinfo, "permission denied")


def test_a_truncated_wav_warns_with_both_lengths(tmp_path):
    write_tone(tmp_path / "whole.wav", seconds=2.0)
    data = (tmp_path / "whole.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: len(data) // 2])  # the header still promises 2 s
    with pytest.warns(UserWarning, match=r"truncated: its header promises 2\.00 s .* only 1\.00 s"):
        y, sr = load_audio(tmp_path / "cut.wav", sr=None)
    assert y.size == pytest.approx(sr * 1.0, rel=0.01)


def test_the_conversion_hint_is_for_formats_soundfile_cannot_read(tmp_path):
    (tmp_path / "broken.wav").write_bytes(b"RIFF" + bytes(range(256)) * 8)
    with pytest.raises(AudioInputError) as excinfo:
        load_audio(tmp_path / "broken.wav")
    assert_clean_error(excinfo, "damaged or incomplete")
    assert "ffmpeg" not in str(excinfo.value) and "m4a" not in str(excinfo.value).lower()


# ------------------------------------------------------------------------------------------------ every entrance (issue 14)

def _tone(seconds=1.0):
    return helpers.pure_tone(440, seconds)


def _clips():
    return {"a": (_tone(), 22050), "b": (helpers.white_noise(1.0), 22050)}


def _call(helper, /, **arguments):
    """A call of the public helper ``helper`` with ``arguments`` on top of valid defaults."""
    from helpers import analysis, dashboard, own_song, player, plotting, segments, signals, summaries, widgets

    y = _tone()
    defaults = {
        "frame_count": (analysis.frame_count, dict(n_samples=22050, frame_length=2048, hop_length=512)),
        "frame_times": (analysis.frame_times, dict(n_frames=10, sr=22050, hop_length=512)),
        "rms_envelope": (analysis.rms_envelope, dict(y=y, sr=22050)),
        "min_max_envelope": (analysis.min_max_envelope, dict(y=y, n_columns=100)),
        "stft_magnitude": (analysis.stft_magnitude, dict(y=y, sr=22050)),
        "spectrogram_db": (analysis.spectrogram_db, dict(y=y, sr=22050)),
        "require_min_length": (helpers.require_min_length, dict(y=y, frame_length=2048, sr=22050)),
        "require_not_silent": (helpers.require_not_silent, dict(y=y)),
        "require_audio_array": (helpers.require_audio_array, dict(y=y, sr=22050)),
        "load_sample": (helpers.load_sample, dict(name="pop", duration=1.0)),
        "load_sample_cached": (helpers.load_sample_cached, dict(name="pop")),
        "pure_tone": (signals.pure_tone, {}), "chirp": (signals.chirp, {}), "white_noise": (signals.white_noise, {}),
        "click_train": (signals.click_train, {}), "partials": (signals.partials, {}),
        "sum_of_partials": (signals.sum_of_partials, {}),
        "plot_waveform": (plotting.plot_waveform, dict(y=y, sr=22050)),
        "plot_spectrogram": (plotting.plot_spectrogram, dict(y=y, sr=22050)),
        "plot_feature_curve": (plotting.plot_feature_curve, dict(values=np.ones(20), sr=22050, hop_length=512)),
        "compare_clips": (plotting.compare_clips, dict(clips=_clips())),
        "play": (player.play, dict(y=y, sr=22050)),
        "play_sample": (player.play_sample, dict(name="pop", duration_s=1.0)),
        "AudioPlayer": (player.AudioPlayer, dict(data=b"x", mime_type="audio/mpeg", duration_s=1.0)),
        "encode_mp3": (player.encode_mp3, dict(y=y, sr=22050)),
        "segment_bounds": (segments.segment_bounds, dict(n_samples=220500, sr=22050)),
        "segment_vectors": (segments.segment_vectors, dict(y=_tone(4.0), sr=22050, segment_s=1.0)),
        "frames_in": (segments.frames_in, dict(start=0, stop=22050)),
        "blocked_fold_roles": (segments.blocked_fold_roles, dict(positions=np.arange(10), n_test=2, gap=1)),
        "frame_features": (summaries.frame_features, dict(y=y, sr=22050)),
        "summary_names": (summaries.summary_names, {}),
        "summarise": (summaries.summarise, {}),
        "own_song_clips": (own_song.own_song_clips, dict(path=None)),
        "plane_features": (dashboard.plane_features, {}),
        "axis_label": (dashboard.axis_label, {}),
        "fisher_score": (dashboard.fisher_score, {}),
        "colormap_table": (widgets.colormap_table, {}),
        "ClipStore": (widgets.ClipStore, dict(clips=_clips())),
        "WaveformExplorer": (widgets.WaveformExplorer, dict(clips=_clips())),
        "SpectrogramExplorer": (widgets.SpectrogramExplorer, dict(clips=_clips())),
        "FeatureExplorer": (widgets.FeatureExplorer, dict(clips=_clips())),
        "MFCCExplorer": (widgets.MFCCExplorer, dict(clips=_clips())),
        "ComparisonDashboard": (dashboard.ComparisonDashboard, dict(clips=_clips())),
    }
    function, base = defaults[helper]
    return function(**{**base, **arguments})


NAN, INF = float("nan"), float("inf")
STEREO_SOUNDFILE_LAYOUT = np.zeros((4096, 2), dtype=np.float32) + 0.1

#: (function, arguments, fragments the message must contain). Each case used to raise a library exception
#: (TypeError, ParameterError, IndexError ...), or to return a silently wrong result (marked "silent").
BAD_ARGUMENTS = [
    ("frame_count", dict(hop_length="512"), ["hop_length must be a whole number", "write hop_length=512"]),
    ("frame_count", dict(frame_length=None), ["frame_length must be a whole number"]),  # silent: ignored
    ("frame_count", dict(hop_length=True), ["hop_length must be a whole number"]),  # silent: 22051 frames
    ("frame_count", dict(n_samples=22050.5), ["n_samples", "round it"]),  # silent: 44.0
    ("frame_count", dict(center="no"), ["center must be True or False"]),  # silent: centred
    ("frame_times", dict(sr=0), ["sr must be at least 1000"]),  # silent: inf times
    ("frame_times", dict(hop_length=-512), ["hop_length must be at least 1"]),  # silent: negative times
    ("rms_envelope", dict(frame_length="2048"), ["frame_length must be a whole number", "frame_length=2048"]),
    ("rms_envelope", dict(frame_length=0), ["frame_length must be at least 1"]),  # silent: NaN
    ("rms_envelope", dict(hop_length=4096), ["hop_length=4096 is longer than frame_length=2048"]),  # silent
    ("rms_envelope", dict(hop_length=2048.5), ["hop_length", "2048.5"]),
    ("rms_envelope", dict(sr=22050.5), ["whole number of samples per second"]),
    ("rms_envelope", dict(y=np.zeros((1, 1, 4096), np.float32)), ["3 dimensions"]),
    ("rms_envelope", dict(y=STEREO_SOUNDFILE_LAYOUT), ["(samples, channels) layout", "y.T"]),
    ("min_max_envelope", dict(n_columns=0), ["n_columns must be at least 1"]),  # silent: empty
    ("min_max_envelope", dict(y=np.zeros(0, np.float32)), ["non-empty 1-D"]),
    ("min_max_envelope", dict(y=[0.1, 0.2]), ["1-D NumPy array"]),
    ("stft_magnitude", dict(n_fft=2048.5), ["n_fft must be a whole number", "2048.5"]),
    ("stft_magnitude", dict(n_fft="2048"), ["n_fft must be a whole number of samples such as 2048", "n_fft=2048"]),
    ("stft_magnitude", dict(n_fft=1), ["n_fft must be at least 2"]),  # silent: NaN
    ("stft_magnitude", dict(n_fft=None), ["n_fft must be a whole number"]),
    ("stft_magnitude", dict(hop_length=True), ["hop_length must be a whole number"]),  # silent: hop of 1
    ("spectrogram_db", dict(frequency_scale="Log"), ["frequency_scale must be one of", "did you mean 'log'"]),
    ("spectrogram_db", dict(frequency_scale="mell"), ["did you mean 'mel'"]),
    ("spectrogram_db", dict(frequency_scale="mel", n_mels="64"), ["n_mels must be a whole number"]),  # silent
    ("spectrogram_db", dict(frequency_scale="mel", n_mels=0), ["n_mels must be at least 1"]),  # silent: empty
    ("spectrogram_db", dict(frequency_scale="mel", n_mels=100000), ["at most 1025"]),  # silent: empty bands
    ("spectrogram_db", dict(y=None, magnitude=np.ones((3, 5))), ["magnitude has 3 frequency bins", "n_fft"]),
    ("spectrogram_db", dict(y=None, magnitude=-np.ones((1025, 5))), ["magnitude must hold finite values >= 0"]),
    ("require_min_length", dict(frame_length="2048"), ["frame_length must be a whole number"]),
    ("require_min_length", dict(y=[0.1] * 10), ["NumPy array"]),
    ("require_not_silent", dict(threshold=NAN), ["threshold must be a finite number"]),  # silent: passes
    ("require_not_silent", dict(y=None), ["NumPy array"]),
    ("require_audio_array", dict(sr=1), ["sr must be at least 1000"]),
    ("load_sample", dict(sr=True), ["sr must be a number"]),
    ("load_sample_cached", dict(name=["pop"]), ["sample name is a string"]),
    ("load_sample_cached", dict(sr="22050"), ["sr must be a number", "remove the quotes"]),
    ("load_sample_cached", dict(remove_offset="no"), ["remove_offset must be True or False"]),
    ("pure_tone", dict(frequency_hz="440"), ["frequency_hz must be a number", "remove the quotes"]),
    ("pure_tone", dict(frequency_hz=NAN), ["frequency_hz must be a finite number"]),
    ("pure_tone", dict(frequency_hz=True), ["frequency_hz must be a number"]),  # silent: 1 Hz
    ("pure_tone", dict(amplitude=1.5), ["amplitude must be at least 0 and at most 1"]),  # silent: beyond ±1
    ("pure_tone", dict(amplitude=NAN), ["amplitude must be a finite number"]),  # silent: NaN samples
    ("pure_tone", dict(phase=None), ["phase must be a number"]),
    ("pure_tone", dict(duration_s="5"), ["duration_s must be a number of seconds", "remove the quotes"]),
    ("pure_tone", dict(duration_s=INF), ["duration_s must be a finite number"]),
    ("pure_tone", dict(duration_s=1e-6), ["shorter than one sample"]),
    ("pure_tone", dict(sr="22050"), ["sr must be a number in hz", "remove the quotes"]),
    ("pure_tone", dict(sr=True), ["sr must be a number"]),
    ("chirp", dict(end_hz=0), ["end_hz > 0", "logarithmic=False"]),  # silent: NaN samples
    ("chirp", dict(start_hz=20000), ["Nyquist", "Lower start_hz"]),
    ("chirp", dict(logarithmic="no"), ["logarithmic must be True or False"]),  # silent: logarithmic
    ("white_noise", dict(seed="0"), ["seed must be a whole number"]),
    ("white_noise", dict(seed=True), ["seed must be a whole number"]),  # silent: seed 1
    ("white_noise", dict(sr=1), ["sr must be at least 1000"]),  # silent: 1 sample
    ("white_noise", dict(amplitude=INF), ["amplitude must be a finite number"]),  # silent: ±1 square noise
    ("click_train", dict(clicks_per_second="2"), ["clicks_per_second must be a number"]),
    ("click_train", dict(clicks_per_second=50000), ["clicks_per_second must be above 0 and at most 100"]),
    ("click_train", dict(click_duration_s=-0.01), ["click_duration_s must be above 0"]),  # silent
    ("click_train", dict(duration_s=True), ["duration_s must be a number"]),  # silent: 1 s
    ("partials", dict(frequencies_hz=220), ["frequencies_hz must be a list of numbers"]),
    ("partials", dict(frequencies_hz=[220, "440", 660]), ["frequencies_hz[1] must be a number"]),
    ("partials", dict(frequencies_hz=[220, 440, 20000]), ["Nyquist", "frequencies_hz[2]"]),
    ("partials", dict(amplitudes=[0.5, 0.5, NAN]), ["amplitudes[2] must be a finite number"]),  # silent
    ("sum_of_partials", dict(amplitudes=[0.9, 0.9, 0.9]), ["peak of", "at most 1"]),  # silent: beyond ±1
    ("plot_waveform", dict(ax="ax"), ["ax must be a matplotlib Axes", "plt.subplots()"]),
    ("plot_waveform", dict(ax=[None]), ["ax must be a matplotlib Axes"]),
    ("plot_waveform", dict(max_columns=0), ["max_columns must be at least 1"]),  # silent: nothing drawn
    ("plot_waveform", dict(max_columns=2000.5), ["max_columns must be a whole number"]),
    ("plot_waveform", dict(color="notacolour"), ["color must be a matplotlib colour"]),
    ("plot_waveform", dict(time_unit="sec"), ["time_unit must be one of"]),
    ("plot_waveform", dict(sr=1), ["sr must be at least 1000"]),
    ("plot_spectrogram", dict(n_fft="2048"), ["n_fft must be a whole number", "n_fft=2048"]),
    ("plot_spectrogram", dict(hop_length=True), ["hop_length must be a whole number"]),  # silent
    ("plot_spectrogram", dict(frequency_scale="hz"), ["frequency_scale must be one of"]),
    ("plot_spectrogram", dict(frequency_scale="mel", n_mels="128"), ["n_mels must be a whole number"]),  # silent
    ("plot_spectrogram", dict(vmin="-80"), ["vmin must be a number"]),  # silent: drawn
    ("plot_spectrogram", dict(vmin=10), ["vmin (10 dB) must be below vmax"]),  # silent: inverted scale
    ("plot_spectrogram", dict(vmax=NAN), ["vmax must be a finite number"]),  # silent
    ("plot_spectrogram", dict(colorbar="no"), ["colorbar must be True or False"]),  # silent: colour bar drawn
    ("plot_spectrogram", dict(cmap="magmaa"), ["cmap must be the name", "did you mean 'magma'"]),
    ("plot_spectrogram", dict(ax=1), ["ax must be a matplotlib Axes"]),
    ("plot_spectrogram", dict(y=None, S_db=np.zeros((129, 20)), n_fft=2048), ["S_db has 129 frequency bins",
                                                                              "n_fft = 2 * (bins - 1) = 256"]),
    ("plot_spectrogram", dict(y=None, S_db=np.ones(10)), ["S_db must be a 2-D array"]),
    ("plot_spectrogram", dict(y=None, S_db=np.full((1025, 5), np.nan)), ["S_db contains"]),
    ("plot_feature_curve", dict(values=None), ["values must be one feature curve"]),  # silent: empty plot
    ("plot_feature_curve", dict(values=np.ones((3, 20))), ["values must be one feature curve", "values[k]"]),
    ("plot_feature_curve", dict(sr=0), ["sr must be at least 1000"]),  # silent: inf times
    ("plot_feature_curve", dict(hop_length=-512), ["hop_length must be at least 1"]),  # silent
    ("plot_feature_curve", dict(start_s=NAN), ["start_s must be a finite number"]),  # silent
    ("plot_feature_curve", dict(ax="ax"), ["ax must be a matplotlib Axes"]),
    ("compare_clips", dict(clips=None), ["clips must be a list of sample names"]),
    ("compare_clips", dict(clips=[3]), ["each clip name must be text"]),
    ("compare_clips", dict(kind="waveforms"), ["kind must be one of", "did you mean 'waveform'"]),
    ("compare_clips", dict(kind="spectrogram", n_fft="2048"), ["n_fft must be a whole number"]),
    ("compare_clips", dict(kind="spectrogram", frequency_scale="Log"), ["did you mean 'log'"]),
    ("compare_clips", dict(colorbar="no"), ["colorbar must be True or False"]),  # silent
    ("compare_clips", dict(axes="ax"), ["axes must be a list of matplotlib Axes"]),
    ("compare_clips", dict(axes=[1, 2]), ["axes[0] must be a matplotlib Axes"]),
    ("play", dict(y=STEREO_SOUNDFILE_LAYOUT), ["(samples, channels) layout"]),  # silent: 4096 channels
    ("play", dict(sr=None), ["sr must be a number"]),
    ("play", dict(max_duration_s=NAN), ["max_duration_s must be a finite number"]),  # silent: no limit
    ("play", dict(max_duration_s="60"), ["max_duration_s must be a number"]),
    ("play", dict(label=5), ["label must be text"]),
    ("AudioPlayer", dict(data=None), ["data must be the encoded audio as bytes"]),  # silent: broken repr
    ("AudioPlayer", dict(duration_s="1"), ["duration_s must be a number"]),  # silent: broken repr
    ("AudioPlayer", dict(duration_s=-1), ["duration_s must be at least 0"]),
    ("encode_mp3", dict(compression=2), ["compression must be at least 0 and at most 1"]),
    ("encode_mp3", dict(sr=1), ["sr must be at least 1000"]),  # silent: resampled as 1 Hz
    ("segment_bounds", dict(segment_s="3"), ["segment_s must be a number of seconds", "remove the quotes"]),
    ("segment_bounds", dict(segment_s=NAN), ["segment_s must be a finite number"]),
    ("segment_bounds", dict(segment_s=True), ["segment_s must be a number"]),  # silent: 1 s segments
    ("segment_bounds", dict(hop_s=INF), ["hop_s must be a finite number"]),  # silent: one segment
    ("segment_bounds", dict(hop_s=1e-9), ["at least one sample"]),
    ("segment_bounds", dict(n_samples="220500"), ["n_samples must be a whole number"]),
    ("segment_bounds", dict(n_samples=-1), ["n_samples must be at least 0"]),  # silent: empty
    ("segment_bounds", dict(sr=1), ["sr must be at least 1000"]),  # silent: 73500 segments
    ("segment_vectors", dict(y=STEREO_SOUNDFILE_LAYOUT), ["(samples, channels) layout"]),
    ("segment_vectors", dict(y=np.zeros((2, 88200), np.float32) + 0.1), ["mono"]),
    ("segment_vectors", dict(features="x"), ["features must be the FrameFeatures"]),
    ("frames_in", dict(features=None), ["features must be the FrameFeatures"]),
    ("blocked_fold_roles", dict(n_test="2"), ["n_test must be a whole number", "n_test=2"]),
    ("blocked_fold_roles", dict(n_test=True), ["n_test must be a whole number"]),  # silent: n_test 1
    ("blocked_fold_roles", dict(n_test=50), ["n_test must be at least 1 and at most 9"]),
    ("blocked_fold_roles", dict(gap=True), ["gap must be a whole number"]),  # silent: gap 1
    ("blocked_fold_roles", dict(positions=None), ["positions must be a non-empty 1-D array"]),
    ("frame_features", dict(y=np.zeros((2, 22050), np.float32) + 0.1), ["mono", "mean(axis=0)"]),  # silent
    ("frame_features", dict(n_fft=2048.5), ["n_fft must be a whole number"]),
    ("frame_features", dict(hop_length=4096), ["hop_length=4096 is longer than n_fft=2048"]),  # silent
    ("frame_features", dict(n_mfcc=0), ["n_mfcc must be at least 1"]),  # silent: no MFCCs
    ("frame_features", dict(n_mfcc=500), ["n_mfcc must be at least 1 and at most 128"]),  # silent: 128
    ("frame_features", dict(sr=1), ["sr must be at least 1000"]),  # silent
    ("summary_names", dict(n_mfcc="13"), ["n_mfcc must be a whole number", "n_mfcc=13"]),
    ("summary_names", dict(n_mfcc=-1), ["n_mfcc must be at least 1"]),  # silent: no MFCC names
    ("summarise", dict(features=None), ["features must be the FrameFeatures", "feature_vector"]),
    ("own_song_clips", dict(duration="30"), ["duration must be a number"]),
    ("own_song_clips", dict(name="a|b"), ["name must be non-empty text without '|'"]),  # silent
    ("plane_features", dict(n_mfcc=-1), ["n_mfcc must be at least 1"]),  # silent
    ("axis_label", dict(feature="spectral_centriod"), ["did you mean 'spectral_centroid'"]),
    ("fisher_score", dict(groups=[[1, NAN], [2, 3]]), ["groups[0] must be a non-empty array of finite"]),
    ("fisher_score", dict(groups=[[1, 2], ["a", "b"]]), ["groups[1]"]),
    ("fisher_score", dict(groups=None), ["groups must be a list of arrays"]),
    ("colormap_table", dict(name="magmaa"), ["did you mean 'magma'"]),
    ("ClipStore", dict(sr="22050"), ["sr must be a number", "remove the quotes"]),
    ("ClipStore", dict(sr=0), ["sr must be at least 1000"]),
    ("WaveformExplorer", dict(frame_length="2048"), ["frame_length must be a whole number"]),  # silent
    ("WaveformExplorer", dict(frame_length=0), ["frame_length must be at least 1"]),  # silent
    ("WaveformExplorer", dict(hop_length=4096), ["hop_length=4096 is longer than frame_length=2048"]),
    ("WaveformExplorer", dict(window_s=True), ["window_s must be one of"]),  # silent: 1 s window
    ("WaveformExplorer", dict(start_s="3"), ["start_s must be a number of seconds", "remove the quotes"]),
    ("WaveformExplorer", dict(song_a="A"), ["song_a", "did you mean 'a'"]),
    ("SpectrogramExplorer", dict(scale="Log"), ["scale must be one of", "did you mean 'log'"]),
    ("SpectrogramExplorer", dict(n_fft=True), ["n_fft must be one of"]),
    ("SpectrogramExplorer", dict(sr="22050"), ["sr must be a number"]),
    ("FeatureExplorer", dict(feature="spectral_centriod"), ["did you mean 'spectral_centroid'"]),
    ("FeatureExplorer", dict(extra_features=5), ["extra_features must be a list"]),
    ("FeatureExplorer", dict(extra_features=["spectral_rolof"]), ["extra_features", "did you mean"]),
    ("MFCCExplorer", dict(n_mels="64"), ["n_mels must be a whole number"]),
    ("MFCCExplorer", dict(song=3), ["song: 3 is not one of the clips"]),
    ("ComparisonDashboard", dict(selected=[None]), ["selected: None is not one of the clips"]),  # silent
    ("ComparisonDashboard", dict(selected=5), ["selected should be a list"]),
    ("ComparisonDashboard", dict(view="Waveform"), ["view must be one of", "did you mean 'waveform'"]),
    ("ComparisonDashboard", dict(features={"a": "x"}), ["features must be a dict"]),
    ("ComparisonDashboard", dict(sr=0), ["sr must be at least 1000"]),
]


@pytest.mark.parametrize("name, arguments, fragments", BAD_ARGUMENTS,
                         ids=[f"{name}-{'-'.join(arguments)}-{index}" for index, (name, arguments, _) in
                              enumerate(BAD_ARGUMENTS)])
def test_every_entrance_names_the_argument_and_the_fix(name, arguments, fragments):
    import matplotlib.pyplot as plt

    try:
        with pytest.raises(AudioInputError) as excinfo:
            _call(name, **arguments)
    finally:
        plt.close("all")
    assert_clean_error(excinfo, *fragments)


#: Valid calls that must keep working, among them whole numbers written as floats (2048.0 is 2048).
VALID_ARGUMENTS = [
    ("frame_count", dict(n_samples=22050.0, frame_length=2048.0, hop_length=512.0)),
    ("frame_times", dict(n_frames=0)),
    ("rms_envelope", dict(frame_length=2048.0, hop_length=512.0)),
    ("min_max_envelope", dict(n_columns=100.0)),
    ("stft_magnitude", dict(n_fft=2048.0, hop_length=512.0)),
    ("stft_magnitude", dict(n_fft=1000, hop_length=np.int64(250))),
    ("spectrogram_db", dict(frequency_scale="mel", n_mels=64.0)),
    ("spectrogram_db", dict(y=None, sr=22050, n_fft=256, magnitude=np.ones((129, 5)))),  # default hop unused
    ("pure_tone", dict(frequency_hz=0, amplitude=1.0, sr=44100.0, phase=np.pi)),
    ("chirp", dict(start_hz=0.0, logarithmic=False)),
    ("white_noise", dict(amplitude=0, seed=np.int64(3))),
    ("click_train", dict(clicks_per_second=4)),
    ("sum_of_partials", dict(frequencies_hz=np.array([220.0, 440.0]), amplitudes=[0.5, 0.5])),
    ("plot_waveform", dict(max_columns=500.0, start_s=-1.0, time_unit="ms", color="C2")),
    ("plot_spectrogram", dict(n_fft=2048.0, hop_length=512.0, frequency_scale="linear", vmin=-60)),
    ("plot_spectrogram", dict(y=None, S_db=np.zeros((1025, 20)))),
    ("plot_feature_curve", dict(values=[1.0, 2.0, 3.0], hop_length=512.0, start_s=3)),
    ("plot_feature_curve", dict(values=np.ones((1, 20)))),
    ("compare_clips", dict(kind="spectrogram", n_fft=1024.0)),
    ("play", dict(y=np.stack([_tone(), _tone()]), sr=44100)),
    ("segment_bounds", dict(segment_s=np.float32(3.0), hop_s=np.float64(1.5), n_samples=220500.0)),
    ("blocked_fold_roles", dict(n_test=2.0, gap=np.int64(1), positions=list(range(10)))),
    ("frame_features", dict(n_fft=2048.0, hop_length=512.0, n_mfcc=20.0)),
    ("summary_names", dict(n_mfcc=13.0)),
    ("fisher_score", dict(groups=[np.ones(3), np.zeros(3)])),
    ("MFCCExplorer", dict(n_mfcc=13.0, n_mels=64.0)),
    ("ComparisonDashboard", dict(selected=("a", "b"), view="mfcc", x="mfcc3")),
]


@pytest.mark.parametrize("name, arguments", VALID_ARGUMENTS,
                         ids=[f"{name}-{index}" for index, (name, _) in enumerate(VALID_ARGUMENTS)])
def test_valid_calls_still_work(name, arguments):
    import matplotlib.pyplot as plt

    try:
        _call(name, **arguments)
    finally:
        plt.close("all")


def test_whole_floats_give_the_same_result_as_ints():
    y = _tone()
    np.testing.assert_array_equal(helpers.spectrogram_db(y, 22050, n_fft=1024.0, hop_length=256.0),
                                  helpers.spectrogram_db(y, 22050, n_fft=1024, hop_length=256))
    assert helpers.frame_count(22050.0, 2048.0, 512.0) == helpers.frame_count(22050, 2048, 512)
