"""What every exercise check shares: the result type and small comparison helpers.

Each ``check_...`` function compares a student's answer with a value it computes itself from the same inputs, and
returns a :class:`CheckResult`: it shows a green "correct" or, for a wrong answer, names the typical mistake it
recognises (samples instead of seconds, a forgotten square root, frames not centred, ...). An answer still set to
``None`` is reported as "not answered yet", never as an error, so a notebook always runs top to bottom.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np


class CheckResult:
    """Outcome of an exercise check: truthy when correct; shows as a coloured box in a notebook."""

    def __init__(self, status: str, message: str):
        if status not in ("correct", "wrong", "unanswered"):
            raise ValueError(status)
        self.status = status
        self.message = message

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
    return CheckResult("wrong", message)


def _unanswered(hint: str) -> CheckResult:
    return CheckResult("unanswered", "replace None with your answer and run the cell again. Hint: " + hint)


def _as_number(answer) -> float | None:
    """The answer as one float, or None when it is not a single number (strings are not numbers)."""
    if isinstance(answer, (str, bytes)):
        return None
    try:
        array = np.asarray(answer)
        if array.size != 1 or not np.issubdtype(array.dtype, np.number):
            return None
        return float(array.reshape(-1)[0])
    except (TypeError, ValueError):
        return None


def _call_student_function(function, *arguments, error_hint: Callable[[Exception], str] | None = None):
    """Run a student's function; return ``(numeric_array, None)`` or ``(None, CheckResult explaining why not)``.

    Test the second item with ``is not None``: a CheckResult for a wrong answer is falsy. ``error_hint(error)`` may
    add a sentence to the message when the student's code raises.
    """
    if not callable(function):
        return None, CheckResult("wrong", f"pass the function itself (its name, without parentheses), not a "
                                          f"{type(function).__name__}.")
    try:
        result = function(*arguments)
    except Exception as error:  # the student's code failed: report it as feedback, not a crash
        hint = error_hint(error) if error_hint else ""
        return None, CheckResult("wrong", f"your function raised {type(error).__name__}: {error}{hint}")
    if result is None:
        return None, CheckResult("unanswered", "your function returned None: write its body, and don't forget "
                                               "the return statement.")
    try:
        array = np.asarray(result)
    except (TypeError, ValueError):
        array = None
    if array is None or not np.issubdtype(array.dtype, np.number):
        return None, CheckResult("wrong", f"your function should return numbers (a NumPy array), not "
                                          f"{type(result).__name__}.")
    return array, None


def _number_answer(answer, hint: str, not_a_number: str) -> tuple[float | None, CheckResult | None]:
    """The first steps of every numeric check: ``(value, None)``, or ``(None, feedback)`` when the answer is still
    None ("not answered yet", with ``hint``) or is not a single number (``not_a_number``)."""
    if answer is None:
        return None, _unanswered(hint)
    value = _as_number(answer)
    if value is None:
        return None, _wrong(not_a_number)
    return value, None


def _close(a: float, b: float, relative: float = 1e-3, absolute: float = 1e-9) -> bool:
    return bool(np.isclose(a, b, rtol=relative, atol=absolute))


