"""Classroom speed of the course: Run All per lesson, the kernel's cost of a first visit, and slider latency in the
browser (JupyterLab and the website), idle and under load.

    python3 course.py bench                          # everything (the browser part needs Chromium, and a built
                                                     # site for the website: `python3 course.py site` first)
    python3 course.py bench --lessons 01 05          # only lessons whose file name starts with 01 or 05
    python3 course.py bench --parts runall kernel    # skip the browser part

Not a test: it prints numbers to report (closing notes, README) and asserts nothing about them. Results are also
written as JSON to benchmarks/results/ (not committed).

* runall: the floor (starting a kernel, importing what every lesson imports, a first tiny STFT, resample and figure:
  the part of Run All no lesson can avoid, measured in the same run), the lesson's own floor
  (the same, after the lesson's own import cell: lesson 07 also imports scikit-learn), Run All with an empty numba
  cache (cold) and with the cache filled (warm). Warm runs and both floors are measured in turn, ``--warm-runs``
  times (default 3), and each is the fastest of its runs (the same estimator above and below the ratio; the spread
  is printed and kept in the JSON).
* kernel: the explorers' first visits, in this process: each explorer is made as its lesson makes it, then its
  controls move at random (``--moves`` per explorer) and every payload the new view needs that the kernel has not
  computed yet is computed, timed (a visit: what one move costs the kernel; moves it does not cost anything are
  counted apart).
* browser: input to repaint. For every control of every explorer, ``--moves`` key presses (arrows on sliders, menus
  and radio buttons, Space on check boxes) in headless Chromium, after one pass that brings every value's data into
  the browser; from the key's event to the drawing done, and to the next animation frame (when the browser paints
  it). On the website (the built site, served on loopback) and in JupyterLab (each lesson run with Run All), each
  idle and with 6 CPU-bound processes at ``nice 19`` standing in for a class on one server; in JupyterLab also with
  the lesson's own kernel busy in a CPU loop. The kernel's CPU time during the moves is measured too (psutil).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO / "notebooks"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(REPO / "tests" / "browser"))
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


def floor_seconds(numba_cache: Path, lesson: nbformat.NotebookNode | None = None) -> float:
    """The common floor (FLOOR_SOURCE), or with ``lesson`` that lesson's own floor: its import cell (its first code
    cell: the libraries it imports, e.g. scikit-learn in lesson 07) followed by FLOOR_SOURCE's first use."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    if lesson is not None:
        imports = next(cell for cell in lesson.cells if cell.cell_type == "code")
        notebook.cells.insert(0, nbformat.v4.new_code_cell(imports.source))
    return execute(notebook, numba_cache)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {"count": len(values), "median": statistics.median(values), "p95": percentile(values, 0.95),
            "max": max(values)}


# ------------------------------------------------------------------ part 1: Run All

def run_all(paths: list[Path], warm_runs: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="course-bench-") as scratch:
        for path in paths:
            notebook = nbformat.read(path, as_version=4)
            cache = Path(scratch) / path.stem
            cold = execute(nbformat.from_dict(notebook), cache)
            # Interleaved (a Run All, the floor, the lesson's floor; again), so that a slow spell of a shared machine
            # falls on all three alike; each is then the fastest of its runs: the same estimator for the lesson and
            # for the floor it is divided by.
            warm_runs_s, floor_runs_s, own_floor_runs_s = [], [], []
            for _ in range(warm_runs):
                warm_runs_s.append(execute(nbformat.from_dict(notebook), cache))
                floor_runs_s.append(floor_seconds(cache))
                own_floor_runs_s.append(floor_seconds(cache, notebook))
            warm, floor, own_floor = min(warm_runs_s), min(floor_runs_s), min(own_floor_runs_s)
            rows.append({"lesson": path.stem, "floor_s": floor, "lesson_floor_s": own_floor, "cold_s": cold,
                         "warm_s": warm, "warm_over_floor": warm / floor, "warm_over_lesson_floor": warm / own_floor,
                         "warm_runs_s": warm_runs_s, "floor_runs_s": floor_runs_s,
                         "lesson_floor_runs_s": own_floor_runs_s})
            print(f"Run All {path.stem}: floor {floor:.1f} s (with the lesson's own imports {own_floor:.1f} s), "
                  f"cold {cold:.1f} s, warm {warm:.1f} s ({warm / floor:.2f} x the floor, "
                  f"{warm / own_floor:.2f} x the lesson's floor; warm runs {min(warm_runs_s):.1f}-"
                  f"{max(warm_runs_s):.1f} s, floors {min(floor_runs_s):.1f}-{max(floor_runs_s):.1f} s)", flush=True)
    return rows


# ------------------------------------------------------------------ part 2: the kernel's first visits

