"""Frame-wise features of a clip and their summaries: the feature vectors of lessons 06 and 07.

Every feature here was derived from scratch in an earlier lesson (RMS in 01, spectrogram in 02, zero-crossing rate
in 03, centroid, bandwidth and roll-off in 04, MFCCs in 05); this module computes them together, from one STFT,
with the same settings, so that clips and segments can be compared number for number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .arguments import require_hop, require_sample_rate, require_whole_number
from .audio_io import require_audio_array, require_min_length, require_mono, require_not_silent
from .errors import AudioInputError

#: Mel bands of the MFCCs' mel spectrogram (librosa's default): the most MFCCs there can be.
N_MELS = 128

#: The frame-wise scalar features, in display order, with their unit and the lesson that teaches them.
SCALAR_FEATURES = {
    "rms": ("RMS level", "full scale", "01"),
    "zero_crossing_rate": ("zero-crossing rate", "crossings per sample", "03"),
    "spectral_centroid": ("spectral centroid", "Hz", "04"),
    "spectral_bandwidth": ("spectral bandwidth", "Hz", "04"),
    "spectral_rolloff": ("85 % roll-off", "Hz", "04"),
}
N_FFT = 2048
HOP_LENGTH = 512
N_MFCC = 13


@dataclass
class FrameFeatures:
    """Frame-wise features of one clip: each scalar feature ``(n_frames,)``, ``mfcc`` ``(n_mfcc, n_frames)``.

    ``times``: ``(n_frames,)`` frame centres in seconds (centred frames, hop ``HOP_LENGTH`` samples).
    """

    scalars: dict[str, np.ndarray]
    mfcc: np.ndarray
    times: np.ndarray
    sr: float
    sounding: np.ndarray = field(default=None)  # (n_frames,) bool: frames with any energy at all

    def summary(self) -> dict[str, float]:
        """Mean and standard deviation of every feature over the sounding frames (see :func:`summarise`)."""
        return summarise(self)


def frame_features(y: np.ndarray, sr: float, n_fft: int = N_FFT, hop_length: int = HOP_LENGTH,
                   n_mfcc: int = N_MFCC) -> FrameFeatures:
    """All frame-wise features of ``y`` (``(n,)`` float mono, Hz ``sr``) from one STFT (lessons 06 and 07).

    Spectral features use the magnitude STFT (librosa's default conventions); MFCCs use librosa's default mel
    spectrogram (128 Slaney bands, power, dB with ``top_db=80``) and the orthonormal DCT-II. Frames whose
    spectrum is all zeros (digital silence) are marked in ``sounding`` so that summaries can leave them out.

    The numbers are librosa's to the last bit (``librosa.feature.rms``, ``zero_crossing_rate``,
    ``spectral_centroid``, ``spectral_bandwidth``, ``spectral_rolloff``, ``melspectrogram`` and ``mfcc`` on the
    same magnitude spectrogram; tests/test_summaries.py compares them one by one), computed with less work: the
    centroid, bandwidth and roll-off in one compiled pass over the spectrogram that does librosa's arithmetic in
    librosa's order (:func:`_spectral_shape`), the zero crossings counted once for the whole clip
    (:func:`_zero_crossing_rate`), and the mel filterbank built once per rate (:func:`_mel_filterbank`).
    """
    __tracebackhide__ = True
    import librosa

    y = require_mono(require_audio_array(y, sr))
    sr = require_sample_rate(sr, allow_none=False)
    n_fft = require_whole_number(n_fft, "n_fft", minimum=2)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    require_hop(hop_length, n_fft, frame_name="n_fft")
    n_mfcc = require_whole_number(n_mfcc, "n_mfcc", maximum=N_MELS, example="13", unit=" coefficients")
    require_min_length(y, n_fft, sr)
    require_not_silent(y, feature="a feature summary")
    magnitude = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length))
    freq = librosa.fft_frequencies(sr=sr, n_fft=n_fft)
    l1_norm, centroid, bandwidth, rolloff = _spectral_shape(magnitude, freq, ROLL_PERCENT)
    scalars = {
        "rms": librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop_length)[0],
        "zero_crossing_rate": _zero_crossing_rate(y, n_fft, hop_length),
        "spectral_centroid": centroid,
        "spectral_bandwidth": bandwidth,
        "spectral_rolloff": rolloff,
    }
    # librosa.feature.melspectrogram(S=magnitude**2, sr=sr, n_fft=n_fft), with the filterbank built once
    mel_power = np.einsum("...ft,mf->...mt", magnitude**2, _mel_filterbank(float(sr), n_fft), optimize=True)
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(mel_power, top_db=80.0), n_mfcc=n_mfcc)
    n_frames = magnitude.shape[1]
    return FrameFeatures(scalars=scalars, mfcc=mfcc, times=np.arange(n_frames) * hop_length / sr, sr=sr,
                         sounding=l1_norm > 0)


#: The roll-off's share of the spectrum's magnitude (librosa's default ``roll_percent``).
ROLL_PERCENT = 0.85


@lru_cache(maxsize=8)
def _mel_filterbank(sr: float, n_fft: int) -> np.ndarray:
    """``librosa.filters.mel(sr=sr, n_fft=n_fft)`` (128 Slaney bands, float32, ``(128, 1 + n_fft // 2)``), built once
    per rate and frame length (librosa builds it anew on every call) and read-only, since it is shared."""
    import librosa

    bank = librosa.filters.mel(sr=sr, n_fft=n_fft)
    bank.flags.writeable = False
    return bank


def _zero_crossing_rate(y: np.ndarray, frame_length: int, hop_length: int) -> np.ndarray:
    """``librosa.feature.zero_crossing_rate(y, frame_length=..., hop_length=...)[0]``: ``(n_frames,)`` float64.

    librosa frames the clip (centred, edge padding) and tests every pair of neighbours in every frame, so each
    sample is tested ``frame_length / hop_length`` times. The same crossings are found here once for the whole clip
    (a sample below -1e-10 is negative, anything within 1e-10 of zero counts as zero, librosa's threshold and
    ``zero_pos`` convention) and counted per frame with a running sum: the same whole counts, divided by the same
    ``frame_length``, so the same numbers to the last bit.
    """
    negative = y < np.float64(-1e-10)  # compared in float64, as librosa's compiled stencil does
    half = frame_length // 2
    padded = np.concatenate([np.repeat(negative[:1], half), negative, np.repeat(negative[-1:], half)])
    running = np.concatenate([[0], np.cumsum(padded[1:] != padded[:-1], dtype=np.int64)])
    n_frames = 1 + (padded.size - frame_length) // hop_length
    starts = np.arange(n_frames) * hop_length
    # crossings between samples (start, start+1) ... (start+frame_length-2, start+frame_length-1) of each frame
    return (running[starts + frame_length - 1] - running[starts]) / frame_length


def _spectral_shape(magnitude: np.ndarray, freq: np.ndarray, roll_percent: float):
    """Per frame of ``magnitude`` (``(n_bins, n_frames)``, as ``librosa.stft`` returns it: frames contiguous in
    memory): its L1 norm, spectral centroid, bandwidth and roll-off (``(n_frames,)`` float64 each; Hz for the last
    three), as librosa computes them (``spectral_centroid``, ``spectral_bandwidth`` with that centroid,
    ``spectral_rolloff``; lesson 04), from :func:`helpers.spectral_shape.spectral_shape` (compiled)."""
    if not magnitude.flags.f_contiguous:  # the layout decides NumPy's order of summation, hence the last bits
        raise ValueError("_spectral_shape needs the magnitude in librosa.stft's layout (frames contiguous).")
    from .spectral_shape import spectral_shape

    kind = magnitude.dtype.type
    return spectral_shape(magnitude.T, np.ascontiguousarray(freq, dtype=np.float64), kind(roll_percent),
                          float(np.finfo(magnitude.dtype).tiny))


def summary_names(n_mfcc: int = N_MFCC) -> list[str]:
    """The names of the entries of :func:`summarise`, in order: ``<feature>_mean``, ``<feature>_std``, ..."""
    __tracebackhide__ = True
    n_mfcc = require_whole_number(n_mfcc, "n_mfcc", maximum=N_MELS, example="13", unit=" coefficients")
    names = []
    for feature in SCALAR_FEATURES:
        names += [f"{feature}_mean", f"{feature}_std"]
    for index in range(n_mfcc):
        names += [f"mfcc{index}_mean", f"mfcc{index}_std"]
    return names


def summarise(features: FrameFeatures) -> dict[str, float]:
    """Mean and standard deviation of each feature over the sounding frames: one feature vector per clip.

    Returns ``{name: value}`` in the order of :func:`summary_names` (5 scalar features and ``n_mfcc`` MFCCs, each
    with ``_mean`` and ``_std``: 36 numbers with the default 13 MFCCs).
    """
    __tracebackhide__ = True
    if not isinstance(features, FrameFeatures):
        raise AudioInputError(f"features must be the FrameFeatures that frame_features(y, sr) returns, not "
                              f"{type(features).__name__}. For a clip, use feature_vector(y, sr).")
    keep = features.sounding
    summary = {}
    for feature in SCALAR_FEATURES:
        values = features.scalars[feature][keep]
        summary[f"{feature}_mean"] = float(values.mean())
        summary[f"{feature}_std"] = float(values.std())
    for index, row in enumerate(features.mfcc):
        summary[f"mfcc{index}_mean"] = float(row[keep].mean())
        summary[f"mfcc{index}_std"] = float(row[keep].std())
    return summary


def feature_vector(y: np.ndarray, sr: float) -> np.ndarray:
    """:func:`summarise` of :func:`frame_features` as a ``(36,)`` float array, in the order of ``summary_names()``."""
    return np.array(list(summarise(frame_features(y, sr)).values()))
