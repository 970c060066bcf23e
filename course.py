#!/usr/bin/env python3
"""Set up and run the course "Music pre-processing with Python".

    python3 course.py lab     # set everything up, then open JupyterLab on lesson 00
                              # (--workspace FOLDER: work on a copy of the lessons there)
    python3 course.py test    # set everything up, then run every test (unit tests + every notebook)

Other commands: ``site`` (build the course website into _build/site), ``site-test`` (build it, then test it and
JupyterLab in headless Chromium), ``site-bench`` (measure the built website as a phone meets it; ``--lighthouse``
adds Lighthouse scores), ``setup`` (only install), ``bench`` (benchmark lessons and sliders), ``lock`` (re-pin requirements-lock.txt after changing pyproject.toml).

For instructors: ``release`` (the student edition of every lesson, ``--out DIR``) and ``grade SUBMISSIONS_DIR``
(run every submission in a sandbox; grades.csv and a feedback file per student); see README, "For instructors".

Setup creates a virtual environment in ``.venv/`` inside the repository and installs the packages declared in
pyproject.toml, pinned by requirements-lock.txt. It downloads packages only (nothing else, ever), and a second run
skips the install when nothing changed. Afterwards the course runs with no network at all.

This file deliberately uses only the standard library and old-fashioned syntax, so that an interpreter that is too
old can still read it and print how to fix the problem instead of a syntax error.
"""
from __future__ import print_function

import hashlib
import os
import subprocess
import sys

MINIMUM_PYTHON = (3, 12)
REPO = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(REPO, ".venv")
STAMP = os.path.join(VENV, ".course-setup-stamp")
LOCK_FILE = os.path.join(REPO, "requirements-lock.txt")
FIRST_LESSON = os.path.join("notebooks", "00_why_audio_features.ipynb")
# Part of the setup fingerprint: bump it when the way packages are installed changes, so .venv is refreshed.
INSTALL_RECIPE = "uv-or-pip, editable, lock-constrained, compileall, startup hook (4)"
# The startup hook: at every interpreter start in .venv, helpers/caches.py points numba and matplotlib at writable
# cache folders (a .pth file imports this module; .pth files are how site-packages runs code at startup).
HOOK_MODULE = "_music_course_startup"
HOOK_PTH = "music_course_startup.pth"
IS_WINDOWS = os.name == "nt"


def say(message):
    print("[course] " + message, flush=True)


def fail(message):
    print("\n[course] ERROR: " + message + "\n", file=sys.stderr)
    sys.exit(1)


def check_python_version():
    if sys.version_info[:2] >= MINIMUM_PYTHON:
        return
    fail(
        "this course needs Python {want} or newer (librosa 1.0 requires it), but this is Python {have} "
        "at {exe}.\n"
        "  Fix: run the same command with a newer interpreter, for example\n"
        "      python3.12 course.py {cmd}\n"
        "  If you have none: install Python 3.12+ from python.org, with your package manager, "
        "with pyenv ('pyenv install 3.12', the repository's .python-version then selects it), "
        "or use the conda route in README.md (environment.yml).".format(
            want=".".join(map(str, MINIMUM_PYTHON)),
            have=".".join(map(str, sys.version_info[:3])),
            exe=sys.executable,
            cmd=" ".join(sys.argv[1:]) or "test",
        )
    )


def venv_python():
    if IS_WINDOWS:
        return os.path.join(VENV, "Scripts", "python.exe")
    return os.path.join(VENV, "bin", "python")


def venv_tool(name):
    if IS_WINDOWS:
        return os.path.join(VENV, "Scripts", name + ".exe")
    return os.path.join(VENV, "bin", name)


