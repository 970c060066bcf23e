"""What every exercise check shares: the result type and small comparison helpers.

Each ``check_...`` function compares a student's answer with a value it computes itself from the same inputs, and
returns a :class:`CheckResult`: it shows a green "correct" or, for a wrong answer, names the typical mistake it
recognises (samples instead of seconds, a forgotten square root, frames not centred, ...). An answer still set to
``None`` is reported as "not answered yet", never as an error, so a notebook always runs top to bottom.

One tolerance policy for every number a student gives as a single answer (:func:`_matches`, stated to the student
in every lesson's exercise introduction as :data:`ANSWER_POLICY`): it passes when it equals the expected value or the
expected value correctly rounded to 3 or more significant figures. Counts (samples, frames, segments, numbers) are
whole numbers and must be exact. A mistake is named only when the answer matches that mistake's own value under the
same rule; otherwise the message says the answer is not right and what kind of answer is wanted
(:func:`_not_right`, whose result has ``diagnosed = False``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np


class CheckResult:
    """Outcome of an exercise check: truthy when correct; shows as a coloured box in a notebook."""

    def __init__(self, status: str, message: str, diagnosed: bool = False):
        if status not in ("correct", "wrong", "unanswered"):
            raise ValueError(status)
        self.status = status
        self.message = message
        #: True when a wrong answer's message names a specific mistake (checked by computing that mistake's value)
        self.diagnosed = diagnosed

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    _STYLE = {"correct": ("#e6f4ea", "#1e7b34", "Correct"), "wrong": ("#fdecea", "#a1260d", "Not yet"),
              "unanswered": ("#eef3fb", "#1f4e8c", "Not answered yet")}

    def __repr__(self) -> str:
        return f"{self._STYLE[self.status][2]}: {self.message}"

    def _repr_html_(self) -> str:
        background, border, heading = self._STYLE[self.status]
        return (f'<div role="status" style="background:{background};border-left:4px solid {border};'
                f'padding:0.4em 0.8em;color:#111"><strong>{heading}:</strong> {html.escape(self.message)}</div>')


def _correct(message: str) -> CheckResult:
    return CheckResult("correct", message)


def _wrong(message: str) -> CheckResult:
    """A wrong answer whose mistake is named: use only when the answer matches that mistake (or a checked fact)."""
    return CheckResult("wrong", message, diagnosed=True)


def _not_right(message: str) -> CheckResult:
    """A wrong answer that matches no known mistake: say what kind of answer is wanted, name no mistake."""
    return CheckResult("wrong", message, diagnosed=False)


def _unanswered(hint: str) -> CheckResult:
    return CheckResult("unanswered", "replace None with your answer and run the cell again. Hint: " + hint)


ANSWER_POLICY = ("A number you give as an answer passes when it is exact or correctly rounded to at least 3 "
                 "significant figures (0.0619 for 0.061888); counts of samples, frames or segments must be exact.")
#: Relative difference still treated as "equal": float32 against float64 arithmetic, nothing more.
EQUAL_RTOL = 1e-5
#: The fewest significant figures an answer may be rounded to.
SIGNIFICANT_FIGURES = 3


def _describe(answer) -> str:
    """What the student gave, in words a beginner recognises: 'an array of 12 True/False values', 'a string'."""
    if answer is None:
        return "None"
    if isinstance(answer, (bool, np.bool_)):
        return f"{bool(answer)} (a True/False value, not a number)"
    if isinstance(answer, (str, bytes)):
        return f"a string ({answer!r:.40})"
    if isinstance(answer, dict):
        return "a dictionary"
    if callable(answer):
        return "a function"
    container = "a list" if isinstance(answer, list) else "a tuple" if isinstance(answer, tuple) else "an array"
    try:
        array = np.asarray(answer)
    except (TypeError, ValueError):
        return f"a {type(answer).__name__}"
    if array.dtype == bool:
        if array.ndim == 0:
            return f"{bool(array)} (a True/False value, not a number)"
        return f"{container} of {array.size} True/False values"
    if np.issubdtype(array.dtype, np.number):
        if array.ndim == 0:
            return "one number"
        if array.size == 0:
            return f"{container} with nothing in it"
        return f"{container} of {array.size} numbers" + (f" (shape {array.shape})" if array.ndim > 1 else "")
    return f"a {type(answer).__name__}"


def _as_number(answer) -> float | None:
    """The answer as one float, or None when it is not a single number (strings and True/False are not numbers)."""
    if isinstance(answer, (str, bytes, bool, np.bool_)):
        return None
    try:
        array = np.asarray(answer)
        if array.size != 1 or not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
            return None
        return float(array.reshape(-1)[0])
    except (TypeError, ValueError):
        return None


def _rounded(value: float, figures: int, mode=ROUND_HALF_UP) -> float:
    """``value`` rounded to ``figures`` significant figures, as a person would round its printed digits."""
    if value == 0 or not np.isfinite(value):
        return value
    digits = Decimal(repr(float(value)))
    exponent = digits.adjusted() - figures + 1
    return float(digits.quantize(Decimal(1).scaleb(exponent), rounding=mode))


def _matches(value: float, expected: float) -> bool:
    """The course's tolerance policy: ``value`` equals ``expected`` (to float32 precision) or ``expected`` correctly
    rounded to 3 or more significant figures (halves rounded up or to even: both are correct rounding)."""
    if not np.isfinite(value) or not np.isfinite(expected):
        return False
    if np.isclose(value, expected, rtol=EQUAL_RTOL, atol=1e-12):
        return True
    return any(np.isclose(value, _rounded(expected, figures, mode), rtol=1e-9, atol=0)
               for figures in range(SIGNIFICANT_FIGURES, 8) for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN))


def _rounding_mistake(value: float, expected: float) -> str | None:
    """A message when ``value`` is ``expected`` rounded to too few figures or cut off instead of rounded, else None."""
    if _matches(value, expected) or expected == 0:
        return None
    for figures in (1, 2):
        if any(value == _rounded(expected, figures, mode) for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN)):
            return (f"close, but rounded to fewer than {SIGNIFICANT_FIGURES} significant figures: keep at least "
                    f"{SIGNIFICANT_FIGURES}, correctly rounded (or don't round at all).")
    for figures in range(SIGNIFICANT_FIGURES, 8):
        if np.isclose(value, _rounded(expected, figures, ROUND_DOWN), rtol=1e-9, atol=0):
            return ("close, but the digits were cut off instead of rounded: round the last digit you keep "
                    "(2.71828 to 3 figures is 2.72, not 2.71), or don't round at all.")
    return None


def _call_student_function(function, *arguments, error_hint: Callable[[Exception], str] | None = None,
                           expect: str = "array"):
    """Run a student's function; return ``(numeric_array, None)`` or ``(None, CheckResult explaining why not)``.

    Test the second item with ``is not None``: a CheckResult for a wrong answer is falsy. ``error_hint(error)`` may
    add a sentence to the message when the student's code raises. ``expect``: ``"array"`` (one value per frame, ...)
    or ``"number"`` (one number).
    """
    if not callable(function):
        return None, CheckResult("wrong", f"pass the function itself (its name, without parentheses), not "
                                          f"{_describe(function)}.")
    try:
        result = function(*arguments)
    except Exception as error:  # the student's code failed: report it as feedback, not a crash
        hint = error_hint(error) if error_hint else ""
        return None, CheckResult("wrong", f"your function raised {type(error).__name__}: {error}{hint}")
    if result is None:
        return None, CheckResult("unanswered", "your function returned None: write its body, and don't forget "
                                               "the return statement.")
    wanted = "one number" if expect == "number" else "a NumPy array of numbers"
    try:
        array = np.asarray(result)
    except (TypeError, ValueError):
        array = None
    if (array is None or isinstance(result, (bool, np.bool_)) or array.dtype == bool
            or not np.issubdtype(array.dtype, np.number)):
        return None, CheckResult("wrong", f"your function should return {wanted}; it returned {_describe(result)}.")
    if expect == "array" and array.ndim == 0:
        return None, CheckResult("wrong", "your function should return an array (one value per frame or item); "
                                          "it returned a single number.")
    if expect == "number" and array.size != 1:
        return None, CheckResult("wrong", f"your function should return one number; it returned "
                                          f"{_describe(result)}.")
    return array, None


def _number_answer(answer, hint: str, not_a_number: str) -> tuple[float | None, CheckResult | None]:
    """The first steps of every numeric check: ``(value, None)``, or ``(None, feedback)`` when the answer is still
    None ("not answered yet", with ``hint``) or is not a single number (``not_a_number`` says what kind of number is
    wanted; the message adds what the student gave, e.g. 'an array of 1292 True/False values')."""
    if answer is None:
        return None, _unanswered(hint)
    value = _as_number(answer)
    if value is None:
        return None, _wrong(f"{not_a_number.rstrip('.')}; you gave {_describe(answer)}.")
    if not np.isfinite(value):
        return None, _wrong(f"{not_a_number.rstrip('.')}; you gave {value}, which is not a finite number.")
    return value, None


def _general_mistake(value: float, expected: float, unit: str | None = None) -> str | None:
    """The mistakes any single-number answer can make, checked after an exercise's own: the wrong unit (when
    ``unit`` is given, see :func:`_unit_mistake`), then too few figures (:func:`_rounding_mistake`). None if neither."""
    return (unit and _unit_mistake(value, expected, unit)) or _rounding_mistake(value, expected)


def _unit_mistake(value: float, expected: float, unit: str) -> str | None:
    """A message when ``value`` is ``expected`` in the wrong unit (kHz for Hz, ms or minutes for s, dB for a linear
    amplitude, a percentage for a fraction), else None. ``unit``: 'Hz', 's', 'linear' or 'fraction'."""
    scalings = {
        "Hz": ((1e-3, "that is in kHz; the question asks for Hz (multiply by 1000)."),),
        "s": ((1e3, "that is in milliseconds; the question asks for seconds."),
              (1 / 60, "that is in minutes; the question asks for seconds.")),
        "fraction": ((100, "that is a percentage; give a fraction between 0 and 1 (divide by 100)."),),
    }
    for factor, message in scalings.get(unit, ()):
        if _matches(value, expected * factor):
            return message
    if unit == "linear" and expected > 0:
        if _matches(value, 20 * np.log10(expected)):
            return "that is in dB (20 · log10); the question asks for the plain value on a linear scale."
        if _matches(value, 10 * np.log10(expected)):
            return "that is 10 · log10 of the value, in dB; the question asks for the plain value on a linear scale."
    return None


def _close(a: float, b: float, relative: float = 1e-3, absolute: float = 1e-9) -> bool:
    """Closeness for arrays and reference computations inside checks; a student's single number uses _matches."""
    return bool(np.isclose(a, b, rtol=relative, atol=absolute))
