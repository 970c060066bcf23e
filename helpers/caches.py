"""Where the course's caches live, and a numba cache that concurrent kernels cannot corrupt.

librosa compiles some of its functions with numba on first use (20-40 s) and keeps the machine code in a cache
folder. Two things go wrong in classrooms, and this module prevents both:

* **No writable place.** numba's default cache sits next to librosa's source or in ``$HOME``; in a shared, read-only
  install with a read-only or missing ``$HOME`` the first audio cell dies with "cannot cache function ... no locator
  available". :func:`configure_cache_locations` points numba (``NUMBA_CACHE_DIR``) and matplotlib
  (``MPLCONFIGDIR``) at the first writable place of: the repository's ``.cache/``, ``$XDG_CACHE_HOME`` (or
  ``~/.cache``) ``/music-preprocessing-course``, the temporary folder.
* **Concurrent first compiles.** Two processes compiling the same numba gufunc at once can leave cache files that
  do not belong together (numba issue #10128); every later kernel that loads them crashes. :func:`ensure_numba_cache`
  compiles the functions the course uses once, in one process, under a file lock, then loads them in a second
  process to prove the cache works, and records the cache's content. A kernel that finds the record valid uses the
  cache; otherwise it waits for the lock, and the cache is verified again or rebuilt, never used unverified.

This module imports only the standard library (numba and librosa run in child processes), so that the course's
startup hook in ``.venv`` can import it at interpreter start without importing the ``helpers`` package.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# hashlib, json, shutil, subprocess and tempfile are imported where they are used: configure_cache_locations runs at
# every interpreter start in .venv and should cost next to nothing.

APPLICATION = "music-preprocessing-course"
REPOSITORY = Path(__file__).resolve().parent.parent
#: Written into the numba cache folder once its content has been proven to load and run in a fresh process.
RECORD_NAME = "course-verified-cache.json"
LOCK_NAME = "course-cache.lock"
#: Where Jupyter and IPython write under $HOME, moved into the course's cache folder when $HOME is not writable.
JUPYTER_FOLDERS = (("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_DATA_DIR", "jupyter-data"),
                   ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython"))

#: Run in a child process: calls every numba-compiled librosa function the lessons use (found by listing the cache
#: after running every lesson) with the dtypes they use, so that all of them are compiled, or loaded, in one place.
COMPILE_SOURCE = r"""
import warnings
import numpy as np
import librosa
import helpers  # first: librosa's beat tracker gets its one uncached part cached too (helpers/librosa_compiled.py)

warnings.filterwarnings("ignore")
for dtype in (np.float32, np.float64):
    sr = 22050
    t = np.arange(sr) / sr
    y = (0.5 * np.sin(2 * np.pi * 220 * t) + 0.01 * np.cos(2 * np.pi * 3000 * t)).astype(dtype)
    librosa.zero_crossings(y)
    librosa.feature.zero_crossing_rate(y)
    librosa.util.localmax(y)
    S = np.abs(librosa.stft(y, n_fft=512, hop_length=128))
    librosa.util.localmax(S, axis=0)
    librosa.piptrack(S=S, sr=sr)
    librosa.istft(librosa.stft(y, n_fft=512, hop_length=128), hop_length=128)
    librosa.griffinlim(S, n_iter=2, hop_length=128, n_fft=512, random_state=0)
    librosa.onset.onset_detect(y=y, sr=sr)
    librosa.feature.chroma_stft(S=S ** 2, sr=sr, n_fft=512)
    pulses = np.tile(y * (np.arange(y.size) % 2756 < 400), 3)  # 8 notes a second for 3 s: onsets to track
    librosa.beat.beat_track(y=pulses, sr=sr)  # lesson 10: the beat tracker's dynamic programme
    librosa.cqt(y, sr=sr, n_bins=24)  # lesson 09: the constant-Q transform (its hop-length check is compiled)
    # the course's own compiled function: centroid, bandwidth and roll-off of lessons 06-08 (helpers.summaries)
    from helpers.summaries import frame_features
    frame_features(y, sr)
