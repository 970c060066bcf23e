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