def setup_fingerprint():
    """What the installed environment depends on: the declared and pinned packages and this interpreter."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "requirements-lock.txt"):
        path = os.path.join(REPO, name)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                digest.update(handle.read())
    # The interpreter's minor version and path: a patch update of Python (3.12.1 -> 3.12.7) keeps .venv as it is.
    digest.update("{0}.{1}".format(*sys.version_info[:2]).encode())
    # The base interpreter, whichever way course.py is started (python3, or .venv's own python).
    digest.update(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable).encode())
    digest.update(venv_python().encode())
    digest.update(INSTALL_RECIPE.encode())
    return digest.hexdigest()


def run(command, **kwargs):
    say("$ " + " ".join(command))
    return subprocess.call(command, **kwargs)


def create_venv():
    if os.path.exists(venv_python()):
        version = subprocess.check_output(
            [venv_python(), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]
        ).decode().strip()
        if tuple(int(part) for part in version.split(".")) >= MINIMUM_PYTHON:
            return
        say(".venv uses Python {0}; recreating it with this interpreter.".format(version))
        import shutil

        shutil.rmtree(VENV)
    say("Creating the virtual environment in .venv/ ...")
    import venv

    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except Exception as error:  # e.g. Debian's python3 without the python3-venv package
        fail(
            "could not create a virtual environment ({0}).\n"
            "  Fix: on Debian/Ubuntu install the venv module: 'sudo apt install python3-venv' "
            "(or python3.12-venv), then run this command again.".format(error)
        )


def install_packages(fail_on_error=True):
    """Install the course with uv when it can be had (seconds), otherwise with pip (about a minute).

    Bytecode is compiled at install time (pip does it by default, uv is asked to): where PYTHONDONTWRITEBYTECODE is
    set, Python would otherwise recompile hundreds of library files in every new kernel, adding seconds to each
    lesson's Run All.
    """
    python = venv_python()
    constraints = ["-c", LOCK_FILE] if os.path.exists(LOCK_FILE) else []
    target = constraints + ["--editable", ".[test]"]
    has_uv = run([python, "-m", "pip", "install", "--quiet", "uv"], cwd=REPO) == 0
    if has_uv:
        code = run([python, "-m", "uv", "pip", "install", "--compile-bytecode", "--python", python] + target,
                   cwd=REPO)
    else:
        say("uv is not available; installing with pip instead (slower).")
        code = run([python, "-m", "pip", "install"] + target, cwd=REPO)
    if code != 0:
        if not fail_on_error:
            return False
        fail(
            "installing the packages failed (see the messages above). Check your connection to the package "
            "index (PyPI), then run the same command again; it continues from here."
        )
    # Compile every installed module to bytecode now (both installers skip some, e.g. packages that were already
    # there). Quick when nothing is missing; explicit compilation works even where PYTHONDONTWRITEBYTECODE is set.
    run([python, "-m", "compileall", "-q", "-j", "0", "-x", r"[/\\]tests?[/\\]", site_packages()], cwd=REPO)
    return True


# Run inside .venv's Python: lists every installed distribution whose recorded files are not all there (or that
# has no metadata), one name a line. An install that was interrupted leaves such distributions behind.
VERIFY_SOURCE = r"""
import csv, importlib.metadata as metadata, os, sysconfig
broken = []
site = sysconfig.get_paths()["purelib"]
for entry in os.listdir(site):
    if entry.endswith(".dist-info") and not os.path.exists(os.path.join(site, entry, "METADATA")):
        broken.append(entry[:-len(".dist-info")].split("-")[0])  # name-version.dist-info
for dist in metadata.distributions(path=[site]):
    if not dist.metadata.get("Name"):
        continue  # no METADATA: listed above
    # RECORD itself, not dist.files: since Python 3.12, dist.files leaves out the files that are missing.
    for row in csv.reader((dist.read_text("RECORD") or "").splitlines()):
        if not row or "__pycache__" in row[0] or row[0].endswith(".pyc"):
            continue
        if not os.path.exists(os.path.join(site, row[0])):
            broken.append(dist.metadata.get("Name"))
            break
