"""Rhythm: the onset envelope, tempo, beats, and their plots (lesson 10).

Lesson 10 builds each step from scratch and checks it against librosa; these are the tidy versions that the rhythm
explorer (:class:`helpers.widgets.RhythmExplorer`) and the lesson's figures reuse. The conventions are librosa's
defaults, as lesson 10 explains them:

* **onset envelope** (:func:`onset_envelope`): ``librosa.onset.onset_strength``: a log-mel spectrogram (128 bands,
  ``n_fft`` 2048, power in dB with an 80 dB floor), the rise of each band from one frame to the next with falls set
  to 0, averaged over the bands. Its unit is a mean rise in dB per mel band; frame ``k`` sits at
  ``k * hop_length / sr`` seconds (librosa shifts the envelope so that it does, lesson 10 §2).
* **tempo from a lag**: a lag of ``L`` frames is a beat period of ``L * hop_length / sr`` seconds, i.e.
  ``60 * sr / (hop_length * L)`` beats per minute (:func:`lag_to_bpm`).
* **beats** (:func:`tempo_and_beats`): ``librosa.feature.tempo`` picks the tempo under a log-normal prior centred at
  ``start_bpm`` (one octave wide), then ``librosa.beat.beat_track`` places the beats by dynamic programming.
"""

from __future__ import annotations

import numpy as np

from .arguments import require_axes, require_number, require_sample_rate, require_whole_number
from .audio_io import require_audio_array, require_mono
from .errors import AudioInputError

#: The tempi a beat can have in the course's analyses, in beats per minute (librosa's tempo estimator stops at 320).
TEMPO_RANGE_BPM = (30.0, 320.0)
#: A beat strength (:func:`beat_strength`) below this means "no clear beat" (lesson 10 §6 measures why 0.3).
NO_BEAT_BELOW = 0.3
ONSET_LABEL = "Onset strength\n(mean rise, dB per mel band)"
TEMPO_LABEL = "Tempo (BPM, log scale)"
AUTOCORRELATION_LABEL = "Autocorrelation\n(1 at lag 0)"


def _require_envelope(envelope, name: str = "envelope") -> np.ndarray:
    """An onset envelope: a non-empty 1-D array of finite numbers, returned as given (float)."""
    __tracebackhide__ = True
    array = np.asarray(envelope) if isinstance(envelope, (list, tuple, np.ndarray)) else None
    if array is None or array.dtype.kind not in "iuf" or array.ndim != 1 or array.size < 2:
        shape = f"shape {array.shape}" if array is not None and array.dtype.kind in "iuf" else type(envelope).__name__
        raise AudioInputError(f"{name} must be an onset envelope, a 1-D array of at least 2 frames such as "
                              f"librosa.onset.onset_strength(y=y, sr=sr); not {shape}.")
    if not np.all(np.isfinite(array)):
        raise AudioInputError(f"{name} holds NaN or infinite values; compute it from finite audio.")
    return array


def lag_to_bpm(lag_frames, sr: float = 22050, hop_length: int = 512):
    """The tempo of a beat period of ``lag_frames`` frames: ``60 * sr / (hop_length * lag_frames)`` in BPM (lesson 10).

    ``lag_frames``: a number or an array of lags (frames, > 0); ``sr``: Hz; ``hop_length``: samples between frames.
    A lag of 26 frames at 22 050 Hz with a hop of 512 is 26 * 512 / 22050 = 0.604 s per beat, 99.4 BPM.
    """
    __tracebackhide__ = True
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    lags = np.asarray(lag_frames) if not isinstance(lag_frames, (str, bytes, bool)) else np.asarray([])
    if lags.dtype.kind not in "iuf" or lags.size == 0 or not np.all(np.isfinite(lags)) or np.any(lags <= 0):
        raise AudioInputError(f"lag_frames must be a number of frames above 0 (or an array of them), e.g. 26; not "
                              f"{lag_frames!r:.40}. A lag of 0 has no tempo.")
    bpm = 60.0 * sr / (hop_length * lags.astype(float))
    return float(bpm) if bpm.ndim == 0 else bpm


def onset_envelope(y: np.ndarray, sr: float, hop_length: int = 512) -> np.ndarray:
    """librosa's onset envelope of ``y`` (spectral flux of the log-mel spectrogram, mean over bands; lesson 10).

    ``y``: ``(n,)`` float mono; ``sr``: Hz; ``hop_length``: samples between frames (``n_fft`` is 2048). Returns
    ``(1 + n // hop_length,)`` float32 in dB per mel band; frame ``k`` at ``k * hop_length / sr`` seconds.
    """
    __tracebackhide__ = True
    import librosa

    y = require_mono(require_audio_array(y, sr))
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", maximum=2048, example="512")
    return librosa.onset.onset_strength(y=y, sr=sr, hop_length=hop_length).astype(np.float32)


