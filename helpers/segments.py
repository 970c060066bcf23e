"""Cutting a clip into short segments and describing each segment with a feature vector (lesson 07).

A segment is a stretch of ``segment_s`` seconds; a new one starts every ``hop_s`` seconds (``hop_s == segment_s``:
segments touch but do not overlap; smaller: they overlap). Only whole segments are kept, so a 31 s clip gives ten
3 s segments and its last second is left out.

The features of every segment come from ONE short-time Fourier transform of the whole clip
(:func:`helpers.summaries.frame_features`): a segment's vector summarises the frames whose centres lie inside it.
That is much faster than analysing each segment on its own, and it differs from it in two small ways, both shown in
lesson 07: the edge frames see the real neighbouring sound instead of zero padding (a frame reaches ``n_fft // 2``
samples beyond its centre), and the 80 dB floor of the MFCCs is set by the loudest moment of the whole clip.
"""

from __future__ import annotations

import math

import numpy as np

from .arguments import require_number, require_sample_rate, require_whole_number
from .audio_io import require_audio_array, require_mono
from .errors import AudioInputError
from .summaries import HOP_LENGTH, SCALAR_FEATURES, FrameFeatures, frame_features, summarise


def segment_bounds(n_samples: int, sr: float, segment_s: float = 3.0, hop_s: float | None = None) -> np.ndarray:
    """First and past-the-last sample of every whole segment: ``(n_segments, 2)`` int, rows ``[start, stop)``.

    ``n_samples``: length of the clip in samples; ``sr``: Hz; ``segment_s``: length of a segment in seconds;
    ``hop_s``: seconds from one segment's start to the next (default ``segment_s``: no overlap). Segment ``i``
    starts at sample ``round(i * hop_s * sr)`` and is ``round(segment_s * sr)`` samples long. A clip shorter than
    one segment gives ``(0, 2)``.
    """
    __tracebackhide__ = True
    n_samples = require_whole_number(n_samples, "n_samples", minimum=0, example="661500")
    sr = require_sample_rate(sr, allow_none=False)
    segment_s = require_number(segment_s, "segment_s", above=0, example="3.0", unit=" s")
    hop_s = segment_s if hop_s is None else require_number(hop_s, "hop_s", above=0, example="1.5", unit=" s")
    if int(round(segment_s * sr)) == 0 or hop_s * sr < 1:
        raise AudioInputError(f"segment_s={segment_s:g} s and hop_s={hop_s:g} s must each last at least one sample "
                              f"(1/sr = {1 / sr:.2g} s): use e.g. segment_s=3.0.")
    length = int(round(segment_s * sr))
    if n_samples < length:
        return np.zeros((0, 2), dtype=int)
    # A small tolerance so that e.g. 30 s in 3 s steps gives 10 segments despite floating-point rounding.
    n_segments = 1 + int(math.floor((n_samples - length) / (hop_s * sr) + 1e-9))
    starts = np.round(np.arange(n_segments) * hop_s * sr).astype(int)
    starts = starts[starts + length <= n_samples]
    return np.stack([starts, starts + length], axis=1)


def frames_in(features: FrameFeatures, start: int, stop: int) -> FrameFeatures:
    """The frames of ``features`` whose centres lie in samples ``[start, stop)``, as a new :class:`FrameFeatures`.

    Frame ``k`` of a centred STFT is centred on sample ``k * hop_length`` (``features.times * sr``).
    ``start``, ``stop``: sample indices, ``0 <= start <= stop``.
    """
    __tracebackhide__ = True
    _require_frame_features(features)
    start = require_whole_number(start, "start", minimum=0, example="0", unit="")
    stop = require_whole_number(stop, "stop", minimum=start, example="66150", unit="")
    centres = np.round(features.times * features.sr).astype(np.int64)
    keep = (centres >= start) & (centres < stop)
    return FrameFeatures(scalars={name: values[keep] for name, values in features.scalars.items()},
                         mfcc=features.mfcc[:, keep], times=features.times[keep], sr=features.sr,
                         sounding=features.sounding[keep])


