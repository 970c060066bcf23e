"""Song-comparison explorers: sliders and song pickers over a figure (lesson 01 onwards).

How they stay fast (a slider should answer in about 0.1 s): every clip is decoded and its features are computed
once, when first picked, and kept; moving a slider only changes the data of existing lines and the axis limits,
then redraws the figure into a PNG shown in an ``ipywidgets.Image``. Nothing is recomputed that did not change.

Each explorer exposes ``widget`` (what the notebook shows), its controls as attributes, ``render()`` (the current
PNG bytes) and ``update_times_ms`` (how long each redraw took; used by ``benchmarks/run_benchmarks.py``).
"""

from __future__ import annotations

import io
import time
from collections.abc import Mapping, Sequence

import numpy as np

from .analysis import min_max_envelope, rms_envelope, spectrogram_db, stft_magnitude
from .plotting import AMPLITUDE_LABEL, CLIP_COLORS, SPECTROGRAM_CMAP, SPECTROGRAM_DB_LABEL, TIME_LABEL

#: Window lengths offered by the zoom slider, in seconds: from a few periods of a note to the whole excerpt.
WINDOW_CHOICES_S = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class ClipStore:
    """Clips by name, decoded once and kept, with per-clip features computed on first use and cached.

    ``clips``: bundled sample ids and/or ``{name: (y, sr)}`` for the student's own audio. Every clip is kept mono at
    ``sr`` Hz: bundled ones are loaded so, given ones are checked, averaged to mono and resampled if needed, so that
    all rows of an explorer share one frequency axis and their features compare.
    """

    def __init__(self, clips: Sequence[str] | Mapping[str, tuple[np.ndarray, float]] | None = None, sr: int = 22050,
                 extra_clips: Mapping[str, tuple[np.ndarray, float]] | None = None):
        from .samples import sample_ids

        self.sr = sr
        self._given: dict[str, tuple[np.ndarray, float]] = {}
        if clips is None:
            names = sample_ids()
        elif isinstance(clips, Mapping):
            self._given.update({name: self._conform(name, *clip) for name, clip in clips.items()})
            names = list(clips)
        else:
            names = list(clips)
        if extra_clips:
            self._given.update({name: self._conform(name, *clip) for name, clip in extra_clips.items()})
            names += [name for name in extra_clips if name not in names]
        if not names:
            raise ValueError("Give at least one clip to explore.")
        from .samples import sample_info

        for name in names:
            if name not in self._given:
                sample_info(name)  # an unknown id raises AudioInputError listing the real ones
        self.names = names
        self._features: dict[tuple, object] = {}

    def audio(self, name: str) -> tuple[np.ndarray, float]:
        """``(y, sr)`` of clip ``name``: ``(n,)`` float32 mono and Hz."""
        if name in self._given:
            return self._given[name]
        from .samples import load_sample_cached

        return load_sample_cached(name, self.sr)

    def _conform(self, name: str, y: np.ndarray, sr: float) -> tuple[np.ndarray, int]:
        """A given clip as ``(n,)`` float32 mono at ``self.sr`` Hz (checked, downmixed, resampled if needed)."""
        import librosa

        from .audio_io import require_audio_array

        y = require_audio_array(y, sr, what=f"clip {name!r}")
        if y.ndim == 2:
            y = y.mean(axis=0)
        if sr != self.sr:
            y = librosa.resample(y, orig_sr=sr, target_sr=self.sr)
        return y.astype(np.float32), self.sr

    def check_name(self, name: str | None, fallback: int) -> str:
        """``name`` if it is one of the clips (``fallback``-th clip if None); otherwise a clear error."""
        from .errors import AudioInputError

        if name is None:
            return self.names[min(fallback, len(self.names) - 1)]
        if name not in self.names:
            raise AudioInputError(f"{name!r} is not one of the clips in this explorer: {', '.join(self.names)}.")
        return name

    def magnitude(self, name: str, n_fft: int):
        """Cached STFT magnitude of clip ``name`` (hop ``n_fft // 4``), shared by every spectral view and feature."""
        return self.feature(name, f"stft-magnitude:{n_fft}",
                            lambda y, sr: stft_magnitude(y, sr, n_fft=n_fft, hop_length=n_fft // 4))

    def feature(self, name: str, key: str, compute):
        """The cached result of ``compute(y, sr)`` for clip ``name``; ``key`` names the feature and its settings."""
        cache_key = (name, key)
        if cache_key not in self._features:
            y, sr = self.audio(name)
            self._features[cache_key] = compute(y, sr)
        return self._features[cache_key]


class Explorer:
    """Base class: a matplotlib figure rendered to PNG inside an ``ipywidgets.Image``, with controls above it.

    Subclasses build their axes in ``_build`` and update artists in ``_draw``; they call :meth:`refresh` from
    their control callbacks.
    """

    #: 'png' for line plots (sharp lines); 'jpeg' for image-heavy figures such as spectrograms, where it encodes
    #: several times faster than PNG with no visible loss at quality 90.
    image_format = "png"

    def __init__(self, figsize: tuple[float, float], dpi: int = 80):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        # A Figure made without pyplot is never shown by the inline backend on its own, and never leaks.
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format=self.image_format)
        self.update_times_ms: list[float] = []
        self._layout_frozen = False

    def render(self) -> bytes:
        """The figure as PNG (or JPEG) bytes, as it is shown now."""
        buffer = io.BytesIO()
        if self.image_format == "jpeg":
            self.canvas.print_jpg(buffer, pil_kwargs={"quality": 90})
        else:
            # Fast PNG compression: the image only travels from the kernel to the browser, and level 1 encodes
            # several times faster than the default level 6 (most of a redraw's time otherwise).
            self.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
        if not self._layout_frozen:
            # Solve the constrained layout once, then keep those positions: redraws are then ~2x faster.
            self.figure.set_layout_engine("none")
            self._layout_frozen = True
        return buffer.getvalue()

    def refresh(self, *_ignored) -> None:
        """Update the artists from the controls, redraw, and show the new image; records the time taken."""
        started = time.perf_counter()
        self._draw()
        self.image.value = self.render()
        self.update_times_ms.append(1000 * (time.perf_counter() - started))

    def _draw(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    # ----------------------------------------------------------------------------------------------------------
    # The static version for the course website, where no kernel runs: a few pre-rendered frames per control,
    # switched by a few lines of JavaScript. Shown instead of the widget when COURSE_STATIC_EXPLORERS=1 (set by
    # ``course.py site``).

    #: Resolution and JPEG quality of the static frames: small, so a lesson page stays light.
    static_dpi = 50
    static_quality = 65
    #: Songs offered by static versions (contrasting styles), when the explorer has them: each adds frames.
    static_songs = ("pop", "edm", "metal", "ambient")

    def static_choices(self) -> dict[str, list[tuple[str, object]]]:
        """``{control attribute: [(label, value), ...]}`` offered by the static version (override per explorer)."""
        return {}

    def _static_song_choices(self, names) -> list[tuple[str, str]]:
        chosen = [name for name in self.static_songs if name in names] or list(names)[:4]
        return [(name, name) for name in chosen]

    def _static_images(self) -> list[bytes]:
        """The image(s) one frame of the static version shows (the dashboard shows two)."""
        return [self._render_static(self.figure, self.canvas)]

    def _render_static(self, figure, canvas) -> bytes:
        buffer = io.BytesIO()
        dpi = figure.get_dpi()
        figure.set_dpi(self.static_dpi)
        try:
            canvas.print_jpg(buffer, pil_kwargs={"quality": self.static_quality})
        finally:
            figure.set_dpi(dpi)
        return buffer.getvalue()

    def static_html(self) -> str:
        """A self-contained HTML version of this explorer: menus over pre-rendered frames, no kernel needed."""
        import base64
        import html
        import itertools
        import json

        choices = self.static_choices()
        controls = {name: getattr(self, name) for name in choices}
        original = {name: control.value for name, control in controls.items()}
        frames = {}
        try:
            for combination in itertools.product(*(range(len(values)) for values in choices.values())):
                for (name, values), index in zip(choices.items(), combination):
                    controls[name].value = values[index][1]
                key = "|".join(map(str, combination))
                frames[key] = ["data:image/jpeg;base64," + base64.b64encode(image).decode("ascii")
                               for image in self._static_images()]
        finally:
            for name, value in original.items():
                controls[name].value = value
        menus = []
        for name, values in choices.items():
            label = html.escape(getattr(controls[name], "description", name) or name)
            options = "".join(f'<option value="{index}">{html.escape(str(text))}</option>'
                              for index, (text, _) in enumerate(values))
            menus.append(f'<label style="margin-right:1em">{label} <select data-control="{name}">{options}'
                         f"</select></label>")
        first = frames["|".join("0" * len(choices))] if choices else [
            "data:image/jpeg;base64," + base64.b64encode(image).decode("ascii") for image in self._static_images()]
        alt = html.escape(f"{type(self).__name__}: " + ", ".join(
            f"{name} = {values[0][0]}" for name, values in choices.items()))
        images = "".join(f'<img class="course-frame" alt="{alt}" src="{src}" style="max-width:100%">' for src in first)
        return (
            f'<div class="course-static-explorer" data-explorer="{type(self).__name__}">'
            '<p style="font-size:90%"><em>Static version of the explorer: choose from the menus to switch between '
            "pre-rendered pictures. Run the notebook in JupyterLab for the live sliders.</em></p>"
            f'<div>{"".join(menus)}</div><div>{images}</div>'
            f'<script type="application/json" class="course-frames">{json.dumps(frames)}</script>'
            "<script>(function () {"
            "var root = document.currentScript.parentNode;"
            "var frames = JSON.parse(root.querySelector('.course-frames').textContent);"
            "var menus = root.querySelectorAll('select[data-control]');"
            "var images = root.querySelectorAll('img.course-frame');"
            "function show() {"
            "var key = Array.prototype.map.call(menus, function (m) { return m.value; }).join('|');"
            "var sources = frames[key]; if (!sources) { return; }"
            "for (var i = 0; i < images.length; i++) { images[i].src = sources[i];"
            " images[i].alt = images[i].alt.split(':')[0] + ': ' + Array.prototype.map.call(menus,"
            " function (m) { return m.getAttribute('data-control') + ' = ' + m.options[m.selectedIndex].text; })"
            ".join(', '); } }"
            "for (var j = 0; j < menus.length; j++) { menus[j].addEventListener('change', show); }"
            "})();</script></div>"
        )

    def _ipython_display_(self) -> None:
        import os

        from IPython.display import HTML, display

        if os.environ.get("COURSE_STATIC_EXPLORERS") == "1":
            display(HTML(self.static_html()))
        else:
            display(self.widget)


class _TwoSongExplorer(Explorer):
    """Shared set-up: a ClipStore, two song pickers and one row of axes per song."""

    def __init__(self, clips, extra_clips, song_a, song_b, sr, figsize, sharex=True, sharey=False):
        import ipywidgets as widgets

        super().__init__(figsize=figsize)
        self.store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        names = self.store.names
        self.song_a = widgets.Dropdown(options=names, value=self.store.check_name(song_a, 0), description="Song A")
        self.song_b = widgets.Dropdown(options=names, value=self.store.check_name(song_b, 1), description="Song B")
        self.axes = self.figure.subplots(2, 1, sharex=sharex, sharey=sharey)

    @property
    def songs(self) -> tuple[str, str]:
        return self.song_a.value, self.song_b.value

    def _finish(self, controls) -> None:
        import ipywidgets as widgets

        for control in [self.song_a, self.song_b, *controls]:
            control.observe(self.refresh, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.song_a, self.song_b]), widgets.HBox(list(controls)),
                                    self.image])
        self.refresh()

    def _display_spectrogram(self, name: str, n_fft: int, scale: str):
        """Cached ``((image, (bottom, top)), duration_s)`` of clip ``name``, shrunk for the screen."""
        def compute(y, sr):
            image, axis_range = spectrogram_image(y, sr, n_fft, scale, magnitude=self.store.magnitude(name, n_fft))
            return (fit_for_display(image), axis_range), y.size / sr

        return self.store.feature(name, f"display-spectrogram:{n_fft}:{scale}", compute)