print("\n".join(sorted(set(broken))))
"""


def broken_packages():
    """Names of the installed packages in .venv/ whose files are missing, or None when .venv/ has no working Python."""
    if not os.path.exists(venv_python()):
        return None
    try:
        output = subprocess.check_output([venv_python(), "-c", VERIFY_SOURCE], stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return None
    return [line for line in output.decode().splitlines() if line.strip()]


def environment_is_complete():
    """True when .venv/ runs, every installed package has all its files, and pip finds no broken requirement."""
    if broken_packages() != []:
        return False
    return subprocess.call([venv_python(), "-m", "pip", "check"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL) == 0


def site_packages():
    """The site-packages folder of .venv/."""
    return subprocess.check_output(
        [venv_python(), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).decode().strip()


def write_atomically(path, text):
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(text)
    os.replace(temporary, path)


def install_startup_hook():
    """Write the startup hook into .venv's site-packages (see HOOK_MODULE)."""
    folder = site_packages()
    write_atomically(os.path.join(folder, HOOK_MODULE + ".py"), (
        "# Written by course.py setup. At interpreter start in this environment, point numba and matplotlib at\n"
        "# writable cache folders (helpers/caches.py explains why), without importing the helpers package.\n"
        "import importlib.util\n\n\n"
        "def _configure():\n"
        "    spec = importlib.util.spec_from_file_location('_music_course_caches', {path!r})\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)\n"
        "    module.configure_cache_locations()\n\n\n"
        "try:\n"
        "    _configure()\n"
        "except Exception:  # never stop an interpreter from starting; helpers checks again when imported\n"
        "    pass\n").format(path=os.path.join(REPO, "helpers", "caches.py")))
    write_atomically(os.path.join(folder, HOOK_PTH), "import " + HOOK_MODULE + "\n")


def prepare_caches():
    """Compile librosa's numba functions once, in one process, and prove the cache loads (helpers/caches.py):
    the first lesson then starts without a 30 s wait, and concurrent kernels never compile at the same time."""
    say("Checking librosa's compiled functions (about 30 s when they must be compiled) ...")
    run([venv_python(), os.path.join(REPO, "helpers", "caches.py")], cwd=REPO)


def finish_environment():
    install_startup_hook()
    prepare_caches()


def write_stamp(fingerprint):
    # Written last, and atomically: a stamp means a complete, verified environment.
    write_atomically(STAMP, fingerprint + "\n")


def setup():
    """Make .venv/ complete and current. The stamp is written only after the environment was verified, so an
    interrupted install is found and repaired on the next run; offline, a complete environment is used as it is."""
    check_python_version()
    fingerprint = setup_fingerprint()
    if os.path.exists(STAMP) and os.path.exists(venv_python()):
        with open(STAMP) as handle:
            if handle.read().strip() == fingerprint:
                say("Environment is up to date (.venv/).")
                return
        if not can_write(VENV):
            # A shared, read-only install (a lab machine, a JupyterHub image): use it as the instructor left it.
            if environment_is_complete():
                say("Using the shared, read-only environment in " + VENV + " as it is (it was set up for another "
                    "interpreter or an older version of the course; only its owner can update it).")
                return
            fail("the course's environment in " + VENV + " is incomplete and read-only for you. Ask whoever "
                 "installed the course to run 'python3 course.py setup' there again.")
        os.remove(STAMP)  # out of date: it will be written again once the new environment is verified
    broken = broken_packages()
    if broken:
        say("The environment in .venv/ is incomplete ({0} package(s) with missing files, e.g. {1}): probably an "
            "interrupted install. Rebuilding it.".format(len(broken), ", ".join(broken[:3])))
        remove_venv()
    create_venv()
    if not install_packages(fail_on_error=False):
        if environment_is_complete():
            say("Could not update the packages (no connection to the package index?). The environment in .venv/ "
                "is complete, so the course uses it as it is; run the command again when online to update it.")
            finish_environment()
            return
        fail("installing the packages failed (see the messages above), and .venv/ is not complete. Check your "
             "connection to the package index (PyPI) and run the same command again: it continues from here.")
    broken = broken_packages()
    if broken or not environment_is_complete():
        say("The new environment did not verify ({0}); rebuilding it once from scratch.".format(
            ", ".join(broken or ["pip check"])))
        remove_venv()
        create_venv()
        install_packages()
        if not environment_is_complete():
            fail("the environment in .venv/ is still incomplete after a rebuild. Delete the .venv folder and run "
                 "the command again; if it fails again, report the messages above.")
    finish_environment()
    write_stamp(fingerprint)
    say("Setup finished.")


