"""What the collection pipeline's features cost on uncompressed 22 050 Hz WAV, part by part, next to the floor.

    .venv/bin/python benchmarks/feature_costs.py

Not a test: it prints numbers (README, "Pre-processing a whole collection") and asserts nothing about them. On
GTZAN-style files (30 s, mono 16-bit WAV at 22 050 Hz) reading costs almost nothing, so the floor of
benchmarks/collection_bench.py (read the file, one STFT per 3 s segment) is nearly all STFT, and the issue's target
(the pipeline within 1.5 x the floor) leaves the 36 features at most half the floor. This script times, on one
core with one BLAS thread, each at its fastest of 20:

* the floor, and ``helpers.summaries.frame_features`` (every frame-wise feature, librosa's numbers to the last bit)
  with its parts;
* an experiment that is *not* course code: the mel product, centroid, bandwidth and roll-off fused into one
  compiled pass per frame. It sums in another order than librosa (and BLAS), so its numbers differ from librosa's in
  the last bits; it shows how much of the features' time is arithmetic that could not be avoided.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def fastest_ms(function, repeats: int = 20) -> float:
    """Milliseconds of CPU time of ``function()`` at its fastest of ``repeats`` calls (after one to warm up)."""
    function()
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return 1000 * best


def fused_pass():
    """The experiment: per frame of a magnitude spectrogram ``(n_frames, n_bins)``, the mel bands' power (only the
    bins where each triangular filter is not zero), the centroid, the bandwidth and the 85 % roll-off."""
    import numba

    @numba.njit(cache=False)
    def run(magnitude, frequencies, first_bin, weights, weight_start, mel_power, shape):
        n_frames, n_bins = magnitude.shape
        for frame in range(n_frames):
            row = magnitude[frame]
            total, weighted = 0.0, 0.0
            for k in range(n_bins):
                total += row[k]
                weighted += row[k] * frequencies[k]
            centroid = weighted / total if total > 0 else 0.0
            spread = 0.0
            for k in range(n_bins):
                spread += row[k] * (frequencies[k] - centroid) ** 2
            target, running, rolloff = 0.85 * total, 0.0, 0
            for k in range(n_bins):
                running += row[k]
                if running >= target:
                    rolloff = k
                    break
            shape[frame, 0] = centroid
            shape[frame, 1] = np.sqrt(spread / total) if total > 0 else 0.0
            shape[frame, 2] = frequencies[rolloff]
            for band in range(first_bin.size):
                power = 0.0
                for offset in range(weight_start[band + 1] - weight_start[band]):
                    value = row[first_bin[band] + offset]
                    power += weights[weight_start[band] + offset] * value * value
                mel_power[band, frame] = power

    return run


def main() -> int:
    import librosa
    import soundfile
    from threadpoolctl import threadpool_limits

    import helpers
    from helpers.summaries import _mel_filterbank, _spectral_shape, _zero_crossing_rate, frame_features

    threadpool_limits(limits=1, user_api="blas")
    y, sr = helpers.load_sample("pop")  # 30 s, mono, 22 050 Hz
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "pop.wav"
        soundfile.write(path, y, sr, subtype="PCM_16")

        def floor():
            clip, _ = helpers.load_audio(path)
            for start in range(0, clip.size - 3 * sr + 1, 3 * sr):
                np.abs(librosa.stft(clip[start:start + 3 * sr], n_fft=2048, hop_length=512))

        clip, _ = helpers.load_audio(path)
        magnitude = np.abs(librosa.stft(clip, n_fft=2048, hop_length=512))
        frequencies = librosa.fft_frequencies(sr=sr, n_fft=2048)
        bank = _mel_filterbank(float(sr), 2048)
        mel = bank @ magnitude**2
        rows = {
            "floor: read the file, one STFT per 3 s segment": fastest_ms(floor),
            "read the file": fastest_ms(lambda: helpers.load_audio(path)),
            "frame_features (librosa's numbers to the last bit)": fastest_ms(lambda: frame_features(clip, sr)),
            "  its STFT and magnitude": fastest_ms(lambda: np.abs(librosa.stft(clip, n_fft=2048, hop_length=512))),
            "  centroid, bandwidth, roll-off (compiled, librosa's order)":
                fastest_ms(lambda: _spectral_shape(magnitude, frequencies, 0.85)),
            "  mel product (BLAS)": fastest_ms(lambda: bank @ magnitude**2),
            "  RMS (librosa)": fastest_ms(lambda: librosa.feature.rms(y=clip, frame_length=2048, hop_length=512)),
            "  zero-crossing rate": fastest_ms(lambda: _zero_crossing_rate(clip, 2048, 512)),
            "  dB and DCT (MFCCs)": fastest_ms(lambda: librosa.feature.mfcc(S=librosa.power_to_db(mel, top_db=80.0),
                                                                             n_mfcc=13)),
        }
        with open(path, "rb") as handle:
            rows["the file's SHA-256 (the pipeline's content key)"] = fastest_ms(
                lambda: (handle.seek(0), hashlib.file_digest(handle, "sha256")))
        first_bin = np.array([np.flatnonzero(row)[0] for row in bank])
        last_bin = np.array([np.flatnonzero(row)[-1] for row in bank])
        weights = np.concatenate([bank[band, first_bin[band]:last_bin[band] + 1] for band in range(len(bank))])
        weight_start = np.concatenate([[0], np.cumsum(last_bin - first_bin + 1)])
        run = fused_pass()
        frames_first = np.ascontiguousarray(magnitude.T)
        mel_power, shape = np.empty_like(mel), np.empty((frames_first.shape[0], 3))
        rows["experiment: mel product, centroid, bandwidth, roll-off in one compiled pass (other last bits)"] = \
            fastest_ms(lambda: run(frames_first, frequencies, first_bin, weights, weight_start, mel_power, shape))
        largest = float(np.max(np.abs(mel_power - mel) / np.maximum(mel, 1e-30)))
    for label, milliseconds in rows.items():
        print(f"{milliseconds:7.2f} ms  {label}")
    print(f"the experiment's mel power differs from the BLAS product by up to {largest:.1e} of a value")
    return 0


if __name__ == "__main__":
    sys.exit(main())
