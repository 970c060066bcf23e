"""Synthetic teaching signals whose answers are known in advance (lessons 01–05).

Each function returns ``y``: ``(n,)`` float32 mono in -1..1 at sampling rate ``sr`` (Hz). Nothing here is random
unless you ask for noise, and noise takes a ``seed`` so that every run (and every test) gets the same samples.
"""

from __future__ import annotations

import numpy as np

from .errors import AudioInputError


def _sample_times(duration_s: float, sr: int) -> np.ndarray:
    if duration_s <= 0:
        raise AudioInputError(f"duration_s must be positive, not {duration_s}.")
    if sr <= 0:
        raise AudioInputError(f"sr must be a positive sampling rate in Hz, not {sr}.")
    return np.arange(int(round(duration_s * sr))) / sr


def _check_below_nyquist(frequency_hz: float, sr: int) -> None:
    if not 0 <= frequency_hz < sr / 2:
        raise AudioInputError(
            f"A frequency of {frequency_hz} Hz cannot be represented at sr={sr} Hz: it must be between 0 and the "
            f"Nyquist frequency sr/2 = {sr / 2:g} Hz (lesson 02). Lower the frequency or raise sr."
        )


def pure_tone(
    frequency_hz: float = 440.0, duration_s: float = 1.0, sr: int = 22050, amplitude: float = 0.5, phase: float = 0.0
) -> np.ndarray:
    """A sine wave: ``amplitude * sin(2π f t + phase)``. ``frequency_hz`` in Hz, ``phase`` in radians."""
    _check_below_nyquist(frequency_hz, sr)
    t = _sample_times(duration_s, sr)
    return (amplitude * np.sin(2 * np.pi * frequency_hz * t + phase)).astype(np.float32)


def partials(
    frequencies_hz=(220.0, 440.0, 660.0), amplitudes=(0.5, 0.25, 0.125), duration_s: float = 1.0, sr: int = 22050
) -> np.ndarray:
    """The separate sine components of a harmonic sound: ``(n_partials, n)`` float32, one row per frequency."""
    if len(frequencies_hz) != len(amplitudes):
        raise AudioInputError(
            f"Give one amplitude per frequency: got {len(frequencies_hz)} frequencies and {len(amplitudes)} amplitudes."
        )
    return np.stack([pure_tone(f, duration_s, sr, a) for f, a in zip(frequencies_hz, amplitudes)])


def sum_of_partials(
    frequencies_hz=(220.0, 440.0, 660.0), amplitudes=(0.5, 0.25, 0.125), duration_s: float = 1.0, sr: int = 22050
) -> np.ndarray:
    """The sum of :func:`partials`: one ``(n,)`` signal with a fundamental and its overtones (lesson 02)."""
    return partials(frequencies_hz, amplitudes, duration_s, sr).sum(axis=0).astype(np.float32)


def chirp(
    start_hz: float = 110.0, end_hz: float = 7040.0, duration_s: float = 3.0, sr: int = 22050,
    amplitude: float = 0.5, logarithmic: bool = True,
) -> np.ndarray:
    """A sweep from ``start_hz`` to ``end_hz``; exponential (equal time per octave) if ``logarithmic``."""
    for frequency in (start_hz, end_hz):
        _check_below_nyquist(frequency, sr)
    t = _sample_times(duration_s, sr)
    if logarithmic:
        if start_hz <= 0:
            raise AudioInputError("A logarithmic chirp needs start_hz > 0.")
        rate = np.log(end_hz / start_hz) / duration_s
        phase = 2 * np.pi * start_hz * (np.expm1(rate * t) / rate if rate else t)
    else:
        phase = 2 * np.pi * (start_hz * t + (end_hz - start_hz) * t**2 / (2 * duration_s))
    return (amplitude * np.sin(phase)).astype(np.float32)


def white_noise(duration_s: float = 1.0, sr: int = 22050, amplitude: float = 0.1, seed: int = 0) -> np.ndarray:
    """Gaussian white noise with standard deviation ``amplitude``, clipped to -1..1; same ``seed``, same samples."""
    t = _sample_times(duration_s, sr)
    rng = np.random.default_rng(seed)
    return np.clip(amplitude * rng.standard_normal(t.size), -1.0, 1.0).astype(np.float32)


def click_train(
    clicks_per_second: float = 2.0, duration_s: float = 2.0, sr: int = 22050, amplitude: float = 0.8,
    click_duration_s: float = 0.01,
) -> np.ndarray:
    """Short decaying clicks at a steady rate (a metronome; 2 per second = 120 BPM), silence in between."""
    if clicks_per_second <= 0:
        raise AudioInputError(f"clicks_per_second must be positive, not {clicks_per_second}.")
    t = _sample_times(duration_s, sr)
    y = np.zeros(t.size, dtype=np.float32)
    click_length = max(1, int(click_duration_s * sr))
    decay = np.exp(-np.arange(click_length) / (click_length / 5))
    rng = np.random.default_rng(1)
    click = (amplitude * decay * rng.uniform(-1, 1, click_length)).astype(np.float32)
    for start in (np.arange(0, duration_s, 1 / clicks_per_second) * sr).astype(int):
        stop = min(start + click_length, y.size)
        y[start:stop] = click[: stop - start]
    return y
