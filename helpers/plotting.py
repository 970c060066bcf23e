"""Plots shared by the lessons: waveform, spectrogram, feature curves in time, clips side by side.

Every function takes an optional ``ax`` (or ``axes``), creates a figure only when none is given, and returns what it
drew (a matplotlib artist, or a list of them), so plots compose into multi-panel comparisons::

    fig, (top, bottom) = plt.subplots(2, 1, sharex=True)
    plot_waveform(y, sr, ax=top)
    plot_spectrogram(y, sr, ax=bottom, frequency_scale="log")

Colours follow the Okabe–Ito palette and spectrograms use 'magma': both stay readable with colour-vision deficiency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .analysis import min_max_envelope, spectrogram_db
from .arguments import (require_axes, require_choice, require_colormap, require_flag, require_number,
                        require_sample_rate, require_text, require_whole_number)
from .audio_io import require_audio_array, require_finite, require_mono
from .errors import AudioInputError

#: Okabe–Ito colours, distinguishable with the common forms of colour blindness.
#: Their yellow (#F0E442) is left out: thin lines in it vanish on white. Grey takes its place.
CLIP_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F7F7F")
#: Perceptually uniform, colour-blind-safe colormap for spectrograms.
SPECTROGRAM_CMAP = "magma"
SPECTROGRAM_DB_LABEL = "Level (dB, 0 dB = full-scale sine)"
TIME_LABEL = "Time (s)"
AMPLITUDE_LABEL = "Amplitude\n(full scale = ±1)"


def show_notebook_figures_at_their_own_size():
    """In a Jupyter kernel, show each figure at the size it was made, drawn once. Called when ``helpers`` is imported.

    * At its own size (``bbox_inches=None``), not cropped to what it draws (the inline backend's
      ``bbox_inches='tight'``): every figure of the course is made with ``layout="constrained"``, which already fits
      titles, labels, legends and colour bars inside the figure, so cropping removed nothing but a few pixels of
      margin, at the cost of another layout pass. Checked on lessons 01-10: no figure draws outside its own size
      (one of lesson 05 did, by 4 pixels, and is now 0.3 inch taller). A figure made without a layout engine may need
      one: ``plt.subplots(..., layout="constrained")``.
    * Drawn once (:func:`_png_drawn_once`): matplotlib draws a laid-out figure twice, once without output to place
      everything, and spectrogram images are resampled both times.

    Together about a third of the time a lesson spends showing figures, for the same pixels. Returns the inline
    backend's settings object (its ``print_figure_kwargs`` hold the choice), or None outside a kernel.
    """
    from .notebook_kernel import kernel_shell

    shell = kernel_shell()
    if shell is None:
        return None
    try:
        from matplotlib.figure import Figure
        from matplotlib_inline.config import InlineBackend
    except ImportError:  # pragma: no cover - both come with every Jupyter install
        return None
    settings = InlineBackend.instance(parent=shell)  # the one the inline backend uses, made now if it is not yet
    settings.print_figure_kwargs = {**settings.print_figure_kwargs, "bbox_inches": None}
    if settings.figure_formats == {"png"}:  # the default; other choices (e.g. 'retina') keep IPython's own formatter
        shell.display_formatter.formatters["image/png"].for_type(Figure, _png_drawn_once)
    return settings


def _png_drawn_once(fig) -> str | None:
    """A notebook figure as IPython shows it (base64 PNG, at the figure's size and dpi), drawn once.

    matplotlib's ``print_figure`` draws a figure that has a layout engine twice: once without output, so that the
    engine places the axes, colour bars and titles, then for real (and each draw lays it out again). Here the
    constrained layout runs once, from the sizes of the texts alone, and the figure is drawn once without its
    engine, which is given back afterwards: the same pixels (checked figure by figure on lessons 01-07), with
    spectrogram images resampled once instead of twice (0.27 -> 0.19 s for a spectrogram of a 30 s clip). The PNG
    is written by :func:`_png_of`.
    """
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine) or not fig.axes:
        return _png_of(fig)
    engine.execute(fig)
    fig.set_layout_engine(None)
    try:
        return _png_of(fig)
    finally:
        fig.set_layout_engine(engine)


def _png_of(fig) -> str | None:
    """IPython's base64 PNG of ``fig`` (``print_figure(fig, "png", bbox_inches=None)``: the same pixels, size, dpi and
    metadata), stored without its alpha channel when every pixel is opaque, as in every figure of the course: the same
    picture, compressed in 40 % less time and 10 % fewer bytes (a 30 s clip's spectrogram: 57 -> 34 ms, 575 -> 516
    KB). A figure with transparent pixels keeps them. None for an empty figure, as IPython shows nothing for it."""
    import io
    from binascii import b2a_base64

    import matplotlib
    from IPython.core.pylabtools import print_figure
    from PIL import Image, PngImagePlugin

    raw = print_figure(fig, fmt="raw", base64=False, bbox_inches=None)  # drawn as for "png": RGBA, row by row
    if raw is None:  # an empty figure
        return None
    exact_width, exact_height = fig.bbox.size  # e.g. 439.99999999999994 pixels for 4.4 inches at 100 dpi, drawn 440
    for width in {int(exact_width), round(exact_width)} - {0}:
        height, rest = divmod(len(raw), 4 * width)
        if rest == 0 and abs(height - exact_height) < 1:
            break
    else:  # (a canvas that drew another size: IPython's own PNG)
        return print_figure(fig, fmt="png", base64=True, bbox_inches=None)
    image = Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1)
    if np.frombuffer(raw, dtype=np.uint8)[3::4].min() == 255:
        image = image.convert("RGB")
    metadata = PngImagePlugin.PngInfo()  # what matplotlib writes into its PNGs
    metadata.add_text("Software", f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/")
    png = io.BytesIO()
    image.save(png, format="png", pnginfo=metadata, dpi=(fig.dpi, fig.dpi))
    return b2a_base64(png.getvalue(), newline=False).decode("ascii")


def _new_axes(ax, figsize=(9, 3)):
    __tracebackhide__ = True
    if require_axes(ax) is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def plot_waveform(
    y: np.ndarray, sr: float, ax=None, start_s: float = 0.0, title: str | None = None, color: str | None = None,
    label: str | None = None, max_columns: int = 2000, time_unit: str = "s",
):
    """Draw a waveform against time (lesson 01). Returns what it drew: a ``Line2D`` through the samples or, for a long
    signal, the filled band (a ``PolyCollection``) described below.

    ``y``: ``(n,)`` float mono, -1..1; ``sr``: Hz; ``start_s``: time of ``y[0]`` in seconds (for a zoomed-in
    excerpt); ``time_unit``: ``'s'`` or ``'ms'`` for the time axis. In milliseconds, from ``start_s`` = 1 s on, the
    axis counts from ``start_s`` and says so ("Time after 12 s (ms)": ticks 0-20, not 12000.0-12020.0). A signal of
    more than ``2 * max_columns`` samples is cut into ``max_columns`` columns, and each column is drawn from its lowest
    to its highest sample (:func:`helpers.analysis.min_max_envelope`), as a band filled between the two: the picture
    a line through every sample would give (the screen has far fewer pixel columns than a song has samples), drawn in
    a fraction of the time (a 30 s song in a 9-inch figure: about 20 ms instead of 90 ms of drawing for a line
    zig-zagging through the same points).
    """
    __tracebackhide__ = True
    line_label = label
    y = require_mono(require_audio_array(y, sr))
    sr = require_sample_rate(sr, allow_none=False)
    time_unit = require_choice(time_unit, "time_unit", ("s", "ms"))
    start_s = require_number(start_s, "start_s", example="12", unit=" s")
    max_columns = require_whole_number(max_columns, "max_columns", example="2000", unit=" columns")
    require_axes(ax)
    _require_color(color)
    if time_unit == "ms":
        # From a second on, milliseconds count from start_s: five-digit ticks (12000.0 ...) are hard to read.
        scale, origin_s = 1000.0, (start_s if abs(start_s) >= 1 else 0.0)
        label = f"Time after {start_s:g} s (ms)" if origin_s else "Time (ms)"
    else:
        scale, origin_s = 1.0, 0.0
        label = "Time (s)"
    ax = _new_axes(ax)
    index, values = min_max_envelope(y, max_columns)
    times = scale * (start_s - origin_s + index / sr)
    if index.size == y.size:  # short enough to draw every sample
        (drawn,) = ax.plot(times, values, color=color or CLIP_COLORS[0], linewidth=0.7, label=line_label)
    else:  # (time, lowest, highest) of each column
        drawn = ax.fill_between(times[0::2], values[0::2], values[1::2], color=color or CLIP_COLORS[0],
                                linewidth=0.7, label=line_label)
    ax.set_xlim(scale * (start_s - origin_s), scale * (start_s - origin_s + y.size / sr))
    ax.ticklabel_format(axis="x", useOffset=False, style="plain")
    ax.set_xlabel(label)
    ax.set_ylabel(AMPLITUDE_LABEL)
    if title:
        ax.set_title(title)
    return drawn


def plot_spectrogram(
    y: np.ndarray | None = None, sr: float = 22050, ax=None, *, S_db: np.ndarray | None = None, n_fft: int = 2048,
    hop_length: int = 512, frequency_scale: str = "log", n_mels: int = 128, vmin: float | None = None,
    vmax: float | None = None, colorbar: bool = True, title: str | None = None, cmap: str = SPECTROGRAM_CMAP,
):
    """Draw a spectrogram in dB with a linear, log or mel frequency axis (lesson 02). Returns what it drew (an
    image for linear and log axes, specshow's ``QuadMesh`` for mel): give it to ``colorbar``.

    Give either ``y`` (``(n,)`` float mono) or a precomputed ``S_db`` from :func:`helpers.analysis.spectrogram_db`
    made with the same ``n_fft``/``hop_length``/``frequency_scale``. ``hop_length`` (samples) is passed to librosa's
    ``specshow`` so the time axis is right. The colour range defaults to the 80 dB below the loudest cell; pass
    ``vmin``/``vmax`` (dB) to share one colour scale between several plots.
    """
    __tracebackhide__ = True
    import librosa.display

    sr = require_sample_rate(sr, allow_none=False)
    n_fft = require_whole_number(n_fft, "n_fft", minimum=2)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    frequency_scale = require_choice(frequency_scale, "frequency_scale", ("linear", "log", "mel"))
    vmin = None if vmin is None else require_number(vmin, "vmin", example="-80", unit=" dB")
    vmax = None if vmax is None else require_number(vmax, "vmax", example="0", unit=" dB")
    if vmin is not None and vmax is not None and vmin >= vmax:
        raise AudioInputError(f"vmin ({vmin:g} dB) must be below vmax ({vmax:g} dB), e.g. vmin=-80, vmax=0.")
    colorbar = require_flag(colorbar, "colorbar")
    require_colormap(cmap, "cmap", example="'magma' or 'cividis'")
    require_axes(ax)
    if S_db is None:
        if y is None:
            raise TypeError("plot_spectrogram needs y (samples) or S_db (a spectrogram in dB).")
        S_db = spectrogram_db(y, sr, n_fft=n_fft, hop_length=hop_length, frequency_scale=frequency_scale,
                              n_mels=n_mels)
    elif not isinstance(S_db, np.ndarray) or S_db.ndim != 2 or S_db.size == 0 or S_db.dtype.kind not in "iuf":
        shape = f"shape {S_db.shape}" if isinstance(S_db, np.ndarray) else type(S_db).__name__
        raise AudioInputError(f"S_db must be a 2-D array (frequency bins, frames) from spectrogram_db(y, sr); not "
                              f"{shape}.")
    else:
        require_finite(S_db, what="S_db")
    ax = _new_axes(ax, figsize=(9, 3.5))
    if vmax is None:
        vmax = float(S_db.max())
    if vmin is None:
        vmin = vmax - 80
    if vmin >= vmax:
        raise AudioInputError(f"vmin ({vmin:g} dB) must be below vmax ({vmax:g} dB, the loudest cell unless given): "
                              "e.g. vmin=vmax - 80.")
    if frequency_scale != "mel" and S_db.shape[0] != 1 + n_fft // 2:
        raise AudioInputError(f"S_db has {S_db.shape[0]} frequency bins, but n_fft={n_fft} gives {1 + n_fft // 2}: "
                              f"pass the n_fft it was computed with (n_fft = 2 * (bins - 1) = "
                              f"{2 * (S_db.shape[0] - 1)}).")
    if frequency_scale != "mel" and min(S_db.shape) >= 2:
        mesh = _spectrogram_image(ax, S_db, sr=sr, n_fft=n_fft, hop_length=hop_length,
                                  frequency_scale=frequency_scale, cmap=cmap, vmin=vmin, vmax=vmax)
    else:
        mesh = librosa.display.specshow(
            S_db, sr=sr, hop_length=hop_length, n_fft=n_fft, x_axis="time", y_axis=frequency_scale, ax=ax,
            cmap=cmap, vmin=vmin, vmax=vmax, fmax=sr / 2 if frequency_scale == "mel" else None,
        )
        if frequency_scale != "mel":
            mesh = _as_image(ax, mesh)
    ax.set_xlabel(TIME_LABEL)
    ax.set_ylabel(f"Frequency (Hz, {frequency_scale} scale)")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=SPECTROGRAM_DB_LABEL, format="%+.0f")
    return mesh


def _cell_edges(centres: np.ndarray) -> np.ndarray:
    """``(n + 1,)`` edges of ``n >= 2`` cells centred on ``centres``, as matplotlib's ``pcolormesh`` makes them for
    specshow (``shading='auto'`` with one coordinate per cell): halfway between neighbours, half a step beyond each
    end. The same arithmetic, so the same floating-point numbers."""
    half = np.diff(centres) * 0.5
    return np.concatenate([centres[:1] - half[:1], centres[:-1] + half, centres[-1:] + half[-1:]])


def _spectrogram_image(ax, S_db, *, sr, n_fft, hop_length, frequency_scale, cmap, vmin, vmax):
    """A linear- or log-frequency spectrogram ``S_db`` (``(1 + n_fft // 2, n_frames)``, both at least 2) drawn as an
    image whose cells have exactly the edges of specshow's ``QuadMesh``: the same pixels as specshow, in about a third
    of the time. specshow still sets up the axes (scale, ticks, tick labels, limits), from a single cell spanning the
    same extent, which it draws at once; building its mesh of a 30 s clip's 1.3 million cells took 0.24 s per
    spectrogram, and :func:`_as_image` then threw that mesh away."""
    import librosa
    import librosa.display

    y_edges = _cell_edges(librosa.fft_frequencies(sr=sr, n_fft=n_fft))  # specshow's bin centres, then edges
    x_edges = _cell_edges(librosa.frames_to_time(np.arange(S_db.shape[1]), sr=sr, hop_length=hop_length))
    frame = librosa.display.specshow(np.full((1, 1), vmin), x_coords=x_edges[[0, -1]], y_coords=y_edges[[0, -1]],
                                     sr=sr, hop_length=hop_length, n_fft=n_fft, x_axis="time",
                                     y_axis=frequency_scale, ax=ax, cmap=cmap, vmin=vmin, vmax=vmax)
    image = ax.pcolorfast(x_edges, y_edges, S_db, cmap=frame.get_cmap(), norm=frame.norm)
    frame.remove()
    return _pick_cells_then_colour(image)


def _pick_cells_then_colour(image):
    """Let matplotlib pick the cell each pixel shows before colouring it (``interpolation_stage="data"``), for an
    image drawn with ``"nearest"`` interpolation: the same pixels, since picking one cell and looking up its colour
    give the same result in either order. Shrinking an image (a 30 s spectrogram's 1025 x 1292 cells into a few
    hundred pixels), matplotlib otherwise colours every cell of the whole array first and then picks among the
    colours ("rgba", its choice when shrinking): about 20 ms more per spectrogram (117 -> 96 ms to draw a figure of
    one; tests/test_plotting.py compares the pixels). Returns ``image``."""
    if image.get_interpolation() == "nearest":
        image.set_interpolation_stage("data")
    return image


def _as_image(ax, mesh):
    """Redraw specshow's ``QuadMesh`` of a linear or log frequency axis as an image with the same cell edges
    (``ax.pcolorfast``): the same pixels, drawn in less than half the time (0.35 s -> 0.14 s for a 30 s clip), which
    adds up in a lesson with many spectrograms. specshow keeps setting up the axes, ticks and labels. (On a mel axis
    the cells are not evenly spaced in Hz and an image would be wrong there; its 128 rows draw fast anyway.)"""
    # (Used only for a spectrogram of a single frame or bin; every other one goes through _spectrogram_image.)
    coordinates = mesh.get_coordinates()
    x_edges, y_edges = coordinates[0, :, 0], coordinates[:, 0, 1]
    values = np.asarray(mesh.get_array()).reshape(len(y_edges) - 1, len(x_edges) - 1)
    image = ax.pcolorfast(x_edges, y_edges, values, cmap=mesh.get_cmap(), norm=mesh.norm)
    mesh.remove()
    return _pick_cells_then_colour(image)


def plot_feature_curve(
    values: np.ndarray, sr: float, hop_length: int, ax=None, label: str | None = None, color: str | None = None,
    ylabel: str | None = None, title: str | None = None, start_s: float = 0.0,
):
    """Draw a frame-wise feature against time, aligned with a waveform or spectrogram of the same clip (lesson 01).

    ``values``: ``(n_frames,)`` (e.g. RMS or spectral centroid) computed with centred frames of hop ``hop_length``
    samples, so frame ``k`` sits at ``start_s + k * hop_length / sr`` seconds. To overlay on a waveform, pass
    ``ax=waveform_ax.twinx()``; on a spectrogram in Hz, pass the spectrogram's ``ax``. Returns the ``Line2D``.
    """
    __tracebackhide__ = True
    array = np.asarray(values) if isinstance(values, (list, tuple, np.ndarray)) else None
    if array is None or array.dtype.kind not in "iuf" or array.size == 0 or array.ndim > 2 \
            or array.ndim == 2 and array.shape[0] != 1:
        shape = f"shape {array.shape}" if array is not None and array.dtype.kind in "iuf" else type(values).__name__
        raise AudioInputError(f"values must be one feature curve, a non-empty array of shape (n_frames,) or "
                              f"(1, n_frames) such as librosa.feature.rms(y=y)[0]; not {shape}. For several curves "
                              "(e.g. MFCCs) plot one row at a time: values[k].")
    values = array.reshape(-1)
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    start_s = require_number(start_s, "start_s", example="12", unit=" s")
    _require_color(color)
    ax = _new_axes(ax)
    times = start_s + np.arange(values.size) * hop_length / sr
    (line,) = ax.plot(times, values, color=color or CLIP_COLORS[1], linewidth=1.5, label=label)
    ax.set_xlabel(TIME_LABEL)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if label:
        ax.legend(loc="upper right")
    return line


def _require_color(color) -> None:
    __tracebackhide__ = True
    from matplotlib.colors import is_color_like

    if color is not None and not is_color_like(color):
        raise AudioInputError(f"color must be a matplotlib colour such as 'C1', 'black' or '#D55E00', not {color!r}.")


def _as_clip_dict(clips) -> dict[str, tuple[np.ndarray, float]]:
    __tracebackhide__ = True
    if isinstance(clips, Mapping):
        for name, clip in clips.items():
            if not (isinstance(clip, tuple) and len(clip) == 2):
                raise AudioInputError(f"Clip {name!r} should be a pair (y, sr), e.g. {{'{name}': load_sample('pop')}}; "
                                      f"not {type(clip).__name__}.")
        return dict(clips)
    if isinstance(clips, str):
        clips = [clips]
    if not isinstance(clips, Sequence):
        raise AudioInputError(f"clips must be a list of sample names such as ['pop', 'edm'], or a dict "
                              f"{{name: (y, sr)}}; not {type(clips).__name__}.")
    for name in clips:
        require_text(name, "each clip name", example="'pop'")
    from .samples import load_sample_cached

    return {name: load_sample_cached(name) for name in clips}


def compare_clips(
    clips: Mapping[str, tuple[np.ndarray, float]] | Sequence[str], kind: str = "waveform", axes=None, *,
    frequency_scale: str = "log", n_fft: int = 2048, hop_length: int = 512, colorbar: bool = True,
):
    """Several clips side by side, one row each, on shared time and value axes and one colour scale (lesson 01).

    ``clips``: ``{name: (y, sr)}`` or a list of bundled sample ids. ``kind``: ``'waveform'`` or ``'spectrogram'``.
    ``axes``: a sequence of as many axes as clips (created, with shared axes, if None). Spectrograms share one
    colour range (the loudest cell of all clips down to 80 dB below it) so that colours mean the same level in
    every row. Returns the list of artists drawn, one per clip (``artist.axes`` gives its axes).
    """
    __tracebackhide__ = True
    kind = require_choice(kind, "kind", ("waveform", "spectrogram"))
    frequency_scale = require_choice(frequency_scale, "frequency_scale", ("linear", "log", "mel"))
    n_fft = require_whole_number(n_fft, "n_fft", minimum=2)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    colorbar = require_flag(colorbar, "colorbar")
    clip_dict = _as_clip_dict(clips)
    if not clip_dict:
        raise AudioInputError("compare_clips needs at least one clip: a list of sample names such as "
                              "['pop', 'edm'], or a dict {name: (y, sr)}.")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(len(clip_dict), 1, figsize=(9, 1.9 * len(clip_dict) + 0.6), sharex=True,
                               sharey=True, layout="constrained", squeeze=False)
        axes = axes[:, 0]
    if isinstance(axes, str) or not hasattr(axes, "__len__"):
        raise AudioInputError(f"axes must be a list of matplotlib Axes, one per clip (e.g. from "
                              f"plt.subplots({len(clip_dict)}, 1)); not {type(axes).__name__}.")
    if len(axes) != len(clip_dict):
        raise AudioInputError(f"Got {len(axes)} axes for {len(clip_dict)} clips; give one axes per clip.")
    for index, ax in enumerate(axes):
        require_axes(ax, f"axes[{index}]")
    artists = []
    if kind == "waveform":
        for index, ((name, (y, sr)), ax) in enumerate(zip(clip_dict.items(), axes)):
            artists.append(plot_waveform(y, sr, ax=ax, color=CLIP_COLORS[index % len(CLIP_COLORS)]))
            ax.set_title(name, loc="left", fontsize="medium")
            ax.set_ylim(-1, 1)
            ax.label_outer()
        return artists
    spectrograms = {
        name: spectrogram_db(y, sr, n_fft=n_fft, hop_length=hop_length, frequency_scale=frequency_scale)
        for name, (y, sr) in clip_dict.items()
    }
    vmax = max(float(S.max()) for S in spectrograms.values())
    for (name, (y, sr)), ax in zip(clip_dict.items(), axes):
        artists.append(plot_spectrogram(S_db=spectrograms[name], sr=sr, ax=ax, n_fft=n_fft, hop_length=hop_length,
                                        frequency_scale=frequency_scale, vmin=vmax - 80, vmax=vmax, colorbar=False))
        ax.set_title(name, loc="left", fontsize="medium")
        ax.label_outer()
    if colorbar:
        axes[0].figure.colorbar(artists[0], ax=list(axes), label=SPECTROGRAM_DB_LABEL, format="%+.0f")
    return artists


def _frame_extent(n_frames: int, sr: float, hop_length: int, start_s: float) -> tuple[float, float]:
    """Left and right edges (s) of ``n_frames`` centred frames drawn as cells: frame k is centred at k * hop / sr."""
    hop_s = hop_length / sr
    return start_s - 0.5 * hop_s, start_s + (n_frames - 0.5) * hop_s


def plot_chroma(
    chroma: np.ndarray, sr: float = 22050, hop_length: int = 512, ax=None, *, title: str | None = None,
    colorbar: bool = True, cmap: str = "cividis", value_label: str = "Chroma (1 = the frame's strongest)",
    start_s: float = 0.0,
):
    """Draw a chromagram: one row per pitch class, C at the bottom, against time (lesson 09). Returns the image.

    ``chroma``: ``(12, n_frames)``, not negative, frame ``k`` centred at ``start_s + k * hop_length / sr`` seconds
    (``librosa.feature.chroma_stft`` or ``chroma_cqt``, normalised so each frame's largest value is 1, or raw
    energies: then say so in ``value_label``). The colour scale runs from 0 to the largest value.
    """
    __tracebackhide__ = True

    values = np.asarray(chroma) if isinstance(chroma, np.ndarray) else None
    if values is None or values.ndim != 2 or values.shape[0] != 12 or values.shape[1] == 0 \
            or values.dtype.kind not in "iuf":
        shape = f"shape {values.shape}" if values is not None else type(chroma).__name__
        raise AudioInputError(f"chroma must be a (12, n_frames) array such as librosa.feature.chroma_cqt(y=y, sr=sr); "
                              f"not {shape}.")
    require_finite(values, what="chroma")
    if (values < 0).any():
        raise AudioInputError("chroma must hold energies >= 0; a negative value means it is not a chromagram.")
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    start_s = require_number(start_s, "start_s", example="12", unit=" s")
    colorbar = require_flag(colorbar, "colorbar")
    value_label = require_text(value_label, "value_label", example="'Chroma (1 = the frame's strongest)'")
    require_colormap(cmap, "cmap", example="'cividis'")
    require_axes(ax)
    from .pitch import PITCH_CLASSES

    ax = _new_axes(ax, figsize=(9, 2.6))
    left, right = _frame_extent(values.shape[1], sr, hop_length, start_s)
    image = _pick_cells_then_colour(ax.imshow(values, origin="lower", aspect="auto", interpolation="nearest", cmap=cmap,
                                              vmin=0, vmax=float(values.max()) or 1.0,
                                              extent=(left, right, -0.5, 11.5)))
    ax.set_yticks(range(12), PITCH_CLASSES)
    ax.set_xlabel(TIME_LABEL)
    ax.set_ylabel("Pitch class")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=value_label)
    return image


def plot_cqt(
    level_db: np.ndarray, sr: float = 22050, hop_length: int = 512, bins_per_octave: int = 36, ax=None, *,
    fmin_note: str = "C1", vmin: float | None = None, vmax: float | None = None, title: str | None = None,
    colorbar: bool = True, cmap: str = SPECTROGRAM_CMAP, start_s: float = 0.0,
):
    """Draw a constant-Q transform in dB: one row per bin, evenly spaced in log frequency, labelled at every C
    (lesson 09). Returns the image.

    ``level_db``: ``(n_bins, n_frames)`` in dB (e.g. :func:`helpers.pitch.cqt_level_db`, 0 dB = a full-scale
    sine), bin ``k`` at ``fmin * 2 ** (k / bins_per_octave)`` where ``fmin`` is the note ``fmin_note`` (a C, so
    that the labelled rows are whole octaves above it); frame ``k`` centred at ``start_s + k * hop_length / sr``.
    The colour range defaults to the 80 dB below the loudest cell.
    """
    __tracebackhide__ = True
    import librosa

    values = np.asarray(level_db) if isinstance(level_db, np.ndarray) else None
    if values is None or values.ndim != 2 or values.size == 0 or values.dtype.kind not in "iuf":
        shape = f"shape {values.shape}" if values is not None else type(level_db).__name__
        raise AudioInputError(f"level_db must be a 2-D array (bins, frames) in dB, such as cqt_level_db(magnitude, "
                              f"lengths); not {shape}.")
    require_finite(values, what="level_db")
    sr = require_sample_rate(sr, allow_none=False)
    hop_length = require_whole_number(hop_length, "hop_length", example="512")
    bins_per_octave = require_whole_number(bins_per_octave, "bins_per_octave", maximum=120, example="36",
                                           unit=" bins")
    start_s = require_number(start_s, "start_s", example="12", unit=" s")
    if not (isinstance(fmin_note, str) and fmin_note.strip()[:1].upper() == "C" and fmin_note.strip()[-1:].isdigit()
            and fmin_note.strip()[1:2] not in ("#", "♯", "b", "♭")):
        raise AudioInputError(f"fmin_note must name the C the transform starts on, such as 'C1' or 'C2'; not "
                              f"{fmin_note!r}.")
    vmax = float(values.max()) if vmax is None else require_number(vmax, "vmax", example="0", unit=" dB")
    vmin = vmax - 80 if vmin is None else require_number(vmin, "vmin", example="-80", unit=" dB")
    if vmin >= vmax:
        raise AudioInputError(f"vmin ({vmin:g} dB) must be below vmax ({vmax:g} dB), e.g. vmin=-80, vmax=0.")
    colorbar = require_flag(colorbar, "colorbar")
    require_colormap(cmap, "cmap", example="'magma'")
    require_axes(ax)
    ax = _new_axes(ax, figsize=(9, 3.5))
    left, right = _frame_extent(values.shape[1], sr, hop_length, start_s)
    n_bins = values.shape[0]
    image = _pick_cells_then_colour(ax.imshow(values, origin="lower", aspect="auto", interpolation="nearest", cmap=cmap,
                                              vmin=vmin, vmax=vmax, extent=(left, right, -0.5, n_bins - 0.5)))
    first_octave = int(fmin_note.strip()[1:])
    fmin_hz = float(librosa.note_to_hz(fmin_note.strip()))
    ticks = list(range(0, n_bins, bins_per_octave))
    ax.set_yticks(ticks, [f"C{first_octave + k // bins_per_octave}\n{fmin_hz * 2 ** (k / bins_per_octave):.0f} Hz"
                          for k in ticks], fontsize="small")
    ax.set_xlabel(TIME_LABEL)
    ax.set_ylabel(f"Note and frequency\n(log scale, {bins_per_octave} bins per octave)")
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=SPECTROGRAM_DB_LABEL, format="%+.0f")
    return image
