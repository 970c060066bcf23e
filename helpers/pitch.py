"""Pitch: pitch classes, a constant-Q transform calibrated like the course's spectrograms, chroma's flatness, and
the score of the bundled piano render, the ground truth of lesson 09.

    from helpers.pitch import PITCH_CLASSES, constant_q, piano_notes, sounding_pitch_classes
    magnitude, frequencies_hz, lengths = constant_q(y, sr, bins_per_octave=36)   # (252, n_frames)
    truth = sounding_pitch_classes(times_s)                                      # (n_frames, 12) True/False

The lesson builds each idea from scratch first (note numbers, the Q factor, chroma); these are the tidy versions the
explorer and the later cells reuse.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from .arguments import require_number, require_sample_rate, require_whole_number
from .audio_io import require_audio_array, require_min_length, require_mono
from .errors import AudioInputError

#: The twelve pitch classes, numbered from C = 0 as librosa's chroma rows are (A = 9).
PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

#: The lowest note of the course's constant-Q transforms, C1, in Hz (librosa's default ``fmin``), with A4 = 440 Hz.
C1_HZ = 440.0 * 2 ** ((24 - 69) / 12)

# The score of the bundled piano render (sample 'piano'): Bach, Prelude in C major BWV 846, bars 1-10. It must equal
# BWV846_BARS and bwv846_notes in scripts/build_audio_samples.py, which renders the clip from it (tests/test_pitch.py
# checks that they agree). Each bar is one chord, MIDI note numbers from low to high, played twice per bar as the
# sixteenths n1 n2 n3 n4 n5 n3 n4 n5; every note is held to the end of its half bar (as with a sustain pedal) or
# until the same key is struck again.
#: The chords of the piano render, one per 3-second bar: MIDI note numbers, low to high.
PIANO_CHORDS = (
    (60, 64, 67, 72, 76),  # 1  C
    (60, 62, 69, 74, 77),  # 2  Dm7/C
    (59, 62, 67, 74, 77),  # 3  G7/B
    (60, 64, 67, 72, 76),  # 4  C
    (60, 64, 69, 76, 81),  # 5  Am/C
    (60, 62, 66, 69, 74),  # 6  D7/C
    (59, 62, 67, 74, 79),  # 7  G/B
    (59, 60, 64, 67, 72),  # 8  Cmaj7/B
    (57, 60, 64, 67, 72),  # 9  Am7
    (50, 57, 62, 66, 72),  # 10 D7
)
#: Chord names of :data:`PIANO_CHORDS`, for labels.
PIANO_CHORD_NAMES = ("C", "Dm7/C", "G7/B", "C", "Am/C", "D7/C", "G/B", "Cmaj7/B", "Am7", "D7")
#: Tempo of the render, in quarter notes per minute: a sixteenth lasts 0.1875 s and a bar 3 s.
PIANO_TEMPO_QPM = 80
#: Which note of the chord each of the eight sixteenths of a half bar plays (0 = the lowest).
PIANO_PATTERN = (0, 1, 2, 3, 4, 2, 3, 4)


def _as_float_array(values) -> np.ndarray | None:
    """``values`` as a float64 array, or None when they are not numbers (text, None, mixed objects)."""
    if isinstance(values, (str, bytes)) or values is None:
        return None
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def piano_notes() -> list[tuple[float, float, int]]:
    """Every note of the piano render: ``(onset_s, release_s, midi)``, in order of onset (lesson 09).

    Times are in seconds from the start of the clip (the render starts with the first note, and the excerpt at 0 s);
    ``release_s`` is when the key is let go (the sound then fades for a moment). 160 notes over 30 s.
    """
    sixteenth_s = 60.0 / PIANO_TEMPO_QPM / 4
    notes = []
    for bar, chord in enumerate(PIANO_CHORDS):
        for half in range(2):
            start = (bar * 16 + half * 8) * sixteenth_s
            for step, index in enumerate(PIANO_PATTERN):
                again = [later for later in range(step + 1, 8) if PIANO_PATTERN[later] == index]
                release = start + (again[0] if again else 8) * sixteenth_s
                notes.append((start + step * sixteenth_s, release, chord[index]))
    return notes


def sounding_pitch_classes(times_s) -> np.ndarray:
    """Which pitch classes the piano render's score holds at each time: ``(n_times, 12)`` True/False, column 0 = C.

    ``times_s``: ``(n_times,)`` seconds, e.g. frame centres ``k * hop_length / sr``. A note counts from its onset to
    its release (:func:`piano_notes`); after the last release (30 s) no row has a True.
    """
    __tracebackhide__ = True
    times = _as_float_array(times_s)
    if times is None or times.ndim != 1 or times.size == 0 or not np.isfinite(times).all():
        raise AudioInputError("times_s must be a non-empty 1-D array of times in seconds, e.g. "
                              "librosa.frames_to_time(np.arange(n_frames), sr=sr, hop_length=512).")
    sounding = np.zeros((times.size, 12), dtype=bool)
    for onset, release, midi in piano_notes():
        sounding[(times >= onset) & (times < release), midi % 12] = True
    return sounding


def chroma_entropy(chroma) -> np.ndarray:
    """How evenly each frame's energy spreads over the 12 pitch classes: ``(n_frames,)``, 0 to 1 (lesson 09).

    ``chroma``: ``(12, n_frames)``, not negative. Each frame is scaled to sum 1 (so any normalisation gives the same
    result) and its Shannon entropy divided by log 12: 0 when one pitch class holds all the energy, 1 when all
    twelve hold the same (white noise comes close). A frame with no energy at all (digital silence) has no
    distribution: NaN.
    """
    __tracebackhide__ = True
    values = _as_float_array(chroma)
    if values is None:
        raise AudioInputError(f"chroma must be a (12, n_frames) array of numbers such as "
                              f"librosa.feature.chroma_cqt(y=y, sr=sr); not {type(chroma).__name__}.")
    if values.ndim != 2 or values.shape[0] != 12 or values.shape[1] == 0:
        raise AudioInputError(f"chroma must be a (12, n_frames) array such as librosa.feature.chroma_cqt(y=y, "
                              f"sr=sr); not shape {values.shape}.")
    if not np.isfinite(values).all() or (values < 0).any():
        raise AudioInputError("chroma must hold finite values >= 0 (energy per pitch class).")
    totals = values.sum(axis=0)
    shares = values / np.where(totals > 0, totals, 1.0)
    logs = np.log(np.where(shares > 0, shares, 1.0))
    entropy = -(shares * logs).sum(axis=0) / np.log(12)
    return np.where(totals > 0, entropy, np.nan)


def q_factor(bins_per_octave: int) -> float:
    """librosa's Q of a constant-Q transform with ``bins_per_octave`` bins per octave (lesson 09): centre frequency
    over bandwidth, ``1 / alpha`` with ``alpha = (r**2 - 1) / (r**2 + 1)`` and ``r = 2 ** (1 / bins_per_octave)``.
    12 bins per octave give 17.3, 36 give 51.9."""
    __tracebackhide__ = True
    bins_per_octave = require_whole_number(bins_per_octave, "bins_per_octave", minimum=1, maximum=120, example="36",
                                           unit=" bins")
    ratio_squared = 2 ** (2 / bins_per_octave)
    return float((ratio_squared + 1) / (ratio_squared - 1))


def constant_q(y: np.ndarray, sr: float = 22050, bins_per_octave: int = 36, n_octaves: int = 7,
               hop_length: int = 512) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The constant-Q transform of lesson 09 from C1 (32.7 Hz, A4 = 440 Hz) up ``n_octaves`` octaves.

    ``y``: ``(n,)`` float mono; ``sr`` in Hz; ``hop_length`` in samples. Returns ``(magnitude, frequencies_hz,
    lengths_samples)``: ``magnitude`` is ``np.abs(librosa.cqt(...))`` with librosa's defaults (``tuning=0``, filters
    scaled by the square root of their length), ``(n_octaves * bins_per_octave, n_frames)`` float32, frame ``k``
    centred at ``k * hop_length / sr``; ``frequencies_hz`` the bins' centre frequencies and ``lengths_samples`` their
    filters' lengths, both ``(n_bins,)``. A full-scale sine at a bin's centre frequency reads ``sqrt(length) / 2``
    there: :func:`cqt_level_db` turns that into 0 dB.
    """
    __tracebackhide__ = True
    import librosa

    y = require_mono(require_audio_array(y, sr))
    sr, bins_per_octave, n_octaves, hop_length = _constant_q_settings(sr, bins_per_octave, n_octaves, hop_length)
    require_min_length(y, 2048, sr, what="the clip for a constant-Q transform")
    frequencies = librosa.cqt_frequencies(n_bins=n_octaves * bins_per_octave, fmin=C1_HZ,
                                          bins_per_octave=bins_per_octave)
    lengths, _ = librosa.filters.wavelet_lengths(freqs=frequencies, sr=sr)
    return _cqt_magnitude(y, sr, bins_per_octave, n_octaves, hop_length), frequencies, lengths


