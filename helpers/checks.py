"""Automatic checks for the lessons' exercises.

Each ``check_...`` function compares a student's answer with a value it computes itself from the same inputs, and
returns a :class:`CheckResult`: it shows a green "correct" or, for a wrong answer, names the typical mistake it
recognises (samples instead of seconds, a forgotten square root, frames not centred, ...). An answer still set to
``None`` is reported as "not answered yet", never as an error, so a notebook always runs top to bottom.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np


class CheckResult:
    """Outcome of an exercise check: truthy when correct; shows as a coloured box in a notebook."""

    def __init__(self, status: str, message: str):
        if status not in ("correct", "wrong", "unanswered"):
            raise ValueError(status)
        self.status = status
        self.message = message

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    _STYLE = {"correct": ("#e6f4ea", "#1e7b34", "Correct"), "wrong": ("#fdecea", "#a1260d", "Not yet"),
              "unanswered": ("#eef3fb", "#1f4e8c", "Not answered yet")}

    def __repr__(self) -> str:
        return f"{self._STYLE[self.status][2]}: {self.message}"

    def _repr_html_(self) -> str:
        background, border, heading = self._STYLE[self.status]
        return (f'<div role="status" style="background:{background};border-left:4px solid {border};'
                f'padding:0.4em 0.8em;color:#111"><strong>{heading}:</strong> {html.escape(self.message)}</div>')


def _correct(message: str) -> CheckResult:
    return CheckResult("correct", message)


def _wrong(message: str) -> CheckResult:
    return CheckResult("wrong", message)


def _unanswered(hint: str) -> CheckResult:
    return CheckResult("unanswered", "replace None with your answer and run the cell again. Hint: " + hint)


def _as_number(answer) -> float | None:
    try:
        value = float(np.asarray(answer).reshape(-1)[0]) if np.size(answer) == 1 else None
    except (TypeError, ValueError):
        return None
    return value


def _close(a: float, b: float, relative: float = 1e-3, absolute: float = 1e-9) -> bool:
    return bool(np.isclose(a, b, rtol=relative, atol=absolute))


# ---------------------------------------------------------------- lesson 00: samples, rates and durations


def check_duration(answer_s, y: np.ndarray, sr: float) -> CheckResult:
    """Lesson 00: the duration in seconds of ``y`` (``(n,)`` samples at ``sr`` Hz)."""
    if answer_s is None:
        return _unanswered("a clip has len(y) samples, and sr of them make one second.")
    value = _as_number(answer_s)
    n_samples = y.shape[-1]
    expected = n_samples / sr
    if value is None:
        return _wrong(f"the answer should be one number of seconds, not {type(answer_s).__name__}.")
    if _close(value, expected, absolute=0.01):
        return _correct(f"{n_samples} samples / {sr} samples per second = {expected:.2f} s.")
    if _close(value, n_samples):
        return _wrong("that is the number of samples, not seconds: divide by the sampling rate sr.")
    if _close(value, expected / 60):
        return _wrong("that is in minutes; the question asks for seconds.")
    for other_rate in (44100, 48000, 22050, 16000):
        if other_rate != sr and _close(value, n_samples / other_rate):
            return _wrong(f"you divided by {other_rate}, but this clip was loaded at sr = {sr} Hz. Use sr.")
    return _wrong("not the duration. Compute len(y) / sr.")


def check_sample_count(answer, duration_s: float, sr: float) -> CheckResult:
    """Lesson 00: how many samples make ``duration_s`` seconds at ``sr`` Hz."""
    if answer is None:
        return _unanswered("each second holds sr samples.")
    value = _as_number(answer)
    expected = round(duration_s * sr)
    if value is None:
        return _wrong("the answer should be one whole number of samples.")
    if _close(value, expected, relative=0, absolute=0.5):
        if not float(value).is_integer():
            return _correct(f"{expected} samples (a sample count is a whole number: use int(...) to index arrays).")
        return _correct(f"{duration_s} s × {sr} samples/s = {expected} samples.")
    if _close(value, duration_s / sr):
        return _wrong("you divided; multiply the duration by the sampling rate instead.")
    for other_rate in (44100, 48000, 22050, 16000):
        if other_rate != sr and _close(value, duration_s * other_rate, relative=0, absolute=0.5):
            return _wrong(f"that uses {other_rate} samples per second, but sr here is {sr}.")
    return _wrong("not quite. Multiply the duration in seconds by sr.")


# ---------------------------------------------------------------- lesson 01: RMS and frames


def check_rms(answer, frame: np.ndarray) -> CheckResult:
    """Lesson 01: the root-mean-square level of one frame (``(frame_length,)`` samples)."""
    if answer is None:
        return _unanswered("square every sample, take the mean, then the square root.")
    value = _as_number(answer)
    if value is None:
        return _wrong("the RMS of one frame is a single number.")
    frame = np.asarray(frame, dtype=np.float64)
    expected = float(np.sqrt(np.mean(frame**2)))
    if _close(value, expected):
        return _correct(f"RMS = {expected:.4f}. It is the level a steady sound would need to carry the same energy.")
    if _close(value, expected**2):
        return _wrong("that is the mean square (the power). Take its square root to get back to amplitude units.")
    if _close(value, float(np.mean(np.abs(frame)))):
        return _wrong("that is the mean absolute value. RMS squares the samples first, so loud peaks count more.")
    if _close(value, float(np.sqrt(np.sum(frame**2)))):
        return _wrong("you summed the squares instead of averaging them: divide by the number of samples.")
    if _close(value, float(np.mean(frame)), absolute=1e-6):
        return _wrong("that is the plain mean, which is near 0 for audio because positive and negative samples "
                      "cancel. Square the samples first.")
    return _wrong("not the RMS. Compute np.sqrt(np.mean(frame ** 2)).")


def check_frame_count(answer, n_samples: int, frame_length: int, hop_length: int) -> CheckResult:
    """Lesson 01: how many centred frames librosa makes from ``n_samples`` samples."""
    if answer is None:
        return _unanswered("with centring, there is one frame centred on every hop_length-th sample, starting at 0.")
    value = _as_number(answer)
    expected = 1 + n_samples // hop_length
    if value is None:
        return _wrong("the answer is one whole number of frames.")
    if _close(value, expected, relative=0, absolute=1e-9):
        return _correct(f"1 + {n_samples} // {hop_length} = {expected} frames, centred on samples 0, "
                        f"{hop_length}, {2 * hop_length}, ...")
    if _close(value, 1 + (n_samples - frame_length) // hop_length, relative=0, absolute=1e-9):
        return _wrong("that is the count without centring. librosa pads frame_length // 2 samples on each side "
                      "(center=True), so frames fit all the way to both ends: 1 + n_samples // hop_length.")
    if _close(value, n_samples // hop_length, relative=0, absolute=1e-9):
        return _wrong("off by one: count the frame centred on sample 0 too.")
    if _close(value, n_samples / hop_length):
        return _wrong("frames come in whole numbers: use integer division (//) and count the frame at sample 0.")
    return _wrong("not quite. With centring, frame k is centred on sample k * hop_length.")


def check_amplitude_envelope_function(envelope_function: Callable | None, frame_length: int = 1024,
                                      hop_length: int = 256) -> CheckResult:
    """Lesson 01: a from-scratch ``envelope_function(y, frame_length, hop_length) -> (n_frames,)``.

    The amplitude envelope is the largest absolute sample in each frame, with the same centred framing as
    ``librosa.feature.rms`` (zero padding of ``frame_length // 2`` on both sides). It is run on a test signal (a
    tone, a silence, a quieter tone) and compared with a reference built on ``librosa.util.frame``.
    """
    if envelope_function is None:
        return _unanswered("reuse the framing of rms_from_scratch, but keep the largest absolute value of each "
                           "frame instead of its RMS.")
    import librosa

    from .signals import pure_tone

    y = np.concatenate([pure_tone(440, 0.5), np.zeros(5000, np.float32), pure_tone(660, 0.3, amplitude=0.1)])
    padded = np.pad(y, frame_length // 2)
    frames = librosa.util.frame(padded, frame_length=frame_length, hop_length=hop_length)
    reference = np.abs(frames).max(axis=0)
    try:
        result = np.asarray(envelope_function(y, frame_length, hop_length), dtype=np.float64).reshape(-1)
    except Exception as error:  # the student's code failed: report it as feedback, not a crash
        return _wrong(f"your function raised {type(error).__name__}: {error}")
    uncentred = 1 + (y.size - frame_length) // hop_length
    if result.size == uncentred and result.size != reference.size:
        return _wrong(f"you made {result.size} frames, the centred framing makes {reference.size}: pad "
                      "frame_length // 2 zeros on both sides first, so the first frame is centred on sample 0.")
    if result.size != reference.size:
        return _wrong(f"you made {result.size} frames, the centred framing makes {reference.size} "
                      "(1 + len(y) // hop_length). Check the range of frame starts.")
    signed = np.pad(y, frame_length // 2)
    if np.allclose(result, librosa.util.frame(signed, frame_length=frame_length, hop_length=hop_length).max(axis=0)):
        return _wrong("you took the largest signed sample: a negative peak counts too, so take np.abs first.")
    if np.allclose(result, reference, atol=1e-6):
        return _correct(f"all {result.size} frames match the reference envelope.")
    worst = int(np.argmax(np.abs(result - reference)))
    return _wrong(f"frame {worst} differs: yours {result[worst]:.4f}, expected {reference[worst]:.4f}. Check the "
                  "padding (zeros, frame_length // 2 each side) and that each frame is frame_length samples long.")