class WaveformExplorer(_TwoSongExplorer):
    """Compare two songs' waveforms and RMS envelopes through a time window you move and zoom (lesson 01).

    Controls: ``song_a``, ``song_b`` (song pickers), ``start`` (window start, s), ``window`` (window length, s).
    ``clips``: bundled sample ids (default: all) or ``{name: (y, sr)}``; ``extra_clips``: your own
    ``{name: (y, sr)}`` added to the pickers. RMS uses frames of ``frame_length`` samples every ``hop_length``.
    """

    image_format = "png"  # thin lines stay sharp

    def __init__(self, clips=None, extra_clips=None, song_a: str | None = None, song_b: str | None = None,
                 start_s: float = 0.0, window_s: float = 30.0, frame_length: int = 2048, hop_length: int = 512,
                 sr: int = 22050):
        import ipywidgets as widgets

        super().__init__(clips, extra_clips, song_a, song_b, sr, figsize=(9.5, 4.6), sharex=False, sharey=True)
        self.frame_length, self.hop_length = frame_length, hop_length
        longest = max(self.store.audio(name)[0].size / self.store.audio(name)[1] for name in self.store.names)
        self.start = widgets.FloatSlider(value=start_s, min=0.0, max=round(longest, 2), step=0.005,
                                         description="Start (s)", readout_format=".3f", continuous_update=True)
        window = min(WINDOW_CHOICES_S, key=lambda choice: abs(choice - window_s))
        self.window = widgets.SelectionSlider(options=[(f"{w * 1000:g} ms" if w < 1 else f"{w:g} s", w)
                                                       for w in WINDOW_CHOICES_S], value=window,
                                              description="Window")
        self.wave_lines, self.rms_lines = [], []
        for row, ax in enumerate(self.axes):
            (wave,) = ax.plot([], [], color=CLIP_COLORS[row], linewidth=0.7, label="waveform", antialiased=False)
            (rms,) = ax.plot([], [], color=CLIP_COLORS[6], linewidth=2.0, label="RMS envelope")
            ax.set_ylim(-1.0, 1.0)
            ax.set_ylabel(AMPLITUDE_LABEL)
            ax.legend(loc="upper right", fontsize="small")
            ax.ticklabel_format(axis="x", useOffset=False)
            self.wave_lines.append(wave)
            self.rms_lines.append(rms)
        self.axes[-1].set_xlabel(TIME_LABEL)
        self._finish([self.start, self.window])

    def static_choices(self):
        return {"song_a": self._static_song_choices(self.store.names),
                "window": [("30 s", 30.0), ("2 s", 2.0), ("20 ms", 0.02)]}

    def _rms(self, name: str):
        return self.store.feature(
            name, f"rms:{self.frame_length}:{self.hop_length}",
            lambda y, sr: rms_envelope(y, sr, self.frame_length, self.hop_length),
        )

    def _draw(self) -> None:
        start, window = self.start.value, self.window.value
        digits = 3 if window < 0.1 else 2
        for ax, wave, rms_line, name in zip(self.axes, self.wave_lines, self.rms_lines, self.songs):
            y, sr = self.store.audio(name)
            duration = y.size / sr
            # A window that would run past the end of this clip is moved back so it stays full.
            shown_start = max(0.0, min(start, duration - window))
            first = int(round(shown_start * sr))
            segment = y[first: first + max(1, int(round(window * sr)))]
            index, values = min_max_envelope(segment, 800)
            wave.set_data(first / sr + index / sr, values)
            rms, times = self._rms(name)
            rms_line.set_data(times, rms)
            ax.set_xlim(shown_start, shown_start + window)
            moved = "" if abs(shown_start - start) < 1e-9 else " (moved back: the clip ends there)"
            ax.set_title(f"{name}: {shown_start:.{digits}f}–{shown_start + window:.{digits}f} s of {duration:.1f} s"
                         f"{moved}", loc="left", fontsize="medium")