def remove_venv():
    import shutil

    shutil.rmtree(VENV, ignore_errors=True)


def course_environment():
    """Environment variables for everything the course runs: offline, writable caches, no stray config."""
    environment = dict(os.environ)
    # Cache folders (numba, matplotlib) are chosen by .venv's startup hook, helpers/caches.py: the repository's
    # .cache/ when it is writable, else the user's cache folder, else the temporary folder.
    environment["PYTHONNOUSERSITE"] = "1"
    # Put the venv first on PATH so that 'jupyter', 'python' and kernels all come from .venv/.
    bin_dir = os.path.dirname(venv_python())
    environment["PATH"] = bin_dir + os.pathsep + environment.get("PATH", "")
    environment["VIRTUAL_ENV"] = VENV
    return environment


def jupyter_offline_options():
    """JupyterLab options that stop it from contacting the internet (news feed, update check, extension index)."""
    options = [
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.news_url=None",
    ]
    if not IS_WINDOWS and hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-root")
    return options


def can_write(path):
    """Whether this process may write in ``path``, judged by its effective user and capabilities."""
    return os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids)


def lesson_files():
    folder = os.path.join(REPO, "notebooks")
    return sorted(name for name in os.listdir(folder) if name.endswith(".ipynb"))


def take_option(arguments, name):
    """Remove '--name VALUE' or '--name=VALUE' from arguments; return VALUE or None."""
    for index, argument in enumerate(arguments):
        if argument == name and index + 1 < len(arguments):
            value = arguments[index + 1]
            del arguments[index:index + 2]
            return value
        if argument.startswith(name + "="):
            del arguments[index]
            return argument.split("=", 1)[1]
    return None


def default_workspace():
    home = os.path.expanduser("~")
    if home and home != "~" and os.path.isdir(home) and can_write(home):
        return os.path.join(home, "music-preprocessing-course")
    return None


def prepare_workspace(workspace):
    """Copy the lessons into ``workspace`` (a folder the student can write to), never overwriting a lesson that is
    already there: that copy holds the student's work. Returns the folder."""
    import shutil

    workspace = os.path.abspath(os.path.expanduser(workspace))
    try:
        os.makedirs(workspace, exist_ok=True)
        if not can_write(workspace):
            raise OSError("no write permission")
        copied = []
        for name in lesson_files():
            target = os.path.join(workspace, name)
            if not os.path.exists(target):
                shutil.copyfile(os.path.join(REPO, "notebooks", name), target)
                copied.append(name)
    except OSError as error:
        fail("cannot use {0} for your notebooks ({1}). Choose a folder you can write to: "
             "python3 course.py lab --workspace ~/my-course-notebooks".format(workspace, error))
    if copied:
        say("Copied {0} lesson(s) into {1}; your work is saved there.".format(len(copied), workspace))
    else:
        say("Your notebooks are in {0} (lessons already there are never overwritten).".format(workspace))
    return workspace


def notebook_folder(arguments):
    """Where JupyterLab opens the lessons: the repository's notebooks/ when this user can save them there;
    otherwise (a shared, read-only install) a writable copy, from --workspace, $COURSE_WORKSPACE or
    ~/music-preprocessing-course. Returns (server root folder, first lesson relative to it)."""
    workspace = take_option(arguments, "--workspace") or os.environ.get("COURSE_WORKSPACE")
    notebooks = os.path.join(REPO, "notebooks")
    can_save_here = can_write(notebooks) and all(can_write(os.path.join(notebooks, name)) for name in lesson_files())
    if workspace is None and can_save_here:
        return REPO, FIRST_LESSON
    if workspace is None:
        workspace = default_workspace()
        if workspace is None:
            fail("the lessons in {0} are read-only for you and your home folder is not writable, so there is no "
                 "place to save your work. Choose a folder you can write to: "
                 "python3 course.py lab --workspace /path/to/a/folder".format(notebooks))
        say("The lessons in {0} are read-only for you (a shared install); you work on your own copy.".format(
            notebooks))
    return prepare_workspace(workspace), os.path.basename(FIRST_LESSON)


