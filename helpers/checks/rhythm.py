"""Exercise checks for lesson 10: tempo from a lag, scoring detected onsets, and the F-measure of an octave error.

Every check computes the expected value itself. The conventions are lesson 10's (and librosa's, and mir_eval's):

* a lag of ``L`` frames of ``hop_length`` samples lasts ``L * hop_length / sr`` seconds, so its tempo is
  ``60 * sr / (hop_length * L)`` beats per minute;
* ``librosa.onset.onset_detect`` returns frame numbers by default; frame ``k`` is at ``k * hop_length / sr``
  seconds (centred frames);
* a detection is correct when it lies within the tolerance of a reference time (±50 ms for onsets, ±70 ms for
  beats, the boundary included), each reference and each detection counted at most once; precision is the share of
  detections that are correct, recall the share of references found, and the F-measure their harmonic mean
  ``2 P R / (P + R)``.
"""

from __future__ import annotations

import numpy as np

from .core import (CheckResult, _correct, _general_mistake, _matches, _not_right, _number_answer, _wrong)


def matched_pairs(estimated_s, reference_s, tolerance_s: float) -> int:
    """How many (detection, reference) pairs lie within ``tolerance_s`` of each other when each is used at most
    once: the largest such matching. Both lists sorted, the tolerance the same for every reference, so matching each
    reference in time order with the earliest detection still free in its window is optimal (a two-pointer walk)."""
    estimated = np.sort(np.asarray(estimated_s, dtype=float).reshape(-1))
    reference = np.sort(np.asarray(reference_s, dtype=float).reshape(-1))
    hits, next_free = 0, 0
    for time in reference:
        while next_free < estimated.size and estimated[next_free] < time - tolerance_s - 1e-12:
            next_free += 1  # too early for this reference, so too early for every later one as well
        if next_free < estimated.size and abs(estimated[next_free] - time) <= tolerance_s + 1e-12:
            hits += 1
            next_free += 1
    return hits


def scores(estimated_s, reference_s, tolerance_s: float) -> tuple[float, float, float]:
    """``(precision, recall, f_measure)`` of ``estimated_s`` against ``reference_s`` (times in seconds)."""
    estimated = np.asarray(estimated_s, dtype=float).reshape(-1)
    reference = np.asarray(reference_s, dtype=float).reshape(-1)
    hits = matched_pairs(estimated, reference, tolerance_s)
    precision = hits / estimated.size if estimated.size else 0.0
    recall = hits / reference.size if reference.size else 0.0
    f_measure = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f_measure


# ---------------------------------------------------------------- exercise 1: a tempo from a lag