def _waveform_chunks(explorer, device_pixels: int = 1800) -> list[str]:
    """The waveform chunks the browser asks for at the explorer's window (as helpers/frontend/explorer.js picks the
    level: the largest block of samples not above the samples per device pixel)."""
    from helpers import explorer_data as data

    keys = []
    for name in explorer.songs:
        y, sr = explorer.store.audio(name)
        duration = y.size / sr
        start = max(0.0, min(explorer.start, duration - explorer.window))
        per_pixel = explorer.window * sr / device_pixels
        block = max([b for b in data.WAVE_BLOCKS if b <= max(1.0, per_pixel)])
        span = block * data.WAVE_CHUNK_COLUMNS
        first, last = int(start * sr // span), min(int((y.size - 1) // span), int((start + explorer.window) * sr // span))
        keys += [data.make_key("wave", name, block, chunk) for chunk in range(first, last + 1)]
    return keys


def _choices(explorer, trait: str) -> list:
    setup = explorer.setup
    names = [clip["name"] for clip in setup["clips"]]
    return {"song_a": names, "song_b": names, "song": names, "window": setup.get("window_choices_s"),
            "n_fft": setup.get("n_fft_choices"), "scale": setup.get("scales"),
            "frame_length": setup.get("frame_length_choices"), "n_mfcc": list(range(1, setup.get("n_mels", 2) + 1)),
            "view": [view["name"] for view in setup.get("views", [])],
            "x_feature": [f["name"] for f in setup.get("features", [])],
            "y_feature": [f["name"] for f in setup.get("features", [])],
            "bins_per_octave": setup.get("bins_per_octave_choices")}.get(trait)


def lesson_explorers(lesson: str) -> list:
    """The explorers of a lesson, made as the lesson makes them (its code cell, without the student's own song)."""
    from helpers.dashboard import ComparisonDashboard
    from helpers.widgets import FeatureExplorer, MFCCExplorer, PitchExplorer, SpectrogramExplorer, WaveformExplorer

    makers = {
        "01": lambda: [WaveformExplorer(song_a="edm", song_b="ambient", window_s=2.0)],
        "02": lambda: [SpectrogramExplorer(song_a="ambient", song_b="edm")],
        "03": lambda: [FeatureExplorer("zero_crossing_rate", song_a="metal", song_b="ambient")],
        "04": lambda: [FeatureExplorer("spectral_centroid", extra_features=("spectral_rolloff",), song_a="metal",
                                       song_b="ambient")],
        "05": lambda: [MFCCExplorer(song="piano", n_mfcc=13, n_mels=128)],
        "06": lambda: [ComparisonDashboard(selected=("metal", "edm", "speech"), view="zero_crossing_rate")],
        "07": lambda: [SpectrogramExplorer(song_a="edm", song_b="metal", scale="mel")],
        "09": lambda: [PitchExplorer(song="piano", bins_per_octave=36)],
    }
    return makers.get(lesson[:2], list)()


def kernel_first_visits(paths: list[Path], moves: int) -> list[dict]:
    rows = []
    rng = random.Random(1)
    for path in paths:
        for explorer in lesson_explorers(path.stem):
            visits, free_moves = [], 0
            for _ in range(moves):
                trait = rng.choice(explorer.controls)
                if trait == "start":
                    value = round(rng.uniform(0, explorer.longest_s), 3)
                elif trait == "selected":
                    names = [clip["name"] for clip in explorer.setup["clips"]]
                    value = rng.sample(names, rng.randint(2, 4))
                else:
                    value = rng.choice([choice for choice in _choices(explorer, trait) if choice != getattr(explorer, trait)])
                setattr(explorer, trait, value)
                keys = explorer.initial_keys() + (_waveform_chunks(explorer) if explorer.kind == "waveform" else [])
                missing = [key for key in dict.fromkeys(keys) if key not in explorer._payloads]
                if not missing:
                    free_moves += 1
                    continue
                started = time.perf_counter()
                for key in missing:
                    explorer.payload(key)
                visits.append(1000 * (time.perf_counter() - started))
            row = {"lesson": path.stem, "explorer": type(explorer).__name__, "moves": moves,
                   "moves_without_kernel_work": free_moves, "first_visit_ms": summary(visits)}
            rows.append(row)
            stats = row["first_visit_ms"]
            print(f"kernel {path.stem} {row['explorer']}: {stats.get('count')} first visits, median "
                  f"{stats.get('median', 0):.0f} ms, p95 {stats.get('p95', 0):.0f} ms; {free_moves} of {moves} moves "
                  "needed nothing from the kernel", flush=True)
    return rows


# ------------------------------------------------------------------ part 3: the browser

class Load:
    """``count`` CPU-bound processes at nice 19: other work on a shared server (ended by ``stop``)."""

    def __init__(self, count: int):
        self.processes = [subprocess.Popen(["nice", "-n", "19", sys.executable, "-c", "while True: pass"])
                          for _ in range(count)]

    def stop(self):
        for process in self.processes:
            process.kill()
            process.wait()


def measure_explorers(page, moves: int, label: str, kernel_process=None) -> list[dict]:
    """Move every control of every explorer on the page; return one row per control with the timings, and the
    kernel's CPU time per move when ``kernel_process`` is given (moves one frame apart, as a held arrow key)."""
    from explorer_driver import clear_timings, controls_of, explorer_roots, move, timings, wait_settled

    rows = []
    for number, root in enumerate(explorer_roots(page)):
        root.scroll_into_view_if_needed()
        wait_settled(root, 120)
        kind = root.get_attribute("data-kind")
        for control in controls_of(root):
            for step in range(4):  # bring the data of the values the measured moves visit into the browser
                move(page, control, step)
                wait_settled(root, 120)
            clear_timings(root)
            cpu_before = sum(kernel_process.cpu_times()[:2]) if kernel_process else None
            for step in range(moves):
                move(page, control, step)
                page.wait_for_function("root => root.parentNode.courseExplorer.timings.length > 0 && "
                                       "root.parentNode.courseExplorer.timings.every(t => t.cause === 'update' || "
                                       "t.input_to_frame_ms !== null)", arg=root.element_handle(), timeout=10_000)
            wait_settled(root, 120)
            page.wait_for_timeout(400)  # the trait updates reach the kernel once the control rests
            cpu_after = sum(kernel_process.cpu_times()[:2]) if kernel_process else None
            measured = [t for t in timings(root) if t["cause"] not in ("update", "first")]
            row = {"condition": label, "explorer": f"{kind} #{number}", "control": control["label"],
                   "moves": len(measured),
                   "input_to_drawn_ms": summary([t["input_to_drawn_ms"] for t in measured]),
                   "input_to_frame_ms": summary([t["input_to_frame_ms"] for t in measured]),
                   "redraws_for_arriving_data": sum(t["cause"] == "update" for t in timings(root))}
            if kernel_process:
                row["kernel_cpu_ms_per_move"] = 1000 * (cpu_after - cpu_before) / max(1, moves)
            rows.append(row)
            print(f"  {label} {row['explorer']} {control['label']}: drawn p95 "
                  f"{row['input_to_drawn_ms'].get('p95', float('nan')):.1f} ms, next frame p95 "
                  f"{row['input_to_frame_ms'].get('p95', float('nan')):.1f} ms"
                  + (f", kernel CPU {row['kernel_cpu_ms_per_move']:.1f} ms per move" if kernel_process else ""),
                  flush=True)
    return rows


def browser_website(browser, lessons: list[str], moves: int) -> list[dict]:
    import functools
    import http.server
    import threading

    from conftest import SITE_HTML, QuietHandler

    if not (SITE_HTML / "index.html").exists():
        print("website: not built; run `python3 course.py site` first. Skipped.")
        return []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(SITE_HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rows = []
    try:
        for condition, load_count in (("website, idle", 0), ("website, 6 busy processes at nice 19", 6)):
            load = Load(load_count)
            try:
                for lesson in lessons:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.goto(f"http://127.0.0.1:{server.server_address[1]}/notebooks/{lesson}.html",
                              wait_until="networkidle")
                    for row in measure_explorers(page, moves, condition):
                        rows.append({"lesson": lesson, **row})
                    page.close()
            finally:
                load.stop()
    finally:
        server.shutdown()
    return rows


def browser_jupyterlab(browser, lessons: list[str], moves: int, scratch: Path) -> list[dict]:
    import psutil
    from jupyter_client import BlockingKernelClient
    from test_jupyterlab import open_and_run_all, start_lab

    rows = []
    server, port, log = start_lab(scratch, lessons=[f"{lesson}.ipynb" for lesson in lessons])
    try:
        for lesson in lessons:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            open_and_run_all(page, port, f"{lesson}.ipynb")
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=300_000)
            kernels = [child for child in psutil.Process(server.pid).children(recursive=True)
                       if "ipykernel_launcher" in " ".join(child.cmdline())]
            kernel = max(kernels, key=lambda process: process.create_time())
            for row in measure_explorers(page, moves, "JupyterLab, idle", kernel):
                rows.append({"lesson": lesson, **row})
            # The lesson's own kernel in a CPU loop (sent through its connection file, as a running cell would be),
            # and 6 other busy processes at nice 19.
            connection = next(Path(path) for path in kernel.cmdline() if path.endswith(".json"))
            client = BlockingKernelClient(connection_file=str(connection))
            client.load_connection_file()
            client.start_channels()
            client.execute("import time\nstarted = time.time()\nwhile time.time() - started < 600:\n    pass")
            load = Load(6)
            try:
                page.get_by_text("Python 3 (ipykernel) | Busy").wait_for(timeout=10_000)
                for row in measure_explorers(page, moves, "JupyterLab, its kernel busy + 6 busy processes"):
                    rows.append({"lesson": lesson, **row})
            finally:
                load.stop()
                client.stop_channels()
                kernel.terminate()
            page.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return rows


def browser_latency(paths: list[Path], moves: int) -> list[dict]:
    from conftest import CHROMIUM_FLAGS, chromium_path

    chromium = chromium_path()
    lessons = [path.stem for path in paths if lesson_explorers(path.stem)]
    if chromium is None:
        print("browser: no Chromium (install Debian's chromium package). Skipped.")
        return []
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="course-bench-lab-") as scratch:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        rows += browser_website(browser, lessons, moves)
        rows += browser_jupyterlab(browser, lessons, moves, Path(scratch))
        browser.close()
    return rows