print("ok")
"""
#: Set in the child that prepares the cache: its ``import helpers`` must not wait for the lock its parent holds.
PREPARING_VARIABLE = "COURSE_PREPARING_NUMBA_CACHE"
#: The course's modules with numba-compiled functions: a change to one of them makes the cache be prepared again.
COMPILED_MODULES = ("helpers/spectral_shape.py", "helpers/librosa_compiled.py")


def _is_writable_folder(path: Path) -> bool:
    """True when ``path`` exists or can be created, and this user may write in it (read-only mounts count as
    read-only)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return path.is_dir() and _may_write(path)


def _may_write(path) -> bool:
    """Whether this process may write in ``path``, judged by its effective user and capabilities."""
    return os.access(path, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids)


def cache_root() -> Path:
    """The first writable folder for the course's caches: the repository's ``.cache``, then the user's cache
    folder, then the temporary folder (one per user)."""
    candidates = [REPOSITORY / ".cache"]
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        candidates.append(Path(xdg) / APPLICATION)
    home = os.environ.get("HOME") or os.path.expanduser("~")
    if home and home != "~":
        candidates.append(Path(home) / ".cache" / APPLICATION)
    import tempfile

    user = getattr(os, "getuid", lambda: os.environ.get("USERNAME", "user"))()
    candidates.append(Path(tempfile.gettempdir()) / f"{APPLICATION}-{user}")
    for candidate in candidates:
        if _is_writable_folder(candidate):
            return candidate
    raise RuntimeError(
        "No writable folder for the course's caches: tried " + ", ".join(map(str, candidates)) +
        ". Set NUMBA_CACHE_DIR and MPLCONFIGDIR to folders you can write to, then restart the kernel.")


def configure_cache_locations() -> dict[str, str]:
    """Point numba and matplotlib at writable cache folders, unless they already have one that is writable.

    Works before or after numba is imported (librosa compiles lazily, so setting numba's configuration before the
    first librosa call is enough). matplotlib reads its setting when it is imported; later changes are left alone.
    Returns the folders chosen, by environment variable name.
    """
    chosen = {}
    root = None
    for variable, folder in (("NUMBA_CACHE_DIR", "numba"), ("MPLCONFIGDIR", "matplotlib")):
        current = os.environ.get(variable)
        if current and _is_writable_folder(Path(current)):
            chosen[variable] = current
            continue
        if variable == "MPLCONFIGDIR" and "matplotlib" in sys.modules:
            continue  # too late: matplotlib has chosen already (it falls back to a temporary folder itself)
        root = root or cache_root()
        chosen[variable] = os.environ[variable] = str(root / folder)
    home = os.environ.get("HOME") or os.path.expanduser("~")
    if not (home and home != "~" and os.path.isdir(home) and _may_write(home)):
        # Jupyter and IPython keep their configuration, settings, runtime files (kernel connection files) and
        # profiles under $HOME; without a writable one, JupyterLab and every kernel would fail to start.
        for variable, folder in JUPYTER_FOLDERS:
            current = os.environ.get(variable)
            if not (current and _is_writable_folder(Path(current))):
                root = root or cache_root()
                chosen[variable] = os.environ[variable] = str(root / folder)
    numba = sys.modules.get("numba")
    if numba is not None and getattr(numba.config, "CACHE_DIR", None) != chosen["NUMBA_CACHE_DIR"]:
        numba.config.CACHE_DIR = chosen["NUMBA_CACHE_DIR"]
    return chosen


