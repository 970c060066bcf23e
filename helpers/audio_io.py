"""Reading audio files, and checking that audio is usable before a feature is computed from it.

Taught in lesson 00 (loading your own song) and used by every later lesson. Reading goes through librosa (which reads
with soundfile), but every failure becomes an :class:`~helpers.errors.AudioInputError` whose message says what to do.
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import BinaryIO

import numpy as np

from .errors import AudioInputError

#: File extensions that soundfile (and therefore librosa 1.0) can read.
SUPPORTED_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aiff", ".aif")

#: Common formats that soundfile cannot read, with the container they usually are.
UNSUPPORTED_EXTENSIONS = {
    ".m4a": "AAC in an MP4 container",
    ".aac": "raw AAC",
    ".mp4": "MP4 (video or AAC audio)",
    ".wma": "Windows Media Audio",
    ".webm": "WebM",
    ".mid": "MIDI (notes, not sound)",
    ".midi": "MIDI (notes, not sound)",
}

CONVERT_HINT = (
    "Convert it to WAV, FLAC, OGG or MP3 first, e.g. in a terminal: ffmpeg -i 'my song.m4a' 'my song.wav' "
    "(or export it from Audacity), then load the converted file."
)


def _describe_folder(folder: Path) -> str:
    """A short listing of the audio files (or, failing that, any files) in ``folder``."""
    try:
        entries = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return ""
    audio = [name for name in entries if Path(name).suffix.lower() in SUPPORTED_EXTENSIONS]
    shown = audio or entries
    folder = folder.resolve()
    if not shown:
        return f"The folder {folder} has no visible files."
    kind = "Audio files" if audio else "Files"
    more = f" ... and {len(shown) - 12} more" if len(shown) > 12 else ""
    return f"{kind} in {folder}: " + ", ".join(shown[:12]) + more + "."


def _check_path(path: Path) -> None:
    """Raise a helpful error for a path that cannot be an audio file; return silently otherwise."""
    import stat

    try:
        path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise AudioInputError(
                f"{str(path)!r} is a link that leads round in a circle (a symbolic link loop), so there is no file "
                "behind it. Point MY_SONG at the real file, or recreate the link."
            ) from None
    if path.is_symlink() and not path.exists():
        raise AudioInputError(
            f"{str(path)!r} is a link to {os.readlink(path)!r}, which does not exist (a broken link). Point it at the "
            "real file."
        ) from None
    if not path.exists():
        hint = _nearby_hint(path)
        folder = path.parent if str(path.parent) else Path(".")
        if folder.is_dir():
            listing = _describe_folder(folder)
        else:
            listing = f"The folder {folder} does not exist either (the notebook runs in {Path.cwd()})."
        raise AudioInputError(
            f"No file at {str(path)!r}. {hint}{listing} Check the spelling and the folder; a relative path starts "
            f"from the notebook's folder ({Path.cwd()})."
        ) from None
    if path.is_dir():
        raise AudioInputError(
            f"{str(path)!r} is a folder, not an audio file. {_describe_folder(path)} "
            "Pass the path of one file inside it."
        ) from None
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket, not a regular file"
        raise AudioInputError(
            f"{str(path)!r} is {kind}: audio files are regular files. Pass the path of the audio file itself."
        ) from None
    if not os.access(path, os.R_OK):
        raise AudioInputError(
            f"{str(path)!r} exists, but you may not read it (permission denied). Copy it to a folder of your own "
            f"(e.g. cp {str(path)!r} ~/) or ask its owner to make it readable (chmod a+r)."
        ) from None
    extension = path.suffix.lower()
    if extension in UNSUPPORTED_EXTENSIONS:
        raise AudioInputError(
            f"{path.name!r} is {UNSUPPORTED_EXTENSIONS[extension]}, a format the course's audio reader (soundfile) "
            f"cannot read. {CONVERT_HINT}"
        ) from None
    if path.stat().st_size == 0:
        raise AudioInputError(
            f"{str(path)!r} is empty (0 bytes): the download or copy probably failed. Copy the file again."
        ) from None
    with open(path, "rb") as handle:
        head = handle.read(512)
    if _looks_like_text(head):
        raise AudioInputError(f"{path.name!r} {_text_diagnosis(head, extension)}") from None


def _nearby_hint(path: Path) -> str:
    """A suggestion for a path that does not exist: a bundled sample's id, or the same path one folder up."""
    from .samples import AUDIO_SAMPLES_DIR

    if not path.suffix and len(path.parts) == 1:
        try:
            from .samples import sample_ids

            if str(path) in sample_ids():
                return f"{str(path)!r} is a bundled sample: load it with load_sample({str(path)!r}). "
        except AudioInputError:
            pass
    if not path.is_absolute() and (Path("..") / path).exists():
        return f"But {str(Path('..') / path)!r} exists: the notebooks run inside notebooks/, so go one folder up. "
    if not path.is_absolute() and (AUDIO_SAMPLES_DIR / path.name).exists():
        return f"A bundled file of that name exists: use load_sample({Path(path.name).stem!r}). "
    return ""


