"""Synthetic teaching signals whose answers are known in advance (lessons 01–05).

Each function returns ``y``: ``(n,)`` float32 mono in -1..1 at sampling rate ``sr`` (Hz). Nothing here is random
unless you ask for noise, and noise takes a ``seed`` so that every run (and every test) gets the same samples.
"""

from __future__ import annotations

import numpy as np

from .arguments import require_flag, require_number, require_sample_rate, require_whole_number
from .errors import AudioInputError

#: The longest synthetic signal, in seconds (10 min at 22 050 Hz is about 53 MB of float32).
MAX_DURATION_S = 600.0


def _sample_times(duration_s: float, sr: int) -> np.ndarray:
    __tracebackhide__ = True
    duration_s = require_number(duration_s, "duration_s", above=0, maximum=MAX_DURATION_S, example="1.0",
                                unit=" s")
    sr = require_sample_rate(sr, allow_none=False)
    if int(round(duration_s * sr)) == 0:
        raise AudioInputError(f"duration_s={duration_s:g} s is shorter than one sample at sr={sr} Hz: use a longer "
                              "duration_s.")
    return np.arange(int(round(duration_s * sr))) / sr


def _amplitude(amplitude, name: str = "amplitude") -> float:
    """A peak amplitude in full-scale units, 0..1 (the signals stay in -1..1)."""
    __tracebackhide__ = True
    return require_number(amplitude, name, minimum=0, maximum=1, example="0.5")


def _check_below_nyquist(frequency_hz: float, sr: int, name: str = "frequency_hz") -> float:
    __tracebackhide__ = True
    frequency_hz = require_number(frequency_hz, name, example="440", unit=" Hz")
    sr = require_sample_rate(sr, allow_none=False)
    if not 0 <= frequency_hz < sr / 2:
        raise AudioInputError(
            f"A frequency of {frequency_hz} Hz cannot be represented at sr={sr} Hz: it must be between 0 and the "
            f"Nyquist frequency sr/2 = {sr / 2:g} Hz (lesson 02). Lower {name} or raise sr."
        )
    return frequency_hz


def pure_tone(
    frequency_hz: float = 440.0, duration_s: float = 1.0, sr: int = 22050, amplitude: float = 0.5, phase: float = 0.0
) -> np.ndarray:
    """A sine wave: ``amplitude * sin(2π f t + phase)``. ``frequency_hz`` in Hz (0 up to sr/2), ``duration_s`` in s,
    ``sr`` in Hz, ``amplitude`` 0..1 (full scale), ``phase`` in radians. Returns ``(n,)`` float32."""
    __tracebackhide__ = True
    frequency_hz = _check_below_nyquist(frequency_hz, sr)
    amplitude = _amplitude(amplitude)
    phase = require_number(phase, "phase", example="-np.pi / 2")
    t = _sample_times(duration_s, sr)
    return (amplitude * np.sin(2 * np.pi * frequency_hz * t + phase)).astype(np.float32)


def partials(
    frequencies_hz=(220.0, 440.0, 660.0), amplitudes=(0.5, 0.25, 0.125), duration_s: float = 1.0, sr: int = 22050
) -> np.ndarray:
    """The separate sine components of a harmonic sound: ``(n_partials, n)`` float32, one row per frequency.

    ``frequencies_hz``: a list of frequencies in Hz; ``amplitudes``: one amplitude (0..1) per frequency.
    """
    __tracebackhide__ = True
    frequencies_hz = _number_list(frequencies_hz, "frequencies_hz", "(220, 440, 660)")
    amplitudes = _number_list(amplitudes, "amplitudes", "(0.5, 0.25, 0.125)")
    if len(frequencies_hz) != len(amplitudes):
        raise AudioInputError(
            f"Give one amplitude per frequency: got {len(frequencies_hz)} frequencies and {len(amplitudes)} amplitudes."
        )
    for index, (frequency, amplitude) in enumerate(zip(frequencies_hz, amplitudes)):
        _check_below_nyquist(frequency, sr, f"frequencies_hz[{index}]")
        _amplitude(amplitude, f"amplitudes[{index}]")
    return np.stack([pure_tone(f, duration_s, sr, a) for f, a in zip(frequencies_hz, amplitudes)])


def _number_list(values, name: str, example: str) -> list[float]:
    """A non-empty list or 1-D array of finite numbers, as floats."""
    __tracebackhide__ = True
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__len__") or np.ndim(values) != 1 \
            or len(values) == 0:
        raise AudioInputError(f"{name} must be a list of numbers such as {example} (one per partial), not "
                              f"{values!r:.60}.")
    return [require_number(value, f"{name}[{index}]", example="440" if "freq" in name else "0.5")
            for index, value in enumerate(values)]


