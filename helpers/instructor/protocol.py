"""The grader's channel to a submission's sandbox: length-prefixed JSON frames, and answers as plain data.

Only data crosses it: numbers, strings, lists, tuples, dictionaries and NumPy arrays (as ``.npy`` bytes, read back
with ``allow_pickle=False``), never pickles or code, so decoding what a submission sends cannot run anything in the
grader. A function the student wrote stays in the sandbox and is represented by its name; the grader calls it there
with :class:`RemoteFunction`, sending the arguments and receiving the result the same way. Anything else (a pandas
table, a generator) arrives as :class:`Opaque`, which the checks describe by its type name.

Frames are limited in size (:data:`MAX_FRAME_BYTES`), and nesting in depth, so a flood cannot exhaust the grader.
This module imports only the standard library and NumPy: the sandbox loads it before any student code runs.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import select
import struct
import time

import numpy as np

MAX_FRAME_BYTES = 64 * 2**20
MAX_DEPTH = 20
_HEADER = struct.Struct(">Q")


class ChannelClosed(Exception):
    """The other side closed the channel or sent something that is not a frame."""


class ChannelTimeout(Exception):
    """No complete frame arrived in time."""


def write_frame(fd: int, message: dict) -> None:
    data = json.dumps(message, allow_nan=True).encode()
    if len(data) > MAX_FRAME_BYTES:
        data = json.dumps({"too_large": len(data)}).encode()
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ChannelTimeout()
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChannelClosed("the channel was closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None) -> dict:
    """The next frame from ``fd``; ChannelTimeout after ``deadline`` (time.monotonic()), ChannelClosed at EOF or on
    a frame that is too large or not a JSON object."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if size > MAX_FRAME_BYTES:
        raise ChannelClosed(f"a message of {size} bytes, more than the {MAX_FRAME_BYTES // 2**20} MB allowed")
    try:
        message = json.loads(_read_exactly(fd, size, deadline))
    except (ValueError, RecursionError) as error:
        raise ChannelClosed(f"a message that is not JSON ({error})") from None
    if not isinstance(message, dict):
        raise ChannelClosed("a message that is not a JSON object")
    return message


class Opaque:
    """A value the channel does not carry (it stays in the sandbox); its class is named after the original type."""

    def __init__(self, description: str):
        self.description = description

    def __repr__(self) -> str:
        return self.description


def encode(value, functions: dict | None = None, depth: int = 0):
    """``value`` as JSON-ready data. Functions are put into ``functions`` (by name) and sent as references."""
    if depth > MAX_DEPTH:
        return {"$opaque": "a value nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) < 2**63 else {"$opaque": "int", "repr": str(value)[:50]}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, complex):
        return {"$complex": [encode(value.real), encode(value.imag)]}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value[:MAX_FRAME_BYTES // 2]).decode()}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.hasobject:
            return {"$opaque": f"{type(value).__name__} of Python objects"}
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        kind = "$ndarray" if isinstance(value, np.ndarray) else "$npscalar"
        return {kind: base64.b64encode(buffer.getvalue()).decode()}
    if isinstance(value, (list, tuple)):
        items = [encode(item, functions, depth + 1) for item in value]
        return items if isinstance(value, list) else {"$tuple": items}
    if isinstance(value, dict):
        return {"$dict": [[encode(key, functions, depth + 1), encode(item, functions, depth + 1)]
                          for key, item in value.items()]}
    if callable(value) and functions is not None:
        name = f"f{len(functions)}"
        functions[name] = value
        return {"$function": name}
    return {"$opaque": type(value).__name__}


def decode(data, make_function=None, depth: int = 0):
    """The value ``encode`` described. ``make_function(name)`` turns a function reference into a callable."""
    if depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(item, make_function, depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ValueError("not an encoded value")
    kind, payload = next(iter(data.items()))
    if kind == "$float":
        return float(payload)
    if kind == "$complex":
        return complex(float(payload[0]), float(payload[1]))
    if kind == "$bytes":
        return base64.b64decode(payload)
    if kind in ("$ndarray", "$npscalar"):
        array = np.load(io.BytesIO(base64.b64decode(payload)), allow_pickle=False)
        return array if kind == "$ndarray" else array[()]
    if kind == "$tuple":
        return tuple(decode(item, make_function, depth + 1) for item in payload)
    if kind == "$dict":
        return {_hashable(decode(key, make_function, depth + 1)): decode(item, make_function, depth + 1)
                for key, item in payload}
    if kind == "$function":
        if make_function is None:
            return Opaque("a function")
        return make_function(str(payload))
    if kind == "$opaque":
        name = str(payload)[:80]
        return type(name if name.isidentifier() else "object", (Opaque,), {})(f"a {name}")
    raise ValueError(f"unknown kind {kind!r}")


def _hashable(key):
    try:
        hash(key)
        return key
    except TypeError:
        return repr(key)


class SubmissionStopped(BaseException):
    """The submission's process is gone or gave up (a BaseException, so a check's ``except Exception`` that reports
    a student's error as feedback does not swallow it: the exercise is then "not run", with this reason)."""


class StudentError(Exception):
    """An exception the student's function raised in the sandbox; its class is renamed after the original."""


class RemoteFunction:
    """Calls a function that lives in the sandbox: arguments out, result (or the exception's name and message)
    back, within ``timeout`` seconds per call."""

    def __init__(self, channel, name: str, label: str):
        self.channel, self.name, self.__name__ = channel, name, label

    def __call__(self, *args, **kwargs):
        reply = self.channel.call(self.name, args, kwargs)
        if "error" in reply:
            type_name, message = (list(reply["error"]) + ["", ""])[:2]
            type_name = str(type_name) if str(type_name).isidentifier() else "Exception"
            raise type(type_name, (StudentError,), {})(str(message)[:500])
        return decode(reply.get("result"), lambda name: RemoteFunction(self.channel, name, "function"))

    def __repr__(self) -> str:
        return f"<function {self.__name__}>"