def constant_q_of_clips(clips: Mapping[str, np.ndarray], sr: float = 22050, bins_per_octave: int = 36,
                        n_octaves: int = 7, hop_length: int = 512) -> dict[str, np.ndarray]:
    """:func:`constant_q`'s magnitude of several clips at once (lesson 09): ``{name: (n_bins, n_frames) float32}``
    in the order given, the same numbers as ``constant_q(y, sr, ...)[0]`` clip by clip, to the last bit.

    ``clips``: ``{name: (n,) float mono}``, all at ``sr`` Hz. Clips of the same length go through one
    ``librosa.cqt`` call together (as rows of one array): librosa builds its filters, most of the work for a 30 s
    clip, once per call, so the course's seven clips (three lengths) need them three times instead of seven.
    """
    __tracebackhide__ = True
    if not isinstance(clips, Mapping) or not clips:
        raise AudioInputError("clips must be a dict {name: samples} with at least one clip, e.g. "
                              "{name: load_sample_cached(name)[0] for name in sample_ids()}.")
    sr, bins_per_octave, n_octaves, hop_length = _constant_q_settings(sr, bins_per_octave, n_octaves, hop_length)
    checked = {}
    for name, y in clips.items():
        checked[name] = require_mono(require_audio_array(y, sr))
        require_min_length(checked[name], 2048, sr, what=f"the clip {name!r} for a constant-Q transform")
    by_length: dict[int, list[str]] = {}
    for name, y in checked.items():
        by_length.setdefault(y.size, []).append(name)
    magnitudes = {}
    for names in by_length.values():
        rows = np.stack([checked[name] for name in names]) if len(names) > 1 else checked[names[0]]
        magnitude = _cqt_magnitude(rows, sr, bins_per_octave, n_octaves, hop_length)
        magnitudes.update(zip(names, magnitude if len(names) > 1 else [magnitude]))
    return {name: magnitudes[name] for name in clips}


