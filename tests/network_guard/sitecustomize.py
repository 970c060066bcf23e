"""Block every network connection that does not stay on this machine (loaded by the test suite only).

tests/conftest.py puts this folder on PYTHONPATH, so every Python process the tests start (the notebook kernels
included) imports it at start-up. Connections to loopback addresses (127.0.0.0/8, ::1, localhost) and Unix sockets
are allowed, because Jupyter kernels talk to their client over loopback; anything else raises
``NetworkAccessBlocked``. The course promises to run offline: this is how the tests hold it to that promise.
"""

import ipaddress
import os
import socket

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", ""}


class NetworkAccessBlocked(ConnectionRefusedError):
    """A test (or a notebook run by the tests) tried to reach another machine."""


def _is_local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(where) -> None:
    raise NetworkAccessBlocked(
        f"Network access to {where!r} was blocked: the course must run offline (only loopback is allowed in tests)."
    )


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse(address)
    return _original_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        _refuse(address)
    return _original_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        _refuse(host)
    return _original_getaddrinfo(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo


if os.environ.get("COURSE_BLOCK_NETWORK") == "1":
    install()
