"""Write the teaching guide, ``docs/teaching-guide.md``, from the lessons, their checks and the instructor's notes.

    python -m helpers.instructor guide            # rewrite docs/teaching-guide.md
    python -m helpers.instructor guide --check    # exit 1 if it differs from what the lessons say now

Per lesson: the estimated time (``scripts/lesson_times.py``, with what it counted), the key idea, which explorer to
show on the projector, discussion questions (``docs/teaching-notes.toml``) and, for every exercise, the mistakes its
check recognises and names. Those are read from the check functions themselves (every message of a
``_wrong(...)`` result, and the shared unit and rounding diagnoses they call), so the guide lists exactly what the
checks detect; tests/test_teaching_guide.py fails when the committed guide is out of date.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys
import textwrap
import tomllib
from pathlib import Path

from .exercises import REPOSITORY, Lesson, read_lessons

GUIDE = REPOSITORY / "docs" / "teaching-guide.md"
NOTES = REPOSITORY / "docs" / "teaching-notes.toml"
#: The shared diagnoses in helpers/checks/core.py, in the words the guide uses for them.
SHARED_DIAGNOSES = {
    "_unit_mistake": "the right value in the wrong unit (kHz for Hz, ms or minutes for s, dB for a plain value, a "
                     "percentage for a fraction)",
    "_rounding_mistake": "rounded to fewer than 3 significant figures, or cut off instead of rounded",
}
SHARED_DIAGNOSES["_general_mistake"] = None  # both of the above


def _lesson_times():
    spec = importlib.util.spec_from_file_location("course_lesson_times", REPOSITORY / "scripts" / "lesson_times.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_functions() -> dict[str, object]:
    """Every ``check_...`` function in helpers.checks and its modules, by name."""
    import helpers.checks as package

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"helpers.checks.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("check_") and inspect.isfunction(value) and value.__module__ == module.__name__:
                found[name] = value
    return found


def _text(node: ast.AST) -> str | None:
    """A message literal as text; the parts of an f-string that are computed become "…"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "…" for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return (left or "…") + (right or "…") if (left or right) else None
    return None


def _first_sentence(message: str) -> str:
    message = " ".join(message.split())
    match = re.match(r"(.+?[.!?])(\s|$)", message)
    return (match.group(1) if match else message).rstrip(".:;, ")


def named_mistakes(function) -> list[str]:
    """The mistakes a check names: the first sentence of every ``_wrong(...)`` message in the function and in the
    helpers of its own module it calls, plus the shared unit and rounding diagnoses when it uses them."""
    module = sys.modules[function.__module__]
    seen_functions, mistakes, shared = set(), [], []

    def visit(target):
        if target in seen_functions:
            return
        seen_functions.add(target)
        tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            if name == "_wrong" and node.args:
                text = _text(node.args[0])
                if text:
                    mistakes.append(_first_sentence(text))
            elif name in SHARED_DIAGNOSES:
                shared.extend([SHARED_DIAGNOSES[name]] if SHARED_DIAGNOSES[name] else
                              [SHARED_DIAGNOSES["_unit_mistake"], SHARED_DIAGNOSES["_rounding_mistake"]])
            else:
                helper = getattr(module, name, None)
                if inspect.isfunction(helper) and helper.__module__ == module.__name__:
                    visit(helper)

    visit(function)
    ordered = list(dict.fromkeys(mistakes))
    for item in dict.fromkeys(shared):
        if item not in ordered:
            ordered.append(item)
    return ordered


def _subtitle(lesson: Lesson) -> str:
    paragraphs = lesson.notebook.cells[0].source.split("\n\n")
    text = " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""
    text = text.split("—", 1)[-1].strip()
    return text[:1].upper() + text[1:]


def _explorers(lesson: Lesson, pattern) -> list[str]:
    found, section = [], None
    for cell in lesson.notebook.cells:
        if cell.cell_type == "markdown":
            headings = re.findall(r"^##\s+(.+)$", cell.source, re.MULTILINE)
            if headings:
                section = headings[-1].strip()
        elif cell.cell_type == "code":
            for name in pattern.findall(cell.source):
                found.append(f"{name} (section {section})" if section else name)
    return found


