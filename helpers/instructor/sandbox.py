"""Start a submission in its sandbox, talk to it, and stop it: the grader's side of jail.py and runner.py.

:func:`choose_protection` finds the strongest protection this machine allows and says what it gives and what it
does not (printed by ``course.py grade`` and written into the grading report):

========  ==========================================================================================================
root      the grader runs as root: namespaces (mount, network, PID, IPC, UTS) and a separate unprivileged user id per
          parallel slot, with no capabilities
userns    an ordinary account where unprivileged user namespaces are allowed (Debian and Ubuntu allow them): the
          same namespaces, the instructor's user id outside, no capabilities inside
none      neither: only the resource limits, as the instructor, with full access to the network and the instructor's
          files; ``course.py grade`` refuses it unless ``--unsafe`` is given
========  ==========================================================================================================

Limits (:class:`Limits`), in every mode: wall time per submission and per cell, CPU time, address space per
process, number of processes (threads count too), file size, open files; with namespaces also the size of the
private scratch folder. A process count limit is per user: ``root`` mode gives each parallel slot its own user id,
and ``userns`` counts per user namespace (Linux 5.14 and later), so one submission's fork bomb cannot take the
process slots of another.
"""

from __future__ import annotations

import json
import os
import platform
import select
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import protocol
from .exercises import REPOSITORY

HERE = Path(__file__).resolve().parent
JAIL = HERE / "jail.py"
RUNNER = HERE / "runner.py"
#: First user id of the sandbox slots in root mode: far above any real account, owning no file.
SLOT_UID_BASE = 1_960_000_000
#: What the sandbox sees of the course (read-only); notebooks/ (the answer key), .git, _build and everything else
#: in the repository stay invisible.
COURSE_PARTS = ("helpers", "audio_samples", ".venv")
SYSTEM_PARTS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")


@dataclass
class Limits:
    """Limits for one submission. Times in seconds, sizes in MB."""

    submission_s: float = 300.0      # wall time for the whole submission, checks included
    cell_s: float = 60.0             # wall time for one cell, or one call of a student's function
    memory_mb: int = 4096            # address space of each process (RLIMIT_AS)
    processes: int = 64              # processes and threads of the submission's user (RLIMIT_NPROC)
    file_mb: int = 256               # largest file it may write (RLIMIT_FSIZE)
    scratch_mb: int = 512            # its private scratch folder, /tmp (namespaces only)
    output_mb: int = 20              # what it may print before it is stopped

    def rlimits(self) -> dict[str, int]:
        return {"as": self.memory_mb * 2**20, "nproc": self.processes, "fsize": self.file_mb * 2**20,
                "cpu": int(self.submission_s) + 5, "nofile": 1024, "core": 0}


@dataclass
class Protection:
    mode: str                        # "root", "userns" or "none"
    description: str                 # what it gives, in a sentence or two
    missing: list[str] = field(default_factory=list)  # what it does not give, and why

    @property
    def safe(self) -> bool:
        return self.mode != "none"


def _system_view() -> tuple[list[str], dict[str, str]]:
    """The read-only paths and top-level symbolic links (merged /usr) the sandbox needs."""
    read_only, links = [], {}
    for path in SYSTEM_PARTS:
        if os.path.islink(path):
            links[path] = os.readlink(path)
        elif os.path.isdir(path):
            read_only.append(path)
    extra = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    executable = os.path.realpath(sys.executable)
    extra.add(os.path.dirname(os.path.dirname(executable)))
    for path in sorted(extra):
        if not any(path == base or path.startswith(base + "/") for base in read_only):
            read_only.append(path)
    for part in COURSE_PARTS:
        path = str(REPOSITORY / part)
        if os.path.exists(path) and path not in read_only:
            read_only.append(path)
    # Nested paths after their parents, so that a bind of the parent does not hide the child.
    read_only.sort(key=lambda path: path.count("/"))
    return read_only, links


def _environment(home: str, scratch: str) -> dict[str, str]:
    venv_bin = str(REPOSITORY / ".venv" / "bin")
    return {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": home, "TMPDIR": scratch, "USER": "student",
        "LOGNAME": "student", "LANG": "C.UTF-8", "XDG_CACHE_HOME": f"{home}/.cache",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.cache/matplotlib", "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "VIRTUAL_ENV": str(REPOSITORY / ".venv"),
        "NUMBA_CACHE_DIR": f"{home}/.cache/music-preprocessing-course/numba", "COURSE_GRADING": "1",
    }


