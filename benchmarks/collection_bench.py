"""Speed and memory of the collection pipeline (helpers/collection.py, lesson 08), next to the floor.

    .venv/bin/python benchmarks/collection_bench.py                        # lesson 08's demo collection
    .venv/bin/python benchmarks/collection_bench.py --collection excerpts --files 100
    .venv/bin/python benchmarks/collection_bench.py --collection wav --files 70     # GTZAN's layout
    .venv/bin/python benchmarks/collection_bench.py --parts memory --memory-files 100 2000

Not a test: it prints numbers to report and asserts nothing about them (JSON in benchmarks/results/, not
committed). Every run starts from an empty store, so every file is computed.

* collections: ``demo`` is lesson 08's (25 distinct files of 10 s, 16-bit WAV at 22 050 Hz, and 6 broken ones);
  ``excerpts`` is ``--files`` copies of the bundled 30 s excerpts, each at its own rate and channels (44.1 or 48 kHz
  stereo, 8 kHz mono), as 16-bit FLAC, each copy with a gain of its own so that no two files share a content hash.
  ``wav`` is the same copies read as the course reads them (mono, 22 050 Hz) and written as 16-bit WAV: the layout
  of GTZAN (30 s clips, 22 050 Hz mono WAV), where reading a file costs almost nothing and the floor is the STFT.
* floor: what no feature pipeline can avoid, in this process on one core (one BLAS thread, as the pipeline's
  workers): reading every file as the course does (``helpers.load_audio``: decode, mix to mono, resample to
  22 050 Hz, DC-offset rule) and one STFT (2048/512) per 3 s segment.
* single: ``extract_features(jobs=1)``, in this process. joblib: ``jobs=N`` worker processes, timed twice: with
  their start-up (a first run), and warm (a second run on a new store; joblib keeps its workers). dask: a
  ``LocalCluster`` of N single-threaded worker processes, the same two ways (start-up = cluster start included).
* rerun: the single run repeated on the same store (nothing to compute), against the first: at once, and
  ``RACY_WAIT_SECONDS`` later. A file whose hash was taken less than 0.1 s after it was written (2 s where its
  times are whole seconds; ``helpers.collection.RACY_NANOSECONDS``) is read again by the next run; the floor runs
  between writing the collection and the first run, so here that concerns files on a coarse file system only.
* ceiling (with joblib): the machine's own two-worker figure at that moment: the same fixed computation (the
  features of a 10 s clip, ``CEILING_REPEATS`` times) in this process, then in each of N joblib workers at once;
  N x one / all. On a shared virtual machine two busy processes often get less than two cores' worth (other
  work, other guests on the host), and the pipeline's joblib figure cannot exceed this one.
* Every line gives wall seconds, and for what runs in this process its CPU seconds (``time.process_time``: not
  inflated when other work shares the cores, so the floor/pipeline ratio is steadier in CPU time), and the load
  average (other work on the machine slows the wall times, most of all the two-worker runs).
* memory: peak resident memory of a fresh process computing M files of 3 s with ``jobs=1``, for each M.
* ``--repeat N`` (default 3): the floor, the single run and the warm joblib and Dask runs are each made N times
  (every run of the pipeline on a new store) and the fastest is reported, with how far the slowest was from it:
  on the demo collection a run lasts a fraction of a second, and one other process waking up moves it by a third.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
#: The rerun is timed twice: at once, and this long after (beyond the 2 s in which a file with whole-second times,
#: just written, is hashed again: helpers.collection.RACY_NANOSECONDS).
RACY_WAIT_SECONDS = 2.5
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def excerpt_collection(folder: Path, n_files: int, as_gtzan: bool = False) -> Path:
    """``n_files`` copies of the bundled excerpts, each with its own gain: FLAC at their own rates and channels, or
    with ``as_gtzan`` as GTZAN stores its clips, mono 16-bit WAV at 22 050 Hz (read and resampled as the course
    reads them)."""
    import soundfile

    import helpers

    folder.mkdir(parents=True)
    names = helpers.sample_ids()
    if as_gtzan:
        decoded = {name: helpers.load_sample(name) for name in names}  # mono, 22 050 Hz
    else:
        decoded = {name: soundfile.read(helpers.sample_info(name).path, dtype="float32") for name in names}
    suffix = "wav" if as_gtzan else "flac"
    for index in range(n_files):
        name = names[index % len(names)]
        y, rate = decoded[name]
        soundfile.write(folder / f"{name}-{index:04d}.{suffix}", y * (0.9 - 0.0004 * index), rate, subtype="PCM_16")
    return folder


def floor_seconds(paths: list[Path]) -> tuple[float, int, float]:
    """Seconds to read every file as the course does and take one STFT per whole 3 s segment; the segment count;
    the CPU seconds of this process meanwhile."""
    import librosa
    from threadpoolctl import threadpool_limits

    from helpers import AudioInputError, load_audio
    from helpers.segments import segment_bounds

    n_segments = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    with threadpool_limits(limits=1, user_api="blas"):
        for path in paths:
            try:
                y, sr = load_audio(path)
            except AudioInputError:
                continue
            for start, stop in segment_bounds(y.size, sr, 3.0):
                np.abs(librosa.stft(y[start:stop], n_fft=2048, hop_length=512))
                n_segments += 1
    return time.perf_counter() - started, n_segments, time.process_time() - cpu_started


#: How many times the ceiling's worker computes the features of a 10 s clip (about 0.3 s on one core).
CEILING_REPEATS = 30


def busy_work(repeats: int = CEILING_REPEATS) -> float:
    """Seconds to compute ``frame_features`` of a 10 s excerpt ``repeats`` times with one BLAS thread."""
    from threadpoolctl import threadpool_limits

    import helpers
    from helpers.summaries import frame_features

    y, sr = helpers.load_sample_cached("pop")
    y = y[: 10 * sr]
    with threadpool_limits(limits=1, user_api="blas"):
        frame_features(y, sr)
        started = time.perf_counter()
        for _ in range(repeats):
            frame_features(y, sr)
    return time.perf_counter() - started


def parallel_ceiling(jobs: int) -> dict:
    """The same fixed work in this process, then at once in each of ``jobs`` joblib workers (already started by the
    joblib runs; each times its own loop, after loading the clip): how many times one process's throughput ``jobs``
    processes reach on this machine now."""
    from joblib import Parallel, delayed

    alone = busy_work()
    Parallel(n_jobs=jobs)(delayed(busy_work)(1) for _ in range(jobs))  # each worker loads the clip first
    together = max(Parallel(n_jobs=jobs)(delayed(busy_work)() for _ in range(jobs)))  # the slowest worker's loop
    return {"one_process_s": alone, "all_workers_s": together, "ceiling": jobs * alone / together}


def timed_run(source, out: Path, **arguments) -> dict:
    """One run of extract_features: wall seconds, and the CPU seconds of this process (the whole work when it runs
    in this process; only the main process's share with joblib or Dask workers)."""
    from helpers.collection import extract_features

    started, cpu_started = time.perf_counter(), time.process_time()
    report = extract_features(source, out, progress=False, **arguments)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "compute_seconds": report.compute_seconds,
            "files": report.n_computed, "rows": report.n_rows, "runner": report.runner,
            "load_average": os.getloadavg()[0]}