def lesson_section(lesson: Lesson, notes: dict, checks: dict, times) -> str:
    estimate = times.estimate(lesson.path)
    core, optional = estimate["core"], estimate["optional"]
    minutes = f"{core['minutes']} minutes" + (f", plus {optional['minutes']} optional" if optional["minutes"] else "")
    counted = (f"its prose and code, {core['exercises']} exercises and {core['explorers']} explorer"
               + ("s" if core["explorers"] != 1 else ""))
    lines = [f"## {lesson.title}", "",
             f"**Time:** {minutes} (estimated from {counted}; see *How the times are estimated*).", "",
             f"**Key idea:** {notes.get('key_idea') or _subtitle(lesson)}", ""]
    explorers = _explorers(lesson, times.EXPLORER)
    projector = notes.get("projector")
    if projector:
        lines += [f"**On the projector:** {projector}", ""]
    elif explorers:
        lines += [f"**On the projector:** {'; '.join(explorers)} (no note written yet).", ""]
    else:
        lines += ["**On the projector:** this lesson has no explorer.", ""]
    questions = notes.get("questions") or []
    lines += ["**Discussion questions:**", ""]
    lines += [f"* {question}" for question in questions] or [
        f"* None written yet: add them to `docs/teaching-notes.toml` under `[\"{lesson.number}\"]`."]
    lines += ["", "**Common mistakes (as the exercise checks name them):**", ""]
    for exercise in lesson.exercises:
        named = []
        for call in exercise.checks:
            function = checks.get(call.function)
            named += named_mistakes(function) if function else []
        points = f"{exercise.points:g} point" + ("" if exercise.points == 1 else "s")
        lines.append(f"* Exercise {exercise.number}, *{exercise.title}* ({points}, `{exercise.checks[0].function}`):")
        lines += [f"  * {mistake}" for mistake in dict.fromkeys(named)] or ["  * (the check names no mistake)"]
    return "\n".join(lines)


HEADER = """\
# Teaching guide

For each lesson: how long it takes, its key idea, what to show on the projector, questions for discussion, and the
mistakes students make in its exercises, as the exercise checks recognise and name them.

This page is generated by `python -m helpers.instructor guide` from the lessons, their exercise checks
(`helpers/checks/`) and the instructor's notes (`docs/teaching-notes.toml`); a test fails when it is out of date, so
the mistakes listed are exactly those the checks detect. For the student edition and automatic grading, see the
README, *For instructors*.

## How the times are estimated

The times are **estimates from what each lesson asks a student to do**, not measurements with a class:
`scripts/lesson_times.py` counts the lesson's prose at 150 words a minute (about 60 % of the average silent reading
speed of adults, because reading to learn with formulas and figures is slower), its code at 10 lines a minute (read,
run, look at the output), 10 minutes per exercise and 3 per explorer, rounded to 5 minutes. Sections headed *Going
further* are optional and counted apart. The machine's own time is small next to that: a lesson's Run All takes a few
seconds (README, *Speed*). After your first class, compare with what you saw and plan the split of long lessons at a
section boundary.
"""


def generate(lessons: dict[str, Lesson] | None = None) -> str:
    lessons = lessons or read_lessons()
    with open(NOTES, "rb") as handle:
        notes = tomllib.load(handle)
    checks, times = check_functions(), _lesson_times()
    sections = [lesson_section(lesson, notes.get(number, {}), checks, times) for number, lesson in
                sorted(lessons.items())]
    return HEADER + "\n" + "\n\n".join(sections) + "\n"


def main(arguments: list[str]) -> int:
    text = generate()
    if "--check" in arguments:
        current = GUIDE.read_text(encoding="utf-8") if GUIDE.exists() else ""
        if current != text:
            print(f"[course] {GUIDE.relative_to(REPOSITORY)} is out of date: run python -m helpers.instructor guide")
            return 1
        return 0
    GUIDE.parent.mkdir(parents=True, exist_ok=True)
    GUIDE.write_text(text, encoding="utf-8")
    print(f"[course] wrote {GUIDE}")
    return 0