def check_tempo_from_lag(answer, lag_frames: int, sr: float, hop_length: int) -> CheckResult:
    """Lesson 10: the tempo in BPM of an autocorrelation peak at ``lag_frames`` frames of an onset envelope made with
    ``hop_length`` samples per frame at ``sr`` Hz: ``60 * sr / (hop_length * lag_frames)``."""
    value, feedback = _number_answer(
        answer,
        "a lag of L frames lasts L · hop_length / sr seconds: that is one beat period. A tempo counts beats per "
        "minute: 60 divided by the period.",
        "the answer is one tempo, in beats per minute",
    )
    if feedback is not None:
        return feedback
    period_s = lag_frames * hop_length / sr
    expected = 60.0 / period_s
    if _matches(value, expected):
        return _correct(f"{lag_frames} frames × {hop_length} / {sr:g} Hz = {period_s:.4f} s per beat, so "
                        f"60 / {period_s:.4f} = {expected:.2f} BPM.")
    mistakes = [
        (period_s, "that is the beat period in seconds (lag × hop_length / sr). A tempo counts beats per minute: "
                   "divide 60 by the period."),
        (1 / period_s, "that is beats per second; a tempo is given in beats per minute: multiply by 60."),
        (60.0 / lag_frames, "you treated the lag as seconds. It counts frames: a frame lasts hop_length / sr "
                            f"seconds, so the lag lasts {lag_frames} × {hop_length} / {sr:g} s."),
        (60.0 * sr / lag_frames, "you treated the lag as a number of samples. It counts frames, each hop_length "
                                 f"= {hop_length} samples apart: the lag is {lag_frames * hop_length} samples."),
        (lag_frames * hop_length / sr * 60, "that is upside down: the period times 60. The tempo is 60 divided by "
                                            "the period in seconds."),
    ]
    for other_hop in (512, 256):
        if other_hop != hop_length:
            mistakes.append((60.0 * sr / (other_hop * lag_frames),
                             f"you used hop_length = {other_hop}, but this envelope was computed with a hop of "
                             f"{hop_length} samples: frames are {hop_length} samples apart"
                             + (" (librosa's default of 512 would halve the tempo here)." if other_hop == 512
                                and hop_length == 256 else ".")))
    for other_rate in (22050, 44100, 48000):
        if other_rate != sr:
            mistakes.append((60.0 * other_rate / (hop_length * lag_frames),
                             f"you used sr = {other_rate}, but this envelope comes from audio at {sr:g} Hz."))
    for shift in (-1, 1):
        mistakes.append((60.0 * sr / (hop_length * (lag_frames + shift)),
                         f"that is the tempo of a lag of {lag_frames + shift} frames, one frame off. (Taking the "
                         "peak of ac[1:] without adding the 1 back shifts every lag by one.)"))
    mistakes += [(2 * expected, "that is double the tempo of this lag (a lag half as long): the period is the "
                                "whole lag, not half of it."),
                 (expected / 2, "that is half the tempo of this lag: the period is the lag itself, not twice it.")]
    for mistaken, message in mistakes:
        if _matches(value, mistaken):
            return _wrong(message)
    general = _general_mistake(value, expected)
    if general:
        return _wrong(general)
    return _not_right("not this lag's tempo. The answer is one number of beats per minute: turn the lag into "
                      "seconds with the hop length and the sampling rate, then divide 60 by it.")


# ---------------------------------------------------------------- exercise 2: score detected onsets


def check_onset_f_measure(answer, detected_frames, reference_s, sr: float, hop_length: int,
                          tolerance_s: float = 0.05) -> CheckResult:
    """Lesson 10: the F-measure of onsets detected at frames ``detected_frames`` (``onset_detect``'s default unit,
    ``hop_length`` samples apart at ``sr`` Hz) against ``reference_s`` (seconds), within ±``tolerance_s``, each
    onset matched at most once."""
    value, feedback = _number_answer(
        answer,
        "turn the frames into seconds (frame k is at k · hop_length / sr), then count the detections that match a "
        "reference within the tolerance, each used once: precision, recall, and their harmonic mean.",
        "the answer is one F-measure, a number between 0 and 1",
    )
    if feedback is not None:
        return feedback
    frames = np.asarray(detected_frames, dtype=float).reshape(-1)
    reference = np.asarray(reference_s, dtype=float).reshape(-1)
    times = frames * hop_length / sr
    precision, recall, expected = scores(times, reference, tolerance_s)
    if _matches(value, expected):
        return _correct(f"{matched_pairs(times, reference, tolerance_s)} of {frames.size} detections match one of "
                        f"the {reference.size} references: precision {precision:.3f}, recall {recall:.3f}, "
                        f"F-measure {expected:.3f}.")
    mistakes = []
    for other_hop in (512, 256, 1024):
        if other_hop != hop_length:
            mistakes.append((scores(frames * other_hop / sr, reference, tolerance_s)[2],
                             f"your times use hop_length = {other_hop}, but these frames are {hop_length} samples "
                             f"apart: frame k is at k × {hop_length} / sr seconds."))
    mistakes += [
        (scores(frames, reference, tolerance_s)[2],
         "you compared frame numbers with times in seconds. onset_detect returns frames unless you ask for "
         "units='time': frame k is at k · hop_length / sr seconds."),
        (scores(frames * hop_length, reference, tolerance_s)[2],
         "your times are in samples (frame × hop_length); divide by sr to get seconds."),
        (scores(times, reference, 1000 * tolerance_s)[2],
         f"your tolerance is {1000 * tolerance_s:g} seconds: ±{1000 * tolerance_s:g} ms is {tolerance_s:g} s."),
        (precision, "that is the precision (the share of detections that are right); the F-measure also needs the "
                    "recall: 2 P R / (P + R)."),
        (recall, "that is the recall (the share of references found); the F-measure also needs the precision: "
                 "2 P R / (P + R)."),
        ((precision + recall) / 2, "that is the arithmetic mean of precision and recall; the F-measure is their "
                                   "harmonic mean, 2 P R / (P + R), which a poor half pulls down more."),
        (_many_to_one_f(times, reference, tolerance_s),
         "you counted a detection for every reference it is near (or a reference for every detection): each "
         "onset may be matched only once, so two detections near one click count as one hit and one false alarm."),
    ]
    for mistaken, message in mistakes:
        if not _matches(mistaken, expected) and _matches(value, mistaken):
            return _wrong(message)
    general = _general_mistake(value, expected, "fraction")
    if general:
        return _wrong(general)
    return _not_right("not the F-measure of these detections. Convert the frames to seconds, match each detection to "
                      f"at most one reference within ±{1000 * tolerance_s:g} ms (and each reference to at most one "
                      "detection), then combine precision and recall as 2 P R / (P + R).")


