"""The teaching guide (docs/teaching-guide.md) says what the lessons and their checks say now (issue 12)."""

from pathlib import Path

import numpy as np

from helpers.checks.basics import check_duration, check_rms
from helpers.checks.spectrogram import check_decibels
from helpers.instructor.guide import GUIDE, generate

REPO = Path(__file__).resolve().parent.parent


def test_the_committed_guide_is_up_to_date():
    assert GUIDE.read_text(encoding="utf-8") == generate(), (
        "docs/teaching-guide.md differs from what the lessons, their checks and docs/teaching-notes.toml say now: "
        "run `.venv/bin/python -m helpers.instructor guide` and commit the result")


def _section(number: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    start = text.index(f"## Lesson {number} ·")
    end = text.find("\n## Lesson ", start + 1)
    return text[start:end if end > 0 else None]


def test_mistakes_a_check_really_names_are_listed_under_their_lesson():
    """Wrong answers chosen by hand: what the check replies must be in the guide, under that lesson."""
    frame = np.sin(np.linspace(0, 20, 2048))
    power = float(np.mean(frame ** 2))
    reply = check_rms(power, frame)
    assert reply.status == "wrong" and "that is the mean square (the power)" in reply.message
    assert "that is the mean square (the power)" in _section("01")
    y = np.zeros(100_000, dtype=np.float32)
    reply = check_duration(100_000, y, 22050)
    assert "that is the number of samples, not seconds" in reply.message
    assert "that is the number of samples, not seconds" in _section("00")
    reply = check_decibels(10 * np.log10(0.05), 0.05)
    assert reply.message.startswith("10 · log10 is for power") and "10 · log10 is for power" in _section("02")
    assert "that is the mean square" not in _section("00")


def test_every_lesson_has_a_section_with_time_key_idea_projector_questions_and_mistakes():
    text = GUIDE.read_text(encoding="utf-8")
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        section = _section(path.name[:2])
        for part in ("**Time:**", "**Key idea:**", "**On the projector:**", "**Discussion questions:**",
                     "**Common mistakes"):
            assert part in section, f"lesson {path.name[:2]}: no {part} in the teaching guide"
    assert "not measurements with a class" in text