def _text_diagnosis(head: bytes, extension: str) -> str:
    """What to tell a student whose 'audio' file is really text."""
    lowered = head[:200].lower()
    if b"<html" in lowered or b"<!doctype" in lowered:
        return ("is a web page (HTML), not audio: the link you downloaded led to a page, not to the file. Open "
                "the page in a browser and download the audio file itself.")
    return (f"contains text, not audio (it starts with {head[:40]!r}). Renaming a file to {extension or '.wav'} "
            "does not make it audio: find the real audio file.")


def _looks_like_text(head: bytes) -> bool:
    """True when the first bytes of a file are printable text (audio headers contain binary bytes)."""
    if not head:
        return False
    if head.startswith((b"RIFF", b"fLaC", b"OggS", b"ID3", b"FORM", b"RF64")):
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    printable = sum(character.isprintable() or character in "\r\n\t" for character in text)
    return printable / len(text) > 0.95


#: The longest stretch load_audio reads at once (s): 20 min of stereo 48 kHz float32 is about 0.5 GB.
MAX_SECONDS = 20 * 60


#: The smallest mean sample value the loaders treat as a DC offset and remove (-60 dBFS); see ``load_audio``.
DC_OFFSET_LIMIT = 1e-3


def load_audio(
    source: str | os.PathLike | BinaryIO,
    sr: float | None = 22050,
    mono: bool = True,
    offset: float = 0.0,
    duration: float | None = None,
    remove_offset: bool = True,
) -> tuple[np.ndarray, int]:
    """Load a student's own audio file, like ``librosa.load``, with clear errors (lesson 00).

    Parameters
    ----------
    source : path (str or Path) or a binary file object (e.g. ``open(path, 'rb')`` or an upload's bytes in BytesIO).
        WAV, FLAC, OGG (Vorbis/Opus), MP3 or AIFF. M4A/AAC cannot be read: convert first.
    sr : target sampling rate in Hz (default 22050), or ``None`` to keep the file's own rate.
    mono : if True, average the channels into one.
    offset : where to start reading, in seconds from the start of the file.
    duration : how many seconds to read (``None``: to the end).
    remove_offset : if True (the course's rule), subtract each channel's mean, its DC offset, after resampling,
        when it is at least ``DC_OFFSET_LIMIT`` (0.001, -60 dBFS): an offset shifts the waveform off zero, hides zero
        crossings and puts energy at 0 Hz (lessons 01 and 03). Smaller means are left alone: they change no course
        feature by more than 1 % (lesson 03 measures it), and subtracting them would turn exact digital silence into
        a constant. ``False`` returns the samples as stored, like ``librosa.load``.

    Returns
    -------
    y : ``(n,)`` float32 mono, or ``(channels, n)`` float32 when ``mono=False``; full scale is -1..1.
    sr : int, the sampling rate of ``y`` in Hz.

    Raises
    ------
    AudioInputError : missing path (lists what exists), a folder, an empty, text or corrupt file, an unsupported
        format, an offset past the end, or NaN/infinite samples.
    """
    __tracebackhide__ = True  # IPython hides this frame in tracebacks
    import soundfile

    from .arguments import require_flag, require_number, require_sample_rate

    offset = require_number(offset, "offset", minimum=0, example="10", unit=" s")
    if duration is not None:
        duration = require_number(duration, "duration", above=0, example="30", unit=" s")
    sr = require_sample_rate(sr)
    mono = require_flag(mono, "mono")
    remove_offset = require_flag(remove_offset, "remove_offset")

    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        _check_path(path)
        name = path.name
        reader: str | BinaryIO = str(path)
    elif hasattr(source, "read"):
        name = getattr(source, "name", "the uploaded file")
        data = source.read()
        if not data:
            raise AudioInputError(f"{name} is empty (0 bytes). Upload or open the file again.") from None
        if _looks_like_text(data[:512]):
            raise AudioInputError(f"{name} {_text_diagnosis(data[:512], '')}") from None
        reader = io.BytesIO(data)
    else:
        raise AudioInputError(
            f"load_audio expects a file path (str or pathlib.Path) or an open binary file, not "
            f"{type(source).__name__}. For a bundled song use load_sample('name'); see list_samples()."
        ) from None

    try:
        info = soundfile.info(reader)
    except Exception as error:  # soundfile raises LibsndfileError, RuntimeError or TypeError for undecodable data
        raise AudioInputError(
            f"Could not read {name} as audio ({_short_reason(error)}). "
            + (f"The file is damaged, an incomplete download, or in a format soundfile cannot read. Try opening it in "
               f"a music player: if it plays, convert it. {CONVERT_HINT}" if _may_be_unsupported_format(name) else
               "It looks damaged or incomplete: download or copy it again (or export it again as WAV).")
        ) from None
    if hasattr(reader, "seek"):
        reader.seek(0)
    if info.frames == 0 or info.duration == 0:
        raise AudioInputError(f"{name} contains no audio samples (it is 0 s long). Use another file.") from None
    seconds_to_read = (info.duration - offset) if duration is None else min(duration, info.duration - offset)
    if seconds_to_read > MAX_SECONDS:
        gigabytes = seconds_to_read * info.samplerate * info.channels * 4 / 1e9
        raise AudioInputError(
            f"{name} lasts {info.duration / 60:.0f} min: reading {seconds_to_read / 60:.0f} min of it would take about "
            f"{gigabytes:.1f} GB of memory. Read a part of it: load_audio(path, duration=30), with offset= (s) to "
            f"choose where; the course's lessons use 30 s. At most {MAX_SECONDS // 60} min are read at once."
        ) from None
    if offset >= info.duration:
        raise AudioInputError(
            f"offset={offset} s is past the end of {name}, which lasts {info.duration:.2f} s. "
            f"Choose an offset below {info.duration:.2f}."
        ) from None

    start = int(round(offset * info.samplerate))
    frames = -1 if duration is None else int(round(duration * info.samplerate))
    try:
        data, native_rate = soundfile.read(reader, start=start, frames=frames, dtype="float32", always_2d=True)
    except Exception as error:
        raise AudioInputError(
            f"Could not decode {name} ({_short_reason(error)}). The file may be damaged or truncated: download or "
            f"copy it again, or load a part that decodes with duration= (s)."
        ) from None
    if data.shape[0] == 0:
        raise AudioInputError(f"Nothing was read from {name} with offset={offset} and duration={duration}.") from None
    promised = _promised_frames(reader, info)
    expected = promised - start if frames < 0 else min(frames, promised - start)
    if data.shape[0] < expected - max(0.005 * expected, 0.1 * info.samplerate):
        import warnings

        warnings.warn(
            f"{name} is truncated: its header promises {expected / info.samplerate:.2f} s from offset {offset:g} s, "
            f"but only {data.shape[0] / info.samplerate:.2f} s could be read (an incomplete download or copy?). "
            "The part that was read is used.", stacklevel=2)
    require_finite(data, what=name)
    # The same steps as librosa.load: channels first, average to mono, then resample with soxr (high quality).
    y = np.ascontiguousarray(data.T)
    if mono:
        y = y.mean(axis=0, dtype=np.float32)
    elif y.shape[0] == 1:
        y = y[0]
    if sr is not None and sr != native_rate:
        import librosa

        y = librosa.resample(y, orig_sr=native_rate, target_sr=sr, res_type="soxr_hq").astype(np.float32)
        native_rate = sr
    if remove_offset:
        # The course's one rule for DC offsets: removed here, once, for every clip every lesson loads (lesson 03).
        means = y.mean(axis=-1, keepdims=True, dtype=np.float64)
        means = np.where(np.abs(means) >= DC_OFFSET_LIMIT, means, 0.0)
        if np.any(means):
            y = (y - means).astype(np.float32)
    return y, int(native_rate)


