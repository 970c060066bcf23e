"""The bundled music excerpts: their catalogue and how to load them (lesson 00).

The catalogue is ``audio_samples/catalogue.csv``: one row per file with its title, artist, style, source, licence and
checksum. ``list_samples()`` shows it in a notebook; ``load_sample('edm')`` loads a clip by its id.
"""

from __future__ import annotations

import csv
import difflib
import html
import os
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import numpy as np

from .audio_io import load_audio
from .errors import AudioInputError

#: Where the bundled excerpts live. Override with the environment variable COURSE_AUDIO_SAMPLES.
AUDIO_SAMPLES_DIR = Path(
    os.environ.get("COURSE_AUDIO_SAMPLES", Path(__file__).resolve().parent.parent / "audio_samples")
)
CATALOGUE_FILE = "catalogue.csv"


@dataclass(frozen=True)
class SampleInfo:
    """One row of the catalogue: a bundled excerpt and where it came from."""

    id: str
    file: str
    title: str
    artist: str
    style: str
    listen_for: str
    source_package: str
    source_version: str
    source_path: str
    license: str
    license_file: str
    excerpt_start_s: float
    excerpt_duration_s: float
    sample_rate_hz: int
    channels: int
    processing: str
    sha256: str

    @property
    def path(self) -> Path:
        """Absolute path of the audio file."""
        return AUDIO_SAMPLES_DIR / self.file


class SampleCatalogue(tuple):
    """The catalogue as a tuple of :class:`SampleInfo`, shown as a table in a notebook.

    Index it by position or by id: ``catalogue['edm'].title``.
    """

    def __getitem__(self, key):
        if isinstance(key, str):
            return sample_info(key)
        return super().__getitem__(key)

    @property
    def ids(self) -> list[str]:
        return [sample.id for sample in self]

    _COLUMNS = (("id", "id"), ("style", "style"), ("title", "title"), ("artist", "artist"),
                ("excerpt_duration_s", "seconds"), ("license", "licence"), ("listen_for", "listen for"))

    def __repr__(self) -> str:
        lines = [f"{len(self)} bundled samples (load one with load_sample('<id>')):"]
        for sample in self:
            lines.append(f"  {sample.id:<11} {sample.style:<32} {sample.title} by {sample.artist} "
                         f"({sample.excerpt_duration_s:.0f} s, {sample.license})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{label}</th>" for _, label in self._COLUMNS)
        rows = []
        for sample in self:
            cells = []
            for attribute, _ in self._COLUMNS:
                value = getattr(sample, attribute)
                text = f"{value:.1f}" if isinstance(value, float) else str(value)
                if attribute == "id":
                    text = f"<code>{html.escape(text)}</code>"
                else:
                    text = html.escape(text)
                cells.append(f"<td style='text-align:left'>{text}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return (f"<table><caption>{len(self)} bundled samples; load one with "
                f"<code>load_sample('&lt;id&gt;')</code></caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")


def _convert(field_type: str, value: str):
    if field_type == "float":
        return float(value)
    if field_type == "int":
        return int(value)
    return value


@lru_cache(maxsize=4)
def _read_catalogue(folder: Path) -> SampleCatalogue:
    path = folder / CATALOGUE_FILE
    if not path.exists():
        raise AudioInputError(
            f"The sample catalogue {path} is missing. Restore it with 'git checkout -- audio_samples' "
            "(or clone the repository again)."
        ) from None
    types = {field.name: field.type for field in fields(SampleInfo)}
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return SampleCatalogue(
        SampleInfo(**{name: _convert(types[name], row[name]) for name in types}) for row in rows
    )


def list_samples() -> SampleCatalogue:
    """The catalogue of bundled excerpts (lesson 00): shows as a table in a notebook, iterates as SampleInfo."""
    return _read_catalogue(AUDIO_SAMPLES_DIR)


def sample_ids() -> list[str]:
    """The ids of the bundled samples, e.g. ``['ambient', 'edm', ...]``, in catalogue order."""
    return list_samples().ids