def _verified_numba_cache() -> str | None:
    """The course's numba cache when it is verified (copied into each sandbox: no compile per submission)."""
    folder = REPOSITORY / ".cache" / "numba"
    return str(folder) if (folder / "course-verified-cache.json").exists() else None


class Sandbox:
    """One running submission: ``start()``, then ``send``/``receive`` frames; ``stop()`` kills everything."""

    def __init__(self, protection: Protection, limits: Limits, slot: int = 0):
        self.protection, self.limits, self.slot = protection, limits, slot
        self.process: subprocess.Popen | None = None
        self.output_bytes = 0
        self.output_head = bytearray()
        self.flooded = threading.Event()
        self._temporary = None

    def config(self, request_fd: int, reply_fd: int) -> dict:
        uid = SLOT_UID_BASE + self.slot if self.protection.mode == "root" else os.getuid()
        gid = SLOT_UID_BASE + self.slot if self.protection.mode == "root" else os.getgid()
        self._temporary = tempfile.mkdtemp(prefix="course-sandbox-")
        if self.protection.mode == "none":
            home = os.path.join(self._temporary, "home")
            os.makedirs(os.path.join(home, ".cache"), exist_ok=True)
            environment = _environment(home, self._temporary)
            environment.pop("NUMBA_CACHE_DIR")  # the course's own cache, through its startup hook
            read_only, links, workdir = [], {}, self._temporary
        else:
            environment = _environment("/tmp/home", "/tmp")
            read_only, links = _system_view()
            workdir = "/tmp/work"
        return {"mode": self.protection.mode, "uid": uid, "gid": gid, "root_dir": self._temporary,
                "read_only": read_only, "symlinks": links, "scratch_mb": self.limits.scratch_mb,
                "numba_cache": _verified_numba_cache(), "samples_cache": str(REPOSITORY / ".cache" / "samples"),
                "limits": self.limits.rlimits(), "env": environment, "python": str(REPOSITORY / ".venv/bin/python"),
                "runner": str(RUNNER), "fds": [request_fd, reply_fd], "workdir": workdir}

    def start(self) -> None:
        request_read, self.request_write = os.pipe()
        self.reply_read, reply_write = os.pipe()
        config = self.config(request_read, reply_write)
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(JAIL), json.dumps(config)], pass_fds=(request_read, reply_write),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})  # none of the instructor's variables go in
        os.close(request_read)
        os.close(reply_write)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """Count (and mostly discard) what the submission prints; stop it past the output limit."""
        limit = self.limits.output_mb * 2**20
        stream = self.process.stdout
        while True:
            chunk = stream.read1(1 << 16) if hasattr(stream, "read1") else stream.read(1 << 16)
            if not chunk:
                return
            self.output_bytes += len(chunk)
            if len(self.output_head) < 4096:
                self.output_head += chunk[:4096 - len(self.output_head)]
            if self.output_bytes > limit and not self.flooded.is_set():
                self.flooded.set()
                self.kill()

    def send(self, message: dict) -> None:
        try:
            protocol.write_frame(self.request_write, message)
        except OSError:  # the submission's process is gone
            raise protocol.ChannelClosed("the channel was closed") from None

    def receive(self, deadline: float) -> dict:
        return protocol.read_frame(self.reply_read, deadline)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass

    def stop(self) -> int | None:
        """End the submission (and everything it started) and clean up; its exit code, if it ended by itself."""
        for fd in (getattr(self, "request_write", None),):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        code = None
        if self.process:
            try:
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.kill()
                code = self.process.wait()
        try:
            os.close(self.reply_read)
        except (OSError, AttributeError):
            pass
        if self._temporary:
            import shutil

            shutil.rmtree(self._temporary, ignore_errors=True)
        return code

    def jail_error(self) -> str | None:
        """The jail's own message when it could not start the sandbox (JAIL-ERROR lines), else None."""
        text = bytes(self.output_head).decode(errors="replace")
        lines = [line for line in text.splitlines() if line.startswith("JAIL-ERROR:")]
        return lines[0][len("JAIL-ERROR:"):].strip() if lines else None


