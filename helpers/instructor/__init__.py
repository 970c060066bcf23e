"""The instructor's tools: a student edition of every lesson, safe automatic grading, and the teaching guide.

    python3 course.py release [--out DIR]               # the student edition (solutions removed, checks kept)
    python3 course.py grade SUBMISSIONS_DIR [--out DIR]  # run every submission in a sandbox; grades.csv + feedback

Everything is read from the lessons' own markup, so the lessons in ``notebooks/`` stay the single source (the answer
key): an exercise is a ``### Exercise N`` heading, a student cell whose answer starts as ``None`` and that ends with a
``check_...(answer, ...)`` call, and a hidden solution cell (tag ``hide-cell``, first line ``# Solution``).

* :mod:`.exercises` finds the exercises of any lesson and the points they are worth (``points.toml``);
* :mod:`.release` writes the student edition as nbgrader assignments (cell metadata: answer cells, locked check
  cells with their points);
* :mod:`.answer_key` runs a lesson (the instructor's code, trusted) and keeps each exercise's check with its inputs;
* :mod:`.sandbox` and ``jail.py`` start a submission in its own namespaces as an unprivileged user, with limits;
  ``runner.py`` runs the submission's cells inside and hands its answers out as data (:mod:`.protocol`);
* :mod:`.grading` puts it together: the checks run in the grader's process on the answers the submission produced,
  never inside the submission, so nothing it prints or redefines can change its grade;
* :mod:`.guide` writes ``docs/teaching-guide.md`` from the lessons, the checks and ``docs/teaching-notes.toml``.
"""
