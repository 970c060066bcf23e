"""Checks of the helpers' arguments at their entrance: a typo gets a message that names the argument and the fix.

A number typed as text (``sr="22050"``), NaN or infinity, a rate no audio has, ``mono="no"``: each is refused with
:class:`helpers.AudioInputError` before it can be compared, passed to a library, or silently do the wrong thing.
"""

from __future__ import annotations

import math
import numbers

from .errors import AudioInputError

#: Sampling rates the course accepts, in Hz: from telephone-grade 1 kHz to 384 kHz studio audio.
LOWEST_RATE_HZ, HIGHEST_RATE_HZ = 1000, 384000


def require_number(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
                   above: float | None = None, example: str = "1.5", unit: str = "") -> float:
    """``value`` as a float if it is a finite real number within the bounds; otherwise a clear error.

    ``minimum``/``maximum`` are inclusive bounds, ``above`` an exclusive lower bound; ``unit`` (e.g. ``" s"``) and
    ``example`` shape the message.
    """
    __tracebackhide__ = True
    if isinstance(value, str):
        raise AudioInputError(f"{name} must be a number{_of(unit)}, e.g. {name}={example}; not the text {value!r} "
                              "(remove the quotes).") from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise AudioInputError(f"{name} must be a number{_of(unit)}, e.g. {name}={example}; not "
                              f"{type(value).__name__}.") from None
    value = float(value)
    if not math.isfinite(value):
        raise AudioInputError(f"{name} must be a finite number{_of(unit)}, e.g. {name}={example}; not {value}.") from None
    if minimum is not None and value < minimum or above is not None and value <= above \
            or maximum is not None and value > maximum:
        bounds = [f"{'above' if above is not None else 'at least'} {above if above is not None else minimum:g}"
                  if minimum is not None or above is not None else "",
                  f"at most {maximum:g}" if maximum is not None else ""]
        raise AudioInputError(f"{name} must be {' and '.join(b for b in bounds if b)}{unit}; not {value:g}{unit}."
                              ) from None
    return value


def require_sample_rate(value, name: str = "sr", allow_none: bool = True) -> int | None:
    """A sampling rate in Hz between 1 kHz and 384 kHz (or None when allowed), as an int."""
    __tracebackhide__ = True
    if value is None and allow_none:
        return None
    rate = require_number(value, name, minimum=LOWEST_RATE_HZ, maximum=HIGHEST_RATE_HZ, example="22050",
                          unit=" Hz")
    return int(round(rate))


def require_flag(value, name: str) -> bool:
    """``True`` or ``False`` (NumPy booleans too); anything else, such as ``"no"``, is refused."""
    __tracebackhide__ = True
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise AudioInputError(f"{name} must be True or False, not {value!r}.") from None


def _of(unit: str) -> str:
    return {" s": " of seconds", " Hz": " in Hz"}.get(unit, "")
