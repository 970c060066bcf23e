"""Classroom speed of the course: Run All per lesson (cold and warm numba cache) and slider latency.

    python3 course.py bench               # all lessons, 2 warm runs each, 60 slider moves per explorer
    python3 course.py bench --lessons 01  # only lessons whose file name starts with 01

Not a test: it prints numbers to report (closing notes, README), it asserts nothing about them. For each lesson:

* floor: starting a kernel, importing what every lesson imports (numpy, matplotlib, librosa, helpers), a first tiny
  STFT and resample (librosa imports scipy.signal and soxr lazily on first use) and one tiny figure: the part of
  Run All no lesson can avoid, measured in the same run;
* cold: Run All with an empty numba cache (what the first student on a fresh machine waits);
* warm: Run All again with the cache filled (the median of the warm runs);
* slider median / p95: the time from a control's new value to the new image being ready, over many random moves of
  every control of the lesson's explorers, in this process (the same code path the notebook runs); split into
  redraws (everything cached) and first visits (a song or setting not seen before, computed then cached).

Results are also written as JSON to benchmarks/results/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO / "notebooks"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# The floor: kernel start, the imports every lesson makes, and the first use of librosa (which imports its heavy
# parts, such as scipy.signal, lazily on first use) on a tiny signal, plus one small figure. No lesson content.
FLOOR_SOURCE = """\
%matplotlib inline
import numpy as np, matplotlib.pyplot as plt, librosa, helpers
librosa.stft(np.zeros(4096, dtype=np.float32)); librosa.resample(np.zeros(4410), orig_sr=44100, target_sr=22050)
plt.plot([0, 1]); plt.show()
"""


def execute(notebook: nbformat.NotebookNode, numba_cache: Path) -> float:
    """Run every cell in a fresh kernel, as Run All does; return the wall time in seconds (kernel start included)."""
    os.environ["NUMBA_CACHE_DIR"] = str(numba_cache)  # the kernel inherits this process's environment
    client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    started = time.perf_counter()
    client.execute()
    return time.perf_counter() - started


def floor_seconds(numba_cache: Path) -> float:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    return execute(notebook, numba_cache)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# ------------------------------------------------------------------ slider scenarios, one per explorer class


def _option_values(control) -> list:
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def move_controls(explorer, controls: list, moves: int) -> list[tuple[float, bool]]:
    """Move the explorer's controls in turn to random new values; return ``(milliseconds, first_visit)`` per move.

    Decoding each bundled song happens once, when a student first picks it, so every song is loaded before timing.
    A move is a *first visit* when it had to compute a feature or spectrogram the explorer had not cached yet
    (a new song or setting); other moves only redraw. Both kinds are measured and reported.
    """
    import helpers

    for name in helpers.sample_ids():
        helpers.load_sample_cached(name)
    rng = random.Random(0)
    results = []
    for move in range(moves):
        control = controls[move % len(controls)]
        cached_before = len(explorer.store._features)
        explorer.update_times_ms.clear()
        if hasattr(control, "options"):
            choices = [value for value in _option_values(control) if value != control.value]
            control.value = rng.choice(choices)
        else:
            new = rng.uniform(control.min, control.max)
            control.value = round(new) if isinstance(control.value, int) else round(new, 2)
        if explorer.update_times_ms:
            results.append((explorer.update_times_ms[-1], len(explorer.store._features) > cached_before))
    return results


def waveform_explorer(moves: int) -> list[tuple[float, bool]]:
    from helpers.widgets import WaveformExplorer

    explorer = WaveformExplorer(window_s=2.0)
    return move_controls(explorer, [explorer.start, explorer.window, explorer.song_a, explorer.song_b], moves)


def spectrogram_explorer(moves: int) -> list[tuple[float, bool]]:
    from helpers.widgets import SpectrogramExplorer

    explorer = SpectrogramExplorer()
    return move_controls(explorer, [explorer.n_fft, explorer.scale, explorer.song_a, explorer.song_b], moves)


def feature_explorer(moves: int) -> list[tuple[float, bool]]:
    from helpers.widgets import FeatureExplorer

    times = []
    for feature, extra in (("zero_crossing_rate", ()), ("spectral_centroid", ("spectral_rolloff",))):
        explorer = FeatureExplorer(feature, extra_features=extra)
        times += move_controls(explorer, [explorer.frame_length, explorer.song_a, explorer.song_b], moves // 2)
    return times


def mfcc_explorer(moves: int) -> list[tuple[float, bool]]:
    from helpers.widgets import MFCCExplorer

    explorer = MFCCExplorer()
    return move_controls(explorer, [explorer.n_mfcc, explorer.n_mfcc, explorer.song], moves)


def comparison_dashboard(moves: int) -> list[tuple[float, bool]]:
    from helpers.dashboard import ComparisonDashboard

    explorer = ComparisonDashboard(selected=("metal", "edm", "ambient"))
    names = list(explorer.clips.options)
    rng = random.Random(1)

    class ClipSets:
        """The clip picker as a control whose options are sets of 2 to 4 clips (what a student Ctrl-clicks)."""

        options = [(None, tuple(sorted(rng.sample(names, rng.randint(2, 4)), key=names.index))) for _ in range(24)]
        value = property(lambda self: explorer.clips.value,
                         lambda self, clips: setattr(explorer.clips, "value", clips))

    controls = [explorer.view, explorer.x_feature, explorer.y_feature, ClipSets()]
    return move_controls(explorer, controls, moves)


EXPLORER_SCENARIOS = {
    "WaveformExplorer": waveform_explorer,
    "SpectrogramExplorer": spectrogram_explorer,
    "FeatureExplorer": feature_explorer,
    "MFCCExplorer": mfcc_explorer,
    "ComparisonDashboard": comparison_dashboard,
}


def explorers_in(notebook: nbformat.NotebookNode) -> list[str]:
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return [name for name in EXPLORER_SCENARIOS if f"{name}(" in code]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", nargs="*", default=None, help="lesson number prefixes, e.g. 00 01")
    parser.add_argument("--warm-runs", type=int, default=2)
    parser.add_argument("--moves", type=int, default=60, help="slider moves per explorer")
    arguments = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    paths = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    if arguments.lessons:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in arguments.lessons)]

    rows = []
    with tempfile.TemporaryDirectory(prefix="course-bench-") as scratch:
        for path in paths:
            notebook = nbformat.read(path, as_version=4)
            cache = Path(scratch) / path.stem
            shutil.rmtree(cache, ignore_errors=True)
            cold = execute(nbformat.from_dict(notebook), cache)
            warm = statistics.median(execute(nbformat.from_dict(notebook), cache) for _ in range(arguments.warm_runs))
            # Twice, keeping the lower: the first run may compile numba functions this lesson never used.
            floor = min(floor_seconds(cache) for _ in range(2))
            slider = []
            for explorer in explorers_in(notebook):
                slider += EXPLORER_SCENARIOS[explorer](arguments.moves)
            times = [ms for ms, _ in slider]
            redraws = [ms for ms, first in slider if not first]
            first_visits = [ms for ms, first in slider if first]
            row = {
                "lesson": path.stem, "floor_s": floor, "cold_s": cold, "warm_s": warm,
                "slider_moves": len(slider), "first_visits": len(first_visits),
                "slider_median_ms": statistics.median(times) if times else None,
                "slider_p95_ms": percentile(times, 0.95) if times else None,
                "redraw_median_ms": statistics.median(redraws) if redraws else None,
                "first_visit_median_ms": statistics.median(first_visits) if first_visits else None,
            }
            rows.append(row)
            print(f"measured {path.name}: {row}", flush=True)

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n")
    print("| lesson | floor (kernel + imports) | Run All cold | Run All warm | slider median | slider p95 "
          "| redraw median | first-visit median | moves (first visits) |")
    print("|---|---|---|---|---|---|---|---|---|")

    def milliseconds(value):
        return "–" if value is None else f"{value:.0f} ms"

    for row in rows:
        print(f"| {row['lesson']} | {row['floor_s']:.1f} s | {row['cold_s']:.1f} s | {row['warm_s']:.1f} s | "
              f"{milliseconds(row['slider_median_ms'])} | {milliseconds(row['slider_p95_ms'])} | "
              f"{milliseconds(row['redraw_median_ms'])} | {milliseconds(row['first_visit_median_ms'])} | "
              f"{row['slider_moves']} ({row['first_visits']}) |")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / time.strftime("bench-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"machine": platform.platform(), "rows": rows}, indent=2))
    print(f"\nSaved {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
