"""Automatic checks for the lessons' exercises.

Each ``check_...`` function compares a student's answer with a value it computes itself from the same inputs, and
returns a :class:`CheckResult`: it shows a green "correct" or, for a wrong answer, names the typical mistake it
recognises (samples instead of seconds, a forgotten square root, frames not centred, ...). An answer still set to
``None`` is reported as "not answered yet", never as an error, so a notebook always runs top to bottom.

One module per lesson group; everything is re-exported here, so ``from helpers.checks import check_rms`` works.
"""

from .basics import (check_amplitude_envelope_function, check_duration, check_frame_count, check_rms,
                     check_sample_count)
from .core import CheckResult
