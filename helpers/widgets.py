"""Song-comparison explorers: sliders and song pickers over a picture the browser draws (lessons 01–07).

How they stay fast: **the browser draws, the kernel only computes.** Each explorer is an anywidget whose front-end,
the ES module ``helpers/frontend/explorer.js``, keeps the data of what it has shown and redraws on its own canvas
when a control moves: a move costs the kernel nothing. When the front-end lacks something (a new song, a new FFT
size, a finer view of the waveform), it asks for it by *key*; the kernel computes it once with librosa, keeps it,
and sends compact arrays (see :mod:`helpers.explorer_data`). The course website uses the same ES module: there a
few lines of loader (``site/explorer-loader.js``) answer the same requests from static files.

Every control is a trait you can read and set from Python, and the picture follows::

    explorer = WaveformExplorer(song_a="edm", song_b="ambient", window_s=2.0)
    explorer            # shows it in the notebook
    explorer.start = 3.0
    explorer.song_b = "metal"

A value that is not allowed raises :class:`helpers.AudioInputError` naming the choices, and nothing changes.
"""

from __future__ import annotations

import base64
import json
import os
import time
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

import anywidget
import numpy as np
import traitlets

from . import explorer_data as data
from .analysis import stft_magnitude
from .arguments import near_miss, require_choice, require_hop, require_sample_rate, require_whole_number
from .errors import AudioInputError
from .explorer_data import DB_RANGE, FEATURES, N_FFT_CHOICES, compute_feature
from .plotting import CLIP_COLORS

#: Window lengths offered by the zoom slider, in seconds: from a few periods of a note to the whole excerpt.
WINDOW_CHOICES_S = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: The front-end: one ES module, shipped inside the package (no build step).
FRONTEND = Path(__file__).with_name("frontend") / "explorer.js"
#: Colour maps the explorers use, as the lessons' figures do: magma for levels, cividis for signed values.
COLORMAPS = ("magma", "cividis")


def colormap_table(name: str) -> list[int]:
    """Matplotlib colour map ``name`` as 256 RGB triples, flattened: ``[r0, g0, b0, r1, ...]`` in 0..255."""
    from matplotlib import colormaps

    from .arguments import require_colormap

    require_colormap(name, "name", example="'magma'")
    table = colormaps[name](np.linspace(0, 1, 256))[:, :3]
    return [int(value) for value in np.round(table * 255).astype(int).ravel()]


