"""What importing ``helpers`` sets up in a notebook kernel, and leaves alone elsewhere: one BLAS thread
(helpers/threads.py), figures shown at the size they were made and drawn once (helpers.plotting), and the objects
made at start-up left out of garbage collections (helpers/startup_objects.py)."""

import base64
import gc
import json
import types
from pathlib import Path

import IPython
import nbformat
import pytest
from nbclient import NotebookClient

threadpoolctl = pytest.importorskip("threadpoolctl")

from helpers.plotting import show_notebook_figures_at_their_own_size  # noqa: E402
from helpers.startup_objects import freeze_startup_objects_in_notebooks  # noqa: E402
from helpers.threads import use_one_blas_thread_in_notebooks  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _blas_pools():
    return [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]


def test_outside_a_kernel_nothing_is_changed(monkeypatch):
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        for shell in (None, types.SimpleNamespace(kernel=None)):  # plain Python, a terminal IPython
            monkeypatch.setattr(IPython, "get_ipython", lambda shell=shell: shell)
            assert use_one_blas_thread_in_notebooks() is None
            assert show_notebook_figures_at_their_own_size() is None
            frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
            assert freeze_startup_objects_in_notebooks() is None
            assert gc.get_freeze_count() == frozen and gc.get_threshold() == thresholds
        assert all(pool["num_threads"] == 2 for pool in _blas_pools())


def test_in_a_kernel_numpy_and_scipy_use_one_blas_thread(monkeypatch):
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core machine, whatever this one is
        monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
        limiter = use_one_blas_thread_in_notebooks()
        try:
            import scipy.linalg  # noqa: F401 - its BLAS is loaded by now: it must be among the limited ones

            pools = _blas_pools()
            assert pools and all(pool["num_threads"] == 1 for pool in pools), pools
        finally:
            limiter.restore_original_limits()
        assert all(pool["num_threads"] == 2 for pool in _blas_pools())


def test_a_lesson_kernel_gets_both_settings_and_figures_keep_their_size():
    """In a real kernel, as a lesson starts: pyplot first (the inline backend), then helpers."""
    source = """\
%matplotlib inline
import io, json
import matplotlib.pyplot as plt, threadpoolctl
from matplotlib_inline.config import InlineBackend
import helpers
import base64, gc, sys, weakref
frozen = gc.get_freeze_count()
class Node: pass
cycles = []  # objects in reference cycles made after the import must still be collected
for _ in range(1000):
    node = Node(); node.me = node; cycles.append(weakref.ref(node))
del node
gc.collect()
collected = sum(ref() is None for ref in cycles)
fig, ax = plt.subplots(figsize=(4, 2), layout="constrained")
ax.plot([0, 1], [0, 1]); ax.set_xlabel("Time (s)"); ax.set_title("a title")
png = base64.b64decode(get_ipython().display_formatter.format(fig)[0]["image/png"])  # as the notebook shows it
print(json.dumps({"kwargs": InlineBackend.instance().print_figure_kwargs, "png": png[16:24].hex(),
                  "threads": [pool["num_threads"] for pool in threadpoolctl.threadpool_info()
                              if pool["user_api"] == "blas"],
                  "frozen": frozen, "scipy_signal": "scipy.signal" in sys.modules, "collected": collected,
                  "thresholds": gc.get_threshold()}))
"""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source)]
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    printed = json.loads("".join(output.get("text", "") for output in notebook.cells[0].outputs).splitlines()[-1])
    assert printed["kwargs"]["bbox_inches"] is None
    width, height = int(printed["png"][:8], 16), int(printed["png"][8:], 16)  # the PNG header's size, in pixels
    assert (width, height) == (400, 200), "the figure is shown at its own size (4 x 2 inches at 100 dpi), not cropped"
    assert printed["threads"] and set(printed["threads"]) == {1}
    assert printed["frozen"] > 50_000, "the libraries' objects (about 150,000) are out of the garbage collector's way"
    assert printed["scipy_signal"], "scipy.signal (imported by librosa's first STFT) is imported and frozen too"
    assert printed["collected"] == 1000, "objects made after the import are collected as before"
    default_youngest, default_middle, default_full = gc.get_threshold()  # this test process keeps Python's defaults
    assert printed["thresholds"] == [default_youngest, default_middle, 100] and default_full < 100, \
        "young generations as usual, full collections rarer"


def test_a_figure_drawn_once_has_the_same_pixels():
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from IPython.core.pylabtools import print_figure
    from PIL import Image

    import helpers
    from helpers.plotting import _png_drawn_once

    y = helpers.chirp(start_hz=100, end_hz=8000, duration_s=2.0)
    # opaque, as every figure of the course (compare_clips's 1.9 * 2 + 0.6 inches at 100 dpi: 439.99999999999994
    # pixels, drawn as 440); and transparent
    for facecolor, figsize in (("white", (6, 4)), ("white", (6, 1.9 * 2 + 0.6)), ("none", (6, 4))):
        pictures, modes, metadata = [], [], []
        for draw in (_png_drawn_once, lambda fig: print_figure(fig, fmt="png", base64=True, bbox_inches=None)):
            fig, (top, bottom) = plt.subplots(2, 1, figsize=figsize, layout="constrained", facecolor=facecolor)
            helpers.plot_spectrogram(y, 22050, ax=top, title="a chirp")  # an image with a colour bar
            helpers.plot_waveform(y, 22050, ax=bottom)
            fig.suptitle("drawn once, or laid out while drawn twice")
            png = Image.open(io.BytesIO(base64.b64decode(draw(fig))))
            pictures.append(np.asarray(png.convert("RGBA")))
            modes.append(png.mode)
            metadata.append((png.info.get("Software"), tuple(round(value) for value in png.info["dpi"])))
            assert fig.get_layout_engine() is not None  # given back after drawing
            plt.close(fig)
        assert pictures[0].shape == pictures[1].shape == (round(100 * figsize[1]), 600, 4)
        np.testing.assert_array_equal(pictures[0], pictures[1])
        assert metadata[0] == metadata[1] and "Matplotlib" in metadata[0][0] and metadata[0][1] == (100, 100)
        # without the alpha channel when every pixel is opaque (the same picture, smaller and sooner); kept otherwise
        assert modes == (["RGB", "RGBA"] if facecolor == "white" else ["RGBA", "RGBA"]), modes
        assert (pictures[0][..., 3] == 255).all() == (facecolor == "white")
