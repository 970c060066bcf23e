"""Exercise checks for lesson 05: MFCCs (the DCT step, how many numbers they make, the mel filters' spacing).

Every check computes the expected value itself. The conventions are librosa's: the mel scale is Slaney's (linear,
200/3 Hz per mel, below 1000 Hz = 15 mel; logarithmic above, 27 mel per factor 6.4), the mel axis runs from 0 Hz to
the Nyquist frequency ``sr / 2``, frames are centred, and the DCT is type II with ``norm='ortho'``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .core import (CheckResult, _call_student_function, _correct, _general_mistake, _matches, _not_right,
                   _number_answer, _unanswered, _wrong)

#: Slaney's mel scale (librosa's default, htk=False): linear below 1000 Hz, logarithmic above.
SLANEY_HZ_PER_MEL = 200.0 / 3.0
SLANEY_BREAK_HZ = 1000.0
SLANEY_BREAK_MEL = SLANEY_BREAK_HZ / SLANEY_HZ_PER_MEL  # 15 mel
SLANEY_LOG_STEP = np.log(6.4) / 27.0  # natural-log step per mel above the break

# ---------------------------------------------------------------- the DCT step of the MFCC


def dct_ii_matrix(n: int, orthonormal: bool = True) -> np.ndarray:
    """``(n, n)`` DCT-II matrix: row ``k`` is ``cos(pi * k * (2m + 1) / (2n))`` for ``m = 0..n-1``.

    Orthonormal (``norm='ortho'``): every row times ``sqrt(2 / n)``, row 0 times a further ``1 / sqrt(2)``, so the
    matrix is orthogonal (its inverse is its transpose). Otherwise the plain cosine sums, without any factor.
    """
    k = np.arange(n)[:, None]
    m = np.arange(n)[None, :]
    matrix = np.cos(np.pi * k * (2 * m + 1) / (2 * n))
    if orthonormal:
        matrix = matrix * np.sqrt(2.0 / n)
        matrix[0] /= np.sqrt(2.0)
    return matrix


def _check_test_log_mel(sr: int = 22050, n_mels: int = 40) -> np.ndarray:
    """A log-mel spectrogram (dB) for the function check: ``(n_mels, n_frames)`` float64, 40 bands by 56 frames.

    A rising sweep over a faint noise floor, with a click at the very start and the very end, so every frame and
    every band differs; 40 bands (not the usual 128) so a hard-coded 128 shows up, and more frames than bands, so
    a DCT along the wrong axis gives numbers that differ.
    """
    import librosa

    from ..signals import chirp, click_train, white_noise

    duration_s = 1.3
    y = chirp(200.0, 6000.0, duration_s, sr, amplitude=0.4) + white_noise(duration_s, sr, 0.003, seed=5)
    clicks = click_train(1.0, 0.05, sr, amplitude=0.6, click_duration_s=0.004)
    y[: clicks.size] += clicks
    y[y.size - clicks.size:] += clicks
    mel_power = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=n_mels)
    return librosa.power_to_db(mel_power, ref=1.0, top_db=80.0).astype(np.float64)


def _run(function: Callable, log_mel: np.ndarray, n_mfcc: int):
    """``(array or None, feedback or None)``: the student's result as a float array, or a CheckResult to return."""
    def axis_hint(error: Exception) -> str:
        if isinstance(error, ValueError) and any(word in str(error) for word in ("shape", "align", "mismatch")):
            return (f" (The test log-mel has {log_mel.shape[0]} mel bands in its rows and {log_mel.shape[1]} "
                    "frames in its columns: the DCT works down each column, across the mel bands.)")
        return ""

    answer, problem = _call_student_function(function, log_mel.copy(), n_mfcc, error_hint=axis_hint)
    if problem is not None:
        return None, problem
    return answer.astype(np.float64), None


def _same_array(result: np.ndarray, candidate: np.ndarray) -> bool:
    return result.shape == candidate.shape and bool(np.allclose(result, candidate, rtol=1e-5, atol=1e-3))


