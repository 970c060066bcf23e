"""librosa's beat tracker with every compiled part in numba's cache: lesson 10 stops compiling one in every kernel.

librosa 1.0 compiles the parts of its beat tracker (``librosa.beat.beat_track``) with numba and keeps them in numba's
cache, all but one: ``__beat_local_score`` (the onset envelope smoothed by a Gaussian window one beat wide, step 1
of lesson 10's dynamic programme) is a gufunc marked ``cache=False``. So every kernel that tracked beats compiled it
again: 1.1 s of CPU time in the cell of lesson 10 that first calls ``beat_track``, which takes 0.1 s when run a
second time. :func:`cache_beat_local_score` puts back in ``librosa.beat`` the same Python function compiled the same
way, with ``cache=True``: the same machine code, so the same numbers (lesson 10 checks its own beat tracker against
librosa's, beat frame by beat frame). helpers/caches.py compiles it once per machine with librosa's other functions;
kernels load it.

:func:`install` runs when ``helpers`` is imported. It acts when ``librosa.beat`` is imported (at once if it already
is), so a lesson that tracks no beats does not import numba for it. If a later librosa caches the function itself,
or renames it, nothing is changed.
"""

from __future__ import annotations

import importlib.abc
import sys

MODULE = "librosa.beat"
FUNCTION = "__beat_local_score"


def cache_beat_local_score(beat_module) -> bool:
    """Replace ``beat_module.__beat_local_score`` (librosa 1.0's dynamic gufunc with ``cache=False``) by the same
    function and layout compiled with ``cache=True``. Returns whether it was replaced (False when the function is
    missing, already cached, or not a dynamic gufunc: nothing is changed then)."""
    gufunc = beat_module.__dict__.get(FUNCTION)
    builder = getattr(gufunc, "gufunc_builder", None)
    if builder is None or builder.cache or not getattr(gufunc, "is_dynamic", False):
        return False
    import numba

    compiled = numba.guvectorize(builder.signature, cache=True, **builder.targetoptions)(builder.py_func)
    setattr(beat_module, FUNCTION, compiled)
    return True


class _AfterImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``librosa.beat`` as the other finders do, and runs :func:`cache_beat_local_score` once it is loaded."""

    def find_spec(self, fullname, path, target=None):
        if fullname != MODULE:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                self._loader = spec.loader
                spec.loader = self
                return spec
        return None

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        module.__spec__.loader = module.__loader__ = self._loader
        self._loader.exec_module(module)
        cache_beat_local_score(module)


def install() -> None:
    """Make :func:`cache_beat_local_score` run on ``librosa.beat`` now if it is imported, else when it is."""
    if MODULE in sys.modules:
        cache_beat_local_score(sys.modules[MODULE])
    elif not any(isinstance(finder, _AfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport())
