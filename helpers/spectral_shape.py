"""Spectral centroid, bandwidth and roll-off of every frame in one compiled pass, with librosa's numbers to the
last bit (lessons 04, 06-08; :func:`helpers.summaries.frame_features` calls it).

librosa computes the three features with NumPy, a dozen full-size temporary arrays for a spectrogram (normalise,
multiply, sum, subtract, square, running sum, ...). :func:`spectral_shape` walks each frame once and does the same
arithmetic in the same order and precision: the magnitude normalised in float64 and stored in its own type (as
``librosa.util.normalize`` does); the sums over the frequency axis, all in float64, with NumPy's pairwise summation
(NumPy sums pairwise along an axis that lies contiguous in memory, as the frequency axis of ``librosa.stft``'s
output does); the roll-off's running sum in the magnitude's type (as ``np.cumsum``). tests/test_summaries.py checks
every number against librosa's functions with ``assert_array_equal``.

It is compiled with numba, which librosa itself uses, and cached on disk; :mod:`helpers.caches` compiles it once
with librosa's functions (``COMPILE_SOURCE``), so that kernels and worker processes only load it. The functions are
defined at module level: numba's cache cannot find a function again across processes when it refers to another
compiled function through a closure.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def block_sum(values, start, n):  # pragma: no cover - compiled
    """The sum of ``values[start:start + n]`` for ``n <= 128``, as NumPy's ``pairwise_sum`` adds a block: below 8
    numbers one by one, otherwise in 8 running sums combined as a tree, then the rest one by one."""
    if n < 8:
        total = 0.0
        for i in range(n):
            total += values[start + i]
        return total
    r0, r1, r2, r3 = values[start], values[start + 1], values[start + 2], values[start + 3]
    r4, r5, r6, r7 = values[start + 4], values[start + 5], values[start + 6], values[start + 7]
    i = 8
    while i < n - n % 8:
        r0 += values[start + i]
        r1 += values[start + i + 1]
        r2 += values[start + i + 2]
        r3 += values[start + i + 3]
        r4 += values[start + i + 4]
        r5 += values[start + i + 5]
        r6 += values[start + i + 6]
        r7 += values[start + i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += values[start + i]
        i += 1
    return total


@numba.njit(cache=True, nogil=True)
def pairwise_sum(values, n):  # pragma: no cover - compiled
    """The sum of ``values[:n]`` (1-D float64) in the order of NumPy's ``pairwise_sum`` (numpy/_core/src/umath/
    loops_utils.h.src): up to 128 numbers, :func:`block_sum`; more, the two halves (split at a multiple of 8)
    summed the same way and added. NumPy recurses; this walks the same tree with a stack of its own (numba cannot
    load a recursive function from its cache reliably). The caller adds the result to 0.0, as NumPy's reduction
    does."""
    if n <= 128:
        return block_sum(values, 0, n)
    starts = np.empty(64, np.int64)
    lengths = np.empty(64, np.int64)
    waiting_for_right = np.zeros(64, np.bool_)
    left_sums = np.empty(64)
    depth = 0
    starts[0], lengths[0], waiting_for_right[0] = 0, n, False
    result = 0.0
    have_result = False
    while True:
        if have_result:
            if depth < 0:
                return result
            if not waiting_for_right[depth]:  # the left half is done: now the right half
                left_sums[depth] = result
                waiting_for_right[depth] = True
                half = lengths[depth] // 2
                half -= half % 8
                starts[depth + 1], lengths[depth + 1] = starts[depth] + half, lengths[depth] - half
                waiting_for_right[depth + 1] = False
                depth += 1
                have_result = False
            else:  # both halves are done
                result = left_sums[depth] + result
                depth -= 1
            continue
        if lengths[depth] <= 128:
            result = block_sum(values, starts[depth], lengths[depth])
            depth -= 1
            have_result = True
        else:  # split: the left half first
            half = lengths[depth] // 2
            half -= half % 8
            starts[depth + 1], lengths[depth + 1] = starts[depth], half
            waiting_for_right[depth + 1] = False
            depth += 1


@numba.njit(cache=True, nogil=True)
def spectral_shape(frames, freq, roll_percent, tiny):  # pragma: no cover - compiled
    """``frames``: ``(n_frames, n_bins)`` magnitudes, C order (the transpose of ``librosa.stft``'s magnitude), float32
    or float64; ``freq``: ``(n_bins,)`` float64 bin frequencies in Hz; ``roll_percent``: the roll-off's share, in
    the magnitude's type; ``tiny``: the smallest normal number of that type (librosa's threshold for a zero norm).

    Returns ``(l1_norm, centroid, bandwidth, rolloff)``, each ``(n_frames,)`` float64: what
    ``np.abs(S).astype(float).sum(axis=0)``, ``librosa.feature.spectral_centroid(S=S)``,
    ``spectral_bandwidth(S=S, centroid=...)`` (p = 2) and ``spectral_rolloff(S=S)`` give for ``S = frames.T``.
    """
    n_frames, n_bins = frames.shape
    l1_norm = np.zeros(n_frames)
    centroid = np.zeros(n_frames)
    bandwidth = np.zeros(n_frames)
    rolloff = np.zeros(n_frames)
    work = np.empty(n_bins)                     # float64, as librosa's temporaries
    normalised = np.empty_like(frames[0])       # in the magnitude's own type, as librosa.util.normalize's output
    running = np.zeros_like(frames[0, :1])      # the roll-off's running sum, in the magnitude's type
    for t in range(n_frames):
        frame = frames[t]
        for b in range(n_bins):
            work[b] = abs(frame[b])
        norm = 0.0 + pairwise_sum(work, n_bins)
        l1_norm[t] = norm
        divisor = 1.0 if norm < tiny else norm
        for b in range(n_bins):
            normalised[b] = frame[b] / divisor
            work[b] = freq[b] * normalised[b]
        centre = 0.0 + pairwise_sum(work, n_bins)
        centroid[t] = centre
        for b in range(n_bins):
            deviation = abs(centre - freq[b])
            work[b] = normalised[b] * (deviation * deviation)
        bandwidth[t] = np.sqrt(0.0 + pairwise_sum(work, n_bins))
    rolloff_bins(frames, roll_percent, rolloff)
    for t in range(n_frames):
        rolloff[t] = freq[np.int64(rolloff[t])]
    return l1_norm, centroid, bandwidth, rolloff


@numba.njit(cache=True, nogil=True)
def rolloff_bins(frames, roll_percent, bins):  # pragma: no cover - compiled
    """For every frame (a row of ``frames``), the first bin where the running sum of its magnitudes (in their own
    type, as ``np.cumsum``) reaches ``roll_percent`` times its total, into ``bins`` (float64). Eight frames at a
    time: each running sum is a chain of additions that must wait for one another, and eight chains side by side
    keep the processor busy (the same additions, in the same order within each frame)."""
    n_frames, n_bins = frames.shape
    totals = np.zeros_like(frames[:8, 0])
    running = np.zeros_like(frames[:8, 0])
    thresholds = np.zeros_like(frames[:8, 0])
    for first in range(0, n_frames, 8):
        count = min(8, n_frames - first)
        for j in range(count):
            totals[j] = frames[first + j, 0]
        for b in range(1, n_bins):
            for j in range(count):
                totals[j] += frames[first + j, b]
        for j in range(count):
            thresholds[j] = roll_percent * totals[j]
            running[j] = frames[first + j, 0]
            bins[first + j] = -1.0
        remaining = count
        for j in range(count):
            if not running[j] < thresholds[j]:
                bins[first + j] = 0.0
                remaining -= 1
        b = 0
        while remaining > 0 and b < n_bins - 1:
            b += 1
            for j in range(count):
                if bins[first + j] < 0.0:
                    running[j] += frames[first + j, b]
                    if not running[j] < thresholds[j]:
                        bins[first + j] = b
                        remaining -= 1
        for j in range(count):
            if bins[first + j] < 0.0:
                bins[first + j] = n_bins - 1
