"""The one exception type the course helpers raise for bad input.

Every message says what went wrong *and what to do about it*, so a student never has to read a traceback from deep
inside soundfile or librosa. Because it subclasses ``ValueError``, ``except ValueError`` still catches it.
"""


class AudioInputError(ValueError):
    """Bad input to a course helper: a missing or unreadable file, an unknown sample, unusable audio.

    The message always ends with what to do next. Raised ``from None`` so that the notebook shows only this message,
    not the chain of library errors that led to it.
    """
