"""Feature computations shared by the plots and explorers (no plotting and no file reading here).

The lessons derive each of these from scratch first; the helpers are the tidy, checked version they reuse later.
"""

from __future__ import annotations

import numpy as np

from .arguments import require_choice, require_flag, require_hop, require_sample_rate, require_whole_number
from .audio_io import require_audio_array, require_min_length, require_mono
from .errors import AudioInputError

FREQUENCY_SCALES = ("linear", "log", "mel")


def frame_count(n_samples: int, frame_length: int, hop_length: int, center: bool = True) -> int:
    """How many analysis frames librosa makes from ``n_samples`` samples (lesson 01).

    With ``center=True`` (librosa's default) the signal is padded by ``frame_length // 2`` on both sides, so frame
    ``k`` is centred on sample ``k * hop_length`` and there are ``1 + n_samples // hop_length`` frames. Without
    centring, only whole frames that fit count: ``1 + (n_samples - frame_length) // hop_length``.
    """
    __tracebackhide__ = True
    n_samples = require_whole_number(n_samples, "n_samples", minimum=0, example="22050")
    frame_length = require_whole_number(frame_length, "frame_length")
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    center = require_flag(center, "center")
    if center:
        return 1 + n_samples // hop_length
    if n_samples < frame_length:
        return 0
    return 1 + (n_samples - frame_length) // hop_length


def frame_times(n_frames: int, sr: float, hop_length: int) -> np.ndarray:
    """Time in seconds of each frame's centre (centred framing): ``(n_frames,)`` = ``k * hop_length / sr``."""
    __tracebackhide__ = True
    n_frames = require_whole_number(n_frames, "n_frames", minimum=0, example="100", unit=" frames")
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    return np.arange(n_frames) * hop_length / sr


