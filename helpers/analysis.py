"""Feature computations shared by the plots and explorers (no plotting and no file reading here).

The lessons derive each of these from scratch first; the helpers are the tidy, checked version they reuse later.
"""

from __future__ import annotations

import numpy as np

from .audio_io import require_audio_array, require_min_length, require_mono
from .errors import AudioInputError

FREQUENCY_SCALES = ("linear", "log", "mel")


def frame_count(n_samples: int, frame_length: int, hop_length: int, center: bool = True) -> int:
    """How many analysis frames librosa makes from ``n_samples`` samples (lesson 01).

    With ``center=True`` (librosa's default) the signal is padded by ``frame_length // 2`` on both sides, so frame
    ``k`` is centred on sample ``k * hop_length`` and there are ``1 + n_samples // hop_length`` frames. Without
    centring, only whole frames that fit count: ``1 + (n_samples - frame_length) // hop_length``.
    """
    if center:
        return 1 + n_samples // hop_length
    if n_samples < frame_length:
        return 0
    return 1 + (n_samples - frame_length) // hop_length


def frame_times(n_frames: int, sr: float, hop_length: int) -> np.ndarray:
    """Time in seconds of each frame's centre (centred framing): ``(n_frames,)`` = ``k * hop_length / sr``."""
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
    require_min_length(y, frame_length // 2 + 1, sr)
    rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length, center=True)[0]
    return rms, frame_times(rms.size, sr, hop_length)


def min_max_envelope(y: np.ndarray, n_columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Shrink a long signal to ``n_columns`` (min, max) pairs for drawing, without losing its peaks.

    Drawing 660 000 samples of a 30 s song as a line is slow and the screen has only ~1 000 pixels across, so each
    column keeps the lowest and highest sample in it. Returns ``(sample_index, value)``, both ``(2 * n_columns,)``:
    a zig-zag line from min to max in each column that looks exactly like the full waveform.
    """
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

    if frequency_scale not in FREQUENCY_SCALES:
        raise AudioInputError(f"frequency_scale must be one of {FREQUENCY_SCALES}, not {frequency_scale!r}.")
    if magnitude is None:
        magnitude = stft_magnitude(y, sr, n_fft=n_fft, hop_length=hop_length)
    if frequency_scale == "mel":
        # Filters that peak at 1 (norm=None), so a full-scale sine at a band's centre reads near 0 dB (+0.7 to +1.7 dB:
        # the band also sums the power the window spreads into the neighbouring bins; lesson 02 measures it). librosa's
        # default area normalisation (norm="slaney") would shift every band down by an amount that depends on
        # its width (about -14 to -22 dB), breaking the fixed reference.
        mel_power = librosa.feature.melspectrogram(S=magnitude**2, sr=sr, n_fft=n_fft, n_mels=n_mels, norm=None)
        return librosa.power_to_db(mel_power, ref=1.0, amin=1e-10, top_db=None).astype(np.float32)
    return librosa.amplitude_to_db(magnitude, ref=1.0, amin=1e-5, top_db=None).astype(np.float32)
