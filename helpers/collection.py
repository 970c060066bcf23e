"""From one clip to a whole collection: the course's features for every file of a folder or list, in one table
(lesson 08).

:func:`extract_features` walks a folder (or reads a CSV list with ``file``, ``label`` and ``group`` columns), cuts
every file into segments and describes each segment with the 36 numbers of lesson 07, computed exactly as the
lessons compute them: :func:`helpers.load_audio` (22 050 Hz mono, the DC-offset rule of lesson 03), then
:func:`helpers.segments.segment_vectors` (one STFT per file, 2048-sample frames every 512 samples; a segment's
vector summarises the frames whose centres lie in it, silent frames left out; :mod:`helpers.summaries`). It writes
one Parquet table, one row per segment: ``file``, ``content_sha256``, ``label``, ``group``, ``augmentation``,
``segment``, ``start_s``, ``end_s`` and the features, whose units are stored in the table's schema.

What a real collection needs, and how this module provides it:

* **Bad files do not stop the run.** A file that cannot be used (missing, unreadable, empty, text named .wav,
  damaged, an unsupported format, silent, shorter than one segment) is skipped with the helpers' own reason, and
  listed; the rest is processed.
* **Resumable.** Every file's rows are kept in a *store* beside the table (``features.parts/`` for
  ``features.parquet``), one small NumPy file per file content and variant, named after the SHA-256 of the
  file's bytes and the settings. A second run computes only files that are new or changed (or whose settings
  changed); a run that was interrupted (Ctrl+C, a killed process) loses at most the files in progress. Like git,
  the store remembers each file's size, times and inode with its hash (:class:`HashIndex`), so a second run reads
  only the files that changed, and it leaves the table alone when nothing it is made from changed.
* **Deterministic.** Rows come in a fixed order (files sorted by path for a folder, in list order for a CSV;
  the original before its augmented copies; segments in time order), so two runs give the same table, byte for
  byte, whatever ran them and in which order the workers finished.
* **Memory flat.** Workers read one file at a time and write its rows into the store (Dask's workers send them
  back, one file at a time); the main process writes the table from the store in a streaming pass. Nothing holds
  the whole collection's audio.
* **Parallel.** On one machine with joblib (all cores by default; a run with less than half an hour of audio to
  compute stays in this process, :data:`IN_PROCESS_AUDIO_S`); on a cluster with Dask distributed
  (``scheduler="tcp://host:8786"``, a ``distributed.Client`` or a ``LocalCluster``). The same function runs in
  both.
* **Augmentation** (optional): altered copies of every file (gain, noise at a stated SNR, low-pass, a small pitch
  shift, a time stretch), each row marked in ``augmentation``. A copy keeps its file's ``group``, so a split by
  group keeps every copy of a recording on the side of its original.

The command ``python3 course.py features FOLDER_OR_CSV --out features.parquet`` runs the same function
(:mod:`helpers.features_command`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import sys
import threading
import time
import warnings
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .arguments import near_miss, require_number, require_sample_rate, require_whole_number
from .audio_io import SUPPORTED_EXTENSIONS, UNSUPPORTED_EXTENSIONS, AudioInputError, _check_path, load_audio
from .summaries import HOP_LENGTH, N_FFT, N_MFCC, SCALAR_FEATURES, summary_names

#: Bump when the way features are computed changes: every stored part is then computed again.
FEATURE_VERSION = 1
#: The ``augmentation`` of a file's own, unaltered rows.
ORIGINAL = "none"
#: File endings the folder walk picks up: what the course reads (and the .au of the original GTZAN archive, which
#: soundfile reads too), plus common formats it cannot read, so that those are listed with the reason instead of
#: silently left out. Anything else (cover.jpg, notes.txt) is ignored and counted.
COLLECTION_EXTENSIONS = tuple(sorted(set(SUPPORTED_EXTENSIONS) | {".au"} | set(UNSUPPORTED_EXTENSIONS)))
#: The columns every table starts with, before the features; units are in the names or in the schema.
INDEX_COLUMNS = ("file", "content_sha256", "label", "group", "augmentation", "segment", "start_s", "end_s")
#: The feature columns, in the order of :func:`helpers.summaries.summary_names` (lesson 07's X).
FEATURE_COLUMNS = tuple(summary_names())
#: Rows the table writer collects before it writes them as one Parquet row group.
ROWS_PER_GROUP = 65536

# ------------------------------------------------------------------------------------------------ augmentation

#: Each kind of augmentation: (unit, smallest, largest, example, what it does). Amounts outside are refused.
AUGMENTATIONS = {
    "gain": ("dB", -40.0, 20.0, "gain:-6", "multiplies the samples by 10^(dB/20): quieter or louder (no clipping: "
                                           "the analysis runs on floating-point samples)"),
    "noise": ("dB SNR", 0.0, 60.0, "noise:20", "adds white noise whose RMS lies this many dB below the file's RMS "
                                               "(the signal-to-noise ratio)"),
    "lowpass": ("Hz", 200.0, 20000.0, "lowpass:4000", "a 4th-order Butterworth low-pass filter at this cut-off "
                                                      "(scipy.signal.butter and sosfilt, as in lesson 07)"),
    "pitch": ("semitones", -2.0, 2.0, "pitch:1", "shifts the pitch by this many semitones, same duration "
                                                 "(librosa.effects.pitch_shift)"),
    "stretch": ("x", 0.8, 1.25, "stretch:1.1", "plays this many times faster (above 1) or slower (below 1), "
                                               "same pitch (librosa.effects.time_stretch)"),
}


@dataclass(frozen=True)
class Augmentation:
    """One altered copy of every file: ``kind`` (a key of :data:`AUGMENTATIONS`) and ``amount`` in its unit.

    ``spec`` is how it is written on the command line and in the table's ``augmentation`` column, e.g.
    ``"noise:20"`` (white noise 20 dB below the file's RMS) or ``"lowpass:4000"``.
    """

    kind: str
    amount: float

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.amount:g}"

    def apply(self, y: np.ndarray, sr: int, seed: int = 0) -> np.ndarray:
        """The altered copy of ``y`` (``(n,)`` float mono at ``sr`` Hz) as ``(m,)`` float32; ``m == n`` except for a
        time stretch (``m ≈ n / amount``). ``seed`` fixes the noise, so that a file always gets the same noise.
        Lesson 08 trains on such copies and tests on others."""
        import librosa

        samples = np.asarray(y, dtype=np.float64)
        if self.kind == "gain":
            altered = samples * 10 ** (self.amount / 20)
        elif self.kind == "noise":
            rms = float(np.sqrt(np.mean(samples**2)))
            noise = np.random.default_rng(seed).standard_normal(samples.size)
            altered = samples + rms / 10 ** (self.amount / 20) * noise
        elif self.kind == "lowpass":
            import scipy.signal

            if self.amount >= sr / 2:
                raise AudioInputError(f"lowpass:{self.amount:g} is at or above the Nyquist frequency of {sr} Hz "
                                      f"audio ({sr / 2:g} Hz), where there is nothing to remove: choose a cut-off "
                                      f"below {sr / 2:g} Hz, e.g. lowpass:4000.")
            altered = scipy.signal.sosfilt(scipy.signal.butter(4, self.amount, fs=sr, output="sos"), samples)
        else:
            with warnings.catch_warnings():  # librosa 1.0 warns about parameters it passes itself, and its
                warnings.simplefilter("ignore")  # resampler about a harmless cast on the way
                if self.kind == "pitch":
                    altered = librosa.effects.pitch_shift(samples.astype(np.float32), sr=sr, n_steps=self.amount)
                else:
                    altered = librosa.effects.time_stretch(samples.astype(np.float32), rate=self.amount)
        return np.asarray(altered, dtype=np.float32)


def parse_augmentation(spec) -> Augmentation:
    """An :class:`Augmentation` from its text, ``"kind:amount"`` (``"noise:20"``), with a clear message for a typo,
    an unknown kind, an amount out of range or one that changes nothing. An :class:`Augmentation` is returned as
    it is."""
    __tracebackhide__ = True
    if isinstance(spec, Augmentation):
        return spec
    kinds = ", ".join(f"{kind} ({unit}, e.g. {example})" for kind, (unit, _, _, example, _) in AUGMENTATIONS.items())
    if not isinstance(spec, str) or spec.count(":") != 1:
        raise AudioInputError(f"an augmentation is written kind:amount, e.g. noise:20; not {spec!r}. The kinds: "
                              f"{kinds}.")
    kind, amount_text = (part.strip() for part in spec.split(":"))
    if kind not in AUGMENTATIONS:
        raise AudioInputError(f"unknown augmentation {kind!r} in {spec!r}.{near_miss(kind, AUGMENTATIONS)} The kinds: "
                              f"{kinds}.")
    unit, smallest, largest, example, _ = AUGMENTATIONS[kind]
    try:
        amount = float(amount_text)
    except ValueError:
        raise AudioInputError(f"the amount in {spec!r} must be a number of {unit}, e.g. {example}.") from None
    if not math.isfinite(amount) or not smallest <= amount <= largest:
        raise AudioInputError(f"{spec!r}: the amount must lie between {smallest:g} and {largest:g} {unit} "
                              f"(e.g. {example}); larger changes no longer sound like the same recording.")
    if (kind, amount) in (("gain", 0.0), ("pitch", 0.0), ("stretch", 1.0)):
        raise AudioInputError(f"{spec!r} changes nothing: leave it out, or choose another amount (e.g. {example}).")
    return Augmentation(kind, amount)


# ------------------------------------------------------------------------------------------------ the settings


@dataclass(frozen=True)
class FeatureSettings:
    """What the features depend on besides the file's bytes: the sampling rate ``sr`` (Hz), ``segment_s`` and
    ``hop_s`` (s, see :func:`helpers.segments.segment_bounds`; ``hop_s`` None means ``segment_s``), and
    ``max_seconds`` (read at most this many seconds from the start of each file; None: the whole file). The frame
    settings (``N_FFT``, ``HOP_LENGTH``, ``N_MFCC``) are the course's, fixed."""

    sr: int = 22050
    segment_s: float = 3.0
    hop_s: float | None = None
    max_seconds: float | None = None

    def as_dict(self) -> dict:
        return {"feature_version": FEATURE_VERSION, "sr_hz": self.sr, "segment_s": self.segment_s,
                "hop_s": self.segment_s if self.hop_s is None else self.hop_s, "max_seconds": self.max_seconds,
                "n_fft": N_FFT, "hop_length": HOP_LENGTH, "n_mfcc": N_MFCC, "mono": True,
                "dc_offset_rule": "remove the mean when |mean| >= 0.001 (lesson 03)",
                "librosa": _installed_version("librosa")}

    def key(self) -> str:
        """16 hex digits naming these settings (and the feature code's version) in the store."""
        text = json.dumps(self.as_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=None)
def _installed_version(package: str) -> str:
    """The installed version of ``package``, read from its metadata (importing librosa would take a second, on a
    run that may have nothing to compute)."""
    from importlib.metadata import version

    return version(package)


# ------------------------------------------------------------------------------------------------ the collection


@dataclass(frozen=True)
class CollectionFile:
    """One file of a collection: ``path`` (absolute), ``file`` (its name in the table: relative to the folder, or
    as the CSV writes it), ``label`` and ``group`` (the recording, album or artist it belongs to)."""

    path: str
    file: str
    label: str
    group: str


@dataclass
class Collection:
    """The files of a collection, in the table's order, and the files the walk ignored (not audio by their
    ending: cover art, notes)."""

    files: list[CollectionFile]
    ignored: list[str] = field(default_factory=list)
    source: str = ""


def list_collection(source) -> Collection:
    """The files of ``source``: a folder, a CSV (or TSV) list, or a list of file paths (lesson 08).

    * **A folder** is walked with its sub-folders, in sorted order; hidden files and folders are left out. A file's
      ``label`` is the name of the folder that holds it (GTZAN's layout, ``genres/blues/blues.00000.wav`` gives
      ``blues``; ``""`` for files in the folder itself) and its ``group`` is the file itself: a folder says nothing
      about which files share a recording or an artist. Files not ending as audio (:data:`COLLECTION_EXTENSIONS`)
      are ignored and counted.
    * **A CSV list** (``.csv``, comma-separated, or ``.tsv``, tab-separated) has a header with a ``file`` column
      (paths relative to the list's folder, or absolute), a ``label`` column and, optionally, a ``group`` column
      (the recording, album or artist; without it every file is its own group). Rows keep the list's order.
    * **A list of paths**: label ``""``, each file its own group.

    Raises :class:`AudioInputError` for a missing folder or list (naming what exists), a CSV without the needed
    columns (naming them), an empty or duplicated ``file`` entry, or a folder with no audio files.
    """
    __tracebackhide__ = True
    if isinstance(source, (list, tuple)):
        files = []
        for entry in source:
            if not isinstance(entry, (str, os.PathLike)):
                raise AudioInputError(f"a list of files holds paths (text or pathlib.Path), not "
                                      f"{type(entry).__name__} ({entry!r:.40}).")
            path = Path(entry).expanduser()
            files.append(CollectionFile(str(path.absolute()), str(entry), "", str(entry)))
        return Collection(_refuse_duplicates(files), [], "a list of files")
    if not isinstance(source, (str, os.PathLike)):
        raise AudioInputError(f"the collection must be a folder, a CSV list or a list of files, given as a path; not "
                              f"{type(source).__name__}.")
    path = Path(source).expanduser()
    if path.is_dir():
        return _walk_folder(path)
    if path.is_file():
        if path.suffix.lower() not in (".csv", ".tsv"):
            raise AudioInputError(
                f"{str(path)!r} is a file, not a folder or a CSV list. To compute the features of one file, pass a "
                f"list: [{str(path)!r}]; for a collection, pass its folder or a .csv list with file and label "
                "columns.")
        return _read_list(path)
    raise AudioInputError(f"No folder or CSV list at {str(path)!r}. {_describe_place(path.parent)} A relative path "
                          f"starts from {Path.cwd()}.")


def _describe_place(folder: Path) -> str:
    """What exists in ``folder``: its sub-folders (marked with /) and lists first, for a path that does not exist."""
    folder = folder if str(folder) else Path(".")
    if not folder.is_dir():
        return f"The folder {str(folder)!r} does not exist either."
    try:
        entries = sorted(folder.iterdir(), key=lambda p: (not p.is_dir(), p.suffix.lower() not in (".csv", ".tsv"),
                                                          p.name.lower()))
    except OSError:
        return ""
    shown = [entry.name + ("/" if entry.is_dir() else "") for entry in entries if not entry.name.startswith(".")]
    if not shown:
        return f"The folder {str(folder.resolve())!r} is empty."
    more = f" ... and {len(shown) - 15} more" if len(shown) > 15 else ""
    return f"In {str(folder.resolve())!r}: " + ", ".join(shown[:15]) + more + "."


def _walk_folder(root: Path) -> Collection:
    __tracebackhide__ = True
    files, ignored = [], []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith(".") and not name.endswith(".parts"))
        for name in names:
            if name.startswith("."):
                continue
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            if path.suffix.lower() in COLLECTION_EXTENSIONS:
                label = path.parent.name if path.parent != root else ""
                files.append(CollectionFile(str(path.absolute()), relative, label, relative))
            else:
                ignored.append(relative)
    files.sort(key=lambda item: item.file)
    if not files:
        raise AudioInputError(
            f"The folder {str(root)!r} (and its sub-folders) holds no audio files ({', '.join(SUPPORTED_EXTENSIONS)})"
            + (f"; it has {len(ignored)} other files, e.g. {', '.join(sorted(ignored)[:5])}." if ignored else ".")
            + " Point it at the folder of your music, or pass a CSV list of files.")
    return Collection(files, sorted(ignored), str(root))


