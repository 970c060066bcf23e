"""helpers.threads: one BLAS thread per notebook kernel, NumPy's defaults everywhere else."""

import types

import IPython
import pytest

threadpoolctl = pytest.importorskip("threadpoolctl")

from helpers.threads import use_one_blas_thread_in_notebooks  # noqa: E402


def _blas_pools():
    return [pool for pool in threadpoolctl.threadpool_info() if pool["user_api"] == "blas"]


def test_outside_a_kernel_the_threads_are_left_alone(monkeypatch):
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        monkeypatch.setattr(IPython, "get_ipython", lambda: None)  # plain Python
        assert use_one_blas_thread_in_notebooks() is None
        monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(kernel=None))  # terminal IPython
        assert use_one_blas_thread_in_notebooks() is None
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
