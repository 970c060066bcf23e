"""Start one submission's runner in a sandbox (Linux). Standard library only; started by helpers/instructor/sandbox.py
as ``python -I -S jail.py CONFIG_JSON``.

Modes (sandbox.py chooses the strongest that works here and says which):

* ``root`` (the grader runs as root, e.g. CI): new mount, network, PID, IPC and UTS namespaces; the runner runs as
  an unprivileged user id of its own (one per parallel slot, owning no file) with no capabilities.
* ``userns`` (an ordinary instructor account): the same namespaces inside a new user namespace; the runner keeps the
  instructor's user id outside but has no capabilities and sees only the read-only file system built below.
* ``none`` (no namespaces allowed here): resource limits only; sandbox.py refuses this unless told it is acceptable.

With namespaces the runner sees a new root file system: a read-only tmpfs holding read-only bind mounts of the
system folders, the Python installation, the course's environment and only the parts of the course it needs
(helpers/, audio_samples/; never notebooks/, .git or anything else), a new /proc for its own PID namespace, a few
device nodes, and a private, size-limited tmpfs at /tmp (its scratch folder, also its home) that disappears with it.
The network namespace has only a loopback interface. This process is PID 1 of the new PID namespace: when the runner
ends, or this process is killed, the kernel kills every process the submission started (a fork bomb included).
"""

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import resource
import shutil
import signal
import socket
import struct
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
ST_TO_MS = {1: MS_RDONLY, 2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME,
            4096: MS_RELATIME}
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS = 1, 24, 28, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
# noroot, noroot_locked, no_setuid_fixup, no_setuid_fixup_locked, keep_caps_locked
SECURE_BITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x20
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
DEVICES = ("null", "zero", "full", "random", "urandom")

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]


class JailError(Exception):
    pass


def _check(result, what):
    if result != 0:
        number = ctypes.get_errno()
        raise JailError(f"{what}: {os.strerror(number)} (errno {number})")


def mount(source, target, fstype, flags, data=None):
    encode = lambda text: None if text is None else os.fsencode(text)  # noqa: E731
    _check(libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)),
           f"mount {source or ''} on {target}")


def prctl(option, value, *rest):
    arguments = [ctypes.c_ulong(value)] + [ctypes.c_ulong(item) for item in rest]
    return libc.prctl(option, *arguments)


def bind_read_only(source, target):
    """Bind ``source`` at ``target`` (same kind of entry), then make that mount read-only, keeping the flags the
    kernel does not let a user namespace drop (nosuid, nodev, noexec, atime)."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(source, target, None, MS_BIND)
    kept = 0
    flags = os.statvfs(target).f_flag
    for st_flag, ms_flag in ST_TO_MS.items():
        if flags & st_flag:
            kept |= ms_flag
    mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | kept)


def loopback_up():
    """Bring up 'lo' in the new network namespace (code that talks to itself over 127.0.0.1 keeps working)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as handle:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(handle, 0x8913, request))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(handle, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))  # SIOCSIFFLAGS, IFF_UP


def build_root(config):
    root = config["root_dir"]
    uid, gid = config["uid"], config["gid"]
    as_root = config["mode"] == "root"
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    for link, target in config["symlinks"].items():
        os.makedirs(os.path.dirname(root + link), exist_ok=True)
        os.symlink(target, root + link)
    # Paths under /tmp (a course cloned into a temporary folder) are bound after the private /tmp is mounted below;
    # bound now, that tmpfs would hide them.
    in_tmp = [path for path in config["read_only"] if path == "/tmp" or path.startswith("/tmp/")]
    for path in config["read_only"]:
        if path not in in_tmp:
            bind_read_only(path, root + path)
    os.makedirs(root + "/dev/shm", exist_ok=True)
    for name in DEVICES:
        bind_read_only_device = root + "/dev/" + name
        open(bind_read_only_device, "a").close()
        mount("/dev/" + name, bind_read_only_device, None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, root + "/dev/" + name)
    os.makedirs(root + "/proc", exist_ok=True)
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.makedirs(root + "/tmp", exist_ok=True)
    owner = f",uid={uid},gid={gid}" if as_root else ""
    mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={config['scratch_mb']}m,mode=0700{owner}")
    cache = root + "/tmp/home/.cache/music-preprocessing-course"
    for folder in ("/tmp/home", "/tmp/work", "/tmp/.shm", "/tmp/home/.cache", cache[len(root):]):
        os.makedirs(root + folder, exist_ok=True)
    if config.get("numba_cache") and os.path.isdir(config["numba_cache"]):
        shutil.copytree(config["numba_cache"], cache + "/numba", ignore=shutil.ignore_patterns("*.lock"))
    if as_root:
        for folder, _, files in os.walk(root + "/tmp"):
            os.chown(folder, uid, gid)
            for name in files:
                os.chown(os.path.join(folder, name), uid, gid)
    if config.get("samples_cache") and os.path.isdir(config["samples_cache"]):
        bind_read_only(config["samples_cache"], cache + "/samples")
    for path in in_tmp:
        bind_read_only(path, root + path)
    mount(root + "/tmp/.shm", root + "/dev/shm", None, MS_BIND)
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    os.chdir(root)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is not None and libc.syscall(number, b".", b".") == 0:
        _check(libc.umount2(b".", MNT_DETACH), "detach the old root")
    else:
        os.chroot(".")
    os.chdir("/")