# ---------------------------------------------------------------------------------------------------------------
# Spectrogram images drawn with imshow: much faster to redraw than pcolormesh, so sliders stay under 0.1 s.

#: FFT sizes offered by the explorers' n_fft sliders (samples).
N_FFT_CHOICES = (256, 512, 1024, 2048, 4096, 8192)
#: Frequencies (Hz) labelled on log and mel axes.
FREQUENCY_TICKS_HZ = (32, 64, 125, 250, 500, 1000, 2000, 4000, 8000, 16000)
LOG_AXIS_LOWEST_HZ = 32.0
DB_RANGE = (-90.0, 0.0)


def hz_to_axis(frequencies_hz, scale: str):
    """Position on an explorer's frequency axis: Hz (linear), log2(Hz) (log) or mel (mel, librosa's Slaney)."""
    import librosa

    frequencies_hz = np.asarray(frequencies_hz, dtype=float)
    if scale == "linear":
        return frequencies_hz
    if scale == "log":
        return np.log2(np.maximum(frequencies_hz, 1e-3))
    return librosa.hz_to_mel(frequencies_hz)


def spectrogram_image(y: np.ndarray, sr: float, n_fft: int, scale: str, n_mels: int | None = None, log_rows: int = 256,
                      magnitude: np.ndarray | None = None) -> tuple[np.ndarray, tuple[float, float]]:
    """A dB spectrogram whose rows are evenly spaced on the frequency axis of ``scale`` (lesson 02).

    Returns ``(image, (bottom, top))``: ``image`` is ``(rows, n_frames)`` in dB (0 dB = full-scale sine), the range
    in the units of :func:`hz_to_axis`. Hop length is ``n_fft // 4``. Linear: the STFT bins as they are. Log: bins
    interpolated onto ``log_rows`` frequencies spaced evenly in octaves from 32 Hz to sr/2. Mel: the mel spectrogram
    (``n_mels`` bands, evenly spaced in mel; by default ``min(128, n_fft // 16)``, because a short FFT has too few
    bins to fill 128 narrow low bands). ``magnitude``: a cached :func:`helpers.analysis.stft_magnitude`.
    """
    hop_length = n_fft // 4
    nyquist = sr / 2
    if magnitude is None:
        magnitude = stft_magnitude(y, sr, n_fft=n_fft, hop_length=hop_length)
    if scale == "mel":
        n_mels = n_mels or min(128, n_fft // 16)
        image = spectrogram_db(None, sr, n_fft=n_fft, frequency_scale="mel", n_mels=n_mels, magnitude=magnitude)
        return image, (0.0, float(hz_to_axis(nyquist, "mel")))
    linear = spectrogram_db(None, sr, n_fft=n_fft, magnitude=magnitude)
    if scale == "linear":
        return linear, (0.0, nyquist)
    positions = np.geomspace(LOG_AXIS_LOWEST_HZ, nyquist, log_rows) / (sr / n_fft)  # fractional bin numbers
    lower = np.floor(positions).astype(int)
    upper = np.minimum(lower + 1, linear.shape[0] - 1)
    weight = (positions - lower)[:, None]
    image = (1 - weight) * linear[lower] + weight * linear[upper]
    return image.astype(np.float32), (float(np.log2(LOG_AXIS_LOWEST_HZ)), float(np.log2(nyquist)))


def fit_for_display(image: np.ndarray, max_rows: int = 400, max_columns: int = 900) -> np.ndarray:
    """Shrink a spectrogram image for the screen by keeping the maximum of each block of cells.

    A 30 s clip at n_fft = 512 has over 5 000 frames, but the figure is under 900 pixels wide: drawing the full
    image costs time on every redraw for nothing. Block maxima keep every loud event visible.
    """
    rows, columns = image.shape
    row_step, column_step = -(-rows // max_rows), -(-columns // max_columns)
    if row_step == 1 and column_step == 1:
        return image
    padded = np.pad(image, ((0, -rows % row_step), (0, -columns % column_step)), mode="edge")
    blocks = padded.reshape(padded.shape[0] // row_step, row_step, padded.shape[1] // column_step, column_step)
    return blocks.max(axis=(1, 3))


def _label_frequency_axis(ax, scale: str, sr: float) -> None:
    from matplotlib.ticker import AutoLocator, ScalarFormatter

    ax.set_ylabel(f"Frequency (Hz,\n{scale} scale)")
    if scale == "linear":
        # Undo the fixed labels a log or mel view set, or the linear axis would keep blank tick labels.
        ax.yaxis.set_major_locator(AutoLocator())
        ax.yaxis.set_major_formatter(ScalarFormatter())
        return
    # The mel axis is linear below 1 kHz, so labels under 250 Hz would pile up at the bottom.
    lowest = 250 if scale == "mel" else LOG_AXIS_LOWEST_HZ
    ticks = [f for f in FREQUENCY_TICKS_HZ if lowest <= f <= sr / 2]
    ax.set_yticks(hz_to_axis(ticks, scale), [f"{f:g}" for f in ticks])


def _spectrogram_axes_image(ax):
    return ax.imshow(np.zeros((2, 2)), origin="lower", aspect="auto", cmap=SPECTROGRAM_CMAP, vmin=DB_RANGE[0],
                     vmax=DB_RANGE[1], interpolation="nearest")


class SpectrogramExplorer(_TwoSongExplorer):
    """Two songs' spectrograms with a choice of frequency axis and FFT size (lesson 02).

    Controls: ``song_a``, ``song_b``, ``scale`` ('linear', 'log', 'mel') and ``n_fft`` (samples; the hop is
    ``n_fft // 4``). Both rows share one colour scale, −90 to 0 dB relative to a full-scale sine. Each STFT is
    computed once per (song, n_fft) and kept; switching the axis only resamples it.
    """

    image_format = "jpeg"

    def __init__(self, clips=None, extra_clips=None, song_a=None, song_b=None, scale: str = "log",
                 n_fft: int = 2048, sr: int = 22050):
        import ipywidgets as widgets

        super().__init__(clips, extra_clips, song_a, song_b, sr, figsize=(9.5, 5.2))
        self.scale = widgets.ToggleButtons(options=["linear", "log", "mel"], value=scale, description="Axis")
        self.n_fft = widgets.SelectionSlider(options=list(N_FFT_CHOICES), value=n_fft, description="n_fft")
        self.images = [_spectrogram_axes_image(ax) for ax in self.axes]
        self.axes[-1].set_xlabel(TIME_LABEL)
        self.figure.colorbar(self.images[0], ax=list(self.axes), label=SPECTROGRAM_DB_LABEL, format="%+.0f")
        self._finish([self.scale, self.n_fft])

    def static_choices(self):
        return {"song_a": self._static_song_choices(self.store.names),
                "scale": [("log", "log"), ("linear", "linear"), ("mel", "mel")]}

    def _draw(self) -> None:
        scale, n_fft = self.scale.value, self.n_fft.value
        longest = 0.0
        for ax, image, name in zip(self.axes, self.images, self.songs):
            (data, (bottom, top)), duration = self._display_spectrogram(name, n_fft, scale)
            sr = self.store.audio(name)[1]
            longest = max(longest, duration)
            image.set_data(data)
            image.set_extent((0, duration, bottom, top))
            ax.set_ylim(bottom, top)
            _label_frequency_axis(ax, scale, sr)
            bands = f", {data.shape[0]} mel bands" if scale == "mel" else ""
            ax.set_title(f"{name}: n_fft = {n_fft} → {sr / n_fft:.1f} Hz per bin, {1000 * n_fft / sr:.0f} ms "
                         f"per window{bands}", loc="left", fontsize="medium")
        self.axes[0].set_xlim(0, longest)


#: Frame-wise features the FeatureExplorer can show: label, unit, and whether it is drawn over the spectrogram.
FEATURES = {
    "zero_crossing_rate": ("zero-crossing rate", "crossings per sample", False),
    "spectral_centroid": ("spectral centroid", "Hz", True),
    "spectral_rolloff": ("85 % roll-off", "Hz", True),
    "spectral_bandwidth": ("spectral bandwidth", "Hz", True),
}


def compute_feature(feature: str, y: np.ndarray, sr: float, frame_length: int, hop_length: int,
                    magnitude: np.ndarray | None = None) -> np.ndarray:
    """One frame-wise feature, ``(n_frames,)``, with librosa's centred framing (lessons 03–04).

    Spectral features take the STFT magnitude ``magnitude`` when given (n_fft = ``frame_length``), so several
    features of one clip share one STFT. They are ratios, so the magnitude's scale does not matter.
    """
    import librosa

    if feature == "zero_crossing_rate":
        return librosa.feature.zero_crossing_rate(y, frame_length=frame_length, hop_length=hop_length)[0]
    function = getattr(librosa.feature, feature)
    if magnitude is not None:
        return function(S=magnitude, sr=sr, n_fft=frame_length, hop_length=hop_length)[0]
    return function(y=y, sr=sr, n_fft=frame_length, hop_length=hop_length)[0]


class FeatureExplorer(_TwoSongExplorer):
    """A frame-wise feature of two songs over time, on top of what it measures (lessons 03 and 04).

    ``feature``: 'zero_crossing_rate' (drawn over the waveform, on its own axis) or 'spectral_centroid',
    'spectral_rolloff', 'spectral_bandwidth' (drawn in Hz over a linear-frequency spectrogram);
    ``extra_features`` such as ('spectral_rolloff',) are drawn too. Controls: ``song_a``, ``song_b``,
    ``frame_length`` (samples; hop = frame_length // 4). Each row's title gives the feature's mean over the clip.
    """

    image_format = "jpeg"

    def __init__(self, feature: str = "spectral_centroid", extra_features=(), clips=None, extra_clips=None,
                 song_a=None, song_b=None, frame_length: int = 2048, sr: int = 22050):
        import ipywidgets as widgets

        for name in (feature, *extra_features):
            if name not in FEATURES:
                raise ValueError(f"feature must be one of {sorted(FEATURES)}, not {name!r}.")
        super().__init__(clips, extra_clips, song_a, song_b, sr, figsize=(9.5, 5.2))
        self.feature, self.extra_features = feature, tuple(extra_features)
        self.over_spectrogram = FEATURES[feature][2]
        self.frame_length = widgets.SelectionSlider(options=list(N_FFT_CHOICES), value=frame_length,
                                                    description="Frame")
        self.backgrounds, self.curves = [], []
        curve_colors = ("#FFFFFF", CLIP_COLORS[5], CLIP_COLORS[2])
        for ax in self.axes:
            if self.over_spectrogram:
                background = _spectrogram_axes_image(ax)
                ax.set_ylabel("Frequency (Hz)")
                curve_ax = ax
            else:
                # A dense zig-zag: drawn without antialiasing it looks the same and renders several times faster.
                (background,) = ax.plot([], [], color=CLIP_COLORS[0], linewidth=0.6, antialiased=False)
                ax.set_ylim(-1, 1)
                ax.set_ylabel(AMPLITUDE_LABEL)
                curve_ax = ax.twinx()
                curve_ax.set_ylabel(f"{FEATURES[feature][0]}\n({FEATURES[feature][1]})")
            curves = {}
            for index, name in enumerate((feature, *self.extra_features)):
                color = curve_colors[index % 3] if self.over_spectrogram else CLIP_COLORS[1]
                (curves[name],) = curve_ax.plot([], [], color=color, linewidth=1.6, label=FEATURES[name][0])
            curve_ax.legend(loc="upper right", fontsize="small")
            self.backgrounds.append(background)
            self.curves.append(curves)
        self.axes[-1].set_xlabel(TIME_LABEL)
        self._finish([self.frame_length])

    def static_choices(self):
        return {"song_a": self._static_song_choices(self.store.names),
                "frame_length": [(f"{n} samples", n) for n in (512, 2048, 8192)]}

    def values(self, name: str, feature: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(values, times)`` of ``feature`` (default: the main one) for clip ``name`` at the current frame length."""
        feature = feature or self.feature
        frame_length = self.frame_length.value
        hop_length = frame_length // 4

        def compute(y, sr):
            magnitude = None if feature == "zero_crossing_rate" else self.store.magnitude(name, frame_length)
            return compute_feature(feature, y, sr, frame_length, hop_length, magnitude=magnitude)

        values = self.store.feature(name, f"{feature}:{frame_length}", compute)
        return values, np.arange(values.size) * hop_length / self.store.audio(name)[1]

    def _draw(self) -> None:
        frame_length = self.frame_length.value
        label, unit, _ = FEATURES[self.feature]
        longest = 0.0
        for ax, background, curves, name in zip(self.axes, self.backgrounds, self.curves, self.songs):
            y, sr = self.store.audio(name)
            duration = y.size / sr
            longest = max(longest, duration)
            if self.over_spectrogram:
                (data, (bottom, top)), _ = self._display_spectrogram(name, frame_length, "linear")
                background.set_data(data)
                background.set_extent((0, duration, bottom, top))
                ax.set_ylim(0, sr / 2)
            else:
                index, values = self.store.feature(name, "waveform-envelope", lambda y, sr: min_max_envelope(y, 800))
                background.set_data(index / sr, values)
            for feature, line in curves.items():
                values, times = self.values(name, feature)
                # Short frames give up to 10 000 points per curve, far more than the plot's pixels: draw each
                # pixel column's minimum and maximum instead (same picture, several times faster to render).
                index, shown = min_max_envelope(values, 800)
                line.set_data(times[index], shown)
            main, _ = self.values(name)
            mean = f"{np.mean(main):.0f}" if unit == "Hz" else f"{np.mean(main):.3f}"
            ax.set_title(f"{name}: mean {label} {mean} {unit}", loc="left", fontsize="medium")
        if not self.over_spectrogram:
            # One scale for both songs' curves, so that their heights compare directly.
            top = max(max(0.05, 1.1 * float(np.percentile(self.values(name)[0], 99.5))) for name in self.songs)
            for curves in self.curves:
                curves[self.feature].axes.set_ylim(0, top)
        self.axes[0].set_xlim(0, longest)


class MFCCExplorer(Explorer):
    """What a few MFCCs keep of a song's log-mel spectrogram (lesson 05).

    Controls: ``song`` and ``n_mfcc`` (how many coefficients are kept). Rows: the log-mel spectrogram (``n_mels``
    bands, dB), the kept MFCCs, and the log-mel spectrogram rebuilt from only those coefficients with the inverse
    DCT (type II, orthonormal, as librosa uses). The bottom title gives the rebuild's RMS error in dB.
    """

    image_format = "jpeg"

    def __init__(self, clips=None, extra_clips=None, song=None, n_mfcc: int = 13, n_mels: int = 64, sr: int = 22050):
        import ipywidgets as widgets

        super().__init__(figsize=(9.5, 6.2))
        self.store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        self.n_mels = n_mels
        self.song = widgets.Dropdown(options=self.store.names, value=self.store.check_name(song, 0),
                                     description="Song")
        self.n_mfcc = widgets.IntSlider(value=n_mfcc, min=1, max=n_mels, description="n_mfcc")
        self.axes = self.figure.subplots(3, 1, sharex=True)
        kwargs = dict(origin="lower", aspect="auto", interpolation="nearest")
        self.original = self.axes[0].imshow(np.zeros((2, 2)), cmap=SPECTROGRAM_CMAP, **kwargs)
        self.coefficients = self.axes[1].imshow(np.zeros((2, 2)), cmap="cividis", **kwargs)
        self.rebuilt = self.axes[2].imshow(np.zeros((2, 2)), cmap=SPECTROGRAM_CMAP, **kwargs)
        for ax, label in zip(self.axes, ("mel band", "coefficient\n(0 = level)", "mel band")):
            ax.set_ylabel(label)
        self.axes[0].set_title("log-mel spectrogram (dB)", loc="left", fontsize="medium")
        self.axes[-1].set_xlabel(TIME_LABEL)
        # One colour bar per row: a bar spanning rows 1 and 3 would sit on top of row 2's.
        for ax, image, label in zip(self.axes, (self.original, self.coefficients, self.rebuilt),
                                    ("level (dB)", "MFCC value", "level (dB)")):
            # Coefficient 0 (overall level) lies far outside the others' range: the bar's arrows show it is clipped.
            self.figure.colorbar(image, ax=ax, label=label, extend="both" if image is self.coefficients else "neither")
        for control in (self.song, self.n_mfcc):
            control.observe(self.refresh, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.song, self.n_mfcc]), self.image])
        self.refresh()

    def static_choices(self):
        return {"song": self._static_song_choices(self.store.names),
                "n_mfcc": [(str(n), n) for n in (2, 13, 40) if n <= self.n_mels]}

    def _log_mel_and_dct(self, name: str):
        import librosa
        import scipy.fft

        def compute(y, sr):
            mel_power = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=self.n_mels)
            log_mel = librosa.power_to_db(mel_power, top_db=80.0)
            return log_mel, scipy.fft.dct(log_mel, type=2, norm="ortho", axis=0), y.size / sr

        return self.store.feature(name, f"log-mel-dct:{self.n_mels}", compute)

    def _draw(self) -> None:
        import scipy.fft
        from matplotlib.ticker import MaxNLocator

        log_mel, all_coefficients, duration = self._log_mel_and_dct(self.song.value)
        n_mfcc = self.n_mfcc.value
        kept = np.zeros_like(all_coefficients)
        kept[:n_mfcc] = all_coefficients[:n_mfcc]
        rebuilt = scipy.fft.idct(kept, type=2, norm="ortho", axis=0)
        low, high = float(log_mel.max()) - 80, float(log_mel.max())
        for image, data in ((self.original, log_mel), (self.rebuilt, rebuilt)):
            image.set_data(data)
            image.set_extent((0, duration, 0, self.n_mels))
            image.set_clim(low, high)
        shown = all_coefficients[:n_mfcc]
        self.coefficients.set_data(shown)
        self.coefficients.set_extent((0, duration, -0.5, n_mfcc - 0.5))  # row k centred on coefficient k
        limit = float(np.percentile(np.abs(shown[1:] if n_mfcc > 1 else shown), 99)) or 1.0
        self.coefficients.set_clim(-limit, limit)
        self.axes[1].set_ylim(-0.5, n_mfcc - 0.5)
        self.axes[1].yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        error_db = float(np.sqrt(np.mean((rebuilt - log_mel) ** 2)))
        self.axes[1].set_title(f"first {n_mfcc} MFCCs (of {self.n_mels})", loc="left", fontsize="medium")
        self.axes[2].set_title(f"rebuilt from {n_mfcc} MFCCs: RMS error {error_db:.1f} dB", loc="left",
                               fontsize="medium")
