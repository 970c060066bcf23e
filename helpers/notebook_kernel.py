"""Is this code running in a Jupyter kernel? The kernel-only settings (helpers/threads.py, helpers/startup_objects.py,
helpers/plotting.py) ask here, so that a script, a test or a terminal IPython is left alone."""

from __future__ import annotations


def kernel_shell():
    """The IPython shell of the running Jupyter kernel, or None in a terminal IPython, plain Python or without
    IPython installed."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter install
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return shell