def set_limits(limits):
    for name, value in limits.items():
        which = getattr(resource, "RLIMIT_" + name.upper())
        resource.setrlimit(which, (value, value))


def drop_privileges(config):
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if config["mode"] == "root":
        os.setgroups([])
        os.setresgid(config["gid"], config["gid"], config["gid"])
        os.setresuid(config["uid"], config["uid"], config["uid"])
    elif config["mode"] == "userns":
        _check(prctl(PR_SET_SECUREBITS, SECURE_BITS), "set securebits")
        for capability in range(64):
            if prctl(PR_CAPBSET_DROP, capability) != 0:
                if ctypes.get_errno() == errno.EINVAL:
                    break
                _check(-1, f"drop capability {capability}")
    _check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "set no_new_privs")


def start_runner(config):
    """In the child: limits, no privileges, only the channel's descriptors, then exec the runner."""
    keep = set(config["fds"]) | {0, 1, 2}
    for fd in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        if int(fd) not in keep:
            try:
                os.close(int(fd))
            except OSError:
                pass
    set_limits(config["limits"])
    drop_privileges(config)
    os.chdir(config["workdir"])
    command = [config["python"], config["runner"], *map(str, config["fds"])]
    os.execve(command[0], command, config["env"])


def main():
    config = json.loads(sys.argv[1])
    mode = config["mode"]
    if mode == "none":
        start_runner(config)
        return 1
    flags = os.CLONE_NEWNS | os.CLONE_NEWNET | os.CLONE_NEWPID | os.CLONE_NEWIPC | os.CLONE_NEWUTS
    outer_uid, outer_gid = os.getuid(), os.getgid()
    if mode == "userns":
        flags |= os.CLONE_NEWUSER
    try:
        os.unshare(flags)
        if mode == "userns":
            for name, text in (("setgroups", "deny"), ("uid_map", f"0 {outer_uid} 1"), ("gid_map", f"0 {outer_gid} 1")):
                with open(f"/proc/self/{name}", "w") as handle:
                    handle.write(text)
    except OSError as error:
        print(f"JAIL-ERROR: cannot create the namespaces: {error}", file=sys.stderr, flush=True)
        return 97
    init = os.fork()
    if init:  # the outer process: wait for the sandbox's PID 1 and pass on how it ended
        while True:
            try:
                _, status = os.waitpid(init, 0)
                break
            except InterruptedError:
                continue
        return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    # PID 1 of the new namespace
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    try:
        build_root(config)
        loopback_up()
    except (JailError, OSError) as error:
        print(f"JAIL-ERROR: cannot build the sandbox: {error}", file=sys.stderr, flush=True)
        os._exit(98)
    child = os.fork()
    if child == 0:
        try:
            start_runner(config)
        except BaseException as error:  # noqa: BLE001 - report any failure to start, then end this child
            print(f"JAIL-ERROR: cannot start the runner: {error}", file=sys.stderr, flush=True)
        os._exit(99)
    for fd in config["fds"]:
        os.close(fd)
    code = 1
    while True:  # reap every orphan; end (and so end the namespace) when the runner ends
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == child:
            code = os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
            break
    os._exit(code if 0 <= code < 256 else 1)


if __name__ == "__main__":
    sys.exit(main())
