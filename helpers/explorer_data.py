"""What the explorers send to the browser: compact arrays with their units, one payload per key (lessons 01–07).

The explorers are split in two. This module (and :mod:`helpers.widgets`) computes; the ES module
``helpers/frontend/explorer.js`` draws. The browser asks for what it does not have yet by *key*, a string that names
the data and every setting it depends on, such as ``"spectrogram|edm|2048|log"``; the kernel (in JupyterLab) or a
static file (on the course website) answers with a *payload*:

    payload = 4-byte little-endian header length, the header as UTF-8 JSON, padding to 4 bytes, then the arrays

The header is ``{"meta": {...}, "arrays": {name: {"dtype", "shape", "offset", "bytes"}}}``: ``meta`` holds numbers
and labels with units in their names (``duration_s``, ``hop_length_samples``), ``offset`` is in bytes from the start
of the array data. Arrays are little-endian ``float32``, ``int16`` or ``uint8``, each starting on a 4-byte boundary,
or ``jpeg``: a 2-D uint8 array encoded as a greyscale JPEG (spectrogram pictures: a third of the bytes, about 1 dB
RMS off, which a colour map spanning 90 dB does not show). Quantised arrays say how to read them in ``meta`` (``level_db = db_low + value * db_step``).

Keys, by what they hold (``name`` is a clip's name in the explorer; sizes for a 30 s clip at 22 050 Hz):

- ``clip|name``: duration, rate and the whole-clip min/max outline at the coarsest waveform level.
- ``wave|name|block|chunk``: the waveform at one level of detail: each column is the minimum and maximum of
  ``block`` samples (``block = 1``: the samples themselves), ``WAVE_CHUNK_COLUMNS`` columns per chunk, int16.
- ``rms|name|frame_length|hop_length``: the RMS envelope, float32, full-scale units (lesson 01).
- ``spectrogram|name|n_fft|scale``: a dB spectrogram image on a linear, log or mel axis, uint8 (lesson 02).
- ``feature|name|feature|frame_length``: one frame-wise feature, float32, in its unit (lessons 03–04).
- ``mfcc|name|n_mels``: the log-mel spectrogram for the MFCC explorer, uint8, with exact rebuild errors (lesson 05).
- ``frames|name|feature``: one of the summaries' frame-wise features at lesson 06's settings, float32.
- ``rhythm|name``: the onset envelope, the averaged tempogram and, for every tempo prior the rhythm explorer
  offers, the tempo and the beat times (float32, about 20 KB), lesson 10.
- ``audio|name``: the clip as MP3 bytes (uint8, about 120 KB), asked for only when the reader presses play.
- ``pitch|name|bins_per_octave``: a constant-Q transform image (uint8 dB) and its chroma (uint8), lesson 09.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from .analysis import rms_envelope, spectrogram_db, stft_magnitude

#: Levels of detail of the waveform, in samples per column: 1 is the samples themselves.
WAVE_BLOCKS = (1, 8, 64, 512, 4096)
#: Columns in one chunk of a waveform level: a chunk of 1-sample columns is 0.19 s at 22 050 Hz, 8 KB.
WAVE_CHUNK_COLUMNS = 4096
#: Largest spectrogram image sent to the browser (rows, columns): enough for a plot about 900 CSS px wide.
SPECTROGRAM_DISPLAY_SHAPE = (256, 720)
#: The dB range of spectrogram images, relative to a full-scale sine; uint8 value v means DB_LOW + v * DB_STEP.
DB_RANGE = (-90.0, 0.0)
#: FFT sizes offered by the explorers (samples).
N_FFT_CHOICES = (256, 512, 1024, 2048, 4096, 8192)
#: Frequencies (Hz) labelled on log and mel axes.
FREQUENCY_TICKS_HZ = (32, 64, 125, 250, 500, 1000, 2000, 4000, 8000, 16000)
LOG_AXIS_LOWEST_HZ = 32.0
SCALES = ("linear", "log", "mel")


# ------------------------------------------------------------------------------------------------ the format

#: JPEG quality of spectrogram pictures: 88 keeps the error near 1 dB RMS (tests/test_widgets.py measures it).
JPEG_QUALITY = 88


class JpegImage:
    """A 2-D uint8 array to be sent as a greyscale JPEG (see :func:`encode_payload`)."""

    def __init__(self, array: np.ndarray, quality: int = JPEG_QUALITY):
        self.array, self.quality = np.asarray(array, dtype=np.uint8), quality

    def encode(self) -> bytes:
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(self.array, mode="L").save(buffer, "JPEG", quality=self.quality)
        return buffer.getvalue()


def encode_payload(meta: dict, arrays: dict[str, np.ndarray] | None = None) -> bytes:
    """One payload: ``meta`` (JSON-able) and named arrays (float32, int16 or uint8) as bytes (see the module doc)."""
    arrays = arrays or {}
    described, blobs, offset = {}, [], 0
    for name, array in arrays.items():
        if isinstance(array, JpegImage):
            blob, dtype, shape = array.encode(), "jpeg", list(array.array.shape)
        else:
            array = np.ascontiguousarray(array)
            if array.dtype not in (np.float32, np.int16, np.uint8):
                raise TypeError(f"array {name!r} is {array.dtype}; payloads carry float32, int16, uint8 or jpeg")
            blob, dtype, shape = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes(), array.dtype.name, \
                list(array.shape)
        described[name] = {"dtype": dtype, "shape": shape, "offset": offset, "bytes": len(blob)}
        padding = -len(blob) % 4
        blobs.append(blob + b"\0" * padding)
        offset += len(blob) + padding
    header = json.dumps({"meta": meta, "arrays": described}, separators=(",", ":"), allow_nan=False).encode()
    header += b" " * (-(4 + len(header)) % 4)
    return struct.pack("<I", len(header)) + header + b"".join(blobs)


def decode_payload(payload: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The inverse of :func:`encode_payload`: ``(meta, {name: array})`` (used by the tests; the browser has its own)."""
    (length,) = struct.unpack_from("<I", payload)
    header = json.loads(payload[4: 4 + length])
    start = 4 + length
    arrays = {}
    for name, info in header["arrays"].items():
        if info["dtype"] == "jpeg":
            import io

            from PIL import Image

            blob = payload[start + info["offset"]: start + info["offset"] + info["bytes"]]
            arrays[name] = np.asarray(Image.open(io.BytesIO(blob)).convert("L"))
            continue
        dtype = np.dtype(info["dtype"]).newbyteorder("<")
        count = int(np.prod(info["shape"], dtype=np.int64))
        arrays[name] = np.frombuffer(payload, dtype=dtype, count=count, offset=start + info["offset"]).reshape(
            info["shape"])
    return header["meta"], arrays


