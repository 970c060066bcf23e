"""Exercise checks for lesson 04: spectral centroid and roll-off.

Every check computes the expected value itself. The centroid convention is librosa's: each frame's spectrum is
weighted by its MAGNITUDE ``|X[k]|`` (not the power ``|X[k]|**2``), and bin ``k`` sits at ``k * sr / n_fft`` Hz.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import (CheckResult, _call_student_function, _close, _correct, _general_mistake, _matches, _not_right,
                   _number_answer, _unanswered, _unit_mistake, _wrong)

#: The exercises invite a measurement with librosa besides the prediction: a measured centroid lands within about
#: 0.5 % of the ideal formula (window leakage), a measured roll-off on a bin centre a bin or two away (bins are
#: 10.8 Hz apart with n_fft = 2048 at 22 050 Hz). So, besides the course's rule for numbers (exact, or correctly
#: rounded to 3 significant figures), a value within 2 % or 25 Hz of the prediction passes; the exercise text says
#: so. Every typical mistake is further away.
MEASUREMENT_TOLERANCE = 0.02
MEASUREMENT_TOLERANCE_HZ = 25.0
PREDICTION_TOLERANCE = MEASUREMENT_TOLERANCE  # the old name


def _measured(value: float, expected: float) -> bool:
    """The answer is the prediction by the course's rule, or a librosa measurement of it (2 % or 25 Hz)."""
    return _matches(value, expected) or abs(value - expected) <= max(MEASUREMENT_TOLERANCE * abs(expected),
                                                                      MEASUREMENT_TOLERANCE_HZ)


def _check_test_magnitude(sr: int, n_fft: int, hop_length: int) -> np.ndarray:
    """Magnitude spectrogram of the function check's test signal: ``(1 + n_fft // 2, n_frames)`` float64.

    Tones whose balance changes over time, a little noise everywhere (no frame is silent), and a click near each
    edge, so that every frame has a different centroid and the first and last frames differ from the rest.
    """
    import librosa

    from ..signals import click_train, pure_tone, white_noise

    duration_s = 0.6
    n = int(duration_s * sr)
    fade = np.linspace(1.0, 0.0, n, dtype=np.float32)
    y = (pure_tone(440, duration_s, sr, 0.4) * fade + pure_tone(2500, duration_s, sr, 0.3) * (1 - fade)
         + white_noise(duration_s, sr, 0.01, seed=4))
    clicks = click_train(1.0, 0.05, sr, amplitude=0.5, click_duration_s=0.004)
    y[: clicks.size] += clicks                     # a click at the very start
    y[n - clicks.size:] += clicks                  # and one at the very end
    return np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length, center=True)).astype(np.float64)


