"""Exercise checks for lesson 03: the zero-crossing rate (ZCR).

Every check computes the expected value itself. The conventions are librosa's ``feature.zero_crossing_rate``:
frames centred by padding ``frame_length // 2`` copies of the first and last sample (``mode='edge'``, not zeros);
samples with ``|y| <= 1e-10`` count as 0, and 0 counts as positive (``np.signbit``); a crossing is a sign change
between neighbouring samples inside one frame; the rate is the number of crossings divided by ``frame_length``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import (CheckResult, _call_student_function, _correct, _matches, _not_right, _number_answer,
                   _rounding_mistake, _unanswered, _wrong)

#: librosa's default ``threshold``: samples this close to 0 are treated as exactly 0.
LIBROSA_THRESHOLD = 1e-10


def zcr_reference(y: np.ndarray, frame_length: int, hop_length: int, pad_mode: str = "edge", center: bool = True,
                  sign: str = "signbit") -> np.ndarray:
    """The ZCR of every frame, ``(n_frames,)`` float64, vectorised; librosa's result with the default arguments.

    The other arguments build the typical mistakes the checks recognise: ``pad_mode='constant'`` (zero padding),
    ``pad_mode='reflect'``, ``center=False``, and ``sign='sign'`` (0 as a third sign, ``np.sign``),
    ``sign='product'`` (a crossing only where ``y[n - 1] * y[n] < 0``, so steps to or from an exact 0 never count) or
    ``sign='positive'`` (``y > 0``, which counts 0 as negative).
    """
    y = np.asarray(y, dtype=np.float64)
    if center:
        y = np.pad(y, frame_length // 2, mode=pad_mode)
    frames = np.lib.stride_tricks.sliding_window_view(y, frame_length)[::hop_length]
    frames = np.where(np.abs(frames) <= LIBROSA_THRESHOLD, 0.0, frames)
    if sign == "signbit":
        changes = np.signbit(frames[:, 1:]) != np.signbit(frames[:, :-1])
    elif sign == "sign":
        changes = np.sign(frames[:, 1:]) != np.sign(frames[:, :-1])
    elif sign == "product":
        changes = frames[:, 1:] * frames[:, :-1] < 0
    elif sign == "positive":
        changes = (frames[:, 1:] > 0) != (frames[:, :-1] > 0)
    else:
        raise ValueError(sign)
    return changes.sum(axis=1) / frame_length


def function_test_signal(sr: int = 22050) -> np.ndarray:
    """The test signal of :func:`check_zero_crossing_rate_function`: ``(n,)`` float32, about 0.42 s.

    It starts and ends on a short negative step (zero padding would fake a crossing at both edges; edge copies do
    not), holds tones and noise (every frame has a different rate), and a stretch of exact digital silence that a
    positive sample enters and a negative one leaves (where 0 as positive, 0 as a third sign and the product test
    disagree). No sample lies in the 0 < |y| <= 1e-10 range where librosa's threshold would matter.
    """
    from ..signals import pure_tone, white_noise

    step = np.full(60, -0.3, dtype=np.float32)
    tone_low = pure_tone(437.0, 0.1, sr, amplitude=0.4, phase=-np.pi / 2)   # starts at -0.4
    noise = white_noise(0.08, sr, amplitude=0.2, seed=11)
    silence = np.zeros(900, dtype=np.float32)
    tone_high = pure_tone(2903.0, 0.08, sr, amplitude=0.3, phase=-np.pi / 2)
    noise_end = white_noise(0.1, sr, amplitude=0.1, seed=12)
    y = np.concatenate([step, tone_low, noise, silence, tone_high, noise_end, step]).astype(np.float32)
    gap_start = step.size + tone_low.size + noise.size
    y[gap_start - 1] = 0.2                      # a positive sample enters the silence ...
    y[gap_start + silence.size] = -0.25         # ... and a negative one leaves it
    return y


def _function_feedback(result: np.ndarray, y: np.ndarray, frame_length: int, hop_length: int) -> CheckResult:
    expected = zcr_reference(y, frame_length, hop_length)
    if np.allclose(result, expected, rtol=0, atol=1e-9):
        middle = expected.size // 2
        return _correct(f"all {expected.size} frames match librosa's conventions (edge padding, 0 counts as "
                        f"positive, crossings / frame_length); e.g. frame {middle}: {expected[middle]:.4f}.")
    scales = {"rate": 1.0, "counts": float(frame_length), "pairs": frame_length / (frame_length - 1)}
    paddings = {"edge": "edge", "zeros": "constant", "reflect": "reflect"}
    signs = ("signbit", "sign", "product", "positive")
    for scale_name, scale in scales.items():
        for padding_name, pad_mode in paddings.items():
            for sign in signs:
                if scale_name == "rate" and padding_name == "edge" and sign == "signbit":
                    continue
                variant = scale * zcr_reference(y, frame_length, hop_length, pad_mode=pad_mode, sign=sign)
                if np.allclose(result, variant, rtol=0, atol=1e-9 * scale):
                    return _wrong(" Also: ".join(_MISTAKES[name] for name in
                                                 (scale_name, padding_name, sign) if name in _MISTAKES))
    worst = int(np.argmax(np.abs(result - expected)))
    return _not_right(f"frame {worst} differs: yours {result[worst]:.5f}, expected {expected[worst]:.5f} "
                  f"({round(expected[worst] * frame_length)} crossings / {frame_length}). Count the sign changes "
                  "between neighbouring samples inside each frame, with np.signbit so that 0 counts as positive.")


_MISTAKES = {
    "counts": "you returned the number of crossings in each frame; librosa reports a rate per sample: divide each "
              "count by frame_length.",
    "pairs": "you divided by frame_length - 1 (the number of neighbouring pairs in a frame); librosa divides by "
             "frame_length.",
    "zeros": "you padded with zeros. librosa pads with copies of the first and last sample (np.pad(y, "
             "frame_length // 2, mode='edge')): a padded 0 counts as positive, so zeros next to a negative first or "
             "last sample fake a crossing.",
    "reflect": "you padded by reflection (mode='reflect', librosa's choice for the STFT before version 0.10). The "
               "ZCR pads with copies of the first and last sample: np.pad(y, frame_length // 2, mode='edge').",
    "positive": "you tested y > 0, which counts an exact 0 as negative. librosa counts 0 as positive: compare "
                "np.signbit of neighbouring samples (np.signbit(0.0) is False).",
    "sign": "you treated 0 as a third sign (np.sign). librosa counts 0 as positive (np.signbit), so a step from a "
            "positive sample to an exact 0 is not a crossing.",
    "product": "you counted a crossing only where y[n - 1] * y[n] < 0, which misses every step between an exact 0 "
               "and a negative sample. librosa counts 0 as positive: compare np.signbit of neighbouring samples.",
}


def check_zero_crossing_rate_function(zcr_function: Callable | None, frame_length: int = 1024,
                                      hop_length: int = 256) -> CheckResult:
    """Lesson 03: a from-scratch ``zcr_function(y, frame_length, hop_length) -> (n_frames,)`` like librosa's.

    It is run on :func:`function_test_signal` with ``frame_length = 1024`` and ``hop_length = 256`` (not librosa's
    defaults, so hard-coded numbers show up) and compared with :func:`zcr_reference` to 1e-9.
    """
    if zcr_function is None:
        return _unanswered("pad frame_length // 2 edge copies on both sides (np.pad(..., mode='edge')), cut frames "
                           "every hop_length samples, count where np.signbit changes between neighbours, and divide "
                           "by frame_length.")
    y = function_test_signal()
    answer, problem = _call_student_function(zcr_function, y.copy(), frame_length, hop_length)
    if problem is not None:
        return problem
    result = answer.astype(np.float64).reshape(-1)
    n_frames = 1 + y.size // hop_length
    if result.size != n_frames:
        if result.size == 1 + (y.size - frame_length) // hop_length:
            return _wrong(f"you made {result.size} frames, the centred framing makes {n_frames}: pad frame_length "
                          "// 2 samples on both sides first (copies of the edge samples), so that frame k is "
                          "centred on sample k * hop_length.")
        if result.size in (1 + y.size // 512, 1 + (y.size - 2048) // 512):
            return _wrong(f"you made {result.size} frames: it looks as if you used 2048 and 512 instead of the "
                          f"frame_length and hop_length arguments (this test uses {frame_length} and {hop_length}).")
        return _wrong(f"you made {result.size} frames, the centred framing makes {n_frames} "
                      "(1 + len(y) // hop_length). Check the range of frame starts.")
    if not np.all(np.isfinite(result)):
        return _wrong("some of your values are NaN or infinite; a rate of crossings is always between 0 and 1.")
    return _function_feedback(result, y, frame_length, hop_length)


def check_tone_zcr(answer, frequency_hz: float, sr: float) -> CheckResult:
    """Lesson 03: the ZCR (crossings per sample, as librosa reports it) of a pure tone of ``frequency_hz`` at ``sr``.

    A sine crosses zero twice per period, so ``2 f`` times per second and ``2 f / sr`` times per sample. The
    course's rule for numbers applies (exact, or correctly rounded to 3 or more significant figures).
    """
    value, feedback = _number_answer(
        answer,
        "count the crossings in one period of the sine, then how many periods fit into one "
        "sample's worth of time (1 / sr seconds).",
        "the answer is one number (crossings per sample)",
    )
    if feedback is not None:
        return feedback
    expected = 2 * frequency_hz / sr
    if _matches(value, expected):
        return _correct(f"2 × {frequency_hz:g} / {sr:g} = {expected:.5f} crossings per sample, i.e. "
                        f"{2 * frequency_hz:g} crossings per second: two per period.")
    if _matches(value, frequency_hz / sr):
        return _wrong("that counts one crossing per period. A sine crosses zero twice per period (once going up, "
                      "once going down): 2 f / sr.")
    if _matches(value, 2 * frequency_hz):
        return _wrong("that is crossings per second. librosa's ZCR is per sample: divide by the sampling rate sr.")
    if _matches(value, frequency_hz):
        return _wrong("that is the tone's frequency in Hz (periods per second). Count crossings (two per period) "
                      "and express them per sample: 2 f / sr.")
    if _matches(value, sr / (2 * frequency_hz)):
        return _wrong("that is upside down: the number of samples between two crossings. The rate is its inverse, "
                      "2 f / sr.")
    if _matches(value, frequency_hz / (2 * sr)):
        return _wrong("you divided by 2 instead of multiplying: two crossings per period means 2 f / sr.")
    if _matches(value, 100 * expected):
        return _wrong("that is a percentage; librosa's ZCR is a plain rate per sample (divide by 100).")
    for other_rate in (22050, 44100, 48000, 16000, 8000):
        if other_rate != sr and _matches(value, 2 * frequency_hz / other_rate):
            return _wrong(f"you used sr = {other_rate}, but this tone is sampled at {sr:g} Hz.")
    rounding = _rounding_mistake(value, expected)
    if rounding:
        return _wrong(rounding)
    return _not_right("not the ZCR of this tone. The answer is one rate in crossings per sample, between 0 and 1: "
                      "how many times does a sine cross zero in one period, and how many periods pass per sample?")


def _frame_levels_db(y: np.ndarray, frame_length: int, hop_length: int) -> np.ndarray:
    import librosa

    rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length)[0].astype(np.float64)
    return 20 * np.log10(np.maximum(rms, 1e-10))


def check_loud_frame_zcr(answer, y: np.ndarray, sr: float, threshold_db: float = -40.0, frame_length: int = 2048,
                         hop_length: int = 512) -> CheckResult:
    """Lesson 03: the mean ZCR (librosa's defaults) over the frames whose RMS level is above ``threshold_db`` dBFS.

    Both features use the same centred frames (``frame_length``, ``hop_length``), so frame ``k`` of one is frame
    ``k`` of the other. The level of a frame is ``20 log10(RMS)``; frames exactly at the threshold may go either way.
    """
    value, feedback = _number_answer(
        answer,
        "compute the RMS of every frame (lesson 01), turn it into dBFS with 20 * log10, keep the "
        "frames above the threshold with a boolean mask, and average the ZCR of those frames.",
        "the answer is one number, a mean ZCR in crossings per sample",
    )
    if feedback is not None:
        return feedback
    import librosa

    zcr = librosa.feature.zero_crossing_rate(y, frame_length=frame_length, hop_length=hop_length)[0]
    zcr = zcr.astype(np.float64)
    level_db = _frame_levels_db(y, frame_length, hop_length)
    loud = level_db > threshold_db
    if not loud.any() or loud.all():
        raise ValueError("the clip needs both loud and quiet frames for this check")
    accepted = {float(zcr[loud].mean()), float(zcr[level_db >= threshold_db].mean())}
    expected = float(zcr[loud].mean())
    if any(_matches(value, candidate) for candidate in accepted):
        return _correct(f"{int(loud.sum())} of {loud.size} frames are above {threshold_db:g} dBFS; their mean ZCR is "
                        f"{expected:.4f}, against {zcr.mean():.4f} over all frames.")
    if _matches(value, float(zcr.mean())):
        return _wrong("that is the mean over all frames: the quiet ones are still in. (Did you compare the linear "
                      f"RMS with {threshold_db:g}? Every RMS is above it. Convert to dB with 20 * log10(rms) first.)")
    if _matches(value, float(zcr[~loud].mean())):
        return _wrong("that is the mean over the quiet frames: the comparison is the wrong way round. Keep the "
                      f"frames whose level is above {threshold_db:g} dBFS.")
    power_threshold = 20 * np.log10(10 ** (threshold_db / 10))  # the RMS level a power-ratio formula ends up using
    if _matches(value, float(zcr[level_db > power_threshold].mean())):
        return _wrong(f"you used the power formula: 10 · log10(rms), or a threshold of 10 ** ({threshold_db:g} / 10). "
                      f"RMS is an amplitude: its level is 20 · log10(rms), and {threshold_db:g} dBFS is "
                      f"10 ** ({threshold_db:g} / 20).")
    relative_to_loudest = level_db - level_db.max()
    if _matches(value, float(zcr[relative_to_loudest > threshold_db].mean())):
        return _wrong(f"your levels are relative to the clip's loudest frame (ref=np.max), not to full scale: "
                      f"dBFS means 20 · log10(rms) with ref = 1, so that {threshold_db:g} dBFS is the same level "
                      "in every clip.")
    if _matches(value, float(np.median(zcr[loud]))):
        return _wrong("that is the median of the loud frames; the question asks for their mean.")
    if _matches(value, expected * sr):
        return _wrong("that is in crossings per second. Give the mean as librosa reports it, per sample.")
    rounding = _rounding_mistake(value, expected)
    if rounding:
        return _wrong(rounding)
    return _not_right(f"not the mean ZCR of those frames. The answer is one rate in crossings per sample: the mean of "
                      f"the ZCR over the frames whose 20 * log10(RMS) is above {threshold_db:g}, both features with "
                      f"frame_length={frame_length}, hop_length={hop_length}.")
