"""Exercise checks for lesson 09: pitch classes, tuning, and chroma from a constant-Q transform.

Every check computes the expected value itself. The conventions are librosa's: equal temperament with A4 = 440 Hz
(MIDI note 69), pitch classes numbered from C = 0 (chroma row 0 is C, row 9 is A), a frequency belongs to the
nearest semitone (rounding, not cutting off), ``tuning`` is measured in fractions of a bin (at 12 bins per octave,
of a semitone), and ``chroma_cqt`` adds the constant-Q *magnitudes* of the bins nearest each semitone, then divides
every frame by its largest value (``norm=np.inf``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from .core import (CheckResult, _call_student_function, _correct, _describe, _general_mistake, _matches, _not_right,
                   _number_answer, _unanswered, _wrong)

PITCH_CLASS_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
#: Other spellings of the twelve names: flats, and the sharp and flat signs librosa prints.
_SPELLINGS = {"DB": 1, "EB": 3, "GB": 6, "AB": 8, "BB": 10, "CB": 11, "E#": 5, "FB": 4, "B#": 0}


def _semitones_above_a4(frequency_hz: float) -> float:
    return 12 * math.log2(frequency_hz / 440.0)


# ---------------------------------------------------------------- exercise 1: which pitch class?


def _pitch_class_of(answer) -> int | None:
    """A pitch-class answer as 0..11: a whole number, or a name such as 'G#', 'Ab', 'G♯' (None if neither)."""
    if isinstance(answer, str):
        name = answer.strip().upper().replace("♯", "#").replace("♭", "B")
        if name in PITCH_CLASS_NAMES:
            return PITCH_CLASS_NAMES.index(name)
        return _SPELLINGS.get(name)
    return None


def check_pitch_class(answer, frequency_hz: float) -> CheckResult:
    """Lesson 09: the pitch class (0 = C ... 11 = B, or its name) of the nearest equal-tempered note to
    ``frequency_hz``, with A4 = 440 Hz: ``round(69 + 12 * log2(f / 440)) % 12``."""
    if answer is None:
        return _unanswered("the MIDI note number is 69 + 12 · log2(f / 440); round it to the nearest whole number, "
                           "then take the remainder after dividing by 12 (C = 0).")
    midi_exact = 69 + _semitones_above_a4(frequency_hz)
    midi = round(midi_exact)
    expected = midi % 12
    name = PITCH_CLASS_NAMES[expected]
    from_name = _pitch_class_of(answer)
    if isinstance(answer, str) and from_name is None:
        return _wrong(f"give a pitch class as a whole number from 0 (C) to 11 (B), or a name such as 'G#'; "
                      f"you gave {_describe(answer)}.")
    if from_name is None:
        value, feedback = _number_answer(answer, "", "the answer is one pitch class, a whole number from 0 (C) to "
                                                     "11 (B)")
        if feedback is not None:
            return feedback
    else:
        value = float(from_name)
    cents = 100 * (midi_exact - midi)
    if value == expected:
        return _correct(f"{frequency_hz:g} Hz is MIDI note {midi_exact:.2f}, nearest {midi} "
                        f"({name}{midi // 12 - 1}, {cents:+.0f} cents off it): pitch class {expected}, {name}.")
    if value == midi:
        return _wrong(f"{midi} is the MIDI note number, which still holds the octave: the pitch class is what is "
                      "left after dividing by 12 (midi % 12).")
    if value == round(_semitones_above_a4(frequency_hz)) % 12:
        return _wrong("that counts from A (A = 0): 12 · log2(f / 440) counts semitones from A4, but chroma rows "
                      "start at C. Add 69 first (MIDI numbers put C on multiples of 12), or add 9 and take % 12.")
    if value in (math.floor(midi_exact) % 12, math.ceil(midi_exact) % 12):
        return _wrong(f"off by one semitone: {frequency_hz:g} Hz is MIDI {midi_exact:.2f}, and a note belongs to "
                      f"the nearest semitone: round it (np.round), do not cut the decimals off.")
    if value == round(69 + 12 * math.log(frequency_hz / 440.0)) % 12:
        return _wrong("semitones are 12 · log2(f / 440), with the base-2 logarithm (an octave doubles the "
                      "frequency), not the natural logarithm.")
    if _matches(value, frequency_hz):
        return _wrong("that is the frequency in Hz; convert it to a MIDI note number first, then to a pitch class.")
    if not float(value).is_integer() or not 0 <= value <= 11:
        return _wrong("a pitch class is a whole number from 0 (C) to 11 (B).")
    return _not_right("not the pitch class of this frequency. Find the nearest MIDI note number, then take it "
                      "modulo 12 (C = 0).")


# ---------------------------------------------------------------- exercise 2: tuning, in fractions of a bin


def check_tuning(answer, a4_hz: float, bins_per_octave: int = 12) -> CheckResult:
    """Lesson 09: how far an instrument tuned to A4 = ``a4_hz`` lies from A4 = 440 Hz, in librosa's unit for
    ``tuning``: fractions of a bin at ``bins_per_octave`` bins per octave,
    ``bins_per_octave * log2(a4_hz / 440)`` (at 12 bins per octave: semitones)."""
    value, feedback = _number_answer(
        answer,
        "one octave is a factor 2 and holds bins_per_octave bins: the offset is bins_per_octave · log2(a4 / 440).",
        "the answer is one number: the offset in fractions of a bin (here a semitone)",
    )
    if feedback is not None:
        return feedback
    octaves = math.log2(a4_hz / 440.0)
    expected = bins_per_octave * octaves
    if _matches(value, expected):
        return _correct(f"{bins_per_octave} · log2({a4_hz:g} / 440) = {expected:.4f}: the notes sit "
                        f"{100 * 12 * octaves:.1f} cents {'above' if expected > 0 else 'below'} the A440 grid. "
                        "librosa.estimate_tuning measures this offset, in these units, in steps of 0.01.")
    if _matches(value, 1200 * octaves):
        return _wrong("that is in cents (hundredths of a semitone); librosa's tuning is in fractions of a bin, "
                      f"here a semitone: divide by {1200 // bins_per_octave}.")
    if _matches(value, a4_hz - 440.0):
        return _wrong("that is the difference in Hz. Pitch is heard in ratios: the offset is "
                      f"{bins_per_octave} · log2({a4_hz:g} / 440), in fractions of a bin, whatever the note.")
    if _matches(value, a4_hz / 440.0):
        return _wrong("that is the frequency ratio; take its base-2 logarithm (octaves) and multiply by the "
                      f"{bins_per_octave} bins of an octave.")
    if _matches(value, octaves):
        return _wrong(f"that is in octaves; an octave holds {bins_per_octave} bins, so multiply by "
                      f"{bins_per_octave}.")
    for other in (12, 24, 36):
        if other != bins_per_octave and _matches(value, other * octaves):
            return _wrong(f"that is in bins of a {other}-bins-per-octave transform; tuning here is counted in bins "
                          f"of {bins_per_octave} per octave. (estimate_tuning and cqt measure it in their own "
                          "bins_per_octave: the same offset is a larger number at finer bins.)")
    if _matches(value, -expected):
        return _wrong(f"the sign is flipped: A4 = {a4_hz:g} Hz is {'above' if expected > 0 else 'below'} 440 Hz, "
                      f"so the offset is {'positive' if expected > 0 else 'negative'}.")
    if _matches(value, bins_per_octave * math.log(a4_hz / 440.0)):
        return _wrong("use the base-2 logarithm (np.log2): an octave is a factor of 2.")
    if value == round(expected, 2):
        return _wrong(f"{value:g} is what estimate_tuning reports, in steps of 0.01; give the exact offset to at "
                      "least 3 significant figures.")
    general = _general_mistake(value, expected)
    if general:
        return _wrong(general)
    return _not_right("not the offset. The answer is one number of bins (here semitones), between -0.5 and 0.5 for "
                      "any tuning within a quarter tone of A440.")


# ---------------------------------------------------------------- exercise 3: chroma from a constant-Q transform


def cqt_test_magnitude(bins_per_octave: int, sr: int = 22050) -> np.ndarray:
    """The constant-Q magnitude the chroma check uses: ``(7 * bins_per_octave, n_frames)``, C1 to B7, hop 512.

    A chord of three harmonic tones (A3, C#4, E4), then a low G2 alone, a pause, and eight frames of digital silence
    (whose chroma must stay 0, not become NaN), so every pitch class row and every framing choice shows up.
    """
    import librosa

    from ..signals import sum_of_partials

    def tone(midi: int, seconds: float):
        f0 = 440.0 * 2 ** ((midi - 69) / 12)
        frequencies = tuple(f0 * k for k in range(1, 7))
        return sum_of_partials(frequencies, tuple(0.15 / k for k in range(1, 7)), seconds, sr)

    chord = tone(57, 0.6) + tone(61, 0.6) + tone(64, 0.6)
    y = np.concatenate([chord, tone(43, 0.6), np.zeros(int(1.2 * sr), dtype=np.float32)])
    with warnings.catch_warnings():  # 2.4 s halved once per octave is shorter than the lowest octaves' FFT: padded
        warnings.filterwarnings("ignore", message="n_fft=.* is too large for input signal", category=UserWarning)
        magnitude = np.abs(librosa.cqt(y, sr=sr, hop_length=512, fmin=librosa.note_to_hz("C1"),
                                       n_bins=7 * bins_per_octave, bins_per_octave=bins_per_octave, tuning=0.0))
    # The lowest filters are longer than the pause (1.6 s at 36 bins per octave): its frames still hear the notes.
    # Eight frames of exact zeros stand for a long stretch of digital silence.
    return np.concatenate([magnitude, np.zeros((magnitude.shape[0], 8), dtype=magnitude.dtype)], axis=1)


def chroma_from_cqt_reference(magnitude: np.ndarray, bins_per_octave: int, shift: float = 0.0,
                              fold: str = "round", power: float = 1.0, norm: str | None = "max",
                              start: int = 0) -> np.ndarray:
    """Chroma of a constant-Q magnitude whose bin 0 is C, one pitch class at a time: ``(12, n_frames)``.

    Bin ``j`` lies ``j * 12 / bins_per_octave`` semitones above the lowest C; it belongs to the nearest semitone
    (``fold='round'``; a bin exactly halfway, as every other bin at 24 bins per octave, goes to the upper
    semitone, as librosa's ``cq_to_chroma`` does), its pitch class counted from C (``start=0``). The other arguments
    build the typical mistakes: ``fold='floor'`` (bins grouped from each semitone upwards), ``fold='half_even'``
    (``np.round``, which sends halves to the even neighbour), ``start=9`` (rows counted from A),
    ``shift`` (semitones added), ``power=2`` (squared magnitudes), ``norm`` None (no normalisation), ``'sum'`` or
    ``'l2'``.
    """
    semitones = np.arange(magnitude.shape[0]) * 12 / bins_per_octave + shift
    if fold == "floor":
        nearest = np.floor(semitones + 1e-9)
    elif fold == "half_even":
        nearest = np.round(semitones)
    else:
        nearest = np.floor(semitones + 0.5)
    classes = (nearest.astype(int) - start) % 12
    chroma = np.zeros((12, magnitude.shape[1]))
    for pitch_class in range(12):
        chroma[pitch_class] = (magnitude[classes == pitch_class].astype(np.float64) ** power).sum(axis=0)
    if norm is None:
        return chroma
    scale = {"max": chroma.max(axis=0), "sum": chroma.sum(axis=0),
             "l2": np.sqrt((chroma ** 2).sum(axis=0))}[norm]
    return np.divide(chroma, scale, out=np.zeros_like(chroma), where=scale > 0)


def check_chroma_from_cqt_function(chroma_function: Callable | None) -> CheckResult:
    """Lesson 09: a from-scratch ``chroma_function(magnitude, bins_per_octave) -> (12, n_frames)``.

    ``magnitude``: a constant-Q magnitude from C1 (bin 0 = C1), ``(n_bins, n_frames)``. The result adds, for each
    pitch class (row 0 = C), the magnitudes of the bins nearest its semitones, and divides each frame by its largest
    value; silent frames stay 0. This is ``librosa.feature.chroma_cqt(C=magnitude, bins_per_octave=...)``. Checked
    on :func:`cqt_test_magnitude` at 36 bins per octave, then 24.
    """
    if chroma_function is None:
        return _unanswered("bin j lies j * 12 / bins_per_octave semitones above C1: round that to the nearest "
                           "semitone (halves up: np.floor(x + 0.5)), take it % 12, add up the magnitudes of each pitch class's bins, then divide "
                           "each frame (column) by its largest value.")
    for bins_per_octave in (36, 24):
        magnitude = cqt_test_magnitude(bins_per_octave)
        expected = chroma_from_cqt_reference(magnitude, bins_per_octave)
        result, problem = _call_student_function(chroma_function, magnitude.copy(), bins_per_octave)
        if problem is not None:
            return problem
        result = result.astype(np.float64)
        feedback = _chroma_feedback(result, magnitude, bins_per_octave, expected)
        if feedback is not None:
            return feedback
    frames = expected.shape[1]
    return _correct(f"all 12 × {frames} values match librosa.feature.chroma_cqt at 36 and at 24 bins per octave: "
                    "nearest semitone, magnitudes added, each frame divided by its largest value, silence left at 0.")


def _chroma_feedback(result, magnitude, bins_per_octave, expected) -> CheckResult | None:
    """None when ``result`` is right at this ``bins_per_octave``; otherwise what is wrong with it."""
    def same(candidate) -> bool:
        return result.shape == candidate.shape and bool(np.allclose(result, candidate, rtol=1e-4, atol=1e-5))

    if same(expected):
        return None
    if result.shape == expected.shape[::-1] and np.allclose(result.T, expected, rtol=1e-4, atol=1e-5):
        return _wrong(f"right numbers, but transposed: return shape (12, n_frames) = {expected.shape}, one row "
                      "per pitch class, like librosa.")
    if result.shape != expected.shape:
        return _wrong(f"your result has shape {result.shape}; expected (12, n_frames) = {expected.shape}: one row per "
                      "pitch class, one column per frame.")
    if np.isnan(result).any():
        silent = int(np.isnan(result).all(axis=0).sum())
        return _wrong(f"{silent} frames are NaN: a silent frame has largest value 0, and 0 / 0 is NaN. Leave those "
                      "frames at 0 (divide only where the largest value is above 0).")
    mistakes = [
        (dict(norm=None), "unnormalised chroma: divide each frame (column) by its largest value, so that the "
                          "strongest pitch class is 1 whatever the loudness (norm=np.inf)."),
        (dict(norm="sum"), "you divided each frame by its sum; chroma_cqt divides by the largest value (norm=np.inf), "
                           "so the strongest pitch class is exactly 1."),
        (dict(norm="l2"), "you divided each frame by its Euclidean length (norm=2); chroma_cqt divides by the "
                          "largest value (norm=np.inf)."),
        (dict(start=9), "your rows count from A (row 0 = A); chroma rows start at C: row 0 = C, row 9 = A."),
        (dict(fold="floor"), f"off by part of a semitone: with {bins_per_octave} bins per octave each semitone has "
                             f"{bins_per_octave // 12} bins, centred on it. Round j * 12 / bins_per_octave to the "
                             "nearest semitone; j // (bins_per_octave // 12) groups each semitone with the bins "
                             "above it."),
        (dict(shift=1), "off by one semitone, one row up: bin 0 of this transform is C1, pitch class 0."),
        (dict(shift=-1), "off by one semitone, one row down: bin 0 of this transform is C1, pitch class 0."),
        (dict(power=2), "you added squared magnitudes (power); chroma_cqt adds the magnitudes themselves."),
        (dict(power=2, norm=None), "unnormalised chroma of squared magnitudes: add the magnitudes themselves and "
                                   "divide each frame by its largest value."),
    ]
    for arguments, message in mistakes:
        if same(chroma_from_cqt_reference(magnitude, bins_per_octave, **arguments)):
            return _wrong(message)
    if bins_per_octave == 24:
        if same(chroma_from_cqt_reference(magnitude, 24, fold="half_even")):
            return _wrong("right at 36 bins per octave; at 24, every other bin lies exactly halfway between two "
                          "semitones (j * 12 / 24 = 0.5, 1.5, ...). librosa gives such a bin to the upper semitone, "
                          "floor(x + 0.5); np.round sends halves to the even number, so half of them go down.")
        if same(chroma_from_cqt_reference(magnitude, 36)):
            return _wrong("right at 36 bins per octave, not at 24: use the bins_per_octave argument instead of a "
                          "fixed 36.")
        return _wrong("right at 36 bins per octave, not at 24: use the bins_per_octave argument (bins per "
                      "semitone = bins_per_octave / 12) instead of fixed numbers.")
    worst = np.unravel_index(np.argmax(np.abs(result - expected)), expected.shape)
    return _not_right(f"pitch class {PITCH_CLASS_NAMES[worst[0]]} of frame {worst[1]} differs: yours "
                      f"{result[worst]:.3f}, librosa {expected[worst]:.3f}. Check which bins go to which pitch "
                      "class, and the normalisation.")