def sum_of_partials(
    frequencies_hz=(220.0, 440.0, 660.0), amplitudes=(0.5, 0.25, 0.125), duration_s: float = 1.0, sr: int = 22050
) -> np.ndarray:
    """The sum of :func:`partials`: one ``(n,)`` signal with a fundamental and its overtones (lesson 02).

    The sum must stay in -1..1: amplitudes that add up to at most 1 always do.
    """
    __tracebackhide__ = True
    y = partials(frequencies_hz, amplitudes, duration_s, sr).sum(axis=0).astype(np.float32)
    peak = float(np.max(np.abs(y)))
    if peak > 1:
        raise AudioInputError(f"These partials add up to a peak of {peak:.2f}, beyond full scale (-1..1): lower "
                              f"the amplitudes so that they add up to at most 1 (now {sum(map(float, amplitudes)):g}).")
    return y


def chirp(
    start_hz: float = 110.0, end_hz: float = 7040.0, duration_s: float = 3.0, sr: int = 22050,
    amplitude: float = 0.5, logarithmic: bool = True,
) -> np.ndarray:
    """A sweep from ``start_hz`` to ``end_hz`` (Hz, below sr/2); exponential (equal time per octave) if
    ``logarithmic``. ``duration_s`` in s, ``amplitude`` 0..1. Returns ``(n,)`` float32."""
    __tracebackhide__ = True
    start_hz = _check_below_nyquist(start_hz, sr, "start_hz")
    end_hz = _check_below_nyquist(end_hz, sr, "end_hz")
    amplitude = _amplitude(amplitude)
    logarithmic = require_flag(logarithmic, "logarithmic")
    t = _sample_times(duration_s, sr)
    if logarithmic:
        if start_hz <= 0 or end_hz <= 0:
            raise AudioInputError(f"A logarithmic chirp needs start_hz > 0 and end_hz > 0 (there are no octaves "
                                  f"above 0 Hz); got start_hz={start_hz:g}, end_hz={end_hz:g}. Start at e.g. 20 Hz, "
                                  "or pass logarithmic=False.")
        rate = np.log(end_hz / start_hz) / duration_s
        phase = 2 * np.pi * start_hz * (np.expm1(rate * t) / rate if rate else t)
    else:
        phase = 2 * np.pi * (start_hz * t + (end_hz - start_hz) * t**2 / (2 * duration_s))
    return (amplitude * np.sin(phase)).astype(np.float32)


def white_noise(duration_s: float = 1.0, sr: int = 22050, amplitude: float = 0.1, seed: int = 0) -> np.ndarray:
    """Gaussian white noise with standard deviation ``amplitude`` (0..1), clipped to -1..1; same ``seed`` (a whole
    number >= 0), same samples. Returns ``(n,)`` float32."""
    __tracebackhide__ = True
    amplitude = _amplitude(amplitude)
    seed = require_whole_number(seed, "seed", minimum=0, example="0", unit="")
    t = _sample_times(duration_s, sr)
    rng = np.random.default_rng(seed)
    return np.clip(amplitude * rng.standard_normal(t.size), -1.0, 1.0).astype(np.float32)


def click_train(
    clicks_per_second: float = 2.0, duration_s: float = 2.0, sr: int = 22050, amplitude: float = 0.8,
    click_duration_s: float = 0.01,
) -> np.ndarray:
    """Short decaying clicks at a steady rate (a metronome; 2 per second = 120 BPM), silence in between.

    ``clicks_per_second`` at most ``1 / click_duration_s`` (clicks must not overlap); ``duration_s`` and
    ``click_duration_s`` in s; ``amplitude`` 0..1. Returns ``(n,)`` float32.
    """
    __tracebackhide__ = True
    click_duration_s = require_number(click_duration_s, "click_duration_s", above=0, maximum=1, example="0.01",
                                      unit=" s")
    clicks_per_second = require_number(clicks_per_second, "clicks_per_second", above=0,
                                       maximum=1 / click_duration_s, example="2")
    amplitude = _amplitude(amplitude)
    t = _sample_times(duration_s, sr)
    duration_s, sr = float(duration_s), int(sr)
    y = np.zeros(t.size, dtype=np.float32)
    click_length = max(1, int(click_duration_s * sr))
    decay = np.exp(-np.arange(click_length) / (click_length / 5))
    rng = np.random.default_rng(1)
    click = (amplitude * decay * rng.uniform(-1, 1, click_length)).astype(np.float32)
    for start in (np.arange(0, duration_s, 1 / clicks_per_second) * sr).astype(int):
        stop = min(start + click_length, y.size)
        y[start:stop] = click[: stop - start]
    return y
