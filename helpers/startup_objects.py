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

The objects made *after* the import by librosa's lazily imported parts, numba's type registries (loaded on the
first compiled function a lesson calls) and matplotlib (about 120,000 more, measured at the end of lessons 02, 05 and
07) are not frozen, and Python 3.12 still ran a full collection after every 10 collections of its middle
generation: four or five per lesson, 0.31-0.43 s of CPU in lessons 02, 05 and 07 (``gc.callbacks``). In a kernel,
:data:`FULL_COLLECTION_EVERY` makes that every 100 middle collections: in lessons 02, 03 and 06 none ran after the
import cell (the two left run while it imports, as in any kernel), and peak memory grew by at most 7 MB in lessons
02, 05 and 07 (480 -> 485 MB in lesson 02). The young generations are
collected as before, so reference cycles (closed figures) are still freed; the rare cycle that lives long enough to
reach the oldest generation waits longer for its collection.

It runs when ``helpers`` is imported; it does nothing outside a Jupyter kernel, so scripts and tests keep Python's
defaults.
"""

from __future__ import annotations

import gc

#: In a notebook kernel: a full collection after every this many collections of the middle generation (Python's
#: default is 10; see the module's docstring).
FULL_COLLECTION_EVERY = 100


def freeze_startup_objects_in_notebooks() -> int | None:
    """In a Jupyter kernel, leave the objects that exist now out of every later garbage collection (``gc.freeze()``)
    and run a full collection less often (:data:`FULL_COLLECTION_EVERY`).

    First imports ``scipy.signal`` (librosa imports it on a lesson's first STFT, for its window functions; with it
    come ``scipy.stats`` and much of SciPy, a third of the objects). No collection runs first (it would cost as much
    as the one it saves): the few cycles of garbage the imports left (about 20 objects) stay in memory for the
    kernel's life. Returns how many objects are frozen (``gc.get_freeze_count()``), or None outside a
    kernel (nothing changed). ``gc.unfreeze()`` and ``gc.set_threshold(700, 10, 10)`` undo it.
    """
    from .notebook_kernel import kernel_shell

    if kernel_shell() is None:  # a terminal IPython or plain Python: left alone
        return None
    try:
        import scipy.signal  # noqa: F401 - imported by librosa's first STFT anyway; its objects are frozen too
    except ImportError:  # pragma: no cover - SciPy comes with librosa
        pass
    gc.freeze()
    youngest, middle, _ = gc.get_threshold()
    gc.set_threshold(youngest, middle, FULL_COLLECTION_EVERY)
    return gc.get_freeze_count()
