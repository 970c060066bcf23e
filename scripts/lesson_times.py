#!/usr/bin/env python3
"""Estimate how long each lesson takes a student, from what it asks them to read, run and do.

    python3 scripts/lesson_times.py          # a table: words, code lines, exercises, explorers, minutes

This is an estimate, not a measurement; each lesson's header states it with this method, and
tests/test_lesson_times.py keeps the headers in step with the lessons. The rates:

* prose: 150 words a minute. Adults read non-fiction silently at about 240 words a minute on average (Brysbaert,
  "How many words do we read per minute?", Journal of Memory and Language 109, 2019); reading to learn, with
  formulas and figures to study, is slower, so we use about 60 % of that;
* code: 10 lines a minute, to read a cell, run it and look at what it prints or draws;
* an exercise: 10 minutes (reading it, writing a few lines, running the check, a second try);
* an explorer: 3 minutes of moving its controls and listening.

Sections under a heading that starts with "Going further" are optional: their time is counted apart.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
WORDS_PER_MINUTE = 150
CODE_LINES_PER_MINUTE = 10
MINUTES_PER_EXERCISE = 10
MINUTES_PER_EXPLORER = 3
OPTIONAL_HEADING = re.compile(r"^##\s+(\d+\.\s*)?Going further", re.MULTILINE)
OTHER_HEADING = re.compile(r"^##\s+(?!#)", re.MULTILINE)
EXPLORER = re.compile(r"\b(WaveformExplorer|SpectrogramExplorer|FeatureExplorer|MFCCExplorer|ComparisonDashboard|PitchExplorer|RhythmExplorer)\(")
STATED = re.compile(r"\*\*Estimated time\.\*\*\s*(?:about\s+)?(\d+)\s+minutes(?:[^.]*?(\d+)\s+more)?")


def round_to_five(minutes: float) -> int:
    return int(5 * round(minutes / 5))


def estimate(path: Path) -> dict:
    """Words, code lines, exercises and explorers of the lesson at ``path``, and its estimated minutes: ``core``
    (everything but the optional sections) and ``optional`` (sections headed "Going further"), rounded to 5."""
    notebook = nbformat.read(path, as_version=4)
    parts = {"core": {"words": 0, "code_lines": 0, "exercises": 0, "explorers": 0},
             "optional": {"words": 0, "code_lines": 0, "exercises": 0, "explorers": 0}}
    part = "core"
    for cell in notebook.cells[1:]:  # the header (title, objectives, the estimate itself) is not counted
        if cell.cell_type == "markdown":
            if OPTIONAL_HEADING.search(cell.source):
                part = "optional"
            elif OTHER_HEADING.search(cell.source):
                part = "core"
            prose = re.sub(r"\$[^$]*\$|`[^`]*`|\([^)]*\)\[[^\]]*\]|https?://\S+", " ", cell.source)
            parts[part]["words"] += len(re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", prose))
            parts[part]["exercises"] += len(re.findall(r"^###\s+Exercise", cell.source, re.MULTILINE))
        elif cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if line.strip()]
            if lines and lines[0].lstrip().startswith("# Solution"):
                continue  # a solution is read instead of the student's own attempt, which the exercise counts
            parts[part]["code_lines"] += len(lines)
            parts[part]["explorers"] += len(EXPLORER.findall(cell.source))
    result = {}
    for name, counts in parts.items():
        minutes = (counts["words"] / WORDS_PER_MINUTE + counts["code_lines"] / CODE_LINES_PER_MINUTE
                   + counts["exercises"] * MINUTES_PER_EXERCISE + counts["explorers"] * MINUTES_PER_EXPLORER)
        result[name] = dict(counts, minutes=round_to_five(minutes) if minutes else 0)
    return result


def stated(path: Path) -> tuple[int | None, int | None]:
    """The minutes a lesson's header states: (core, optional or None)."""
    header = nbformat.read(path, as_version=4).cells[0].source
    match = STATED.search(header)
    if not match:
        return None, None
    return int(match.group(1)), (int(match.group(2)) if match.group(2) else None)


def main() -> int:
    print(f"{'lesson':<40} {'words':>6} {'code':>5} {'ex.':>4} {'expl.':>5} {'core':>5} {'optional':>8} "
          f"{'stated':>8}")
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        parts = estimate(path)
        core, optional = parts["core"], parts["optional"]
        said = stated(path)
        print(f"{path.stem:<40} {core['words'] + optional['words']:>6} "
              f"{core['code_lines'] + optional['code_lines']:>5} {core['exercises']:>4} {core['explorers']:>5} "
              f"{core['minutes']:>5} {optional['minutes']:>8} {str(said[0]) + ('+' + str(said[1]) if said[1] else ''):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
