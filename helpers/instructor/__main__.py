"""``python -m helpers.instructor release|grade|guide ...`` (course.py's release and grade commands run this)."""

import sys


def main() -> int:
    command, arguments = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "release":
        from .release import main as run
    elif command == "grade":
        from .grading import main as run
    elif command == "guide":
        from .guide import main as run
    else:
        print("usage: python -m helpers.instructor {release,grade,guide} [options]", file=sys.stderr)
        return 2
    return run(arguments)


if __name__ == "__main__":
    sys.exit(main())