MEMORY_SCRIPT = r"""
import resource, sys
from pathlib import Path
import numpy as np, soundfile
from helpers.collection import extract_features
folder, n = Path(sys.argv[1]), int(sys.argv[2])
(folder / "music").mkdir(parents=True)
rng = np.random.default_rng(0)
for index in range(n):
    soundfile.write(folder / "music" / f"{index:05d}.wav", 0.1 * rng.standard_normal(3 * 22050), 22050)
extract_features(folder / "music", folder / "f.parquet", jobs=1, progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_memory_mib(folder: Path, n_files: int) -> float:
    completed = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(folder), str(n_files)], check=True,
                               capture_output=True, text=True)
    return int(completed.stdout.split()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collection", choices=("demo", "excerpts", "wav"), default="demo")
    parser.add_argument("--files", type=int, default=70, help="files in the excerpts or wav collection")
    parser.add_argument("--jobs", type=int, default=2, help="workers for joblib and Dask")
    parser.add_argument("--parts", nargs="+", default=["floor", "single", "rerun", "joblib", "dask"],
                        choices=("floor", "single", "rerun", "joblib", "dask", "memory"))
    parser.add_argument("--memory-files", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "collection.json")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed part; the fastest is reported")
    arguments = parser.parse_args()

    from helpers.collection import build_demo_collection, list_collection

    work = Path(tempfile.mkdtemp(prefix="collection-bench-"))
    results = {"machine": platform.platform(), "python": platform.python_version(), "collection": arguments.collection,
               "jobs": arguments.jobs, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        if arguments.collection == "demo":
            source = build_demo_collection(work / "demo")
        else:
            source = excerpt_collection(work / arguments.collection, arguments.files,
                                        as_gtzan=arguments.collection == "wav")
        paths = sorted({Path(item.path) for item in list_collection(source).files if Path(item.path).exists()})
        results["files_listed"] = len(paths)

        def report(name, entry):
            results[name] = entry
            rate = entry["files"] / entry["seconds"] if entry.get("seconds") else 0
            extra = f", {entry['rows'] / entry['seconds']:.1f} segments/s" if entry.get("rows") else ""
            cpu = f" (CPU of this process {entry['cpu_seconds']:.3f} s)" if "cpu_seconds" in entry else ""
            print(f"{name:<14} {entry['seconds']:7.3f} s{cpu}  {rate:6.2f} files/s{extra}  {entry.get('runner', '')}"
                  f"  [load average {os.getloadavg()[0]:.2f}]", flush=True)

        # Warm up this process first (librosa's lazy imports, numba's cached functions), so that neither the floor
        # nor the single run pays for it.
        from helpers.collection import FeatureSettings, compute_file, file_sha256

        floor_seconds(paths[:2])
        compute_file(str(paths[0]), file_sha256(paths[0]), FeatureSettings(), ("none",))
        def fastest(run):
            """``run(index)`` ``--repeat`` times: the fastest entry, with every run's wall seconds."""
            entries = [run(index) for index in range(max(1, arguments.repeat))]
            best = min(entries, key=lambda entry: entry["seconds"])
            return {**best, "all_seconds": [entry["seconds"] for entry in entries],
                    "runner": f"{best.get('runner', '')}, fastest of {len(entries)} (slowest "
                              f"+{max(entry['seconds'] for entry in entries) / best['seconds'] - 1:.0%})"}

        def floor_entry(_index):
            seconds, segments, cpu_seconds = floor_seconds(paths)
            return {"seconds": seconds, "cpu_seconds": cpu_seconds, "files": len(paths), "rows": segments,
                    "runner": "1 core"}

        if "floor" in arguments.parts:
            report("floor", fastest(floor_entry))
        if "single" in arguments.parts or "rerun" in arguments.parts:
            report("single", fastest(lambda index: timed_run(source, work / f"single-{index}.parquet", jobs=1,
                                                             store=work / f"single-{index}.parts")))
            shutil.copytree(work / f"single-{arguments.repeat - 1}.parts", work / "single.parts")
            shutil.copy2(work / f"single-{arguments.repeat - 1}.parquet", work / "single.parquet")
            if "rerun" in arguments.parts:
                report("rerun", timed_run(source, work / "single.parquet", jobs=1))
                print(f"{'':<14} the rerun took {results['rerun']['seconds'] / results['single']['seconds']:.1%} "
                      "of the first run")
                time.sleep(RACY_WAIT_SECONDS)
                report("rerun_later", timed_run(source, work / "single.parquet", jobs=1))
                print(f"{'':<14} a rerun {RACY_WAIT_SECONDS:g} s later took "
                      f"{results['rerun_later']['seconds'] / results['single']['seconds']:.1%} of the first run")
        if "joblib" in arguments.parts:
            report("joblib_start", timed_run(source, work / "j1.parquet", jobs=arguments.jobs))
            report("joblib_warm", fastest(lambda index: timed_run(source, work / f"j2-{index}.parquet",
                                                                  jobs=arguments.jobs)))
            results["ceiling"] = parallel_ceiling(arguments.jobs)
            print(f"{'ceiling':<14} the same work in this process: {results['ceiling']['one_process_s']:.3f} s, in "
                  f"each of {arguments.jobs} workers at once: {results['ceiling']['all_workers_s']:.3f} s, so "
                  f"{results['ceiling']['ceiling']:.2f}x one process's throughput at best  "
                  f"[load average {os.getloadavg()[0]:.2f}]", flush=True)
        if "dask" in arguments.parts:
            from distributed import LocalCluster

            started = time.perf_counter()
            with LocalCluster(n_workers=arguments.jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                              silence_logs=logging.ERROR) as cluster:
                start_up = time.perf_counter() - started
                first = timed_run(source, work / "d1.parquet", scheduler=cluster)
                first["seconds"] += start_up
                report("dask_start", first)
                report("dask_warm", fastest(lambda index: timed_run(source, work / f"d2-{index}.parquet",
                                                                    scheduler=cluster)))
        if "single" in results and "floor" in results:
            per_segment = {name: results[name]["seconds"] / results[name]["rows"] for name in ("floor", "single")}
            cpu_per_segment = {name: results[name]["cpu_seconds"] / results[name]["rows"]
                               for name in ("floor", "single")}
            print(f"pipeline on one core / floor: {per_segment['single'] / per_segment['floor']:.2f} (wall seconds "
                  f"per segment), {cpu_per_segment['single'] / cpu_per_segment['floor']:.2f} (CPU seconds per "
                  "segment)")
        for name in ("joblib_warm", "dask_warm"):
            if name in results and "single" in results:
                print(f"{name} / single, files per second: "
                      f"{results['single']['seconds'] / results[name]['seconds']:.2f}x")
        if "memory" in arguments.parts:
            results["memory_mib"] = {}
            for n_files in arguments.memory_files:
                peak = peak_memory_mib(work / f"memory-{n_files}", n_files)
                results["memory_mib"][n_files] = peak
                print(f"peak memory, {n_files} files of 3 s: {peak:.0f} MiB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=1))
    print(f"written to {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