def _promised_frames(reader, info) -> int:
    """How many frames the file says it has: for a WAV file, from its header's data-chunk size (libsndfile
    counts what is really there, so a cut-off download would otherwise pass unnoticed); otherwise info.frames."""
    if not isinstance(reader, str) or info.format != "WAV" or not info.subtype.startswith(("PCM", "FLOAT")):
        return info.frames
    bytes_per_sample = {"PCM_U8": 1, "PCM_S8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4}.get(info.subtype)
    if bytes_per_sample is None:
        return info.frames
    with open(reader, "rb") as handle:
        head = handle.read(65536)
    position = head.find(b"data", 12)
    if position < 0 or position + 8 > len(head):
        return info.frames
    size = int.from_bytes(head[position + 4: position + 8], "little")
    if size in (0, 0xFFFFFFFF):  # unknown length (streamed WAV)
        return info.frames
    return max(info.frames, size // (bytes_per_sample * info.channels))


def _may_be_unsupported_format(name: str) -> bool:
    """Whether the conversion hint (M4A/AAC and other formats soundfile cannot read) fits: not for the formats it
    reads (WAV, FLAC, OGG, MP3, AIFF), where a failure means a damaged file."""
    return Path(str(name)).suffix.lower() not in SUPPORTED_EXTENSIONS


def _short_reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]


def require_finite(y: np.ndarray, what: str = "the audio") -> None:
    """Raise :class:`AudioInputError` if ``y`` contains NaN or infinite samples (lesson 00).

    ``y``: any shape, float. NaN usually comes from dividing by zero (e.g. normalising silence by its peak).
    """
    __tracebackhide__ = True
    y = _require_array(y, "y")
    finite = np.isfinite(y)
    if not finite.all():
        bad = np.flatnonzero(~finite.reshape(-1))
        n_nan = int(np.isnan(y).sum())
        raise AudioInputError(
            f"{what} contains {bad.size} samples that are not finite numbers ({n_nan} NaN, {bad.size - n_nan} "
            f"infinite), the first at index {bad[0]}. This usually comes from dividing by zero, e.g. "
            "normalising a silent clip by its peak. Fix the step that produced it, or replace them with "
            "np.nan_to_num(y) if you know why they are there."
        ) from None


def _require_array(y: object, what: str) -> np.ndarray:
    """``y`` if it is a NumPy array of numbers; otherwise a message that says how to get one."""
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "biuf":
        raise AudioInputError(
            f"{what} should be a NumPy array of samples (as returned by load_sample or load_audio), not "
            f"{type(y).__name__}{'' if not isinstance(y, np.ndarray) else f' of {y.dtype}'}. If you have (y, sr), "
            "unpack it: y, sr = load_sample('pop').") from None
    return y


def require_audio_array(y: object, sr: object = None, what: str = "y") -> np.ndarray:
    """Check that ``y`` is a non-empty float array of finite samples and ``sr`` a positive rate; return ``y``.

    ``y``: ``(n,)`` mono or ``(channels, n)``; ``sr``: Hz or None (not checked).
    """
    __tracebackhide__ = True
    if not isinstance(y, np.ndarray):
        raise AudioInputError(
            f"{what} should be a NumPy array of samples (as returned by load_sample or load_audio), not "
            f"{type(y).__name__}. If you have (y, sr), unpack it: y, sr = load_sample('pop')."
        ) from None
    if y.size == 0:
        raise AudioInputError(f"{what} is empty (0 samples). Check the offset/duration or slicing that made it.") from None
    if not np.issubdtype(y.dtype, np.floating):
        raise AudioInputError(
            f"{what} has integer samples ({y.dtype}); the course works with floats in -1..1. "
            "Convert with y = y.astype('float32') / np.iinfo(y.dtype).max."
        ) from None
    if y.ndim > 2:
        raise AudioInputError(
            f"{what} has shape {y.shape}, {y.ndim} dimensions; audio is (n,) mono or (channels, n). Remove the "
            f"extra dimensions, e.g. {what} = {what}.squeeze() or {what}[0].") from None
    if y.ndim == 2 and y.shape[1] <= 8 < y.shape[0]:
        raise AudioInputError(
            f"{what} has shape {y.shape}: that looks like soundfile's (samples, channels) layout. The course uses "
            f"(channels, samples): pass {what}.T, or load it with helpers.load_audio.") from None
    if sr is not None:
        from .arguments import require_sample_rate

        require_sample_rate(sr, "sr", allow_none=False)
    require_finite(y, what=what)
    return y


def require_mono(y: np.ndarray, what: str = "y") -> np.ndarray:
    """``y`` if it is ``(n,)`` mono; a 2-D (channels) array gets a message that says how to make it mono."""
    __tracebackhide__ = True
    if y.ndim != 1:
        raise AudioInputError(
            f"{what} should be mono, shape (n,), but it has shape {y.shape}. Average the channels first: "
            f"{what} = {what}.mean(axis=0) for (channels, n), or load it with mono=True (the default)."
        ) from None
    return y


def require_min_length(y: np.ndarray, frame_length: int, sr: float, what: str = "the clip") -> None:
    """Raise :class:`AudioInputError` when ``y`` is shorter than one analysis frame (lessons 01–05).

    ``y``: ``(n,)`` samples; ``frame_length``: samples per frame (``n_fft`` for spectral features); ``sr``: Hz.
    """
    __tracebackhide__ = True
    from .arguments import require_whole_number

    y = _require_array(y, "y")
    frame_length = require_whole_number(frame_length, "frame_length")
    n_samples = y.shape[-1]
    if n_samples < frame_length:
        raise AudioInputError(
            f"{what} has {n_samples} samples ({1000 * n_samples / sr:.1f} ms) but one analysis frame needs "
            f"{frame_length} samples ({1000 * frame_length / sr:.1f} ms). Use a longer clip, or a smaller "
            "frame_length / n_fft."
        ) from None


def require_not_silent(y: np.ndarray, feature: str = "this feature", threshold: float = 1e-6) -> None:
    """Raise :class:`AudioInputError` when ``y`` is silent, where ``feature`` is undefined (lessons 03–05).

    ``y``: ``(n,)`` samples in -1..1. Silent means the peak is below ``threshold`` (-120 dBFS by default).
    """
    __tracebackhide__ = True
    from .arguments import require_number

    y = _require_array(y, "y")
    threshold = require_number(threshold, "threshold", above=0, example="1e-6")
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak < threshold:
        raise AudioInputError(
            f"The audio is silent (peak {peak:.1e}), so {feature} is undefined: there is no energy to take a "
            "weighted mean of, or a sign to change. Choose a part of the song with sound (check offset), or a "
            "different file."
        ) from None
