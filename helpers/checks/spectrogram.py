"""Exercise checks for lesson 02: frequency bins, the STFT and decibels."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import (CheckResult, _call_student_function, _correct, _general_mistake, _matches, _not_right,
                   _number_answer, _rounding_mistake, _unanswered, _wrong)


def check_bin_frequency(answer_hz, k: int, sr: float, n_fft: int) -> CheckResult:
    """Lesson 02: the centre frequency in Hz of STFT bin ``k`` for ``n_fft`` samples at ``sr`` Hz."""
    value, feedback = _number_answer(
        answer_hz,
        "the n_fft // 2 + 1 bins are spaced sr / n_fft Hz apart, starting at 0 Hz.",
        "the answer is one frequency in Hz",
    )
    if feedback is not None:
        return feedback
    expected = k * sr / n_fft
    if _matches(value, expected):
        return _correct(f"bin {k} sits at {k} × {sr} / {n_fft} = {expected:.2f} Hz; neighbouring bins are "
                        f"{sr / n_fft:.2f} Hz apart.")
    if _matches(value, k * (sr / 2) / n_fft):
        return _wrong("you spread the bins over 0 to sr/2 with n_fft steps, but there are only n_fft // 2 steps "
                      "up to sr/2: the spacing is sr / n_fft.")
    if _matches(value, k * sr / (n_fft // 2)):
        return _wrong("that spacing is twice too wide: bin k is at k * sr / n_fft, not k * sr / (n_fft / 2).")
    if _matches(value, k / n_fft):
        return _wrong("that is in cycles per sample; multiply by sr to get Hz.")
    if _matches(value, k * n_fft / sr):
        return _wrong("upside down: the spacing is sr / n_fft Hz per bin.")
    if _matches(value, sr / n_fft):
        return _wrong("that is the spacing between neighbouring bins; bin k lies k spacings above 0 Hz.")
    general = _general_mistake(value, expected, "Hz")
    if general:
        return _wrong(general)
    return _not_right("not the frequency of this bin. The answer is one frequency in Hz, between 0 and sr / 2.")


def check_decibels(answer_db, magnitude: float, reference: float = 1.0) -> CheckResult:
    """Lesson 02: a magnitude (amplitude) ``magnitude`` expressed in dB relative to ``reference``."""
    value, feedback = _number_answer(
        answer_db,
        "for amplitudes, dB = 20 · log10(magnitude / reference).",
        "the answer is one number of decibels",
    )
    if feedback is not None:
        return feedback
    ratio = magnitude / reference
    expected = 20 * np.log10(ratio)
    if _matches(value, expected):
        return _correct(f"20 · log10({magnitude} / {reference}) = {expected:.2f} dB.")
    if _matches(value, 10 * np.log10(ratio)):
        return _wrong("10 · log10 is for power (squared magnitudes); for a magnitude use 20 · log10, or square it "
                      "first. librosa: amplitude_to_db for magnitudes, power_to_db for power.")
    if _matches(value, 20 * np.log(ratio)) or _matches(value, 10 * np.log(ratio)):
        return _wrong("decibels use the base-10 logarithm (np.log10), not the natural logarithm (np.log).")
    if _matches(value, -expected):
        return _wrong("the sign is flipped: a magnitude below the reference is negative in dB.")
    if _matches(value, ratio) or _matches(value, np.log10(ratio)):
        return _wrong("that is not yet in decibels: a magnitude in dB is 20 · log10(magnitude / reference), so "
                      "multiply the base-10 logarithm by 20.")
    rounding = _rounding_mistake(value, expected)
    if rounding:
        return _wrong(rounding)
    return _not_right("not the level of this magnitude. The answer is one number of decibels, negative for a "
                      "magnitude below the reference.")


def stft_test_signal(sr: int = 22050) -> np.ndarray:
    """The signal the STFT check uses: a click at each edge (so padding shows) around two tones."""
    from ..signals import pure_tone

    y = np.concatenate([pure_tone(330, 0.2, sr, 0.4), pure_tone(1250, 0.15, sr, 0.3)])
    y[2] += 0.8
    y[-3] -= 0.8
    return y


def check_stft_function(stft_function: Callable | None, n_fft: int = 1024, hop_length: int = 256) -> CheckResult:
    """Lesson 02: ``stft_function(y, n_fft, hop_length) -> (1 + n_fft // 2, n_frames)`` magnitudes, as librosa.

    Compared with ``np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length))`` (centred frames padded with
    zeros, periodic Hann window) on :func:`stft_test_signal`, within 1e-3 of the largest value.
    """
    if stft_function is None:
        return _unanswered("pad n_fft // 2 zeros on both sides, cut frames every hop_length samples, multiply each "
                           "by a periodic Hann window, take np.fft.rfft and its absolute value.")
    import librosa
    import scipy.signal

    y = stft_test_signal()
    raw, problem = _call_student_function(stft_function, y.copy(), n_fft, hop_length)
    if problem is not None:
        return problem
    reference = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop_length))
    tolerance = 1e-3 * reference.max()
    if raw.ndim != 2:
        return _wrong(f"return a 2-D array (frequency bins × frames); yours has shape {raw.shape}.")
    if raw.shape == reference.shape[::-1] and raw.shape != reference.shape:
        return _wrong(f"your array is {raw.shape}, transposed: librosa puts frequency bins in rows and frames in "
                      f"columns, {reference.shape}.")
    n_uncentred = 1 + (y.size - n_fft) // hop_length
    if raw.shape[0] == n_fft and raw.shape[1] == reference.shape[1]:
        return _wrong(f"{n_fft} rows: you kept the whole FFT. For a real signal the upper half mirrors the lower "
                      "half, so keep the n_fft // 2 + 1 bins of np.fft.rfft.")
    if raw.shape[1] == n_uncentred and raw.shape[1] != reference.shape[1]:
        return _wrong(f"{raw.shape[1]} frames instead of {reference.shape[1]}: centre the frames by padding "
                      "n_fft // 2 zeros on both sides first.")
    if raw.shape != reference.shape:
        return _wrong(f"shape {raw.shape}, expected {reference.shape} (1 + n_fft // 2 bins × 1 + len(y) // hop_length "
                      "frames).")
    if np.iscomplexobj(raw):
        return _wrong("these are complex numbers: take np.abs(...) for the magnitude.")
    magnitude = raw.astype(np.float64)
    if np.allclose(magnitude, reference, atol=tolerance):
        return _correct(f"all {reference.size} values match np.abs(librosa.stft(...)) within 0.1 % of the largest "
                        "value.")
    if np.allclose(magnitude, reference**2, atol=tolerance * reference.max()):
        return _wrong("those are squared magnitudes (power). Return the magnitude |X|, not |X|².")

    def variant(window, pad_mode="constant"):
        padded = np.pad(y, n_fft // 2, mode=pad_mode)
        frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop_length].T
        return np.abs(np.fft.rfft(frames * window[:, None], axis=0))

    if np.allclose(magnitude, variant(np.ones(n_fft)), atol=tolerance):
        return _wrong("no window: multiply each frame by a Hann window before the FFT, or every sound leaks into "
                      "neighbouring bins.")
    if np.allclose(magnitude, variant(np.hanning(n_fft)), atol=tolerance):
        return _wrong("np.hanning(n_fft) is the symmetric Hann window; librosa (like scipy's get_window('hann', "
                      "n_fft)) uses the periodic one: np.hanning(n_fft + 1)[:-1].")
    periodic = scipy.signal.get_window("hann", n_fft, fftbins=True)
    for mode in ("reflect", "edge"):
        if np.allclose(magnitude, variant(periodic, mode), atol=tolerance):
            return _wrong(f"the edge frames differ: you padded with mode '{mode}'; librosa 1.0 pads with zeros "
                          "(pad_mode='constant').")
    worst = np.unravel_index(np.argmax(np.abs(magnitude - reference)), reference.shape)
    return _not_right(f"bin {worst[0]} of frame {worst[1]} differs: yours {magnitude[worst]:.3f}, librosa "
                  f"{reference[worst]:.3f}. Check the padding, the window and the frame starts.")