def check_spectral_centroid_function(centroid_function: Callable | None, sr: int = 22050,
                                     n_fft: int = 1024) -> CheckResult:
    """Lesson 04: a from-scratch ``centroid_function(magnitude, sr, n_fft) -> (n_frames,)`` in Hz.

    ``magnitude``: ``(1 + n_fft // 2, n_frames)``, a magnitude spectrogram (not power, not dB). The centroid of
    frame ``t`` is ``sum_k f_k * magnitude[k, t] / sum_k magnitude[k, t]`` with ``f_k = k * sr / n_fft`` Hz, as in
    ``librosa.feature.spectral_centroid``. The check runs the function on a test spectrogram made with a smaller
    ``n_fft`` than usual (1024), so a hard-coded 2048 shows up.
    """
    if centroid_function is None:
        return _unanswered("weight each bin's frequency k * sr / n_fft by its magnitude, sum over the frequency "
                           "axis (axis 0), and divide by the sum of the magnitudes.")
    magnitude = _check_test_magnitude(sr, n_fft, n_fft // 4)
    n_bins, n_frames = magnitude.shape
    frequencies = np.arange(n_bins) * sr / n_fft
    weights = magnitude / magnitude.sum(axis=0, keepdims=True)
    expected = frequencies @ weights
    answer, problem = _call_student_function(centroid_function, magnitude.copy(), sr, n_fft)
    if problem is not None:
        return problem
    result = answer.astype(np.float64).reshape(-1)
    if result.size == n_bins and n_bins != n_frames:
        return _wrong(f"you returned {result.size} values, one per frequency bin: sum over the frequency axis "
                      f"(axis=0), so that you get one centroid per frame ({n_frames} frames).")
    if result.size == n_frames and np.allclose(result, expected / 1000, rtol=1e-4):
        return _wrong("your centroids are in kHz; the function should return Hz (bin k at k * sr / n_fft Hz).")
    if result.size != n_frames:
        return _wrong(f"you returned {result.size} values; the test spectrogram has {n_frames} frames (columns), "
                      "and the centroid is one number per frame.")
    if not np.all(np.isfinite(result)):
        return _wrong("some of your centroids are NaN or infinite, although no test frame is silent: check the "
                      "division by the sum of the magnitudes.")
    if np.allclose(result, expected, rtol=1e-4, atol=1e-3):
        return _correct(f"all {n_frames} frames match, e.g. frame 0: {expected[0]:.1f} Hz, the middle frame: "
                        f"{expected[n_frames // 2]:.1f} Hz. Magnitude-weighted, in Hz, normalised per frame.")
    power = magnitude**2
    if np.allclose(result, frequencies @ (power / power.sum(axis=0, keepdims=True)), rtol=1e-4):
        return _wrong("you weighted by the power (magnitude squared). librosa's centroid weights each bin by its "
                      "magnitude |X|, so loud peaks count less than with power.")
    ratio = np.median(result / expected)
    if np.allclose(result, ratio * expected, rtol=1e-4):
        if _close(ratio, n_fft / sr):
            return _wrong("your centroids are in bins, not Hz: bin k lies at k * sr / n_fft Hz. Multiply the bin "
                          "numbers by sr / n_fft before weighting them.")
        if _close(ratio, 0.5):
            return _wrong("your frequencies are half of what they should be: bin k is at k * sr / n_fft Hz, not "
                          "k * sr / (2 * n_fft). (Or did you write 2048 instead of the n_fft argument? This test "
                          f"uses n_fft = {n_fft}.)")
        if _close(ratio, 2.0):
            return _wrong("your frequencies are twice what they should be: the bins run from 0 Hz to the Nyquist "
                          "frequency sr / 2 (bin k at k * sr / n_fft Hz), not up to sr.")
        if _close(ratio, 1 / sr**2):
            return _wrong("your frequencies are tiny: np.fft.rfftfreq(n_fft, d) takes the sample spacing "
                          "d = 1 / sr in seconds, not sr.")
    weighted_sums = frequencies @ magnitude
    if np.allclose(result, weighted_sums, rtol=1e-4):
        return _wrong("you forgot to normalise: divide each frame's weighted sum by the sum of that frame's "
                      "magnitudes, so the weights add up to 1 and the result is in Hz.")
    if np.allclose(result, weighted_sums / n_bins, rtol=1e-4):
        return _wrong("you divided by the number of bins (np.mean) instead of by the sum of the magnitudes: the "
                      "weighted mean divides by the total weight, sum_k |X[k]|.")
    worst = int(np.argmax(np.abs(result - expected)))
    return _not_right(f"frame {worst} differs: yours {result[worst]:.1f} Hz, expected {expected[worst]:.1f} Hz. "
                      "Compute sum_k f_k |X[k]| / sum_k |X[k]| for each column, with f_k = k * sr / n_fft.")


def _two_tone_values(f1: float, a1: float, f2: float, a2: float) -> dict[str, float]:
    return {
        "magnitude": (a1 * f1 + a2 * f2) / (a1 + a2),
        "midpoint": (f1 + f2) / 2,
        "power": (a1**2 * f1 + a2**2 * f2) / (a1**2 + a2**2),
        "swapped": (a2 * f1 + a1 * f2) / (a1 + a2),
    }


def check_two_tone_centroid(answer_hz, f1: float, a1: float, f2: float, a2: float) -> CheckResult:
    """Lesson 04: the spectral centroid (Hz) of two sine tones, ``f1`` Hz at amplitude ``a1`` and ``f2`` at ``a2``.

    With magnitude weighting (librosa's default) each tone counts in proportion to its amplitude:
    ``(a1 f1 + a2 f2) / (a1 + a2)``. The course's rule for numbers applies; a value measured with librosa (within
    2 % or 25 Hz) passes too.
    """
    value, feedback = _number_answer(
        answer_hz,
        "each tone's magnitude is proportional to its amplitude; take the weighted mean of the two "
        "frequencies with the amplitudes as weights.",
        "the answer is one frequency in Hz, a single number",
    )
    if feedback is not None:
        return feedback
    candidates = _two_tone_values(f1, a1, f2, a2)
    expected = candidates["magnitude"]
    if _measured(value, expected):
        return _correct(f"({a1:g} × {f1:g} + {a2:g} × {f2:g}) / ({a1:g} + {a2:g}) = {expected:.1f} Hz: the balance "
                        f"point sits nearer the louder tone.")
    if _matches(value, candidates["midpoint"]):
        return _wrong("that is the plain midpoint, right only when both tones are equally loud. Here the amplitudes "
                      "differ: weight each frequency by its amplitude, so the centroid moves towards the louder tone.")
    if _matches(value, candidates["power"]):
        return _wrong("you weighted by power (amplitude squared). librosa's centroid weights by magnitude, which is "
                      "proportional to the amplitude itself.")
    if _matches(value, candidates["swapped"]):
        return _wrong("the weights are swapped: the centroid moves towards the LOUDER tone, so multiply each "
                      "frequency by its own amplitude.")
    louder = f1 if a1 > a2 else f2
    if _matches(value, louder):
        return _wrong("that is the frequency of the louder tone (the spectrum's peak). The centroid is a weighted "
                      "mean of both frequencies, so it lies between them.")
    general = _general_mistake(value, expected, "Hz")
    if general:
        return _wrong(general)
    if not min(f1, f2) <= value <= max(f1, f2):
        return _not_right(f"not the centroid: a weighted mean of {f1:g} Hz and {f2:g} Hz lies between them. The "
                          "answer is one frequency in Hz.")
    return _not_right("not the centroid of these two tones. The answer is one frequency in Hz, between the two "
                      "tones: their mean weighted by magnitude.")


def check_two_tone_rolloff(answer_hz, f1: float, a1: float, f2: float, a2: float,
                           roll_percent: float = 0.85) -> CheckResult:
    """Lesson 04: the roll-off (Hz) of two tones, ``f1 < f2``, as ``librosa.feature.spectral_rolloff`` defines it.

    The roll-off is the lowest frequency at or below which ``roll_percent`` of the spectrum's total MAGNITUDE lies
    (librosa's default spectrogram is magnitude, although its docs say 'energy'). With ideal lines: ``f1`` if
    ``a1 / (a1 + a2) >= roll_percent``, else ``f2``. Besides the course's rule for numbers, answers within 2 % or
    25 Hz of that frequency pass: a measurement returns a bin centre a bin or two away, because the window spreads
    each tone over a few bins.
    """
    value, feedback = _number_answer(
        answer_hz,
        "add up the magnitudes from 0 Hz upwards. Which tone brings the running total to "
        f"{100 * roll_percent:g} % of the whole?",
        "the answer is one frequency in Hz, a single number",
    )
    if feedback is not None:
        return feedback
    if f1 > f2:
        f1, a1, f2, a2 = f2, a2, f1, a1
    share_below = a1 / (a1 + a2)
    expected = f1 if share_below >= roll_percent else f2
    other = f2 if expected == f1 else f1
    near = _measured

    if near(value, expected):
        return _correct(f"the {f1:g} Hz tone holds {100 * share_below:.0f} % of the total magnitude, "
                        f"{'enough' if expected == f1 else 'not enough'} for {100 * roll_percent:g} %, so the "
                        f"roll-off is at {expected:g} Hz.")
    power_share = a1**2 / (a1**2 + a2**2)
    power_answer = f1 if power_share >= roll_percent else f2
    if power_answer != expected and near(value, power_answer):
        return _wrong(f"that is the answer with power (amplitude squared): then {100 * power_share:.0f} % lies at "
                      f"{f1:g} Hz. librosa sums magnitudes, and {f1:g} Hz holds only {100 * share_below:.0f} % of "
                      "the total magnitude.")
    if near(value, other):
        return _wrong(f"at {f1:g} Hz the running total is {100 * share_below:.0f} % of the magnitude: compare that "
                      f"with {100 * roll_percent:g} %.")
    centroid = (a1 * f1 + a2 * f2) / (a1 + a2)
    if _matches(value, centroid):
        return _wrong("that is the centroid (the weighted mean). The roll-off is where the running total of the "
                      f"magnitudes first reaches {100 * roll_percent:g} %, and with two tones that is one of them.")
    unit = _unit_mistake(value, expected, "Hz")
    if unit:
        return _wrong(unit)
    return _not_right(f"not the roll-off. The answer is one frequency in Hz: with only two tones the running total "
                      f"jumps at {f1:g} Hz and at {f2:g} Hz, so the roll-off is one of those two frequencies.")
