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

from .analysis import min_max_envelope, rms_envelope
from .plotting import AMPLITUDE_LABEL, CLIP_COLORS, TIME_LABEL

#: Window lengths offered by the zoom slider, in seconds: from a few periods of a note to the whole excerpt.
WINDOW_CHOICES_S = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class ClipStore:
    """Clips by name, decoded once and kept, with per-clip features computed on first use and cached.

    ``clips``: bundled sample ids and/or ``{name: (y, sr)}`` for the student's own audio. All clips are mono;
    bundled ones are loaded at ``sr`` Hz.
    """

    def __init__(self, clips: Sequence[str] | Mapping[str, tuple[np.ndarray, float]] | None = None, sr: int = 22050,
                 extra_clips: Mapping[str, tuple[np.ndarray, float]] | None = None):
        from .samples import sample_ids

        self.sr = sr
        self._given: dict[str, tuple[np.ndarray, float]] = {}
        if clips is None:
            names = sample_ids()
        elif isinstance(clips, Mapping):
            self._given.update(clips)
            names = list(clips)
        else:
            names = list(clips)
        if extra_clips:
            self._given.update(extra_clips)
            names += [name for name in extra_clips if name not in names]
        if not names:
            raise ValueError("Give at least one clip to explore.")
        self.names = names
        self._features: dict[tuple, object] = {}

    def audio(self, name: str) -> tuple[np.ndarray, float]:
        """``(y, sr)`` of clip ``name``: ``(n,)`` float32 mono and Hz."""
        if name in self._given:
            return self._given[name]
        from .samples import load_sample_cached

        return load_sample_cached(name, self.sr)

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

    def __init__(self, figsize: tuple[float, float], dpi: int = 80):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        # A Figure made without pyplot is never shown by the inline backend on its own, and never leaks.
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.canvas = FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png")
        self.update_times_ms: list[float] = []
        self._layout_frozen = False

    def render(self) -> bytes:
        """The figure as PNG bytes, as it is shown now."""
        buffer = io.BytesIO()
        self.canvas.print_png(buffer)
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

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class WaveformExplorer(Explorer):
    """Compare two songs' waveforms and RMS envelopes through a time window you move and zoom (lesson 01).

    Controls: ``song_a``, ``song_b`` (song pickers), ``start`` (window start, s), ``window`` (window length, s).
    ``clips``: bundled sample ids (default: all) or ``{name: (y, sr)}``; ``extra_clips``: your own
    ``{name: (y, sr)}`` added to the pickers. RMS uses frames of ``frame_length`` samples every ``hop_length``.
    """

    def __init__(self, clips=None, extra_clips=None, song_a: str | None = None, song_b: str | None = None,
                 start_s: float = 0.0, window_s: float = 30.0, frame_length: int = 2048, hop_length: int = 512,
                 sr: int = 22050):
        import ipywidgets as widgets

        super().__init__(figsize=(9.5, 4.6))
        self.store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        self.frame_length, self.hop_length = frame_length, hop_length
        names = self.store.names
        self.song_a = widgets.Dropdown(options=names, value=song_a or names[0], description="Song A")
        self.song_b = widgets.Dropdown(options=names, value=song_b or names[min(1, len(names) - 1)],
                                       description="Song B")
        longest = max(self.store.audio(name)[0].size / self.store.audio(name)[1] for name in names)
        self.start = widgets.FloatSlider(value=start_s, min=0.0, max=round(longest, 2), step=0.01,
                                         description="Start (s)", readout_format=".2f", continuous_update=True)
        window = min(WINDOW_CHOICES_S, key=lambda choice: abs(choice - window_s))
        self.window = widgets.SelectionSlider(options=[(f"{w:g} s", w) for w in WINDOW_CHOICES_S], value=window,
                                              description="Window")
        self.axes = self.figure.subplots(2, 1, sharey=True)
        self.wave_lines, self.rms_lines = [], []
        for row, ax in enumerate(self.axes):
            (wave,) = ax.plot([], [], color=CLIP_COLORS[row], linewidth=0.7, label="waveform")
            (rms,) = ax.plot([], [], color=CLIP_COLORS[4], linewidth=2.0, label="RMS envelope")
            ax.set_ylim(-1.0, 1.0)
            ax.set_ylabel(AMPLITUDE_LABEL)
            ax.legend(loc="upper right", fontsize="small")
            self.wave_lines.append(wave)
            self.rms_lines.append(rms)
        self.axes[-1].set_xlabel(TIME_LABEL)
        for control in (self.song_a, self.song_b, self.start, self.window):
            control.observe(self.refresh, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.song_a, self.song_b]),
                                    widgets.HBox([self.start, self.window]), self.image])
        self.refresh()

    def _rms(self, name: str):
        return self.store.feature(
            name, f"rms:{self.frame_length}:{self.hop_length}",
            lambda y, sr: rms_envelope(y, sr, self.frame_length, self.hop_length),
        )

    def _draw(self) -> None:
        start, window = self.start.value, self.window.value
        for ax, wave, rms_line, name in zip(self.axes, self.wave_lines, self.rms_lines,
                                             (self.song_a.value, self.song_b.value)):
            y, sr = self.store.audio(name)
            first = min(int(start * sr), max(y.size - 1, 0))
            segment = y[first: first + max(1, int(round(window * sr)))]
            index, values = min_max_envelope(segment, 1200)
            wave.set_data(first / sr + index / sr, values)
            rms, times = self._rms(name)
            rms_line.set_data(times, rms)
            ax.set_xlim(start, start + window)
            end = min(start + window, y.size / sr)
            ax.set_title(f"{name}: {start:.2f}–{end:.2f} s of {y.size / sr:.1f} s", loc="left", fontsize="medium")