class _FileLock:
    """An exclusive lock on a file, released when the process ends, however it ends (flock / msvcrt)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.handle = open(self.path, "a+")
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(self.handle.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        else:
            import fcntl

            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.handle.close()  # closing releases the lock


def _versions() -> dict[str, str]:
    """What a verified cache was made for: the versions, and the list of functions it must hold (COMPILE_SOURCE), so
    that a function added to the list is prepared on every machine at its next start, not compiled by a kernel."""
    import hashlib
    from importlib.metadata import version

    compiled = hashlib.sha256()
    for name in COMPILED_MODULES:
        compiled.update((REPOSITORY / name).read_bytes())
    return {"python": "%d.%d" % sys.version_info[:2], "numba": version("numba"), "librosa": version("librosa"),
            "compile_source": hashlib.sha256(COMPILE_SOURCE.encode()).hexdigest()[:16],
            "course_modules": compiled.hexdigest()[:16]}


def _content(folder: Path) -> dict[str, str]:
    """SHA-256 of every cache file under ``folder`` (numba's index and data files), by relative path."""
    import hashlib

    content = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in (RECORD_NAME, LOCK_NAME):
            content[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return content


def _record_is_valid(folder: Path) -> bool:
    import json

    try:
        record = json.loads((folder / RECORD_NAME).read_text())
    except (OSError, ValueError):
        return False
    return record.get("versions") == _versions() and record.get("content") == _content(folder)


def _run_child(folder: Path):
    """Compile or load every function of COMPILE_SOURCE in a fresh process using the cache in ``folder``; a crash,
    an exception or a hang (15 min) comes back as a non-zero ``returncode``, never as an exception here."""
    import subprocess

    environment = dict(os.environ, NUMBA_CACHE_DIR=str(folder), **{PREPARING_VARIABLE: "1"})
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-c", COMPILE_SOURCE]
    try:
        return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(command, returncode=-1, stdout="", stderr=f"{type(error).__name__}: {error}")


def _clear(folder: Path) -> None:
    import shutil

    for path in folder.iterdir():
        if path.name == LOCK_NAME:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _seed_from_shared_install(folder: Path) -> bool:
    """Copy a verified cache from a read-only shared install (the repository's ``.cache/numba``) into ``folder``."""
    import shutil

    shared = REPOSITORY / ".cache" / "numba"
    if _may_write(shared) or shared.resolve() == folder.resolve() or not _record_is_valid(shared):
        return False  # not a read-only shared install (its owner uses it directly), or nothing verified to copy
    for path in shared.rglob("*"):
        if path.is_file() and path.name not in (RECORD_NAME, LOCK_NAME):
            target = folder / path.relative_to(shared)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return True


def ensure_numba_cache(folder: str | os.PathLike | None = None, report=print) -> str:
    """Make sure the numba cache in ``folder`` (default ``NUMBA_CACHE_DIR``) is complete and proven to work.

    Fast when the cache's record matches its content (a few milliseconds). Otherwise, under a file lock that other
    kernels wait for: copy a verified cache from a shared install if there is one, load the cache in a child
    process, and if that fails (an exception or a crash) delete it and compile everything in one child process,
    then prove it loads in another. Returns what was done: "verified", "checked", "seeded", "rebuilt" or "skipped".
    ``report`` receives one line for the student when the slow path runs.
    """
    if os.environ.get("NUMBA_DISABLE_JIT") == "1" or os.environ.get(PREPARING_VARIABLE) == "1":
        return "skipped"  # (in the child that prepares the cache, its parent holds the lock)
    folder = Path(folder or os.environ.get("NUMBA_CACHE_DIR") or configure_cache_locations()["NUMBA_CACHE_DIR"])
    if _record_is_valid(folder):
        return "verified"
    folder.mkdir(parents=True, exist_ok=True)
    with _FileLock(folder / LOCK_NAME):
        if _record_is_valid(folder):  # another kernel finished it while this one waited
            return "verified"
        outcome = "checked"
        if not _content(folder) and _seed_from_shared_install(folder):
            outcome = "seeded"
        if not _content(folder) or _run_child(folder).returncode != 0:
            report("Preparing librosa's compiled functions in " + str(folder) +
                   " (once per machine, about 30 s) ...")
            _clear(folder)
            compiled = _run_child(folder)
            proven = _run_child(folder) if compiled.returncode == 0 else compiled
            if proven.returncode != 0:
                report("The compiled functions could not be prepared (" + (proven.stderr.strip().splitlines()
                       or ["exit code %d" % proven.returncode])[-1] + "); librosa compiles them as it goes.")
                _clear(folder)
                return "skipped"
            outcome = "rebuilt"
        import json

        record = {"versions": _versions(), "content": _content(folder)}
        temporary = folder / (RECORD_NAME + ".tmp")
        temporary.write_text(json.dumps(record, indent=1))
        os.replace(temporary, folder / RECORD_NAME)
        return outcome


if __name__ == "__main__":  # python helpers/caches.py: prepare the caches (course.py setup runs this)
    chosen = configure_cache_locations()
    print("[course] cache folders: " + ", ".join(f"{name}={path}" for name, path in sorted(chosen.items())))
    print("[course] numba cache:", ensure_numba_cache())