def envelope_autocorrelation(envelope) -> np.ndarray:
    """The autocorrelation of an onset envelope with its mean removed, divided by its value at lag 0 (lesson 10 §4).

    ``envelope``: ``(n,)`` frames. Returns ``(n,)`` float64: entry ``L`` compares the envelope with itself ``L``
    frames later (1 at lag 0; summed over the ``n - L`` frames that overlap, so long lags fade). An envelope that
    never changes has no rhythm: all zeros.
    """
    __tracebackhide__ = True
    import scipy.signal

    values = _require_envelope(envelope).astype(np.float64)
    centred = values - values.mean()
    energy = float(np.dot(centred, centred))
    if energy == 0:
        return np.zeros(values.size)
    full = scipy.signal.correlate(centred, centred, mode="full", method="fft")
    return full[values.size - 1:] / energy


def beat_strength(envelope, sr: float = 22050, hop_length: int = 512,
                  tempo_range_bpm: tuple[float, float] = TEMPO_RANGE_BPM) -> tuple[float, float | None]:
    """How clearly the envelope repeats at one period: ``(height, bpm)`` of the highest autocorrelation
    (:func:`envelope_autocorrelation`) among the lags whose tempo lies in ``tempo_range_bpm`` (lesson 10 §6).

    1 would be a perfect repetition, 0 none; lesson 10 finds the songs with a beat above :data:`NO_BEAT_BELOW` and
    ambient, orchestral and speech below it. ``bpm`` is None when the clip is too short for any lag in the range.
    """
    __tracebackhide__ = True
    values = _require_envelope(envelope)
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    if not (isinstance(tempo_range_bpm, (tuple, list)) and len(tempo_range_bpm) == 2):
        raise AudioInputError(f"tempo_range_bpm must be a pair (slowest, fastest) in BPM such as (30, 320); not "
                              f"{tempo_range_bpm!r:.40}.")
    slowest = require_number(tempo_range_bpm[0], "tempo_range_bpm[0]", above=0, example="30")
    fastest = require_number(tempo_range_bpm[1], "tempo_range_bpm[1]", above=slowest, example="320")
    correlation = envelope_autocorrelation(values)
    lags = np.arange(1, values.size)
    bpm = lag_to_bpm(lags, sr, hop_length) if lags.size else np.array([])
    inside = np.flatnonzero((bpm >= slowest) & (bpm <= fastest))
    if inside.size == 0:
        return 0.0, None
    best = inside[np.argmax(correlation[1:][inside])]
    return float(correlation[1:][best]), float(bpm[best])


def tempo_and_beats(envelope, sr: float = 22050, hop_length: int = 512, start_bpm: float = 120.0
                    ) -> tuple[float, np.ndarray]:
    """librosa's tempo under a prior centred at ``start_bpm``, and the beats tracked at that tempo (lesson 10 §5).

    ``envelope``: an onset envelope (:func:`onset_envelope`) at ``hop_length`` samples per frame and ``sr`` Hz.
    Returns ``(tempo_bpm, beat_times_s)``: the tempo of ``librosa.feature.tempo(..., start_bpm=start_bpm)`` and the
    ``(n_beats,)`` times in seconds of ``librosa.beat.beat_track`` at exactly that tempo. An envelope with no rise
    at all has no beats: ``(tempo, empty array)``.
    """
    __tracebackhide__ = True
    import librosa

    values = _require_envelope(envelope)
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    start_bpm = require_number(start_bpm, "start_bpm", minimum=10, maximum=1000, example="120", unit=" BPM")
    tempo = float(librosa.feature.tempo(onset_envelope=values, sr=sr, hop_length=hop_length, start_bpm=start_bpm)[0])
    _, beats = librosa.beat.beat_track(onset_envelope=values, sr=sr, hop_length=hop_length, bpm=tempo, units="time")
    return tempo, np.asarray(beats, dtype=np.float64)


# ------------------------------------------------------------------------------------------------ plots

def _times_or_none(values, name: str) -> np.ndarray | None:
    __tracebackhide__ = True
    if values is None:
        return None
    array = np.asarray(values) if isinstance(values, (list, tuple, np.ndarray)) else None
    if array is None or array.dtype.kind not in "iuf" or array.ndim != 1 or not np.all(np.isfinite(array)):
        raise AudioInputError(f"{name} must be a 1-D array of times in seconds, e.g. librosa.onset.onset_detect(..., "
                              f"units='time'); not {type(values).__name__}.")
    return array.astype(float)


