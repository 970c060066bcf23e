"""The comparison dashboard of lesson 06: two or more clips side by side on shared scales, and a feature plane.

    from helpers.dashboard import ComparisonDashboard
    ComparisonDashboard(selected=("metal", "edm", "ambient"), view="zero_crossing_rate")

Controls: ``clips`` (pick two or more; Ctrl/Cmd- or Shift-click), ``view`` (what each picked clip's row shows:
waveform, spectrogram, one frame-wise feature, or the MFCCs), ``x_feature`` and ``y_feature`` (the axes of the
feature plane). The frame-wise features are :func:`helpers.summaries.frame_features` (all features from one STFT),
computed once per clip and kept in the :class:`helpers.widgets.ClipStore`; moving a control only redraws.

Shared scales: in one view every row has the same time axis and the same y range (features) or colour scale
(spectrograms, MFCCs), so heights and colours compare between clips. The feature plane shows every clip of the
dashboard at its means (over sounding frames) on the two chosen features: picked clips in colour with bars of ±1
standard deviation, the others as grey circles. Its title gives the Fisher score (:func:`fisher_score`) of the picked
clips on each axis. Below, a table lists each picked clip's mean ± standard deviation of every scalar feature.

Speed: the rows and the plane are two separate figures (two images), so a plane menu redraws only the plane and the
view menu only the rows; picking clips redraws both.
"""

from __future__ import annotations

import html
import io
import time
from collections.abc import Mapping, Sequence

import numpy as np

from .analysis import min_max_envelope
from .plotting import AMPLITUDE_LABEL, CLIP_COLORS, SPECTROGRAM_CMAP, SPECTROGRAM_DB_LABEL, TIME_LABEL
from .summaries import N_FFT, N_MFCC, SCALAR_FEATURES, FrameFeatures, frame_features, summarise
from .widgets import (DB_RANGE, FREQUENCY_TICKS_HZ, LOG_AXIS_LOWEST_HZ, ClipStore, Explorer, fit_for_display,
                      hz_to_axis, spectrogram_image)

#: What the ``view`` control can show in each picked clip's row, in menu order.
VIEWS = {
    "waveform": "waveform",
    "spectrogram": "spectrogram (log frequency)",
    "rms": "RMS level",
    "zero_crossing_rate": "zero-crossing rate",
    "spectral_centroid": "spectral centroid",
    "spectral_bandwidth": "spectral bandwidth",
    "spectral_rolloff": "85 % roll-off",
    "mfcc": "MFCCs 0–12 (standardised)",
}
#: The cache key under which each clip's :class:`~helpers.summaries.FrameFeatures` is kept in the ClipStore.
FEATURES_KEY = "frame-features"
#: Shown (and the figure left as it was) while fewer than two clips are picked.
TOO_FEW_CLIPS = ("Pick at least two clips to compare: Ctrl-click (Cmd-click on a Mac) adds a clip, Shift-click a "
                 "range. The figure still shows the last selection of two or more.")
#: Colour range of the MFCC view, in standard deviations (each coefficient standardised over the picked clips).
MFCC_Z_RANGE = (-2.5, 2.5)


def plane_features(n_mfcc: int = N_MFCC) -> dict[str, tuple[str, str]]:
    """The features the plane and the table can use: ``{name: (label, unit)}``, the 5 scalar ones, then MFCCs.

    The names are those of :func:`helpers.summaries.summarise` without ``_mean``/``_std``; MFCCs have no unit.
    """
    names = {name: (label, unit) for name, (label, unit, _lesson) in SCALAR_FEATURES.items()}
    names.update({f"mfcc{index}": (f"MFCC {index}", "") for index in range(n_mfcc)})
    return names


def axis_label(feature: str) -> str:
    """``'spectral centroid (Hz)'``, ``'MFCC 1'``: a feature's label with its unit, for axes and menus."""
    label, unit = plane_features()[require_feature(feature)]
    return f"{label} ({unit})" if unit else label


def require_feature(feature: str, role: str = "feature") -> str:
    """``feature`` if it is one of :func:`plane_features`; otherwise a ValueError that lists the names."""
    names = plane_features()
    if feature not in names:
        raise ValueError(f"{role} must be one of {', '.join(names)}; not {feature!r}.")
    return feature