REQUIRED_LIST_COLUMNS = ("file", "label")


def _read_list(path: Path) -> Collection:
    __tracebackhide__ = True
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            columns = [name.strip() for name in (reader.fieldnames or [])]
            rows = [{key.strip(): (value or "").strip() for key, value in row.items() if isinstance(key, str)}
                    for row in reader]  # (values beyond the header's columns are left out)
    except UnicodeDecodeError:
        raise AudioInputError(f"{path.name!r} is not a text file in UTF-8: save the list as CSV (UTF-8) from your "
                              "spreadsheet.") from None
    except OSError as error:
        raise AudioInputError(f"Could not read the list {str(path)!r} ({error.strerror or error}).") from None
    missing = [column for column in REQUIRED_LIST_COLUMNS if column not in columns]
    if missing:
        separator = "tabs" if delimiter == "\t" else "commas"
        found = ", ".join(repr(column) for column in columns) or "none"
        synonyms = {"path": "file", "filename": "file", "filepath": "file", "track": "file", "genre": "label",
                    "class": "label", "style": "label", "tag": "label"}
        renames = [f"'{column}' to '{synonyms[column.lower()]}'" for column in columns
                   if synonyms.get(column.lower()) in missing]
        hints = f" Rename {' and '.join(renames)} in the header." if renames else \
            "".join(near_miss(column, missing) for column in columns if column not in REQUIRED_LIST_COLUMNS)
        if any(";" in column for column in columns) and delimiter == ",":
            hints += " The header holds ';': save the list with commas between columns (CSV), not semicolons."
        raise AudioInputError(
            f"The list {path.name!r} lacks the column{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(repr(m) for m in missing)}: its header (first line, separated by {separator}) has "
            f"{found}.{hints} A list needs 'file' (the audio file's path) and 'label', and may have 'group' (the "
            "recording, album or artist), e.g. the header line: file,label,group")
    has_group = "group" in columns
    files = []
    for line, row in enumerate(rows, start=2):
        entry = row.get("file", "")
        if not entry:
            raise AudioInputError(f"line {line} of {path.name!r} has no file: give the audio file's path, or delete "
                                  "the line.")
        audio = Path(entry).expanduser()
        audio = audio if audio.is_absolute() else path.parent / audio
        group = row.get("group", "") if has_group else entry
        files.append(CollectionFile(str(audio.absolute()), entry, row.get("label", ""), group or entry))
    if not files:
        raise AudioInputError(f"The list {path.name!r} has a header but no files: add one line per audio file.")
    return Collection(_refuse_duplicates(files, path.name), [], str(path))


