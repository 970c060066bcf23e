"""A notebook kernel's garbage collector leaves the libraries' own objects alone: every lesson's cells run faster.

Python's cycle collector now and then walks through *every* object the kernel holds (a "full collection"). After
the imports every lesson makes (NumPy, SciPy, matplotlib, librosa, IPython's own), that is about 150,000 objects
(functions, classes, their dictionaries) that live as long as the kernel does, and each full collection took
60-80 ms on the course's 2-core test machine; a lesson triggers four or five of them, 0.25-0.45 s of CPU time spent
re-checking objects that are never garbage (lessons 02, 03 and 06, measured with ``gc.callbacks``; 0.2-0.25 s with
them frozen, imports included). :func:`freeze_startup_objects_in_notebooks` moves the objects that exist once
``helpers`` is imported into the collector's permanent generation (``gc.freeze()``, meant for long-lived objects
made at start-up); collections then look only at what the lesson's cells make. Nothing is computed in advance and
nothing is cached: each cell does the same work, and every printed number is the same. Objects made later (arrays,
figures) are collected as before.

It runs when ``helpers`` is imported; it does nothing outside a Jupyter kernel, so scripts and tests keep Python's
defaults.
"""

from __future__ import annotations

import gc


def freeze_startup_objects_in_notebooks() -> int | None:
    """In a Jupyter kernel, leave the objects that exist now out of every later garbage collection (``gc.freeze()``).

    First imports ``scipy.signal`` (librosa imports it on a lesson's first STFT, for its window functions; with it
    come ``scipy.stats`` and much of SciPy, a third of the objects). No collection runs first (it would cost as much
    as the one it saves): the few cycles of garbage the imports left (about 20 objects) stay in memory for the
    kernel's life. Returns how many objects are frozen (``gc.get_freeze_count()``), or None outside a
    kernel (nothing changed). ``gc.unfreeze()`` undoes it.
    """
    from .notebook_kernel import kernel_shell

    if kernel_shell() is None:  # a terminal IPython or plain Python: left alone
        return None
    try:
        import scipy.signal  # noqa: F401 - imported by librosa's first STFT anyway; its objects are frozen too
    except ImportError:  # pragma: no cover - SciPy comes with librosa
        pass
    gc.freeze()
    return gc.get_freeze_count()