def feature_frames(features: FrameFeatures, feature: str) -> np.ndarray:
    """The values of ``feature`` (a name from :func:`plane_features`) in the sounding frames: ``(n_sounding,)``.

    These are the frames :func:`helpers.summaries.summarise` averages: silent frames are left out.
    """
    require_feature(feature)
    values = features.mfcc[int(feature[4:])] if feature.startswith("mfcc") else features.scalars[feature]
    return np.asarray(values)[features.sounding]


def fisher_score(groups: Sequence[np.ndarray]) -> float:
    """How well one feature separates two or more groups of frame values: between- over within-group variance.

    ``groups``: one 1-D array of frame values per group (clip). Group ``g`` has ``n_g`` values with mean ``m_g``;
    ``m`` is the mean of all values together::

        score = sum_g n_g (m_g - m)**2 / sum_g sum_i (x_gi - m_g)**2

    0 when the group means coincide; 1 when the means are spread as widely as the frames vary inside the groups.
    This is the Fisher score of feature selection; it equals ``(k - 1) / (N - k)`` times the one-way ANOVA F
    statistic of ``k`` groups of ``N`` values in all. For two groups of equal size it is half of Fisher's two-class
    ratio ``(m_a - m_b)**2 / (var_a + var_b)``.
    """
    groups = [np.asarray(group, dtype=np.float64).reshape(-1) for group in groups]
    if len(groups) < 2 or any(group.size == 0 for group in groups):
        raise ValueError("fisher_score needs at least two non-empty groups of values.")
    overall = np.concatenate(groups).mean()
    between = sum(group.size * (group.mean() - overall) ** 2 for group in groups)
    within = sum(float(np.sum((group - group.mean()) ** 2)) for group in groups)
    if within == 0:
        return float("inf") if between > 0 else 0.0
    return float(between / within)


