"""Exercise checks for lessons 00 (samples, rates, durations) and 01 (RMS and frames)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import (CheckResult, _as_number, _call_student_function, _correct, _describe, _matches, _not_right,
                   _number_answer, _rounding_mistake, _unanswered, _unit_mistake, _wrong)

# ---------------------------------------------------------------- lesson 00: samples, rates and durations


def check_duration(answer_s, y: np.ndarray, sr: float) -> CheckResult:
    """Lesson 00: the duration in seconds of ``y`` (``(n,)`` samples at ``sr`` Hz)."""
    value, feedback = _number_answer(
        answer_s,
        "a clip has len(y) samples, and sr of them make one second.",
        "the answer should be one number of seconds",
    )
    if feedback is not None:
        return feedback
    n_samples = y.shape[-1]
    expected = n_samples / sr
    if _matches(value, expected):
        return _correct(f"{n_samples} samples / {sr} samples per second = {expected:.4g} s.")
    if _matches(value, n_samples):
        return _wrong("that is the number of samples, not seconds: divide by the sampling rate sr.")
    unit = _unit_mistake(value, expected, "s")
    if unit:
        return _wrong(unit)
    if _matches(value, sr / n_samples):
        return _wrong("upside down: divide the number of samples by the sampling rate, len(y) / sr.")
    for other_rate in (44100, 48000, 22050, 16000, 8000):
        if other_rate != sr and _matches(value, n_samples / other_rate):
            return _wrong(f"you divided by {other_rate}, but this clip was loaded at sr = {sr} Hz. Use the sr "
                          "that load_sample returned, not the file's own rate.")
    if float(value).is_integer() and value in (n_samples // sr, round(expected)):
        return _wrong("that is the duration in whole seconds only (rounded, or cut off by integer division //): "
                      "compute len(y) / sr and keep at least 3 significant figures.")
    rounding = _rounding_mistake(value, expected)
    if rounding:
        return _wrong(rounding)
    return _not_right("not the duration of this clip. The answer is one number of seconds: len(y) / sr, with the y "
                      "and sr of this clip.")


def check_sample_count(answer, duration_s: float, sr: float) -> CheckResult:
    """Lesson 00: how many samples make ``duration_s`` seconds at ``sr`` Hz."""
    value, feedback = _number_answer(answer, "each second holds sr samples.",
                                     "the answer should be one whole number of samples")
    if feedback is not None:
        return feedback
    expected = round(duration_s * sr)
    if value == expected:
        return _correct(f"round({duration_s} s × {sr} samples/s) = {expected} samples.")
    if not float(value).is_integer() and abs(value - expected) <= 0.5:
        return _wrong(f"close, but a sample count is a whole number: round({duration_s} * sr) = {expected}.")
    if value == int(duration_s * sr) and value != expected:
        return _wrong("int(...) cuts off the fraction, and duration × sr can come out as 15434.9999 in floating "
                      "point: use round(duration * sr).")
    if _matches(value, duration_s / sr):
        return _wrong("you divided; multiply the duration by the sampling rate instead.")
    for other_rate in (44100, 48000, 22050, 16000, 8000):
        if other_rate != sr and abs(value - duration_s * other_rate) <= 0.5:
            return _wrong(f"that uses {other_rate} samples per second, but sr here is {sr}.")
    if _matches(value, duration_s * sr / 1000) or _matches(value, duration_s * 1000 * sr):
        return _wrong("the duration is in seconds and sr in samples per second: multiply them as they are, without "
                      "converting to milliseconds.")
    return _not_right("not the number of samples. The answer is one whole number: the duration in seconds times sr, "
                      "rounded.")


# ---------------------------------------------------------------- lesson 01: RMS and frames


def check_rms(answer, frame: np.ndarray) -> CheckResult:
    """Lesson 01: the root-mean-square level of one frame (``(frame_length,)`` samples)."""
    if answer is None:
        return _unanswered("square every sample, take the mean, then the square root.")
    value = _as_number(answer)
    frame = np.asarray(frame, dtype=np.float64)
    if value is None:
        try:
            values = np.asarray(answer, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            values = None
        if values is not None and values.size > 1 and np.asarray(answer).dtype != bool:
            import librosa

            centred = librosa.feature.rms(y=frame, frame_length=frame.size).reshape(-1)
            if values.size == centred.size and np.allclose(values, centred, rtol=1e-4):
                return _wrong(f"you gave the {values.size} values of librosa.feature.rms: it centres and pads its "
                              "frames, so it cut this frame into several. The RMS of one frame is a single number: "
                              "compute it directly.")
        return _wrong(f"the RMS of one frame is a single number; you gave {_describe(answer)}.")
    expected = float(np.sqrt(np.mean(frame**2)))
    if _matches(value, expected):
        return _correct(f"RMS = {expected:.4f}. It is the level a steady sound would need to carry the same energy.")
    if _matches(value, expected**2):
        return _wrong("that is the mean square (the power). Take its square root to get back to amplitude units.")
    if _matches(value, float(np.mean(np.abs(frame)))):
        return _wrong("that is the mean absolute value. RMS squares the samples first, so loud peaks count more.")
    if _matches(value, float(np.sqrt(np.sum(frame**2)))):
        return _wrong("you summed the squares instead of averaging them: divide by the number of samples.")
    if _matches(value, float(np.mean(frame))):
        return _wrong("that is the plain mean, which is near 0 for audio because positive and negative samples "
                      "cancel. Square the samples first.")
    if _matches(value, float(np.max(np.abs(frame)))):
        return _wrong("that is the peak (largest absolute sample). RMS averages the squares of all samples.")
    if expected > 0 and _matches(value, 20 * np.log10(expected)):
        return _wrong("that is the RMS in dB (20 · log10); the question asks for the plain RMS in amplitude units.")
    if expected > 0 and _matches(value, 10 * np.log10(expected**2)):
        return _wrong("that is the RMS level in dB; the question asks for the plain RMS in amplitude units.")
    rounding = _rounding_mistake(value, expected)
    if rounding:
        return _wrong(rounding)
    return _not_right("not the RMS of this frame. The answer is one number in amplitude units (between 0 and 1 for "
                      "audio in -1...1): np.sqrt(np.mean(frame ** 2)) of the frame given.")


def check_frame_count(answer, n_samples: int, frame_length: int, hop_length: int) -> CheckResult:
    """Lesson 01: how many centred frames librosa makes from ``n_samples`` samples."""
    value, feedback = _number_answer(
        answer,
        "with centring, there is one frame centred on every hop_length-th sample, starting at 0.",
        "the answer is one whole number of frames",
    )
    if feedback is not None:
        return feedback
    expected = 1 + n_samples // hop_length
    if value == expected:
        return _correct(f"1 + {n_samples} // {hop_length} = {expected} frames, centred on samples 0, "
                        f"{hop_length}, {2 * hop_length}, ...")
    if value == 1 + (n_samples - frame_length) // hop_length:
        return _wrong("that is the count without centring. librosa pads frame_length // 2 samples on each side "
                      "(center=True), so frames fit all the way to both ends: 1 + n_samples // hop_length.")
    if value == n_samples // hop_length:
        return _wrong("off by one: count the frame centred on sample 0 too.")
    if not float(value).is_integer():
        return _wrong("a number of frames is a whole number: count the frames centred on samples 0, hop_length, "
                      "2 * hop_length, ...")
    return _not_right("not the number of frames. The answer is one whole number; with centring, frame k is centred on "
                      "sample k * hop_length.")


def amplitude_envelope_test_signal(sr: int = 22050) -> np.ndarray:
    """The signal the envelope check uses: clicks right at both edges, a tone, silence, a quieter tone.

    The edge clicks make framing mistakes visible: frames shifted by a few samples, or padding on one side only,
    change the first and last frames. (The padding *mode* cannot matter for a maximum: padded values mirror or
    repeat samples that the same frame already contains, or are zeros.)
    """
    from ..signals import pure_tone

    y = np.concatenate([np.zeros(300, np.float32), pure_tone(440, 0.5, sr), np.zeros(5000, np.float32),
                        pure_tone(660, 0.3, sr, amplitude=0.1), np.zeros(300, np.float32)])
    y[3] = 0.9    # a click 3 samples from the start
    y[-4] = -0.7  # and a negative one 4 samples from the end
    return y


def check_amplitude_envelope_function(envelope_function: Callable | None, frame_length: int = 1024,
                                      hop_length: int = 256) -> CheckResult:
    """Lesson 01: a from-scratch ``envelope_function(y, frame_length, hop_length) -> (n_frames,)``.

    The amplitude envelope is the largest absolute sample in each frame, with the same centred framing as
    ``librosa.feature.rms`` (zero padding of ``frame_length // 2`` on both sides). It is run on
    :func:`amplitude_envelope_test_signal` and compared with a reference built on ``librosa.util.frame``.
    """
    if envelope_function is None:
        return _unanswered("reuse the framing of rms_from_scratch, but keep the largest absolute value of each "
                           "frame instead of its RMS.")
    import librosa

    y = amplitude_envelope_test_signal()
    result, problem = _call_student_function(envelope_function, y.copy(), frame_length, hop_length)
    if problem is not None:
        return problem
    result = result.astype(np.float64).reshape(-1)

    def framed(signal):
        padded = np.pad(signal, frame_length // 2)
        return librosa.util.frame(padded, frame_length=frame_length, hop_length=hop_length)

    reference = np.abs(framed(y)).max(axis=0)
    uncentred = 1 + (y.size - frame_length) // hop_length
    if result.size == uncentred and result.size != reference.size:
        return _wrong(f"you made {result.size} frames, the centred framing makes {reference.size}: pad "
                      "frame_length // 2 zeros on both sides first, so the first frame is centred on sample 0.")
    if result.size != reference.size:
        return _wrong(f"you made {result.size} frames, the centred framing makes {reference.size} "
                      "(1 + len(y) // hop_length). Check the range of frame starts.")
    if np.allclose(result, reference, atol=1e-6):
        return _correct(f"all {result.size} frames match the reference envelope, edges included.")
    if np.allclose(result, framed(y).max(axis=0), atol=1e-6):
        return _wrong("you took the largest signed sample: a negative peak counts too, so take np.abs first.")
    if np.allclose(result, np.sqrt(np.mean(framed(y) ** 2, axis=0)), atol=1e-6):
        return _wrong("that is the RMS of each frame; the amplitude envelope keeps the largest absolute sample.")
    wrong_frames = np.flatnonzero(~np.isclose(result, reference, atol=1e-6))
    if wrong_frames.size and set(wrong_frames) <= {0, 1, 2, 3, reference.size - 4, reference.size - 3,
                                                   reference.size - 2, reference.size - 1}:
        return _wrong(f"only the frames at the edges differ (frames {', '.join(map(str, wrong_frames))}): pad "
                      "frame_length // 2 zeros at BOTH ends, so the first frame is centred on sample 0.")
    worst = int(np.argmax(np.abs(result - reference)))
    return _not_right(f"frame {worst} differs: yours {result[worst]:.4f}, expected {reference[worst]:.4f}. Check the "
                      "padding (zeros, frame_length // 2 each side) and that each frame is frame_length samples long.")
