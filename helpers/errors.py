"""The one exception type the course helpers raise for bad input.

Every message says what went wrong *and what to do about it*, so a student never has to read a traceback from deep
inside soundfile or librosa. Because it subclasses ``ValueError``, ``except ValueError`` still catches it.
"""


class AudioInputError(ValueError):
    """Bad input to a course helper: a missing or unreadable file, an unknown sample, unusable audio.

    The message always ends with what to do next. Raised ``from None`` so that the notebook shows only this message,
    not the chain of library errors that led to it.
    """


def show_messages_not_tracebacks() -> bool:
    """In a notebook, show an :class:`AudioInputError` as its message alone, not as a traceback through the
    helpers' code (the message already says what went wrong and what to do). The cell still counts as failed, as
    any error does. Called when ``helpers`` is imported; returns whether an IPython shell was found."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter install
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False

    def message_only(shell, error_type, error, _traceback, tb_offset=None):
        shell._showtraceback(error_type, error, [f"{error_type.__name__}: {error}"])

    shell.set_custom_exc((AudioInputError,), message_only)
    return True