def check_mfcc_from_log_mel_function(mfcc_function: Callable | None) -> CheckResult:
    """Lesson 05: a from-scratch ``mfcc_function(log_mel_db, n_mfcc) -> (n_mfcc, n_frames)``.

    ``log_mel_db``: ``(n_mels, n_frames)`` log-mel spectrogram in dB. The result is the orthonormal DCT-II down
    each column (across the mel bands), first ``n_mfcc`` rows kept: ``scipy.fft.dct(log_mel_db, type=2,
    norm='ortho', axis=0)[:n_mfcc]``, which is what ``librosa.feature.mfcc`` does. The check runs the function on a
    40-band test spectrogram with ``n_mfcc`` = 13, then 20.
    """
    if mfcc_function is None:
        return _unanswered("build the DCT-II matrix C (rows k = 0..n_mels-1, cos(pi k (2m+1) / (2 n_mels)), scaled "
                           "for norm='ortho'), then return (C @ log_mel_db)[:n_mfcc].")
    log_mel = _check_test_log_mel()
    n_mels, n_frames = log_mel.shape
    n_mfcc = 13
    orthonormal = dct_ii_matrix(n_mels)
    expected = orthonormal[:n_mfcc] @ log_mel
    result, feedback = _run(mfcc_function, log_mel, n_mfcc)
    if feedback is not None:
        return feedback
    if _same_array(result, expected):
        result_20, feedback = _run(mfcc_function, log_mel, 20)
        if feedback is not None:
            return feedback
        if not _same_array(result_20, orthonormal[:20] @ log_mel):
            return _wrong("right for n_mfcc = 13, but not for n_mfcc = 20: use the n_mfcc argument (and the number "
                          "of rows of log_mel_db) instead of fixed numbers.")
        return _correct(f"all {n_mfcc} × {n_frames} coefficients match the orthonormal DCT-II, e.g. coefficient 0 of "
                        f"frame 0 = {expected[0, 0]:.2f} = sqrt({n_mels}) × the mean level of that frame's bands.")
    if result.shape == (n_frames, n_mfcc) and _same_array(result.T, expected):
        return _wrong(f"right numbers, but transposed: return shape (n_mfcc, n_frames) = ({n_mfcc}, {n_frames}), "
                      "one row per coefficient and one column per frame, like librosa.")
    if result.shape == (n_mels, n_frames) and _same_array(result[:n_mfcc], expected):
        return _wrong(f"you returned all {n_mels} coefficients: keep only the first n_mfcc rows ([:n_mfcc]). "
                      "Dropping the rest is the point of MFCCs.")
    if result.shape != (n_mfcc, n_frames):
        return _wrong(f"your result has shape {result.shape}; expected (n_mfcc, n_frames) = ({n_mfcc}, {n_frames}): "
                      "one row per coefficient, one column per frame.")
    plain = dct_ii_matrix(n_mels, orthonormal=False)[:n_mfcc] @ log_mel
    if _same_array(result, 2 * plain):
        return _wrong("that is the unnormalised DCT-II (scipy's default norm=None: 2 × the cosine sums), "
                      "sqrt(2 n_mels) times too large. librosa uses norm='ortho': sqrt(2 / n_mels) × the cosine sums, "
                      "and for row 0 (coefficient 0) sqrt(1 / n_mels).")
    if _same_array(result, plain):
        return _wrong("you have the plain cosine sums, without the orthonormal scaling: multiply every row by "
                      "sqrt(2 / n_mels), and row 0 (coefficient 0) by a further 1 / sqrt(2).")
    if _same_array(result[1:], expected[1:]) and _same_array(result[0], np.sqrt(2) * expected[0]):
        return _wrong("coefficients 1 and up are right, but coefficient 0 is sqrt(2) too large: with norm='ortho' "
                      "row 0 of the DCT matrix is sqrt(1 / n_mels), not sqrt(2 / n_mels).")
    along_time = (log_mel @ dct_ii_matrix(n_frames).T)[:n_mfcc]
    if _same_array(result, along_time):
        return _wrong("you transformed along time (each row, axis=1) instead of across the mel bands (each column, "
                      "axis=0). MFCCs describe the shape of one frame's spectrum, so the DCT runs down each column.")
    if _same_array(result, orthonormal.T[:n_mfcc] @ log_mel):
        return _wrong("you used the transpose of the DCT-II matrix, which is the inverse DCT (type III). Row k of "
                      "the matrix must hold the cosine of frequency k over the bands m: cos(pi k (2m+1) / (2 n_mels)).")
    if _same_array(result, dct_ii_matrix(n_mels)[:n_mfcc] @ (log_mel * np.log(10) / 10)):
        return _wrong("you converted the input to natural logarithms: the input is already the log-mel spectrogram "
                      "in dB, as librosa uses it. Apply the DCT to it directly.")
    worst = np.unravel_index(int(np.argmax(np.abs(result - expected))), expected.shape)
    return _not_right(f"coefficient {worst[0]} of frame {worst[1]} differs: yours {result[worst]:.3f}, expected "
                  f"{expected[worst]:.3f}. Compare your function with scipy.fft.dct(log_mel_db, type=2, "
                  "norm='ortho', axis=0)[:n_mfcc].")