def _refuse_duplicates(files: list[CollectionFile], where: str = "the list") -> list[CollectionFile]:
    __tracebackhide__ = True
    seen: dict[str, int] = {}
    for number, item in enumerate(files):
        if item.path in seen:
            raise AudioInputError(f"{item.file!r} appears twice in {where} (entries {seen[item.path] + 1} and "
                                  f"{number + 1}): its segments would be counted twice. Keep one entry.")
        seen[item.path] = number
    return files


# ------------------------------------------------------------------------------------------------ one file


def file_sha256(path) -> str:
    """The SHA-256 of the file's bytes, as 64 hex digits: the file's identity in the store (renamed or relabelled,
    it is the same file; changed by a single byte, it is another)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _noise_seed(content_sha256: str, spec: str) -> int:
    """A fixed seed per file and augmentation, so that every run (on any worker) adds the same noise."""
    return int(content_sha256[:15], 16) ^ zlib.crc32(spec.encode())


def compute_file(path: str, content_sha256: str, settings: FeatureSettings, variants: tuple[str, ...],
                 store: str | None = None) -> dict:
    """The segment features of one file and of each requested variant: the work one worker does (lesson 08).

    ``path``: the audio file; ``content_sha256``: its hash (seeds the noise); ``variants``: ``"none"`` for the file
    as it is and/or augmentation specs (``"noise:20"``). The file is read once (:func:`helpers.load_audio`, at most
    ``settings.max_seconds``), each variant is altered and cut (:func:`helpers.segments.segment_vectors`).

    Returns a plain dictionary (cheap to send between processes): ``{"sha": ..., "variants": {spec: {"vectors":
    (n, 36) float64, "bounds": (n, 2) int64 samples} or {"error": reason, "keep": bool}}, "notes": [warnings]}``.
    ``keep`` is True for the helpers' own reasons (:class:`AudioInputError`: the same bytes always fail the same
    way, so the store remembers them); an unexpected error is reported but tried again next run. Never raises.

    ``store``: the folder of a :class:`PartStore` this process can write to (the workers of this machine): the
    rows and the kept reasons are written there at once, and a variant's entry says only ``{"rows": n}`` or
    ``{"error": reason, "keep": bool, "stored": True}``, so that the main process receives a few bytes per file
    instead of every segment's numbers. Without it (Dask workers, maybe on other machines), the rows come back.
    """
    _tune_allocator()
    controller = _threadpool_controller()
    # Workers that are threads of one process (a LocalCluster with processes=False, lesson 08) take turns: the
    # warnings filters that _compute_file sets and restores, and the BLAS limit, belong to the whole process, and
    # two threads restoring them in crossed order would leave another thread's settings behind.
    with _ONE_FILE_AT_A_TIME:
        if controller is None:  # pragma: no cover - threadpoolctl comes with scikit-learn
            outcome = _compute_file(path, content_sha256, settings, variants)
        else:
            # One BLAS thread per file: the parallelism is across files, and the same arithmetic in every process
            # makes the joblib, Dask and in-process tables identical. (BLAS threads competing for busy cores also
            # made the mel filterbank's matrix product 3-10 times slower on a shared 2-core machine.)
            with controller.limit(limits=1, user_api="blas"):
                outcome = _compute_file(path, content_sha256, settings, variants)
    if store is not None:
        _store_outcome(PartStore(Path(store), settings), outcome)
    return outcome


def compute_files(tasks: list[tuple], store: str | None = None) -> list[dict]:
    """:func:`compute_file` for each task ``(path, content_sha256, settings, variants)`` of a batch, in order: one
    call per batch of files, so that a worker's start-up and each exchange with the main process are shared by
    several files."""
    return [compute_file(*task, store=store) for task in tasks]


def _store_outcome(store: "PartStore", outcome: dict) -> None:
    """Write ``outcome``'s rows, and its reasons that the store keeps, into ``store``, and replace them in
    ``outcome`` by what the main process needs to know (``{"rows": n}``, ``"stored": True``)."""
    sha = outcome["sha"]
    for spec, variant in outcome["variants"].items():
        if "error" in variant:
            if variant["keep"]:
                store.write_skip(sha, spec, variant["error"])
                variant["stored"] = True
        else:
            store.write_part(sha, spec, variant.pop("vectors"), variant.pop("bounds"))
            variant["rows"] = store.last_rows


_CONTROLLER = []
_ALLOCATOR = []
_ONE_FILE_AT_A_TIME = threading.Lock()  # see compute_file

#: glibc's malloc settings for a process that computes features (see :func:`_tune_allocator`), in bytes.
MMAP_THRESHOLD_BYTES, TRIM_THRESHOLD_BYTES = 16 * 2**20, 32 * 2**20


def _tune_allocator() -> None:
    """Once per process, on Linux with glibc: serve arrays up to 16 MB from the heap, and keep up to 32 MB of freed
    memory for the next file instead of returning it to the system at once.

    Every file allocates and frees the same few large arrays (the STFT, the mel spectrogram); by default glibc maps
    each one fresh from the system and zeroes its pages, and Dask's workers even ask it to give memory back after
    every 64 KB freed (``MALLOC_TRIM_THRESHOLD_``). With these two settings the same work took about 40 % less time
    here (19 against 32 ms per 10 s file; twice as fast as in a default Dask worker) at the same peak memory.
    """
    if _ALLOCATOR:
        return
    _ALLOCATOR.append(True)
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import ctypes.util

        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): leave the allocator as it is
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's <malloc.h>
    mallopt(m_mmap_threshold, MMAP_THRESHOLD_BYTES)
    mallopt(m_trim_threshold, TRIM_THRESHOLD_BYTES)


def _threadpool_controller():
    """threadpoolctl's view of this process's thread pools, found once (finding them costs ~5 ms)."""
    if not _CONTROLLER:
        try:
            import scipy.linalg  # noqa: F401 - scipy's own BLAS, loaded before the pools are listed
            from threadpoolctl import ThreadpoolController  # installed with scikit-learn
        except ImportError:  # pragma: no cover
            _CONTROLLER.append(None)
        else:
            _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def _compute_file(path: str, content_sha256: str, settings: FeatureSettings, variants: tuple[str, ...]) -> dict:
    from .segments import segment_vectors

    outcome = {"sha": content_sha256, "variants": {}, "notes": []}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y, sr = load_audio(path, sr=settings.sr, duration=settings.max_seconds)
        outcome["notes"] = sorted({str(warning.message) for warning in caught
                                   if not issubclass(warning.category, (DeprecationWarning, FutureWarning))})
    except Exception as error:  # noqa: BLE001 - every failure becomes a reason in the report, never a crash
        reason = _reason(error)
        keep = isinstance(error, AudioInputError)
        outcome["variants"] = {spec: {"error": reason, "keep": keep} for spec in variants}
        return outcome
    for spec in variants:
        try:
            with warnings.catch_warnings():  # a worker prints nothing: what matters is in the report
                warnings.simplefilter("ignore")
                altered = y if spec == ORIGINAL else \
                    parse_augmentation(spec).apply(y, sr, _noise_seed(content_sha256, spec))
                vectors, bounds = segment_vectors(altered, sr, segment_s=settings.segment_s, hop_s=settings.hop_s)
            outcome["variants"][spec] = {"vectors": np.asarray(vectors, dtype=np.float64),
                                         "bounds": np.asarray(bounds, dtype=np.int64)}
        except Exception as error:  # noqa: BLE001
            outcome["variants"][spec] = {"error": _reason(error), "keep": isinstance(error, AudioInputError)}
    return outcome


def _reason(error: Exception) -> str:
    if isinstance(error, AudioInputError):
        text = str(error)
        if "At most 20 min are read at once" in text:
            text += " (In the features command: --max-seconds 600 reads the first 10 min of every file.)"
        return text
    if isinstance(error, MemoryError):
        return ("ran out of memory: the file is too long for this machine's memory. Read a part of every file with "
                "max_seconds= (--max-seconds), or use fewer jobs.")
    return f"unexpected error {type(error).__name__}: {str(error)[:300]}"


# ------------------------------------------------------------------------------------------------ the store


class PartStore:
    """The store of computed rows: ``folder/<settings key>/<sha[:2]>/<sha>.<variant>.npy`` (or ``.skipped.txt``
    with the reason a file cannot be used). Parts are written to a temporary name and renamed, so an interrupted
    run leaves only whole parts behind.

    A part is one NumPy array, ``(n_segments, 2 + 36)`` float64: each segment's first and past-the-last sample
    (whole numbers, exact in float64), then its features in the order of :data:`FEATURE_COLUMNS`. (A Parquet file
    per part cost about 2 ms to write and 2 ms to read back, more than computing a 10 s file's features.) The
    folder also holds :data:`HASH_INDEX_NAME`, what :class:`HashIndex` remembers between runs."""

    def __init__(self, folder: Path, settings: FeatureSettings):
        self.root = Path(folder)
        self.folder = self.root / settings.key()
        self.settings = settings
        self.last_rows = 0
        self._states: dict[tuple[str, str], str | None] = {}

    @staticmethod
    def _name(spec: str) -> str:
        return spec.replace(":", "_")

    def part_path(self, sha: str, spec: str) -> Path:
        return self.folder / sha[:2] / f"{sha}.{self._name(spec)}.npy"

    def skip_path(self, sha: str, spec: str) -> Path:
        return self.folder / sha[:2] / f"{sha}.{self._name(spec)}.skipped.txt"

    def has(self, sha: str, spec: str) -> bool:
        return self.state(sha, spec) is not None

    def state(self, sha: str, spec: str) -> str | None:
        """``"rows"`` when the rows of ``sha`` (and variant ``spec``) are stored, the reason when the store knows
        that they cannot be computed, None when nothing is stored. Remembered (a store only gains parts during
        a run, through :meth:`write_part` and :meth:`write_skip`, which update it)."""
        key = (sha, spec)
        if key not in self._states:
            if self.part_path(sha, spec).exists():
                self._states[key] = "rows"
            else:
                skip = self.skip_path(sha, spec)
                self._states[key] = skip.read_text(encoding="utf-8") if skip.exists() else None
        return self._states[key]

    def _write(self, target: Path, write) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        write(temporary)
        os.replace(temporary, target)

    def write_part(self, sha: str, spec: str, vectors: np.ndarray, bounds: np.ndarray) -> None:
        """Store the rows of one file (and variant): ``vectors`` ``(n, 36)``, ``bounds`` ``(n, 2)`` samples."""
        rows = np.column_stack([np.asarray(bounds, dtype=np.float64).reshape(-1, 2),
                                np.asarray(vectors, dtype=np.float64).reshape(len(bounds), len(FEATURE_COLUMNS))])

        def write(target):
            with open(target, "wb") as handle:
                np.save(handle, rows, allow_pickle=False)

        self._write(self.part_path(sha, spec), write)
        self.last_rows = len(rows)
        self._states[sha, spec] = "rows"

    def write_skip(self, sha: str, spec: str, reason: str) -> None:
        self._write(self.skip_path(sha, spec), lambda target: Path(target).write_text(reason, encoding="utf-8"))
        self._states[sha, spec] = reason

    def forget(self) -> None:
        """Forget what :meth:`state` remembers (after workers in other processes wrote into the store)."""
        self._states.clear()

    def read(self, sha: str, spec: str):
        """The stored rows (``(n, 2 + 36)`` float64, see the class), or the stored reason (a str), or None when
        nothing is stored."""
        part = self.part_path(sha, spec)
        if part.exists():
            return np.load(part, allow_pickle=False)
        skip = self.skip_path(sha, spec)
        if skip.exists():
            return skip.read_text(encoding="utf-8")
        return None

    def remove_stale_temporaries(self) -> None:
        """Delete half-written parts left by a run that was killed (their process no longer exists)."""
        if not self.folder.is_dir():
            return
        for temporary in self.folder.glob("*/*.tmp"):
            try:
                pid = int(temporary.suffixes[-2].lstrip("."))
                os.kill(pid, 0)
            except (ValueError, IndexError, ProcessLookupError):
                temporary.unlink(missing_ok=True)
            except OSError:  # PermissionError: the process exists (another user's): leave its file alone
                pass


#: The file in a store's folder that remembers every file's hash with its size, times and inode, and the tables
#: written from the store (:class:`HashIndex`).
HASH_INDEX_NAME = "file-hashes.json"
#: A file changed less than this long before its hash was taken could change again, unseen, within the resolution
#: of its timestamps: its hash is not trusted until it is taken again, later. 2 s where the file's times are whole
#: seconds (FAT keeps 2 s, HFS+ 1 s; or a copy that kept whole-second times), 0.1 s where they carry fractions
#: (ext4, XFS, Btrfs, APFS, NTFS keep nanoseconds or 100 ns, updated at every clock tick of a few ms; exFAT 10 ms).
RACY_NANOSECONDS = 2_000_000_000
RACY_NANOSECONDS_FINE = 100_000_000


#: How a file's size, times and inode are read (a name of its own, so that a test can imitate a file system with
#: coarse timestamps).
_file_status = os.stat


class HashIndex:
    """What a store remembers between runs, like git's index: for every file, its size, modification and change
    times (ns), inode and device when its SHA-256 was taken, and when; and for every table written from the store,
    what it was written from.

    :meth:`sha256` reads a file only when something about it changed: a file rewritten with other bytes gets a new
    change time (which no program can set back), so an unchanged ``stat`` means unchanged bytes. Except within the
    timestamps' resolution: a file changed less than :data:`RACY_NANOSECONDS` (whole-second times) or
    :data:`RACY_NANOSECONDS_FINE` (finer times) before its hash was taken is hashed again next time ("racily
    clean" in git's words), until its hash is taken that long after its last change. The content hash stays
    the key of the store; this only decides when it must be computed again. A damaged or missing index file is
    the same as an empty one: every file is hashed again.
    """

    def __init__(self, folder: Path):
        self.path = Path(folder) / HASH_INDEX_NAME
        try:
            content = json.loads(self.path.read_text(encoding="utf-8"))
            self.files, self.tables = dict(content["files"]), dict(content["tables"])
        except (OSError, ValueError, KeyError, TypeError):
            self.files, self.tables = {}, {}
        self.changed = False

    def sha256(self, path: str) -> str:
        """The SHA-256 of the file at ``path`` (:func:`file_sha256`), read again only when its stat changed or was
        too recent to trust."""
        status = _file_status(path)
        identity = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]
        entry = self.files.get(path)
        coarse = status.st_mtime_ns % 10**9 == 0 or status.st_ctime_ns % 10**9 == 0
        margin = RACY_NANOSECONDS if coarse else RACY_NANOSECONDS_FINE
        if entry is not None and entry[:5] == identity and \
                max(status.st_mtime_ns, status.st_ctime_ns) < entry[6] - margin:
            return entry[5]
        hashed_at = time.time_ns()  # before reading: a change while the file is read is newer than this
        sha = file_sha256(path)
        self.files[path] = identity + [sha, hashed_at]
        self.changed = True
        return sha

    def table(self, out: Path, inputs: str | None) -> dict | None:
        """What was remembered about the table at ``out`` when it was written from ``inputs``
        (:func:`_table_inputs`), if the file is still the one written then; otherwise None."""
        entry = self.tables.get(str(Path(out).absolute()))
        if inputs is None or entry is None or entry.get("inputs") != inputs:
            return None
        try:
            status = os.stat(out)
        except OSError:
            return None
        if [status.st_size, status.st_mtime_ns, status.st_ino] != entry.get("file"):
            return None
        return entry

    def remember_table(self, out: Path, inputs: str, **facts) -> None:
        status = os.stat(out)
        self.tables[str(Path(out).absolute())] = {"inputs": inputs, "file": [status.st_size, status.st_mtime_ns,
                                                                            status.st_ino], **facts}
        self.changed = True

    def save(self) -> None:
        """Write the index (atomically) if anything changed; a store that cannot be written just hashes again."""
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps({"files": self.files, "tables": self.tables}), encoding="utf-8")
            os.replace(temporary, self.path)
            self.changed = False
        except OSError:
            pass


@lru_cache(maxsize=1)
def _this_module_source() -> bytes:
    return Path(__file__).read_bytes()


def _table_inputs(collection: Collection, hashes, problems, variants, store: PartStore,
                  settings: FeatureSettings) -> str:
    """A SHA-256 of everything the table is made from: the code that writes it (this module) and pyarrow's version,
    the settings and variants, every file's name, label, group and hash or reason, and what the store holds for
    each of them (rows, or the reason they have none). The same inputs give the same table, byte for byte."""
    digest = hashlib.sha256(_this_module_source())
    digest.update(json.dumps([_installed_version("pyarrow"), settings.as_dict(), variants], sort_keys=True).encode())
    for item in collection.files:
        sha = hashes.get(item.path)
        states = []
        for spec in variants if sha is not None else ():
            states.append(store.state(sha, spec))
        digest.update(json.dumps([item.file, item.label, item.group, sha, problems.get(item.path), states]).encode())
    return digest.hexdigest()


# ------------------------------------------------------------------------------------------------ the report


@dataclass
class CollectionReport:
    """What a run of :func:`extract_features` did. ``skipped``: ``[(file, reason)]`` for every file (or
    augmented copy) without rows; ``notes``: ``[(file, warning)]`` for files used despite a warning (e.g. a
    truncated download); ``duplicates``: groups of files with identical bytes (the same ``content_sha256``)."""

    table: Path
    n_files: int
    n_used: int
    n_computed: int
    n_reused: int
    n_rows: int
    seconds: float
    compute_seconds: float
    skipped: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    ignored: list[str]
    duplicates: list[list[str]]
    store: Path
    runner: str

    @property
    def files_per_second(self) -> float:
        """Files computed per second of computing (0 when nothing was computed)."""
        return self.n_computed / self.compute_seconds if self.n_computed and self.compute_seconds > 0 else 0.0

    def summary(self, max_listed: int = 20) -> str:
        lines = [f"{self.table}: {self.n_rows} rows (one per segment) from {self.n_used} of {self.n_files} files; "
                 f"{self.n_computed} read and computed now ({self.runner}), {self.n_reused} unchanged since an earlier run "
                 f"(taken from the store); "
                 f"{self.seconds:.1f} s in all."]
        if self.n_computed:
            lines[0] += f" {self.files_per_second:.1f} files/s while computing."
        if self.duplicates:
            groups = len(self.duplicates)
            lines.append(f"{sum(len(group) for group in self.duplicates)} files have identical bytes "
                         f"({groups} group{'s' if groups > 1 else ''} with the same content_sha256), e.g. "
                         f"{', '.join(self.duplicates[0][:3])}: computed once, listed under each name.")
        if self.ignored:
            lines.append(f"{len(self.ignored)} files ignored, not audio by their ending: "
                         f"{', '.join(self.ignored[:5])}{' ...' if len(self.ignored) > 5 else ''}")
        if self.skipped and max_listed == 0:
            lines.append(f"{len(self.skipped)} skipped; the reasons are listed in {skipped_list_path(self.table)}")
        elif self.skipped:
            lines.append(f"{len(self.skipped)} skipped, with the reason:")
            lines += [f"  {file}: {reason}" for file, reason in self.skipped[:max_listed]]
            if len(self.skipped) > max_listed:
                lines.append(f"  ... and {len(self.skipped) - max_listed} more, all listed in "
                             f"{skipped_list_path(self.table)}")
        for file, note in self.notes[:max_listed]:
            lines.append(f"used with a warning: {file}: {note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def skipped_list_path(table: Path) -> Path:
    """Where the full list of skipped files is written beside the table: ``features.skipped.csv``."""
    return Path(table).with_name(Path(table).stem + ".skipped.csv")


# ------------------------------------------------------------------------------------------------ running


def _in_process(tasks, store: str):
    for task in tasks:
        yield compute_file(*task, store=store)


#: A run without ``jobs=`` computes in this process, starting no workers, when it has less than this much audio to
#: compute (seconds, every augmented copy counted; at most ``max_seconds`` per file): half an hour. Measured on this
#: course's 2-core machine, a file costs about 1 ms of one core per second of audio (lesson 08's 25 files of 10 s:
#: 0.3 s in this process; with six augmented copies each, 2 s), while a worker process needs 1.5-2 s to start
#: (Python, librosa, the course's helpers, numba's compiled functions) before its first file: with two cores,
#: starting workers pays only from about 3 s of computing. Lesson 08's own runs (4 and 25 min of audio) stay in this
#: process; a collection such as GTZAN (8 hours) uses every core. ``jobs=N`` always starts N processes.
IN_PROCESS_AUDIO_S = 1800.0


def audio_seconds_to_compute(tasks, settings: FeatureSettings, limit: float = math.inf) -> float:
    """The seconds of audio that ``tasks`` (``(path, content_sha256, settings, variants)``) ask to compute: each
    file's duration from its header (:func:`soundfile.info`, no samples read), at most ``settings.max_seconds``,
    times its number of variants. Stops adding once the sum passes ``limit`` (a large collection is not read
    through). A file whose header cannot be read counts 0 s: the audio reader will fail on it at once (lesson 08)."""
    import soundfile

    total = 0.0
    for path, _, _, variants in tasks:
        try:
            seconds = soundfile.info(path).duration
        except Exception:  # noqa: BLE001 - damaged, not audio, unsupported: skipped quickly by the worker
            continue
        if settings.max_seconds is not None:
            seconds = min(seconds, settings.max_seconds)
        total += seconds * len(variants)
        if total > limit:
            break
    return total


#: Files per joblib task at most (a batch's rows reach the store as soon as its worker computes them; the main
#: process hears of them, and moves its progress bar, once per batch).
MAX_BATCH_FILES = 8


def batch_size(n_tasks: int, workers: int) -> int:
    """Files per joblib task: about 8 tasks per worker, so that the workers finish together (the last batches are
    small next to the whole), and at most :data:`MAX_BATCH_FILES`; 1 for a short list."""
    return max(1, min(MAX_BATCH_FILES, n_tasks // (8 * workers)))


def _with_joblib(tasks, jobs: int, store: str):
    from joblib import Parallel, delayed

    size = batch_size(len(tasks), jobs)
    batches = [tasks[start:start + size] for start in range(0, len(tasks), size)]
    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered", batch_size=1, pre_dispatch="2*n_jobs")
    for results in parallel(delayed(compute_files)(batch, store) for batch in batches):
        yield from results


def _connect(scheduler, jobs: int | None):
    """``(client, close)`` for ``scheduler``: an address, ``"local"`` (a LocalCluster with ``jobs`` worker
    processes), a ``distributed.Client`` (used as it is) or a cluster object such as ``LocalCluster``."""
    __tracebackhide__ = True
    import logging

    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        return scheduler, lambda: None
    if isinstance(scheduler, str) and scheduler.strip().lower() == "local":
        cluster = LocalCluster(n_workers=jobs or _cpu_count(), threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1", silence_logs=logging.ERROR)
        client = Client(cluster)

        def close():
            client.close()
            cluster.close()
        return client, close
    if hasattr(scheduler, "scheduler_address"):
        client = Client(scheduler)
        return client, client.close
    if not isinstance(scheduler, str):
        raise AudioInputError(f"scheduler must be a Dask scheduler's address such as 'tcp://10.0.0.5:8786', "
                              f"'local', a distributed.Client or a LocalCluster; not {type(scheduler).__name__}.")
    try:
        _require_listening(scheduler)  # a refused connection is known at once; Client would retry for 10 s
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        raise AudioInputError(
            f"Could not reach a Dask scheduler at {scheduler!r} ({str(error).splitlines()[0][:120]}). Start one "
            "with 'dask scheduler' and a worker on every machine with 'dask worker ADDRESS' (each with the "
            "course installed and the files at the same paths), or leave out the scheduler to use this machine's "
            "cores.") from None
    return client, client.close


def _require_listening(address: str) -> None:
    """Raise OSError at once when nothing listens at a ``tcp://host:port`` address (other protocols: no check)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        socket.create_connection((parts.hostname, parts.port), timeout=10).close()


def _with_dask(tasks, scheduler, jobs: int | None):
    from distributed import as_completed

    client, close = _connect(scheduler, jobs)
    try:
        slots = max(1, sum(client.nthreads().values()))
        pending = iter(tasks)
        task_of = {}
        running = as_completed()

        def submit():
            task = next(pending, None)
            if task is not None:
                future = client.submit(compute_file, *task, pure=False)
                task_of[future.key] = task
                running.add(future)

        for _ in range(2 * slots):  # a few tasks per worker in flight: the scheduler spreads them
            submit()
        for future in running:
            task = task_of.pop(future.key)
            try:
                result = future.result()
            except (ImportError, AttributeError) as error:
                raise AudioInputError(
                    f"The Dask workers cannot run the course's code ({type(error).__name__}: {error}). Install the "
                    "course on every worker machine (pip install -e /path/to/the/course) with the same versions, "
                    "then start the workers again.") from None
            except Exception as error:  # noqa: BLE001 - a worker died or the task failed: report it, go on
                result = {"sha": task[1], "notes": [],
                          "variants": {spec: {"error": f"the Dask worker failed: {type(error).__name__}: {error}",
                                              "keep": False} for spec in task[3]}}
            future.release()
            submit()
            yield result
    finally:
        close()


def extract_features(source, out="features.parquet", *, jobs: int | None = None, scheduler=None,
                     segment_s: float = 3.0, hop_s: float | None = None, max_seconds: float | None = None,
                     augment=(), sr: int = 22050, store=None, progress: bool = True) -> CollectionReport:
    """Compute the course's features for every file of a collection into one Parquet table (lesson 08).

    Parameters
    ----------
    source : a folder, a CSV/TSV list (columns ``file``, ``label``, optional ``group``) or a list of paths; see
        :func:`list_collection`.
    out : the table to write (a ``.parquet`` file; its folder is created). Written only at the end, atomically.
    jobs : worker processes on this machine (joblib); 1: in this process; None: all cores, except for a run with
        less than :data:`IN_PROCESS_AUDIO_S` of audio to compute (half an hour), which computes in this process
        because starting the workers would cost more than they save (lesson 08, section 4).
    scheduler : run on Dask distributed instead: a scheduler address (``"tcp://10.0.0.5:8786"``), ``"local"``
        (a LocalCluster of ``jobs`` processes, started and stopped here), a ``distributed.Client`` or a
        ``LocalCluster``. The workers need the course installed and the files at the same paths.
    segment_s, hop_s : segment length and the step between segment starts, in seconds (lesson 07).
    max_seconds : read at most this many seconds from the start of each file (s); None: the whole file (at most
        20 min, :func:`helpers.load_audio`'s limit).
    augment : augmentation specs such as ``["noise:20", "lowpass:4000"]`` (see :data:`AUGMENTATIONS`); every file
        also gets these altered copies, marked in the ``augmentation`` column, with the file's own ``group``.
    sr : the sampling rate the audio is analysed at, in Hz (the course's 22 050).
    store : the folder that keeps every file's rows between runs; default: beside ``out``, ``<name>.parts``.
    progress : show a progress bar (files, files per second, time left).

    Returns a :class:`CollectionReport` (prints as a summary). Raises :class:`AudioInputError` only for a problem
    with the arguments or the collection as a whole; a bad file is skipped and listed, never raised.
    """
    __tracebackhide__ = True
    started = time.perf_counter()
    sr = require_sample_rate(sr, allow_none=False)
    segment_s = require_number(segment_s, "segment_s", above=0, maximum=600, example="3.0", unit=" s")
    hop_s = None if hop_s is None else require_number(hop_s, "hop_s", above=0, maximum=600, example="1.5", unit=" s")
    max_seconds = None if max_seconds is None else require_number(max_seconds, "max_seconds", above=0,
                                                                  example="30", unit=" s")
    if max_seconds is not None and max_seconds < segment_s:
        raise AudioInputError(f"max_seconds={max_seconds:g} s is shorter than one segment ({segment_s:g} s): no "
                              "file could give a row. Read more, or use shorter segments.")
    if jobs is not None:
        jobs = require_whole_number(jobs, "jobs", minimum=1, maximum=1024, example="2", unit=" processes")
    if isinstance(augment, str):
        augment = [augment]
    augmentations = [parse_augmentation(spec) for spec in augment]
    for augmentation in augmentations:
        if augmentation.kind == "lowpass" and augmentation.amount >= sr / 2:
            raise AudioInputError(f"{augmentation.spec}: the cut-off must lie below the Nyquist frequency of "
                                  f"{sr} Hz audio, {sr / 2:g} Hz (e.g. lowpass:4000).")
    variants = [ORIGINAL] + list(dict.fromkeys(augmentation.spec for augmentation in augmentations))
    if not isinstance(out, (str, os.PathLike)):
        raise AudioInputError(f"out must be the path of the table to write, e.g. 'features.parquet'; not "
                              f"{type(out).__name__}.")
    out = Path(out).expanduser()
    if out.is_dir():
        raise AudioInputError(f"out={str(out)!r} is a folder: give the path of the table file inside it, e.g. "
                              f"{str(out / 'features.parquet')!r}.")
    settings = FeatureSettings(sr=sr, segment_s=segment_s, hop_s=hop_s, max_seconds=max_seconds)
    collection = list_collection(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    store = PartStore(Path(store).expanduser() if store is not None else out.with_name(out.stem + ".parts"), settings)

    from tqdm.auto import tqdm

    # 1. Check and hash every file: a file that cannot even be opened is skipped here with its reason. A file whose
    # size, times and inode are those remembered from an earlier run keeps its hash without being read (HashIndex).
    # A parallel run hashes with a few threads (hashlib and file reads let other threads run meanwhile): the main
    # process's hashing is work that no worker can share.
    index = HashIndex(store.root)
    hashes: dict[str, str] = {}
    problems: dict[str, str] = {}

    def check_and_hash(item: CollectionFile) -> tuple[str | None, str | None]:
        try:
            path = Path(item.path)
            if not path.exists() and not path.is_symlink():
                return None, _missing_file_reason(path)
            _check_path(path)
            return index.sha256(item.path), None
        except AudioInputError as error:
            return None, str(error)
        except OSError as error:
            return None, f"could not be read ({error.strerror or error}): check the disk and permissions."

    threads = 1 if jobs == 1 and scheduler is None else min(4, jobs or os.cpu_count() or 1)
    with _thread_pool(threads) as pool:
        checked = pool.map(check_and_hash, collection.files) if pool is not None else map(check_and_hash,
                                                                                          collection.files)
        for item, (sha, problem) in tqdm(zip(collection.files, checked), total=len(collection.files),
                                         desc="Checking files", unit="file", disable=not progress, delay=2,
                                         leave=False):
            if sha is not None:
                hashes[item.path] = sha
            else:
                problems[item.path] = problem
    index.save()

    # 2. What is missing from the store: one task per distinct content, with only the variants not stored yet.
    tasks, seen = [], set()
    for item in collection.files:
        sha = hashes.get(item.path)
        if sha is None or sha in seen:
            continue
        seen.add(sha)
        missing = tuple(spec for spec in variants if not store.has(sha, spec))
        if missing:
            tasks.append((item.path, sha, settings, missing))
    n_distinct = len(seen)

    # 3. Compute them: in this process, with joblib, or on Dask. Workers on this machine write their rows into the
    # store themselves (given its absolute path: joblib's workers live on, and may have started in another working
    # folder); Dask's send them back, to be written here.
    runner = "nothing to compute"
    if tasks:
        store.remove_stale_temporaries()
    if scheduler is not None and tasks:
        runner = "Dask distributed"
        results = _with_dask(tasks, scheduler, jobs)
    elif tasks:
        workers = jobs or _cpu_count()
        too_small = jobs is None and workers > 1 and len(tasks) > 1 and \
            audio_seconds_to_compute(tasks, settings, IN_PROCESS_AUDIO_S) < IN_PROCESS_AUDIO_S
        if workers == 1 or len(tasks) <= 1 or too_small:
            runner = "in this process" + (f": under {IN_PROCESS_AUDIO_S / 60:g} min of audio, starting worker "
                                          "processes would cost more than they save" if too_small else "")
            results = _in_process(tasks, str(store.root.absolute()))
        else:
            runner = f"joblib, {min(workers, len(tasks))} processes"
            results = _with_joblib(tasks, workers, str(store.root.absolute()))
    unstored: dict[tuple[str, str], str] = {}
    notes: dict[str, list[str]] = {}
    compute_started = time.perf_counter()
    if tasks:
        with tqdm(total=len(tasks), desc="Computing features", unit="file", disable=not progress,
                  dynamic_ncols=True) as bar:
            for result in results:
                sha = result["sha"]
                for spec, variant in result["variants"].items():
                    if "error" in variant:
                        if variant.get("stored"):
                            continue
                        if variant["keep"]:
                            store.write_skip(sha, spec, variant["error"])
                        else:
                            unstored[sha, spec] = variant["error"]
                    elif "vectors" in variant:
                        store.write_part(sha, spec, variant["vectors"], variant["bounds"])
                if result["notes"]:
                    notes[sha] = result["notes"]
                bar.update(1)
    compute_seconds = time.perf_counter() - compute_started
    store.forget()  # the workers wrote parts that this process has not seen

    # 4. Write the table from the store, file by file in the collection's order; unless the table already holds
    # exactly this (a second run over an unchanged collection: the same files, labels, hashes and stored parts).
    inputs = _table_inputs(collection, hashes, problems, variants, store, settings) if not unstored else None
    kept = index.table(out, inputs) if not tasks else None
    if kept is not None:
        skipped, n_rows, n_used = [tuple(pair) for pair in kept["skipped"]], kept["n_rows"], kept["n_used"]
    else:
        skipped, n_rows, n_used = _write_table(out, collection, hashes, problems, variants, store, unstored,
                                               settings)
        if inputs is not None:
            index.remember_table(out, inputs, skipped=skipped, n_rows=n_rows, n_used=n_used)
            index.save()
    by_sha: dict[str, list[str]] = {}
    for item in collection.files:
        if item.path in hashes:
            by_sha.setdefault(hashes[item.path], []).append(item.file)
    duplicates = [names for names in by_sha.values() if len(names) > 1]
    note_list = [(item.file, note) for item in collection.files for note in notes.get(hashes.get(item.path), [])]
    listing = skipped_list_path(out)
    if skipped:
        with open(listing, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "reason"])
            writer.writerows(skipped)
    elif listing.exists():
        listing.unlink()
    return CollectionReport(table=out, n_files=len(collection.files), n_used=n_used, n_computed=len(tasks),
                            n_reused=n_distinct - len(tasks), n_rows=n_rows,
                            seconds=time.perf_counter() - started, compute_seconds=compute_seconds,
                            skipped=skipped, notes=note_list, ignored=collection.ignored, duplicates=duplicates,
                            store=store.root, runner=runner)


class _thread_pool:
    """``with _thread_pool(n) as pool``: a ``ThreadPoolExecutor`` of ``n`` threads, or None for ``n == 1``."""

    def __init__(self, threads: int):
        self.threads = threads
        self.pool = None

    def __enter__(self):
        if self.threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="course-hash")
        return self.pool

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _missing_file_reason(path: Path) -> str:
    """Why a listed file is not there, with what its folder holds instead (a misspelt name is easy to spot)."""
    from .audio_io import _describe_folder

    if not path.parent.is_dir():
        return f"no such file: the folder {str(path.parent)!r} does not exist. Check the path in the list."
    return f"no such file at {str(path)!r}. {_describe_folder(path.parent)} Check the name in the list."


def _cpu_count() -> int:
    from joblib import cpu_count

    return max(1, cpu_count())


def table_schema(settings: FeatureSettings, skipped: list[tuple[str, str]]):
    """The table's pyarrow schema: the index columns, then the features, each with its unit, meaning and lesson in
    the field's metadata; the settings and the skipped files in the schema's metadata (``course.settings``,
    ``course.skipped``, JSON)."""
    import pyarrow as pa

    described = {
        "file": (pa.string(), "", "the file's path, relative to the collection's folder or as in the list"),
        "content_sha256": (pa.string(), "", "SHA-256 of the file's bytes: equal for exact copies"),
        "label": (pa.string(), "", "the file's label: its folder's name, or the list's label column"),
        "group": (pa.string(), "", "the recording, album or artist the file belongs to; split by it"),
        "augmentation": (pa.string(), "", "'none' for the file itself, else the altered copy's spec, e.g. noise:20"),
        "segment": (pa.int32(), "", "the segment's number within its file (and copy), from 0"),
        "start_s": (pa.float64(), "s", "start of the segment, from the start of the file (of the stretched copy)"),
        "end_s": (pa.float64(), "s", "end of the segment (exclusive)"),
    }
    fields = [pa.field(name, kind, metadata={"unit": unit, "description": text})
              for name, (kind, unit, text) in described.items()]
    for name in FEATURE_COLUMNS:
        feature, statistic = name.rsplit("_", 1)
        if feature.startswith("mfcc"):
            what, unit, lesson = f"MFCC {feature[4:]}", "dB-scaled DCT coefficient", "05"
        else:
            what, unit, lesson = SCALAR_FEATURES[feature]
        text = f"{'mean' if statistic == 'mean' else 'standard deviation'} of the {what} over the segment's " \
               f"sounding frames (lesson {lesson})"
        fields.append(pa.field(name, pa.float64(), metadata={"unit": unit, "description": text}))
    metadata = {"course.settings": json.dumps(settings.as_dict(), sort_keys=True),
                "course.skipped": json.dumps(skipped)}
    return pa.schema(fields, metadata=metadata)


def _write_table(out: Path, collection: Collection, hashes, problems, variants, store: PartStore, unstored,
                 settings: FeatureSettings) -> tuple[list[tuple[str, str]], int, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # First pass: the reasons (so that they go into the schema's metadata), without reading any rows.
    skipped = []
    for item in collection.files:
        if item.path in problems:
            skipped.append((item.file, problems[item.path]))
            continue
        sha = hashes[item.path]
        for spec in variants:
            reason = unstored.get((sha, spec))
            if reason is None and store.state(sha, spec) != "rows":
                stored = store.state(sha, spec)
                reason = stored if isinstance(stored, str) else "was not computed (the run was interrupted?)"
            if reason is not None:
                name = item.file if spec == ORIGINAL else f"{item.file} ({spec})"
                skipped.append((name, reason))
                if spec == ORIGINAL:
                    break  # without the file itself, its copies are not listed one by one
    schema = table_schema(settings, skipped)
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    n_rows = n_used = 0
    # Rows wait here until a row group is full: plain lists and one NumPy block per stored part (not one Arrow
    # table per part, whose fixed overhead grew memory by ~40 KB per file on collections of short files).
    pending: dict[str, list] = {"text": [], "segment": [], "times": [], "features": []}

    def flush():
        if not pending["text"]:
            return
        text = list(zip(*pending["text"]))
        times = np.concatenate(pending["times"])
        features = np.concatenate(pending["features"])
        arrays = [pa.array(column, pa.string()) for column in text]
        arrays += [pa.array(np.concatenate(pending["segment"]), pa.int32()), pa.array(times[:, 0]),
                   pa.array(times[:, 1])]
        arrays += [pa.array(features[:, index]) for index in range(features.shape[1])]
        writer.write_table(pa.Table.from_arrays(arrays, schema=schema), row_group_size=ROWS_PER_GROUP)
        for values in pending.values():
            values.clear()

    with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
        for item in collection.files:
            sha = hashes.get(item.path)
            if sha is None or store.state(sha, ORIGINAL) != "rows":
                continue  # without the file's own rows, none of its copies either
            n_used += 1
            for spec in variants:
                if store.state(sha, spec) != "rows":
                    continue
                part = np.load(store.part_path(sha, spec), allow_pickle=False)
                n = len(part)
                pending["text"].extend([(item.file, sha, item.label, item.group, spec)] * n)
                pending["segment"].append(np.arange(n, dtype=np.int32))
                pending["times"].append(part[:, :2] / settings.sr)
                pending["features"].append(part[:, 2:])
                n_rows += n
                if len(pending["text"]) >= ROWS_PER_GROUP:
                    flush()
        flush()
    os.replace(temporary, out)
    return skipped, n_rows, n_used


# ------------------------------------------------------------------------------------------------ reading back


def read_features(path):
    """The table at ``path`` as a pyarrow Table (``pyarrow.parquet.read_table``), with a clear message when there is
    none. Its columns: :data:`INDEX_COLUMNS`, then :data:`FEATURE_COLUMNS`."""
    __tracebackhide__ = True
    import pyarrow.parquet as pq

    path = Path(path).expanduser()
    if not path.is_file():
        raise AudioInputError(f"No table at {str(path)!r}: compute it first, e.g. extract_features(folder, "
                              f"{str(path)!r}) or python3 course.py features FOLDER --out {path.name}.")
    return pq.read_table(path)


def feature_matrix(table, columns=FEATURE_COLUMNS) -> np.ndarray:
    """The feature columns of a table as an ``(n_rows, n_columns)`` float64 array, in the order of ``columns``
    (default: all 36, the order of lesson 07's X)."""
    return np.column_stack([table.column(name).to_numpy() for name in columns]).astype(np.float64)


def column_units(table) -> dict[str, str]:
    """``{column: unit}`` from the table's schema (``""`` for a column without a unit)."""
    return {field.name: (field.metadata or {}).get(b"unit", b"").decode() for field in table.schema}


# ------------------------------------------------------------------------------------------------ lesson 08's demo


def lesson_workspace(prefix: str = "lesson08") -> Path:
    """A new, empty folder in the temporary folder for what a lesson writes, ``<prefix>-<pid>-<random>``.

    Folders left by earlier kernels that no longer run (their process id is gone) are deleted first, so that
    running the lesson again and again does not fill the disk; a kernel that still runs keeps its folder.
    """
    import shutil
    import tempfile

    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}-*-*"):
        try:
            os.kill(int(folder.name.split("-")[1]), 0)
        except (ValueError, IndexError):
            continue  # not one of ours
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another user's running process: not ours to touch
            pass
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-"))


#: The demo collection's labels, from the catalogue's "listen for" notes: pop, EDM and metal play with drums;
#: orchestral ("hardly any drums"), ambient ("no drums") and the piano without; speech is speech.
DEMO_LABELS = {"pop": "drums", "edm": "drums", "metal": "drums", "orchestral": "no drums", "ambient": "no drums",
               "piano": "no drums", "speech": "speech"}


def build_demo_collection(folder, part_s: float = 10.0, n_parts: int = 3) -> Path:
    """Lesson 08's small collection, built from the bundled excerpts in ``folder``; returns its CSV list.

    Every bundled recording is cut into ``n_parts`` files of ``part_s`` seconds (``<recording>/<recording>-part1.wav``
    ..., 16-bit WAV at 22 050 Hz, from :func:`helpers.load_sample_cached`), labelled as in :data:`DEMO_LABELS`, with
    the recording as ``group``. Like a real collection it also holds an exact copy of one file (a repetition, as in
    GTZAN), a quieter FLAC copy of another (the same recording from another source), and six files that cannot be
    used: a text file named .wav, a damaged WAV, a 0.5 s blip, 5 s of digital silence, an .m4a, and a file the list
    names but that does not exist. ``collection.csv`` lists them all (``file``, ``label``, ``group``); a
    ``README.txt`` beside them is not audio.
    """
    __tracebackhide__ = True
    import shutil

    import soundfile

    from .samples import load_sample_cached, sample_ids

    folder = Path(folder).expanduser()
    part_s = require_number(part_s, "part_s", minimum=1, maximum=10, example="10", unit=" s")
    n_parts = require_whole_number(n_parts, "n_parts", minimum=1, maximum=3, example="3", unit=" parts")
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for recording in sample_ids():
        y, sr = load_sample_cached(recording)
        length = int(round(part_s * sr))
        (folder / recording).mkdir(exist_ok=True)
        for part in range(n_parts):
            name = f"{recording}/{recording}-part{part + 1}.wav"
            soundfile.write(folder / name, y[part * length:(part + 1) * length], sr, subtype="PCM_16")
            rows.append((name, DEMO_LABELS.get(recording, recording), recording))
    quiet_part = min(2, n_parts)
    copies = [("pop/pop-part1-copy.wav", "drums", "pop"),
              (f"metal/metal-part{quiet_part}-quiet.flac", "drums", "metal")]
    shutil.copyfile(folder / "pop/pop-part1.wav", folder / copies[0][0])
    quiet, sr = soundfile.read(folder / f"metal/metal-part{quiet_part}.wav", dtype="float32")
    soundfile.write(folder / copies[1][0], quiet * 10 ** (-6 / 20), sr, subtype="PCM_16")
    rows += copies
    problems = folder / "problems"
    problems.mkdir(exist_ok=True)
    (problems / "notes.wav").write_text("Track list for the party: 1. pop, 2. edm, 3. metal\n", encoding="utf-8")
    (problems / "damaged.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4)
    blip = 0.3 * np.sin(2 * np.pi * 440 * np.arange(int(0.5 * 22050)) / 22050)
    soundfile.write(problems / "blip.wav", blip, 22050, subtype="PCM_16")
    soundfile.write(problems / "silence.wav", np.zeros(5 * 22050), 22050, subtype="PCM_16")
    (problems / "phone-recording.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + bytes(64))
    for name in ("notes.wav", "damaged.wav", "blip.wav", "silence.wav", "phone-recording.m4a", "lost.wav"):
        rows.append((f"problems/{name}", "unknown", f"problems/{name}"))
    (folder / "README.txt").write_text("Lesson 08's demo collection, built from the course's bundled excerpts.\n",
                                       encoding="utf-8")
    listing = folder / "collection.csv"
    with open(listing, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "label", "group"])
        writer.writerows(rows)
    return listing