def rms_envelope(
    y: np.ndarray, sr: float, frame_length: int = 2048, hop_length: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """Root-mean-square level per frame (lesson 01), with librosa's centred framing.

    ``y``: ``(n,)`` float mono; ``sr``: Hz; ``frame_length``, ``hop_length``: samples.
    Returns ``(rms, times)``: both ``(n_frames,)``; ``rms`` in full-scale units (0..1), ``times`` in seconds.
    """
    __tracebackhide__ = True
    import librosa

    y = require_mono(require_audio_array(y, sr))
    sr = require_sample_rate(sr, allow_none=False)
    frame_length = require_whole_number(frame_length, "frame_length")
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    require_hop(hop_length, frame_length)
    require_min_length(y, frame_length // 2 + 1, sr)
    rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length, center=True)[0]
    return rms, frame_times(rms.size, sr, hop_length)


def min_max_envelope(y: np.ndarray, n_columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Shrink a long signal to ``n_columns`` (min, max) pairs for drawing, without losing its peaks.

    Drawing 660 000 samples of a 30 s song as a line is slow and the screen has only ~1 000 pixels across, so each
    column keeps the lowest and highest sample in it. Returns ``(sample_index, value)``, both ``(2 * n_columns,)``:
    a zig-zag line from min to max in each column that looks exactly like the full waveform.
    ``y``: ``(n,)`` samples (any real dtype).
    """
    __tracebackhide__ = True
    if not isinstance(y, np.ndarray) or y.dtype.kind not in "iuf" or y.ndim != 1 or y.size == 0:
        shape = f"shape {y.shape} {y.dtype}" if isinstance(y, np.ndarray) else type(y).__name__
        raise AudioInputError(f"y must be a non-empty 1-D NumPy array of samples, shape (n,); not {shape}. For "
                              "(channels, n) audio average the channels first: y.mean(axis=0).")
    n_columns = require_whole_number(n_columns, "n_columns", example="2000", unit=" columns")
    n = y.shape[-1]
    if n <= 2 * n_columns:
        return np.arange(n), y
    edges = np.linspace(0, n, n_columns + 1).astype(int)
    column_minimum = np.minimum.reduceat(y, edges[:-1])
    column_maximum = np.maximum.reduceat(y, edges[:-1])
    index = np.repeat(edges[:-1], 2)
    values = np.empty(2 * n_columns, dtype=y.dtype)
    values[0::2] = column_minimum
    values[1::2] = column_maximum
    return index, values


def stft_magnitude(y: np.ndarray, sr: float, n_fft: int = 2048, hop_length: int = 512) -> np.ndarray:
    """Magnitude of the centred STFT with a periodic Hann window, scaled so a full-scale sine peaks at 1 (lesson 02).

    ``y``: ``(n,)`` float mono; ``sr``: Hz; ``n_fft``, ``hop_length``: samples. Returns ``(1 + n_fft // 2, n_frames)``
    float32. librosa's ``stft`` gives a full-scale sine a peak of ``sum(window) / 2`` (= n_fft / 4 for Hann); dividing
    by that makes levels independent of ``n_fft``. Ratios such as the spectral centroid do not change.
    """
    __tracebackhide__ = True
    import librosa

    y = require_mono(require_audio_array(y, sr))
    n_fft, hop_length = _require_fft_sizes(n_fft, hop_length)
    require_min_length(y, n_fft // 2 + 1, sr)
    window = np.hanning(n_fft + 1)[:-1]  # the periodic Hann window librosa uses
    magnitude = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length, window="hann", center=True))
    magnitude /= window.sum() / 2
    return magnitude


def spectrogram_db(
    y: np.ndarray | None, sr: float, n_fft: int = 2048, hop_length: int = 512, frequency_scale: str = "linear",
    n_mels: int = 128, magnitude: np.ndarray | None = None,
) -> np.ndarray:
    """Spectrogram in decibels (lesson 02): ``(n_bins, n_frames)`` float32.

    ``frequency_scale`` is ``'linear'`` or ``'log'`` (the same STFT bins, only the plot's axis differs; ``n_bins =
    1 + n_fft // 2``) or ``'mel'`` (``n_mels`` mel bands, triangular filters peaking at 1). Levels are relative to a
    full-scale sine (0 dB; see :func:`stft_magnitude`; on the mel scale a full-scale sine at a band's centre reads
    +0.7 to +1.7 dB, because the band also sums the power that the window spreads into neighbouring bins), with a
    floor at -100 dB. Using this fixed reference (not each clip's own maximum) keeps
    levels comparable between songs. Pass a precomputed ``magnitude`` from :func:`stft_magnitude` to skip the STFT.
    """
    __tracebackhide__ = True
    import librosa

    frequency_scale = require_choice(frequency_scale, "frequency_scale", FREQUENCY_SCALES)
    n_fft = require_whole_number(n_fft, "n_fft", minimum=2)
    if y is None and magnitude is None:
        raise AudioInputError("spectrogram_db needs y (samples, (n,) float mono) or magnitude (from stft_magnitude).")
    if magnitude is None:  # (hop_length is only used here, and checked by stft_magnitude)
        magnitude = stft_magnitude(y, sr, n_fft=n_fft, hop_length=hop_length)
    else:
        magnitude = _require_magnitude(magnitude, n_fft)
    if frequency_scale == "mel":
        sr = require_sample_rate(sr, allow_none=False)
        n_mels = require_whole_number(n_mels, "n_mels", maximum=1 + n_fft // 2, example="128", unit=" bands")
    if frequency_scale == "mel":
        # Filters that peak at 1 (norm=None), so a full-scale sine at a band's centre reads near 0 dB (+0.7 to +1.7 dB:
        # the band also sums the power the window spreads into the neighbouring bins; lesson 02 measures it). librosa's
        # default area normalisation (norm="slaney") would shift every band down by an amount that depends on
        # its width (about -14 to -22 dB), breaking the fixed reference.
        mel_power = librosa.feature.melspectrogram(S=magnitude**2, sr=sr, n_fft=n_fft, n_mels=n_mels, norm=None)
        return librosa.power_to_db(mel_power, ref=1.0, amin=1e-10, top_db=None).astype(np.float32)
    return librosa.amplitude_to_db(magnitude, ref=1.0, amin=1e-5, top_db=None).astype(np.float32)


def hpss_magnitudes(magnitude: np.ndarray, kernel_size: int = 31) -> tuple[np.ndarray, np.ndarray]:
    """Harmonic-percussive separation of an STFT magnitude (lesson 03's *Going further*): ``(harmonic, percussive)``,
    each the shape of ``magnitude``, the same numbers as ``librosa.decompose.hpss(magnitude, kernel_size=kernel_size)``
    with its other defaults (margin 1, soft masks of power 2) to the last bit, in about a sixth of the time.

    ``magnitude``: ``(1 + n_fft // 2, n_frames)``, finite and not negative (``np.abs`` of an STFT); ``kernel_size``:
    the median filters' length in frames (harmonic, along time) and in bins (percussive, along frequency). librosa
    median-filters the whole array with a ``(1, 31)`` and a ``(31, 1)`` window, which SciPy computes as a general 2-D
    filter; here every row, then every column, goes through SciPy's one-dimensional median filter
    (:func:`_median_of_each_row`), the same medians with the same ``'reflect'`` edges (a 5 s excerpt of pop or metal:
    0.22 s with librosa, 0.03 s here). tests/test_analysis.py checks the equality.
    """
    __tracebackhide__ = True
    import librosa

    if not isinstance(magnitude, np.ndarray) or magnitude.ndim != 2 or magnitude.dtype.kind != "f" \
            or magnitude.size == 0:
        shape = f"shape {magnitude.shape}" if isinstance(magnitude, np.ndarray) else type(magnitude).__name__
        raise AudioInputError(f"magnitude must be a 2-D float array (frequency bins, frames), np.abs(librosa.stft(y)); "
                              f"not {shape}.")
    if not np.isfinite(magnitude).all() or (magnitude < 0).any():
        raise AudioInputError("magnitude must hold finite values >= 0: np.abs of an STFT, not the complex STFT or dB.")
    kernel_size = require_whole_number(kernel_size, "kernel_size", example="31", unit=" frames")
    # librosa's "harm": each frequency bin's row, median over kernel_size frames; its "perc": each frame's column,
    # median over kernel_size bins
    along_time = _median_of_each_row(magnitude, kernel_size)
    along_frequency = _median_of_each_row(np.ascontiguousarray(magnitude.T), kernel_size).T
    harmonic_mask = librosa.util.softmask(along_time, along_frequency, power=2, split_zeros=False)
    percussive_mask = librosa.util.softmask(along_frequency, along_time, power=2, split_zeros=False)
    return magnitude * harmonic_mask, magnitude * percussive_mask



def _median_of_each_row(array: np.ndarray, size: int) -> np.ndarray:
    """``median_filter(row, size=size, mode='reflect')`` of every row of a 2-D ``array``, in one call to SciPy's
    one-dimensional median filter: each row is first extended by its own mirror image (``np.pad``'s 'symmetric' is
    SciPy's 'reflect') by more than half a window, so that no window reaches into the next row, and the rows are
    filtered end to end as one line. Medians pick values without arithmetic, so the result equals the row-by-row
    filter to the last bit (tests/test_analysis.py); one call instead of one per row saves SciPy's per-call set-up
    (about 50 microseconds, for each of a 5 s excerpt's 1,025 rows and 216 columns). Rows shorter than half a window,
    where SciPy reflects more than once, are filtered one by one."""
    from scipy.ndimage import median_filter

    pad = size // 2 + 1
    if pad > array.shape[1]:
        return np.array([median_filter(row, size=size, mode="reflect") for row in array])
    extended = np.pad(array, ((0, 0), (pad, pad)), mode="symmetric")
    filtered = median_filter(extended.ravel(), size=size, mode="reflect").reshape(extended.shape)
    return filtered[:, pad:-pad]

def _require_fft_sizes(n_fft, hop_length) -> tuple[int, int]:
    """``n_fft`` (at least 2) and ``hop_length`` (1 .. n_fft) as ints, or a message naming the argument."""
    __tracebackhide__ = True
    n_fft = require_whole_number(n_fft, "n_fft", minimum=2)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    require_hop(hop_length, n_fft, frame_name="n_fft")
    return n_fft, hop_length


def _require_magnitude(magnitude, n_fft: int) -> np.ndarray:
    """A precomputed STFT magnitude: ``(1 + n_fft // 2, n_frames)``, finite and not negative."""
    __tracebackhide__ = True
    if not isinstance(magnitude, np.ndarray) or magnitude.ndim != 2 or magnitude.dtype.kind not in "iuf":
        shape = f"shape {magnitude.shape}" if isinstance(magnitude, np.ndarray) else type(magnitude).__name__
        raise AudioInputError(f"magnitude must be a 2-D array (frequency bins, frames) from stft_magnitude(y, sr, "
                              f"n_fft); not {shape}.")
    if magnitude.shape[0] != 1 + n_fft // 2:
        raise AudioInputError(f"magnitude has {magnitude.shape[0]} frequency bins, but n_fft={n_fft} gives "
                              f"{1 + n_fft // 2}: pass the n_fft it was computed with (n_fft = 2 * (bins - 1) = "
                              f"{2 * (magnitude.shape[0] - 1)}).")
    if magnitude.size == 0 or not np.isfinite(magnitude).all() or (magnitude < 0).any():
        raise AudioInputError("magnitude must hold finite values >= 0 (np.abs of an STFT), with at least one "
                              "frame.")
    return magnitude