PROBE_SOURCE = r"""
import os, socket, sys
report = {"uid": os.getuid(), "cap_eff": open('/proc/self/status').read().split('CapEff:')[1].split()[0]}
try:
    socket.create_connection(("1.1.1.1", 53), timeout=1).close(); report["network"] = "reached 1.1.1.1"
except OSError as error:
    report["network"] = "blocked"
report["sees_notebooks"] = os.path.exists(%r)
print(report)
"""


def probe(mode: str, limits: Limits | None = None) -> tuple[bool, str]:
    """Whether ``mode`` works here: run a tiny job in it. ``(ok, reason when not)``."""
    if mode == "root" and os.geteuid() != 0:
        return False, "needs root"
    if mode != "none" and platform.system() != "Linux":
        return False, "namespaces need Linux"
    sandbox = Sandbox(Protection(mode, ""), limits or Limits(submission_s=60, cell_s=30), slot=0)
    try:
        sandbox.start()
        sandbox.send({"cells": ["import helpers.instructor.protocol\nprint('probe ok')"], "captures": {},
                      "cell_timeout": 30})
        deadline = time.monotonic() + 60
        while True:
            message = sandbox.receive(deadline)
            if message.get("cell_done") == 0 and message.get("error"):
                return False, f"the course cannot be imported inside: {message['error']}"
            if message.get("done"):
                sandbox.send({"quit": True})
                return True, ""
    except (protocol.ChannelClosed, protocol.ChannelTimeout) as error:
        sandbox.kill()
        sandbox.stop()
        return False, sandbox.jail_error() or f"the sandbox did not start ({error})"
    finally:
        sandbox.stop()


def choose_protection(allow_unsafe: bool = False, force: str | None = None) -> Protection:
    """The strongest protection that works here (or ``force``), with what it lacks. Raises RuntimeError when only
    ``none`` works and ``allow_unsafe`` is False."""
    reasons = {}
    order = [force] if force else ["root", "userns"]
    for mode in order:
        if mode == "none":
            break
        ok, reason = probe(mode)
        if ok:
            return _describe(mode)
        reasons[mode] = reason
    why = "; ".join(f"{mode}: {reason}" for mode, reason in reasons.items())
    if not allow_unsafe and force != "none":
        raise RuntimeError(
            "no sandbox can be made here (" + why + "). Grade as root (sudo), or allow unprivileged user "
            "namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04 "
            "kernel.apparmor_restrict_unprivileged_userns=0), or, for submissions you trust, add --unsafe.")
    protection = _describe("none")
    protection.missing.insert(0, "no namespaces here (" + (why or "not tried") + ")")
    return protection


def _describe(mode: str) -> Protection:
    if mode == "root":
        return Protection(mode, "each submission in its own mount, network, PID, IPC and UTS namespaces, as its own "
                                "unprivileged user id with no capabilities; it sees only the system, Python, the "
                                "course's environment, helpers/ and audio_samples/, all read-only, and a private "
                                "scratch folder; no network (only its own loopback)")
    if mode == "userns":
        return Protection(mode, "each submission in a new user namespace with its own mount, network, PID, IPC and "
                                "UTS namespaces and no capabilities; it sees only the system, Python, the course's "
                                "environment, helpers/ and audio_samples/, all read-only, and a private scratch "
                                "folder; no network (only its own loopback)",
                          ["outside the namespace the submission's processes run under the instructor's user id "
                           "(not root, so no separate user id is possible)"])
    return Protection("none", "resource limits only (time, memory, processes, file size, output)",
                      ["NO network isolation", "the submission can read every file the instructor can, including "
                       "the answer key and other submissions", "it can write wherever the instructor can"])


def protection_summary(protection: Protection, limits: Limits) -> str:
    lines = [f"Sandbox ({protection.mode}): {protection.description}.",
             f"Limits: {limits.submission_s:g} s per submission, {limits.cell_s:g} s per cell or function call, "
             f"{limits.memory_mb} MB of address space per process, {limits.processes} processes and threads, "
             f"files up to {limits.file_mb} MB" + (f", {limits.scratch_mb} MB of scratch space"
                                                  if protection.safe else "") +
             f", {limits.output_mb} MB of printed output."]
    lines += [f"Not protected: {item}." for item in protection.missing]
    return "\n".join(lines)


def limits_dict(limits: Limits) -> dict:
    return asdict(limits)