def _many_to_one_f(times: np.ndarray, reference: np.ndarray, tolerance_s: float) -> float:
    """The F-measure when nothing is matched one to one: every detection near any reference counts as correct, and
    every reference near any detection counts as found."""
    if not times.size or not reference.size:
        return 0.0
    near = np.abs(times[:, None] - reference[None, :]) <= tolerance_s + 1e-12
    precision, recall = near.any(axis=1).mean(), near.any(axis=0).mean()
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# ---------------------------------------------------------------- exercise 3: the price of an octave error


def check_double_tempo_f_measure(answer, n_clicks: int) -> CheckResult:
    """Lesson 10: the F-measure of a beat tracker at double tempo on a click train of ``n_clicks`` clicks: it reports
    every click and one beat halfway between each pair of neighbours, ``2 * n_clicks - 1`` beats, all the extra
    ones far outside the tolerance. Precision ``n / (2n - 1)``, recall 1."""
    value, feedback = _number_answer(
        answer,
        "count the beats it reports (a beat on every click, and one in each gap between neighbouring clicks), then "
        "precision = correct beats / reported beats, recall = clicks found / clicks, F = 2 P R / (P + R).",
        "the answer is one F-measure, a number between 0 and 1",
    )
    if feedback is not None:
        return feedback
    beats = 2 * n_clicks - 1
    precision, recall = n_clicks / beats, 1.0
    expected = 2 * precision * recall / (precision + recall)
    if _matches(value, expected):
        return _correct(f"{beats} beats, {n_clicks} of them on clicks: precision {n_clicks}/{beats} = "
                        f"{precision:.3f}, recall 1, F = {expected:.3f}. Double tempo costs about a third of the "
                        "F-measure although every click was found.")
    if _matches(value, 2 / 3):
        return _wrong("2/3 is the F-measure when precision is exactly one half (or recall is, as at half tempo). "
                      f"Count the beats again: {n_clicks} clicks have {n_clicks - 1} gaps between them, so the "
                      f"tracker reports {beats} beats, not {2 * n_clicks}.")
    mistakes = [
        (precision, "that is the precision alone; the F-measure combines it with the recall (1: every click was "
                    "found) as 2 P R / (P + R)."),
        (recall, "that is the recall alone: every click was found, but half the beats are wrong, so the precision "
                 "is only about one half."),
        ((precision + recall) / 2, "that is the arithmetic mean of precision and recall; the F-measure is their "
                                   "harmonic mean, 2 P R / (P + R)."),
        (1 - precision, "that is the share of wrong beats; the question asks for the F-measure."),
    ]
    for mistaken, message in mistakes:
        if _matches(value, mistaken):
            return _wrong(message)
    general = _general_mistake(value, expected, "fraction")
    if general:
        return _wrong(general)
    return _not_right("not the F-measure of this tracker. It is one number between 0 and 1: find precision (right "
                      "beats / reported beats) and recall (clicks found / clicks), then 2 P R / (P + R).")