def _format(value: float, unit: str) -> str:
    if unit == "Hz":
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def _encode(canvas, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "jpeg":
        canvas.print_jpg(buffer, pil_kwargs={"quality": 90})
    else:
        canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class ComparisonDashboard(Explorer):
    """Two or more clips side by side on shared scales, with a feature plane and a summary table (lesson 06).

    ``clips``: bundled sample ids (default: all) or ``{name: (y, sr)}``; ``extra_clips``: your own
    ``{name: (y, sr)}``, added to the picker. ``selected``: the clips picked at first (default: the first two).
    ``view``: a key of :data:`VIEWS`; ``x``, ``y``: feature names from :func:`plane_features`. ``features``:
    optional ``{name: FrameFeatures}`` already computed with :func:`helpers.summaries.frame_features` (default
    settings), so that a notebook which has them does not compute them again.

    Every clip's frame features are computed when the dashboard is made (the plane shows every clip); the first
    visit of a clip's waveform or spectrogram computes and caches its picture. ``image`` shows the rows
    (:meth:`render`), ``plane_image`` the feature plane (:meth:`render_plane`); ``update_times_ms`` records how long
    each update took, from a control's change to the new images.
    """

    image_format = "jpeg"  # the rows: spectrograms and MFCC images encode much faster as JPEG
    rows_width_in = 6.3
    plane_size_in = (4.1, 4.4)

    def __init__(self, clips=None, extra_clips: Mapping[str, tuple[np.ndarray, float]] | None = None,
                 selected: Sequence[str] | None = None, view: str = "spectral_centroid",
                 x: str = "spectral_centroid", y: str = "zero_crossing_rate", sr: int = 22050,
                 features: Mapping[str, FrameFeatures] | None = None):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}; not {view!r}.")
        require_feature(x, "x")
        require_feature(y, "y")
        super().__init__(figsize=(self.rows_width_in, 4.4))
        # Positions are set by hand (the number of rows follows the selection), so no layout engine runs.
        self.figure.set_layout_engine("none")
        self._layout_frozen = True
        self.plane_figure = Figure(figsize=self.plane_size_in, dpi=self.figure.dpi)
        self.plane_canvas = FigureCanvasAgg(self.plane_figure)
        self.plane_image = widgets.Image(format="png")

        self.store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        names = self.store.names
        if len(names) < 2:
            raise ValueError("The dashboard compares clips: give it at least two.")
        selected = names[:2] if selected is None else [self.store.check_name(name, 0) for name in selected]
        given = dict(features or {})
        for name in names:  # the feature plane shows every clip, so compute (or take) every clip's features now
            self.frame_features(name, given.get(name))
        self._summaries = {name: summarise(self.frame_features(name)) for name in names}

        self.clips = widgets.SelectMultiple(options=names, value=tuple(dict.fromkeys(selected)),
                                            rows=min(len(names), 8), description="Clips")
        self.view = widgets.Dropdown(options=[(label, key) for key, label in VIEWS.items()], value=view,
                                     description="View")
        menu = [(axis_label(name), name) for name in plane_features()]
        self.x_feature = widgets.Dropdown(options=menu, value=x, description="Plane x")
        self.y_feature = widgets.Dropdown(options=menu, value=y, description="Plane y")
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        self.rows: list[dict] = []
        self._layouts: dict[int, dict] = {}  # number of rows -> its axes, made once
        self._build_plane()
        for control in (self.clips, self.view, self.x_feature, self.y_feature):
            control.observe(self.refresh, names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.clips, widgets.VBox([self.view, self.x_feature, self.y_feature])]),
            self.status, widgets.HBox([self.image, self.plane_image]), self.table,
        ])
        self.refresh()

    # ------------------------------------------------------------------ data, each computed once per clip

    def static_choices(self):
        """The static web version: every view, for the clips selected when it was built."""
        return {"view": [(label, key) for key, label in VIEWS.items()]}

    def _static_images(self) -> list[bytes]:
        return [self._render_static(self.figure, self.canvas),
                self._render_static(self.plane_figure, self.plane_canvas)]

    @property
    def selected(self) -> tuple[str, ...]:
        """The picked clips, in the picker's order."""
        return tuple(name for name in self.store.names if name in self.clips.value)

    def frame_features(self, name: str, given: FrameFeatures | None = None) -> FrameFeatures:
        """The cached :func:`~helpers.summaries.frame_features` of clip ``name`` (``given`` seeds the cache)."""
        return self.store.feature(name, FEATURES_KEY,
                                  lambda y, sr: given if given is not None else frame_features(y, sr))

    def summary(self, name: str) -> dict[str, float]:
        """:func:`~helpers.summaries.summarise` of clip ``name``: mean and std of every feature, sounding frames."""
        return self._summaries[name]

    def color(self, name: str) -> str:
        """Clip ``name``'s colour (Okabe–Ito), the same in the rows and in the plane."""
        return CLIP_COLORS[self.store.names.index(name) % len(CLIP_COLORS)]

    def _duration(self, name: str) -> float:
        y, sr = self.store.audio(name)
        return y.size / sr

    def _waveform(self, name: str):
        return self.store.feature(name, "waveform-envelope", lambda y, sr: min_max_envelope(y, 1200))

    def _spectrogram(self, name: str):
        """Cached ``(image in dB, (bottom, top) in log2 Hz)`` at the summaries' n_fft, shrunk for the screen."""
        def compute(y, sr):
            image, axis_range = spectrogram_image(y, sr, N_FFT, "log", magnitude=self.store.magnitude(name, N_FFT))
            return fit_for_display(image, max_rows=200, max_columns=500), axis_range

        return self.store.feature(name, f"display-spectrogram:{N_FFT}:log", compute)

    # ------------------------------------------------------------------ updating

    def refresh(self, change=None) -> None:
        """Redraw what the changed control affects (everything when ``change`` is None); needs two clips or more."""
        if len(self.selected) < 2:
            self.status.value = (f'<p role="alert" style="color:#a1260d"><strong>{html.escape(TOO_FEW_CLIPS)}'
                                 "</strong></p>")
            return
        started = time.perf_counter()
        self.status.value = ""
        owner = change["owner"] if isinstance(change, Mapping) and "owner" in change else None
        if owner is None or owner is self.clips or owner is self.view:
            self._draw()
            self.image.value = self.render()
        if owner is None or owner is not self.view:
            self._draw_plane()
            self.plane_image.value = self.render_plane()
        self.table.value = self._table_html()
        self.update_times_ms.append(1000 * (time.perf_counter() - started))

    def render_plane(self) -> bytes:
        """The feature plane as PNG bytes, as it is shown now."""
        return _encode(self.plane_canvas, "png")

    # ------------------------------------------------------------------ the rows: one per picked clip

    def _layout(self, n_rows: int) -> None:
        """Show the layout for ``n_rows`` picked clips: one row of axes per clip, sharing the time axis, and a
        colour bar. Each layout is made once and then kept (hidden while another is shown): making axes is slow."""
        for layout in self._layouts.values():
            for artist in layout["artists"]:
                artist.set_visible(False)
        height = max(self.plane_size_in[1], 0.75 + 0.9 * n_rows)
        self.figure.set_size_inches(self.rows_width_in, height)
        if n_rows not in self._layouts:
            self._layouts[n_rows] = self._make_layout(n_rows, height)
        layout = self._layouts[n_rows]
        for artist in layout["artists"]:
            artist.set_visible(True)
        self.rows, self.colorbar, self.colorbar_ax = layout["rows"], layout["colorbar"], layout["colorbar_ax"]
        self.row_label = layout["row_label"]

    def _make_layout(self, n_rows: int, height: float) -> dict:
        from matplotlib.cm import ScalarMappable

        figure = self.figure
        grid = figure.add_gridspec(n_rows, 2, width_ratios=(1, 0.03), left=0.8 / self.rows_width_in,
                                   right=1 - 0.72 / self.rows_width_in, bottom=0.5 / height, top=1 - 0.28 / height,
                                   wspace=0.04, hspace=0.45)
        rows, first = [], None
        for row in range(n_rows):
            ax = figure.add_subplot(grid[row, 0], sharex=first)
            first = first or ax
            (line,) = ax.plot([], [], linewidth=0.8)
            image = ax.imshow(np.zeros((2, 2)), origin="lower", aspect="auto", interpolation="nearest",
                              cmap=SPECTROGRAM_CMAP)
            ax.tick_params(labelsize="small", labelbottom=row == n_rows - 1)
            rows.append({"ax": ax, "line": line, "image": image})
        rows[-1]["ax"].set_xlabel(TIME_LABEL, fontsize="small")
        colorbar_ax = figure.add_subplot(grid[:, 1])
        colorbar = figure.colorbar(ScalarMappable(cmap=SPECTROGRAM_CMAP), cax=colorbar_ax)
        colorbar_ax.tick_params(labelsize="small")
        row_label = figure.text(0.1 / self.rows_width_in, 0.5 * (grid.bottom + grid.top), "", rotation=90,
                                va="center", ha="left", fontsize="small")
        return {"rows": rows, "colorbar": colorbar, "colorbar_ax": colorbar_ax, "row_label": row_label,
                "artists": [row["ax"] for row in rows] + [colorbar_ax, row_label]}

    def _draw(self) -> None:
        selected = self.selected
        if len(self.rows) != len(selected):
            self._layout(len(selected))
        view = self.view.value
        self.colorbar_ax.set_visible(view in ("spectrogram", "mfcc"))
        for row in self.rows:
            kind = "line" if view not in ("spectrogram", "mfcc") else "image"
            row["line"].set_visible(kind == "line")
            row["image"].set_visible(kind == "image")
            row["ax"].yaxis.set_major_locator(_locator())
            row["ax"].yaxis.set_major_formatter(_formatter())
        if view == "waveform":
            self._draw_waveforms(selected)
        elif view == "spectrogram":
            self._draw_spectrograms(selected)
        elif view == "mfcc":
            self._draw_mfccs(selected)
        else:
            self._draw_feature(selected, view)
        self.rows[0]["ax"].set_xlim(0, max(self._duration(name) for name in selected))

    def _title(self, row: dict, text: str) -> None:
        row["ax"].set_title(text, loc="left", fontsize="small", pad=2)

    def _draw_waveforms(self, selected) -> None:
        for row, name in zip(self.rows, selected):
            index, values = self._waveform(name)
            row["line"].set_data(index / self.store.audio(name)[1], values)
            row["line"].set_color(self.color(name))
            row["ax"].set_ylim(-1.0, 1.0)
            self._title(row, f"{name}: waveform")
        self.row_label.set_text(AMPLITUDE_LABEL.replace("\n", " "))

    def _draw_spectrograms(self, selected) -> None:
        for row, name in zip(self.rows, selected):
            data, (bottom, top) = self._spectrogram(name)
            row["image"].set_data(data)
            row["image"].set_extent((0, self._duration(name), bottom, top))
            row["image"].set_cmap(SPECTROGRAM_CMAP)
            row["image"].set_clim(*DB_RANGE)
            row["ax"].set_ylim(bottom, top)
            # Every other octave of the explorers' frequency ticks (32, 125, 500, 2000, 8000 Hz): rows are short.
            ticks = [f for f in FREQUENCY_TICKS_HZ[::2] if LOG_AXIS_LOWEST_HZ <= f <= self.store.audio(name)[1] / 2]
            row["ax"].set_yticks(hz_to_axis(ticks, "log"), [f"{f:g}" for f in ticks])
            self._title(row, f"{name}: spectrogram")
        self._set_colorbar(SPECTROGRAM_CMAP, DB_RANGE, SPECTROGRAM_DB_LABEL.replace(", ", ",\n"))
        self.row_label.set_text("Frequency (Hz, log scale)")

    def mfcc_standardisation(self, selected=None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std ``(n_mfcc, 1)`` of each MFCC over the sounding frames of all picked clips together.

        The MFCC view shows ``(mfcc - mean) / std``: one colour scale per coefficient, the same for every clip.
        (Raw MFCCs span very different ranges, MFCC 0 hundreds, MFCC 12 a few units: on one raw colour scale only
        the first two would show.)
        """
        selected = self.selected if selected is None else selected
        pooled = np.concatenate([self.frame_features(name).mfcc[:, self.frame_features(name).sounding]
                                 for name in selected], axis=1)
        return pooled.mean(axis=1, keepdims=True), pooled.std(axis=1, keepdims=True)

    def _draw_mfccs(self, selected) -> None:
        mean, std = self.mfcc_standardisation(selected)
        for row, name in zip(self.rows, selected):
            mfcc = self.frame_features(name).mfcc
            row["image"].set_data((mfcc - mean) / np.where(std > 0, std, 1.0))
            row["image"].set_extent((0, self._duration(name), -0.5, mfcc.shape[0] - 0.5))
            row["image"].set_cmap("cividis")
            row["image"].set_clim(*MFCC_Z_RANGE)
            row["ax"].set_ylim(-0.5, mfcc.shape[0] - 0.5)
            row["ax"].set_yticks([0, 6, 12])
            self._title(row, f"{name}: MFCCs 0–{mfcc.shape[0] - 1}")
        self._set_colorbar("cividis", MFCC_Z_RANGE, "MFCC, standardised over\nthe picked clips (std)")
        self.row_label.set_text("MFCC number")

    def feature_limits(self, feature: str, selected=None) -> tuple[float, float]:
        """The shared y range of a feature view: 0 to 5 % above the largest 99.5th percentile of the picked clips."""
        selected = self.selected if selected is None else selected
        top = max(float(np.percentile(self.frame_features(name).scalars[feature], 99.5)) for name in selected)
        return 0.0, 1.05 * top if top > 0 else 1.0

    def _draw_feature(self, selected, feature: str) -> None:
        label, unit, lesson = SCALAR_FEATURES[feature]
        limits = self.feature_limits(feature, selected)
        for row, name in zip(self.rows, selected):
            features, summary = self.frame_features(name), self.summary(name)
            row["line"].set_data(features.times, features.scalars[feature])
            row["line"].set_color(self.color(name))
            row["ax"].set_ylim(*limits)
            self._title(row, f"{name}: mean {_format(summary[feature + '_mean'], unit)} ± "
                             f"{_format(summary[feature + '_std'], unit)} {unit}")
        self.row_label.set_text(f"{label} ({unit}), lesson {lesson}")

    def _set_colorbar(self, cmap: str, limits: tuple[float, float], label: str) -> None:
        self.colorbar.mappable.set_cmap(cmap)
        self.colorbar.mappable.set_clim(*limits)
        self.colorbar.set_label(label, fontsize="small")

    # ------------------------------------------------------------------ the feature plane

    def _build_plane(self) -> None:
        width, height = self.plane_size_in
        self.plane_ax = self.plane_figure.add_axes((0.9 / width, 0.5 / height, 1 - 1.05 / width, 1 - 1.0 / height))
        self.plane_ax.tick_params(labelsize="small")
        self.plane_points: dict[str, object] = {}  # clip name -> the Line2D of its marker
        self._plane_artists: list = []

    def plane_values(self, name: str) -> tuple[float, float, float, float]:
        """``(x mean, y mean, x std, y std)`` of clip ``name`` on the plane's current features."""
        summary = self.summary(name)
        x, y = self.x_feature.value, self.y_feature.value
        return summary[f"{x}_mean"], summary[f"{y}_mean"], summary[f"{x}_std"], summary[f"{y}_std"]

    def plane_scores(self) -> tuple[float, float]:
        """The :func:`fisher_score` of the picked clips' frames on the plane's x and y features."""
        frames = [self.frame_features(name) for name in self.selected]
        return tuple(fisher_score([feature_frames(features, feature) for features in frames])
                     for feature in (self.x_feature.value, self.y_feature.value))

    def _draw_plane(self) -> None:
        ax, selected = self.plane_ax, self.selected
        for artist in self._plane_artists:
            artist.remove()
        self._plane_artists, self.plane_points = [], {}
        xs, ys, labels = [], [], []
        # Unpicked clips first (grey, behind), then the picked ones with their spread.
        for name in sorted(self.store.names, key=lambda name: name in selected):
            x, y, x_std, y_std = self.plane_values(name)
            if name in selected:
                (marker,) = ax.plot([x], [y], "o", color=self.color(name), markeredgecolor="black", markersize=7,
                                    zorder=3)
                (bars,) = ax.plot([x - x_std, x + x_std, np.nan, x, x], [y, y, np.nan, y - y_std, y + y_std],
                                  color=self.color(name), linewidth=1.3, zorder=3)
                self._plane_artists.append(bars)
                xs += [x - x_std, x + x_std]
                ys += [y - y_std, y + y_std]
            else:
                (marker,) = ax.plot([x], [y], "o", markerfacecolor="none", color="0.55", markersize=6, zorder=2)
                xs.append(x)
                ys.append(y)
            self._plane_artists.append(marker)
            self.plane_points[name] = marker
            labels.append((name, x, y, name in selected))
        for values, set_limits in ((xs, ax.set_xlim), (ys, ax.set_ylim)):
            low, high = min(values), max(values)
            pad = 0.06 * (high - low) or 1.0
            set_limits(low - pad, high + pad)
        self._place_labels(labels)
        ax.set_xlabel(axis_label(self.x_feature.value), fontsize="small")
        ax.set_ylabel(axis_label(self.y_feature.value), fontsize="small")
        x_score, y_score = self.plane_scores()
        ax.set_title(f"Clip means, ±1 std for the picked clips\nFisher score of the picked clips: x {x_score:.2f}, "
                     f"y {y_score:.2f}", fontsize="small", pad=4)

    def _place_labels(self, labels) -> None:
        """Name each point, moving a label to a free spot inside the axes when it would cover another (picked first).

        Each label tries a few offsets around its point (in pixels) and takes the first whose measured box neither
        overlaps a label already placed nor sticks out of the axes; if none fits, the first offset.
        """
        ax = self.plane_ax
        renderer = self.plane_canvas.get_renderer()
        frame = ax.get_window_extent(renderer)
        points_per_pixel = 72 / self.plane_figure.dpi
        placed = []
        for name, x, y, picked in sorted(labels, key=lambda label: not label[3]):
            text = ax.annotate(name, (x, y), textcoords="offset points", xytext=(0, 0), fontsize="small",
                               fontweight="bold" if picked else "normal", color="black" if picked else "0.35",
                               zorder=4)
            width, height = text.get_window_extent(renderer).size
            candidates = ((5, 3), (5, -height - 3), (-width - 5, 3), (-width - 5, -height - 3), (5, height + 4),
                          (-width - 5, height + 4), (5, -2 * height - 5), (-width - 5, -2 * height - 5))
            for dx, dy in candidates:
                text.xyann = (dx * points_per_pixel, dy * points_per_pixel)
                box = text.get_window_extent(renderer)
                inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
                if inside and not any(box.overlaps(other) for other in placed):
                    break
            else:
                text.xyann = (candidates[0][0] * points_per_pixel, candidates[0][1] * points_per_pixel)
                box = text.get_window_extent(renderer)
            placed.append(box.padded(1))
            self._plane_artists.append(text)

    # ------------------------------------------------------------------ the table

    def _table_html(self) -> str:
        columns = list(SCALAR_FEATURES)
        columns += [feature for feature in dict.fromkeys((self.x_feature.value, self.y_feature.value))
                    if feature not in columns]
        units = {name: unit for name, (_label, unit) in plane_features().items()}
        cell = "padding:0 0.6em;text-align:right"
        head = "".join(f"<th style='{cell}'>{html.escape(axis_label(column))}</th>" for column in columns)
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(name)}</th>" + "".join(
                f"<td style='{cell}'>{_format(self.summary(name)[column + '_mean'], units[column])} ± "
                f"{_format(self.summary(name)[column + '_std'], units[column])}</td>" for column in columns) + "</tr>"
            for name in self.selected)
        return ("<table style='font-size:small;border-collapse:collapse'><caption style='text-align:left'>Mean ± "
                "standard deviation over each picked clip's sounding frames</caption>"
                f"<tr><th></th>{head}</tr>{body}</table>")


def _locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=3)


def _formatter():
    from matplotlib.ticker import ScalarFormatter

    return ScalarFormatter()
