"""Test-suite set-up shared by the unit tests and the notebook runs (nbval).

- Blocks every non-loopback network connection, in this process and in every process it starts (notebook kernels
  included), through tests/network_guard/sitecustomize.py.
- Gives numba and matplotlib writable caches inside the repository; the test process itself draws with Agg.
"""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GUARD_DIR = Path(__file__).resolve().parent / "network_guard"

os.environ["COURSE_BLOCK_NETWORK"] = "1"
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD_DIR), os.environ.get("PYTHONPATH", "")]))
os.environ.setdefault("NUMBA_CACHE_DIR", str(REPO / ".cache" / "numba"))
os.environ.setdefault("MPLCONFIGDIR", str(REPO / ".cache" / "matplotlib"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # this process only: notebook kernels keep Jupyter's inline backend, so figures really render


def _load_network_guard():
    """Import tests/network_guard/sitecustomize.py under its own name (a 'sitecustomize' may already be loaded)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_network_guard", GUARD_DIR / "sitecustomize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


network_guard = _load_network_guard()
network_guard.install()


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every pyplot figure after each test so memory stays flat."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
