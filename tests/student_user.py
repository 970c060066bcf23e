"""Run a command as an ordinary user of a shared install: uid/gid 65534 (nobody), no write access to anything root
owns (the repository, .venv, a home folder made by root), but allowed to read and search it, as every user of a
lab machine or a JupyterHub image may. Used by the read-only install tests; needs root and setpriv."""

import os
import shutil
import subprocess
import sys

STUDENT_ID = 65534
PREFIX = ["setpriv", f"--reuid={STUDENT_ID}", f"--regid={STUDENT_ID}", "--clear-groups",
          "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]


def student_command(command):
    """``command`` run as the student user (read anything, write only what the student owns)."""
    return PREFIX + list(command)


def why_no_student_user():
    """None when commands can run as the student user here, else the reason."""
    if not hasattr(os, "getuid") or os.getuid() != 0:
        return "needs root to start a process as another user"
    if not shutil.which("setpriv"):
        return "needs setpriv (util-linux)"
    probe = subprocess.run(student_command(["true"]), capture_output=True, text=True)
    if probe.returncode != 0:
        return "cannot give the student user read access here: " + probe.stderr.strip()
    return None


def student_folder(path):
    """Create ``path`` owned by the student user (their own writable folder)."""
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, STUDENT_ID, STUDENT_ID)
    return path


def student_environment(home, scratch):
    """What a hub gives a student: their own HOME and TMPDIR, none of the instructor's cache or Jupyter settings."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("NUMBA_CACHE_DIR", "MPLCONFIGDIR", "XDG_CACHE_HOME", "JUPYTER_CONFIG_DIR",
                                  "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "COURSE_WORKSPACE")}
    environment.update(HOME=str(home), TMPDIR=str(scratch))
    return environment


def why_not_shared(repository):
    """None when the student user may enter ``repository`` (every folder above it lets others through, as a shared
    install's must), else the reason. A clone inside a private folder (mode 700, e.g. from mktemp -d) is not a
    shared install: JupyterLab, run as the student, would not even find its own commands there."""
    check = "import os, sys; sys.exit(0 if os.access(sys.argv[1], os.R_OK | os.X_OK) else 1)"
    result = subprocess.run(student_command([sys.executable, "-S", "-c", check, str(repository)]),
                            capture_output=True)
    if result.returncode != 0:
        return (f"other users cannot enter {repository} (a folder above it is private), so it cannot stand for a "
                "shared install here; clone into a folder others may read to run this test")
    return None