class ClipStore:
    """Clips by name, decoded once and kept, with per-clip data computed on first use and cached.

    ``clips``: bundled sample ids and/or ``{name: (y, sr)}`` for the student's own audio. Every clip is kept mono at
    ``sr`` Hz: bundled ones are loaded so, given ones are checked, averaged to mono and resampled if needed, so that
    all rows of an explorer share one frequency axis and their features compare.
    """

    def __init__(self, clips: Sequence[str] | Mapping[str, tuple[np.ndarray, float]] | None = None, sr: int = 22050,
                 extra_clips: Mapping[str, tuple[np.ndarray, float]] | None = None):
        from .samples import sample_ids, sample_info

        sr = require_sample_rate(sr, allow_none=False)
        self.sr = sr
        self._given: dict[str, tuple[np.ndarray, float]] = {}
        if clips is None:
            names = sample_ids()
        elif isinstance(clips, Mapping):
            self._given.update({name: self._conform(name, clip) for name, clip in clips.items()})
            names = list(clips)
        elif isinstance(clips, str) or not isinstance(clips, Sequence):
            raise AudioInputError(f"clips should be a list of sample names such as ['pop', 'edm'] or a dict "
                                  f"{{name: (y, sr)}}, not {type(clips).__name__}.")
        else:
            names = list(clips)
        if extra_clips is not None:
            if not isinstance(extra_clips, Mapping):
                raise AudioInputError(
                    f"extra_clips should be a dict {{name: (y, sr)}}, e.g. {{'my song': load_audio(MY_SONG)}}, "
                    f"not {type(extra_clips).__name__}.")
            for name, clip in extra_clips.items():
                if name in names:
                    raise AudioInputError(
                        f"Your clip is called {name!r}, but a clip of that name is already in the explorer. Give "
                        f"it another name, e.g. {{'my {name}': ...}}.")
                self._given[name] = self._conform(name, clip)
                names.append(name)
        if not names:
            raise AudioInputError("Give at least one clip to explore.")
        if len(set(names)) != len(names):
            raise AudioInputError(f"Each clip needs its own name; these repeat: "
                                  f"{sorted({name for name in names if names.count(name) > 1})}.")
        for name in names:
            if not isinstance(name, str) or "|" in name or not name.strip():
                raise AudioInputError(f"A clip name must be non-empty text without '|', not {name!r}.")
            if name not in self._given:
                sample_info(name)  # an unknown id raises AudioInputError listing the real ones
        self.names = names
        self._features: dict[tuple, object] = {}
        self._magnitudes: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()

    def audio(self, name: str) -> tuple[np.ndarray, float]:
        """``(y, sr)`` of clip ``name``: ``(n,)`` float32 mono and Hz."""
        if name in self._given:
            return self._given[name]
        from .samples import load_sample_cached

        return load_sample_cached(name, self.sr)

    def _conform(self, name: str, clip) -> tuple[np.ndarray, int]:
        """A given clip as ``(n,)`` float32 mono at ``self.sr`` Hz (checked, downmixed, resampled if needed)."""
        import librosa

        from .audio_io import require_audio_array, require_min_length, require_not_silent

        if not (isinstance(clip, tuple) and len(clip) == 2):
            raise AudioInputError(
                f"Clip {name!r} should be a pair (y, sr), as load_audio returns it: {{'{name}': load_audio(path)}}; "
                f"not {type(clip).__name__}.")
        y, sr = clip
        y = require_audio_array(y, sr, what=f"clip {name!r}")
        if y.ndim == 2:
            if y.shape[1] <= 8 < y.shape[0]:
                raise AudioInputError(
                    f"Clip {name!r} has shape {y.shape}: that looks like soundfile's (samples, channels) layout. The "
                    f"course uses (channels, samples): pass y.T, or load it with helpers.load_audio.")
            y = y.mean(axis=0)
        elif y.ndim != 1:
            raise AudioInputError(f"Clip {name!r} should be (n,) mono or (channels, n), not shape {y.shape}.")
        if sr != self.sr:
            y = librosa.resample(np.asarray(y, dtype=np.float32), orig_sr=sr, target_sr=self.sr)
        require_min_length(y, max(N_FFT_CHOICES), self.sr, what=f"clip {name!r}")
        require_not_silent(y, feature=f"the explorer (clip {name!r})")
        return y.astype(np.float32), self.sr

    def check_name(self, name: str | None, fallback: int | None = 0, role: str = "") -> str:
        """``name`` if it is one of the clips (``fallback``-th clip if None, unless ``fallback`` is None);
        otherwise a clear error that names the argument ``role`` (e.g. ``'song_a'``) when given."""
        if name is None and fallback is not None:
            return self.names[min(fallback, len(self.names) - 1)]
        if not isinstance(name, str) or name not in self.names:
            where = f"{role}: " if role else ""
            raise AudioInputError(f"{where}{name!r} is not one of the clips in this explorer: "
                                  f"{', '.join(self.names)}.{near_miss(name, self.names)}")
        return name

    #: STFT magnitudes kept at once (about 5 MB each for a 30 s clip): the explorers keep the payloads made from
    #: them anyway, so only the most recent few are worth keeping for the next view of the same clip and n_fft.
    max_magnitudes = 4

    def magnitude(self, name: str, n_fft: int):
        """STFT magnitude of clip ``name`` (hop ``n_fft // 4``), shared by every spectral view and feature; the last
        :attr:`max_magnitudes` are kept, so memory stays flat however many clips and FFT sizes a student tries."""
        key = (name, n_fft)
        if key in self._magnitudes:
            self._magnitudes.move_to_end(key)
        else:
            y, sr = self.audio(name)
            self._magnitudes[key] = stft_magnitude(y, sr, n_fft=n_fft, hop_length=n_fft // 4)
            while len(self._magnitudes) > self.max_magnitudes:
                self._magnitudes.popitem(last=False)
        return self._magnitudes[key]

    def feature(self, name: str, key: str, compute):
        """The cached result of ``compute(y, sr)`` for clip ``name``; ``key`` names the feature and its settings."""
        cache_key = (name, key)
        if cache_key not in self._features:
            y, sr = self.audio(name)
            self._features[cache_key] = compute(y, sr)
        return self._features[cache_key]


def _require_choice(value, choices, what: str):
    """``value`` if it is one of ``choices`` (numbers compare within 1e-9, ``2048.0`` is ``2048``); otherwise an
    error listing them, with a suggestion for a near miss (:func:`helpers.arguments.require_choice`)."""
    return require_choice(value, what, choices)


class Explorer(anywidget.AnyWidget):
    """Base class of the explorers: a ClipStore, the data protocol, and the website version.

    Synced traits: ``kind`` (which drawing the front-end makes), ``setup`` (what does not change: clip names and
    colours, the choices of each control, colour maps, labels) and ``error`` (a message shown next to the controls).
    Subclasses add their controls as synced traits.

    ``compute_times_ms`` lists ``(key, milliseconds)`` for every payload the kernel computed: what a first visit
    costs. Moving a control the browser can serve costs the kernel nothing.
    """

    _esm = FRONTEND
    kind = traitlets.Unicode().tag(sync=True)
    setup = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    #: ``{key: payload}`` of the first view, sent with the widget itself: the explorer draws as soon as it is shown,
    #: even while later cells keep the kernel busy (Run All), with no round trip.
    first_view = traitlets.Dict().tag(sync=True)

    def __init__(self, store: ClipStore, **traits):
        self.store = store
        self.compute_times_ms: list[tuple[str, float]] = []
        self._payloads: dict[str, bytes] = {}
        super().__init__(**traits)
        self.on_msg(self._on_message)

    # ------------------------------------------------------------------ setup shared by every explorer

    def _clip_setup(self) -> list[dict]:
        return [{"name": name, "color": CLIP_COLORS[index % len(CLIP_COLORS)],
                 "duration_s": self.store.audio(name)[0].size / self.store.sr, "bundled": name not in self.store._given}
                for index, name in enumerate(self.store.names)]

    def label(self) -> str:
        """What the explorer shows, in a sentence: its accessible name for screen readers, in JupyterLab and on the
        website, and its text wherever it cannot be drawn. Never a class name or a Python repr."""
        return "Interactive explorer of the course's songs"

    def _base_setup(self) -> dict:
        return {"label": self.label(), "clips": self._clip_setup(), "sample_rate_hz": self.store.sr,
                "colormaps": {name: colormap_table(name) for name in COLORMAPS},
                "db_range": list(DB_RANGE), "db_label": "Level (dB, 0 dB = full-scale sine)"}

    def _validate_song(self, proposal):
        return self.store.check_name(proposal["value"])

    # ------------------------------------------------------------------ the data the browser asks for

    def payload(self, key: str) -> bytes:
        """The payload for ``key`` (see :mod:`helpers.explorer_data`), computed on first request and kept."""
        if key not in self._payloads:
            started = time.perf_counter()
            self._payloads[key] = data.encode_payload(*self.compute(key))
            self.compute_times_ms.append((key, 1000 * (time.perf_counter() - started)))
        return self._payloads[key]

    def compute(self, key: str) -> tuple[dict, dict]:
        """``(meta, arrays)`` for ``key``: the data of one clip at one setting."""
        kind, name, *settings = data.key_parts(key)
        name = self.store.check_name(name)
        y, sr = self.store.audio(name)
        numbers = [int(value) for value in settings if value.lstrip("-").isdigit()]
        if kind == "clip":
            return data.clip_overview(y, sr)
        if kind == "wave":
            return data.wave_chunk(y, *numbers)
        if kind == "rms":
            return data.rms_payload(y, sr, *numbers)
        if kind == "spectrogram":
            n_fft, scale = int(settings[0]), settings[1]
            _require_choice(n_fft, N_FFT_CHOICES, "n_fft")
            _require_choice(scale, data.SCALES, "scale")
            return data.spectrogram_payload(y, sr, n_fft, scale, magnitude=self.store.magnitude(name, n_fft))
        if kind == "feature":
            feature, frame_length = settings[0], int(settings[1])
            _require_choice(feature, tuple(FEATURES), "feature")
            _require_choice(frame_length, N_FFT_CHOICES, "frame_length")
            magnitude = None if feature == "zero_crossing_rate" else self.store.magnitude(name, frame_length)
            values = compute_feature(feature, y, sr, frame_length, frame_length // 4, magnitude=magnitude)
            sounding = data.sounding_frames(y, frame_length, frame_length // 4)
            return data.feature_payload(values, feature, sr, frame_length, sounding=sounding)
        if kind == "mfcc":
            return data.mfcc_payload(y, sr, int(settings[0]))
        return self.compute_other(kind, name, settings)

    def _prepare_first_view(self) -> None:
        """Compute the first view's payloads now and send them with the widget (see ``first_view``)."""
        self.first_view = {key: self.payload(key) for key in dict.fromkeys(self.initial_keys())}

    def compute_other(self, kind: str, name: str, settings: list[str]) -> tuple[dict, dict]:
        raise AudioInputError(f"This explorer has no data called {kind!r}.")

    def _on_message(self, _widget, content, _buffers) -> None:
        if not isinstance(content, Mapping) or content.get("type") != "request":
            return
        for key in content.get("keys", []):
            try:
                payload = self.payload(str(key))
            except AudioInputError as error:
                # Shown next to the controls by the front-end, which then draws that row as "no data".
                self.send({"type": "error", "key": key, "message": str(error)})
            except Exception as error:  # noqa: BLE001 - every request gets an answer, or the view waits forever
                self.send({"type": "error", "key": key, "message": f"The explorer could not compute {key!r}: "
                                                                   f"{type(error).__name__}: {error}"})
            else:
                self.send({"type": "data", "key": key}, [payload])

    # ------------------------------------------------------------------ the website version

    def initial_keys(self) -> list[str]:
        """Keys of what the first view shows; the website puts their payloads into the page itself."""
        return []

    def static_keys(self) -> list[str]:
        """Keys of everything the controls can ask for; the website stores each as a file, fetched on demand."""
        return self.initial_keys()

    #: The synced traits a student moves (set by each explorer).
    controls: tuple[str, ...] = ()

    def state(self) -> dict:
        """``kind``, ``setup``, ``error`` and every control's value: what the front-end is given, as JSON-able data."""
        return {name: getattr(self, name) for name in ("kind", "setup", "error", *self.controls)}

    def static_html(self, data_folder: Path | None = None) -> str:
        """The explorer for a page with no kernel: its state and a marker the site's loader finds. Every payload,
        the first view's included, is written to ``data_folder`` (default: ``$COURSE_EXPLORER_DATA_DIR``) as
        ``<rate>/<key>.bin``, deflate-compressed: the loader fetches the first view's files when the reader
        scrolls near the explorer, and the others when a control asks for them, so a page's first visit carries
        no explorer data."""
        import html

        folder = Path(data_folder or os.environ.get("COURSE_EXPLORER_DATA_DIR") or "_build/explorer-data")
        folder = folder / str(self.store.sr)
        folder.mkdir(parents=True, exist_ok=True)
        first_keys = list(dict.fromkeys(self.initial_keys()))
        for key in dict.fromkeys(first_keys + list(self.static_keys())):
            target = folder / (static_file_name(key))
            if not target.exists():
                target.write_bytes(zlib.compress(self.payload(key), 9))
        state = json.dumps(self.state(), separators=(",", ":")).replace("</", "<\\/")
        first = json.dumps(first_keys, separators=(",", ":")).replace("</", "<\\/")
        # The drawing module names the explorer for screen readers (a group labelled setup["label"]); until it is
        # drawn, and without JavaScript, the same words stand in the placeholder.
        label = html.escape(self.label())
        return (f'<div class="course-explorer" data-explorer="{html.escape(type(self).__name__)}" '
                f'data-sample-rate="{self.store.sr}">'
                f'<script type="application/json" class="course-explorer-state">{state}</script>'
                f'<script type="application/json" class="course-explorer-keys">{first}</script>'
                f'<p class="course-explorer-placeholder">{label}. It is drawn when you scroll to it.</p>'
                f"<noscript>This explorer needs JavaScript: run the notebook in JupyterLab for the same "
                f"explorer.</noscript></div>")

    def _repr_mimebundle_(self, **kwargs):
        # While the course website is built (COURSE_STATIC_EXPLORERS=1), the page gets the static version.
        if os.environ.get("COURSE_STATIC_EXPLORERS") == "1":
            return {"text/html": self.static_html(), "text/plain": f"{self.label()} ({self.summary_text()})"}
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple) and bundle and isinstance(bundle[0], dict):
            # Where widgets cannot be shown (a plain console, a notebook viewer), say what the explorer shows.
            bundle[0]["text/plain"] = f"{self.label()} ({self.summary_text()}; shown live in JupyterLab)"
        return bundle

    def summary_text(self) -> str:
        """What the explorer shows, in words (its controls' values)."""
        return ", ".join(f"{name} = {getattr(self, name)!r}" for name in self.controls)


def static_file_name(key: str) -> str:
    """The website's file for ``key``: ``"spectrogram|edm|2048|log"`` -> ``"spectrogram~edm~2048~log.bin"``; any
    character outside letters, digits, ``-``, ``_`` and ``.`` is written as ``%XX`` so every name is a safe URL."""
    from urllib.parse import quote

    return quote(key.replace("|", "~"), safe="~-_.") .replace("%", "=") + ".bin"


class _TwoSongExplorer(Explorer):
    """Shared set-up: a ClipStore and two song pickers, ``song_a`` and ``song_b``."""

    song_a = traitlets.Any('').tag(sync=True)
    song_b = traitlets.Any('').tag(sync=True)

    def __init__(self, clips, extra_clips, song_a, song_b, sr, **traits):
        store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        super().__init__(store, song_a=store.check_name(song_a, 0, "song_a"),
                         song_b=store.check_name(song_b, 1, "song_b"), **traits)

    @traitlets.validate("song_a", "song_b")
    def _check_song(self, proposal):
        return self.store.check_name(proposal["value"], None, proposal["trait"].name)

    @property
    def songs(self) -> tuple[str, str]:
        return self.song_a, self.song_b


class WaveformExplorer(_TwoSongExplorer):
    """Compare two songs' waveforms and RMS envelopes through a time window you move and zoom (lesson 01).

    Controls (traits): ``song_a``, ``song_b`` (clip names), ``start`` (window start, s; a window that would run past
    a clip's end is moved back so it stays full), ``window`` (window length, s, one of :data:`WINDOW_CHOICES_S`).
    ``clips``: bundled sample ids (default: all) or ``{name: (y, sr)}``; ``extra_clips``: your own
    ``{name: (y, sr)}`` added to the pickers. RMS uses frames of ``frame_length`` samples every ``hop_length``
    (centred, as :func:`helpers.rms_envelope`). Zoomed out, each pixel column shows the lowest and highest sample
    in it; zoomed in to a few milliseconds, the samples themselves.
    """

    controls = ("song_a", "song_b", "start", "window")
    start = traitlets.Any(0.0).tag(sync=True)
    window = traitlets.Any(30.0).tag(sync=True)

    def label(self) -> str:
        return "Interactive waveform explorer: two songs through a moving window, with their RMS envelopes"

    def __init__(self, clips=None, extra_clips=None, song_a: str | None = None, song_b: str | None = None,
                 start_s: float = 0.0, window_s: float = 30.0, frame_length: int = 2048, hop_length: int = 512,
                 sr: int = 22050):
        self.frame_length = require_whole_number(frame_length, "frame_length")
        self.hop_length = require_whole_number(hop_length, "hop_length", example="512")
        require_hop(self.hop_length, self.frame_length)
        store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        sr = store.sr
        self.longest_s = max(store.audio(name)[0].size / sr for name in store.names)
        window = _require_choice(window_s, WINDOW_CHOICES_S, "window_s")
        super(_TwoSongExplorer, self).__init__(
            store, kind="waveform", song_a=store.check_name(song_a, 0, "song_a"),
            song_b=store.check_name(song_b, 1, "song_b"), start=self._check_start(start_s, "start_s"), window=window)
        self.setup = {**self._base_setup(), "window_choices_s": list(WINDOW_CHOICES_S),
                      "longest_s": self.longest_s, "frame_length_samples": self.frame_length,
                      "hop_length_samples": self.hop_length, "wave_blocks": list(data.WAVE_BLOCKS),
                      "wave_chunk_columns": data.WAVE_CHUNK_COLUMNS,
                      "amplitude_label": "Amplitude (full scale = ±1)"}
        self._prepare_first_view()

    def _check_start(self, value, name: str = "start") -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value):
            raise AudioInputError(f"{name} must be a number of seconds, e.g. {name}=3.0; not {value!r}"
                                  f"{' (remove the quotes)' if isinstance(value, str) else ''}.")
        if not 0 <= value <= self.longest_s:
            raise AudioInputError(f"{name} must lie between 0 and {self.longest_s:.2f} s (the longest clip); "
                                  f"not {value}.")
        return float(value)

    @traitlets.validate("start")
    def _validate_start(self, proposal):
        return self._check_start(proposal["value"])

    @traitlets.validate("window")
    def _validate_window(self, proposal):
        return float(_require_choice(proposal["value"], WINDOW_CHOICES_S, "window"))

    def rms_key(self, name: str) -> str:
        return data.make_key("rms", name, self.frame_length, self.hop_length)

    def initial_keys(self):
        return [key for name in self.songs for key in (data.make_key("clip", name), self.rms_key(name))]

    def static_keys(self):
        keys = []
        for name in self.store.names:
            keys += [data.make_key("clip", name), self.rms_key(name)]
            n = self.store.audio(name)[0].size
            for block in data.WAVE_BLOCKS:
                keys += [data.make_key("wave", name, block, chunk)
                         for chunk in range(-(-n // (block * data.WAVE_CHUNK_COLUMNS)))]
        return keys


class SpectrogramExplorer(_TwoSongExplorer):
    """Two songs' spectrograms with a choice of frequency axis and FFT size (lesson 02).

    Controls (traits): ``song_a``, ``song_b``, ``scale`` ('linear', 'log', 'mel') and ``n_fft`` (samples, one of
    :data:`N_FFT_CHOICES`; the hop is ``n_fft // 4``). Both rows share one colour scale, −90 to 0 dB relative to a
    full-scale sine. Each STFT is computed once per (song, n_fft) and kept; the browser keeps every picture it has
    received, so switching back is instant.
    """

    controls = ("song_a", "song_b", "scale", "n_fft")
    scale = traitlets.Any("log").tag(sync=True)
    n_fft = traitlets.Any(2048).tag(sync=True)

    def label(self) -> str:
        return ("Interactive spectrogram explorer: two songs' spectrograms, with a choice of frequency axis and "
                "frame length")

    def __init__(self, clips=None, extra_clips=None, song_a=None, song_b=None, scale: str = "log",
                 n_fft: int = 2048, sr: int = 22050):
        scale = _require_choice(scale, data.SCALES, "scale")
        n_fft = _require_choice(n_fft, N_FFT_CHOICES, "n_fft")
        super().__init__(clips, extra_clips, song_a, song_b, sr, kind="spectrogram", scale=scale, n_fft=n_fft)
        self.setup = {**self._base_setup(), "n_fft_choices": list(N_FFT_CHOICES), "scales": list(data.SCALES)}
        self._prepare_first_view()

    @traitlets.validate("scale")
    def _validate_scale(self, proposal):
        return _require_choice(proposal["value"], data.SCALES, "scale")

    @traitlets.validate("n_fft")
    def _validate_n_fft(self, proposal):
        return _require_choice(proposal["value"], N_FFT_CHOICES, "n_fft")

    def initial_keys(self):
        return [data.make_key("spectrogram", name, self.n_fft, self.scale) for name in self.songs]

    def static_keys(self):
        return [data.make_key("spectrogram", name, n_fft, scale) for name in self.store.names
                for n_fft in N_FFT_CHOICES for scale in data.SCALES]


class FeatureExplorer(_TwoSongExplorer):
    """A frame-wise feature of two songs over time, on top of what it measures (lessons 03 and 04).

    ``feature``: 'zero_crossing_rate' (drawn over the waveform, on its own axis) or 'spectral_centroid',
    'spectral_rolloff', 'spectral_bandwidth' (drawn in Hz over a linear-frequency spectrogram);
    ``extra_features`` such as ('spectral_rolloff',) are drawn too. Controls (traits): ``song_a``, ``song_b``,
    ``frame_length`` (samples, one of :data:`N_FFT_CHOICES`; hop = frame_length // 4). Each row's title gives the
    feature's mean over the clip; zero-crossing curves of both songs share one scale.
    """

    controls = ("song_a", "song_b", "frame_length")
    frame_length = traitlets.Any(2048).tag(sync=True)

    def label(self) -> str:
        shown = " and the ".join(FEATURES[name][0] for name in (self.feature, *self.extra_features))
        over = "spectrograms" if FEATURES[self.feature][2] else "waveforms"
        return f"Interactive feature explorer: the {shown} of two songs over time, drawn over their {over}"

    def __init__(self, feature: str = "spectral_centroid", extra_features=(), clips=None, extra_clips=None,
                 song_a=None, song_b=None, frame_length: int = 2048, sr: int = 22050):
        if isinstance(extra_features, str):
            extra_features = (extra_features,)
        if not isinstance(extra_features, (list, tuple)):
            raise AudioInputError(f"extra_features must be a list of feature names such as ['spectral_rolloff'], "
                                  f"not {extra_features!r:.40}.")
        _require_choice(feature, tuple(FEATURES), "feature")
        for name in extra_features:
            _require_choice(name, tuple(FEATURES), "extra_features")
        for name in (feature, *extra_features):
            _require_choice(name, tuple(FEATURES), "feature")
        if FEATURES[feature][2] != all(FEATURES[name][2] for name in (feature, *extra_features)):
            raise AudioInputError("extra_features must be drawn like the main feature: zero_crossing_rate goes "
                                  "over the waveform, the spectral features over the spectrogram.")
        self.feature, self.extra_features = feature, tuple(extra_features)
        frame_length = _require_choice(frame_length, N_FFT_CHOICES, "frame_length")
        super().__init__(clips, extra_clips, song_a, song_b, sr, kind="feature", frame_length=frame_length)
        self.setup = {**self._base_setup(), "frame_length_choices": list(N_FFT_CHOICES),
                      "features": [{"name": name, "label": FEATURES[name][0], "unit": FEATURES[name][1]}
                                   for name in (feature, *self.extra_features)],
                      "over_spectrogram": FEATURES[feature][2],
                      "amplitude_label": "Amplitude (full scale = ±1)"}
        self._prepare_first_view()

    @traitlets.validate("frame_length")
    def _validate_frame_length(self, proposal):
        return _require_choice(proposal["value"], N_FFT_CHOICES, "frame_length")

    def values(self, name: str, feature: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(values, times)`` of ``feature`` (default: the main one) for clip ``name`` at the current frame length:
        exactly what the browser draws (both ``(n_frames,)``; times in s, frame centres)."""
        meta, arrays = data.decode_payload(self.payload(self.feature_key(name, feature or self.feature)))
        values = arrays["values"]
        return values, np.arange(values.size) * meta["hop_length_samples"] / meta["sample_rate_hz"]

    def feature_key(self, name: str, feature: str, frame_length: int | None = None) -> str:
        return data.make_key("feature", name, feature, frame_length or self.frame_length)

    def _background_keys(self, name: str, frame_length: int) -> list[str]:
        if FEATURES[self.feature][2]:
            return [data.make_key("spectrogram", name, frame_length, "linear")]
        return [data.make_key("clip", name)]

    def _keys(self, names, frame_lengths):
        return [key for name in names for frame_length in frame_lengths
                for key in (self._background_keys(name, frame_length)
                            + [self.feature_key(name, feature, frame_length)
                               for feature in (self.feature, *self.extra_features)])]

    def initial_keys(self):
        return self._keys(self.songs, [self.frame_length])

    def static_keys(self):
        return self._keys(self.store.names, N_FFT_CHOICES)


class MFCCExplorer(Explorer):
    """What a few MFCCs keep of a song's log-mel spectrogram (lesson 05).

    Controls (traits): ``song`` and ``n_mfcc`` (how many coefficients are kept, 1 .. ``n_mels``). Rows: the log-mel
    spectrogram (``n_mels`` bands, dB), the kept MFCCs, and the log-mel spectrogram rebuilt from only those
    coefficients with the inverse DCT (type II, orthonormal, as librosa uses). The bottom title gives the rebuild's
    RMS error in dB, computed by the kernel over every frame (:func:`helpers.explorer_data.rebuild_errors_db`); the
    browser draws the pictures from the spectrogram averaged over a few frames per pixel column.
    """

    controls = ("song", "n_mfcc")
    song = traitlets.Any('').tag(sync=True)
    n_mfcc = traitlets.Any(13).tag(sync=True)

    def label(self) -> str:
        return ("Interactive MFCC explorer: one song's log-mel spectrogram, the MFCCs kept of it, and the "
                "spectrogram rebuilt from them")

    def __init__(self, clips=None, extra_clips=None, song=None, n_mfcc: int = 13, n_mels: int = 64, sr: int = 22050):
        self.n_mels = require_whole_number(n_mels, "n_mels", minimum=2, maximum=256, example="64",
                                           unit=" mel bands")
        store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        super().__init__(store, kind="mfcc", song=store.check_name(song, 0, "song"), n_mfcc=self._check_n_mfcc(n_mfcc))
        self.setup = {**self._base_setup(), "n_mels": self.n_mels}
        self._prepare_first_view()

    def _check_n_mfcc(self, value) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # 13.0 is 13
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= self.n_mels:
            raise AudioInputError(f"n_mfcc must be a whole number from 1 to n_mels = {self.n_mels}; not {value!r}. "
                                  f"(More coefficients than mel bands do not exist: the DCT of {self.n_mels} bands "
                                  f"has {self.n_mels}.)")
        return int(value)

    @traitlets.validate("song")
    def _check_song(self, proposal):
        return self.store.check_name(proposal["value"], None, "song")

    @traitlets.validate("n_mfcc")
    def _validate_n_mfcc(self, proposal):
        return self._check_n_mfcc(proposal["value"])

    def mfcc_key(self, name: str) -> str:
        return data.make_key("mfcc", name, self.n_mels)

    def rebuild_error_db(self, name: str | None = None, n_mfcc: int | None = None) -> float:
        """RMS error (dB) of the log-mel spectrogram rebuilt from the first ``n_mfcc`` MFCCs: the bottom title."""
        meta, _ = data.decode_payload(self.payload(self.mfcc_key(name or self.song)))
        return meta["rebuild_error_db"][(n_mfcc or self.n_mfcc) - 1]

    def initial_keys(self):
        return [self.mfcc_key(self.song)]

    def static_keys(self):
        return [self.mfcc_key(name) for name in self.store.names]


class PitchExplorer(Explorer):
    """One song's constant-Q transform and its chroma, with a choice of bins per octave (lesson 09).

    Controls (traits): ``song`` (a clip name) and ``bins_per_octave`` (one of
    :data:`helpers.explorer_data.BINS_PER_OCTAVE_CHOICES`: 12, 24 or 36). Top row: the constant-Q transform from C1
    (32.7 Hz) to B7 (3951 Hz), tuning 0 (A4 = 440 Hz), in dB re a full-scale sine, with each octave's filter
    length on the right; bottom row: its chroma (``librosa.feature.chroma_cqt`` of the same transform). The three
    settings of the song shown are computed with the widget, and a new song's three when it is first picked, so
    moving the bins-per-octave slider never waits for the kernel.
    """

    controls = ("song", "bins_per_octave")
    song = traitlets.Any('').tag(sync=True)
    bins_per_octave = traitlets.Any(36).tag(sync=True)

    def label(self) -> str:
        return ("Interactive pitch explorer: one song's constant-Q transform and its chroma, with a choice of bins "
                "per octave")

    def __init__(self, clips=None, extra_clips=None, song=None, bins_per_octave: int = 36, sr: int = 22050):
        bins_per_octave = _require_choice(bins_per_octave, data.BINS_PER_OCTAVE_CHOICES, "bins_per_octave")
        store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        super().__init__(store, kind="pitch", song=store.check_name(song, 0, "song"), bins_per_octave=bins_per_octave)
        from .pitch import PITCH_CLASSES

        self.setup = {**self._base_setup(), "bins_per_octave_choices": list(data.BINS_PER_OCTAVE_CHOICES),
                      "pitch_classes": list(PITCH_CLASSES), "chroma_label": "Chroma (1 = the frame's strongest)",
                      "frequency_label": "Frequency (Hz, log scale)"}
        self._prepare_first_view()

    @traitlets.validate("song")
    def _check_song(self, proposal):
        return self.store.check_name(proposal["value"], None, "song")

    @traitlets.validate("bins_per_octave")
    def _validate_bins_per_octave(self, proposal):
        return _require_choice(proposal["value"], data.BINS_PER_OCTAVE_CHOICES, "bins_per_octave")

    def pitch_key(self, name: str, bins_per_octave: int) -> str:
        return data.make_key("pitch", name, bins_per_octave)

    def compute_other(self, kind: str, name: str, settings: list[str]) -> tuple[dict, dict]:
        if kind != "pitch" or len(settings) != 1:
            return super().compute_other(kind, name, settings)
        text = settings[0]
        bins_per_octave = _require_choice(int(text) if text.isdigit() else text, data.BINS_PER_OCTAVE_CHOICES,
                                          "bins_per_octave")
        y, sr = self.store.audio(name)
        return data.pitch_payload(y, sr, bins_per_octave)

    def summary(self, name: str | None = None, bins_per_octave: int | None = None) -> dict:
        """The numbers the explorer's title and text line give for ``name`` at ``bins_per_octave`` (default: the
        current ones): its payload's ``meta``."""
        meta, _ = data.decode_payload(self.payload(self.pitch_key(name or self.song,
                                                                  bins_per_octave or self.bins_per_octave)))
        return meta

    def initial_keys(self):
        # every setting of the song shown: the slider then never waits
        return [self.pitch_key(self.song, choice) for choice in data.BINS_PER_OCTAVE_CHOICES]

    def static_keys(self):
        return [self.pitch_key(name, choice) for name in self.store.names for choice in data.BINS_PER_OCTAVE_CHOICES]


class RhythmExplorer(Explorer):
    """One song's onset envelope, its tempo under a tempo prior, the beats tracked with it, and clicks on those beats
    played over the song (lesson 10).

    Controls (traits): ``song`` (a clip name) and ``start_bpm``, the centre of the tempo prior in BPM (one of
    :data:`helpers.explorer_data.TEMPO_PRIOR_CHOICES_BPM`). Top row: the onset envelope (:func:`helpers.rhythm.
    onset_envelope`) with the beats; bottom row: the autocorrelation of the envelope (the tempogram averaged over
    time) against tempo, the prior, and the tempo ``librosa.feature.tempo`` picks. A song's payload holds every
    prior's tempo and beats, so the slider never waits for the kernel. Pressing play asks for the song as MP3 once
    (on the website, a file fetched only then); the browser plays it and schedules a click at each beat time with
    Web Audio, so no mixed audio is ever sent.
    """

    controls = ("song", "start_bpm")
    song = traitlets.Any('').tag(sync=True)
    start_bpm = traitlets.Any(120).tag(sync=True)

    def label(self) -> str:
        return ("Interactive rhythm explorer: one song's onset envelope, its tempo under a tempo prior you choose, the "
                "beats tracked at that tempo, and a player that clicks on those beats over the song")

    def __init__(self, clips=None, extra_clips=None, song=None, start_bpm: float = 120, sr: int = 22050):
        start_bpm = _require_choice(start_bpm, data.TEMPO_PRIOR_CHOICES_BPM, "start_bpm")
        store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        super().__init__(store, kind="rhythm", song=store.check_name(song, 0, "song"), start_bpm=start_bpm)
        from .rhythm import AUTOCORRELATION_LABEL, NO_BEAT_BELOW, ONSET_LABEL, TEMPO_LABEL, TEMPO_RANGE_BPM

        self.setup = {**self._base_setup(), "prior_choices_bpm": list(data.TEMPO_PRIOR_CHOICES_BPM),
                      "tempo_range_bpm": list(TEMPO_RANGE_BPM), "no_beat_below": NO_BEAT_BELOW,
                      "onset_label": ONSET_LABEL, "tempo_label": TEMPO_LABEL,
                      "autocorrelation_label": AUTOCORRELATION_LABEL}
        self._prepare_first_view()

    @traitlets.validate("song")
    def _check_song(self, proposal):
        return self.store.check_name(proposal["value"], None, "song")

    @traitlets.validate("start_bpm")
    def _validate_start_bpm(self, proposal):
        return _require_choice(proposal["value"], data.TEMPO_PRIOR_CHOICES_BPM, "start_bpm")

    def rhythm_key(self, name: str) -> str:
        return data.make_key("rhythm", name)

    def audio_key(self, name: str) -> str:
        return data.make_key("audio", name)

    def compute_other(self, kind: str, name: str, settings: list[str]) -> tuple[dict, dict]:
        if kind not in ("rhythm", "audio") or settings:
            return super().compute_other(kind, name, settings)
        y, sr = self.store.audio(name)
        return data.rhythm_payload(y, sr) if kind == "rhythm" else data.audio_payload(y, sr)

    def tempo_and_beats(self, name: str | None = None, start_bpm: float | None = None) -> tuple[float, np.ndarray]:
        """``(tempo_bpm, beat_times_s)`` that the explorer draws for ``name`` with the prior centred at
        ``start_bpm`` (default: the current song and prior); beat times ``(n_beats,)`` in seconds."""
        name = self.store.check_name(name if name is not None else self.song, None, "name")
        centre = _require_choice(start_bpm if start_bpm is not None else self.start_bpm,
                                 data.TEMPO_PRIOR_CHOICES_BPM, "start_bpm")
        meta, arrays = data.decode_payload(self.payload(self.rhythm_key(name)))
        index = list(data.TEMPO_PRIOR_CHOICES_BPM).index(centre)
        offsets = np.concatenate([[0], np.cumsum(meta["beat_counts"])])
        return meta["tempos_bpm"][index], arrays["beat_times_s"][offsets[index]:offsets[index + 1]].astype(np.float64)

    def initial_keys(self):
        return [self.rhythm_key(self.song)]

    def static_keys(self):
        return [key for name in self.store.names for key in (self.rhythm_key(name), self.audio_key(name))]
