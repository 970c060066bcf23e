"""Classroom speed of the course: Run All per lesson (cold and warm numba cache) and slider latency.

    python3 course.py bench               # all lessons, 2 warm runs each, 60 slider moves per explorer
    python3 course.py bench --lessons 01  # only lessons whose file name starts with 01

Not a test: it prints numbers to report (closing notes, README), it asserts nothing about them. For each lesson:

* floor: starting a kernel and importing what every lesson imports (numpy, matplotlib, librosa, helpers), i.e. the
  part of Run All no lesson can avoid, measured in the same run;
* cold: Run All with an empty numba cache (what the first student on a fresh machine waits);
* warm: Run All again with the cache filled (the median of the warm runs);
* slider median / p95: the time from a control's new value to the new image being ready, over many moves of every
  control of the lesson's explorers, in this process (the same code path the notebook runs).

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
FLOOR_SOURCE = "import numpy, matplotlib.pyplot, librosa, helpers\n%matplotlib inline"


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


def waveform_explorer_moves(moves: int) -> list[float]:
    """Random moves of every control of lesson 01's WaveformExplorer; returns the update times in ms."""
    import helpers
    from helpers.widgets import WINDOW_CHOICES_S, WaveformExplorer

    names = helpers.sample_ids()
    explorer = WaveformExplorer(window_s=2.0)
    for name in names:  # a student's first pick of each song decodes it once: not part of a slider's latency
        explorer.song_a.value = name
    explorer.update_times_ms.clear()
    rng = random.Random(0)
    for move in range(moves):
        control = move % 4
        if control == 0:
            explorer.start.value = round(rng.uniform(0, 28), 2)
        elif control == 1:
            explorer.window.value = rng.choice(WINDOW_CHOICES_S)
        elif control == 2:
            explorer.song_a.value = rng.choice([n for n in names if n != explorer.song_a.value])
        else:
            explorer.song_b.value = rng.choice([n for n in names if n != explorer.song_b.value])
    return list(explorer.update_times_ms)


EXPLORER_SCENARIOS = {"WaveformExplorer": waveform_explorer_moves}


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
            floor = floor_seconds(cache)
            slider = []
            for explorer in explorers_in(notebook):
                slider += EXPLORER_SCENARIOS[explorer](arguments.moves)
            row = {
                "lesson": path.stem, "floor_s": floor, "cold_s": cold, "warm_s": warm,
                "slider_moves": len(slider),
                "slider_median_ms": statistics.median(slider) if slider else None,
                "slider_p95_ms": percentile(slider, 0.95) if slider else None,
            }
            rows.append(row)
            print(f"measured {path.name}: {row}", flush=True)

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n")
    print("| lesson | floor (kernel + imports) | Run All cold | Run All warm | slider median | slider p95 | moves |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        slider = ("–", "–") if row["slider_median_ms"] is None else (
            f"{row['slider_median_ms']:.0f} ms", f"{row['slider_p95_ms']:.0f} ms")
        print(f"| {row['lesson']} | {row['floor_s']:.1f} s | {row['cold_s']:.1f} s | {row['warm_s']:.1f} s | "
              f"{slider[0]} | {slider[1]} | {row['slider_moves']} |")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / time.strftime("bench-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"machine": platform.platform(), "rows": rows}, indent=2))
    print(f"\nSaved {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