def _constant_q_settings(sr, bins_per_octave, n_octaves, hop_length) -> tuple[float, int, int, int]:
    """:func:`constant_q`'s settings, checked (with a message that says what to use) and returned."""
    __tracebackhide__ = True
    sr = require_sample_rate(sr, allow_none=False)
    bins_per_octave = require_whole_number(bins_per_octave, "bins_per_octave", minimum=12, maximum=96, example="36",
                                           unit=" bins")
    if bins_per_octave % 12:
        raise AudioInputError(f"bins_per_octave must be a multiple of 12 (one or more bins per semitone, so that "
                              f"chroma can add them up), such as 12, 24 or 36; not {bins_per_octave}.")
    n_octaves = require_whole_number(n_octaves, "n_octaves", minimum=1, maximum=8, example="7", unit=" octaves")
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    top_hz = C1_HZ * 2 ** (n_octaves - 1 / bins_per_octave)
    if top_hz >= sr / 2:
        raise AudioInputError(f"{n_octaves} octaves from C1 reach {top_hz:.0f} Hz, above the Nyquist frequency "
                              f"sr / 2 = {sr / 2:g} Hz: use fewer octaves or a higher sr.")
    return sr, bins_per_octave, n_octaves, hop_length


def _cqt_magnitude(y: np.ndarray, sr: float, bins_per_octave: int, n_octaves: int, hop_length: int) -> np.ndarray:
    """``np.abs(librosa.cqt(y, ...))`` as float32 for checked settings; ``y`` is ``(n,)`` or ``(clips, n)``."""
    import librosa

    with warnings.catch_warnings():
        # A clip of a few seconds, halved in rate once per octave, is shorter than the lowest octaves' FFT: librosa
        # warns, pads it with zeros and computes it anyway, which is all a clip that short allows.
        warnings.filterwarnings("ignore", message="n_fft=.* is too large for input signal", category=UserWarning)
        magnitude = np.abs(librosa.cqt(y, sr=sr, hop_length=hop_length, fmin=C1_HZ, n_bins=n_octaves * bins_per_octave,
                                       bins_per_octave=bins_per_octave, tuning=0.0))
    return magnitude.astype(np.float32)


def cqt_level_db(magnitude: np.ndarray, lengths_samples: np.ndarray, floor_db: float = -100.0) -> np.ndarray:
    """A :func:`constant_q` magnitude in dB, 0 dB = a full-scale sine at the bin's centre frequency, as lessons 02-05
    read their spectrograms: ``20 * log10(magnitude / (sqrt(length) / 2))``, at least ``floor_db``. Same shape."""
    __tracebackhide__ = True
    magnitude = np.asarray(magnitude, dtype=np.float64)
    lengths = np.asarray(lengths_samples, dtype=np.float64).reshape(-1, 1)
    if magnitude.ndim != 2 or magnitude.shape[0] != lengths.shape[0]:
        raise AudioInputError(f"magnitude must be (n_bins, n_frames) with one filter length per bin: got "
                              f"{magnitude.shape} and {lengths.shape[0]} lengths (use constant_q's three results).")
    floor_db = require_number(floor_db, "floor_db", maximum=0, example="-100", unit=" dB")
    full_scale = np.sqrt(lengths) / 2
    return np.maximum(20 * np.log10(np.maximum(magnitude / full_scale, 1e-12)), floor_db).astype(np.float32)