def command_lab(extra_arguments):
    arguments = list(extra_arguments)
    root, first_lesson = notebook_folder(arguments)
    setup()
    say("Opening JupyterLab on " + first_lesson + " in " + root + " (stop it with Ctrl+C, then answer y) ...")
    command = ([venv_tool("jupyter"), "lab", first_lesson, "--ServerApp.root_dir=" + root]
               + jupyter_offline_options() + arguments)
    environment = course_environment()
    if not IS_WINDOWS:
        # Become JupyterLab: Ctrl+C then reaches Jupyter alone, which asks whether to shut down and cleans up after
        # itself, instead of this script dying with a KeyboardInterrupt traceback while the server runs on.
        os.chdir(root)
        sys.stdout.flush()
        os.execve(command[0], command, environment)
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Windows: the console sends Ctrl+C to JupyterLab too
    return subprocess.call(command, cwd=root, env=environment)


def command_test(extra_arguments):
    setup()
    command = [venv_python(), "-m", "pytest"] + extra_arguments
    return subprocess.call(command, cwd=REPO, env=course_environment())


def command_bench(extra_arguments):
    setup()
    script = os.path.join(REPO, "benchmarks", "run_benchmarks.py")
    return subprocess.call([venv_python(), script] + extra_arguments, cwd=REPO, env=course_environment())


def command_site(extra_arguments):
    """Build the course website into _build/site (the 'site' extra is installed here on first use)."""
    setup()
    python = venv_python()
    has_site_extra = subprocess.call([python, "-c", "import jupyter_book, playwright, furo"], stderr=subprocess.DEVNULL) == 0
    if not has_site_extra:
        say("Installing the website builder, its theme and its browser-test driver (Jupyter Book 1.x, Furo, Playwright) ...")
        constraints = ["-c", LOCK_FILE] if os.path.exists(LOCK_FILE) else []
        code = run([python, "-m", "uv", "pip", "install", "--compile-bytecode", "--python", python] + constraints
                   + ["--editable", ".[test,site]"], cwd=REPO)
        if code != 0:
            fail("installing Jupyter Book failed (see above); check the connection to PyPI and run again.")
    script = os.path.join(REPO, "scripts", "build_site.py")
    return subprocess.call([python, script] + extra_arguments, cwd=REPO, env=course_environment())


def ensure_chromium():
    """Debian's Chromium for the browser tests: installed with apt-get when missing and possible (never a
    browser download by Playwright). Returns its path, or None with the reason printed."""
    import shutil

    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    apt = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if apt and is_root:
        say("Installing Debian's chromium for the browser tests ...")
        run([apt, "update", "-qq"])
        if run([apt, "install", "-y", "-qq", "chromium"]) == 0 and os.path.exists("/usr/bin/chromium"):
            return "/usr/bin/chromium"
    say("No Chromium could be installed here (needs Debian/Ubuntu and root, or install 'chromium' yourself): "
        "the browser tests will be skipped.")
    return None


def command_site_test(extra_arguments):
    """Build the website, then test it (and JupyterLab) in headless Chromium driven by Playwright."""
    code = command_site([])
    if code != 0:
        return code
    python = venv_python()
    environment = course_environment()
    chromium = ensure_chromium()
    if chromium:
        environment["COURSE_CHROMIUM"] = chromium
    command = [python, "-m", "pytest", "tests/browser", "-p", "no:nbval", "-p", "no:cacheprovider", "-o",
               "addopts=", "-rs"] + extra_arguments
    return subprocess.call(command, cwd=REPO, env=environment)