# ---------------------------------------------------------------- how many numbers the MFCCs of a clip make


def check_mfcc_count(answer, n_samples: int, n_mfcc: int = 13, hop_length: int = 512,
                     n_fft: int = 2048) -> CheckResult:
    """Lesson 05: how many numbers ``n_mfcc`` MFCCs per centred frame make for a clip of ``n_samples`` samples."""
    value, feedback = _number_answer(
        answer,
        "count the centred frames first (one every hop_length samples, starting at sample 0), "
        "then multiply by the number of coefficients per frame.",
        "the answer is one whole number",
    )
    if feedback is not None:
        return feedback
    frames = 1 + n_samples // hop_length
    expected = n_mfcc * frames

    def equals(candidate: float) -> bool:  # counts are exact
        return abs(value - candidate) <= 1e-9

    if equals(expected):
        return _correct(f"{n_mfcc} coefficients × (1 + {n_samples} // {hop_length} = {frames} frames) = {expected} "
                        f"numbers, {n_samples / expected:.0f} times fewer than the {n_samples} samples.")
    if equals(n_mfcc * (n_samples // hop_length)):
        return _wrong("off by one frame: with centring there is also a frame centred on sample 0, so there are "
                      "1 + n_samples // hop_length frames.")
    if n_samples >= n_fft and equals(n_mfcc * (1 + (n_samples - n_fft) // hop_length)):
        return _wrong("that is the frame count without centring. librosa centres the frames (center=True): it pads "
                      "n_fft // 2 samples at both ends, so there are 1 + n_samples // hop_length frames.")
    if equals(frames):
        return _wrong(f"that is the number of frames; each frame has {n_mfcc} coefficients, so multiply by {n_mfcc}.")
    if equals(n_mfcc * n_samples / hop_length) or equals(n_samples / hop_length):
        return _wrong("frames come in whole numbers: use integer division (//), and count the frame at sample 0.")
    for n_other, what in ((128, "a 128-band mel spectrogram's size, not the MFCCs'"),
                          (20, "with librosa's default n_mfcc = 20; the question asks for " + str(n_mfcc)),
                          (3 * n_mfcc, "MFCCs plus their deltas and delta-deltas; count the MFCCs alone")):
        if equals(n_other * frames):
            return _wrong(f"that is {what}.")
    if equals(n_samples):
        return _wrong("that is the number of samples; count frames of MFCCs instead.")
    if not float(value).is_integer():
        return _wrong("a count of numbers is a whole number: frames (a whole number) times coefficients per frame.")
    return _not_right("not the number of MFCC values. The answer is one whole number: the number of centred frames "
                      "times the coefficients per frame.")


# ---------------------------------------------------------------- how far apart the mel filters are


def slaney_hz_to_mel(frequencies_hz):
    """Slaney's mel scale (librosa's default): ``f / (200/3)`` below 1000 Hz, ``15 + ln(f / 1000) / step`` above."""
    frequencies_hz = np.asarray(frequencies_hz, dtype=float)
    logarithmic = SLANEY_BREAK_MEL + np.log(np.maximum(frequencies_hz, 1e-12) / SLANEY_BREAK_HZ) / SLANEY_LOG_STEP
    return np.where(frequencies_hz >= SLANEY_BREAK_HZ, logarithmic, frequencies_hz / SLANEY_HZ_PER_MEL)


def check_mel_band_spacing(answer_hz, sr: float = 22050, n_mels: int = 128) -> CheckResult:
    """Lesson 05: how many Hz apart the centres of neighbouring mel filters are below 1000 Hz.

    ``n_mels`` triangles need ``n_mels + 2`` edge points, equally spaced in mel from 0 to ``hz_to_mel(sr / 2)``, so
    ``n_mels + 1`` gaps of ``hz_to_mel(sr / 2) / (n_mels + 1)`` mel. Below 1000 Hz one Slaney mel is 200/3 Hz.
    """
    value, feedback = _number_answer(
        answer_hz,
        "find the top of the mel axis, hz_to_mel(sr / 2); count how many equal gaps the edge "
        "points make; below 1000 Hz, one mel is 200/3 Hz.",
        "the answer is one distance in Hz, a single number",
    )
    if feedback is not None:
        return feedback
    top_mel = float(slaney_hz_to_mel(sr / 2))
    gap_mel = top_mel / (n_mels + 1)
    expected = gap_mel * SLANEY_HZ_PER_MEL
    if _matches(value, expected):
        return _correct(f"{top_mel:.2f} mel / ({n_mels} + 1) gaps = {gap_mel:.4f} mel = {expected:.2f} Hz: below "
                        "1 kHz every filter is that far from the next one, and twice that wide at its base.")
    if _matches(value, gap_mel):
        return _wrong("that is the spacing in mel; below 1000 Hz one Slaney mel is 200/3 Hz, so convert it to Hz.")
    for divisor in (n_mels, n_mels + 2, n_mels - 1):
        if _matches(value, top_mel / divisor * SLANEY_HZ_PER_MEL):
            return _wrong(f"a fencepost error: you divided by {divisor}. {n_mels} triangles need {n_mels + 2} edge "
                          f"points (each filter spans three), and {n_mels + 2} points make {n_mels + 1} gaps.")
    if _matches(value, 2 * expected):
        return _wrong("that is a filter's full width at its base (from its left edge to its right edge, two gaps); "
                      "the question asks for the distance between neighbouring centres, one gap.")
    if _matches(value, float(slaney_hz_to_mel(sr)) / (n_mels + 1) * SLANEY_HZ_PER_MEL):
        return _wrong("the mel axis ends at the Nyquist frequency sr / 2, not at sr.")
    if _matches(value, (sr / 2) / (n_mels + 1)) or _matches(value, (sr / 2) / n_mels):
        return _wrong("that would be equal spacing in Hz over the whole range. The filters are equally spaced in "
                      "mel, which packs them densely below 1 kHz: convert sr / 2 to mel first.")
    htk_top = 2595.0 * np.log10(1.0 + (sr / 2) / 700.0)
    htk_first_gap = 700.0 * (10 ** (htk_top / (n_mels + 1) / 2595.0) - 1.0)
    if _matches(value, htk_first_gap) or _matches(value, htk_top / (n_mels + 1)):
        return _wrong("that uses the HTK mel formula (2595 log10(1 + f/700)). librosa's default, and this course's, "
                      "is Slaney's: linear below 1000 Hz with 200/3 Hz per mel.")
    general = _general_mistake(value, expected, "Hz")
    if general:
        return _wrong(general)
    return _not_right("not the spacing of the filters below 1 kHz. The answer is one distance in Hz: the gap in mel, "
                      "hz_to_mel(sr / 2) / (number of gaps), converted to Hz.")