def plot_onset_envelope(envelope, sr: float = 22050, hop_length: int = 512, ax=None, *, detected_s=None,
                        reference_s=None, color: str | None = None, label: str | None = "onset envelope",
                        detected_label: str = "detected", reference_label: str = "known onsets",
                        title: str | None = None):
    """Draw an onset envelope against time, with detected events and known (reference) times (lesson 10).

    ``envelope``: ``(n_frames,)``, frame ``k`` at ``k * hop_length / sr`` seconds. ``detected_s``: times in seconds
    drawn as orange triangles along the top (onsets or beats); ``reference_s``: times in seconds drawn as thin grey
    dashed lines (the clicks of a click train, the notes of a score). Returns the envelope's ``Line2D``.
    """
    __tracebackhide__ = True
    from .plotting import CLIP_COLORS, TIME_LABEL, _new_axes, _require_color

    values = _require_envelope(envelope)
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    detected = _times_or_none(detected_s, "detected_s")
    reference = _times_or_none(reference_s, "reference_s")
    _require_color(color)
    require_axes(ax)
    ax = _new_axes(ax)
    times = np.arange(values.size) * hop_length / sr
    if reference is not None:
        for index, time in enumerate(reference):
            ax.axvline(time, color="#7F7F7F", linestyle="--", linewidth=0.8,
                       label=reference_label if index == 0 else None)
    (line,) = ax.plot(times, values, color=color or CLIP_COLORS[0], linewidth=1.2, label=label)
    if detected is not None and detected.size:
        ax.plot(detected, np.full(detected.size, 1.0), "v", color=CLIP_COLORS[1], markersize=6,
                transform=ax.get_xaxis_transform(), clip_on=False, label=detected_label)
    ax.set_xlim(0, times[-1])
    ax.set_ylim(0, 1.08 * max(float(values.max()), 1e-9))
    ax.set_xlabel(TIME_LABEL)
    ax.set_ylabel(ONSET_LABEL)
    if title:
        ax.set_title(title)
    if label or detected is not None or reference is not None:
        ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    return line


def plot_tempo_curve(autocorrelation, sr: float = 22050, hop_length: int = 512, ax=None, *,
                     tempo_range_bpm: tuple[float, float] = TEMPO_RANGE_BPM, mark_bpm: float | None = None,
                     color: str | None = None, label: str | None = None, title: str | None = None):
    """Draw an autocorrelation against tempo, lag ``L`` at ``60 * sr / (hop_length * L)`` BPM (lesson 10 §4).

    ``autocorrelation``: ``(n_lags,)``, entry ``L`` for a lag of ``L`` frames (:func:`envelope_autocorrelation`, or
    a tempogram averaged over time). Only lags whose tempo lies in ``tempo_range_bpm`` are drawn, on a log tempo
    axis (an octave is the same width everywhere); the top axis gives the beat period in seconds. ``mark_bpm``: a
    tempo to mark with a vertical line. Returns the ``Line2D``.
    """
    __tracebackhide__ = True
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    from .plotting import CLIP_COLORS, _new_axes, _require_color

    values = _require_envelope(autocorrelation, "autocorrelation")
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    slowest = require_number(tempo_range_bpm[0], "tempo_range_bpm[0]", above=0, example="30")
    fastest = require_number(tempo_range_bpm[1], "tempo_range_bpm[1]", above=slowest, example="320")
    if mark_bpm is not None:
        mark_bpm = require_number(mark_bpm, "mark_bpm", above=0, example="120", unit=" BPM")
    _require_color(color)
    require_axes(ax)
    ax = _new_axes(ax)
    lags = np.arange(1, values.size)
    bpm = lag_to_bpm(lags, sr, hop_length)
    inside = (bpm >= slowest) & (bpm <= fastest)
    if not inside.any():
        raise AudioInputError(f"No lag of this autocorrelation ({values.size} lags) has a tempo between "
                              f"{slowest:g} and {fastest:g} BPM: use a longer clip.")
    (line,) = ax.plot(bpm[inside], values[1:][inside], color=color or CLIP_COLORS[0], linewidth=1.3, label=label)
    if mark_bpm is not None:
        ax.axvline(mark_bpm, color=CLIP_COLORS[1], linewidth=1.2, linestyle="--")
    ax.set_xscale("log")
    ticks = [tick for tick in (30, 40, 60, 80, 120, 160, 240, 320) if slowest <= tick <= fastest]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(ticks, [f"{tick:g}" for tick in ticks])
    ax.set_xlim(slowest, fastest)
    period = ax.secondary_xaxis("top", functions=(lambda b: 60 / np.maximum(b, 1e-9), lambda p: 60 / np.maximum(p, 1e-9)))
    period.set_xticks([60 / tick for tick in ticks], [f"{60 / tick:.2g}" for tick in ticks])
    period.xaxis.set_minor_formatter(NullFormatter())
    period.set_xlabel("Beat period (s)")
    ax.set_xlabel(TEMPO_LABEL)
    ax.set_ylabel(AUTOCORRELATION_LABEL)
    if title:
        ax.set_title(title)
    if label:
        ax.legend(loc="upper right", fontsize="small")
    return line