LIGHTHOUSE_VERSION = "12.2.3"  # 13 needs Node 22


def command_site_bench(extra_arguments):
    """Measure the built website as a phone meets it (benchmarks/site_bench.py): per page, what a first visit
    transfers, requests to other hosts, console errors, axe-core in light and dark mode, navigation by touch and
    keyboard; with --lighthouse, also Lighthouse on the landing page and every lesson."""
    import shutil

    html = os.path.join(REPO, "_build", "site", "_build", "html")
    if not os.path.exists(os.path.join(html, "index.html")):
        fail("the website is not built yet: run `python3 course.py site` first.")
    if not os.path.exists(os.path.join(REPO, ".cache", "site-node", "node_modules", "axe-core")):
        fail("axe-core is missing from .cache/site-node: run `python3 course.py site` again, which installs it.")
    python = venv_python()
    environment = course_environment()
    chromium = ensure_chromium()
    if chromium is None:
        fail("the site benchmark needs Chromium (see above).")
    environment["CHROME_PATH"] = chromium
    if "--lighthouse" in extra_arguments:
        folder = os.path.join(REPO, ".cache", "lighthouse-node")
        if not os.path.exists(os.path.join(folder, "node_modules", "lighthouse", "package.json")):
            npm = shutil.which("npm")
            if npm is None:
                fail("Lighthouse comes from the npm registry, but npm is not installed.")
            say("Installing Lighthouse %s from the npm registry into .cache/lighthouse-node ..." % LIGHTHOUSE_VERSION)
            os.makedirs(folder, exist_ok=True)
            if run([npm, "install", "--no-audit", "--no-fund", "--prefix", folder, "-E",
                    "lighthouse@" + LIGHTHOUSE_VERSION], cwd=folder) != 0:
                fail("installing Lighthouse failed (see above).")
    script = os.path.join(REPO, "benchmarks", "site_bench.py")
    out = os.path.join(REPO, "benchmarks", "results", "site.json")
    return subprocess.call([python, script, "measure", html, "--label", "built site", "--out", out]
                           + extra_arguments, cwd=REPO, env=environment)


def command_release(extra_arguments):
    """The student edition of every lesson (helpers/instructor/release.py): solutions removed, checks kept."""
    setup()
    return subprocess.call([venv_python(), "-m", "helpers.instructor", "release"] + extra_arguments, cwd=REPO,
                           env=course_environment())


def command_grade(extra_arguments):
    """Grade students' notebooks, each in a sandbox (helpers/instructor/grading.py): grades.csv and feedback."""
    setup()
    return subprocess.call([venv_python(), "-m", "helpers.instructor", "grade"] + extra_arguments,
                           env=course_environment())


def command_lock(extra_arguments):
    setup()
    command = [
        venv_python(), "-m", "uv", "pip", "compile", "pyproject.toml", "--extra", "test", "--extra", "site",
        "--universal", "--python-version", ".".join(map(str, MINIMUM_PYTHON)),
        "--no-header", "--output-file", "requirements-lock.txt",
    ] + extra_arguments
    return subprocess.call(command, cwd=REPO)


def command_features(extra_arguments):
    """The course's features for a whole collection into one Parquet table (lesson 08); the command's own
    arguments and help are in helpers/features_command.py (python3 course.py features --help)."""
    setup()
    command = [venv_python(), "-m", "helpers.features_command"] + extra_arguments
    return subprocess.call(command, env=course_environment())  # in the current folder: relative paths work


COMMANDS = {
    "lab": command_lab,
    "test": command_test,
    "setup": lambda extra: setup() or 0,
    "bench": command_bench,
    "site": command_site,
    "site-test": command_site_test,
    "site-bench": command_site_bench,
    "lock": command_lock,
    "release": command_release,
    "grade": command_grade,
    "features": command_features,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        print("Usage: python3 course.py {" + ",".join(sorted(COMMANDS)) + "} [extra arguments]")
        return 2
    check_python_version()
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
