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
    if isinstance(value, bool) or type(value).__name__ == "bool_" or not isinstance(value, numbers.Real):
        raise AudioInputError(f"{name} must be a number{_of(unit)}, e.g. {name}={example}; not "
                              f"{value!r:.40} ({type(value).__name__}).") from None
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
    if rate != math.floor(rate):
        raise AudioInputError(f"{name} must be a whole number of samples per second such as 22050, not {rate:g}: "
                              f"write {name}={int(round(rate))}.") from None
    return int(rate)


def require_flag(value, name: str) -> bool:
    """``True`` or ``False`` (NumPy booleans too); anything else, such as ``"no"``, is refused."""
    __tracebackhide__ = True
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise AudioInputError(f"{name} must be True or False, not {value!r}: write {name}=True or {name}=False.") from None


def _of(unit: str) -> str:
    return {" s": " of seconds", " Hz": " in Hz"}.get(unit, "")


def require_whole_number(value, name: str, *, minimum: int | None = 1, maximum: int | None = None,
                         example: str = "2048", unit: str = " samples") -> int:
    """``value`` as an int if it is a whole number within the bounds (``2048.0`` is converted; ``2048.5``,
    ``"2048"``, ``True``, NaN and None are refused with a message that names ``name`` and the fix)."""
    __tracebackhide__ = True
    what = f"a whole number{' of' + unit if unit else ''}"
    if isinstance(value, str):
        raise AudioInputError(f"{name} must be {what} such as {example}, not {value!r} (a string): write "
                              f"{name}={value.strip() if _is_number_text(value) else example}.") from None
    if isinstance(value, bool) or type(value).__name__ == "bool_" or not isinstance(value, numbers.Real):
        raise AudioInputError(f"{name} must be {what} such as {example}, not {value!r} "
                              f"({type(value).__name__}): write {name}={example}.") from None
    if not math.isfinite(value) or value != math.floor(value):
        raise AudioInputError(f"{name} must be {what} such as {example}, not {value!r}: round it, e.g. "
                              f"{name}=int(round({name})).") from None
    value = int(value)
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        bounds = " and ".join(part for part in (f"at least {minimum}" if minimum is not None else "",
                                                f"at most {maximum}" if maximum is not None else "") if part)
        raise AudioInputError(f"{name} must be {bounds}{unit}; not {value}{unit}.") from None
    return value


def require_hop(hop_length: int, frame_length: int, hop_name: str = "hop_length",
                frame_name: str = "frame_length") -> None:
    """A hop longer than the frame leaves samples out of every analysis: refused, naming both arguments."""
    __tracebackhide__ = True
    if hop_length > frame_length:
        raise AudioInputError(
            f"{hop_name}={hop_length} is longer than {frame_name}={frame_length}: the samples between frames would "
            f"never be analysed. Use {hop_name} <= {frame_name}, e.g. {hop_name}={frame_name} // 4 "
            f"(= {max(1, frame_length // 4)}), or swap them if you meant {frame_name}={hop_length}.") from None


def require_choice(value, name: str, choices):
    """``value`` if it is one of ``choices`` (numbers compare by value); otherwise an error listing the choices and
    suggesting the closest one for a near miss (``'Log'`` -> ``'log'``, ``'spectral_centriod'``)."""
    __tracebackhide__ = True
    choices = tuple(choices)
    numeric = all(isinstance(choice, numbers.Real) and not isinstance(choice, bool) for choice in choices)
    for choice in choices:
        if numeric:
            if isinstance(value, numbers.Real) and not isinstance(value, bool) and type(value).__name__ != "bool_" \
                    and math.isfinite(value) and abs(value - choice) < 1e-9:
                return choice
        elif isinstance(value, str) and value == choice:
            return choice
    shown = ", ".join(repr(choice) for choice in choices)
    hint = ""
    if isinstance(value, str):
        if numeric and _is_number_text(value):
            hint = f" Write {name}={value.strip()} (a number, not text)."
        else:
            hint = near_miss(value, choices)
    raise AudioInputError(f"{name} must be one of {shown}; not {value!r}.{hint}") from None


def require_colormap(value, name: str = "cmap", example: str = "'magma'") -> str:
    """``value`` if it names a matplotlib colour map; otherwise an error with an example and, for a near miss, the
    name it resembles (``'magmaa'`` -> ``'magma'``)."""
    __tracebackhide__ = True
    from matplotlib import colormaps

    if not (isinstance(value, str) and value in colormaps):
        raise AudioInputError(f"{name} must be the name of a matplotlib colour map such as {example}, not "
                              f"{value!r}.{near_miss(value, list(colormaps))}")
    return value


def near_miss(value, choices) -> str:
    """`` Did you mean 'log'?`` for a text ``value`` close to one of ``choices`` (case and spaces ignored); else ``''``."""
    import difflib

    if not isinstance(value, str):
        return ""
    texts = [str(choice) for choice in choices]
    lowered = [text.lower() for text in texts]
    wanted = value.strip().lower().replace(" ", "_")
    close = difflib.get_close_matches(wanted, lowered, n=1, cutoff=0.6)
    return f" Did you mean {texts[lowered.index(close[0])]!r}?" if close else ""


def require_axes(ax, name: str = "ax"):
    """``ax`` if it is None or one matplotlib Axes (``fig, ax = plt.subplots()``); otherwise a clear error."""
    __tracebackhide__ = True
    if ax is None:
        return None
    from matplotlib.axes import Axes

    if isinstance(ax, Axes):
        return ax
    kind = type(ax).__name__
    hint = (" That is a whole figure: pass one of its axes, e.g. fig.axes[0] or fig, ax = plt.subplots()."
            if kind == "Figure" else
            " That holds several axes: pass one of them, e.g. axes[0]." if hasattr(ax, "__len__")
            and not isinstance(ax, str) else " Make one with fig, ax = plt.subplots().")
    raise AudioInputError(f"{name} must be a matplotlib Axes, not {kind} ({ax!r:.40}).{hint}") from None


def require_text(value, name: str, example: str = "'my song'", allow_none: bool = False) -> str | None:
    """``value`` if it is a string (or None when allowed); otherwise a clear error."""
    __tracebackhide__ = True
    if value is None and allow_none or isinstance(value, str):
        return value
    raise AudioInputError(f"{name} must be text such as {example}, not {type(value).__name__} ({value!r:.40}).") \
        from None


def _is_number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