def sample_info(name: str) -> SampleInfo:
    """The catalogue row of sample ``name``; an unknown name raises an error that lists the names."""
    __tracebackhide__ = True
    catalogue = list_samples()
    for sample in catalogue:
        if sample.id == name:
            return sample
    known = catalogue.ids
    if not isinstance(name, str):
        raise AudioInputError(
            f"A sample name is a string such as {known[0]!r}, not {type(name).__name__}. Names: {', '.join(known)}."
        ) from None
    close = difflib.get_close_matches(name.lower().strip(), known, n=1, cutoff=0.5)
    suggestion = f" Did you mean {close[0]!r}?" if close else ""
    raise AudioInputError(
        f"There is no bundled sample called {name!r}.{suggestion} The samples are: {', '.join(known)}. "
        "For your own file use load_audio('path/to/file.wav')."
    ) from None


def load_sample(
    name: str, sr: float | None = 22050, mono: bool = True, offset: float = 0.0, duration: float | None = None,
    remove_offset: bool = True,
) -> tuple[np.ndarray, int]:
    """Load a bundled excerpt by its catalogue id, like ``librosa.load`` (lesson 00).

    Parameters: ``name`` a catalogue id (see ``list_samples()``); ``sr`` target rate in Hz or None for the file's
    own rate; ``mono``; ``offset`` and ``duration`` in seconds; ``remove_offset``: subtract the clip's mean (its DC
    offset; the course's rule, lesson 03), ``False`` for the samples as stored.

    Returns ``(y, sr)``: ``y`` is ``(n,)`` float32 mono (``(channels, n)`` if ``mono=False``), ``sr`` in Hz.
    """
    __tracebackhide__ = True
    info = sample_info(name)
    if not info.path.exists():
        raise AudioInputError(
            f"The catalogue lists {info.file!r} for sample {name!r}, but the file is missing from "
            f"{AUDIO_SAMPLES_DIR}. Restore it with 'git checkout -- audio_samples'."
        ) from None
    return load_audio(info.path, sr=sr, mono=mono, offset=offset, duration=duration, remove_offset=remove_offset)


#: Part of the name of decoded clips kept on disk: change it when the loader's processing changes.
DECODED_VERSION = "mono-soxr_hq-offset1e-3-v1"


def _decoded_path(name: str, sr: float | None, remove_offset: bool = True) -> Path | None:
    """Where the decoded clip ``name`` at ``sr`` is kept between kernels, named after the audio file's own SHA-256
    (so an edited or replaced file is decoded again); None when no cache folder is writable. The clip as stored
    (``remove_offset=False``) is kept apart, with "as-stored" in its name."""
    import hashlib

    from .caches import cache_root

    try:
        digest = hashlib.sha256(sample_info(name).path.read_bytes()).hexdigest()[:20]
        kind = "" if remove_offset else "-as-stored"
        return cache_root() / "samples" / f"{name}-{digest}-{sr}{kind}-{DECODED_VERSION}.npz"
    except (OSError, RuntimeError):
        return None


@lru_cache(maxsize=32)
def _cached_sample(name: str, sr: float | None, remove_offset: bool = True) -> tuple[np.ndarray, int]:
    """Decoded once per kernel (lru_cache) and once per machine (a .npy file): Run All of a lesson that uses all
    seven clips then skips their decoding and resampling (NumPy .npz files in the cache folder)."""
    path = _decoded_path(name, sr, remove_offset)
    y = rate = None
    if path is not None and path.exists():
        try:
            with np.load(path, allow_pickle=False) as stored:
                y, rate = stored["y"], int(stored["sr"])
        except (OSError, ValueError, KeyError):
            y = None  # damaged or half-written: decode again below
    if y is None:
        y, rate = load_sample(name, sr=sr, remove_offset=remove_offset)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
                np.savez(temporary, y=y, sr=rate)
                os.replace(temporary, path)
            except OSError:
                pass  # a read-only or full disk: the clip is still used, only not kept
    y.setflags(write=False)  # shared between callers: nobody may change it in place
    return y, rate


def load_sample_cached(name: str, sr: float | None = 22050, remove_offset: bool = True) -> tuple[np.ndarray, int]:
    """Like :func:`load_sample` (whole clip, mono, DC offset removed unless ``remove_offset=False``) but decoded
    once per session, and kept on disk between sessions; ``y`` is read-only.

    Explorers use this so that moving a song picker back and forth never decodes a file twice; lessons 01, 03 and
    04 use ``remove_offset=False`` to compare a clip as stored with the clip every lesson analyses.
    """
    __tracebackhide__ = True
    from .arguments import require_flag, require_sample_rate

    sample_info(name)  # an unknown or non-text name gets the message that lists the samples
    return _cached_sample(name, require_sample_rate(sr), require_flag(remove_offset, "remove_offset"))
