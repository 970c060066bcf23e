"""Install metadata stays consistent: one dependency list, mirrored for conda, pinned, on Python >= 3.12."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
#: PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"soundfile": "pysoundfile"}


def split_requirement(text):
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", text)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_installs_the_same_packages_with_the_same_bounds():
    project = pyproject()["project"]
    extras = project["optional-dependencies"]
    declared = dict(split_requirement(r) for r in project["dependencies"] + extras["test"] + extras["site"])
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = dict(split_requirement(d) for d in environment["dependencies"] if isinstance(d, str))
    assert conda.pop("python") == ">=" + project["requires-python"].removeprefix(">=")
    conda.pop("pip")
    expected = {CONDA_NAMES.get(name, name): bounds for name, bounds in declared.items()}
    assert conda == expected, "environment.yml and pyproject.toml declare different packages or bounds"
    pip_section = next(d for d in environment["dependencies"] if isinstance(d, dict))["pip"]
    assert any("--editable ." in line for line in pip_section), "conda users also need the helpers package"


def test_librosa_is_the_current_major_release_and_python_is_new_enough():
    project = pyproject()["project"]
    assert any(re.fullmatch(r"librosa>=1\.0,<2", r.replace(" ", "")) for r in project["dependencies"])
    assert project["requires-python"] == ">=3.12"
    version = (REPO / ".python-version").read_text().strip()
    assert tuple(int(part) for part in version.split(".")[:2]) >= (3, 12)


def test_lock_file_pins_every_declared_package():
    lock = (REPO / "requirements-lock.txt").read_text()
    pinned = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", lock, flags=re.M))
    pinned = {name.lower().replace("_", "-"): version for name, version in pinned.items()}
    project = pyproject()["project"]
    extras = project["optional-dependencies"]
    for requirement in project["dependencies"] + extras["test"] + extras["site"]:
        name, _ = split_requirement(requirement)
        assert name in pinned, f"{name} is declared in pyproject.toml but not pinned in requirements-lock.txt"
    assert pinned["librosa"].startswith("1.")


def old_interpreters():
    """Interpreters older than 3.12 found on this machine (pyenv's, or on PATH)."""
    found = []
    for candidate in sorted(Path.home().glob(".pyenv/versions/3.1[01]*/bin/python3")):
        found.append(str(candidate))
    return found[:1]


@pytest.mark.parametrize("interpreter", old_interpreters() or [pytest.param(None, marks=pytest.mark.skip(
    reason="no Python older than 3.12 on this machine to try course.py with"))])
def test_course_script_stops_old_interpreters_with_a_fix(interpreter):
    result = subprocess.run([interpreter, str(REPO / "course.py"), "test"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "needs Python 3.12 or newer" in result.stderr
    assert "Fix:" in result.stderr and "python3.12 course.py test" in result.stderr


def test_course_script_lists_its_commands_when_called_without_one():
    result = subprocess.run([sys.executable, str(REPO / "course.py")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    for command in ("lab", "test"):
        assert command in result.stdout