def segment_vectors(y: np.ndarray, sr: float, segment_s: float = 3.0, hop_s: float | None = None,
                    features: FrameFeatures | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One feature vector per whole segment of ``y``, from a single analysis of the clip.

    ``y``: ``(n,)`` float mono at ``sr`` Hz; ``segment_s`` and ``hop_s`` as in :func:`segment_bounds`;
    ``features``: the clip's :func:`~helpers.summaries.frame_features` if already computed (with the default hop).
    Returns ``(vectors, bounds)``: ``(n_segments, 36)`` float, in the order of
    :func:`helpers.summaries.summary_names`, and ``(n_segments, 2)`` int sample bounds. Segments without any
    sounding frame (digital silence) have no features and are left out of both.
    """
    __tracebackhide__ = True
    y = require_mono(require_audio_array(y, sr))
    if features is not None:
        _require_frame_features(features)
    bounds = segment_bounds(y.shape[-1], sr, segment_s, hop_s)
    if len(bounds) == 0:
        raise AudioInputError(f"the clip is {y.shape[-1] / sr:.2f} s long, shorter than one {segment_s:g} s "
                              "segment: use a longer clip or shorter segments.")
    if features is None:
        features = frame_features(y, sr)
    elif not np.isclose(features.times[1] * sr if features.times.size > 1 else HOP_LENGTH, HOP_LENGTH):
        raise ValueError("features must come from frame_features(y, sr) with the default hop length.")
    vectors, kept = _segment_summaries(features, bounds)
    if not kept:
        raise AudioInputError("every segment of the clip is digitally silent: there is nothing to describe.")
    return vectors, bounds[kept]


def _segment_summaries(features: FrameFeatures, bounds: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """``summarise(frames_in(features, start, stop))`` for every row of ``bounds`` that has a sounding frame, as an
    ``(n_kept, n_names)`` float64 array, and the rows kept.

    The same numbers as that loop, to the last bit, with a fraction of its work: the features are stacked once by
    type (the float32 RMS and MFCCs, the float64 rest) and each segment takes its frames from the two stacks, so a
    segment costs four NumPy reductions (each row's mean and standard deviation, summed as for one row alone)
    instead of two per feature and two new FrameFeatures.
    """
    names = list(SCALAR_FEATURES)
    single = np.vstack([features.scalars["rms"][None, :], features.mfcc])                    # (1 + n_mfcc, n)
    double = np.vstack([features.scalars[name] for name in names if name != "rms"])          # (4, n)
    if names[0] != "rms" or single.dtype != np.float32 or double.dtype != np.float64:
        # not the types frame_features makes: the plain loop, whose numbers these are
        rows = [(row, frames_in(features, start, stop)) for row, (start, stop) in enumerate(bounds)]
        rows = [(row, segment) for row, segment in rows if segment.sounding.any()]
        return np.array([list(summarise(segment).values()) for _, segment in rows]), [row for row, _ in rows]
    centres = np.round(features.times * features.sr).astype(np.int64)
    n_names = 2 * (len(names) + features.mfcc.shape[0])
    # where each stacked row's mean goes in a vector (its standard deviation goes right after it)
    single_places = [0] + [2 * (len(names) + index) for index in range(features.mfcc.shape[0])]
    double_places = [2 * index for index in range(1, len(names))]
    vectors, kept = [], []
    for row, (start, stop) in enumerate(bounds):
        frames = np.flatnonzero((centres >= start) & (centres < stop) & features.sounding)
        if frames.size == 0:
            continue
        vector = np.empty(n_names)
        # each row contiguous, so that NumPy sums it pairwise, as it sums one feature's frames alone
        if frames[-1] - frames[0] == frames.size - 1:
            pick = slice(frames[0], frames[-1] + 1)
        else:
            pick = frames
        for stack, places in ((single, single_places), (double, double_places)):
            values = np.ascontiguousarray(stack[:, pick])
            vector[places] = values.mean(axis=1)
            vector[[place + 1 for place in places]] = values.std(axis=1)
        vectors.append(vector)
        kept.append(row)
    return (np.array(vectors) if vectors else np.zeros((0, n_names))), kept


#: Roles of a segment in a split (lesson 07): trained on, tested on, or left out as a gap.
TRAIN, TEST, LEFT_OUT = 0, 1, -1


def blocked_fold_roles(positions: np.ndarray, n_test: int, gap: int) -> np.ndarray:
    """Roles of every segment in every fold of a blocked cross-validation (lesson 07).

    ``positions``: ``(n,)`` int, each segment's place in its song (0 = first, one step per segment); ``n_test``:
    length of the test block, in segments; ``gap``: segments left out on EACH side of the block, so that no training
    segment touches (or, with overlapping segments, shares samples with) a test segment.

    Fold ``k`` tests positions ``k .. k + n_test - 1`` of every song, leaves out the ``gap`` positions before and
    after that block, and trains on the rest; the block moves one segment per fold, from the start of the songs to
    the end, so there are ``positions.max() + 2 - n_test`` folds. Returns ``(n_folds, n)`` int:
    ``TRAIN`` (0), ``TEST`` (1) or ``LEFT_OUT`` (-1). With ``gap`` 1 and ``k = positions.max() + 1 - n_test`` (the
    last block) this is the split of lesson 07's section 4.
    """
    __tracebackhide__ = True
    positions = np.asarray(positions) if isinstance(positions, (list, tuple, np.ndarray)) else None
    if positions is None or positions.ndim != 1 or positions.size == 0 \
            or not np.issubdtype(positions.dtype, np.integer) or positions.min() < 0:
        raise AudioInputError("positions must be a non-empty 1-D array of whole numbers >= 0 (each segment's place "
                              "in its song), e.g. np.array([0, 1, 2, 0, 1, 2]).")
    if positions.max() < 1:
        raise AudioInputError("positions must reach at least 1: a song needs two segments to test one of them.")
    n_test = require_whole_number(n_test, "n_test", maximum=int(positions.max()), example="2", unit=" segments")
    gap = require_whole_number(gap, "gap", minimum=0, example="1", unit=" segments")
    starts = np.arange(positions.max() + 2 - n_test)[:, None]               # (n_folds, 1)
    after_start = positions[None, :] - starts                                # (n_folds, n)
    in_block = (after_start >= 0) & (after_start < n_test)
    # distance from the block, in segments: 1 for its immediate neighbours
    distance = np.where(after_start < 0, -after_start, after_start - (n_test - 1))
    return np.where(in_block, TEST, np.where(distance <= gap, LEFT_OUT, TRAIN))


def wilson_interval(correct, n, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson interval of a proportion: ``correct`` successes out of ``n`` independent trials (lesson 07).

    ``correct``: a count or an array of counts (0 ... n); ``n``: the number of trials (>= 1, a whole number, or an
    array matching ``correct``); ``z``: 1.96 for 95 %. With ``p = correct / n`` the interval is centred at
    ``(p + z²/2n) / (1 + z²/n)`` with half-width ``z √(p(1-p)/n + z²/4n²) / (1 + z²/n)``; unlike ``p ± z√(p(1-p)/n)``
    it stays inside 0..1 and does not shrink to nothing at ``p = 1``. Returns ``(low, high)``, fractions, shaped
    like ``correct``. The trials must be independent: segments of one recording are not (lesson 08).
    """
    __tracebackhide__ = True
    correct = np.asarray(correct, dtype=float)
    n = np.asarray(n, dtype=float)
    if not (np.all(np.isfinite(correct)) and np.all(np.isfinite(n)) and np.all(n >= 1) and np.all(n == np.round(n))
            and np.all(correct >= 0) and np.all(correct <= n) and np.all(correct == np.round(correct))):
        raise AudioInputError(f"wilson_interval needs whole counts: 0 <= correct <= n and n >= 1; not correct="
                              f"{correct.tolist()!r:.60}, n={n.tolist()!r:.40}.")
    z = require_number(z, "z", above=0, example="1.96")
    p = correct / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def _require_frame_features(features) -> None:
    __tracebackhide__ = True
    if not isinstance(features, FrameFeatures):
        raise AudioInputError(f"features must be the FrameFeatures that frame_features(y, sr) returns, not "
                              f"{type(features).__name__}.")