def key_parts(key: str) -> list[str]:
    """``"spectrogram|edm|2048|log"`` -> ``["spectrogram", "edm", "2048", "log"]``."""
    return key.split("|")


def make_key(*parts: object) -> str:
    """The key naming data and its settings: ``make_key("rms", "edm", 2048, 512)`` -> ``"rms|edm|2048|512"``."""
    text = [str(part) for part in parts]
    if any("|" in part for part in text):
        raise ValueError("a clip name must not contain '|'")
    return "|".join(text)


# ------------------------------------------------------------------------------------------------ waveforms

def to_int16(values: np.ndarray) -> np.ndarray:
    """Samples in -1..1 as int16 (full scale = ±32767): 16-bit resolution, half the bytes of float32."""
    return np.round(np.clip(values, -1.0, 1.0) * 32767).astype(np.int16)


def wave_chunk(y: np.ndarray, block: int, chunk: int) -> tuple[dict, dict[str, np.ndarray]]:
    """Chunk ``chunk`` of the waveform level with ``block`` samples per column: its min and max per column.

    ``y``: ``(n,)`` float mono. Column ``c`` of the chunk covers samples ``(chunk * WAVE_CHUNK_COLUMNS + c) * block``
    onwards. Returns meta (``first_sample``, ``block_samples``) and int16 arrays ``minimum`` and ``maximum`` (equal
    for ``block = 1``, so only ``minimum`` is sent).
    """
    if block not in WAVE_BLOCKS:
        raise ValueError(f"block must be one of {WAVE_BLOCKS}")
    first = chunk * WAVE_CHUNK_COLUMNS * block
    if chunk < 0 or first >= y.size:
        raise ValueError(f"chunk {chunk} lies past the end of the clip")
    piece = y[first: first + WAVE_CHUNK_COLUMNS * block]
    meta = {"first_sample": first, "block_samples": block, "full_scale": 32767}
    if block == 1:
        return meta, {"minimum": to_int16(piece)}
    columns = -(-piece.size // block)
    padded = np.pad(piece, (0, columns * block - piece.size), mode="edge").reshape(columns, block)
    return meta, {"minimum": to_int16(padded.min(axis=1)), "maximum": to_int16(padded.max(axis=1))}


def clip_overview(y: np.ndarray, sr: float) -> tuple[dict, dict[str, np.ndarray]]:
    """Duration, rate and the whole clip at the coarsest level that fits one chunk (or the coarsest level)."""
    block = next((block for block in WAVE_BLOCKS if y.size <= WAVE_CHUNK_COLUMNS * block), WAVE_BLOCKS[-1])
    meta, arrays = wave_chunk(y, block, 0)
    meta.update({"duration_s": y.size / sr, "sample_rate_hz": sr, "n_samples": int(y.size),
                 "peak": float(np.max(np.abs(y)))})
    if block == 1:
        arrays = {"minimum": arrays["minimum"], "maximum": arrays["minimum"]}
    return meta, arrays


def rms_payload(y: np.ndarray, sr: float, frame_length: int, hop_length: int) -> tuple[dict, dict]:
    """The RMS envelope of lesson 01 (:func:`helpers.analysis.rms_envelope`): float32, full-scale units."""
    rms, _times = rms_envelope(y, sr, frame_length, hop_length)
    level_db = 20 * np.log10(max(float(np.sqrt(np.mean(np.square(y, dtype=np.float64)))), 1e-10))
    return ({"hop_length_samples": hop_length, "frame_length_samples": frame_length, "sample_rate_hz": sr,
             "time_of_frame_0_s": 0.0, "clip_rms_dbfs": level_db},
            {"rms": rms.astype(np.float32)})


# ------------------------------------------------------------------------------------------------ spectrograms

def hz_to_axis(frequencies_hz, scale: str):
    """Position on an explorer's frequency axis: Hz (linear), log2(Hz) (log) or mel (mel, librosa's Slaney)."""
    import librosa

    frequencies_hz = np.asarray(frequencies_hz, dtype=float)
    if scale == "linear":
        return frequencies_hz
    if scale == "log":
        return np.log2(np.maximum(frequencies_hz, 1e-3))
    return librosa.hz_to_mel(frequencies_hz)


def spectrogram_image(y: np.ndarray, sr: float, n_fft: int, scale: str, n_mels: int | None = None,
                      log_rows: int = 256, magnitude: np.ndarray | None = None
                      ) -> tuple[np.ndarray, tuple[float, float]]:
    """A dB spectrogram whose rows are evenly spaced on the frequency axis of ``scale`` (lesson 02).

    Returns ``(image, (bottom, top))``: ``image`` is ``(rows, n_frames)`` in dB (0 dB = full-scale sine), the range
    in the units of :func:`hz_to_axis`. Hop length is ``n_fft // 4``. Linear: the STFT bins as they are. Log:
    ``log_rows`` rows spaced evenly in octaves from 32 Hz to sr/2; each row shows the loudest STFT bin in its band
    (where a row's band holds no bin centre, at low frequencies, the nearest bin), so a peak keeps its level. Mel: the
    mel spectrogram (``n_mels`` bands, evenly spaced in mel; by default ``min(128, n_fft // 16)``, because a short
    FFT has too few bins to fill 128 narrow low bands). ``magnitude``: a cached :func:`helpers.analysis.stft_magnitude`.
    """
    hop_length = n_fft // 4
    nyquist = sr / 2
    if magnitude is None:
        magnitude = stft_magnitude(y, sr, n_fft=n_fft, hop_length=hop_length)
    if scale == "mel":
        n_mels = n_mels or min(128, n_fft // 16)
        image = spectrogram_db(None, sr, n_fft=n_fft, frequency_scale="mel", n_mels=n_mels, magnitude=magnitude)
        return image, (0.0, float(hz_to_axis(nyquist, "mel")))
    linear = spectrogram_db(None, sr, n_fft=n_fft, magnitude=magnitude)
    if scale == "linear":
        return linear, (0.0, nyquist)
    centres = np.geomspace(LOG_AXIS_LOWEST_HZ, nyquist, log_rows) / (sr / n_fft)  # fractional bin numbers
    edges = np.sqrt(centres[:-1] * centres[1:])
    lows = np.ceil(np.concatenate([[centres[0]], edges])).astype(int)
    highs = np.floor(np.concatenate([edges, [centres[-1]]])).astype(int)
    image = np.empty((log_rows, linear.shape[1]), dtype=np.float32)
    for row, (low, high, centre) in enumerate(zip(lows, highs, centres)):
        if high >= low:
            image[row] = linear[low: high + 1].max(axis=0)
        else:
            image[row] = linear[min(int(round(centre)), linear.shape[0] - 1)]
    return image, (float(np.log2(LOG_AXIS_LOWEST_HZ)), float(np.log2(nyquist)))


def fit_for_display(image: np.ndarray, max_rows: int = SPECTROGRAM_DISPLAY_SHAPE[0],
                    max_columns: int = SPECTROGRAM_DISPLAY_SHAPE[1]) -> np.ndarray:
    """Shrink a spectrogram image for the screen by keeping the maximum of each block of cells.

    A 30 s clip at n_fft = 512 has over 5 000 frames, but the plot is under 1 000 pixels wide: sending every frame
    costs bytes for nothing. Block maxima keep every loud event visible.
    """
    rows, columns = image.shape
    row_step, column_step = -(-rows // max_rows), -(-columns // max_columns)
    if row_step == 1 and column_step == 1:
        return image
    padded = np.pad(image, ((0, -rows % row_step), (0, -columns % column_step)), mode="edge")
    blocks = padded.reshape(padded.shape[0] // row_step, row_step, padded.shape[1] // column_step, column_step)
    return blocks.max(axis=(1, 3))


def frequency_ticks(scale: str, sr: float) -> list[list]:
    """``[[position on the axis, label in Hz], ...]`` for a log or mel frequency axis; [] for linear (the browser
    picks round numbers itself)."""
    if scale == "linear":
        return []
    # The mel axis is linear below 1 kHz, so labels under 250 Hz would pile up at the bottom.
    lowest = 250 if scale == "mel" else LOG_AXIS_LOWEST_HZ
    ticks = [f for f in FREQUENCY_TICKS_HZ if lowest <= f <= sr / 2]
    return [[float(position), f"{f:g}"] for position, f in zip(hz_to_axis(ticks, scale), ticks)]


def quantise_db(image_db: np.ndarray, low: float, high: float) -> tuple[np.ndarray, float]:
    """dB values as uint8 over ``low..high`` (clipped): value v stands for ``low + v * step``; returns the step."""
    step = (high - low) / 255
    return np.round((np.clip(image_db, low, high) - low) / step).astype(np.uint8), step


def spectrogram_payload(y: np.ndarray, sr: float, n_fft: int, scale: str, magnitude: np.ndarray | None = None,
                        display_shape: tuple[int, int] = SPECTROGRAM_DISPLAY_SHAPE) -> tuple[dict, dict]:
    """The spectrogram of lesson 02 as an image for the browser: uint8 dB levels from -90 to 0 dB re full scale.

    ``image``: ``(rows, columns)``, row 0 at the bottom of the frequency axis (``axis_bottom``), columns spread
    evenly over ``0..duration_s``. The axis is in Hz (linear), log2 Hz (log) or mel (mel); ``frequency_ticks`` gives
    labelled positions for log and mel.
    """
    image, (bottom, top) = spectrogram_image(y, sr, n_fft, scale, magnitude=magnitude)
    shown = fit_for_display(image, *display_shape)
    quantised, step = quantise_db(shown, *DB_RANGE)
    # Where the picture's edges lie: frame k is centred at k * hop / sr (centred framing) and each shown column
    # holds `column_step` frames; row centres are evenly spaced on the axis (bin k at k * sr / n_fft Hz; log rows
    # from 32 Hz; mel band i at (i + 1) / (n_mels + 1) of the mel axis, librosa's band centres from 0 Hz).
    hop_s = (n_fft // 4) / sr
    column_step = -(-image.shape[1] // shown.shape[1])
    row_step = -(-image.shape[0] // shown.shape[0])
    if scale == "linear":
        first_row, row_spacing = 0.0, sr / n_fft
    elif scale == "log":
        first_row, row_spacing = bottom, (top - bottom) / (image.shape[0] - 1)
    else:
        first_row = row_spacing = top / (image.shape[0] + 1)
    extent = [-0.5 * hop_s, (shown.shape[1] * column_step - 0.5) * hop_s,
              first_row - 0.5 * row_spacing, first_row + (shown.shape[0] * row_step - 0.5) * row_spacing]
    meta = {
        "n_fft_samples": n_fft, "hop_length_samples": n_fft // 4, "scale": scale, "sample_rate_hz": sr,
        "duration_s": y.size / sr, "axis_bottom": bottom, "axis_top": top, "frequency_ticks": frequency_ticks(scale, sr),
        "db_low": DB_RANGE[0], "db_step": step, "hz_per_bin": sr / n_fft, "window_ms": 1000 * n_fft / sr,
        "rows_computed": int(image.shape[0]), "frames_computed": int(image.shape[1]),
        "mel_bands": int(image.shape[0]) if scale == "mel" else None,
        "time_of_frame_0_s": 0.0, "frames_per_column": column_step, "rows_per_image_row": row_step,
        "image_extent": [float(value) for value in extent],
    }
    return meta, {"image": JpegImage(quantised)}


# ------------------------------------------------------------------------------------------------ features

#: Frame-wise features the FeatureExplorer can show: label, unit, and whether it is drawn over the spectrogram.
FEATURES = {
    "zero_crossing_rate": ("zero-crossing rate", "crossings per sample", False),
    "spectral_centroid": ("spectral centroid", "Hz", True),
    "spectral_rolloff": ("85 % roll-off", "Hz", True),
    "spectral_bandwidth": ("spectral bandwidth", "Hz", True),
}


def compute_feature(feature: str, y: np.ndarray, sr: float, frame_length: int, hop_length: int,
                    magnitude: np.ndarray | None = None) -> np.ndarray:
    """One frame-wise feature, ``(n_frames,)``, with librosa's centred framing (lessons 03–04).

    Spectral features take the STFT magnitude ``magnitude`` when given (n_fft = ``frame_length``), so several
    features of one clip share one STFT. They are ratios, so the magnitude's scale does not matter.
    """
    import librosa

    if feature == "zero_crossing_rate":
        return librosa.feature.zero_crossing_rate(y, frame_length=frame_length, hop_length=hop_length)[0]
    function = getattr(librosa.feature, feature)
    if magnitude is not None:
        return function(S=magnitude, sr=sr, n_fft=frame_length, hop_length=hop_length)[0]
    return function(y=y, sr=sr, n_fft=frame_length, hop_length=hop_length)[0]


def sounding_frames(y: np.ndarray, frame_length: int, hop_length: int) -> np.ndarray:
    """``(n_frames,)`` bool: the frames of ``y`` (librosa's centred framing, zero padding, Hann window) whose STFT is
    not all zeros, i.e. every frame but digital silence. A clip's mean feature is taken over these frames in every
    lesson, summary and explorer (:func:`helpers.summaries.frame_features` marks the same frames)."""
    import librosa

    padded = np.pad(np.asarray(y, dtype=np.float32), frame_length // 2)
    frames = librosa.util.frame(padded, frame_length=frame_length, hop_length=hop_length)
    window = librosa.filters.get_window("hann", frame_length, fftbins=True)
    return (np.abs(frames) * (window[:, None] > 0)).max(axis=0) > 0


def format_value(value: float, unit: str) -> str:
    """How the explorers print a feature's value: whole Hz, otherwise 3 decimals (1 from 10 upwards)."""
    if unit == "Hz":
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def feature_payload(values: np.ndarray, feature: str, sr: float, frame_length: int,
                    sounding: np.ndarray | None = None) -> tuple[dict, dict]:
    """A frame-wise feature for the browser: float32 values in the feature's unit, and its mean as the lesson prints
    it, over the ``sounding`` frames (:func:`sounding_frames`; all frames when None). ``values``: ``(n_frames,)``,
    frame k centred at ``k * hop / sr`` seconds, hop = ``frame_length // 4``."""
    label, unit, over_spectrogram = FEATURES[feature]
    kept = values if sounding is None or not np.any(sounding) else np.asarray(values)[sounding]
    mean = float(np.mean(kept))
    return ({"feature": feature, "label": label, "unit": unit, "over_spectrogram": over_spectrogram,
             "frame_length_samples": frame_length, "hop_length_samples": frame_length // 4, "sample_rate_hz": sr,
             "time_of_frame_0_s": 0.0, "mean": mean, "mean_text": format_value(mean, unit),
             "percentile_99_5": float(np.percentile(values, 99.5))},
            {"values": np.asarray(values, dtype=np.float32)})


# ------------------------------------------------------------------------------------------------ MFCCs

MFCC_N_FFT, MFCC_HOP_LENGTH = 2048, 512  # librosa's defaults, as lesson 05 uses them

def log_mel_and_dct(y: np.ndarray, sr: float, n_mels: int) -> tuple[np.ndarray, np.ndarray]:
    """Lesson 05's log-mel spectrogram (librosa's defaults: n_fft 2048, hop 512, power, dB with top_db = 80) and its
    orthonormal DCT-II: both ``(n_mels, n_frames)``."""
    import librosa
    import scipy.fft

    mel_power = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=MFCC_N_FFT, hop_length=MFCC_HOP_LENGTH, n_mels=n_mels)
    log_mel = librosa.power_to_db(mel_power, top_db=80.0)
    return log_mel, scipy.fft.dct(log_mel, type=2, norm="ortho", axis=0)


def rebuild_errors_db(coefficients: np.ndarray) -> np.ndarray:
    """RMS error (dB) of the log-mel spectrogram rebuilt from the first n MFCCs, for n = 1 .. n_mels: ``(n_mels,)``.

    The orthonormal DCT keeps energy (Parseval), so the squared error of keeping n coefficients is the sum of the
    squares of the coefficients dropped: no inverse DCT is needed.
    """
    energy = np.square(coefficients.astype(np.float64)).sum(axis=1)  # (n_mels,) per coefficient number
    dropped = np.concatenate([np.cumsum(energy[::-1])[::-1][1:], [0.0]])  # dropped[n-1]: energy of k >= n
    return np.sqrt(dropped / coefficients.size)


def mfcc_payload(y: np.ndarray, sr: float, n_mels: int, max_columns: int = SPECTROGRAM_DISPLAY_SHAPE[1]
                 ) -> tuple[dict, dict]:
    """The MFCC explorer's data: the log-mel spectrogram as uint8 over its 80 dB range, averaged over blocks of
    frames for the screen (the DCT is linear, so the browser's DCT of the averages equals the average of the
    DCTs), with the exact rebuild error and colour limit for every number of kept coefficients."""
    log_mel, coefficients = log_mel_and_dct(y, sr, n_mels)
    frames = log_mel.shape[1]
    step = -(-frames // max_columns)
    padded = np.pad(log_mel, ((0, 0), (0, -frames % step)), mode="edge")
    shown = padded.reshape(n_mels, -1, step).mean(axis=2)
    high = float(log_mel.max())
    quantised, db_step = quantise_db(shown, high - 80.0, high)
    # Colour limit of the coefficient image for each n: the 99th percentile of |MFCC 1 .. n-1| (MFCC 0, the level,
    # lies far outside the others), over at most 240 evenly spread frames, which is plenty for a colour scale.
    sample = np.abs(coefficients[:, :: -(-frames // 240)])
    limits = [float(np.percentile(sample[1:n] if n > 1 else sample[:1], 99)) or 1.0 for n in range(1, n_mels + 1)]
    return ({"n_mels": n_mels, "sample_rate_hz": sr, "duration_s": y.size / sr, "hop_length_samples": MFCC_HOP_LENGTH,
             "n_fft_samples": MFCC_N_FFT, "db_low": high - 80.0, "db_step": db_step, "frames_computed": frames,
             "frames_per_column": step, "dct": "type II, orthonormal",
             "image_extent_s": [-0.5 * MFCC_HOP_LENGTH / sr, (shown.shape[1] * step - 0.5) * MFCC_HOP_LENGTH / sr],
             "rebuild_error_db": [float(e) for e in rebuild_errors_db(coefficients)],
             "coefficient_limit": limits},
            {"log_mel": quantised})


# ------------------------------------------------------------------------------------------------ pitch (lesson 09)

#: Bins per octave offered by the pitch explorer: one, two or three bins per semitone.
BINS_PER_OCTAVE_CHOICES = (12, 24, 36)
#: Octaves of the pitch explorer's constant-Q transform, from C1 (32.7 Hz) to B7 (3951 Hz): chroma_cqt's default.
PITCH_OCTAVES = 7
PITCH_HOP_LENGTH = 512
#: Columns of the pitch explorer's pictures: 480 over 30 s is 62 ms per column, finer than the piano's 188 ms notes.
PITCH_DISPLAY_COLUMNS = 480


def _column_means(values: np.ndarray, step: int) -> np.ndarray:
    """``(rows, frames)`` averaged over blocks of ``step`` frames (the last block over the frames it has)."""
    frames = values.shape[1]
    sums = np.add.reduceat(values, np.arange(0, frames, step), axis=1)
    counts = np.diff(np.append(np.arange(0, frames, step), frames))
    return sums / counts


def pitch_payload(y: np.ndarray, sr: float, bins_per_octave: int,
                  max_columns: int = PITCH_DISPLAY_COLUMNS) -> tuple[dict, dict]:
    """The pitch explorer's data for one clip and one number of bins per octave (lesson 09).

    ``image``: the constant-Q transform from C1 over :data:`PITCH_OCTAVES` octaves (:func:`helpers.pitch.constant_q`,
    tuning 0, hop 512), uint8 levels from -90 to 0 dB re a full-scale sine (JPEG), ``(n_bins, columns)``, each
    column the maximum of ``frames_per_column`` frames; row ``k`` is bin ``k`` at ``C1 * 2 ** (k / bins_per_octave)``
    Hz. ``chroma``: ``librosa.feature.chroma_cqt`` of that same transform (magnitudes added per pitch class, each
    frame divided by its largest value), ``(12, columns)``, uint8 where 255 = 1, each column the mean of its frames.
    ``meta`` gives the Q factor, the filter length in ms at the C of each octave, and what the chroma says over the
    frames with a level above the picture's -90 dB floor: the pitch class most often strongest and the median
    entropy (:func:`helpers.pitch.chroma_entropy`; 1 = flat).
    """
    import librosa

    from .pitch import C1_HZ, PITCH_CLASSES, chroma_entropy, constant_q, cqt_level_db, q_factor

    magnitude, frequencies, lengths = constant_q(y, sr, bins_per_octave, PITCH_OCTAVES, PITCH_HOP_LENGTH)
    n_bins, frames = magnitude.shape
    level_db = cqt_level_db(magnitude, lengths)
    shown = fit_for_display(level_db, n_bins, max_columns)
    quantised, db_step = quantise_db(shown, *DB_RANGE)
    step = -(-frames // shown.shape[1])
    chroma = librosa.feature.chroma_cqt(C=magnitude, sr=sr, bins_per_octave=bins_per_octave, fmin=C1_HZ)
    chroma_shown = np.round(np.clip(_column_means(chroma, step), 0, 1) * 255).astype(np.uint8)
    sounding = level_db.max(axis=0) > DB_RANGE[0]  # frames with something above the picture's -90 dB floor
    strongest = np.bincount(chroma.argmax(axis=0)[sounding], minlength=12) if sounding.any() else np.zeros(12, int)
    top = int(np.argmax(strongest))
    entropy = chroma_entropy(chroma)[sounding]
    hop_s = PITCH_HOP_LENGTH / sr
    octave_bins = np.arange(PITCH_OCTAVES) * bins_per_octave
    meta = {
        "bins_per_octave": bins_per_octave, "n_bins": n_bins, "n_octaves": PITCH_OCTAVES, "lowest_hz": C1_HZ,
        "highest_hz": float(frequencies[-1]), "q_factor": q_factor(bins_per_octave),
        "sample_rate_hz": sr, "hop_length_samples": PITCH_HOP_LENGTH, "duration_s": y.size / sr,
        "frames_computed": frames, "frames_per_column": step, "time_of_frame_0_s": 0.0,
        "db_low": DB_RANGE[0], "db_step": db_step, "tuning_semitones": 0.0,
        # the picture's edges: half a frame before frame 0 to half a frame after the last frame of the last column;
        # half a bin below bin 0 to half a bin above the top bin (rows are bins, evenly spaced in log frequency)
        "image_extent": [-0.5 * hop_s, (shown.shape[1] * step - 0.5) * hop_s, -0.5, n_bins - 0.5],
        "note_ticks": [[int(k), f"C{octave + 1}", float(frequencies[k])] for octave, k in enumerate(octave_bins)],
        "filter_ms_at_ticks": [float(1000 * lengths[k] / sr) for k in octave_bins],
        "lowest_filter_ms": float(1000 * lengths[0] / sr), "highest_filter_ms": float(1000 * lengths[-1] / sr),
        "pitch_classes": list(PITCH_CLASSES), "sounding_frames": int(sounding.sum()),
        "top_pitch_class": PITCH_CLASSES[top],
        "top_pitch_class_share": float(strongest[top] / max(1, sounding.sum())),
        "median_chroma_entropy": float(np.median(entropy)) if entropy.size else None,
    }
    return meta, {"image": JpegImage(quantised), "chroma": chroma_shown}


# ------------------------------------------------------------------------------------------------ rhythm (lesson 10)

#: Centres of the tempo prior the rhythm explorer offers (BPM): from half to double librosa's default of 120, the
#: range where lesson 10's octave errors happen.
TEMPO_PRIOR_CHOICES_BPM = (60, 80, 100, 120, 150, 180, 240)
RHYTHM_HOP_LENGTH = 512


def rhythm_payload(y: np.ndarray, sr: float, prior_choices_bpm=TEMPO_PRIOR_CHOICES_BPM,
                   hop_length: int = RHYTHM_HOP_LENGTH) -> tuple[dict, dict]:
    """The rhythm explorer's data for one clip, for every tempo prior at once (lesson 10).

    ``onset_envelope``: :func:`helpers.rhythm.onset_envelope`, ``(n_frames,)``, dB per mel band, frame ``k`` at
    ``k * hop / sr`` s. ``autocorrelation``: the tempogram that ``librosa.feature.tempo`` computes (8 s windows)
    averaged over time, what it weighs with its prior, for the lags whose tempo ``tempo_axis_bpm`` lies in
    :data:`helpers.rhythm.TEMPO_RANGE_BPM`. For each prior centre ``prior_choices_bpm[i]``: ``prior_weights[i]`` (the
    log-normal prior, one octave wide, 1 at its centre, on the same lags), the tempo ``meta["tempos_bpm"][i]`` that
    ``librosa.feature.tempo`` picks with it, and the beats ``librosa.beat.beat_track`` tracks at that tempo:
    ``beat_times_s[offsets[i]:offsets[i + 1]]``, with ``offsets`` the running sum of ``meta["beat_counts"]``. So
    every position of the prior slider is drawn without asking the kernel. ``meta["beat_strength"]``:
    :func:`helpers.rhythm.beat_strength` of the envelope.
    """
    import librosa

    from .rhythm import TEMPO_RANGE_BPM, beat_strength, onset_envelope

    envelope = onset_envelope(y, sr, hop_length)
    # librosa.feature.tempo's own tempogram: windows of ac_size = 8 s (344 frames at hop 512), not tempogram's
    # default of 384 frames, so that every prior's tempo is the one librosa.feature.tempo reports (lesson 10 §6)
    window = int(librosa.time_to_frames(8.0, sr=sr, hop_length=hop_length))
    tempogram = librosa.feature.tempogram(onset_envelope=envelope, sr=sr, hop_length=hop_length, win_length=window)
    averaged = tempogram.mean(axis=1)
    with np.errstate(divide="ignore"):
        axis_bpm = librosa.tempo_frequencies(tempogram.shape[0], sr=sr, hop_length=hop_length)
    kept = np.flatnonzero((axis_bpm >= TEMPO_RANGE_BPM[0]) & (axis_bpm <= TEMPO_RANGE_BPM[1]))
    tempos, beats, weights = [], [], []
    for centre in prior_choices_bpm:
        tempo = float(librosa.feature.tempo(tg=tempogram, sr=sr, hop_length=hop_length, start_bpm=centre)[0])
        _, times = librosa.beat.beat_track(onset_envelope=envelope, sr=sr, hop_length=hop_length, bpm=tempo,
                                           units="time")
        tempos.append(tempo)
        beats.append(np.asarray(times, dtype=np.float32))
        weights.append(np.exp(-0.5 * np.log2(axis_bpm[kept] / centre) ** 2))
    strength, strength_bpm = beat_strength(envelope, sr, hop_length)
    meta = {"sample_rate_hz": sr, "hop_length_samples": hop_length, "duration_s": y.size / sr,
            "time_of_frame_0_s": 0.0, "prior_choices_bpm": [float(centre) for centre in prior_choices_bpm],
            "prior_width_octaves": 1.0, "tempos_bpm": tempos, "beat_counts": [int(b.size) for b in beats],
            "beat_strength": strength, "beat_strength_bpm": strength_bpm,
            "envelope_top": float(np.percentile(envelope, 99.5)) if envelope.any() else 1.0,
            "tempogram_window_s": float(tempogram.shape[0] * hop_length / sr)}
    arrays = {"onset_envelope": envelope.astype(np.float32), "tempo_axis_bpm": axis_bpm[kept].astype(np.float32),
              "autocorrelation": averaged[kept].astype(np.float32),
              "prior_weights": np.array(weights, dtype=np.float32),
              "beat_times_s": np.concatenate(beats) if beats else np.zeros(0, np.float32)}
    return meta, arrays


def audio_payload(y: np.ndarray, sr: float) -> tuple[dict, dict]:
    """The clip as a compressed MP3 for the browser to play (the rhythm explorer's clicks go over it; lesson 10):
    ``audio``, the encoded bytes as uint8 (:func:`helpers.player.encode_mp3`: mono, at most 22 050 Hz, about
    30 kbit/s), asked for only when the reader presses play."""
    from .player import encode_mp3

    encoded, rate = encode_mp3(y, sr)
    return ({"mime_type": "audio/mpeg", "sample_rate_hz": rate, "duration_s": y.size / sr},
            {"audio": np.frombuffer(encoded, dtype=np.uint8)})
