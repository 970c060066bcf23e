"""One BLAS thread per notebook kernel: the course's small matrix products, fast on a shared machine.

NumPy and SciPy hand matrix products, SVDs and least-squares fits to OpenBLAS, which by default runs one thread per
core and makes the first one wait for the others. The course's matrices are small (a 128 x 1025 mel filterbank
against a few hundred frames, a classifier's 36 weights per class), and a class runs many kernels on few cores.
Measured on the course's 2-core test machine while other programs kept it busy: the mel filterbank's product with
130 frames took 28 ms with OpenBLAS's threads waiting for a free core and 0.4 ms on one thread; lesson 05 ran in
5.2 s of CPU time instead of 10.6 s, lesson 07 in 9.0 s instead of 16.4 s, and every number lessons 01-07 print
stayed the same (but those of lesson 05's Griffin-Lim reconstructions, which start from random phases and differ
from run to run either way). On an idle machine the two take about the same time. The collection pipeline of
lesson 08 limits itself the same way, per file.

:func:`use_one_blas_thread_in_notebooks` runs when ``helpers`` is imported; it does nothing outside a Jupyter
kernel, so scripts and tests keep NumPy's defaults.
"""

from __future__ import annotations


def use_one_blas_thread_in_notebooks():
    """In a Jupyter kernel, limit NumPy's and SciPy's BLAS libraries to one thread each for the rest of the session.

    Returns threadpoolctl's limiter (``.restore_original_limits()`` undoes it), or None when not in a kernel or when
    threadpoolctl (installed with scikit-learn) is missing.
    """
    from .notebook_kernel import kernel_shell

    if kernel_shell() is None:  # a terminal IPython or plain Python: left alone
        return None
    try:
        import scipy.linalg  # noqa: F401 - loads SciPy's own BLAS now, so that the limit covers it too
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - both come with the course's environment
        return None
    return threadpool_limits(limits=1, user_api="blas")