def print_browser_table(rows: list[dict]) -> None:
    print("\n| where | explorer (lesson) | controls | moves | drawn median | drawn p95 | next frame median | "
          "next frame p95 | kernel CPU per move |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["condition"], row["lesson"], row["explorer"]), []).append(row)
    for (condition, lesson, explorer), members in groups.items():
        # Pool the controls' moves: the medians and p95s of the pooled timings are recomputed from the rows' counts
        # only approximately, so report the worst control's p95 and the median of the controls' medians.
        drawn_p95 = max(member["input_to_drawn_ms"]["p95"] for member in members)
        frame_p95 = max(member["input_to_frame_ms"]["p95"] for member in members)
        drawn_median = statistics.median(member["input_to_drawn_ms"]["median"] for member in members)
        frame_median = statistics.median(member["input_to_frame_ms"]["median"] for member in members)
        cpu = [member["kernel_cpu_ms_per_move"] for member in members if "kernel_cpu_ms_per_move" in member]
        print(f"| {condition} | {explorer} ({lesson[:2]}) | {len(members)} | "
              f"{sum(member['moves'] for member in members)} | {drawn_median:.1f} ms | {drawn_p95:.1f} ms | "
              f"{frame_median:.1f} ms | {frame_p95:.1f} ms | {f'{max(cpu):.1f} ms' if cpu else '–'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", nargs="*", default=None, help="lesson number prefixes, e.g. 00 01")
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--moves", type=int, default=50, help="moves per control (browser) or per explorer (kernel)")
    parser.add_argument("--parts", nargs="*", default=["runall", "kernel", "browser"],
                        choices=["runall", "kernel", "browser"])
    arguments = parser.parse_args()
    paths = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    if arguments.lessons:
        paths = [p for p in paths if any(p.name.startswith(prefix) for prefix in arguments.lessons)]

    results = {"machine": f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"}
    if "runall" in arguments.parts:
        results["run_all"] = run_all(paths, arguments.warm_runs)
    if "kernel" in arguments.parts:
        results["kernel"] = kernel_first_visits(paths, arguments.moves)
    if "browser" in arguments.parts:
        results["browser"] = browser_latency(paths, arguments.moves)

    print(f"\nMachine: {results['machine']}\n")
    if results.get("run_all"):
        print("| lesson | floor (kernel + imports) | lesson's floor (its own imports) | Run All cold | Run All warm | "
              "warm / floor | warm / lesson's floor |")
        print("|---|---|---|---|---|---|---|")
        for row in results["run_all"]:
            print(f"| {row['lesson']} | {row['floor_s']:.1f} s | {row['lesson_floor_s']:.1f} s | {row['cold_s']:.1f} s "
                  f"| {row['warm_s']:.1f} s | {row['warm_over_floor']:.2f} | {row['warm_over_lesson_floor']:.2f} |")
    if results.get("kernel"):
        print("\n| explorer (lesson) | random moves | moves needing the kernel | first visit median | p95 | max |")
        print("|---|---|---|---|---|---|")
        for row in results["kernel"]:
            stats = row["first_visit_ms"]
            if not stats["count"]:
                continue
            print(f"| {row['explorer']} ({row['lesson'][:2]}) | {row['moves']} | {stats['count']} | "
                  f"{stats['median']:.0f} ms | {stats['p95']:.0f} ms | {stats['max']:.0f} ms |")
    if results.get("browser"):
        print_browser_table(results["browser"])
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / time.strftime("bench-%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps(results, indent=2))
    print(f"\nSaved {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
